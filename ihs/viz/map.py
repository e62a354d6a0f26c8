"""The offline sector map: context outlines, sectors as shapes or circles, coloured by stage or uptake,
each numbered (a number in a circle, listed beside the map) so it can be named from across a room."""

from __future__ import annotations

import json
import math
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from ihs import geo
from ihs.charts import STAGE_COLOURS, Spec, source
from ihs.formats import fr_int, fr_pct, md_text
from ihs.geo import UPTAKE_BANDS

SELECTION = "s"
MISSING = "#BBBBBB"


def _stages_shown(sectors: list[dict] | pd.DataFrame) -> tuple[str, ...]:
    """The stages the sectors are at, in the legend's order: the legend lists those only (a scheme
    without a ballot shows no « Scrutin »)."""
    if isinstance(sectors, pd.DataFrame):
        present = set(sectors["stage_label"]) if "stage_label" in sectors else set()
    else:
        present = {f.get("stage_label") for f in sectors}
    return tuple(label for label in STAGE_COLOURS if label in present)


def _colour(colour_by: str, shown: tuple[str, ...] = (), corner: str = "top-left"):
    if colour_by == "uptake":
        # Bands in words (not a gradient): readable from afar, and "not covered" is not 0 %.
        scale = alt.Scale(domain=list(UPTAKE_BANDS), range=list(UPTAKE_BANDS.values()))
        return alt.Color("uptake_band:N", scale=scale, legend=_legend("Taux d'adhésion", corner))
    domain = list(shown or STAGE_COLOURS)
    scale = alt.Scale(domain=domain, range=[STAGE_COLOURS[label] for label in domain])
    return alt.Color("stage_label:N", scale=scale, legend=_legend("Étape", corner))


LEGEND_FONT = "(width < 500 ? 14 : clamp(width / 45, 18, 26))"


def _legend(title: str, corner: str) -> alt.Legend:
    # Inside the map's frame, in its emptiest corner (`_legend_corner`), on a white card: a legend
    # beside the map left it a third of a phone's width, and one above it moved the plot after the
    # map was fitted (cut at the edges).
    return alt.Legend(
        title=title,
        symbolType="square",
        orient=corner,
        fillColor="#FFFFFFE6",
        strokeColor="#9A9A9A",
        padding=6,
        cornerRadius=4,
        # On a phone the map leaves a band above it: two entries a row, smaller type, to fit there.
        columns=alt.ExprRef(expr="width < 500 ? 2 : 1"),
        # 18 px at 1280×720, larger on a larger screen (a slide at 1920×1080: 25 px).
        labelFontSize=alt.ExprRef(expr=LEGEND_FONT),
        titleFontSize=alt.ExprRef(expr=LEGEND_FONT),
        symbolSize=alt.ExprRef(expr=f"pow({LEGEND_FONT}, 2) * 0.5"),
        rowPadding=0,
    )


TOOLTIP = [
    alt.Tooltip("number:Q", title="N°"),
    alt.Tooltip("name:N", title="Secteur"),
    alt.Tooltip("stage_label:N", title="Étape"),
    alt.Tooltip("dwellings:Q", title="Logements", format=",d"),
    alt.Tooltip("subscribers:Q", title="Abonnés", format=",d"),
    alt.Tooltip("uptake:Q", title="Taux d'adhésion", format=".0%"),
    alt.Tooltip("shape:N", title="Forme"),
]


def sector_map(
    sectors: list[dict] | pd.DataFrame,
    commune: list[dict],
    veille: list[dict],
    colour_by: str = "stage",
    *,
    selectable: bool = True,
    numbered: bool = False,
) -> alt.LayerChart:
    """Commune and quartiers de veille in grey, sectors on top (from `ihs.geo.sector_features`).

    `colour_by` is "stage" or "uptake". With `selectable`, a click selects the sector's `code`
    in the point selection named "s". Sectors are one layer: Vega-Lite cannot share a point
    selection between two layers, which is why circles are drawn as polygons too. With
    `numbered`, each sector's number in a circle (`sector_markers`; outlines and circles only:
    a national map of points has too many).
    """
    kind, fit = _kind(sectors), _bounding_box(sectors, veille)
    markers, size = _numbers(sectors, kind, fit) if numbered else (None, None)
    shown = _stages_shown(sectors)
    corner = _legend_corner(sectors, markers, fit, colour_by, shown, size)
    return _draw(
        commune,
        veille,
        colour_by,
        selectable,
        kind,
        shown,
        sectors=sectors,
        fit=fit,
        markers=markers,
        marker_size=size,
        corner=corner,
    )


def sector_map_spec(sectors: list[dict] | pd.DataFrame, colour_by: str = "stage", *, selectable: bool = True) -> Spec:
    """`sector_map` on the commune and its quartiers de veille, numbered, as the map page and the
    slide draw it (clickable with `selectable`)."""
    kind = _kind(sectors)
    fit = _bounding_box(sectors, [], _veille_corners())
    markers, size = _numbers(sectors, kind, fit)
    shown = _stages_shown(sectors)
    corner = _legend_corner(sectors, markers, fit, colour_by, shown, size)
    shape = (colour_by, kind, shown, selectable, markers is not None, corner)
    data = {"sectors": sectors} | ({"markers": markers} if markers is not None else {})
    values = {"fit": fit} | ({"marker_size": size} if size is not None else {})
    return Spec(_on_context, shape, data=data, values=values)


def _numbers(sectors, kind: str, fit) -> tuple[pd.DataFrame | None, list | None]:
    """The markers of a map of outlines and circles, and the map's extent widened to hold them."""
    if kind != "shapes" or len(sectors) > MAX_NUMBERED:
        return None, None
    markers, size = sector_markers(sectors, fit)
    if fit and len(markers):
        _widen(fit, markers, size)
    return markers, size


@lru_cache(maxsize=1)
def _veille_corners() -> tuple[tuple[float, float], ...]:
    """The quartiers de veille's own box (shipped outlines: walked once, not on every run)."""
    return tuple(_corners(geo.context_features(geo.VEILLE)))


def _on_context(
    colour_by: str,
    kind: str,
    shown: tuple[str, ...],
    selectable: bool,
    numbered: bool,
    corner: str,
    *,
    sectors,
    fit,
    **marks,
) -> alt.LayerChart:
    commune, veille = geo.context_features(geo.COMMUNE), geo.context_features(geo.VEILLE)
    return _draw(commune, veille, colour_by, selectable, kind, shown, sectors=sectors, fit=fit, corner=corner, **marks)


CORNERS = ("top-left", "top-right", "bottom-left", "bottom-right")


def _legend_corner(
    sectors, markers: pd.DataFrame | None, fit, colour_by: str, shown: tuple[str, ...], size: list | None = None
) -> str:
    """The corner of the map where its legend covers the least: the fewest numbers and sector
    outline points under it, on the map as the Carte page draws it at 1280×720 (`DESIGN_PX`).
    When every corner covers something, the map's extent (`fit`, and the markers' `size`) is
    widened on that side, in place, to make room."""
    if not fit or isinstance(sectors, pd.DataFrame) or not len(sectors):
        return CORNERS[0]
    x0, y0, x1, y1 = _box(fit)
    scale = min(DESIGN_PX[0] / max(x1 - x0, 1e-9), DESIGN_PX[1] / max(y1 - y0, 1e-9))
    entries = len(UPTAKE_BANDS) if colour_by == "uptake" else len(shown or STAGE_COLOURS)
    width, height = 210 / scale, (40 + 31 * entries) / scale  # the legend's card, in map units
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = DESIGN_PX[0] / 2 / scale, DESIGN_PX[1] / 2 / scale  # the plot around the map
    points = [_mercator(p[0], p[1]) for f in sectors for p in _positions((f.get("geometry") or {}).get("coordinates"))]
    numbers = (
        [] if markers is None else [_mercator(lo, la) for lo, la in zip(markers["lon"], markers["lat"], strict=True)]
    )

    def covered(corner: str) -> int:
        left = cx - half_w if corner.endswith("left") else cx + half_w - width
        top = cy + half_h if corner.startswith("top") else cy - half_h + height
        inside = [left <= x <= left + width and top - height <= y <= top for x, y in points]
        hidden = [
            left - 30 / scale <= x <= left + width + 30 / scale and top - height - 30 / scale <= y <= top + 30 / scale
            for x, y in numbers
        ]
        return sum(inside) + 50 * sum(hidden)

    corner = min(CORNERS, key=covered)
    if covered(corner):
        # Nowhere free: room beside the map, on the legend's side, for most of the card.
        coords = fit[0]["geometry"]["coordinates"]
        grow = 0.7 * width
        x0, x1 = (x0 - grow, x1) if corner.endswith("left") else (x0, x1 + grow)
        coords[0], coords[1] = list(_from_mercator(x0, y0)), list(_from_mercator(x1, y1))
        if size is not None:
            size[0] = x1 - x0
    return corner


def _kind(sectors: list[dict] | pd.DataFrame) -> str:
    if not len(sectors):
        return "none"
    return "points" if isinstance(sectors, pd.DataFrame) else "shapes"


def _draw(
    commune,
    veille,
    colour_by: str,
    selectable: bool,
    kind: str,
    shown: tuple[str, ...],
    *,
    sectors,
    fit,
    markers=None,
    marker_size=None,
    corner: str = "top-left",
) -> alt.LayerChart:
    layers = [
        # The backdrop is decoration for a screen reader (aria=False): the chart's own name says what it shows.
        alt.Chart(source(commune)).mark_geoshape(
            fill="#F4F4F4", stroke="#7F7F7F", strokeWidth=1.5, clip=True, aria=False
        ),
        alt.Chart(source(veille))
        .mark_geoshape(fill="#E2E2E2", stroke="#9A9A9A", strokeWidth=1, strokeDash=[4, 3], clip=True, aria=False)
        .encode(tooltip=[alt.Tooltip("label:N", title="Quartier de veille")]),
    ]
    if kind == "points":
        # Points (national scale, see ihs.geo.MAX_SHAPES): area proportional to dwellings. A data
        # frame travels to the browser as one Arrow table, not 1,600 JSON objects.
        shapes = (
            alt.Chart(source(sectors))
            .mark_circle(stroke="#222222", strokeWidth=0.5, opacity=0.85)
            .encode(
                longitude="lon:Q",
                latitude="lat:Q",
                size=alt.Size("dwellings:Q", legend=None, scale=alt.Scale(range=[20, 400])),
                color=_colour(colour_by, shown, corner),
                tooltip=TOOLTIP,
            )
        )
    elif kind == "shapes":
        shapes = (
            alt.Chart(source(sectors))
            .mark_geoshape(stroke="#222222", strokeWidth=1.5, opacity=0.9, invalid="show")
            .encode(color=_colour(colour_by, shown, corner), tooltip=TOOLTIP)
        )
    if kind != "none":
        if selectable:
            shapes = shapes.add_params(alt.selection_point(fields=["code"], name=SELECTION))
        layers.append(shapes)
    if markers is not None:
        layers += _marker_layers(markers, marker_size)
    # Zoom on where the sectors and quartiers de veille are (their bounding box, not a second copy of
    # every shape: at national scale that copy doubled the chart); the commune outline is clipped.
    return alt.layer(*layers).project(type="mercator", fit=fit)


def _positions(coords):
    if coords and isinstance(coords[0], int | float):
        yield coords
    else:
        for part in coords or []:
            yield from _positions(part)


def _corners(features: list[dict]) -> list:
    points = [p for f in features for p in _positions((f.get("geometry") or {}).get("coordinates"))]
    if not points:
        return []
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return [(min(lons), min(lats)), (max(lons), max(lats))]


def _bounding_box(sectors: list[dict] | pd.DataFrame, veille: list[dict], known: tuple = ()) -> list[dict] | None:
    """Two corners around the sectors and `veille` (and the `known` corners of outlines walked before)."""
    features = [*veille, *([] if isinstance(sectors, pd.DataFrame) else sectors)]
    points = [*known, *_corners(features)]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    if isinstance(sectors, pd.DataFrame) and len(sectors):
        lons += [sectors["lon"].min(), sectors["lon"].max()]
        lats += [sectors["lat"].min(), sectors["lat"].max()]
    if not lons:
        return None
    west, east, south, north = float(min(lons)), float(max(lons)), float(min(lats)), float(max(lats))
    corners = [[west, south], [east, north]]  # two points: no winding rule to get wrong
    return [{"type": "Feature", "geometry": {"type": "MultiPoint", "coordinates": corners}, "properties": {}}]


# Numbered markers. The numbers are placed in the map's own units (Mercator: longitude in radians,
# and its stretched latitude), so that their spacing follows the map's scale; their size in pixels
# is that of `MARKER_UNITS` at the scale the map is drawn at, kept between MARKER_PX's bounds.
MAX_NUMBERED = 60  # more numbers than this do not fit a map on one screen (nor a list beside it)
MARKER_PX = (30, 46)  # a number in a circle: at least 30 px across (18 px type at 1280×720), at most 46
PHONE_MARKER_PX = 22  # at least, on a map narrower than 500 px (13 px type)
DESIGN_PX = (690, 460)  # the map's plot on the Carte page at 1280×720: markers there are 32 px across
DESIGN_MARKER = 32
GAP = 1.12  # markers keep this many diameters apart, centre to centre


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    return math.radians(lon), math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _from_mercator(x: float, y: float) -> tuple[float, float]:
    return math.degrees(x), math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


def _box(fit) -> tuple[float, float, float, float]:
    (west, south), (east, north) = fit[0]["geometry"]["coordinates"]
    x0, y0 = _mercator(west, south)
    x1, y1 = _mercator(east, north)
    return x0, y0, x1, y1


def sector_markers(sectors: list[dict], fit) -> tuple[pd.DataFrame, list[float]]:
    """Where each sector's number goes: at the centre of its outline or circle; beside it (with a
    line back to its centre) when the sector is smaller than the number, whose colour must stay in
    view, or when two numbers would overlap.

    Returns the markers (number, name, lon, lat of the marker; anchor_lon, anchor_lat of the
    sector's centre; moved) in number order, and the map's marker size: [box width, box height,
    marker diameter] in map units (see `_marker_layers`).
    """
    rows = []
    for f in sectors:
        geometry = f.get("geometry") or {}
        centre = geo.centroid(geometry)
        if centre is not None:
            rows.append((int(f.get("number") or 0), f.get("name"), *centre, _radius(geometry, centre)))
    rows.sort()
    columns = ["number", "name", "lon", "lat", "anchor_lon", "anchor_lat", "moved"]
    if not rows or not fit:
        return pd.DataFrame([], columns=columns), [1.0, 1.0, 0.0]
    x0, y0, x1, y1 = _box(fit)
    width, height = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    diameter = DESIGN_MARKER / min(DESIGN_PX[0] / width, DESIGN_PX[1] / height)
    anchors = [_mercator(lon, lat) for _, _, lon, lat, _ in rows]
    # A sector the number would hide: numbers keep clear of it (its own number goes beside it).
    small = [
        (ax, ay, radius + diameter * 0.6)
        for (ax, ay), (*_, radius) in zip(anchors, rows, strict=True)
        if radius < diameter * 0.8
    ]
    placed = _spread(anchors, diameter * GAP, small)
    out = []
    for (number, name, lon, lat, _), (x, y), (ax, ay) in zip(rows, placed, anchors, strict=True):
        mlon, mlat = _from_mercator(x, y)
        moved = math.hypot(x - ax, y - ay) > diameter * 0.05
        out.append((number, name, mlon if moved else lon, mlat if moved else lat, lon, lat, moved))
    return pd.DataFrame(out, columns=columns), [width, height, diameter]


def _radius(geometry: dict, centre: tuple[float, float]) -> float:
    """How far a sector's outline reaches from its centre, in map units (its largest half-extent)."""
    cx, cy = _mercator(*centre)
    points = [_mercator(p[0], p[1]) for p in _positions(geometry.get("coordinates"))]
    if not points:
        return 0.0
    return max(max(abs(x - cx) for x, _ in points), max(abs(y - cy) for _, y in points))


def _spread(
    anchors: list[tuple[float, float]], gap: float, keep_clear: list[tuple[float, float, float]], rounds: int = 300
) -> list[tuple[float, float]]:
    """Positions near `anchors`, at least `gap` apart and outside each `keep_clear` disc (x, y,
    radius): overlapping markers push each other apart, discs push markers out, and each marker is
    pulled a little back towards its sector. Deterministic; a few milliseconds for 150 sectors."""
    start = np.array(anchors, dtype=float)
    points = start.copy()
    middle = start.mean(axis=0)
    discs = np.array(keep_clear, dtype=float).reshape(-1, 3)
    for disc in discs:  # a marker on a disc's centre starts outwards, away from the map's middle
        on = np.hypot(*(points - disc[:2]).T) < gap * 1e-3
        away = disc[:2] - middle
        away = away / (np.hypot(*away) or 1.0) if np.hypot(*away) else np.array([0.6, 0.8])
        points[on] = disc[:2] + away * disc[2]
    n = len(points)
    for _ in range(rounds):
        diff = points[:, None, :] - points[None, :, :]  # from each other marker to this one
        dist = np.hypot(diff[..., 0], diff[..., 1])
        np.fill_diagonal(dist, np.inf)
        same = dist < gap * 1e-3
        if same.any():  # the same point: part them along a fixed direction
            upper = np.triu(np.ones((n, n), dtype=bool), 1)
            diff[same & upper] = [gap * 1e-3 * 0.6, gap * 1e-3 * 0.8]
            diff[same & ~upper] = [-gap * 1e-3 * 0.6, -gap * 1e-3 * 0.8]
            dist = np.where(same, gap * 1e-3, dist)
        overlap = np.clip(gap - dist, 0, None)
        worst = overlap.max(initial=0.0)
        points = points + (diff / dist[..., None] * (overlap / 2)[..., None]).sum(axis=1)
        if len(discs):
            out = points[:, None, :] - discs[None, :, :2]
            reach = np.maximum(np.hypot(out[..., 0], out[..., 1]), gap * 1e-3)
            inside = np.clip(discs[None, :, 2] - reach, 0, None)
            worst = max(worst, inside.max(initial=0.0))
            points = points + (out / reach[..., None] * inside[..., None]).sum(axis=1)
        if worst < gap * 0.01:
            break
        points += (start - points) * 0.02
    return [(float(x), float(y)) for x, y in points]


def _widen(fit, markers: pd.DataFrame, size: list[float]) -> None:
    """Widen the map's extent (in place) so that every marker, and a margin around the map, is
    inside it: nothing is cut at the edges, even where a phone draws the numbers larger than the
    map's scale (at least a diameter, or 5 % of the map, all round)."""
    coords = fit[0]["geometry"]["coordinates"]
    x0, y0, x1, y1 = _box(fit)
    margin = max(size[2], 0.05 * max(x1 - x0, y1 - y0))
    for lon, lat in zip(markers["lon"], markers["lat"], strict=True):
        x, y = _mercator(lon, lat)
        x0, x1, y0, y1 = (
            min(x0, x - size[2] / 2),
            max(x1, x + size[2] / 2),
            min(y0, y - size[2] / 2),
            max(y1, y + size[2] / 2),
        )
    x0, y0, x1, y1 = x0 - margin, y0 - margin, x1 + margin, y1 + margin
    coords[0], coords[1] = list(_from_mercator(x0, y0)), list(_from_mercator(x1, y1))
    size[0], size[1] = x1 - x0, y1 - y0


def _expr(value) -> str:
    """A value in a Vega expression: a parameter's name (a chart built as a template) or its JSON."""
    return value.expr if isinstance(value, alt.ExprRef) else json.dumps(value)


def _marker_layers(markers, size) -> list:
    """Lines from moved numbers to their sector, then white circles with the number in bold.

    The circle's diameter is the markers' size in map units at the scale the map is drawn at
    (the map fits its box in the plot: min(width / box width, height / box height) pixels a unit).
    """
    box = _expr(size)
    # A phone (a narrow map) is read from arm's length: smaller numbers there, fewer overlaps.
    smallest = f"(width < 500 ? {PHONE_MARKER_PX} : {MARKER_PX[0]})"
    diameter = alt.ExprRef(
        expr=f"clamp(min(width / {box}[0], height / {box}[1]) * {box}[2], {smallest}, {MARKER_PX[1]})"
    )
    area = alt.ExprRef(expr=f"pow({diameter.expr}, 2) * {math.pi / 4}")
    font = alt.ExprRef(expr=f"round({diameter.expr} * 0.6)")
    tooltip = [alt.Tooltip("number:Q", title="N°"), alt.Tooltip("name:N", title="Secteur")]
    base = alt.Chart(source(markers))
    lines = base.mark_rule(color="#1A1A1A", strokeWidth=2).encode(
        longitude="anchor_lon:Q", latitude="anchor_lat:Q", longitude2="lon:Q", latitude2="lat:Q"
    )
    circles = base.mark_circle(size=area, fill="#FFFFFF", stroke="#1A1A1A", strokeWidth=2, opacity=1).encode(
        longitude="lon:Q", latitude="lat:Q", tooltip=tooltip
    )
    numbers = base.mark_text(fontSize=font, fontWeight="bold", color="#1A1A1A", baseline="middle").encode(
        longitude="lon:Q", latitude="lat:Q", text="number:N", tooltip=tooltip
    )
    return [lines, circles, numbers]


def sector_legend_entries(sectors: pd.DataFrame, markers: pd.DataFrame) -> list[tuple[int, str]]:
    """The list beside the map, a (number, text) per sector in number order: (1, « Kerhallet »);
    a sector without a marker (no outline, no centre point) says it is not on the map."""
    on_map = set(markers["number"])
    ordered = sectors.sort_values("number")
    return [
        (int(n), name + ("" if n in on_map else " (pas sur la carte)"))
        for n, name in zip(ordered["number"], ordered["name"], strict=True)
    ]


def sector_legend(sectors: pd.DataFrame, markers: pd.DataFrame) -> list[str]:
    """`sector_legend_entries` as Markdown lines for the page: « **1** Kerhallet »."""
    return [f"**{n}** {md_text(text)}" for n, text in sector_legend_entries(sectors, markers)]


def sector_table(sectors: pd.DataFrame) -> pd.DataFrame:
    """The table under the map, in its order (`ihs.geo.sector_map_data`), in French: the map's
    number, the sector, its stage, dwellings and subscribers as « 1 010 », uptake as « 17 % »,
    « – » where a figure is unknown."""

    def known(value):
        return None if value is None or pd.isna(value) else value

    return pd.DataFrame(
        {
            "N°": sectors["number"].astype(int),
            "Secteur": sectors["name"],
            "Étape": sectors["stage_label"],
            "Logements": [fr_int(known(v)) for v in sectors["dwellings"]],
            "Abonnés": [fr_int(known(v)) for v in sectors["subscribers"]],
            "Adhésion": [fr_pct(known(v)) for v in sectors["uptake"]],
        }
    )


def sector_table_csv(sectors: pd.DataFrame) -> pd.DataFrame:
    """`sector_table` as its CSV gives it: its French headers, real numbers (French
    Excel reads « 1010 » and « 17,3 » as numbers, not « 1 010 » and « 17 % »), blank when unknown."""
    return pd.DataFrame(
        {
            "N°": sectors["number"].astype(int),
            "Secteur": sectors["name"],
            "Étape": sectors["stage_label"],
            "Logements": sectors["dwellings"],
            "Abonnés": sectors["subscribers"],
            "Adhésion (%)": (sectors["uptake"].astype(float) * 100).round(1),
        }
    )
