"""Awareness chart: share of households arrived since the ballot, per sector, with the alert line."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ihs.charts import Spec, height_px, width_share

TO_INFORM, UP_TO_DATE = "À informer de nouveau", "À jour"  # the legend's two entries
METHOD_SHORT = {"move_ins": "emménagements", "mixed": "emménagements + taux", "default": "taux par défaut"}


# A row per sector: 22 px is the least a row of 18 px text needs, so that, under the page's title, key
# figures and heading, the demo's 16 sectors and the axis and legend under them lie above the fold
# of a 1280×720 projector.
ROW_PX = 22
# The rows' text grows with the rows (the chart's height follows the screen: `ihs.charts.height_px`),
# so it stays within its row: 18 px at 1280×720, 27 px at 1920×1080. On a phone, 14 px: a name of
# twenty letters fits the 46 % of the width the names have there.
_NARROW = "(containerSize()[0] || 1280) < 500"
_ROW_FONT = {"expr": f"{_NARROW} ? 14 : {height_px(ROW_PX - 4)}"}


def newcomers_chart_height(sectors: int) -> int:
    """Pixels for the plot of `newcomers_chart` with `sectors` rows (its axis and legend are added)."""
    return ROW_PX * max(sectors, 4)


def newcomers_chart(df: pd.DataFrame, alert: float, max_days: int | None = None, *, plot_height: bool = False) -> Spec:
    """Bars of `newcomer_share` per sector in the ranking's order (`queries.awareness.rank`: the
    sectors to inform first, most criteria met then highest share; then the others by share), the
    value written with its source and, for a sector to inform, why: the share over the threshold,
    or no information action for more than `max_days` days.

    Sectors that need a new round are dark, others light (with a legend); a dashed rule marks the
    alert share, labelled.

    `plot_height`: the height the chart is given is its plot's (`newcomers_chart_height`), its axis
    and legend come on top of it; otherwise (the slideshow, the report) the whole chart fits in it.
    """
    cols = ["name", "newcomer_share", "method", "method_label", "needs_round", "reason", "criteria"]
    data = df[[*cols, "days_since_information"]].copy() if "days_since_information" in df else df[cols].copy()
    data = data.sort_values(["needs_round", "criteria", "newcomer_share"], ascending=False, kind="stable")
    data["position"] = range(len(data))
    data["source"] = data["method"].map(METHOD_SHORT)
    # The value and, for a sector to inform, why (the estimate's source is in the tooltip and table).
    data["value"] = [f"{round(share * 100)} %" for share in data["newcomer_share"]]
    data["label"] = [
        value + (f" – {_why(r, alert, max_days)}" if r.needs_round else "")
        for value, r in zip(data["value"], data.itertuples(), strict=True)
    ]
    data["status"] = data["needs_round"].map({True: TO_INFORM, False: UP_TO_DATE})
    rule = pd.DataFrame({"alert": [alert], "label": [f"Seuil d'alerte : {round(alert * 100)} %"]})
    return Spec(_newcomers, shape=(plot_height,), data={"sectors": data.drop(columns="criteria"), "rule": rule})


def _why(row, alert: float, max_days: int | None) -> str:
    """The criteria a sector to inform meets, in a few words."""
    days = getattr(row, "days_since_information", None)
    parts = []
    if row.newcomer_share >= alert:
        parts.append("seuil dépassé")
    if days is None or days != days:
        parts.append("jamais informé")
    elif max_days is not None and days > max_days:
        parts.append(f"{int(days)} j sans info")
    return " ; ".join(parts) or "à informer"


def _newcomers(plot_height: bool, *, sectors, rule) -> alt.LayerChart:
    # The ranking's order, as the list under the chart (a sort the browser does on `position`).
    order = alt.EncodingSortField("position", op="min", order="ascending")
    base = alt.Chart(sectors).encode(
        # Whole names (« Quéliverzan et Bellevue (Aquitaine, Bergot, Kerhallet) » was cut at 300 px),
        # every one on its row (none skipped for overlap).
        y=alt.Y(
            "name:N",
            sort=order,
            title=None,
            # At most 46 % of the chart's width: on a phone the names took all of it, leaving no bars.
            axis=alt.Axis(
                labelLimit=width_share(0.46, 588.8),
                labelFontSize=_ROW_FONT,
                labelOverlap=False,
            ),
        ),
        x=alt.X(
            "newcomer_share:Q",
            title=None,  # said by the page's heading above the chart
            # Room on the right for the written value; the axis itself stops at 100 %.
            scale=alt.Scale(domain=[0, 2.4]),
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        ),
        tooltip=[
            alt.Tooltip("name:N", title="Secteur"),
            alt.Tooltip("newcomer_share:Q", title="Arrivés depuis le scrutin", format=".0%"),
            alt.Tooltip("method_label:N", title="Source"),
            alt.Tooltip("reason:N", title="Constat"),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "status:N",
            # Under the chart, clear of the sector names and of the threshold's label.
            # One entry a row on a phone, where the two side by side ran off the screen.
            legend=alt.Legend(
                title=None,
                orient="bottom",
                symbolType="square",
                offset=6,
                padding=0,
                columns=alt.ExprRef(expr=f"{_NARROW} ? 1 : 2"),
                labelFontSize=_ROW_FONT,
                # A phone's legend starts where the bars do, right of the names: « À informer » fits.
                labelExpr=f"{_NARROW} && datum.label == '{TO_INFORM}' ? 'À informer' : datum.label",
            ),
            scale=alt.Scale(domain=[TO_INFORM, UP_TO_DATE], range=["#D55E00", "#56B4E9"]),
        )
    )
    # On a narrow screen (a phone) the value only: the reason did not fit beside the bar, and Vega then
    # narrowed the plot to keep it in the chart, down to no bars at all. The reason is in the tooltip.
    text = (
        base.transform_calculate(shown="(containerSize()[0] || 1280) < 700 ? datum.value : datum.label")
        .mark_text(align="left", dx=6, fontSize=_ROW_FONT)
        .encode(text="shown:N")
    )
    threshold = alt.Chart(rule).mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#000000").encode(x="alert:Q")
    threshold_label = (
        alt.Chart(rule)
        .mark_text(align="center", baseline="bottom", y=-6, fontSize=_ROW_FONT, fontWeight="bold", color="#000000")
        .encode(x="alert:Q", text="label:N")
    )
    layers = alt.layer(bars, threshold, text, threshold_label)  # the values over the dashed line
    if not plot_height:
        return layers
    # The height is the plot's (a row per sector), the axis and legend come on top of it (Streamlit's
    # default fits them in the height): on a larger screen their larger type does not squeeze the rows.
    return layers.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
