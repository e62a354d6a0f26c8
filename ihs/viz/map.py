"""The offline sector map: context outlines, sectors as shapes or circles, coloured by stage or uptake."""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd

from ihs import geo
from ihs.charts import STAGE_COLOURS, Spec, source
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


def _colour(colour_by: str, shown: tuple[str, ...] = ()):
    if colour_by == "uptake":
        # Bands in words (not a gradient): readable from afar, and "not covered" is not 0 %.
        scale = alt.Scale(domain=list(UPTAKE_BANDS), range=list(UPTAKE_BANDS.values()))
        return alt.Color("uptake_band:N", scale=scale, legend=alt.Legend(title="Taux d'adhésion", symbolType="square"))
    domain = list(shown or STAGE_COLOURS)
    scale = alt.Scale(domain=domain, range=[STAGE_COLOURS[label] for label in domain])
    return alt.Color("stage_label:N", scale=scale, legend=alt.Legend(title="Étape", symbolType="square"))


TOOLTIP = [
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
) -> alt.LayerChart:
    """Commune and quartiers de veille in grey, sectors on top (from `ihs.geo.sector_features`).

    `colour_by` is "stage" or "uptake". With `selectable`, a click selects the sector's `code`
    in the point selection named "s". Sectors are one layer: Vega-Lite cannot share a point
    selection between two layers, which is why circles are drawn as polygons too.
    """
    kind, fit = _kind(sectors), _bounding_box(sectors, veille)
    return _draw(commune, veille, colour_by, selectable, kind, _stages_shown(sectors), sectors=sectors, fit=fit)


def sector_map_spec(sectors: list[dict] | pd.DataFrame, colour_by: str = "stage") -> Spec:
    """`sector_map` on the commune and its quartiers de veille, clickable, as the map page draws it."""
    fit = _bounding_box(sectors, [], _veille_corners())
    return Spec(
        _on_context, (colour_by, _kind(sectors), _stages_shown(sectors)), data={"sectors": sectors}, values={"fit": fit}
    )


@lru_cache(maxsize=1)
def _veille_corners() -> tuple[tuple[float, float], ...]:
    """The quartiers de veille's own box (shipped outlines: walked once, not on every run)."""
    return tuple(_corners(geo.context_features(geo.VEILLE)))


def _on_context(colour_by: str, kind: str, shown: tuple[str, ...], *, sectors, fit) -> alt.LayerChart:
    commune, veille = geo.context_features(geo.COMMUNE), geo.context_features(geo.VEILLE)
    return _draw(commune, veille, colour_by, True, kind, shown, sectors=sectors, fit=fit)


def _kind(sectors: list[dict] | pd.DataFrame) -> str:
    if not len(sectors):
        return "none"
    return "points" if isinstance(sectors, pd.DataFrame) else "shapes"


def _draw(
    commune, veille, colour_by: str, selectable: bool, kind: str, shown: tuple[str, ...], *, sectors, fit
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
                color=_colour(colour_by, shown),
                tooltip=TOOLTIP,
            )
        )
    elif kind == "shapes":
        shapes = (
            alt.Chart(source(sectors))
            .mark_geoshape(stroke="#222222", strokeWidth=1.5, opacity=0.9, invalid="show")
            .encode(color=_colour(colour_by, shown), tooltip=TOOLTIP)
        )
    if kind != "none":
        if selectable:
            shapes = shapes.add_params(alt.selection_point(fields=["code"], name=SELECTION))
        layers.append(shapes)
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
