"""Home page charts: the live turnout of an open ballot."""

from __future__ import annotations

import altair as alt
import pandas as pd


def turnout_by_place(df: pd.DataFrame) -> alt.LayerChart:
    """Voters so far at each polling place (from `ihs.queries.home.turnout_by_place`), labelled."""
    base = alt.Chart(df).encode(
        y=alt.Y("place:N", title=None, sort=None),
        x=alt.X("voters:Q", title=None, axis=alt.Axis(format=",d", tickMinStep=1)),
        tooltip=[alt.Tooltip("place:N", title="Bureau de vote"), alt.Tooltip("voters:Q", title="Votants", format=",d")],
    )
    bars = base.mark_bar(color="#0072B2")
    labels = base.mark_text(align="left", dx=6, fontSize=18).encode(text=alt.Text("voters:Q", format=",d"))
    return alt.layer(bars, labels)
