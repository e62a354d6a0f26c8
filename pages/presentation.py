"""Mode présentation: full-screen slides for a shared screen, advancing every N seconds.

Only the slideshow fragment reruns on its timer; the session keeps two numbers (the slide and
when it was shown) and every read goes through the TTL cache with date-only arguments, so a
screen left on for hours does not grow.
"""

import time
from datetime import timedelta

import streamlit as st

from ihs import presentation as pres
from ihs import report_charts as rc
from ihs import report_data as rd
from ihs.charts import style
from ihs.db import session_scope
from ihs.formats import fr_date, fr_datetime, fr_eur, fr_int, fr_pct
from ihs.meetings import ValidationError, frozen_summary
from ihs.queries.overview import summary
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.auth import current_actor
from ihs.ui.data import clear_reads, engine, read

INDEX, SHOWN = "pres_index", "pres_shown_at"
SUPPORT_METRICS = {
    "workshop_attendance": "Participations aux ateliers",
    "dropin_people": "Reçus en permanence",
    "contracts_terminated": "Résiliations",
    "computers_sold": "Ordinateurs vendus",
}
FULL_SCREEN = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {display: none !important;}
[data-testid="stMainBlockContainer"], .block-container {padding: 1rem 2.5rem 0 2.5rem !important; max-width: 100% !important;}
h1 {font-size: 2.8rem !important; padding-top: 0 !important;}
[data-testid="stMetricValue"] {font-size: 4.2rem !important;}
[data-testid="stMetricLabel"] p {font-size: 1.5rem !important;}
</style>"""

full_screen = st.query_params.get("mode") == "presentation"
start, every = pres.parse_query(st.query_params.to_dict())
if full_screen:
    st.html(FULL_SCREEN)
if INDEX not in st.session_state:
    st.session_state[INDEX] = start or 0
    st.session_state[SHOWN] = time.monotonic()


def _move(step: int, count: int) -> None:
    st.session_state[INDEX] = (st.session_state[INDEX] + step) % max(count, 1)
    st.session_state[SHOWN] = time.monotonic()


def _chart(chart, height: int = 430) -> None:
    st.altair_chart(style(chart, height=height), width="stretch")


def _figures(day) -> None:
    data = read(frozen_summary) or read(summary, day)
    cols = st.columns(4)
    cols[0].metric("Secteurs déployés", fr_int(data["sectors_deployed"]))
    cols[1].metric("Logements couverts", fr_int(data["dwellings_covered"]))
    cols[2].metric("Abonnés", fr_int(data["subscribers"]))
    cols[3].metric("Taux d'adhésion", fr_pct(data["uptake"]))
    cols = st.columns(4)
    cols[0].metric("Secteurs en cours", fr_int(data["sectors_under_way"]))
    cols[1].metric("Tarif par logement et par mois", fr_eur(data["monthly_price_eur"]))


def _support(day) -> None:
    df = read(rd.support_of_year, day.year).set_index("code")
    st.subheader(f"Depuis le 1er janvier {day.year}")
    cols = st.columns(4)
    for col, (code, label) in zip(cols, SUPPORT_METRICS.items(), strict=True):
        col.metric(label, fr_int(df.loc[code, "value"]))
    _chart(rc.support_chart(read(rd.support_by_month, day.year)), 280)


def _ballot(day) -> None:
    ballot = read(pres.open_ballots)[0]
    places = read(rd.ballot_places, ballot["id"])
    voters = int(places["voters"].sum())
    st.subheader(f"{ballot['sector']} : clôture le {fr_datetime(ballot['closes_at'])}")
    cols = st.columns(3)
    cols[0].metric("Votants", fr_int(voters))
    cols[1].metric("Logements inscrits", fr_int(ballot["registered"]))
    cols[2].metric("Participation", fr_pct(voters / ballot["registered"] if ballot["registered"] else None))
    _chart(rc.ballot_places_chart(places), 280)


SLIDE_BODIES = {
    "figures": _figures,
    "map": lambda day: _chart(rc.map_chart(read(rd.map_data, day), rd.commune_outline()[0]), 520),
    "calendar": lambda day: _chart(
        rc.calendar_chart(read(rd.stage_timeline, day - timedelta(days=150), day + timedelta(days=120)), today=day), 470
    ),
    "uptake": lambda day: _chart(rc.uptake_chart(read(rd.uptake_on, day)), 480),
    "support": _support,
    "awareness": lambda day: _chart(rc.awareness_chart(read(rd.awareness_ranking, day), top=8), 440),
    "ballot": _ballot,
}


@st.fragment(run_every=every)
def slideshow() -> None:
    slides = pres.available_slides(read(pres.configured_slides), ballot_open=bool(read(pres.open_ballots)))
    index, shown = pres.advance(st.session_state[INDEX], st.session_state[SHOWN], time.monotonic(), every, len(slides))
    st.session_state[INDEX], st.session_state[SHOWN] = index, shown
    code, day = slides[index], as_of()
    frozen_band()
    st.title(pres.SLIDES[code])
    SLIDE_BODIES[code](day)
    left, mid, right = st.columns([1, 4, 1])
    left.button("◀ Précédent", key="pres_prev", on_click=_move, args=(-1, len(slides)))
    mid.caption(f"Diapositive {index + 1}/{len(slides)} · chiffres au {fr_date(day)} · suivante dans {every} s")
    right.button("Suivant ▶", key="pres_next", on_click=_move, args=(1, len(slides)))


slideshow()
actor = current_actor()
if not full_screen:
    st.page_link(
        "pages/presentation.py", label="Ouvrir en plein écran", icon="🖥️", query_params={"mode": "presentation"}
    )
    st.caption("Adresse à laisser sur l'écran partagé : ?mode=presentation&every=20 (secondes par diapositive).")
if not full_screen and actor is not None and actor.role == "coordinator":
    with st.expander("Choisir les diapositives (coordination)"), st.form("pres_settings", clear_on_submit=False):
        chosen = st.multiselect(
            "Diapositives, dans l'ordre de sélection",
            list(pres.SLIDES),
            default=read(pres.configured_slides),
            format_func=pres.SLIDES.get,
            key="pres_slides",
        )
        st.caption("« Scrutin en direct » ne s'affiche que pendant un scrutin ouvert.")
        if st.form_submit_button("Enregistrer"):
            try:
                with session_scope(actor.username, engine=engine()) as session:
                    pres.save_slides(session, actor, chosen)
            except ValidationError as exc:
                st.error(exc.errors["slides"])
            else:
                clear_reads()
                st.success("Diapositives enregistrées : l'écran partagé les affichera à sa prochaine mise à jour.")
