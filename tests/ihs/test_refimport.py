"""Reference-data imports: sectors with outlines from GeoJSON, sectors with dwellings from CSV/XLSX.
A corpus of bad files and rows, each answered in French with nothing written; the sample files
import, re-import without duplicates, and only the coordination may import."""

import io
import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from ihs.cli import main
from ihs.db import session_scope
from ihs.imports import ImportFileError
from ihs.models import Sector, SectorDwellings
from ihs.reference import SectorInput, add_dwellings, save_sector
from ihs.refimport import import_sectors
from ihs.settings import ROOT
from ihs.users import SYSTEM, Actor, PermissionDenied

SAMPLES = ROOT / "data" / "samples"
RING = [[-4.50, 48.40], [-4.49, 48.40], [-4.49, 48.41], [-4.50, 48.41], [-4.50, 48.40]]
POLY = {"type": "Polygon", "coordinates": [RING]}
HEADER = "Secteur;Code;Type;Logements;Date;Latitude;Longitude\n"


def _fc(*features, **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode()


def _f(props=None, geometry=POLY) -> dict:
    return {
        "type": "Feature",
        "properties": {"code": "qp1", "nom": "Secteur 1"} if props is None else props,
        "geometry": geometry,
    }


def _csv(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# (file name, content, French message expected in the file error or in a row's verdict)
BAD = [
    ("a.geojson", b"", "Le fichier est vide."),
    ("a.geojson", b"{pas du json", "pas du JSON valide"),
    ("a.geojson", b'{"type": "Feature"}', "FeatureCollection"),
    ("a.geojson", b"[1, 2]", "FeatureCollection"),
    ("a.geojson", _fc(), "aucune entité"),
    ("a.geojson", _fc(_f(), crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}}), "WGS 84"),
    ("a.geojson", _fc(_f(), crs={"type": "name", "properties": {"name": "EPSG:3857"}}), "Projection"),
    ("a.geojson", _fc(_f(geometry={"type": "Point", "coordinates": [-4.5, 48.4]})), "reçu un point"),
    ("a.geojson", _fc(_f(geometry={"type": "LineString", "coordinates": RING})), "reçu une ligne"),
    ("a.geojson", _fc(_f(geometry=None)), "Contour absent"),
    ("a.geojson", _fc(_f(geometry={"type": "Polygon", "coordinates": [RING[:3]]})), "moins de 4 points"),
    ("a.geojson", _fc(_f(geometry={"type": "Polygon", "coordinates": [RING[:4]]})), "pas fermé"),
    ("a.geojson", _fc(_f(geometry={"type": "Polygon", "coordinates": []})), "aucun anneau"),
    (
        "a.geojson",
        _fc(
            _f(
                geometry={
                    "type": "Polygon",
                    "coordinates": [[[145000, 6840000], [146000, 6840000], [146000, 6841000], [145000, 6840000]]],
                }
            )
        ),
        "Lambert 93",
    ),
    (
        "a.geojson",
        _fc(_f(geometry={"type": "Polygon", "coordinates": [[["x", 48.4], *RING[1:4], ["x", 48.4]]]})),
        "pas un nombre",
    ),
    ("a.geojson", _fc(_f(geometry={"type": "MultiPolygon", "coordinates": [[RING[:4]]]})), "pas fermé"),
    ("a.geojson", _fc(_f(props={"code": "qp1"})), "Propriété du nom absente"),
    ("a.geojson", _fc(_f(props={"nom": "Sans code"})), "Propriété du code absente"),
    ("a.geojson", _fc(_f(props={"code": "qp 1 !", "nom": "X"})), "refusé"),
    ("a.geojson", _fc(_f(props={"code": "qp1", "nom": "X", "type": "ZUS"})), "Type « ZUS » inconnu"),
    ("a.geojson", _fc(_f(), _f(props={"code": "QP1", "nom": "Doublon"})), "en double"),
    ("a.geojson", _fc(_f(props={"code": "qp1", "nom": "x" * 300})), "Texte trop long"),
    (
        "a.geojson",
        _fc(
            _f(props={"code": "existant", "nom": "Autre"}),
            _f(props={"code": "qp2", "nom": "Bon"}, geometry={"type": "Point", "coordinates": [0, 0]}),
        ),
        "reçu un point",
    ),
    ("gros.geojson", b"{" + b" " * (21 * 1024 * 1024) + b"}", "Fichier trop gros"),
    ("a.csv", b"Nom;Type\nX;QPV\n", "Colonne(s) manquante(s) : Code"),
    ("a.csv", HEADER.encode(), "que la ligne d'en-tête"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;-12;01/01/2026;;"), "au moins un logement"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;0;01/01/2026;;"), "au moins un logement"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;12,5;01/01/2026;;"), "nombre entier"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;douze;01/01/2026;;"), "n'est pas un nombre"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;;;"), "Date des logements manquante"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;;01/01/2026;;"), "obligatoire"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;31/02/2026;;"), "n'existe pas"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;hier;;"), "Date illisible"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;01/01/1990;;"), "trop ancienne"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;01/01/2099;;"), "futur"),
    ("a.csv", _csv("Le Bourg;le-bourg;Cité;120;01/01/2026;;"), "Type « Cité » inconnu"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;01/01/2026;148,4;-4,5"), "Latitude hors limites"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;01/01/2026;48,4;-400"), "Longitude hors limites"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;01/01/2026;48,4;"), "ensemble"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;01/01/2026;nord;-4,5"), "n'est pas une latitude"),
    ("a.csv", _csv("Le Bourg;le-bourg;QPV;120;01/01/2026;;", "Bis;Le-Bourg;QPV;90;01/01/2026;;"), "en double"),
    ("a.csv", _csv(";le-bourg;QPV;120;01/01/2026;;"), "obligatoire"),
    ("a.csv", _csv("Le Bourg;;QPV;120;01/01/2026;;"), "obligatoire"),
    ("a.csv", _csv("Le Bourg;le bourg é;QPV;120;01/01/2026;;"), "refusé"),
    ("a.csv", _csv("Existant;existant;QPV;150;01/01/2026;;"), "déjà 100 logements au 01/01/2026"),
    (
        "a.xlsx",
        _xlsx([["Secteur", "Code", "Logements", "Date"], ["Le Bourg", "le-bourg", -5, "01/01/2026"]]),
        "au moins un logement",
    ),
    ("a.xlsx", _xlsx([["Secteur", "Logements"], ["Le Bourg", 5]]), "Code"),
    ("a.xlsx", b"PK\x03\x04 pas un vrai classeur", "illisible"),
    ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Ancien format Excel"),
]


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(m)).scalar_one() for m in (Sector, SectorDwellings))


@pytest.fixture
def base(empty_engine):
    with session_scope("coordination", engine=empty_engine) as s:
        sector = save_sector(s, SYSTEM, SectorInput(code="existant", name="Existant", lat="48,4", lon="-4,5"))
        add_dwellings(s, SYSTEM, sector.id, valid_from="01/01/2026", dwellings="100", source="bailleur")
    return empty_engine


def test_the_corpus_has_at_least_40_bad_inputs():
    assert len(BAD) >= 40


@pytest.mark.parametrize(("name", "content", "message"), BAD, ids=[f"{i:02d}-{b[2][:25]}" for i, b in enumerate(BAD)])
def test_bad_reference_data_is_refused_in_french_and_nothing_written(base, name, content, message):
    before = _counts(base)
    try:
        with session_scope("coordination", engine=base) as s:
            rows, written = import_sectors(s, SYSTEM, name, content)
    except ImportFileError as exc:
        # Either outcome is a refusal: the whole file (here) or its rows (below).
        assert message in str(exc)  # noqa: PT017
    else:
        verdicts = " | ".join(e for r in rows for e in r.errors)
        assert message in verdicts, verdicts
        assert written == 0
    assert _counts(base) == before


def test_sample_files_import_then_reimport_without_duplicates(base):
    geo, table = (SAMPLES / "secteurs.geojson").read_bytes(), (SAMPLES / "secteurs.csv").read_bytes()
    with session_scope("coordination", engine=base) as s:
        rows, written = import_sectors(s, SYSTEM, "secteurs.geojson", geo)
    assert written == 3 and [r.action for r in rows] == ["création"] * 3
    with session_scope("coordination", engine=base) as s:
        rows, written = import_sectors(s, SYSTEM, "secteurs.csv", table)
    assert written == 3 and [r.action for r in rows] == ["mise à jour"] * 3
    assert _counts(base) == (4, 4)
    with base.connect() as conn:
        port = conn.execute(select(Sector).where(Sector.code == "le-port")).one()
        dw = conn.execute(select(SectorDwellings.dwellings).where(SectorDwellings.sector_id == port.id)).scalar_one()
    assert (port.name, port.kind, dw) == ("Le Port", "veille", 180)
    assert json.loads(port.geojson)["type"] == "Polygon" and port.lat == pytest.approx(48.3814, abs=1e-4)
    # Again: nothing new (same codes, same dwellings at the same dates).
    for name, data in (("secteurs.geojson", geo), ("secteurs.csv", table)):
        with session_scope("coordination", engine=base) as s:
            import_sectors(s, SYSTEM, name, data)
    assert _counts(base) == (4, 4)


def test_chosen_properties_and_only_valid_rows(base):
    data = _fc(
        _f(props={"code_qp": "QN02901M", "nom_qp": "Quartier A"}),
        _f(props={"code_qp": "QN02902M", "nom_qp": "Quartier B"}, geometry={"type": "Point", "coordinates": [0, 0]}),
    )
    with session_scope("coordination", engine=base) as s:
        rows, written = import_sectors(s, SYSTEM, "qpv.geojson", data, name_property="nom_qp", code_property="code_qp")
    assert written == 0 and [r.action for r in rows] == ["création", "erreur"]
    with session_scope("coordination", engine=base) as s:
        rows, written = import_sectors(
            s, SYSTEM, "qpv.geojson", data, name_property="nom_qp", code_property="code_qp", only_valid=True
        )
    assert written == 1
    with base.connect() as conn:
        row = conn.execute(select(Sector.code, Sector.qpv_code).where(Sector.name == "Quartier A")).one()
    assert tuple(row) == ("qn02901m", "QN02901M")


@pytest.mark.parametrize("role", ["landlord", "operator", "partner", "viewer"])
def test_only_the_coordination_imports(base, role):
    before = _counts(base)
    with pytest.raises(PermissionDenied), session_scope(role, engine=base) as s:
        import_sectors(s, Actor(role, role), "secteurs.geojson", (SAMPLES / "secteurs.geojson").read_bytes())
    assert _counts(base) == before


def test_cli_import_dry_run_and_list(base, capsys, tmp_path):
    url = base.url.render_as_string(hide_password=False)
    sample = str(SAMPLES / "secteurs.geojson")
    assert main(["--url", url, "sectors", "import", sample, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "ligne 1\tcentre-ville\tCentre-ville\tcréation\tcorrect" in out and "rien n'a été écrit" in out
    assert _counts(base) == (1, 1)
    bad = tmp_path / "mauvais.csv"
    bad.write_bytes(_csv("Le Bourg;le-bourg;QPV;0;01/01/2026;;"))
    assert main(["--url", url, "sectors", "import", str(bad)]) == 1
    assert "rien n'a été écrit" in capsys.readouterr().out
    assert main(["--url", url, "sectors", "import", sample]) == 0
    assert main(["--url", url, "sectors", "list"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()[-4:]
    assert lines[0].startswith("centre-ville\tCentre-ville\tQPV\tlogements à saisir\taucune offre")
    assert any(line.startswith("existant\tExistant\tQPV\t100 logements") for line in lines)
    assert Path(sample).exists()


def test_a_subscriber_file_before_any_sector_says_sectors_come_first(empty_engine):
    from ihs.imports import check_rows
    from tests.conftest import TODAY

    with pytest.raises(ImportFileError) as info, session_scope("coordination", engine=empty_engine) as s:
        check_rows(s, SYSTEM, "subscribers", "a.csv", "Secteur;Date;Abonnés\nCentre;01/11/2026;12\n".encode(), TODAY)
    assert "Aucun secteur n'existe encore" in str(info.value) and "Administration › Secteurs" in str(info.value)
