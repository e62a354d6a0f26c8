"""Carte des secteurs: the offline map (sectors, both colour modes, numbered), the numbered list
beside it, the French table under it, the clicks."""

import json
import re
import unicodedata

from sqlalchemy import select

from ihs.models import Sector
from tests.apptest import chart_data, metric, open_page, texts

NNBSP = "\u202f"


def _specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def _sector_layer(spec: dict) -> dict:
    """The sectors' layer: the one coloured by stage or uptake."""
    [layer] = [lay for lay in spec["layer"] if "color" in lay.get("encoding", {})]
    return layer


def _french_order(names: list[str]) -> list[str]:
    def key(name: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn").lower()

    return sorted(names, key=key)


def _sector_names(engine) -> list[str]:
    """The programme's sectors, read from the database, in French alphabetical order."""
    with engine.connect() as conn:
        names = conn.execute(select(Sector.name).where(Sector.archived_on.is_(None))).scalars().all()
    return _french_order(list(names))


def _sectors(spec: dict) -> list[dict]:
    """The sectors the map draws (a named dataset of GeoJSON features, at this scale)."""
    return spec["datasets"][_sector_layer(spec)["data"]["name"]]


def test_map_shows_every_sector_coloured_by_stage_then_uptake(app_db):
    at = open_page("viewer", "carte")
    assert not at.exception
    [spec] = _specs(at)
    sectors = _sector_layer(spec)
    codes = {f["code"] for f in _sectors(spec)}
    assert {"kerourien", "montaigne", "keranroux", "le-bot", "valy-hir"} <= codes and len(codes) == 18
    assert sectors["encoding"]["color"]["field"] == "stage_label"
    params = {p["name"]: p for p in spec["params"]}
    assert params["s"]["select"]["fields"] == ["code"]  # the click selection
    [fit] = params["fit"]["value"]  # the map's extent: the box around the sectors and quartiers de veille
    (west, south), (east, north) = fit["geometry"]["coordinates"]
    assert west < -4.49 < east and south < 48.40 < north  # around Brest
    kerourien = next(f for f in _sectors(spec) if f["code"] == "kerourien")
    assert kerourien["dwellings"] == 596 and kerourien["stage_label"] == "Déployé"

    at.button_group(key="carte_couleur").set_value("uptake").run()
    [spec] = _specs(at)
    assert _sector_layer(spec)["encoding"]["color"]["field"] == "uptake_band"
    assert "Taux d'adhésion" in json.dumps(spec, ensure_ascii=False)


def test_every_sector_has_its_number_on_the_map_and_in_the_list_beside_it(app_db):
    names = _sector_names(app_db)
    expected = {number: name for number, name in enumerate(names, start=1)}
    at = open_page("viewer", "carte")
    assert not at.exception
    # The map: one numbered marker per sector (a number in a circle, then the number written on it).
    markers = chart_data(at.get("vega_lite_chart")[0])
    markers = markers.dropna(subset=["anchor_lon"]).drop_duplicates("number")
    assert dict(zip(markers["number"].astype(int), markers["name"], strict=True)) == expected
    [spec] = _specs(at)
    marks = [lay["mark"]["type"] for lay in spec["layer"]]
    assert marks[-2:] == ["circle", "text"] and spec["layer"][-1]["encoding"]["text"]["field"] == "number"
    # The list beside the map: « 1 Name », one line per sector, in the same order.
    lines = [m.value for m in at.markdown if m.value.startswith("**1**")]
    assert len(lines) == 1
    listed = [re.match(r"\*\*(\d+)\*\* (.*)", line).groups() for line in lines[0].split("  \n")]
    assert {int(n): name.replace("\\", "") for n, name in listed} == expected
    # The table under the map carries the same numbers.
    table = at.dataframe[0].value
    assert dict(zip(table["N°"], table["Secteur"], strict=True)) == expected


def test_the_table_is_in_french_words_and_figures(app_db):
    at = open_page("viewer", "carte")
    table = at.dataframe[0].value
    assert list(table.columns) == ["N°", "Secteur", "Étape", "Logements", "Abonnés", "Adhésion"]
    assert len(table) == 18
    cells = [str(v) for v in table.to_numpy().ravel()]
    assert not [c for c in cells if c in ("None", "nan", "NaN", "<NA>", "")]
    # No raw number: every count of 1,000 or more has its narrow no-break space.
    for column in ("Logements", "Abonnés"):
        for cell in table[column]:
            assert re.fullmatch(rf"\d{{1,3}}({NNBSP}\d{{3}})*|–", cell), (column, cell)
    assert all(re.fullmatch(r"\d+\u00a0%|–", cell) for cell in table["Adhésion"])
    kerourien = table[table["Secteur"] == "Kerourien"].iloc[0]
    assert kerourien["Logements"] == "596" and kerourien["Étape"] == "Déployé"
    biggest = table.loc[table["Logements"].str.len().idxmax()]
    assert NNBSP in biggest["Logements"]  # the demo's largest sector: over a thousand dwellings


def test_sources_in_french_and_the_commune_named_from_its_outline(app_db):
    at = open_page("viewer", "carte")
    page = texts(at)
    assert "Sources des fonds de carte" in page and "Licence Ouverte" in page and "Brest métropole" in page
    assert not re.search(r"@|\b[0-9a-f]{12,40}\b|github", page)
    assert "en gris clair : la commune de Brest" in page
    assert any(h.value == "Tous les secteurs" for h in at.header)  # h2 under the page's h1
    [chart] = at.get("vega_lite_chart")
    assert "la commune de Brest" in chart.proto.alt and "numérotés" in chart.proto.alt


def test_another_city_sees_its_own_commune(app_db, monkeypatch):
    monkeypatch.setattr(
        "ihs.geo.context_features",
        lambda name: [{"type": "Feature", "geometry": None, "properties": {}, "label": "Angers"}],
    )
    at = open_page("viewer", "carte")
    assert "la commune d'Angers" in texts(at) and "Brest" not in at.get("vega_lite_chart")[0].proto.alt


def test_picking_a_row_of_the_list_opens_its_sector(app_db):
    at = open_page("viewer", "carte")
    row = list(at.dataframe[0].value["Secteur"]).index("Kerourien")
    at.session_state["carte_liste"] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert metric(at, "Logements") == "596"


def test_clicking_a_sector_opens_its_page(app_db):
    at = open_page("viewer", "carte")
    at.session_state["carte"] = {"selection": {"s": [{"code": "kerourien"}]}}
    at.run()
    assert not at.exception
    assert metric(at, "Logements") == "596"


def test_the_table_downloads_as_a_csv_french_excel_opens(app_db, monkeypatch):
    """The map's « Tableau (CSV) »: the table's French headers, `;`, UTF-8 with BOM, real numbers
    with a decimal comma (not « 1 010 » nor « 17 % »), as French Excel opens it."""
    from ihs.ui import widgets

    made: dict[str, bytes] = {}
    monkeypatch.setattr(widgets, "download_row", lambda *buttons: made.update({b.file_name: b.data() for b in buttons}))
    open_page("viewer", "carte")
    raw = made["carte.csv"]
    assert raw.startswith("\ufeff".encode())
    rows = [line.split(";") for line in raw.decode("utf-8-sig").split("\r\n") if line]
    assert rows[0] == ["N°", "Secteur", "Étape", "Logements", "Abonnés", "Adhésion (%)"]
    names = _sector_names(app_db)
    assert [r[1] for r in rows[1:]] == names
    kerourien = next(r for r in rows[1:] if r[1] == "Kerourien")
    assert kerourien[0] == str(names.index("Kerourien") + 1)
    assert kerourien[2:4] == ["Déployé", "596"]
    share = round(int(kerourien[4]) / 596 * 100, 1)
    assert kerourien[5] == f"{share:.10g}".replace(".", ",")
