"""Abonnés et adhésion: subscribers and uptake over time, the cohort view, tariff and collective cost."""

import pandas as pd
import streamlit as st

from ihs.formats import fr_date, fr_eur, fr_int, fr_month, fr_pct
from ihs.queries.uptake import (
    cohort,
    collective_cost,
    counted_sector_choices,
    tariff_history,
    uptake_by_sector,
    uptake_events,
    uptake_total,
)
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import read
from ihs.ui.widgets import chart_of, lazy_tabs, no_data
from ihs.viz import uptake as viz

today = as_of()
frozen_band()
st.title("Abonnés et adhésion")

total = read(uptake_total, today)
if total.empty:
    no_data("Aucun relevé d'abonnés pour l'instant : les courbes apparaîtront après le premier import.")
    st.stop()
last = total.iloc[-1]
row = st.columns(3)
row[0].metric("Abonnés", fr_int(last["subscribers"]))
row[1].metric("Logements couverts avec une offre", fr_int(last["dwellings"]))
row[2].metric("Taux d'adhésion", fr_pct(last["uptake"]))
st.caption(
    f"Au {fr_date(today)}. Chaque mois, en fin de mois : les secteurs couverts à cette date et rattachés à une "
    "offre d'opérateur, chacun avec son dernier relevé d'abonnés et ses logements à cette date (comme la vue "
    "d'ensemble). Un secteur sans offre ne peut pas avoir d'abonnés : il n'est pas compté."
)

tab_total, tab_sectors, tab_cohort, tab_cost = lazy_tabs(
    ["Tous secteurs", "Par secteur", "Depuis la mise en œuvre", "Tarif et coût"], key="adhesion_onglet"
)
if tab_total.open:
    with tab_total:
        chart_of(
            total,
            viz.total_subscribers,
            "adhesion_total_abonnes",
            title="Abonnés, tous secteurs",
            empty="Abonnés chaque mois : aucun relevé.",
            height=300,
            alt=lambda t: (
                f"Abonnés chaque mois, tous secteurs : {fr_int(t['subscribers'].iloc[-1])} en "
                f"{fr_month(t['month'].iloc[-1])}."
            ),
        )
        chart_of(
            total,
            # Each sector's joining (where the curve drops) and each tariff change, marked on it.
            lambda t: viz.total_uptake(t, read(uptake_events, today)),
            "adhesion_total_taux",
            title="Taux d'adhésion, tous secteurs",
            empty="Taux d'adhésion : aucun relevé.",
            height=300,
            alt=lambda t: (
                f"Taux d'adhésion chaque mois, tous secteurs : {fr_pct(t['uptake'].iloc[-1])} en "
                f"{fr_month(t['month'].iloc[-1])}."
            ),
        )
        st.caption(
            "Tirets gris : l'entrée d'un secteur, nommé le long du trait (ses logements comptent dès sa mise en "
            "œuvre, ses abonnés viennent ensuite : le taux baisse) ; pointillés orange : un changement de tarif."
        )

choices = read(counted_sector_choices, today)
names = dict(zip(choices["code"], choices["name"], strict=True))
# By default the five most recent launches: comparable, and few enough lines to read.
recent = choices.dropna(subset=["launched_on"]).sort_values("launched_on").tail(5)["code"].tolist()
with st.sidebar:
    picked = st.multiselect(
        "Secteurs comparés",
        list(names),
        default=recent,
        format_func=names.get,
        placeholder="Chercher un secteur",
        key="adhesion_secteurs",
    )
codes = tuple(sorted(picked))
if tab_sectors.open:
    with tab_sectors:
        chart_of(
            read(uptake_by_sector, today, codes) if codes else None,
            viz.uptake_by_sector_chart,
            "adhesion_secteurs_courbes",
            title="Taux d'adhésion par secteur",
            empty="Aucun secteur choisi, ou aucun relevé d'abonnés pour ces secteurs : rien à afficher.",
            height=380,
            alt=lambda by_sector: (
                "Taux d'adhésion chaque mois, un trait par secteur ; au dernier relevé : "
                + ", ".join(
                    f"{r.name} {fr_pct(r.uptake)}"
                    for r in by_sector.sort_values("month").groupby("code").tail(1).itertuples()
                )
                + "."
            ),
        )
        st.caption("Secteurs comparés : à choisir dans la barre latérale.")
if tab_cohort.open:
    with tab_cohort:
        st.caption("Mois 0 = mois de la mise en œuvre : des secteurs lancés à des années d'écart se comparent.")
        chart_of(
            read(cohort, today, codes) if codes else None,
            viz.cohort_chart,
            "adhesion_cohortes",
            title="Taux d'adhésion selon l'ancienneté",
            empty="Aucun secteur choisi, ou aucun relevé après la mise en œuvre : rien à comparer.",
            height=380,
            alt=lambda cohorts: (
                "Taux d'adhésion selon le nombre de mois depuis la mise en œuvre, un trait par "
                "secteur ; au dernier relevé : "
                + ", ".join(
                    f"{r.name} {fr_pct(r.uptake)} après {fr_int(r.months_since)} mois"
                    for r in cohorts.sort_values("months_since").groupby("code").tail(1).itertuples()
                )
                + "."
            ),
        )
if tab_cost.open:
    with tab_cost:
        chart_of(
            read(tariff_history, today),
            viz.tariff_steps,
            "adhesion_tarif",
            title="Tarif mensuel par logement",
            empty="Aucun tarif enregistré.",
            height=260,
            alt=lambda tariffs: (
                f"Tarif mensuel par logement depuis {fr_date(tariffs['valid_from'].iloc[0])} : "
                f"{fr_eur(tariffs['monthly_price_eur'].iloc[-1])} depuis le {fr_date(tariffs['valid_from'].iloc[-1])}."
            ),
        )
        cost = read(collective_cost, today)
        chart_of(
            cost,
            viz.yearly_charges,
            "adhesion_cout",
            title="Montant facturé chaque année (mois par mois)",
            empty="Pas encore de logements couverts : pas de coût collectif.",
            height=260,
            alt=lambda cost: (
                f"Montant facturé chaque année : {fr_eur(cost['charges_eur'].iloc[-1], 0)} en "
                f"{cost['year'].iloc[-1]} pour {fr_int(cost['dwellings'].iloc[-1])} logements."
            ),
        )
        if not cost.empty:
            now_cost = cost.iloc[-1]
            st.caption(
                f"Facturé du 01/01/{now_cost['year']} au {fr_date(now_cost['on'])} "
                f"({fr_int(now_cost['months'])} mois) : {fr_eur(now_cost['charges_eur'], 0)}. "
                "Chaque mois, tous les logements des secteurs couverts le dernier jour du mois, au tarif en vigueur."
            )
            per_sub = now_cost["cost_per_subscriber_eur"]
            without = int(now_cost["sectors_without_offer"])
            st.caption(
                f"Rythme annuel au {fr_date(now_cost['on'])} : {fr_int(now_cost['charged_dwellings'])} logements facturés × "
                f"{fr_eur(now_cost['monthly_price_eur'])} × 12 = {fr_eur(now_cost['run_rate_eur'], 0)} par an, "
                f"pour {fr_int(now_cost['subscribers'])} abonnés actifs"
                + (f", soit {fr_eur(per_sub, 0)} par abonné et par an." if pd.notna(per_sub) else ".")
                + (
                    f" {fr_int(without)} secteur(s) couvert(s) sans offre : non facturé(s)."
                    if without
                    else " Chaque secteur au tarif de son offre."
                )
            )
