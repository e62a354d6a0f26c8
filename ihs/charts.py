"""Shared Altair styling: French locale, large type for a projector, colour-blind-safe palette.

Charts are built here (not in pages) so the app and the annual report render the same specs.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import altair as alt
import pandas as pd

from ihs.formats import MONTHS, MONTHS_FULL

# Altair validates every chart object against the Vega-Lite schema as it is built, and again as
# it serialises it: at national scale that was most of a dashboard's time (`python -m ihs bench`).
# The app serialises without it (`ihs.ui.vega`); the tests validate every chart a page draws.
alt.utils.schemapi.disable_debug_mode()

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STAGE_COLOURS = {
    "Sans déploiement": "#CCCCCC",  # a sector entered, no deployment started (`queries.sectors.NOT_STARTED`)
    "Proposé": "#999999",
    "Information": "#56B4E9",
    "Scrutin": "#E69F00",
    "Mise en œuvre": "#CC79A7",
    "Déployé": "#009E73",
    "Rejeté": "#D55E00",
}
FONT_SIZE = 18  # px, the smallest chart text: what a projector at 1280×720 shows legibly from 4 m
TITLE_SIZE = 22
# Text colour (Streamlit's own body text): 15:1 on white. Streamlit's chart theme writes axes and
# legends in a light grey (#808495, 3.8:1) that failed WCAG's 4.5:1 from the back of the room.
TEXT_COLOUR = "#262730"
RULE_COLOUR = "#555B66"  # axis lines and ticks: not text, but visible (7:1)


def font_px(smallest: int = FONT_SIZE) -> dict:
    """A chart font size that follows the window like the page's type (`ihs.ui.screen`: 18 px at
    1280 px wide, 1.4 % of the width above, at most 30): `smallest` px at 1280 px and below, in
    proportion above (×1.5 at 1920 px), at most ×5/3.

    Vega-Lite sizes are pixels fixed in the spec, and the app cannot know the window's size when it
    writes the spec, so the size is a Vega expression the browser evaluates as it draws the chart
    (`windowSize()`; a reload after resizing the window). Where there is no window (vl-convert: the
    PNG downloads, the annual report) it is `smallest`.
    """
    ratio = smallest / 1280
    return {"expr": f"clamp(round((windowSize()[0] || 1280) * {ratio:.7g}), {smallest}, {round(smallest * 5 / 3)})"}


def height_px(height: int) -> str:
    """A chart height that follows the screen as its text does (`font_px`): `height` px on a
    1280×720 screen and below, in proportion on a larger one (×1.5 at 1920×1080: the chart keeps
    its share of the screen), at most ×5/3. The smaller of the two ratios, so a tall phone or a
    wide, short window keeps `height`. Without a window (PNG downloads, the report): `height`.

    A Vega expression: a Vega-Lite view's height is a number in the spec, so `ihs.ui.vega` sets it
    as a parameter named `height`, the Vega signal the view is drawn at.
    """
    scale = "min((windowSize()[0] || 1280) / 1280, (windowSize()[1] || 720) / 720)"
    return f"clamp(round({height} * {scale}), {height}, {round(height * 5 / 3)})"


def width_share(share: float, alone: float) -> dict:
    """`share` of the chart's width (its container's, in the browser), for names beside bars that
    must not take the whole chart; `alone` px where there is no page (vl-convert: PNG, report)."""
    return {"expr": f"(containerSize()[0] || {alone / share:.6g}) * {share}"}


FONT = font_px(FONT_SIZE)
TITLE_FONT = font_px(TITLE_SIZE)
_TEXT = {"labelColor": TEXT_COLOUR, "titleColor": TEXT_COLOUR, "labelFontSize": FONT, "titleFontSize": FONT}

FR_NUMBER = {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"], "percent": "\u202f%"}
FR_TIME = {
    "dateTime": "%A %e %B %Y à %X",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "periods": ["AM", "PM"],
    "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
    "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
    "months": MONTHS_FULL,
    "shortMonths": MONTHS,
}


# The whole look as one Vega-Lite `config`: the app sets it on the spec it sends, the report on the
# chart it renders (`style`), so both look the same.
CONFIG = {
    "locale": {"number": FR_NUMBER, "time": FR_TIME},
    "font": "sans-serif",
    "range": {"category": PALETTE},
    "axis": {**_TEXT, "labelLimit": 320, "domainColor": RULE_COLOUR, "tickColor": RULE_COLOUR},
    # Streamlit's chart theme pushes the end labels of every axis inside the plot (labelFlush):
    # on a vertical axis « 0 » then sat half a line above the zero line.
    "axisY": {"labelFlush": False},
    "legend": {**_TEXT, "symbolSize": 240, "labelLimit": 360},
    "title": {"fontSize": TITLE_FONT, "color": TEXT_COLOUR, "subtitleColor": TEXT_COLOUR, "anchor": "start"},
    "header": dict(_TEXT),
    "text": {"color": TEXT_COLOUR},
    "view": {"strokeWidth": 0},
}


@dataclass(frozen=True)
class Spec:
    """A chart as its shape and its data, so a page can reuse the Vega-Lite of a shape it has drawn.

    `build(*shape, **data, **values)` is the Altair chart (`chart()`): `shape` holds what decides
    the chart's structure (a colour mode, which series are present), `data` its tables (data
    frames, or lists of GeoJSON features) and `values` the figures it takes from them (a scale's
    maximum, the map's extent). `build` only hands each table to `alt.Chart` (or `source`) and each
    value to a chart property, so `ihs.ui.vega` can build it once per shape with a named dataset
    (`alt.NamedData`) and a parameter (`alt.ExprRef`) in their place, then attach each run's data.
    """

    build: Callable[..., alt.TopLevelMixin]
    shape: tuple = ()
    data: Mapping[str, pd.DataFrame | list] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)

    def chart(self) -> alt.TopLevelMixin:
        """The Altair chart with its data inline (downloads, the report, the slides)."""
        return self.build(*self.shape, **self.data, **self.values)


def source(table: pd.DataFrame | list | alt.NamedData):
    """What `alt.Chart` takes for a `Spec` table: a data frame or a named dataset as they are,
    GeoJSON features as inline values."""
    return alt.Data(values=table) if isinstance(table, list) else table


def as_chart(chart: alt.TopLevelMixin | Spec) -> alt.TopLevelMixin:
    """The Altair chart of a `Spec` (its data inline), or the chart itself."""
    return chart.chart() if isinstance(chart, Spec) else chart


def style(chart: alt.TopLevelMixin | Spec, height: int = 360, title: str | None = None) -> alt.TopLevelMixin:
    """French locale, legible fonts, the palette, and a consistent look."""
    shown = as_chart(chart).properties(height=height, **({"title": title} if title is not None else {}))
    return shown.configure(**copy.deepcopy(CONFIG))


def to_json(chart: alt.TopLevelMixin) -> str:
    """The chart's Vega-Lite JSON with its data inline; plain dates as ISO text, as Vega-Lite reads them."""
    return json.dumps(chart.to_dict(validate=False), default=_iso)


def _iso(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} n'a pas d'équivalent JSON")


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """Render offline with vl-convert (no CDN, no browser)."""
    import vl_convert

    return vl_convert.vegalite_to_png(to_json(chart), scale=scale)
