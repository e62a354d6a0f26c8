"""Shared Altair styling: French locale, large type for a projector, colour-blind-safe palette.

Charts are built here (not in pages) so the app and the annual report render the same specs.
"""

from __future__ import annotations

import altair as alt

from ihs.formats import MONTHS, MONTHS_FULL

# Altair validates every chart object against the Vega-Lite schema as it is built, then again
# when Streamlit serialises it: the first pass was most of a dashboard's time at national scale
# (`python -m ihs bench`). The full check at serialisation stays.
alt.utils.schemapi.disable_debug_mode()

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STAGE_COLOURS = {
    "Proposé": "#999999",
    "Information": "#56B4E9",
    "Scrutin": "#E69F00",
    "Mise en œuvre": "#CC79A7",
    "Déployé": "#009E73",
    "Rejeté": "#D55E00",
}
FONT_SIZE = 18
TITLE_SIZE = 22

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


def style(chart: alt.TopLevelMixin, height: int = 360) -> alt.TopLevelMixin:
    """French locale, legible fonts, the palette, and a consistent look."""
    return (
        chart.properties(height=height)
        .configure(locale=alt.Locale(number=FR_NUMBER, time=FR_TIME), font="sans-serif")
        .configure_range(category=PALETTE)
        .configure_axis(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=320)
        .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, symbolSize=240, labelLimit=360)
        .configure_title(fontSize=TITLE_SIZE, anchor="start")
        .configure_header(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE)
        .configure_view(strokeWidth=0)
    )


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """Render offline with vl-convert (no CDN, no browser)."""
    import vl_convert

    return vl_convert.vegalite_to_png(chart.to_json(), scale=scale)
