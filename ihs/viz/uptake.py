"""Uptake charts: lines over time, the cohort view, the tariff steps, the cost per subscriber."""

from __future__ import annotations

import altair as alt
import pandas as pd

PCT = alt.Axis(format=".0%", tickCount=6)


def _sector_styles():
    """Colour and dash pattern per sector, in one legend: colour is not the only way to tell lines apart."""
    legend = alt.Legend(title=None, orient="right", symbolStrokeWidth=4, symbolSize=600, labelLimit=240)
    return {"color": alt.Color("name:N", legend=legend), "strokeDash": alt.StrokeDash("name:N", legend=legend)}


def _last_points(df: pd.DataFrame, x: str, x_type: str) -> alt.Chart:
    """A dot at each sector's latest value: marks today's level, and shows a sector with one count."""
    last = df.sort_values(x).groupby("name", as_index=False).tail(1)
    return (
        alt.Chart(last)
        .mark_point(filled=True, size=140)
        .encode(
            x=f"{x}:{x_type}",
            y="uptake:Q",
            color=alt.Color("name:N", legend=None),
            tooltip=_sector_tooltip(f"{x}:{x_type}", "Dernier relevé"),
        )
    )


def _sector_tooltip(x_field: str, x_title: str, x_format: str | None = None) -> list:
    x_tip = alt.Tooltip(x_field, title=x_title, format=x_format) if x_format else alt.Tooltip(x_field, title=x_title)
    return [
        alt.Tooltip("name:N", title="Secteur"),
        x_tip,
        alt.Tooltip("subscribers:Q", title="Abonnés", format=",d"),
        alt.Tooltip("dwellings:Q", title="Logements", format=",d"),
        alt.Tooltip("uptake:Q", title="Taux d'adhésion", format=".0%"),
    ]


def uptake_by_sector_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Uptake per sector over time (from `ihs.queries.uptake.uptake_by_sector`)."""
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=3)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y("uptake:Q", title="Taux d'adhésion", axis=PCT),
            tooltip=_sector_tooltip("month:T", "Mois", "%m/%Y"),
            **_sector_styles(),
        )
    )
    return alt.layer(lines, _last_points(df, "month", "T"))


def total_subscribers(df: pd.DataFrame) -> alt.Chart:
    """Programme subscribers per month (from `ihs.queries.uptake.uptake_total`)."""
    return (
        alt.Chart(df)
        .mark_area(line={"color": "#0072B2", "strokeWidth": 3}, color="#0072B2", opacity=0.25)
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y("subscribers:Q", title="Abonnés", axis=alt.Axis(format=",d")),
            tooltip=[
                alt.Tooltip("month:T", title="Mois", format="%m/%Y"),
                alt.Tooltip("subscribers:Q", title="Abonnés", format=",d"),
                alt.Tooltip("dwellings:Q", title="Logements couverts", format=",d"),
                alt.Tooltip("uptake:Q", title="Taux d'adhésion", format=".0%"),
            ],
        )
    )


def total_uptake(df: pd.DataFrame) -> alt.Chart:
    """Programme uptake per month (from `ihs.queries.uptake.uptake_total`)."""
    return (
        alt.Chart(df)
        .mark_line(strokeWidth=3, color="#009E73")
        .encode(
            x=alt.X("month:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
            y=alt.Y("uptake:Q", title="Taux d'adhésion", axis=PCT),
            tooltip=[
                alt.Tooltip("month:T", title="Mois", format="%m/%Y"),
                alt.Tooltip("uptake:Q", title="Taux d'adhésion", format=".1%"),
                alt.Tooltip("subscribers:Q", title="Abonnés", format=",d"),
            ],
        )
    )


def cohort_chart(df: pd.DataFrame) -> alt.LayerChart:
    """Uptake against months since implementation (from `ihs.queries.uptake.cohort`)."""
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=3)
        .encode(
            x=alt.X("months_since:Q", title="Mois depuis la mise en œuvre", axis=alt.Axis(tickMinStep=12)),
            y=alt.Y("uptake:Q", title="Taux d'adhésion", axis=PCT),
            tooltip=_sector_tooltip("months_since:Q", "Mois depuis la mise en œuvre"),
            **_sector_styles(),
        )
    )
    return alt.layer(lines, _last_points(df, "months_since", "Q"))


def tariff_steps(df: pd.DataFrame) -> alt.LayerChart:
    """Monthly price per dwelling as steps (from `ihs.queries.uptake.tariff_history`)."""
    base = alt.Chart(df).encode(
        x=alt.X("valid_from:T", title=None, axis=alt.Axis(format="%Y", tickCount="year")),
        y=alt.Y(
            "monthly_price_eur:Q",
            title=None,
            scale=alt.Scale(zero=False, padding=20),
            axis=alt.Axis(format="$.2f"),
        ),
        tooltip=[
            alt.Tooltip("valid_from:T", title="Depuis le", format="%d/%m/%Y"),
            alt.Tooltip("monthly_price_eur:Q", title="Tarif mensuel", format="$.2f"),
            alt.Tooltip("offer:N", title="Offre"),
            alt.Tooltip("operator:N", title="Opérateur"),
        ],
    )
    steps = base.mark_line(interpolate="step-after", strokeWidth=3, color="#0072B2")
    starts = df.iloc[:-1] if len(df) > 1 and df["valid_from"].iloc[-1] != df["valid_from"].iloc[-2] else df
    points = (
        alt.Chart(starts)
        .mark_point(filled=True, size=120, color="#0072B2")
        .encode(x="valid_from:T", y="monthly_price_eur:Q")
    )
    text = (
        alt.Chart(starts)
        .mark_text(align="left", dx=6, dy=-16, fontSize=18)
        .encode(x="valid_from:T", y="monthly_price_eur:Q", text=alt.Text("monthly_price_eur:Q", format="$.2f"))
    )
    return alt.layer(steps, points, text)


def yearly_charges(df: pd.DataFrame) -> alt.LayerChart:
    """What the collective contract charged each year, month by month (`collective_cost`), labelled;
    the run rate and the cost per subscriber in the tooltip."""
    base = alt.Chart(df).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy")),
        y=alt.Y("charges_eur:Q", title=None, axis=alt.Axis(format="$,d")),
        tooltip=[
            alt.Tooltip("year:O", title="Année"),
            alt.Tooltip("months:Q", title="Mois facturés", format="d"),
            alt.Tooltip("charges_eur:Q", title="Facturé dans l'année", format="$,.0f"),
            alt.Tooltip("dwellings:Q", title="Logements couverts en fin de période", format=",d"),
            alt.Tooltip("monthly_price_eur:Q", title="Tarif mensuel en fin de période", format="$.2f"),
            alt.Tooltip("run_rate_eur:Q", title="Rythme annuel en fin de période", format="$,.0f"),
            alt.Tooltip("subscribers:Q", title="Abonnés", format=",d"),
            alt.Tooltip("cost_per_subscriber_eur:Q", title="€ par abonné et par an (rythme)", format="$,.0f"),
        ],
    )
    bars = base.mark_bar(color="#E69F00")
    # Thousands of euros above the bars: full amounts of 18 years overlap at 1280 px.
    text = (
        base.transform_calculate(label="format(datum.charges_eur / 1000, ',.0f') + ' k€'")
        .mark_text(baseline="bottom", dy=-4, fontSize=14)
        .encode(text="label:N")
    )
    return alt.layer(bars, text)
