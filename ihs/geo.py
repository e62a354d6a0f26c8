"""Geodata for the offline map: shipped context layers (with attribution) and sector shapes."""

from __future__ import annotations

import itertools
import json
import math
import re
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from ihs.formats import fr_of, unaccented
from ihs.models import Sector
from ihs.queries.sectors import NOT_STARTED, STAGE_LABELS, in_programme, sector_status
from ihs.settings import DATA_DIR

GEO_DIR = DATA_DIR / "geo"
COMMUNE = "brest_commune.geojson"
VEILLE = "brest_quartiers_veille.geojson"
# Uptake bands of the map (label -> colour, light to dark: Okabe-Ito-compatible sequential blues).
UPTAKE_BANDS = {
    "Pas encore couvert": "#BBBBBB",
    "Moins de 10 %": "#C6DBEF",
    "10 à 15 %": "#6BAED6",
    "15 à 20 %": "#2171B5",
    "20 % et plus": "#08306B",
}


def uptake_band(uptake) -> str:
    """The map's uptake band of a share (None or NaN: not covered yet)."""
    if uptake is None or pd.isna(uptake):
        return "Pas encore couvert"
    if uptake < 0.10:
        return "Moins de 10 %"
    if uptake < 0.15:
        return "10 à 15 %"
    if uptake < 0.20:
        return "15 à 20 %"
    return "20 % et plus"


def uptake_bands(uptake: np.ndarray) -> np.ndarray:
    """`uptake_band` of every share at once (the national map has 1,600)."""
    labels = np.array(list(UPTAKE_BANDS)[1:], dtype=object)
    bands = labels[np.searchsorted(np.array([0.10, 0.15, 0.20]), np.nan_to_num(uptake), side="right")]
    return np.where(np.isnan(uptake), "Pas encore couvert", bands).astype(object)


@lru_cache(maxsize=8)
def _load(name: str) -> dict:
    return json.loads((GEO_DIR / name).read_text(encoding="utf-8"))


def context_features(name: str) -> list[dict]:
    """The features of a shipped GeoJSON file, each with a top-level `label` for tooltips."""
    out = []
    for f in _load(name)["features"]:
        props = f.get("properties") or {}
        label = props.get("nom_qveille") or props.get("nom") or props.get("name") or ""
        out.append({"type": "Feature", "geometry": f["geometry"], "properties": {}, "label": label})
    return out


# The shipped files' credits in French, as a reader needs them (who made the data, under which
# licence); their `metadata` keeps the exact provenance (repository, commit, path) for maintainers.
CREDITS = {
    COMMUNE: "IGN, Admin Express COG 2018 (Licence Ouverte), via le projet france-geojson",
    VEILLE: "Brest métropole, données ouvertes « Limites administratives – Quartiers de veille » "
    "(data.gouv.fr, Licence Ouverte 2.0)",
}
# What a reader of the map does not need: a commit hash and the file's path in its repository.
_COMMIT = re.compile(r"\s*@\s*[0-9a-f]{7,40}\b(\s+\S+/\S+)?")


def attribution(name: str) -> str:
    """Who made a shipped file and under which licence, in French (shown under the map); a file
    without a French credit gets its `metadata` without commit hash or path."""
    if name in CREDITS:
        return CREDITS[name]
    meta = _load(name).get("metadata") or {}
    parts = [meta.get("upstream"), _COMMIT.sub("", meta.get("source") or "")]
    return " ; ".join(p for p in parts if p)


def commune_name() -> str:
    """The name of the commune whose outline the map draws (the shipped outline's own `nom`):
    another city ships its own outline and reads its own name."""
    return " – ".join(dict.fromkeys(f["label"] for f in context_features(COMMUNE) if f["label"]))


def commune_phrase() -> str:
    """« la commune de Brest » (« d'Angers »), or « la commune » when the outline has no name."""
    name = commune_name()
    if not name:
        return "la commune"
    return f"la commune {fr_of(name)}"


def sort_key(name) -> str:
    """A sector name as French alphabetical order compares it (« Élorn » between « Eaux » and « Fort »)."""
    return unaccented(name)


def sector_map_data(db: Engine, as_of: date) -> pd.DataFrame:
    """Sectors of the programme on `as_of` with their stage, figures and shape, in French
    alphabetical order.

    Columns: number (1, 2… in that order: the number the map, its list and its table show),
    code, name, stage, stage_label, dwellings, subscribers, uptake, lat, lon, geometry (parsed
    GeoJSON geometry or None), geo_source.
    """
    status = sector_status(db, as_of)
    with db.connect() as conn:
        shapes = pd.read_sql(
            select(Sector.code, Sector.name, Sector.lat, Sector.lon, Sector.geojson, Sector.geo_source).where(
                in_programme(as_of)
            ),
            conn,
        )
    # Every sector of the programme, a deployment started or not (a city's first sectors appear
    # on the map as soon as they are entered).
    df = shapes.merge(status.drop(columns=["name", "lat", "lon"]), on="code", how="left")
    df = df.sort_values("name", key=lambda names: names.map(sort_key), kind="stable").reset_index(drop=True)
    df["number"] = range(1, len(df) + 1)
    df["stage_label"] = df["stage"].map(STAGE_LABELS).fillna(NOT_STARTED)
    df["geometry"] = df["geojson"].map(_parse_geometry)
    cols = ["number", "code", "name", "stage", "stage_label", "dwellings", "subscribers", "uptake", "lat", "lon"]
    cols.append("geometry")
    return df[[*cols, "geo_source"]]


def _parse_geometry(text) -> dict | None:
    """A stored GeoJSON geometry (or Feature) as a geometry dict; None when missing or unreadable."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or "coordinates" not in data:
        return None
    return data


def centroid(geometry: dict) -> tuple[float, float] | None:
    """(lon, lat) of the centre of a geometry's largest polygon (area-weighted), where the map writes
    the sector's number; a point is its own centre; None for anything else or empty."""
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point" and coords:
        return float(coords[0]), float(coords[1])
    if kind == "Polygon" and coords:
        rings = [coords[0]]  # the outer ring
    elif kind == "MultiPolygon":
        rings = [polygon[0] for polygon in coords or [] if polygon]
    else:
        rings = []
    best = None
    for ring in rings:
        area = cx = cy = 0.0
        for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if area and (best is None or abs(area) > best[0]):
            best = (abs(area), cx / (3 * area), cy / (3 * area))
    if best is None:  # a degenerate ring: the mean of its points
        points = [p for ring in rings for p in ring]
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)) if points else None
    return best[1], best[2]


def circle_geometry(lon: float, lat: float, radius_m: float, vertices: int = 40) -> dict:
    """A circle around a centre as a GeoJSON polygon (clockwise, as d3's spherical rendering expects)."""
    dlat = radius_m / 111_320
    dlon = dlat / math.cos(math.radians(lat))
    ring = [
        [
            round(lon + dlon * math.sin(2 * math.pi * k / vertices), 6),
            round(lat + dlat * math.cos(2 * math.pi * k / vertices), 6),
        ]
        for k in range(vertices)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def circle_radius_m(dwellings) -> float:
    """Circle area proportional to dwellings: 100 dwellings -> 90 m radius (a sector without count: 100)."""
    n = 100 if dwellings is None or pd.isna(dwellings) else max(float(dwellings), 20)
    return 90 * math.sqrt(n / 100)


MAX_SHAPES = 150  # above this many sectors, the map shows points instead of shapes


def sector_features(df: pd.DataFrame) -> list[dict] | pd.DataFrame:
    """Every located sector as a GeoJSON feature whose figures sit at the top level (for Altair).

    Sectors with a known outline keep it (`shape` "contour"); the others get a circle at their
    centre point, sized by dwellings (`shape` "cercle"). Above `MAX_SHAPES` sectors: a data frame
    of points instead (lon, lat, `shape` "point" and the same figures), one row per located sector.
    """
    out = []
    if len(df) > MAX_SHAPES:
        # National scale: outlines would be too small to see and make a megabyte chart that takes
        # seconds to validate; one point per sector, sized by dwellings, is what the eye can read.
        located = df[df["lat"].notna() & df["lon"].notna()]
        uptake = located["uptake"].to_numpy(float, na_value=np.nan)
        return pd.DataFrame(
            {
                "lon": located["lon"].to_numpy(float),
                "lat": located["lat"].to_numpy(float),
                "shape": "point",
                "number": located["number"].array if "number" in located else np.arange(1, len(located) + 1),
                "code": located["code"].array,
                "name": located["name"].array,
                "stage_label": located["stage_label"].array,
                **{k: located[k].to_numpy(float, na_value=np.nan) for k in ("dwellings", "subscribers")},
                "uptake": uptake,
                "uptake_band": uptake_bands(uptake),
            }
        )
    vertices = 40
    for row in df.itertuples(index=False):
        if row.geometry is not None:
            geometry, shape = row.geometry, "contour"
        elif not (pd.isna(row.lat) or pd.isna(row.lon)):
            geometry, shape = circle_geometry(row.lon, row.lat, circle_radius_m(row.dwellings), vertices), "cercle"
        else:
            continue
        out.append({"type": "Feature", "geometry": geometry, "properties": {}, "shape": shape, **_fields(row)})
    return out


def _fields(row) -> dict:
    def num(v):
        return None if v is None or pd.isna(v) else float(v)

    return {
        "number": int(getattr(row, "number", 0)),
        "code": row.code,
        "name": row.name,
        "stage_label": row.stage_label,
        "dwellings": num(row.dwellings),
        "subscribers": num(row.subscribers),
        "uptake": num(row.uptake),
        "uptake_band": uptake_band(row.uptake),
    }
