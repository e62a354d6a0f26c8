"""Accompagnement: workshops, drop-ins, legal advice and equipment over a year."""

from datetime import date

import pandas as pd
import streamlit as st

from ihs.formats import fr_date, fr_eur, fr_int, fr_pct
from ihs.programme import get_setting
from ihs.queries.support import (
    dropin_topics,
    dropins_per_week,
    latest_cycles,
    monthly_support,
    returning_share,
    support_totals,
    support_years,
    termination_share,
    workshop_cycles,
    workshop_sessions,
)
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import read
from ihs.ui.widgets import chart, lazy_tabs, no_data, table
from ihs.viz.support import (
    CHART_HEIGHT,
    EQUIPMENT_COLUMNS,
    LEGAL_COLUMNS,
    dropins_chart,
    equipment_chart,
    legal_chart,
    months_with,
    topics_chart,
    workshop_chart,
    workshop_chart_height,
)

today = as_of()
frozen_band()
# The year beside the title, and the period under the title: the figures and the chart start higher,
# and the whole chart of the open tab lies above the fold of a 1280×720 projector.
title, choice = st.columns([3, 1], vertical_alignment="bottom")
title.title("Accompagnement")
years = read(support_years, today)
year = choice.selectbox("Année", years, index=0, key="acc_annee")
title.caption(f"Activité du 01/01/{year} au {fr_date(min(today, date(year, 12, 31)))} (saisies supprimées exclues)")

totals = read(support_totals, year, today)
row1 = st.columns(4)
row1[0].metric("Cycles d'ateliers", fr_int(totals["workshop_cycles"]))
row1[1].metric("Séances d'ateliers", fr_int(totals["workshop_sessions"]))
row1[2].metric("Participations aux ateliers", fr_int(totals["workshop_attendance"]))
# Short enough for a quarter of the projector's width (« Personnes reçues en perma… » was cut).
row1[3].metric("Reçus en permanence", fr_int(totals["dropin_people"]), help="Personnes reçues en permanence")
row2 = st.columns(4)
row2[0].metric("Offres comparées", fr_int(totals["offers_compared"]))
row2[1].metric("Anciens contrats résiliés", fr_int(totals["contracts_terminated"]))
row2[2].metric("Ordinateurs vendus", fr_int(totals["computers_sold"]))
row2[3].metric("Montant encaissé", fr_eur(totals["amount_eur"], 0))

workshops, dropins, legal, equipment = lazy_tabs(
    ["Ateliers numériques", "Permanences", "Accompagnement juridique", "Équipement"], key="acc_onglet"
)


def workshops_tab() -> None:
    """The chart of the chosen cycles first; under it what it says, the choice of cycles, the table."""
    cycles = read(workshop_cycles, year, today)
    if cycles.empty:
        no_data(f"Aucune séance d'atelier numérique enregistrée en {year}.")
        return
    sessions = read(workshop_sessions, year, today)
    returning = returning_share(cycles)
    held = fr_int(cycles["sessions_held"].sum())
    limit = int(read(get_setting, "support.chart_max_cycles"))
    drawn_slot = st.container()
    st.markdown(
        f"**{fr_int(len(cycles))} cycle(s), {held} séances.** "
        f"Aux séances après la première, **{fr_pct(returning)}** des présents étaient déjà venus."
    )
    drawn = sessions
    if len(cycles) > limit:
        # One line per cycle: beyond a handful, neither the lines nor the legend can be read.
        titles = dict(zip(cycles["series_id"], cycles["cycle"], strict=True))
        picked = st.multiselect(
            "Cycles sur le graphique",
            list(titles),
            default=latest_cycles(cycles, limit),
            format_func=titles.get,
            placeholder="Chercher un cycle",
        )
        st.caption(
            f"Par défaut, les {fr_int(limit)} cycles commencés le plus récemment, sur {fr_int(len(cycles))} ; "
            "tous sont dans le tableau ci-dessous."
        )
        drawn = sessions[sessions["series_id"].isin(picked)]
    with drawn_slot:
        if drawn.empty:
            no_data("Choisissez au moins un cycle à afficher sur le graphique.")
        else:
            chart(
                workshop_chart(drawn),
                drawn,
                key="ateliers",
                height=workshop_chart_height(drawn),
                alt=f"Présents à chaque séance des ateliers numériques en {year}, un trait par cycle : "
                f"{fr_int(len(cycles))} cycle(s), {held} séances ; "
                f"{fr_pct(returning)} des présents après la première séance étaient déjà venus.",
            )
    shown = cycles.assign(
        seances=cycles["sessions_held"].map(fr_int) + " / " + cycles["planned_sessions"].map(fr_int),
        debut=cycles["first_session"].map(fr_date),
        moyenne=cycles["attendance_mean"].map(fr_int),
        revenus=cycles["returning_share"].map(lambda v: "–" if pd.isna(v) else fr_pct(v)),
    )[["cycle", "debut", "seances", "attendance_first", "moyenne", "revenus"]]
    shown.columns = ["Cycle", "Début", "Séances tenues / prévues", "Présents 1re séance", "Moyenne", "Déjà venus"]
    table(shown)


def dropins_tab() -> None:
    weekly = read(dropins_per_week, year, today)
    if weekly.empty:
        no_data(f"Aucune permanence enregistrée en {year}.")
        return
    people, sessions = fr_int(weekly["people_seen"].sum()), fr_int(weekly["sessions"].sum())
    chart(
        dropins_chart(weekly),
        weekly,
        key="permanences",
        height=CHART_HEIGHT,
        alt=f"Personnes reçues aux permanences chaque semaine de {year} : {people} personnes en {sessions} permanences.",
    )
    st.markdown(f"**{people} personnes reçues** lors de {sessions} permanences, sur {fr_int(len(weekly))} semaines.")
    topics = read(dropin_topics, year, today)
    st.header("Sujets abordés")
    st.caption("Une permanence peut en aborder plusieurs.")
    top = topics.sort_values("visits", ascending=False).iloc[0] if not topics.empty else None
    chart(
        topics_chart(topics),
        topics[["label", "visits"]],
        key="sujets",
        height=280,
        alt=f"Sujets abordés aux permanences en {year}"
        + (f" ; le plus fréquent : {top['label']} ({fr_int(top['visits'])} permanences)." if top is not None else "."),
    )


def monthly_tab(columns: list[str], draw, key: str, *, empty: str, summary: str, alt: str) -> None:
    """A month-by-month chart of `monthly_support`'s `columns` (the months with any of them), then
    `summary`; `empty` when no month has any."""
    months = months_with(read(monthly_support, year, today), columns)
    if months.empty:
        no_data(empty)
        return
    chart(draw(months), months, key=key, height=CHART_HEIGHT, alt=alt)
    st.markdown(summary)


if workshops.open:
    with workshops:
        workshops_tab()
if dropins.open:
    with dropins:
        dropins_tab()
if legal.open:
    with legal:
        compared, terminated = fr_int(totals["offers_compared"]), fr_int(totals["contracts_terminated"])
        monthly_tab(
            LEGAL_COLUMNS,
            legal_chart,
            "juridique",
            empty=f"Aucun accompagnement juridique enregistré en {year}.",
            summary=f"**{compared} offres comparées** avec l'offre collective ; **{terminated} anciens contrats "
            f"résiliés** ({fr_pct(termination_share(totals))} des comparaisons).",
            alt=f"Accompagnement juridique chaque mois de {year} : {compared} offres comparées, "
            f"{terminated} anciens contrats résiliés.",
        )
if equipment.open:
    with equipment:
        sold, cashed = fr_int(totals["computers_sold"]), fr_eur(totals["amount_eur"], 0)
        monthly_tab(
            EQUIPMENT_COLUMNS,
            equipment_chart,
            "equipement",
            empty=f"Aucune vente d'ordinateur enregistrée en {year}.",
            summary=f"**{sold} ordinateurs reconditionnés vendus**, {cashed} encaissés.",
            alt=f"Ordinateurs reconditionnés vendus chaque mois de {year} : {sold} au total, {cashed} encaissés.",
        )
