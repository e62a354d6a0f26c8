"""Sector page charts: milestones (planned and actual) and support activity."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd

from ihs.charts import FONT, Spec
from ihs.vocab import STAGES

KINDS = ["Prévu", "Réel"]


def milestones_chart(df: pd.DataFrame) -> Spec:
    """Planned (light) and actual (solid) bars per stage (from `ihs.queries.calendar.sector_milestones`)."""
    rows = []
    for r in df.itertuples(index=False):
        for kind, start, end in (("Prévu", r.planned_start, r.planned_end), ("Réel", r.actual_start, r.actual_end)):
            if start is None or pd.isna(start):
                continue
            end = start if end is None or pd.isna(end) else end
            # Dates are inclusive: a bar ends the day after, so a one-day milestone stays visible.
            rows.append({"stage": r.label, "kind": kind, "start": start, "end": end + timedelta(days=1)})
    return Spec(_milestones, data={"bars": pd.DataFrame(rows, columns=["stage", "kind", "start", "end"])})


def _milestones(*, bars) -> alt.Chart:
    return (
        alt.Chart(bars)
        .mark_bar(cornerRadius=2, stroke="#0072B2", strokeWidth=1.5)
        .encode(
            y=alt.Y("stage:N", sort=list(STAGES.values()), title=None),
            yOffset=alt.YOffset("kind:N", sort=KINDS),
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6)),
            x2="end:T",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=KINDS, range=["#C6DBEF", "#0072B2"]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("stage:N", title="Étape"),
                alt.Tooltip("kind:N", title="Dates"),
                alt.Tooltip("start:T", title="Début", format="%d/%m/%Y"),
            ],
        )
    )


def events_by_kind_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Events held in the sector by kind, labelled (columns kind_label, events)."""
    base = alt.Chart(df).encode(
        y=alt.Y("kind_label:N", title=None, sort="-x"),
        x=alt.X("events:Q", title="Événements", axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=[alt.Tooltip("kind_label:N", title="Type"), alt.Tooltip("events:Q", title="Événements", format=",d")],
    )
    return alt.layer(
        base.mark_bar(color="#009E73"),
        base.mark_text(align="left", dx=6, fontSize=FONT).encode(text=alt.Text("events:Q", format=",d")),
    )
