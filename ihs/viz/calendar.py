"""Deployment calendar chart: one row per sector, a bar per stage, planned (light) and actual (solid)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import altair as alt
import pandas as pd

from ihs.charts import FONT, Spec, font_px, width_share
from ihs.ics import IcsEvent

# Okabe–Ito colours, in pipeline order, matching `ihs.charts.STAGE_COLOURS` where they overlap.
STAGE_COLOURS = {
    "validation": "#999999",
    "kickoff": "#0072B2",
    "information": "#56B4E9",
    "ballot": "#E69F00",
    "implementation": "#CC79A7",
    "workshops": "#009E73",
}
KIND_ORDER = ["Prévu", "Réel"]
LEGEND_PX = 90  # the height the stages' legend takes above the calendar (two rows)


def timeline_chart(stages: pd.DataFrame, today: date, *, labels: bool | None = None) -> Spec:
    """Stages of `ihs.queries.calendar.deployment_stages` as bars, and a "today" rule.

    Planned dates are wide light bands with an outline, actual dates narrow solid bars inside them;
    each bar carries its stage number and a tooltip with the stage's name. By default the numbers
    are written when the calendar, today included, spans 800 days or less (beyond, they overlap).
    """
    # Only the columns the chart draws (every other one would travel to the browser for nothing),
    # made in one go: on a screen of the national calendar each extra pandas step costs.
    begins = pd.to_datetime(stages["start"])
    ends = pd.to_datetime(stages["end"])
    df = pd.DataFrame(
        {
            "sector_name": stages["sector_name"],
            "stage": stages["stage"],
            "stage_no": stages["stage_no"],
            "kind": stages["kind"],
            "kind_label": stages["kind_label"],
            "status_label": stages["status_label"],
            "start": begins,
            # The stage's number (its place in this scheme's pipeline) and name: colour never
            # carries the stage alone.
            "stage_legend": stages["stage_no"].astype(str) + ". " + stages["stage_label"],
            # Dates are inclusive; a bar ends the day after, so one-day milestones stay visible.
            "end_excl": ends + pd.Timedelta(days=1),
            "end_date": ends,
            "stage_no_text": stages["stage_no"].astype(str),
            # Rows in the order of each sector's first date (the chart sorts by this rank).
            "row": begins.groupby(stages["sector_name"]).transform("min").rank(method="dense").fillna(0).astype(int),
        }
    )
    # Months when a year or two is shown, years for the whole history.
    span = (df["end_excl"].max() - df["start"].min()).days if not df.empty else 0
    if labels is None:
        day = pd.Timestamp(today)
        labels = df.empty or (max(ends.max(), day) - min(begins.min(), day)).days <= 800
    today_df = pd.DataFrame({"date": [pd.Timestamp(today)], "label": ["Aujourd'hui"]})
    # The legend lists the stages of the calendar's rows, in pipeline order.
    shown = df.drop_duplicates("stage").sort_values("stage_no")
    legend = tuple(zip(shown["stage_legend"], shown["stage"].map(STAGE_COLOURS).fillna("#999999"), strict=True))
    return Spec(_timeline, (labels, span > 800, legend), data={"stages": df, "today": today_df})


def _timeline(labels: bool, years: bool, legend: tuple[tuple[str, str], ...], *, stages, today) -> alt.LayerChart:
    colours = alt.Scale(domain=[text for text, _ in legend], range=[colour for _, colour in legend])
    order = alt.EncodingSortField("row", op="min")
    y = alt.Y(
        "sector_name:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelLimit=width_share(0.35, 260)),
    )
    x = alt.X("start:T", title=None, axis=alt.Axis(format="%Y" if years else "%b %Y", labelAngle=0, tickCount=8))
    tooltip = [
        alt.Tooltip("sector_name:N", title="Secteur"),
        alt.Tooltip("stage_legend:N", title="Étape"),
        alt.Tooltip("kind_label:N", title="Dates"),
        alt.Tooltip("start:T", title="Début", format="%d/%m/%Y"),
        alt.Tooltip("end_date:T", title="Fin", format="%d/%m/%Y"),
        alt.Tooltip("status_label:N", title="Statut"),
    ]
    base = alt.Chart(stages).encode(y=y)
    # The legend above the plot (the page gives it LEGEND_PX more height): on the right it left a
    # phone's calendar no width at all. Three stages a row; one on a phone, in smaller type (two
    # were cut to « 2. Réunion d… »).
    small = "width < 500"
    legend = alt.Legend(
        title=None,
        orient="top",
        direction="horizontal",
        columns=alt.ExprRef(expr=f"{small} ? 1 : 3"),
        labelFontSize=alt.ExprRef(expr=f"{small} ? 12 : {FONT['expr']}"),
        symbolSize=alt.ExprRef(expr=f"{small} ? 100 : 240"),
        rowPadding=alt.ExprRef(expr=f"{small} ? 0 : 8"),
        labelLimit=alt.ExprRef(expr=f"{small} ? width - 20 : width / 3 - 40"),
        # Room under it for « Aujourd'hui », written above the plot.
        offset=alt.ExprRef(expr=f"{small} ? 30 : {FONT['expr']} + 22"),
    )
    colour = alt.Color("stage_legend:N", scale=colours, legend=legend)
    # Planned dates: a wide, light, outlined band; actual dates: a narrow solid bar inside it. Thinner
    # on a phone, where the one-column legend leaves each row less height.
    planned = (
        base.transform_filter(alt.datum.kind == "planned")
        .mark_bar(size=alt.ExprRef(expr=f"{small} ? 16 : 30"), fillOpacity=0.3, strokeWidth=1.5, cornerRadius=2)
        .encode(
            x=x,
            x2="end_excl:T",
            color=colour,
            stroke=alt.Stroke("stage_legend:N", scale=colours, legend=None),
            tooltip=tooltip,
        )
    )
    actual = (
        base.transform_filter(alt.datum.kind == "actual")
        .mark_bar(size=alt.ExprRef(expr=f"{small} ? 6 : 12"), cornerRadius=2)
        .encode(x=x, x2="end_excl:T", color=colour, tooltip=tooltip)
    )
    layers = [planned, actual]
    if labels:
        # The number sits just right of the bar's start: readable even on a one-day milestone.
        text = (
            base.transform_filter(alt.datum.kind == "planned")
            .mark_text(
                align="left",
                baseline="bottom",
                dx=2,
                dy=alt.ExprRef(expr=f"{small} ? -8 : -16"),
                fontSize=alt.ExprRef(expr=f"{small} ? 11 : {font_px(16)['expr']}"),
                fontWeight="bold",
                color="#222222",
            )
            .encode(x=x, text="stage_no_text:N", tooltip=tooltip)
        )
        layers.append(text)
    rule = alt.Chart(today).mark_rule(color="#D55E00", strokeWidth=3, strokeDash=[8, 4]).encode(x="date:T")
    rule_text = (
        alt.Chart(today)
        .mark_text(align="center", baseline="bottom", dy=-4, fontSize=FONT, fontWeight="bold", color="#D55E00")
        # Above the plot, clear of the stage numbers of the first row.
        .encode(x="date:T", y=alt.value(-14), text="label:N")
    )
    return alt.layer(*layers, rule, rule_text)


def items_of(items: Iterable[IcsEvent], deployment_ids: Iterable[int]) -> list[IcsEvent]:
    """The `.ics` items of `ihs.queries.calendar.calendar_items` kept for the deployments shown:
    their stages (UID « deploiement-<id>-<stage>@… ») and every upcoming event."""
    prefixes = tuple(f"deploiement-{int(i)}-" for i in deployment_ids)
    return [item for item in items if not item.uid.startswith("deploiement-") or item.uid.startswith(prefixes)]
