"""Awareness chart: share of households arrived since the ballot, per sector, with the alert line."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ihs.charts import Spec

METHOD_SHORT = {"move_ins": "emménagements", "mixed": "emménagements + taux", "default": "taux par défaut"}


def newcomers_chart(df: pd.DataFrame, alert: float, max_days: int | None = None) -> Spec:
    """Bars of `newcomer_share` per sector in the ranking's order (`queries.awareness.rank`: the
    sectors to inform first, most criteria met then highest share; then the others by share), the
    value written with its source and, for a sector to inform, why: the share over the threshold,
    or no information action for more than `max_days` days.

    Sectors that need a new round are dark, others light (with a legend); a dashed rule marks the
    alert share, labelled.
    """
    cols = ["name", "newcomer_share", "method", "method_label", "needs_round", "reason", "criteria"]
    data = df[[*cols, "days_since_information"]].copy() if "days_since_information" in df else df[cols].copy()
    data = data.sort_values(["needs_round", "criteria", "newcomer_share"], ascending=False, kind="stable")
    data["position"] = range(len(data))
    data["source"] = data["method"].map(METHOD_SHORT)
    # The value and, for a sector to inform, why (the estimate's source is in the tooltip and table).
    data["label"] = [
        f"{round(r.newcomer_share * 100)} %" + (f" – {_why(r, alert, max_days)}" if r.needs_round else "")
        for r in data.itertuples()
    ]
    data["status"] = data["needs_round"].map({True: "À informer de nouveau", False: "À jour"})
    rule = pd.DataFrame({"alert": [alert], "label": [f"Seuil d'alerte : {round(alert * 100)} %"]})
    return Spec(_newcomers, data={"sectors": data.drop(columns="criteria"), "rule": rule})


def _why(row, alert: float, max_days: int | None) -> str:
    """The criteria a sector to inform meets, in a few words."""
    days = getattr(row, "days_since_information", None)
    parts = []
    if row.newcomer_share >= alert:
        parts.append("seuil dépassé")
    if days is None or days != days:
        parts.append("jamais informé")
    elif max_days is not None and days > max_days:
        parts.append(f"{int(days)} j sans information")
    return " ; ".join(parts) or "à informer"


def _newcomers(*, sectors, rule) -> alt.LayerChart:
    # The ranking's order, as the list under the chart (a sort the browser does on `position`).
    order = alt.EncodingSortField("position", op="min", order="ascending")
    base = alt.Chart(sectors).encode(
        # Whole names: « Quéliverzan et Bellevue (Aquitaine, Bergot, Kerhallet) » was cut at 300 px.
        y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=460)),
        x=alt.X(
            "newcomer_share:Q",
            title="Ménages arrivés depuis le scrutin (estimation)",
            # Room on the right for the written value; the axis itself stops at 100 %.
            scale=alt.Scale(domain=[0, 2.0]),
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
            legend=alt.Legend(title=None, orient="bottom", symbolType="square"),
            scale=alt.Scale(domain=["À informer de nouveau", "À jour"], range=["#D55E00", "#56B4E9"]),
        )
    )
    text = base.mark_text(align="left", dx=6, fontSize=15).encode(text="label:N")
    threshold = alt.Chart(rule).mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#000000").encode(x="alert:Q")
    threshold_label = (
        alt.Chart(rule)
        .mark_text(align="center", baseline="bottom", y=-6, fontSize=15, fontWeight="bold", color="#000000")
        .encode(x="alert:Q", text="label:N")
    )
    return alt.layer(bars, text, threshold, threshold_label)
