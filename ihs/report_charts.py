"""Altair charts of the annual report and the presentation slides (pure builders, no Streamlit).

The map, the live calendar and the ballot come from the dashboards' own builders (`ihs.viz`);
the views here exist only in the report and the slides (a year's calendar without a "today"
rule, uptake by sector as bars, the yearly trend, support by month).
Each builder takes a tidy DataFrame of `ihs.queries` and returns an unstyled chart: the
page shows `style(chart)`, the report renders it to PNG with `ihs.charts.to_png`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ihs.charts import FONT, PALETTE, width_share

# Sector names beside bars: 45 % of the chart's width (a slide at 1920 px cut « Quéliverzan et Bell… »
# at 260 px), 260 px where there is no page (the report, by vl-convert).
NAME_LIMIT = width_share(0.45, 260)

PIPELINE_LABELS = {"information": "Période d'information", "ballot": "Scrutin", "implementation": "Mise en œuvre"}
PIPELINE_COLOURS = {"Période d'information": "#56B4E9", "Scrutin": "#E69F00", "Mise en œuvre": "#CC79A7"}


def _sized(chart, width: int | None):
    return chart.properties(width=width) if width else chart


def _iso(df: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Dates as ISO text: Vega-Lite reads them, and the spec serialises to JSON."""
    out = df.copy()
    for col in cols:
        out[col] = [None if v is None or pd.isna(v) else v.isoformat() for v in out[col]]
    return out


def calendar_chart(df: pd.DataFrame, *, width: int | None = None, today=None):
    """Information period, ballot and implementation of each sector, as bars on a time axis.

    With `today`, a dashed rule marks the day, labelled "aujourd'hui".
    """
    data = _iso(df, "start", "end").assign(stage_label=df["stage"].map(PIPELINE_LABELS))
    data["kind"] = data["actual"].map({True: "réalisé", False: "prévu"})
    chart = (
        alt.Chart(data)
        .mark_bar(height=18, cornerRadius=3)
        .encode(
            x=alt.X("start:T", title=None, axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 2})),
            x2="end:T",
            y=alt.Y("sector:N", title=None, sort=alt.EncodingSortField("start", op="min")),
            color=alt.Color(
                "stage_label:N",
                title="Étape",
                scale=alt.Scale(domain=list(PIPELINE_COLOURS), range=list(PIPELINE_COLOURS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            opacity=alt.Opacity(
                "kind:N",
                title="Dates",
                scale=alt.Scale(domain=["réalisé", "prévu"], range=[1, 0.4]),
                legend=alt.Legend(orient="bottom") if (~data["actual"].astype(bool)).any() else None,
            ),
            tooltip=[
                alt.Tooltip("sector:N", title="Secteur"),
                alt.Tooltip("stage_label:N", title="Étape"),
                alt.Tooltip("start:T", title="Début", format="%d/%m/%Y"),
                alt.Tooltip("end:T", title="Fin", format="%d/%m/%Y"),
                alt.Tooltip("kind:N", title="Dates"),
            ],
        )
    )
    if today is not None:
        mark = pd.DataFrame({"day": [today.isoformat()], "label": ["aujourd'hui"]})
        rule = alt.Chart(mark).mark_rule(strokeDash=[6, 4], color="#000000", strokeWidth=2).encode(x="day:T")
        label = (
            alt.Chart(mark)
            .mark_text(align="left", dx=4, dy=-6, fontSize=FONT, baseline="bottom")
            .encode(x="day:T", text="label:N", y=alt.value(0))
        )
        chart = chart + rule + label
    return _sized(chart, width)


def uptake_chart(df: pd.DataFrame, *, width: int | None = None, name_col: str = "name"):
    """Uptake by sector, highest first, with the percentage written at the end of each bar."""
    data = df[[name_col, "uptake", "subscribers", "dwellings"]].dropna(subset=["uptake"]).copy()
    data["uptake"] = data["uptake"].astype(float)
    data = data.rename(columns={name_col: "sector"}).sort_values("uptake", ascending=False)
    # An explicit order: "-x" sorting does not carry over to a layered chart.
    base = alt.Chart(data).encode(
        y=alt.Y("sector:N", title=None, sort=list(data["sector"]), axis=alt.Axis(labelLimit=NAME_LIMIT)),
        x=alt.X("uptake:Q", title="Taux d'adhésion", axis=alt.Axis(format=".0%")),
    )
    bars = base.mark_bar(color=PALETTE[0]).encode(
        tooltip=[
            alt.Tooltip("sector:N", title="Secteur"),
            alt.Tooltip("subscribers:Q", title="Abonnés", format=",d"),
            alt.Tooltip("dwellings:Q", title="Logements", format=",d"),
            alt.Tooltip("uptake:Q", title="Taux d'adhésion", format=".1%"),
        ]
    )
    text = base.mark_text(align="left", dx=4, fontSize=FONT).encode(text=alt.Text("uptake:Q", format=".0%"))
    return _sized(bars + text, width)


def trend_chart(df: pd.DataFrame, *, width: int | None = None):
    """Subscribers at each year end, with the dwellings covered as a second series."""
    long = df.melt(id_vars="year", value_vars=["dwellings", "subscribers"], var_name="series", value_name="n")
    long["series"] = long["series"].map({"dwellings": "Logements couverts", "subscribers": "Abonnés"})
    chart = (
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(size=80), strokeWidth=3)
        .encode(
            x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("n:Q", title=None, axis=alt.Axis(format=",d")),
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("series:N", title=None),
            tooltip=[
                alt.Tooltip("year:O", title="Année"),
                alt.Tooltip("series:N", title="Série"),
                alt.Tooltip("n:Q", title="Nombre", format=",d"),
            ],
        )
    )
    return _sized(chart, width)


def support_chart(df: pd.DataFrame, *, width: int | None = None):
    """People reached each month: workshop participations and drop-in visitors, side by side."""
    chart = (
        alt.Chart(_iso(df, "date"))
        .mark_bar()
        .encode(
            x=alt.X("yearmonth(date):O", title=None, axis=alt.Axis(format="%b", labelAngle=0)),
            xOffset=alt.XOffset("activity:N"),
            y=alt.Y("people:Q", title="Personnes", axis=alt.Axis(format=",d")),
            color=alt.Color("activity:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("yearmonth(date):T", title="Mois", format="%B %Y"),
                alt.Tooltip("activity:N", title="Activité"),
                alt.Tooltip("people:Q", title="Personnes", format=",d"),
            ],
        )
    )
    return _sized(chart, width)
