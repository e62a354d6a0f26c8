"""Chart text read from 4 m (#19 item 1): dark enough on white, at least 18 px at 1280×720, larger on
a larger screen; the same in the PNG downloads and the report (rendered here by vl-convert)."""

import json
import re

import altair as alt
import pandas as pd
import pytest
import vl_convert

from ihs.charts import CONFIG, style, to_json


def _luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of #RRGGBB."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast_on_white(hex_colour: str) -> float:
    return 1.05 / (_luminance(hex_colour) + 0.05)


def _px(size, window_width: int | None) -> float:
    """A config font size for a window `window_width` px wide (None: no window, as in vl-convert):
    the Vega expression evaluated by hand (`clamp`, `round` and `||` as Vega has them)."""
    if isinstance(size, int | float):
        return size
    expr = size["expr"]
    assert "windowSize()[0] || 1280" in expr
    width = window_width or 1280
    expr = expr.replace("(windowSize()[0] || 1280)", str(width))
    return eval(expr, {"clamp": lambda v, lo, hi: max(lo, min(hi, v)), "round": lambda v: int(v + 0.5)})


def test_reference_colours():
    # The formula checked on known pairs: black 21:1, Streamlit's chart grey #808495 fails 4.5:1.
    assert _contrast_on_white("#000000") == pytest.approx(21)
    assert _contrast_on_white("#808495") < 4.5


@pytest.mark.parametrize("part", ["axis", "legend", "header"])
def test_axis_and_legend_text_is_dark_and_large(part):
    conf = CONFIG[part]
    for key in ("labelColor", "titleColor"):
        assert _contrast_on_white(conf[key]) >= 4.5, (part, key, conf[key])
    for key in ("labelFontSize", "titleFontSize"):
        assert _px(conf[key], 1280) >= 18
        assert _px(conf[key], None) >= 18  # the PNG downloads and the report
        assert _px(conf[key], 1920) == 27  # the page's type grows from 18 to 27 px (ihs.ui.screen)
        assert _px(conf[key], 390) == 18  # a phone: never smaller
        assert _px(conf[key], 3840) == 30  # at most the page's largest type


def test_chart_titles():
    assert _contrast_on_white(CONFIG["title"]["color"]) >= 4.5
    assert _px(CONFIG["title"]["fontSize"], 1280) == 22
    assert _px(CONFIG["title"]["fontSize"], 1920) == 33


def test_rendered_text_is_dark_and_at_least_18px():
    """What vl-convert draws (no window: the smallest sizes): every text of a styled chart."""
    df = pd.DataFrame({"mois": ["janv.", "févr."], "abonnés": [10, 20], "série": ["a", "b"]})
    chart = alt.Chart(df).mark_bar().encode(x=alt.X("mois:N", title="Mois"), y="abonnés:Q", color="série:N")
    svg = vl_convert.vegalite_to_svg(to_json(style(chart, height=200, title="Abonnés")))
    texts = re.findall(r"<text[^>]*>", svg)
    assert len(texts) > 8
    sizes = [float(s) for t in texts for s in re.findall(r'font-size="([\d.]+)px"', t)]
    assert len(sizes) == len(texts) and min(sizes) >= 18
    fills = {f for t in texts for f in re.findall(r'fill="(#[0-9a-fA-F]{6})"', t)}
    assert fills and all(_contrast_on_white(f) >= 4.5 for f in fills), fills


def test_the_config_is_plain_json():
    """The app sends CONFIG as it is in every spec (`ihs.ui.vega`)."""
    assert json.loads(json.dumps(CONFIG)) == CONFIG
