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
    dropins_chart,
    equipment_chart,
    legal_chart,
    topics_chart,
    workshop_chart,
    workshop_chart_height,
)

today = as_of()
frozen_band()
# The year beside the title, not under it: the figures and the chart start higher on the screen.
title, choice = st.columns([3, 1], vertical_alignment="bottom")
title.title("Accompagnement")
years = read(support_years, today)
year = choice.selectbox("Année", years, index=0, key="acc_annee")
period = f"du 01/01/{year} au {fr_date(min(today, date(year, 12, 31)))}"
st.caption(f"Activité {period} (saisies supprimées exclues)")

totals = read(support_totals, year, today)
row1 = st.columns(4)
row1[0].metric("Cycles d'ateliers", fr_int(totals["workshop_cycles"]))
row1[1].metric("Séances d'ateliers", fr_int(totals["workshop_sessions"]))
row1[2].metric("Participations aux ateliers", fr_int(totals["workshop_attendance"]))
row1[3].metric("Personnes reçues en permanence", fr_int(totals["dropin_people"]))
row2 = st.columns(4)
row2[0].metric("Offres comparées", fr_int(totals["offers_compared"]))
row2[1].metric("Anciens contrats résiliés", fr_int(totals["contracts_terminated"]))
row2[2].metric("Ordinateurs vendus", fr_int(totals["computers_sold"]))
row2[3].metric("Montant encaissé", fr_eur(totals["amount_eur"], 0))

workshops, dropins, legal, equipment = lazy_tabs(
    ["Ateliers numériques", "Permanences", "Accompagnement juridique", "Équipement"], key="acc_onglet"
)

if workshops.open:
    with workshops:
        cycles = read(workshop_cycles, year, today)
        if cycles.empty:
            no_data(f"Aucune séance d'atelier numérique enregistrée en {year}.")
        else:
            sessions = read(workshop_sessions, year, today)
            returning = returning_share(cycles)
            st.markdown(
                f"**{fr_int(len(cycles))} cycle(s), {fr_int(cycles['sessions_held'].sum())} séances.** "
                f"Aux séances après la première, **{fr_pct(returning)}** des présents étaient déjà venus."
            )
            drawn, limit = sessions, int(read(get_setting, "support.chart_max_cycles"))
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
            if drawn.empty:
                no_data("Choisissez au moins un cycle à afficher sur le graphique.")
            else:
                chart(
                    workshop_chart(drawn),
                    drawn,
                    key="ateliers",
                    height=workshop_chart_height(drawn),
                    alt=f"Présents à chaque séance des ateliers numériques en {year}, un trait par cycle : "
                    f"{fr_int(len(cycles))} cycle(s), {fr_int(cycles['sessions_held'].sum())} séances ; "
                    f"{fr_pct(returning)} des présents après la première séance étaient déjà venus.",
                )
            shown = cycles.assign(
                seances=cycles["sessions_held"].map(fr_int) + " / " + cycles["planned_sessions"].map(fr_int),
                debut=cycles["first_session"].map(fr_date),
                moyenne=cycles["attendance_mean"].map(fr_int),
                revenus=cycles["returning_share"].map(lambda v: "–" if pd.isna(v) else fr_pct(v)),
            )[["cycle", "debut", "seances", "attendance_first", "moyenne", "revenus"]]
            shown.columns = [
                "Cycle",
                "Début",
                "Séances tenues / prévues",
                "Présents 1re séance",
                "Moyenne",
                "Déjà venus",
            ]
            table(shown)

if dropins.open:
    with dropins:
        weekly = read(dropins_per_week, year, today)
        if weekly.empty:
            no_data(f"Aucune permanence enregistrée en {year}.")
        else:
            st.markdown(
                f"**{fr_int(weekly['people_seen'].sum())} personnes reçues** lors de "
                f"{fr_int(weekly['sessions'].sum())} permanences, sur {fr_int(len(weekly))} semaines."
            )
            chart(
                dropins_chart(weekly),
                weekly,
                key="permanences",
                height=300,
                alt=f"Personnes reçues aux permanences chaque semaine de {year} : "
                f"{fr_int(weekly['people_seen'].sum())} personnes en {fr_int(weekly['sessions'].sum())} permanences.",
            )
            topics = read(dropin_topics, year, today)
            st.markdown("**Sujets abordés** (une permanence peut en aborder plusieurs)")
            top = topics.sort_values("visits", ascending=False).iloc[0] if not topics.empty else None
            chart(
                topics_chart(topics),
                topics[["label", "visits"]],
                key="sujets",
                height=280,
                alt=f"Sujets abordés aux permanences en {year}"
                + (
                    f" ; le plus fréquent : {top['label']} ({fr_int(top['visits'])} permanences)."
                    if top is not None
                    else "."
                ),
            )

if legal.open:
    with legal:
        monthly = read(monthly_support, year, today)
        legal_months = monthly[(monthly["offers_compared"] > 0) | (monthly["contracts_terminated"] > 0)]
        if legal_months.empty:
            no_data(f"Aucun accompagnement juridique enregistré en {year}.")
        else:
            compared, terminated = totals["offers_compared"], totals["contracts_terminated"]
            st.markdown(
                f"**{fr_int(compared)} offres comparées** avec l'offre collective ; "
                f"**{fr_int(terminated)} anciens contrats résiliés** "
                f"({fr_pct(termination_share(totals))} des comparaisons)."
            )
            cols = ["month", "offers_compared", "contracts_terminated"]
            chart(
                legal_chart(legal_months[cols]),
                legal_months[cols],
                key="juridique",
                height=300,
                alt=f"Accompagnement juridique chaque mois de {year} : {fr_int(compared)} offres comparées, "
                f"{fr_int(terminated)} anciens contrats résiliés.",
            )

if equipment.open:
    with equipment:
        monthly = read(monthly_support, year, today)
        sold = monthly[monthly["computers_sold"] > 0]
        if sold.empty:
            no_data(f"Aucune vente d'ordinateur enregistrée en {year}.")
        else:
            st.markdown(
                f"**{fr_int(totals['computers_sold'])} ordinateurs reconditionnés vendus**, "
                f"{fr_eur(totals['amount_eur'], 0)} encaissés."
            )
            cols = ["month", "computers_sold", "amount_eur"]
            chart(
                equipment_chart(sold[cols]),
                sold[cols],
                key="equipement",
                height=300,
                alt=f"Ordinateurs reconditionnés vendus chaque mois de {year} : "
                f"{fr_int(totals['computers_sold'])} au total, {fr_eur(totals['amount_eur'], 0)} encaissés.",
            )
