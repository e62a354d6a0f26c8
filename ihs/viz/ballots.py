"""Ballot charts: the turnout curve against previous ballots, turnout per polling place, the count.

Pure builders (DataFrame -> unstyled Altair chart); `ihs.charts.style` adds the look. Each series
differs by line style and a text label too, so colour never carries meaning alone.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ihs.charts import FONT, Spec, font_px

CURRENT = "Ce scrutin"
PREVIOUS = "Scrutins précédents (moyenne)"
PROJECTED = "Projection"
SERIES_COLOURS = {CURRENT: "#0072B2", PREVIOUS: "#555555", PROJECTED: "#E69F00"}
SERIES_DASH = {CURRENT: [1, 0], PREVIOUS: [8, 4], PROJECTED: [2, 3]}


def _series_scales(present: list[str]) -> tuple[alt.Scale, alt.Scale]:
    return (
        alt.Scale(domain=present, range=[SERIES_COLOURS[s] for s in present]),
        alt.Scale(domain=present, range=[SERIES_DASH[s] for s in present]),
    )


def turnout_curve_chart(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    projection: dict | None,
    length_days: float,
) -> Spec:
    """Turnout (% of registered) against days since the opening.

    `current`: elapsed_days, share (`ihs.queries.ballots.live_turnout`'s `curve`); `previous`: elapsed_days,
    mean_share, min_share, max_share (`previous_curves`); `projection`: share at the close.
    """
    # Plain arrays, one frame at the end: on the live screen this runs on every refresh.
    series = {CURRENT: (current["elapsed_days"].to_numpy(float), current["share"].to_numpy(float))}
    if not previous.empty:
        series[PREVIOUS] = (previous["elapsed_days"].to_numpy(float), previous["mean_share"].to_numpy(float))
    if projection and projection.get("share") is not None and len(current):
        series[PROJECTED] = (
            np.array([series[CURRENT][0][-1], length_days], float),
            np.array([series[CURRENT][1][-1], projection["share"]], float),
        )
    data = pd.DataFrame(
        {
            "elapsed_days": np.concatenate([x for x, _ in series.values()]),
            "share": np.concatenate([y for _, y in series.values()]),
            "series": np.repeat(list(series), [len(x) for x, _ in series.values()]),
        }
    )
    present = tuple(s for s, (x, _) in series.items() if len(x))
    # Each series' last figure written at its end, with its name: readable without a legend.
    names = {CURRENT: "", PREVIOUS: "précédents ", PROJECTED: "projection "}
    ends = pd.DataFrame(
        {
            "elapsed_days": [series[s][0][-1] for s in present],
            "share": [series[s][1][-1] for s in present],
            "series": list(present),
            "label": [names[s] + f"{series[s][1][-1] * 100:.0f}\u202f%" for s in present],
        }
    )
    return Spec(
        _turnout_curve,
        (present,),
        data={"lines": data, "previous": previous, "ends": ends},
        values={"days": float(length_days), "top": _y_max(current, previous, projection)},
    )


# Where each series' end label sits: the current figure after its point; the others end at the
# close, so they read leftwards (the projection's below its line).
END_LABELS = {CURRENT: ("left", 6, -14), PREVIOUS: ("right", -2, -14), PROJECTED: ("right", -2, 30)}


def _turnout_curve(present: tuple[str, ...], *, lines, previous, ends, days, top) -> alt.LayerChart:
    layers = []
    x = alt.X("elapsed_days:Q", title="Jours depuis l'ouverture", scale=alt.Scale(domain=[0, days]))
    x = x.axis(tickMinStep=1, format="d")
    y_scale = alt.Scale(domain=[0, top])
    if PREVIOUS in present:
        layers.append(
            alt.Chart(previous)
            .mark_area(opacity=0.18, color=SERIES_COLOURS[PREVIOUS], interpolate="step-after")
            .encode(x=x, y=alt.Y("min_share:Q", scale=y_scale), y2="max_share:Q")
        )
    colour, dash = _series_scales(list(present))
    # No legend box over the curves: each line is named by a label at its end (and by its dash).
    base = alt.Chart(lines).encode(
        x=x,
        y=alt.Y("share:Q", title="% des inscrits", scale=y_scale, axis=alt.Axis(format=".0%")),
        color=alt.Color("series:N", scale=colour, legend=None, sort=list(present)),
        strokeDash=alt.StrokeDash("series:N", scale=dash, legend=None, sort=list(present)),
        tooltip=[
            alt.Tooltip("series:N", title="Série"),
            alt.Tooltip("elapsed_days:Q", title="Jours", format=".1f"),
            alt.Tooltip("share:Q", title="Participation", format=".1%"),
        ],
    )
    layers.append(
        base.transform_filter(alt.datum.series != PROJECTED).mark_line(strokeWidth=4, interpolate="step-after")
    )
    layers.append(base.transform_filter(alt.datum.series == PROJECTED).mark_line(strokeWidth=4))
    for series in present:
        align, dx, dy = END_LABELS[series]
        layers.append(
            alt.Chart(ends)
            .transform_filter(alt.datum.series == series)
            .mark_text(align=align, dx=dx, dy=dy, fontSize=font_px(20), fontWeight="bold")
            .encode(
                x=x,
                y=alt.Y("share:Q", scale=y_scale),
                text="label:N",
                color=alt.Color("series:N", scale=colour, legend=None),
            )
        )
    return alt.layer(*layers)


def _y_max(current: pd.DataFrame, previous: pd.DataFrame, projection: dict | None) -> float:
    values = [0.1, *current.get("share", pd.Series(dtype=float)).tolist()]
    if not previous.empty:
        values.append(float(previous["max_share"].max()))
    if projection and projection.get("share") is not None:
        values.append(float(projection["share"]))
    return min(1.0, max(values) * 1.15)


def places_chart(places: pd.DataFrame) -> Spec:
    """Voters so far per polling place (`turnout_by_place`), biggest first.

    Each place's name is written above its bar (long names fit a narrow column), its figure after it.
    """
    return Spec(_places, data={"places": places[["name", "voters"]]})


def places_height(places: int, least: int = 260) -> int:
    """The places chart's height for `places` rows: each row its name above its bar (52 px at
    1280×720) under the axis (90 px); `least` at the least."""
    return max(least, 90 + 52 * places)


def _places(*, places) -> alt.LayerChart:
    order = alt.EncodingSortField("voters", op="sum", order="descending")
    y = alt.Y("name:N", title=None, sort=order, axis=None, scale=alt.Scale(paddingInner=0.1))
    x = alt.X("voters:Q", title="Votants", axis=alt.Axis(format=",d", tickMinStep=1))
    base = alt.Chart(places).encode(y=y)
    tooltip = [alt.Tooltip("name:N", title="Bureau"), alt.Tooltip("voters:Q", title="Votants", format=",d")]
    # Sizes and offsets grow with the text on a larger screen (`font_px`), so the rows keep their shape.
    below, above = font_px(14), {"expr": f"-({font_px(10)['expr']})"}
    bars = base.mark_bar(color=SERIES_COLOURS[CURRENT], size=font_px(22), yOffset=below).encode(x=x, tooltip=tooltip)
    figures = base.mark_text(align="left", dx=6, yOffset=below, fontSize=font_px(20), fontWeight="bold").encode(
        x=x, text=alt.Text("voters:Q", format=",d")
    )
    names = base.mark_text(align="left", yOffset=above, fontSize=FONT, limit=alt.ExprRef(expr="width")).encode(
        x=alt.value(0), text="name:N"
    )
    return alt.layer(bars, figures, names)


COUNT_ORDER = ["Oui", "Non", "Blancs", "Nuls"]
COUNT_COLOURS = ["#009E73", "#D55E00", "#999999", "#555555"]


def count_chart(counts: pd.DataFrame) -> Spec:
    """The count as labelled bars: columns label (Oui/Non/Blancs/Nuls) and votes."""
    return Spec(_count, data={"counts": counts})


def _count(*, counts) -> alt.LayerChart:
    base = alt.Chart(counts).encode(
        x=alt.X("label:N", title=None, sort=COUNT_ORDER, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("votes:Q", title="Bulletins", axis=alt.Axis(format=",d", tickMinStep=1)),
    )
    bars = base.mark_bar().encode(
        color=alt.Color("label:N", scale=alt.Scale(domain=COUNT_ORDER, range=COUNT_COLOURS), legend=None)
    )
    return alt.layer(bars, base.mark_text(dy=-14, fontSize=font_px(22)).encode(text=alt.Text("votes:Q", format=",d")))
