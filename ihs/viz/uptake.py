"""Uptake charts: lines over time, the cohort view, the tariff steps, the cost per subscriber."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from ihs.charts import FONT, FONT_SIZE, TEXT_COLOUR, font_px

PCT = alt.Axis(format=".0%", tickCount=6)
# Events on the time series (`ihs.queries.uptake.uptake_events`): a sector joining, a tariff change.
EVENT_STYLES = {
    "join": {"rule": "#555B66", "dash": [6, 4], "text": TEXT_COLOUR},
    "tariff": {"rule": "#D55E00", "dash": [2, 3], "text": "#8F3A00"},  # 6.6:1 on white
}
# Labels are written upright along their rule; two labels closer than this would overlap at
# 1280 px (about 55 px a year on the page's time axis, a label 22 px wide): the later one moves right.
LABEL_GAP = pd.Timedelta(days=150)
LABEL_LETTERS = 26  # a line of a label: what the plot's height holds at 1280×720
# The labels follow the window like the rest of the chart's text, up to 22 px: a larger screen gives
# the time axis more room, not the plot more height, and a label is written along the plot's height.
_LABEL_FONT = {"expr": f"min({font_px(FONT_SIZE)['expr']}, 22)"}


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


def _label_days(days: pd.Series, lines: pd.Series) -> list[pd.Timestamp]:
    """Where each event's label goes (`days` sorted): on its day, or `LABEL_GAP` a line after the
    previous label (a label of `lines` lines takes that many gaps)."""
    placed: list[pd.Timestamp] = []
    for day, previous_lines in zip(pd.to_datetime(days), [0, *lines], strict=False):
        placed.append(max(day, placed[-1] + LABEL_GAP * previous_lines) if placed else day)
    return placed


def _shown_label(kind: str, name: str, label: str) -> str:
    """What a rule's label says: the sector's name for a joining (the grey dashes say what it is:
    « entrée de … » is in the tooltip), the label for a tariff; a long name on two lines (a label is
    written along the plot's height, 26 letters at 1280×720)."""
    text = name if kind == "join" else label
    lines = textwrap.wrap(text, LABEL_LETTERS)
    return "\n".join([lines[0], " ".join(lines[1:])] if len(lines) > 2 else lines)


def event_marks(events: pd.DataFrame) -> list[alt.Chart]:
    """A vertical rule at each event of `uptake_events` (dashed grey: a sector joins; dotted orange:
    a tariff changes) and its label written upright from the top of the plot, on a white halo so it
    stays readable where it crosses the curve."""
    df = events.sort_values("day").copy()
    df["day"] = pd.to_datetime(df["day"])
    df["shown"] = [_shown_label(*row) for row in zip(df["kind"], df["name"], df["label"], strict=True)]
    df["label_day"] = _label_days(df["day"], df["shown"].str.count("\n") + 1)
    tooltip = [alt.Tooltip("day:T", title="Date", format="%d/%m/%Y"), alt.Tooltip("label:N", title="Événement")]
    kinds = list(EVENT_STYLES)
    rules = (
        alt.Chart(df)
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X("day:T", title=None),
            color=alt.Color(
                "kind:N", scale=alt.Scale(domain=kinds, range=[s["rule"] for s in EVENT_STYLES.values()]), legend=None
            ),
            strokeDash=alt.StrokeDash(
                "kind:N", scale=alt.Scale(domain=kinds, range=[s["dash"] for s in EVENT_STYLES.values()]), legend=None
            ),
            tooltip=tooltip,
        )
    )
    # Rotated a quarter turn: the text runs up from its end at the top of the plot, just right of x.
    upright = {
        "angle": 270,
        "align": "right",
        "baseline": "top",
        "dy": 3,
        "y": 4,
        "fontSize": _LABEL_FONT,
        "limit": {"expr": "height - 8"},
        "lineBreak": "\n",
        # On a phone the labels would pile up: the rules stay, each with its tooltip.
        "opacity": {"expr": "width < 700 ? 0 : 1"},
    }
    halo = alt.Chart(df).mark_text(**upright, stroke="white", strokeWidth=5, strokeJoin="round", fill="white")
    text = alt.Chart(df).mark_text(**upright, fontWeight="bold")
    labels = [
        halo.encode(x=alt.X("label_day:T", title=None), text="shown:N"),
        text.encode(
            x=alt.X("label_day:T", title=None),
            text="shown:N",
            color=alt.Color(
                "kind:N", scale=alt.Scale(domain=kinds, range=[s["text"] for s in EVENT_STYLES.values()]), legend=None
            ),
            tooltip=tooltip,
        ),
    ]
    return [rules, *labels]


def _with_events(chart: alt.Chart, events: pd.DataFrame | None) -> alt.Chart | alt.LayerChart:
    """`chart` with `event_marks(events)` over it; the colour scales of the curve and of the events
    stay apart (`resolve_scale`)."""
    if events is None or events.empty:
        return chart
    # The height given is the plot's, the axes and title come on top of it (Streamlit's default fits
    # them in the height): the labels, written along the plot's height, keep their room on a larger
    # screen, whose larger axis text would otherwise take it.
    return (
        alt.layer(chart, *event_marks(events))
        .resolve_scale(color="independent", strokeDash="independent")
        .properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    )


def total_subscribers(df: pd.DataFrame, events: pd.DataFrame | None = None) -> alt.Chart | alt.LayerChart:
    """Programme subscribers per month (from `ihs.queries.uptake.uptake_total`); with `events`
    (`uptake_events`), each sector's joining and each tariff change marked on it."""
    return _with_events(_subscribers(df), events)


def total_uptake(df: pd.DataFrame, events: pd.DataFrame | None = None) -> alt.Chart | alt.LayerChart:
    """Programme uptake per month (from `ihs.queries.uptake.uptake_total`); with `events`
    (`uptake_events`), each sector's joining — where the curve drops — and each tariff change."""
    return _with_events(_uptake(df), events)


def _subscribers(df: pd.DataFrame) -> alt.Chart:
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


def _uptake(df: pd.DataFrame) -> alt.Chart:
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
        .mark_text(align="left", dx=6, dy=-16, fontSize=FONT)
        .encode(x="valid_from:T", y="monthly_price_eur:Q", text=alt.Text("monthly_price_eur:Q", format="$.2f"))
    )
    return alt.layer(steps, points, text)


def yearly_charges(df: pd.DataFrame) -> alt.LayerChart:
    """What the collective contract charged each year, month by month (`collective_cost`), labelled;
    the run rate and the cost per subscriber in the tooltip."""
    top = float(df["charges_eur"].max()) if len(df) else 0.0
    base = alt.Chart(df).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy")),
        # Room above the tallest bar for its label.
        y=alt.Y("charges_eur:Q", title=None, axis=alt.Axis(format="$,d"), scale=alt.Scale(domainMax=top * 1.35 or 1)),
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
    # Thousands of euros above the bars, written upright: 18 years of « 165 k€ » side by side overlap
    # at 1280 px at 18 px.
    text = (
        base.transform_calculate(label="format(datum.charges_eur / 1000, ',.0f') + ' k€'")
        .mark_text(angle=270, align="left", baseline="middle", dx=6, fontSize=_LABEL_FONT)
        .encode(text="label:N")
    )
    return alt.layer(bars, text)
