"""Imports of the operator's subscriber counts and the landlord's move-ins (CSV or XLSX).

Files come as partners really produce them: `;` or `,`, UTF-8 with or without BOM or Latin-1,
decimal comma, French dates, French headers with or without accents, sector by name or code.
`preview_import` checks every row and writes nothing; `apply_import` writes in one transaction,
refuses while any row is wrong unless asked to keep only the valid rows, and upserts on the
table's unique key (sector + date), leaving unchanged rows untouched, so a second import of
the same file changes nothing.

Plausibility, against what the database knows (as the ballot count does):
- blocking errors: more subscribers, or more move-ins in a month, than the sector's dwellings on
  that date; a date before the programme's first recorded stage or in the future;
- warnings the person importing acknowledges (`warnings_acknowledged`): subscribers counted
  before the sector's implementation started (or in a sector not implemented yet), or on a date
  the sector is on no offer (they are left out of the uptake); a change of
  more than `imports.subscriber_jump_warning_share` of the dwellings since the sector's previous
  count; more than `imports.move_ins_warning_share` of the dwellings moving in within a month.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ihs import clock
from ihs.formats import fr_date, fr_int, fr_month, unaccented
from ihs.models import Deployment, DeploymentStage, MoveIn, Sector, SectorDwellings, SectorOffer, SubscriberCount
from ihs.programme import get_setting
from ihs.users import Actor, require
from ihs.validation import MIN_DATE, ValidationError, parse_date_text, parse_int

MAX_BYTES = 20 * 1024 * 1024
CHUNK = 500


def plain_words(text) -> str:
    """Lower case, no accents, words separated by one space: « Abonnés » → « abonnes »."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", unaccented(text)).split())


@dataclass(frozen=True)
class ImportKind:
    """What one kind of import reads (subscribers, move-ins): its table, columns and right."""

    code: str
    label: str
    permission: str
    model: type
    date_attr: str
    value_attr: str
    headers: tuple[str, str, str]  # French names shown in messages
    aliases: dict[str, set[str]]
    monthly: bool


_SECTOR = {"secteur", "code secteur", "code du secteur", "nom du secteur", "nom secteur", "quartier", "sector", "code"}
KINDS = {
    "subscribers": ImportKind(
        "subscribers",
        "Abonnés (opérateur)",
        "subscribers",
        SubscriberCount,
        "as_of",
        "subscribers",
        ("Secteur", "Date", "Abonnés"),
        {
            "sector": _SECTOR,
            "date": {"date", "au", "date de comptage", "date du comptage", "date comptage", "jour", "as of", "releve"},
            "value": {
                "abonnes",
                "nombre d abonnes",
                "nb abonnes",
                "nb d abonnes",
                "nombre abonnes",
                "abonnements",
                "nombre d abonnements",
                "subscribers",
            },
        },
        monthly=False,
    ),
    "move_ins": ImportKind(
        "move_ins",
        "Emménagements (bailleur)",
        "move_ins",
        MoveIn,
        "month",
        "move_ins",
        ("Secteur", "Mois", "Emménagements"),
        {
            "sector": _SECTOR,
            "date": {"mois", "date", "periode", "month", "mois d emmenagement"},
            "value": {
                "emmenagements",
                "nombre d emmenagements",
                "nb emmenagements",
                "nb d emmenagements",
                "entrees",
                "entrees dans les lieux",
                "nouveaux locataires",
                "move ins",
            },
        },
        monthly=True,
    ),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is French."""


@dataclass
class RowCheck:
    """One line of an imported file: what was typed, what it means, and what is wrong or unlikely."""

    line: int
    sector_raw: str
    date_raw: str
    value_raw: str
    sector_id: int | None = None
    sector_name: str | None = None
    day: date | None = None
    value: int | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: str = "new"  # new | changed | unchanged | error


@dataclass
class Preview:
    """The checked lines of a file, shown before anything is written."""

    kind: str
    filename: str
    rows: list[RowCheck]

    @property
    def valid(self) -> list[RowCheck]:
        """Rows without an error (they can be written)."""
        return [r for r in self.rows if not r.errors]

    @property
    def invalid(self) -> list[RowCheck]:
        """Rows with an error (never written)."""
        return [r for r in self.rows if r.errors]

    @property
    def warned(self) -> list[RowCheck]:
        """Valid rows that would change the table and need an acknowledged check."""
        return [r for r in self.rows if r.warnings and not r.errors and r.status != "unchanged"]

    def counts(self) -> dict[str, int]:
        """How many rows are new, changed, unchanged or in error."""
        out = {"new": 0, "changed": 0, "unchanged": 0, "error": 0}
        for r in self.rows:
            out[r.status] += 1
        return out

    def table(self) -> pd.DataFrame:
        """One line per row of the file, in French, for the preview screen."""
        labels = {"new": "nouvelle", "changed": "modifiée", "unchanged": "inchangée", "error": "erreur"}
        k = KINDS[self.kind]
        return pd.DataFrame(
            {
                "Ligne": [r.line for r in self.rows],
                "Secteur": [r.sector_name or r.sector_raw for r in self.rows],
                k.headers[1]: [
                    (fr_month(r.day) if k.monthly else fr_date(r.day)) if r.day else r.date_raw for r in self.rows
                ],
                k.headers[2]: [fr_int(r.value) if r.value is not None else r.value_raw for r in self.rows],
                "État": [labels[r.status] for r in self.rows],
                "Erreurs": [" ; ".join(r.errors) for r in self.rows],
                "À vérifier": [" ; ".join(r.warnings) for r in self.rows],
            }
        )


@dataclass
class ImportResult:
    """What an import wrote: rows created, updated, already up to date, skipped for an error."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0

    def message(self) -> str:
        """The French summary shown after the import."""
        parts = [
            f"{self.created} ligne(s) ajoutée(s)",
            f"{self.updated} mise(s) à jour",
            f"{self.unchanged} déjà à jour",
        ]
        if self.skipped:
            parts.append(f"{self.skipped} ligne(s) en erreur ignorée(s)")
        return "Import terminé : " + ", ".join(parts) + "."


# ---- reading the file


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("Fichier illisible : encodage inconnu.")


def _read_csv(data: bytes) -> list[list]:
    if b"\x00" in data[:4096]:
        raise ImportFileError("Ce fichier n'est pas un tableau CSV ou Excel (.xlsx) lisible.")
    text = _decode(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ";"))
    if counts[delimiter] == 0:
        delimiter = ";"
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in row)]
    except csv.Error:
        # The csv module's reason is English ("field larger than field limit"): say it in French.
        raise ImportFileError(
            "Ce fichier n'est pas un tableau CSV lisible (une cellule démesurée ou des guillemets mal fermés) : "
            "enregistrez-le depuis le tableur au format CSV (point-virgule) ou Excel (.xlsx)."
        ) from None


def _read_xlsx(data: bytes) -> list[list]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError(
            "Ce fichier Excel est illisible : ouvrez-le dans le tableur et enregistrez-le à nouveau."
        ) from None
    try:
        sheet = wb.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            cells = ["" if v is None else v for v in values]
            if any(str(c).strip() for c in cells):
                rows.append(cells)
        return rows
    finally:
        wb.close()


def read_rows(filename: str, data: bytes) -> list[list]:
    """Rows of cells (header first) from CSV or XLSX bytes; ImportFileError when unreadable."""
    if not data or not data.strip():
        raise ImportFileError("Le fichier est vide.")
    if len(data) > MAX_BYTES:
        raise ImportFileError("Fichier trop gros (20 Mo au plus).")
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    if name.endswith(".xlsx"):
        raise ImportFileError("Ce fichier Excel est illisible.")
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("Ancien format Excel (.xls) : enregistrez le fichier en .xlsx ou en CSV.")
    return _read_csv(data)


def _columns(kind: ImportKind, header: list) -> dict[str, int]:
    names = [plain_words(h) for h in header]
    found: dict[str, int] = {}
    for role, aliases in kind.aliases.items():
        for i, name in enumerate(names):
            if name in aliases and i not in found.values():
                found[role] = i
                break
    missing = [h for role, h in zip(("sector", "date", "value"), kind.headers, strict=True) if role not in found]
    if missing:
        shown = ", ".join(f"« {str(h).strip()} »" for h in header if str(h).strip()) or "aucune"
        raise ImportFileError(
            f"Colonnes introuvables : {', '.join(missing)}. Colonnes du fichier : {shown}. "
            f"La première ligne doit être par exemple : {';'.join(kind.headers)}"
        )
    return found


# ---- reading values

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "mar": 3,
    "avril": 4, "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
    "sept": 9, "sep": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}  # fmt: skip


def parse_month(value) -> date | None:
    """The first day of a month from « 12/2022 », « 01/12/2022 », « 2022-12 », « déc. 2022 »."""
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    text = str(value).strip()
    m = re.fullmatch(r"(\d{1,2})[/.\-](\d{4})", text)
    if m:
        month, year = int(m.group(1)), int(m.group(2))
        return date(year, month, 1) if 1 <= month <= 12 else None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        return date(year, month, 1) if 1 <= month <= 12 else None
    words = plain_words(text).split()
    if len(words) == 2 and words[0] in _MONTHS and words[1].isdigit():
        year = int(words[1])
        year = year + 2000 if year < 100 else year
        return date(year, _MONTHS[words[0]], 1)
    day = parse_date_text(text)
    return date(day.year, day.month, 1) if day else None


def _sector_index(session: Session) -> dict[str, tuple[int, str]]:
    index: dict[str, tuple[int, str]] = {}
    for sid, code, name in session.execute(select(Sector.id, Sector.code, Sector.name)):
        index[plain_words(name)] = (sid, name)
        index[plain_words(code)] = (sid, name)
    return index


def _check_row(kind: ImportKind, row: RowCheck, raw_date, raw_value, sectors, today: date) -> None:
    if not row.sector_raw.strip():
        row.errors.append("Secteur manquant.")
    else:
        hit = sectors.get(plain_words(row.sector_raw))
        if hit is None:
            row.errors.append(f"Secteur inconnu : « {row.sector_raw.strip()[:60]} ».")
        else:
            row.sector_id, row.sector_name = hit
    if not str(raw_date).strip():
        row.errors.append(f"{kind.headers[1]} manquant{'' if kind.monthly else 'e'}.")
    else:
        day = parse_month(raw_date) if kind.monthly else parse_date_text(raw_date)
        latest = date(today.year, today.month, 1) if kind.monthly else today
        if day is None:
            example = "12/2022" if kind.monthly else "09/12/2022"
            row.errors.append(f"{kind.headers[1]} illisible « {row.date_raw[:20]} » : écrivez par exemple {example}.")
        elif day < MIN_DATE:
            row.errors.append(f"Date trop ancienne ({fr_date(day)}) : le dispositif a commencé en 2009.")
        elif day > latest:
            row.errors.append(f"Date dans le futur ({fr_date(day)}).")
        else:
            row.day = day
    errors: dict[str, str] = {}
    row.value = parse_int(errors, "value", raw_value, required=True, from_file=True)
    if errors:
        message = errors["value"]
        row.errors.append(f"{kind.headers[2]} : {message[0].lower()}{message[1:]}")


def _check_against_dwellings(session: Session, kind: ImportKind, rows: list[RowCheck]) -> None:
    """More subscribers, or more move-ins in a month, than the sector has dwellings is impossible.

    The dwellings are those valid on the row's date (one read of the file's sectors' history); a
    sector with no figure yet on that date is not checked here.
    """
    keyed = [r for r in rows if r.sector_id is not None and r.day is not None and r.value is not None]
    if not keyed:
        return
    history: dict[int, list[tuple[date, int]]] = {}
    stmt = (
        select(SectorDwellings.sector_id, SectorDwellings.valid_from, SectorDwellings.dwellings)
        .where(SectorDwellings.sector_id.in_({r.sector_id for r in keyed}))
        .order_by(SectorDwellings.valid_from)
    )
    for sector_id, valid_from, dwellings in session.execute(stmt):
        history.setdefault(sector_id, []).append((valid_from, dwellings))
    for row in keyed:
        valid = [d for since, d in history.get(row.sector_id, []) if since <= row.day]
        if valid and row.value > valid[-1]:
            what = "emménagements en un mois" if kind.monthly else "abonnés"
            row.errors.append(
                f"{kind.headers[2]} : {fr_int(row.value)} {what} pour {fr_int(valid[-1])} logements dans le secteur "
                f"au {fr_date(row.day)} : impossible, vérifiez le chiffre."
            )


def _programme_start(session: Session) -> date | None:
    """The first day the programme's record knows: its earliest stage, planned or actual."""
    firsts = [
        session.execute(select(func.min(col))).scalar()
        for col in (DeploymentStage.actual_start, DeploymentStage.planned_start)
    ]
    known = [d for d in firsts if d is not None]
    return min(known) if known else None


def _check_plausible(session: Session, kind: ImportKind, rows: list[RowCheck]) -> None:
    """Errors for a date before the programme; warnings for the unlikely (see the module docstring)."""
    start = _programme_start(session)
    floor = None if start is None else (start.replace(day=1) if kind.monthly else start)
    for row in rows:
        if row.day is not None and floor is not None and row.day < floor:
            row.errors.append(
                f"Date trop ancienne ({fr_date(row.day)}) : le programme commence le {fr_date(start)} "
                "(première étape enregistrée)."
            )
    keyed = [r for r in rows if r.sector_id is not None and r.day is not None and r.value is not None and not r.errors]
    if not keyed:
        return
    dwellings_on = _dwellings_history(session, {r.sector_id for r in keyed})
    if kind.monthly:
        _check_move_ins(session, keyed, dwellings_on)
    else:
        _check_subscribers(session, keyed, dwellings_on)


def _dwellings_history(session: Session, sectors: set[int]):
    """A function giving each sector's dwellings on a day (one read of the sectors' history)."""
    history: dict[int, list[tuple[date, int]]] = {}
    for sector_id, valid_from, dwellings in session.execute(
        select(SectorDwellings.sector_id, SectorDwellings.valid_from, SectorDwellings.dwellings)
        .where(SectorDwellings.sector_id.in_(sectors))
        .order_by(SectorDwellings.valid_from)
    ):
        history.setdefault(sector_id, []).append((valid_from, dwellings))

    def dwellings_on(sector_id: int, day: date) -> int | None:
        valid = [d for since, d in history.get(sector_id, []) if since <= day]
        return valid[-1] if valid else None

    return dwellings_on


def _check_move_ins(session: Session, keyed: list[RowCheck], dwellings_on) -> None:
    """A warning for a month with more move-ins than the setting's share of the dwellings."""
    share = float(get_setting(session, "imports.move_ins_warning_share"))
    for row in keyed:
        homes = dwellings_on(row.sector_id, row.day)
        if homes and row.value > share * homes:
            row.warnings.append(
                f"{fr_int(row.value)} emménagements en un mois pour {fr_int(homes)} logements : plus de "
                f"{fr_int(round(share * 100))} % des logements, vérifiez le chiffre."
            )


def _check_subscribers(session: Session, keyed: list[RowCheck], dwellings_on) -> None:
    """Warnings for subscribers in a sector on no offer or not yet implemented, and for a jump since
    the sector's previous count (the table's, or an earlier row of the same file)."""
    sectors = {r.sector_id for r in keyed}
    implemented = dict(
        session.execute(
            select(Deployment.sector_id, func.min(DeploymentStage.actual_start))
            .join(DeploymentStage, DeploymentStage.deployment_id == Deployment.id)
            .where(
                Deployment.sector_id.in_(sectors),
                DeploymentStage.stage == "implementation",
                DeploymentStage.actual_start.is_not(None),
            )
            .group_by(Deployment.sector_id)
        ).all()
    )
    counts: dict[int, dict[date, int]] = {}
    for sector_id, day, n in session.execute(
        select(SubscriberCount.sector_id, SubscriberCount.as_of, SubscriberCount.subscribers).where(
            SubscriberCount.sector_id.in_(sectors), SubscriberCount.as_of <= max(r.day for r in keyed)
        )
    ):
        counts.setdefault(sector_id, {})[day] = n
    for row in keyed:
        counts.setdefault(row.sector_id, {})[row.day] = row.value
    offers: dict[int, list[tuple[date, int | None]]] = {}
    for sector_id, valid_from, offer_id in session.execute(
        select(SectorOffer.sector_id, SectorOffer.valid_from, SectorOffer.offer_id)
        .where(SectorOffer.sector_id.in_(sectors))
        .order_by(SectorOffer.valid_from)
    ):
        offers.setdefault(sector_id, []).append((valid_from, offer_id))
    share = float(get_setting(session, "imports.subscriber_jump_warning_share"))
    for row in keyed:
        on_offer = [o for since, o in offers.get(row.sector_id, []) if since <= row.day]
        if not on_offer or on_offer[-1] is None:
            row.warnings.append(
                f"Abonnés dans un secteur sans offre d'opérateur au {fr_date(row.day)} : ils ne comptent pas dans "
                "le taux d'adhésion ; vérifiez le secteur, ou son offre (Administration › Offres et tarifs)."
            )
        since = implemented.get(row.sector_id)
        if since is None:
            row.warnings.append("Abonnés dans un secteur dont la mise en œuvre n'a pas commencé : vérifiez le secteur.")
        elif row.day < since:
            row.warnings.append(
                f"Abonnés au {fr_date(row.day)}, avant la mise en œuvre du secteur ({fr_date(since)}) : "
                "vérifiez la date."
            )
        earlier = [d for d in counts[row.sector_id] if d < row.day]
        homes = dwellings_on(row.sector_id, row.day)
        if earlier and homes:
            before_day = max(earlier)
            before = counts[row.sector_id][before_day]
            if abs(row.value - before) > share * homes:
                row.warnings.append(
                    f"De {fr_int(before)} abonnés au {fr_date(before_day)} à {fr_int(row.value)} : un écart de plus "
                    f"de {fr_int(round(share * 100))} % des {fr_int(homes)} logements, vérifiez le chiffre."
                )


def _cell_text(value) -> str:
    if isinstance(value, datetime | date):
        return fr_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _existing(session: Session, kind: ImportKind, rows: list[RowCheck]) -> dict[tuple[int, date], object]:
    """Rows already in the table for the file's keys (one query over the file's date span)."""
    keyed = [r for r in rows if r.sector_id is not None and r.day is not None]
    if not keyed:
        return {}
    model = kind.model
    day_col = getattr(model, kind.date_attr)
    stmt = select(model).where(
        model.sector_id.in_({r.sector_id for r in keyed}),
        day_col >= min(r.day for r in keyed),
        day_col <= max(r.day for r in keyed),
    )
    return {(obj.sector_id, getattr(obj, kind.date_attr)): obj for obj in session.execute(stmt).scalars()}


def check_rows(session: Session, actor: Actor, kind_code: str, filename: str, data: bytes, today: date) -> Preview:
    """Read and check every line of an uploaded file against the database (sectors, dates,
    dwellings, offers), writing nothing: the preview the page shows before the import."""
    kind = KINDS[kind_code]
    require(actor, kind.permission, session)
    table = read_rows(filename, data)
    if not table:
        raise ImportFileError("Le fichier est vide.")
    cols = _columns(kind, table[0])
    if len(table) < 2:
        raise ImportFileError("Le fichier ne contient que la ligne d'en-tête : aucune donnée à importer.")
    sectors = _sector_index(session)
    if not sectors:
        raise ImportFileError(
            "Aucun secteur n'existe encore : les lignes ne peuvent être rattachées à rien. La coordination crée "
            "d'abord les secteurs (Administration › Secteurs, ou `python -m ihs sectors import`)."
        )
    rows: list[RowCheck] = []
    seen: dict[tuple[int, date], int] = {}
    for n, cells in enumerate(table[1:], start=2):
        cells = list(cells) + [""] * (max(cols.values()) + 1 - len(cells))
        raw_sector, raw_date, raw_value = (cells[cols[r]] for r in ("sector", "date", "value"))
        row = RowCheck(n, _cell_text(raw_sector), _cell_text(raw_date), _cell_text(raw_value))
        _check_row(kind, row, raw_date, raw_value, sectors, today)
        if row.sector_id is not None and row.day is not None:
            key = (row.sector_id, row.day)
            if key in seen:
                row.errors.append(f"Ligne en double : même secteur et même date que la ligne {seen[key]}.")
            else:
                seen[key] = n
        rows.append(row)
    _check_against_dwellings(session, kind, rows)
    _check_plausible(session, kind, rows)
    existing = _existing(session, kind, rows)
    for row in rows:
        if row.errors:
            row.status = "error"
            continue
        obj = existing.get((row.sector_id, row.day))
        row.status = (
            "new" if obj is None else ("unchanged" if getattr(obj, kind.value_attr) == row.value else "changed")
        )
    return Preview(kind_code, filename, rows)


def preview_import(
    db: Engine, actor: Actor, kind_code: str, filename: str, data: bytes, today: date | None = None
) -> Preview:
    """Check every row of the file; nothing is written."""
    with Session(db) as session:
        return check_rows(session, actor, kind_code, filename, data, today or clock.today())


def apply_import(
    session: Session,
    actor: Actor,
    preview: Preview,
    *,
    only_valid: bool = False,
    warnings_acknowledged: bool = False,
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Write the valid rows of a preview (upsert on sector + date); refuses any error unless
    `only_valid`, and rows with warnings unless `warnings_acknowledged`."""
    kind = KINDS[preview.kind]
    require(actor, kind.permission, session)
    if preview.invalid and not only_valid:
        raise ValidationError(
            {
                "rows": f"{len(preview.invalid)} ligne(s) contiennent des erreurs : rien n'a été importé. "
                "Corrigez le fichier, ou choisissez d'importer seulement les lignes valides."
            }
        )
    if preview.warned and not warnings_acknowledged:
        raise ValidationError(
            {
                "warnings": f"{len(preview.warned)} ligne(s) à vérifier (colonne « À vérifier ») : rien n'a été "
                "importé. Corrigez le fichier, ou cochez la case pour confirmer que les chiffres sont justes."
            }
        )
    rows = preview.valid
    result = ImportResult(skipped=len(preview.invalid))
    # Read again inside the write transaction: the table may have changed since the preview.
    existing = _existing(session, kind, rows)
    source = f"Import {preview.filename}"[:120]
    total = max(len(rows), 1)
    for start in range(0, len(rows), CHUNK):
        for row in rows[start : start + CHUNK]:
            obj = existing.get((row.sector_id, row.day))
            if obj is None:
                session.add(
                    kind.model(
                        sector_id=row.sector_id,
                        **{kind.date_attr: row.day, kind.value_attr: row.value},
                        source=source,
                        created_by=actor.username,
                    )
                )
                result.created += 1
            elif getattr(obj, kind.value_attr) != row.value:
                setattr(obj, kind.value_attr, row.value)
                obj.source = source
                result.updated += 1
            else:
                result.unchanged += 1
        session.flush()
        if progress:
            done = min(start + CHUNK, len(rows))
            progress(done / total, f"{done} / {len(rows)} lignes")
    return result


def allowed_kinds(actor: Actor) -> list[str]:
    """Import kinds the actor may use: operator → subscribers, landlord → move-ins, coordinator → both."""
    return [code for code, k in KINDS.items() if actor.can(k.permission)]
