"""Imports of subscriber counts and move-ins, from files as partners really produce them."""

import io
import re
from datetime import date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select

from ihs.db import session_scope
from ihs.formats import fr_int
from ihs.imports import ImportFileError, allowed_kinds, apply_import, parse_month, preview_import
from ihs.models import AuditLog, MoveIn, Sector, SubscriberCount
from ihs.settings import DATA_DIR
from ihs.users import PermissionDenied, actor_for
from ihs.validation import ValidationError
from tests.conftest import TODAY

SAMPLES = DATA_DIR / "samples"


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _audit(engine) -> int:
    return _count(engine, AuditLog)


def _subs(engine, code: str, day: date) -> int | None:
    with engine.connect() as conn:
        return conn.execute(
            select(SubscriberCount.subscribers)
            .join(Sector, Sector.id == SubscriberCount.sector_id)
            .where(Sector.code == code, SubscriberCount.as_of == day)
        ).scalar_one_or_none()


def _preview(engine, username, kind, name, data):
    return preview_import(engine, actor_for(engine, username), kind, name, data, today=TODAY)


def _apply(engine, username, preview, **kw):
    with session_scope(username, engine=engine) as s:
        return apply_import(s, actor_for(engine, username), preview, **kw)


def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name",
    ["abonnes_operateur.csv", "abonnes_operateur_utf8_virgule.csv"],
)
def test_sample_subscriber_files_import_then_reimport_changes_nothing(engine, name):
    data = (SAMPLES / name).read_bytes()
    preview = _preview(engine, "operateur", "subscribers", name, data)
    assert not preview.invalid, preview.table().to_string()
    assert len(preview.rows) == 12
    rows_before = _count(engine, SubscriberCount)
    result = _apply(engine, "operateur", preview)
    assert result.created == 12 and result.updated == 0
    assert _count(engine, SubscriberCount) == rows_before + 12
    assert _subs(engine, "pontanezen", date(2026, 11, 20)) == 218
    assert _subs(engine, "bellevue-kergoat", date(2026, 11, 20)) == 191  # decimal comma « 191,0 »
    # Importing the same file again writes nothing at all (no row, no audit entry).
    audit = _audit(engine)
    again = _preview(engine, "operateur", "subscribers", name, data)
    assert again.counts() == {"new": 0, "changed": 0, "unchanged": 12, "error": 0}
    result = _apply(engine, "operateur", again)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 12)
    assert _audit(engine) == audit
    assert _count(engine, SubscriberCount) == rows_before + 12


def test_sample_xlsx_move_ins(engine):
    data = (SAMPLES / "emmenagements_bailleur.xlsx").read_bytes()
    preview = _preview(engine, "bailleur", "move_ins", "emmenagements_bailleur.xlsx", data)
    assert not preview.invalid and len(preview.rows) == 16
    result = _apply(engine, "bailleur", preview)
    assert result.created + result.updated + result.unchanged == 16 and result.created >= 6
    with engine.connect() as conn:
        value = conn.execute(
            select(MoveIn.move_ins)
            .join(Sector, Sector.id == MoveIn.sector_id)
            .where(Sector.code == "kerangoff", MoveIn.month == date(2026, 10, 1))
        ).scalar_one()
    assert value == 3
    again = _preview(engine, "bailleur", "move_ins", "emmenagements_bailleur.xlsx", data)
    assert again.counts()["unchanged"] == 16


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", "Secteur;Date;Abonnés\nPontanézen;09/12/2022;1 012\n"),
        ("utf-8-sig", "SECTEUR;DATE;ABONNES\npontanezen;2022-12-09;1012\n"),
        ("latin-1", "secteur;date;abonnés\nPONTANÉZEN;9/12/22;1012,0\n"),
        ("cp1252", 'Secteur,Date,Nombre d\'abonnés\nPontanézen,09/12/2022,"1\u202f012"\n'.replace("\u202f", " ")),
        ("utf-8", "Secteur\tDate\tAbonnés\npontanezen\t09.12.2022\t1012\n"),
    ],
)
def test_csv_variants(engine, encoding, text):
    preview = _preview(engine, "coordination", "subscribers", "f.csv", text.encode(encoding))
    assert not preview.invalid, preview.table().to_string()
    (row,) = preview.rows
    assert (row.day, row.value, row.sector_name) == (date(2022, 12, 9), 1012, "Pontanézen")
    assert row.status == "changed"  # the demo has another figure for that day


def test_xlsx_with_french_headers_and_text_dates(engine):
    data = _xlsx(
        [
            ["secteur", "mois", "Nombre d'emménagements"],
            ["Keredern", "déc. 2022", 7.0],
            ["Kerourien", datetime(2022, 12, 1), "8"],
        ]
    )
    preview = _preview(engine, "coordination", "move_ins", "m.xlsx", data)
    assert not preview.invalid
    assert [r.day for r in preview.rows] == [date(2022, 12, 1)] * 2
    assert [r.value for r in preview.rows] == [7, 8]


def test_month_formats():
    for text in ("12/2022", "01/12/2022", "2022-12", "décembre 2022", "DEC 2022", "déc-22"):
        assert parse_month(text) == date(2022, 12, 1), text


def test_row_errors_are_listed_and_nothing_is_written(engine):
    text = (
        "Secteur;Date;Abonnés\n"
        "Pontanézen;20/11/2026;220\n"
        "Atlantide;20/11/2026;10\n"
        "Keredern;31/02/2026;10\n"
        "Keredern;20/11/2026;-4\n"
        "Kerourien;20/11/2026;beaucoup\n"
        "Pontanézen;20/11/2026;221\n"
        "Valy Hir;05/06/2001;10\n"
        "Valy Hir;05/06/2031;10\n"
        ";20/11/2026;3\n"
    )
    preview = _preview(engine, "operateur", "subscribers", "f.csv", text.encode())
    errors = {r.line: " ".join(r.errors) for r in preview.rows}
    assert errors[2] == ""
    assert "Secteur inconnu : « Atlantide »" in errors[3]
    assert "illisible" in errors[4]
    assert "négatif" in errors[5]
    assert "n'est pas un nombre" in errors[6]
    assert "Ligne en double" in errors[7] and "ligne 2" in errors[7]
    assert "trop ancienne" in errors[8]
    assert "futur" in errors[9]
    assert "Secteur manquant" in errors[10]
    table = preview.table()
    assert list(table.columns) == ["Ligne", "Secteur", "Date", "Abonnés", "État", "Erreurs", "À vérifier"]
    before, audit = _count(engine, SubscriberCount), _audit(engine)
    with pytest.raises(ValidationError) as exc:
        _apply(engine, "operateur", preview)
    assert "8 ligne(s)" in exc.value.errors["rows"]
    assert (_count(engine, SubscriberCount), _audit(engine)) == (before, audit)
    # Unless the user chooses to import only the valid rows.
    result = _apply(engine, "operateur", preview, only_valid=True)
    assert (result.created, result.skipped) == (1, 8)
    assert _subs(engine, "pontanezen", date(2026, 11, 20)) == 220


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("vide.csv", b"", "vide"),
        ("vide.csv", b"\n\n  \n", "vide"),
        ("entete.csv", "Secteur;Date;Abonnés\n".encode(), "ligne d'en-tête"),
        ("faux.csv", b"Nom;Adresse;Telephone\nDupont;1 rue;06\n", "Colonnes introuvables : Secteur, Date, Abonnés"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "pas un tableau"),
        ("doc.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n\x00\x01", "pas un tableau"),
        ("faux.xlsx", b"PK\x03\x04 not really a zip", "Excel est illisible"),
        ("vieux.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "Ancien format"),
        # Binary without a NUL byte up front: the csv module's own refusal is English.
        ("binaire.csv", b'Secteur;Date;Abonn\xc3\xa9s\n"' + b"\xff\xfe" * 100_000, "pas un tableau CSV lisible"),
    ],
)
def test_broken_files_get_one_clear_message(engine, name, data, message):
    with pytest.raises(ImportFileError) as exc:
        _preview(engine, "operateur", "subscribers", name, data)
    assert message in str(exc.value)
    assert not re.search(r"\b(field|limit|error|Error|line|expected)\b", str(exc.value)), str(exc.value)


def test_a_single_column_text_is_wrong_columns(engine):
    with pytest.raises(ImportFileError) as exc:
        _preview(engine, "operateur", "subscribers", "notes.txt", b"Bonjour,\nvoici les chiffres\n")
    assert "Colonnes introuvables" in str(exc.value)


def test_permissions_by_role(engine):
    assert allowed_kinds(actor_for(engine, "operateur")) == ["subscribers"]
    assert allowed_kinds(actor_for(engine, "bailleur")) == ["move_ins"]
    assert allowed_kinds(actor_for(engine, "coordination")) == ["subscribers", "move_ins"]
    assert allowed_kinds(actor_for(engine, "partenaire")) == []
    data = (SAMPLES / "abonnes_operateur.csv").read_bytes()
    with pytest.raises(PermissionDenied):
        _preview(engine, "bailleur", "subscribers", "a.csv", data)
    preview = _preview(engine, "operateur", "subscribers", "a.csv", data)
    with pytest.raises(PermissionDenied):
        _apply(engine, "partenaire", preview)


def test_changed_rows_are_updated_and_audited(engine):
    first = "Secteur;Date;Abonnés\nKeredern;20/11/2026;200\nKerourien;20/11/2026;100\n".encode()
    _apply(engine, "operateur", _preview(engine, "operateur", "subscribers", "a.csv", first))
    second = "Secteur;Date;Abonnés\nKeredern;20/11/2026;201\nKerourien;20/11/2026;100\n".encode()
    preview = _preview(engine, "operateur", "subscribers", "b.csv", second)
    assert [r.status for r in preview.rows] == ["changed", "unchanged"]
    audit = _audit(engine)
    result = _apply(engine, "operateur", preview)
    assert (result.updated, result.unchanged) == (1, 1)
    assert _audit(engine) == audit + 1
    assert _subs(engine, "keredern", date(2026, 11, 20)) == 201


def test_large_file_reports_progress(engine):
    lines = ["Secteur;Date;Abonnés"]
    for day in range(1, 29):
        for month in range(1, 13):
            for code in ("kerourien", "keredern", "valy-hir", "kerangoff"):
                lines.append(f"{code};{day:02d}/{month:02d}/2015;{day + month}")
    preview = _preview(engine, "operateur", "subscribers", "gros.csv", "\n".join(lines).encode())
    assert len(preview.rows) == 1344 and not preview.invalid
    assert preview.warned  # Kerangoff was not implemented in 2015: acknowledged below
    calls = []
    result = _apply(engine, "operateur", preview, warnings_acknowledged=True, progress=lambda f, msg: calls.append(f))
    assert result.created + result.updated + result.unchanged == 1344
    assert len(calls) == 3 and calls[-1] == 1.0 and calls == sorted(calls)


def _audit_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditLog)).scalar_one()


def _dwellings(engine, code: str, on: date) -> int:
    from ihs.models import SectorDwellings

    with engine.connect() as conn:
        return conn.execute(
            select(SectorDwellings.dwellings)
            .join(Sector, Sector.id == SectorDwellings.sector_id)
            .where(Sector.code == code, SectorDwellings.valid_from <= on)
            .order_by(SectorDwellings.valid_from.desc())
            .limit(1)
        ).scalar_one()


def test_more_subscribers_or_move_ins_than_dwellings_is_refused_and_nothing_written(engine):
    """Issue 17: 5,000 subscribers for a 480-dwelling sector made a 1,042 % uptake."""
    day = date(2026, 10, 30)
    n = _dwellings(engine, "pontanezen", day)
    text = f"Secteur;Date;Abonnés\nPontanézen;30/10/2026;{n + 1}\nPontanézen;29/10/2026;{n}\n"
    preview = _preview(engine, "operateur", "subscribers", "abonnes.csv", text.encode())
    over, at_most = preview.rows
    assert over.status == "error" and at_most.status != "error"
    assert f"{n + 1:,} abonnés pour {n:,} logements dans le secteur au 30/10/2026 : impossible".replace(
        ",", "\u202f"
    ) in " ".join(over.errors)
    before = _audit_count(engine)
    with pytest.raises(ValidationError):
        _apply(engine, "operateur", preview)
    assert _audit_count(engine) == before
    moves = f"Secteur;Mois;Emménagements\nPontanézen;10/2026;{n + 1}\n"
    preview = _preview(engine, "bailleur", "move_ins", "emm.csv", moves.encode())
    assert "emménagements en un mois" in " ".join(preview.rows[0].errors)


def _subs_before(engine, code: str, day: date) -> tuple[date, int]:
    with engine.connect() as conn:
        return conn.execute(
            select(SubscriberCount.as_of, SubscriberCount.subscribers)
            .join(Sector, Sector.id == SubscriberCount.sector_id)
            .where(Sector.code == code, SubscriberCount.as_of < day)
            .order_by(SubscriberCount.as_of.desc())
            .limit(1)
        ).one()


def test_unlikely_figures_ask_for_a_check_and_impossible_dates_are_refused(engine):
    """Issue 17: subscribers in a sector still in its information period, a count dated 2009-01-09
    and a jump since the last count were imported without a word."""
    day = date(2026, 11, 25)
    homes = _dwellings(engine, "pontanezen", day)
    last_day, last = _subs_before(engine, "pontanezen", day)
    limit = homes // 10  # `imports.subscriber_jump_warning_share`: 10 % of the dwellings
    text = (
        "Secteur;Date;Abonnés\n"
        f"Pontanézen;25/11/2026;{last + limit + 1}\n"  # one more than the limit: a check
        f"Pontanézen;26/11/2026;{last + limit + 1}\n"  # unchanged since the row above: nothing
        "Keranroux;25/11/2026;12\n"  # information period in the demo: no implementation yet
        "Kerourien;09/01/2009;40\n"  # before the programme's first stage (09/07/2009)
    )
    preview = _preview(engine, "operateur", "subscribers", "abonnes.csv", text.encode())
    jump, same, early_stage, too_early = preview.rows
    assert jump.warnings == [
        f"De {last} abonnés au {last_day:%d/%m/%Y} à {last + limit + 1} : un écart de plus de 10 % des "
        f"{fr_int(homes)} logements, vérifiez le chiffre."
    ]
    assert same.warnings == [] and same.errors == []
    assert early_stage.warnings == [
        "Abonnés dans un secteur dont la mise en œuvre n'a pas commencé : vérifiez le secteur."
    ]
    assert too_early.errors == [
        "Date trop ancienne (09/01/2009) : le programme commence le 09/07/2009 (première étape enregistrée)."
    ]
    assert preview.table()["À vérifier"].tolist()[:3] == [jump.warnings[0], "", early_stage.warnings[0]]
    # Within the limit, no check: the same jump less one.
    within = f"Secteur;Date;Abonnés\nPontanézen;25/11/2026;{last + limit}\n"
    assert not _preview(engine, "operateur", "subscribers", "ok.csv", within.encode()).warned
    # Nothing is written until the checks are acknowledged.
    good = _preview(engine, "operateur", "subscribers", "abonnes.csv", "\n".join(text.splitlines()[:4]).encode())
    assert len(good.warned) == 2 and not good.invalid
    before = _audit_count(engine)
    with pytest.raises(ValidationError) as refused:
        _apply(engine, "operateur", good)
    assert "2 ligne(s) à vérifier" in str(refused.value)
    assert _audit_count(engine) == before
    result = _apply(engine, "operateur", good, warnings_acknowledged=True)
    assert result.created == 3
    assert _subs(engine, "pontanezen", day) == last + limit + 1


def test_move_ins_above_five_percent_of_dwellings_in_a_month_ask_for_a_check(engine):
    homes = _dwellings(engine, "pontanezen", date(2026, 10, 1))
    limit = homes * 5 // 100
    text = f"Secteur;Mois;Emménagements\nPontanézen;09/2026;{limit}\nPontanézen;10/2026;{limit + 1}\n"
    ok, odd = _preview(engine, "bailleur", "move_ins", "emm.csv", text.encode()).rows
    assert ok.warnings == []
    assert odd.warnings == [
        f"{limit + 1} emménagements en un mois pour {fr_int(homes)} logements : plus de 5 % des logements, "
        "vérifiez le chiffre."
    ]
