"""Support charts (workshops, drop-ins, legal advice, equipment): DataFrame -> unstyled Altair chart."""

from __future__ import annotations

import os

import altair as alt
import pandas as pd

from ihs.charts import FONT

PRESENT = "Présents"
RETURNING = "Dont déjà venus"  # among those present, people who came to an earlier session of the cycle


def _dt(df: pd.DataFrame, column: str) -> pd.DataFrame:
    df = df.copy()
    df[column] = pd.to_datetime(df[column])  # plain dates do not serialise to Vega-Lite JSON
    return df


def short_titles(titles: list[str], sep: str = " – ") -> dict[str, str]:
    """Each title without the words all of them start with, up to a `sep` ("Ateliers numériques – "):
    the legend then shows what tells the cycles apart instead of cutting every title at the same place."""
    if len(titles) < 2:
        return {t: t for t in titles}
    # A prefix of characters on purpose: it is cut back to the last separator just below.
    common = os.path.commonprefix(titles)  # noqa: RUF071
    cut = common.rfind(sep)
    if cut < 0:
        return {t: t for t in titles}
    return {t: t[cut + len(sep) :] for t in titles}


# The height (pixels) of a tab's main chart, its axes and legends included (Streamlit fits the whole
# chart in it): under the page's title, key figures and tabs, the whole chart lies above the fold
# of a 1280×720 projector, sidebar open.
CHART_HEIGHT = 290
LEGAL_COLUMNS = ["offers_compared", "contracts_terminated"]
EQUIPMENT_COLUMNS = ["computers_sold", "amount_eur"]
# Both legends above the plot, on as few lines as they need (beside it they squeezed the plot to a
# sliver on a phone): the measures on one line; the cycles two to a line, without a title, and none
# for a single cycle (named in the table under the chart).
_CYCLES = alt.Legend(orient="top", direction="horizontal", columns=2, title=None, labelLimit=440)
_MEASURES = alt.Legend(orient="top", direction="horizontal", title=None, labelLimit=640)
_LEGEND_LINE = 30  # px: one line of legend at 18 px


def months_with(monthly: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The months of `ihs.queries.support.monthly_support` with any of `columns` recorded (the
    month column and `columns`): what a tab's month-by-month chart draws."""
    return monthly.loc[(monthly[columns] > 0).any(axis=1), ["month", *columns]]


def workshop_chart_height(sessions: pd.DataFrame) -> int:
    """Pixels for the whole of `workshop_chart`: `CHART_HEIGHT`, and a line more for each line of
    the cycles' legend (many cycles then run past the fold; the plot keeps its height)."""
    cycles = sessions["series_id"].nunique()
    return CHART_HEIGHT + (_LEGEND_LINE * ((cycles + 1) // 2) if cycles > 1 else 0)


def workshop_chart(sessions: pd.DataFrame) -> alt.Chart:
    """Attendance per session of each cycle (solid) and, among them, returning participants (dashed)."""
    df = _dt(sessions, "held_on")
    long = df.melt(
        id_vars=["cycle", "session_no", "held_on"],
        value_vars=["attendance", "returning_participants"],
        var_name="measure",
        value_name="people",
    ).dropna(subset=["people"])
    long["measure"] = long["measure"].map({"attendance": PRESENT, "returning_participants": RETURNING})
    long["label"] = long["cycle"].map(short_titles(long["cycle"].unique().tolist()))
    return (
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(size=90, filled=True), strokeWidth=3)
        .encode(
            # « séance 1 », « séance 2 »… under the plot: the axis's title took a line of the plot.
            x=alt.X("session_no:O", title=None, axis=alt.Axis(labelAngle=0, labelExpr="'séance ' + datum.label")),
            y=alt.Y("people:Q", title="Personnes", axis=alt.Axis(format="d", tickMinStep=1)),
            # The page adds the legend's lines to the chart's height (`workshop_chart_height`).
            color=alt.Color("label:N", title="Cycle", legend=_CYCLES if long["label"].nunique() > 1 else None),
            strokeDash=alt.StrokeDash(
                "measure:N",
                title=None,
                scale=alt.Scale(domain=[PRESENT, RETURNING], range=[[1, 0], [6, 4]]),
                legend=_MEASURES,
            ),
            shape=alt.Shape("measure:N", title=None, scale=alt.Scale(domain=[PRESENT, RETURNING]), legend=_MEASURES),
            tooltip=[
                alt.Tooltip("cycle:N", title="Cycle"),
                alt.Tooltip("session_no:O", title="Séance"),
                alt.Tooltip("held_on:T", title="Date", format="%d/%m/%Y"),
                alt.Tooltip("measure:N", title="Mesure"),
                alt.Tooltip("people:Q", title="Personnes", format="d"),
            ],
        )
    )


def dropins_chart(weekly: pd.DataFrame) -> alt.Chart:
    """People received at drop-ins per week (Monday of the week on the axis)."""
    df = _dt(weekly, "week")
    return (
        alt.Chart(df)
        .mark_bar(color="#0072B2", width={"band": 0.8})
        .encode(
            x=alt.X("week:T", title=None, timeUnit="yearweek", axis=alt.Axis(format="%b %Y", labelAngle=0)),
            y=alt.Y("people_seen:Q", title="Personnes reçues", axis=alt.Axis(format="d")),
            tooltip=[
                alt.Tooltip("week:T", title="Semaine du", format="%d/%m/%Y"),
                alt.Tooltip("people_seen:Q", title="Personnes reçues", format="d"),
                alt.Tooltip("sessions:Q", title="Permanences", format="d"),
            ],
        )
    )


def topics_chart(topics: pd.DataFrame) -> alt.LayerChart:
    """How many drop-in visits raised each topic, most frequent first, with the count written."""
    order = topics.sort_values("visits", ascending=False)["label"].tolist()
    base = alt.Chart(topics).encode(
        y=alt.Y("label:N", sort=order, title=None),
        x=alt.X("visits:Q", title="Permanences où le sujet a été abordé", axis=alt.Axis(format="d")),
        tooltip=[alt.Tooltip("label:N", title="Sujet"), alt.Tooltip("visits:Q", title="Permanences", format="d")],
    )
    bars = base.mark_bar(color="#009E73")
    text = base.mark_text(align="left", dx=6, fontSize=FONT).encode(text=alt.Text("visits:Q", format=",d"))
    return alt.layer(bars, text)


LEGAL = {"offers_compared": "Offres comparées", "contracts_terminated": "Anciens contrats résiliés"}


def legal_chart(monthly: pd.DataFrame) -> alt.Chart:
    """Offers compared and old contracts terminated per month (two lines, different dashes and marks)."""
    df = _dt(monthly, "month")
    long = df.melt(id_vars=["month"], value_vars=list(LEGAL), var_name="measure", value_name="count")
    long["measure"] = long["measure"].map(LEGAL)
    domain = list(LEGAL.values())
    return (
        alt.Chart(long)
        .mark_line(point=alt.OverlayMarkDef(size=90, filled=True), strokeWidth=3)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0)),
            y=alt.Y("count:Q", title="Par mois", axis=alt.Axis(format="d")),
            color=alt.Color("measure:N", title=None, scale=alt.Scale(domain=domain, range=["#0072B2", "#D55E00"])),
            strokeDash=alt.StrokeDash("measure:N", title=None, scale=alt.Scale(domain=domain, range=[[1, 0], [6, 4]])),
            shape=alt.Shape("measure:N", title=None, scale=alt.Scale(domain=domain, range=["circle", "square"])),
            tooltip=[
                alt.Tooltip("month:T", title="Mois", format="%B %Y"),
                alt.Tooltip("measure:N", title="Mesure"),
                alt.Tooltip("count:Q", title="Nombre", format="d"),
            ],
        )
    )


def equipment_chart(monthly: pd.DataFrame) -> alt.LayerChart:
    """Refurbished computers sold per month, the count written on each bar; € collected in the tooltip."""
    df = _dt(monthly, "month")

    def x(**extra):
        return alt.X("month:T", title=None, timeUnit="yearmonth", axis=alt.Axis(format="%b %Y", labelAngle=0), **extra)

    base = alt.Chart(df).encode(
        x=x(),
        y=alt.Y("computers_sold:Q", title="Ordinateurs vendus", axis=alt.Axis(format="d")),
        tooltip=[
            alt.Tooltip("month:T", title="Mois", timeUnit="yearmonth", format="%B %Y"),
            alt.Tooltip("computers_sold:Q", title="Ordinateurs vendus", format="d"),
            alt.Tooltip("amount_eur:Q", title="Montant encaissé (€)", format=",.0f"),
        ],
    )
    bars = base.mark_bar(color="#E69F00", width={"band": 0.8})
    # Centred on the month's bar (a time-unit band), not on the month's first day.
    text = base.mark_text(baseline="bottom", dy=-4, fontSize=FONT).encode(
        x=x(bandPosition=0.5), text=alt.Text("computers_sold:Q", format="d")
    )
    return alt.layer(bars, text)
