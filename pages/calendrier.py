"""Calendrier des déploiements: stages of every sector (planned and actual), upcoming events, .ics export."""

import streamlit as st

from ihs import clock
from ihs.formats import fr_date, fr_int
from ihs.ics import build_calendar
from ihs.queries import calendar as cal
from ihs.queries.calendar import (
    calendar_items,
    count_upcoming_events,
    deployment_order,
    deployment_pages,
    deployment_stages,
    deployment_years,
    deployments_under_way_or_next,
    upcoming_events,
    window_statuses,
)
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import engine, read
from ihs.ui.widgets import chart, no_data, table
from ihs.viz.calendar import LEGEND_PX, items_of, timeline_chart
from ihs.vocab import DEPLOYMENT_STATUSES

UNDER_WAY = "En cours et à venir"
ALL_YEARS = "Toutes les années"
UPCOMING_DAYS = 60

today = as_of()
frozen_band()
st.title("Calendrier des déploiements")
st.caption(f"Au {fr_date(today)} · barres claires : dates prévues · barres pleines : dates réelles")

# It opens on what is under way and what comes next (a committee's question), not on a calendar
# year: in December the next year's deployments matter more than January's.
left, right = st.columns([1, 3])
period = left.selectbox("Période", [UNDER_WAY, ALL_YEARS, *read(deployment_years)], index=0, key="cal_annee")
statuses = right.multiselect(
    "Statut du déploiement",
    list(DEPLOYMENT_STATUSES),
    format_func=DEPLOYMENT_STATUSES.get,
    placeholder="Tous les statuts",
    key="cal_statut",
)
window = period == UNDER_WAY
year_value = None if period in (UNDER_WAY, ALL_YEARS) else int(period)
chosen = window_statuses(tuple(statuses)) if window else tuple(statuses)
# The window (under way on `today`, or starting within a year, else the next) is chosen in SQL.
order = (
    read(deployments_under_way_or_next, today, chosen) if window else read(deployment_order, year_value, chosen, today)
)
shown_ids = tuple(int(i) for i in order["deployment_id"]) if window else ()
db = engine()

if order.empty and window:
    no_data(
        "Aucun déploiement en cours ni prévu" + (" avec ces statuts" if statuses else "") + " : choisissez une période."
    )
elif order.empty:
    no_data("Aucun déploiement pour cette année et ces statuts : élargissez les filtres.")
else:
    pages, default_page = deployment_pages(order, today)
    n_deployments = len(order)
    plural = "s" if n_deployments > 1 else ""
    st.header(f"{n_deployments} déploiement{plural}" + (f" en cours ou à venir au {fr_date(today)}" if window else ""))
    page_no = 0
    if len(pages) > 1:
        # A screen of deployments at a time, in date order, starting with those under way.
        page_no = st.selectbox(
            "Déploiements affichés",
            range(len(pages)),
            index=default_page,
            format_func=lambda k: f"{k * len(pages[0]) + 1} à {k * len(pages[0]) + len(pages[k])} sur {n_deployments}",
            key="cal_page",
        )
    # Only this screen's stages are read; the CSV has every deployment of the filters, made on the click.
    stages = read(
        deployment_stages, year_value, chosen, today, tuple(pages[page_no]) if len(pages) > 1 or window else ()
    )
    chart(
        timeline_chart(stages, today),
        lambda: deployment_stages(db, year_value, chosen, today, shown_ids).drop(columns=["stage", "kind", "status"]),
        key="calendrier",
        height=max(280, 56 * stages["deployment_id"].nunique()) + LEGEND_PX,
        alt=f"Étapes de {fr_int(stages['deployment_id'].nunique())} déploiement(s) sur une frise, au {fr_date(today)} : "
        + ", ".join(
            f"{r.sector_name} ({r.status_label.lower()})" for r in stages.drop_duplicates("deployment_id").itertuples()
        )
        + ".",
    )

st.header(f"Prochains événements ({UPCOMING_DAYS} jours)")
events = read(upcoming_events, today, UPCOMING_DAYS, cal.EVENTS_SHOWN)
n_events = read(count_upcoming_events, today, UPCOMING_DAYS)
if events.empty:
    no_data(f"Aucun événement prévu dans les {UPCOMING_DAYS} prochains jours.")
else:
    shown = events.assign(
        date=events["starts_at"].dt.strftime("%d/%m/%Y"),
        heure=events["starts_at"].dt.strftime("%H:%M"),
    )[["date", "heure", "title", "kind_label", "place", "sectors"]]
    shown.columns = ["Date", "Heure", "Événement", "Type", "Lieu", "Secteurs"]
    table(shown.fillna("–"), key="prochains")
    if n_events > len(events):
        st.caption(
            f"Les {fr_int(len(events))} premiers sur {fr_int(n_events)} : l'export ci-dessous les contient tous."
        )

st.header("Exporter vers un agenda")
st.caption(
    "Fichier iCalendar (.ics) : les étapes des déploiements affichés ci-dessus et les événements des "
    f"{UPCOMING_DAYS} prochains jours. Il s'importe dans Outlook et Thunderbird ; réimporté, il met à jour "
    "les mêmes événements au lieu de les dupliquer."
)


def _ics() -> bytes:
    # Built on the click only: nationally a year is hundreds of stages, half a second of work.
    items = calendar_items(db, today, year_value, chosen, UPCOMING_DAYS)
    shown = items_of(items, shown_ids) if window else items
    return build_calendar(shown, dtstamp=clock.now(), name="Internet en habitat social – calendrier")


st.download_button(
    "Télécharger le calendrier (.ics)",
    data=_ics,
    file_name=f"calendrier-ihs-{year_value or ('en-cours' if window else 'tout')}.ics",
    mime="text/calendar",
    key="cal_ics",
    disabled=order.empty and not n_events,
)
