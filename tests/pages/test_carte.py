"""Carte des secteurs: the offline map (sectors, both colour modes), the list of sectors, the clicks."""

import json

from tests.apptest import metric, open_page, texts


def _specs(at) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def _sector_layer(spec: dict) -> dict:
    return spec["layer"][-1]


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


def test_attribution_and_list_of_every_sector(app_db):
    at = open_page("viewer", "carte")
    page = texts(at)
    assert "Licence Ouverte" in page and "Brest metropole" in page
    [listing] = at.dataframe
    shown = listing.value
    assert len(shown) == 18 and list(shown.columns) == ["Secteur", "Étape", "Logements", "Abonnés", "Adhésion"]
    kerourien = shown[shown["Secteur"] == "Kerourien"].iloc[0]
    assert kerourien["Logements"] == 596 and kerourien["Étape"] == "Déployé"


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
