"""Imports of reference data: sectors with their outlines from GeoJSON (the national QPV file's
format), sectors with their dwellings from CSV/XLSX (`Secteur;Code;Type;Logements;Date;Latitude;
Longitude`). A preview gives each row's verdict; an existing code is updated, never duplicated;
nothing is written while a row is wrong unless only the valid rows are asked for. Every write goes
through `ihs.reference` (coordination only, audited)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ihs import clock
from ihs.imports import MAX_BYTES, ImportFileError, plain_words, read_rows
from ihs.models import Sector, SectorDwellings
from ihs.reference import (
    PERMISSION,
    SectorInput,
    add_dwellings,
    check_outline,
    check_sector,
    clean_code,
    parse_dwellings,
    save_sector,
)
from ihs.users import Actor, require
from ihs.validation import check_date
from ihs.vocab import SECTOR_KINDS

NAME_PROPERTIES = ("nom", "name")
CODE_PROPERTIES = ("code",)
WGS84 = ("crs84", "4326")
QPV_CODE = re.compile(r"Q[A-Z]\d{3}[0-9A-Z]{3,4}")
KIND_BY_TEXT = {plain_words(label): code for code, label in SECTOR_KINDS.items()} | {
    plain_words(code): code for code in SECTOR_KINDS
}
CSV_COLUMNS = {
    "name": ("secteur", "nom", "nom du secteur"),
    "code": ("code",),
    "kind": ("type",),
    "dwellings": ("logements", "nombre de logements"),
    "day": ("date", "a partir du", "valable a partir du"),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon"),
}


@dataclass
class SectorRow:
    """One row (or GeoJSON feature) of an imported sectors file: the sector it gives, its dwellings
    and their date, its errors, and its action in the preview (création, mise à jour, erreur)."""

    line: int  # the file's line, or the feature's number in a GeoJSON file
    data: SectorInput
    dwellings: object = None
    day: object = None
    errors: list[str] = field(default_factory=list)
    action: str = ""
    sector_id: int | None = None

    @property
    def ok(self) -> bool:
        """Whether the row has no error."""
        return not self.errors


def _kind(text) -> str | None:
    if text in (None, ""):
        return "qpv"
    return KIND_BY_TEXT.get(plain_words(text))


def _read_geojson(data: bytes, name_property: str | None, code_property: str | None) -> list[SectorRow]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ImportFileError("Fichier GeoJSON illisible : ce n'est pas du JSON valide.") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFileError("Le fichier doit être une FeatureCollection GeoJSON (une entité par secteur).")
    crs = doc.get("crs")
    if crs is not None:
        name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else str(crs)
        if not any(tag in name.lower() for tag in WGS84):
            raise ImportFileError(
                f"Projection « {name or crs} » refusée : le fichier doit être en WGS 84 (EPSG:4326, longitude "
                "et latitude). Réexportez-le dans cette projection (QGIS : Exporter › SCR EPSG:4326)."
            )
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise ImportFileError("Le fichier ne contient aucune entité : aucun secteur à importer.")
    rows = []
    for n, feature in enumerate(features, start=1):
        props = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        names = (name_property,) if name_property else NAME_PROPERTIES
        codes = (code_property,) if code_property else CODE_PROPERTIES
        name = next((props[p] for p in names if props.get(p) not in (None, "")), None)
        code = next((props[p] for p in codes if props.get(p) not in (None, "")), None)
        row = SectorRow(n, SectorInput(code=None if code is None else str(code), name=name))
        if name is None:
            row.errors.append(f"Propriété du nom absente ({' ou '.join(names)}).")
        if code is None:
            row.errors.append(f"Propriété du code absente ({' ou '.join(codes)}).")
        kind = _kind(props.get("type"))
        if kind is None:
            row.errors.append(f"Type « {props.get('type')} » inconnu : QPV, Quartier de veille ou Autre.")
        row.data.kind = kind or "qpv"
        if code is not None and QPV_CODE.fullmatch(str(code).upper()):
            row.data.qpv_code = str(code).upper()
        geometry, problem = check_outline(feature.get("geometry") if isinstance(feature, dict) else None)
        if problem:
            row.errors.append(problem)
        else:
            row.data.outline = geometry
        rows.append(row)
    return rows


def _read_table(filename: str, data: bytes) -> list[SectorRow]:
    table = read_rows(filename, data)
    header = [plain_words(c) for c in table[0]]
    cols = {}
    for key, names in CSV_COLUMNS.items():
        found = next((i for i, h in enumerate(header) if h in names), None)
        if found is not None:
            cols[key] = found
    missing = [label for key, label in (("name", "Secteur"), ("code", "Code")) if key not in cols]
    if missing:
        raise ImportFileError(
            f"Colonne(s) manquante(s) : {', '.join(missing)}. En-tête attendu : "
            "Secteur;Code;Type;Logements;Date;Latitude;Longitude (les quatre dernières facultatives)."
        )
    if len(table) < 2:
        raise ImportFileError("Le fichier ne contient que la ligne d'en-tête : aucun secteur à importer.")
    rows = []
    for n, cells in enumerate(table[1:], start=2):
        cells = list(cells) + [""] * (len(header) - len(cells))

        def cell(key, cells=cells):
            value = cells[cols[key]] if key in cols else ""
            return value.strip() if isinstance(value, str) else value

        row = SectorRow(n, SectorInput(code=str(cell("code")), name=cell("name"), lat=cell("lat"), lon=cell("lon")))
        kind = _kind(cell("kind"))
        if kind is None:
            row.errors.append(f"Type « {cell('kind')} » inconnu : QPV, Quartier de veille ou Autre.")
        row.data.kind = kind or "qpv"
        row.dwellings, row.day = cell("dwellings"), cell("day")
        rows.append(row)
    return rows


def read_sector_file(
    filename: str, data: bytes, *, name_property: str | None = None, code_property: str | None = None
) -> list[SectorRow]:
    """The rows of a GeoJSON, CSV or XLSX file of sectors; ImportFileError when the file as a whole
    cannot be read (the size is checked before anything is parsed)."""
    if not data or not data.strip():
        raise ImportFileError("Le fichier est vide.")
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"Fichier trop gros ({len(data) / 1e6:.0f} Mo) : 20 Mo au plus.")
    name = (filename or "").lower()
    if name.endswith((".geojson", ".json")) or data.lstrip()[:1] == b"{":
        return _read_geojson(data, name_property, code_property)
    return _read_table(filename, data)


def geojson_properties(data: bytes) -> list[str]:
    """The property names of a GeoJSON file's features (for the page's choice of name and code)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
        names: list[str] = []
        for feature in doc.get("features", [])[:50]:
            for key in feature.get("properties") or {}:
                if key not in names:
                    names.append(key)
        return names
    except (UnicodeDecodeError, ValueError, AttributeError):
        return []


def check_sector_rows(session: Session, actor: Actor, rows: list[SectorRow], source: str) -> list[SectorRow]:
    """Each row's verdict against the database: creation, update, or the French errors."""
    require(actor, PERMISSION, session)
    today = clock.today()
    existing = dict(session.execute(select(Sector.code, Sector.id)).all())
    seen: dict[str, int] = {}
    for row in rows:
        errors: dict[str, str] = {}
        code = clean_code(errors, "code", row.data.code) if row.data.code else None
        row.sector_id = existing.get(code) if code else None
        if row.sector_id is not None:
            current = session.get(Sector, row.sector_id)
            row.data.landlord, row.data.facility = current.landlord_id, current.facility_id
            row.data.qpv_code = row.data.qpv_code or current.qpv_code
            row.data.notes, row.data.geo_source = current.notes, current.geo_source or source
        else:
            row.data.geo_source = source if row.data.outline else None
        _, problems = check_sector(session, row.data, row.sector_id)
        row.errors.extend(m for m in problems.values() if m not in row.errors)
        if code and code in seen:
            row.errors.append(f"Code « {code} » en double : déjà à la ligne {seen[code]} du fichier.")
        elif code:
            seen[code] = row.line
        if row.dwellings not in (None, "") or row.day not in (None, ""):
            found: dict[str, str] = {}
            count = parse_dwellings(found, "dwellings", row.dwellings, from_file=True)
            day = check_date(found, "day", row.day, today=today, future=False, missing="Date des logements manquante.")
            row.errors.extend(found.values())
            row.dwellings, row.day = count, day
            if count and day and row.sector_id is not None:
                stored = session.execute(
                    select(SectorDwellings.dwellings).where(
                        SectorDwellings.sector_id == row.sector_id, SectorDwellings.valid_from == day
                    )
                ).scalar_one_or_none()
                if stored is not None and stored != count:
                    row.errors.append(
                        f"L'historique a déjà {stored} logements au {day:%d/%m/%Y} : une date par chiffre "
                        "(ajoutez le nouveau chiffre à une autre date)."
                    )
                elif stored == count:
                    row.dwellings = None  # already there: nothing to add
        row.action = "erreur" if row.errors else ("mise à jour" if row.sector_id else "création")
    return rows


def import_sectors(
    session: Session,
    actor: Actor,
    filename: str,
    data: bytes,
    *,
    name_property: str | None = None,
    code_property: str | None = None,
    only_valid: bool = False,
    dry_run: bool = False,
) -> tuple[list[SectorRow], int]:
    """(every row with its verdict, the number of sectors written). Nothing is written when a row is
    wrong (unless `only_valid`) or with `dry_run`."""
    require(actor, PERMISSION, session)
    rows = read_sector_file(filename, data, name_property=name_property, code_property=code_property)
    rows = check_sector_rows(session, actor, rows, source=f"import {filename}")
    if dry_run or (any(not r.ok for r in rows) and not only_valid):
        return rows, 0
    written = 0
    for row in rows:
        if not row.ok:
            continue
        sector = save_sector(session, actor, row.data, row.sector_id)
        if row.dwellings:
            add_dwellings(
                session,
                actor,
                sector.id,
                valid_from=row.day,
                dwellings=row.dwellings,
                source=f"import {filename}"[:120],
            )
        written += 1
    return rows, written


def preview_table(rows: list[SectorRow]) -> pd.DataFrame:
    """The rows as the page and the CLI show them: line, code, name, action, verdict."""
    return pd.DataFrame(
        {
            "Ligne": [r.line for r in rows],
            "Code": [r.data.code or "" for r in rows],
            "Secteur": [r.data.name or "" for r in rows],
            "Action": [r.action for r in rows],
            "Verdict": [" ; ".join(r.errors) if r.errors else "correct" for r in rows],
        }
    )
