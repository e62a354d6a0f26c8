"""Altair charts of the annual report and the presentation slides (pure builders, no Streamlit).

Each builder takes the tidy DataFrame of `ihs.report_data` and returns an unstyled chart:
pages pass it to `ihs.ui.widgets.chart` (which applies `ihs.charts.style`), the report renders
`style(chart)` to PNG with `ihs.charts.to_png`, so both show the same spec.
"""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from ihs.charts import PALETTE, STAGE_COLOURS
from ihs.queries.sectors import STAGE_LABELS, STAGE_ORDER

STAGE_DOMAIN = [STAGE_LABELS[s] for s in STAGE_ORDER]
STAGE_RANGE = [STAGE_COLOURS[label] for label in STAGE_DOMAIN]
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


def map_chart(df: pd.DataFrame, commune: dict | None = None, *, width: int | None = None, labels: bool = True):
    """Sectors coloured by stage: outlines where known, else a point; the stage is also in the label."""
    stage_scale = alt.Scale(domain=STAGE_DOMAIN, range=STAGE_RANGE)
    stage_colour = alt.Color("stage_label:N", title="Étape", scale=stage_scale, legend=alt.Legend(orient="right"))
    tooltip = [alt.Tooltip("name:N", title="Secteur"), alt.Tooltip("stage_label:N", title="Étape")]
    features, points = [], []
    for row in df.itertuples():
        props = {"name": row.name, "stage_label": row.stage_label}
        has_outline = isinstance(row.geojson, str) and bool(row.geojson)
        if has_outline:
            features.append({"type": "Feature", "geometry": json.loads(row.geojson), "properties": props})
        if row.lat is not None and not pd.isna(row.lat):
            points.append({**props, "lat": float(row.lat), "lon": float(row.lon), "outline": has_outline})
    layers = []
    if commune:
        layers.append(
            alt.Chart(alt.Data(values=commune["features"])).mark_geoshape(
                fill="#f2f2f2", stroke="#888888", strokeWidth=1
            )
        )
    if features:
        layers.append(
            alt.Chart(alt.Data(values=features))
            .mark_geoshape(stroke="#333333", strokeWidth=0.8, fillOpacity=0.85)
            .encode(
                color=alt.Color("properties.stage_label:N", title="Étape", scale=stage_scale),
                tooltip=[
                    alt.Tooltip("properties.name:N", title="Secteur"),
                    alt.Tooltip("properties.stage_label:N", title="Étape"),
                ],
            )
        )
    if points:
        pts = pd.DataFrame(points)
        base = alt.Chart(pts).encode(longitude="lon:Q", latitude="lat:Q")
        layers.append(
            base.transform_filter("!datum.outline")
            .mark_point(filled=True, size=260, shape="diamond", stroke="#333333")
            .encode(color=stage_colour, tooltip=tooltip)
        )
        if labels:
            layers.append(base.mark_text(fontSize=11, dy=-12, fontWeight="bold", color="#222222").encode(text="name:N"))
    if not layers:
        return _sized(alt.Chart(pd.DataFrame({"x": []})).mark_point(), width)
    chart = alt.layer(*layers).project(type="mercator")
    return _sized(chart, width)


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
            .mark_text(align="left", dx=4, dy=-6, fontSize=14, baseline="bottom")
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
        y=alt.Y("sector:N", title=None, sort=list(data["sector"]), axis=alt.Axis(labelLimit=260)),
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
    text = base.mark_text(align="left", dx=4, fontSize=14).encode(text=alt.Text("uptake:Q", format=".0%"))
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


def awareness_chart(df: pd.DataFrame, *, width: int | None = None, top: int = 10):
    """Sectors where the most households arrived since the last information action."""
    data = _iso(df.dropna(subset=["arrived_share"]).head(top), "last_information")
    data["arrived_share"] = data["arrived_share"].astype(float)
    data["basis"] = data["estimated"].map({True: "estimé (taux de rotation)", False: "emménagements déclarés"})
    data = data.sort_values("arrived_share", ascending=False)
    base = alt.Chart(data).encode(
        y=alt.Y("sector:N", title=None, sort=list(data["sector"]), axis=alt.Axis(labelLimit=260)),
        x=alt.X(
            "arrived_share:Q",
            title="Ménages arrivés depuis la dernière action d'information",
            axis=alt.Axis(format=".0%"),
        ),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "basis:N",
            title="Source",
            scale=alt.Scale(
                domain=["emménagements déclarés", "estimé (taux de rotation)"], range=[PALETTE[5], "#E69F00"]
            ),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("sector:N", title="Secteur"),
            alt.Tooltip("arrived_share:Q", title="Ménages arrivés depuis", format=".0%"),
            alt.Tooltip("last_information:T", title="Dernière action", format="%d/%m/%Y"),
            alt.Tooltip("basis:N", title="Source"),
        ],
    )
    text = base.mark_text(align="left", dx=4, fontSize=14).encode(text=alt.Text("arrived_share:Q", format=".0%"))
    return _sized(bars + text, width)


def ballot_places_chart(df: pd.DataFrame, *, width: int | None = None):
    """Voters so far at each polling place, with the number written on the bar."""
    base = alt.Chart(df[["place", "voters"]]).encode(
        y=alt.Y("place:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X("voters:Q", title="Votants", axis=alt.Axis(format=",d")),
    )
    bars = base.mark_bar(color=PALETTE[1]).encode(
        tooltip=[alt.Tooltip("place:N", title="Bureau"), alt.Tooltip("voters:Q", title="Votants", format=",d")]
    )
    text = base.mark_text(align="left", dx=4, fontSize=16).encode(text=alt.Text("voters:Q", format=",d"))
    return _sized(bars + text, width)
