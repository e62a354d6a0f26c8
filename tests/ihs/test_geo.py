"""Map data: sector shapes or circles, the context layers and their attribution, the map spec."""

import json
import math

from ihs import geo
from ihs.viz.map import sector_map
from tests.conftest import TODAY


def test_every_located_sector_is_on_the_map(engine):
    data = geo.sector_map_data(engine, TODAY)
    features = geo.sector_features(data)
    assert {f["code"] for f in features} == set(data["code"])
    shapes = {f["code"]: f["shape"] for f in features}
    assert shapes["valy-hir"] == "contour"  # a quartier de veille outline ships with the app
    assert shapes["kerourien"] == "cercle"
    kerourien = next(f for f in features if f["code"] == "kerourien")
    assert kerourien["dwellings"] == 596 and kerourien["stage_label"] == "Déployé"
    assert kerourien["uptake_band"] == "15 à 20 %"


def test_circle_is_closed_and_has_the_radius_asked():
    g = geo.circle_geometry(-4.5, 48.4, 500)
    ring = g["coordinates"][0]
    assert ring[0] == ring[-1]
    north = max(p[1] for p in ring)
    assert (north - 48.4) * 111_320 == __import__("pytest").approx(500, rel=0.01)
    assert geo.circle_radius_m(400) == 2 * geo.circle_radius_m(100)
    assert math.isclose(geo.circle_radius_m(None), 90)


def test_uptake_bands():
    assert geo.uptake_band(None) == "Pas encore couvert"
    assert geo.uptake_band(float("nan")) == "Pas encore couvert"
    assert geo.uptake_band(0.05) == "Moins de 10 %"
    assert geo.uptake_band(0.2) == "20 % et plus"


def test_context_layers_keep_their_attribution():
    assert len(geo.context_features(geo.VEILLE)) == 12
    assert "Licence Ouverte" in geo.attribution(geo.COMMUNE)
    assert "Brest metropole" in geo.attribution(geo.VEILLE)


def test_map_spec_colours_by_stage_or_uptake(engine):
    data = geo.sector_map_data(engine, TODAY)
    features = geo.sector_features(data)
    commune, veille = geo.context_features(geo.COMMUNE), geo.context_features(geo.VEILLE)
    by_stage = json.dumps(sector_map(features, commune, veille, "stage").to_dict())
    by_uptake = json.dumps(sector_map(features, commune, veille, "uptake").to_dict())
    assert '"field": "stage_label"' in by_stage and '"field": "uptake_band"' in by_uptake
    assert '"name": "s"' in by_stage  # the click selection
    assert "montaigne" in by_stage and "kerourien" in by_uptake


def test_a_bad_stored_shape_falls_back_to_the_point():
    assert geo._parse_geometry("not json") is None
    assert geo._parse_geometry('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}') == {
        "type": "Point",
        "coordinates": [1, 2],
    }


def test_national_scale_map_uses_points_sized_by_dwellings():
    import pandas as pd

    from ihs.geo import MAX_SHAPES, sector_features
    from ihs.viz.map import sector_map

    n = MAX_SHAPES + 1
    df = pd.DataFrame(
        {
            "code": [f"s{i}" for i in range(n)],
            "name": [f"Secteur {i}" for i in range(n)],
            "stage_label": ["Déployé"] * n,
            "dwellings": [100 + i for i in range(n)],
            "subscribers": [20] * n,
            "uptake": [0.2] * n,
            "lat": [48.4] * n,
            "lon": [-4.5 + i / 1000 for i in range(n)],
            "geometry": [None] * n,
        }
    )
    features = sector_features(df)
    assert len(features) == n and set(features["shape"]) == {"point"} and "geometry" not in features
    assert features.loc[0, "dwellings"] == 100 and features.loc[0, "uptake_band"] == "20 % et plus"
    spec = sector_map(features, [], []).to_dict()
    sectors = spec["layer"][-1]
    assert sectors["mark"]["type"] == "circle"
    assert sectors["encoding"]["size"]["field"] == "dwellings"
    assert spec["projection"]["fit"][0]["geometry"]["coordinates"] == [[-4.5, 48.4], [-4.5 + (n - 1) / 1000, 48.4]]
