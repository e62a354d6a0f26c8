"""Support charts (workshops, drop-ins, legal advice, equipment): DataFrame -> unstyled Altair chart."""

from __future__ import annotations

import os

import altair as alt
import pandas as pd

PRESENT = "Présents"
RETURNING = "Déjà venus à une séance précédente"


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


_BELOW = alt.Legend(orient="bottom", direction="vertical", columns=1)
_ABOVE = alt.Legend(orient="top", direction="vertical", columns=1)


def workshop_chart_height(sessions: pd.DataFrame) -> int:
    """Pixels for `workshop_chart`: the plot, then one legend line per cycle and per measure."""
    return 360 + 40 * (sessions["series_id"].nunique() + 3)


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
            x=alt.X("session_no:O", title="Séance", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("people:Q", title="Personnes", axis=alt.Axis(format="d")),
            # Legends above and under the plot, one entry per line: beside it they squeezed the plot
            # to a sliver on a phone. The page adds their height (`workshop_chart_height`).
            color=alt.Color("label:N", title="Cycle", legend=_BELOW),
            strokeDash=alt.StrokeDash(
                "measure:N",
                title=None,
                scale=alt.Scale(domain=[PRESENT, RETURNING], range=[[1, 0], [6, 4]]),
                legend=_ABOVE,
            ),
            shape=alt.Shape("measure:N", title=None, scale=alt.Scale(domain=[PRESENT, RETURNING]), legend=_ABOVE),
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
    text = base.mark_text(align="left", dx=6, fontSize=18).encode(text=alt.Text("visits:Q", format=",d"))
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
    text = base.mark_text(baseline="bottom", dy=-4, fontSize=16).encode(
        x=x(bandPosition=0.5), text=alt.Text("computers_sold:Q", format="d")
    )
    return alt.layer(bars, text)
