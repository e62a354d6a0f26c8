"""Map data: sector shapes or circles, the context layers and their attribution, the map spec."""

import json
import math
import re

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


def test_context_layers_keep_their_attribution_in_french_without_commit_hashes():
    assert len(geo.context_features(geo.VEILLE)) == 12
    commune, veille = geo.attribution(geo.COMMUNE), geo.attribution(geo.VEILLE)
    assert "IGN" in commune and "Licence Ouverte" in commune
    assert "Brest métropole" in veille and "données ouvertes" in veille
    for credit in (commune, veille):
        assert "@" not in credit and not re.search(r"\b[0-9a-f]{12,40}\b", credit), credit
        assert ".js" not in credit and ".geojson" not in credit
    # The shipped files still say exactly where they come from, for a maintainer.
    assert "5d34ee6d" in json.loads((geo.GEO_DIR / geo.COMMUNE).read_text(encoding="utf-8"))["metadata"]["source"]


def test_the_commune_is_named_from_its_outline():
    assert geo.commune_name() == "Brest"
    assert geo.commune_phrase() == "la commune de Brest"


def test_sectors_are_numbered_in_french_alphabetical_order(engine):
    data = geo.sector_map_data(engine, TODAY)
    names = list(data["name"])
    by_hand = sorted(names, key=lambda n: n.lower().replace("é", "e").replace("è", "e"))
    assert names == by_hand
    assert list(data["number"]) == list(range(1, len(data) + 1))
    features = geo.sector_features(data)
    assert {f["name"]: f["number"] for f in features} == dict(zip(data["name"], data["number"], strict=True))
    assert geo.sort_key("Élorn") < geo.sort_key("Fort") and geo.sort_key("Eaux") < geo.sort_key("Élorn")


def test_a_centroid_lies_in_the_middle_of_the_largest_polygon():
    square = [[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]
    tiny = [[10, 10], [10.1, 10], [10.1, 10.1], [10, 10]]
    assert geo.centroid({"type": "Polygon", "coordinates": [square]}) == (1.0, 1.0)
    assert geo.centroid({"type": "MultiPolygon", "coordinates": [[tiny], [square]]}) == (1.0, 1.0)
    assert geo.centroid({"type": "Point", "coordinates": [3, 4]}) == (3.0, 4.0)
    assert geo.centroid({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}) is None


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


def test_numbers_never_cover_each_other_nor_a_sector_smaller_than_them(engine):
    from ihs.viz.map import sector_map_spec

    data = geo.sector_map_data(engine, TODAY)
    spec = sector_map_spec(geo.sector_features(data), "stage")
    markers, (_, _, diameter) = spec.data["markers"], spec.values["marker_size"]
    assert list(markers["number"]) == list(data["number"])

    def mercator(lon, lat):
        return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    points = [mercator(lon, lat) for lon, lat in zip(markers["lon"], markers["lat"], strict=True)]
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1 :])
    assert closest >= diameter * 0.99
    # Keranroux's outline is smaller than a number: its number sits beside it, a line back to it.
    keranroux = markers[markers["name"] == "Keranroux"].iloc[0]
    assert keranroux["moved"] and (keranroux["lon"], keranroux["lat"]) != (
        keranroux["anchor_lon"],
        keranroux["anchor_lat"],
    )
    # The whole map is in the frame: every marker inside the extent the map is fitted to.
    (west, south), (east, north) = spec.values["fit"][0]["geometry"]["coordinates"]
    assert markers["lon"].between(west, east).all() and markers["lat"].between(south, north).all()
