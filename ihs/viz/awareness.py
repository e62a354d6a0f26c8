"""Awareness chart: share of households arrived since the ballot, per sector, with the alert line."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ihs.charts import Spec

METHOD_SHORT = {"move_ins": "emménagements", "mixed": "emménagements + taux", "default": "taux par défaut"}


def newcomers_chart(df: pd.DataFrame, alert: float) -> Spec:
    """Bars of `newcomer_share` per sector (highest first), the value written with its source.

    Sectors that need a new round are dark, others light; the text says the same in words
    ("à informer"), and a dashed rule marks the alert share.
    """
    data = df[["name", "newcomer_share", "method", "method_label", "needs_round", "reason"]].copy()
    data["source"] = data["method"].map(METHOD_SHORT)
    data["label"] = [
        f"{round(s * 100)} % ({src}){' – à informer' if need else ''}"
        for s, src, need in zip(data["newcomer_share"], data["source"], data["needs_round"], strict=True)
    ]
    data["status"] = data["needs_round"].map({True: "Nouvelle information à prévoir", False: "À jour"})
    rule = pd.DataFrame({"alert": [alert], "label": [f"Seuil {round(alert * 100)} %"]})
    return Spec(_newcomers, data={"sectors": data, "rule": rule})


def _newcomers(*, sectors, rule) -> alt.LayerChart:
    # Highest share first (a sort the browser does: the spec stays the same whatever the sectors).
    order = alt.EncodingSortField("newcomer_share", op="max", order="descending")
    base = alt.Chart(sectors).encode(
        y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=300)),
        x=alt.X(
            "newcomer_share:Q",
            title="Ménages arrivés depuis le scrutin (estimation)",
            # Room on the right for the written value; the axis itself stops at 100 %.
            scale=alt.Scale(domain=[0, 1.7]),
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
            # No legend: the written label says "à informer" (and a legend would sit on the labels).
            legend=None,
            scale=alt.Scale(domain=["Nouvelle information à prévoir", "À jour"], range=["#D55E00", "#56B4E9"]),
        )
    )
    text = base.mark_text(align="left", dx=6, fontSize=15).encode(text="label:N")
    threshold = alt.Chart(rule).mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#000000").encode(x="alert:Q")
    return alt.layer(bars, text, threshold)
