"""Calendrier des déploiements: stages of every sector (planned and actual), upcoming events, .ics export."""

import streamlit as st

from ihs import clock
from ihs.formats import fr_date
from ihs.ics import build_calendar
from ihs.queries.calendar import calendar_items, deployment_stages, deployment_years, upcoming_events
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import read
from ihs.ui.widgets import chart, no_data, table
from ihs.viz.calendar import default_span, timeline_chart
from ihs.vocab import DEPLOYMENT_STATUSES

ALL_YEARS = "Toutes les années"
UPCOMING_DAYS = 60

today = as_of()
frozen_band()
st.title("Calendrier des déploiements")
st.caption(f"Au {fr_date(today)} · barres claires : dates prévues · barres pleines : dates réelles")

years = read(deployment_years)
year_options = [ALL_YEARS, *years]
default_year = today.year if today.year in years else ALL_YEARS
left, right = st.columns([1, 3])
year = left.selectbox("Année", year_options, index=year_options.index(default_year), key="cal_annee")
statuses = right.multiselect(
    "Statut du déploiement",
    list(DEPLOYMENT_STATUSES),
    format_func=DEPLOYMENT_STATUSES.get,
    placeholder="Tous les statuts",
    key="cal_statut",
)
year_value = None if year == ALL_YEARS else int(year)
stages = read(deployment_stages, year_value, tuple(statuses), today)

if stages.empty:
    no_data("Aucun déploiement pour cette année et ces statuts : élargissez les filtres.")
else:
    start, end = default_span(stages, today)
    n_sectors = stages["deployment_id"].nunique()
    st.subheader(f"{n_sectors} déploiement{'s' if n_sectors > 1 else ''}")
    chart(
        timeline_chart(stages, today, labels=(end - start).days <= 800),
        stages.drop(columns=["stage", "kind", "status"]),
        key="calendrier",
        height=max(280, 56 * n_sectors),
    )

st.subheader(f"Prochains événements ({UPCOMING_DAYS} jours)")
events = read(upcoming_events, today, UPCOMING_DAYS)
if events.empty:
    no_data(f"Aucun événement prévu dans les {UPCOMING_DAYS} prochains jours.")
else:
    shown = events.assign(
        date=events["starts_at"].dt.strftime("%d/%m/%Y"),
        heure=events["starts_at"].dt.strftime("%H:%M"),
    )[["date", "heure", "title", "kind_label", "place", "sectors"]]
    shown.columns = ["Date", "Heure", "Événement", "Type", "Lieu", "Secteurs"]
    table(shown.fillna("–"), key="prochains")

st.subheader("Exporter vers un agenda")
st.caption(
    "Fichier iCalendar (.ics) : les étapes des déploiements affichés ci-dessus et les événements des "
    f"{UPCOMING_DAYS} prochains jours. Il s'importe dans Outlook et Thunderbird ; réimporté, il met à jour "
    "les mêmes événements au lieu de les dupliquer."
)
items = read(calendar_items, today, year_value, tuple(statuses), UPCOMING_DAYS)
st.download_button(
    "Télécharger le calendrier (.ics)",
    data=lambda: build_calendar(items, dtstamp=clock.now(), name="Internet en habitat social – calendrier"),
    file_name=f"calendrier-ihs-{year_value or 'tout'}.ics",
    mime="text/calendar",
    key="cal_ics",
    disabled=not items,
)
