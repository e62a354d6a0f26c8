"""Séance du comité de pilotage: freeze the figures, record decisions, follow up earlier ones."""

from dataclasses import asdict

import streamlit as st

from ihs import clock
from ihs import meetings as mt
from ihs.formats import fr_date, fr_eur, fr_int, fr_pct
from ihs.inputs import DecisionInput, MeetingInput
from ihs.ui import forms
from ihs.ui.asof import frozen_band
from ihs.ui.data import read
from ihs.ui.widgets import no_data, page_start, table

actor = page_start("pages/comite.py")
frozen_band()
meeting = read(mt.active_meeting)
sectors = read(mt.decision_sector_choices)


def _open(session) -> str:
    opened = mt.open_meeting(session, actor, **asdict(forms.typed("mt", MeetingInput())))
    return (
        f"Séance ouverte : les chiffres sont arrêtés au {fr_date(opened.frozen_as_of)} sur tous les tableaux de bord."
    )


def _close(session) -> str:
    mt.close_meeting(session, actor, meeting["id"])
    return "Séance close : les tableaux de bord montrent de nouveau les chiffres du jour."


def _decide(session) -> str:
    mt.record_decision(session, actor, meeting_id=meeting["id"], **asdict(forms.typed("dc", DecisionInput())))
    return "Décision enregistrée."


def _done(session) -> str:
    mt.set_decision_done(session, actor, forms.value("fu", "decision_id"))
    return "Décision marquée comme faite."


forms.status("mt")
if meeting is None:
    st.header("Ouvrir une séance")
    st.caption(
        "Ouvrir une séance arrête les chiffres à une date : tous les écrans montrent les mêmes nombres "
        "pendant la réunion, même si des données sont saisies entre-temps."
    )
    with st.form("mt", clear_on_submit=False):
        st.text_input("Intitulé de la séance", key="mt_title", placeholder="Comité de pilotage de printemps")
        forms.field_error("mt", "title")
        left, right = st.columns(2)
        forms.date_field("Date de la séance", "mt_held_on", clock.today(), container=left)
        with left:
            forms.field_error("mt", "held_on")
        forms.date_field("Chiffres arrêtés au", "mt_frozen_as_of", clock.today(), container=right)
        with right:
            forms.field_error("mt", "frozen_as_of")
        forms.field_error("mt", "meeting")
        st.form_submit_button("Ouvrir la séance et arrêter les chiffres", on_click=forms.submit, args=("mt", _open))
else:
    st.header(f"Séance en cours : {meeting['title']} ({fr_date(meeting['held_on'])})")
    figures = read(mt.frozen_summary) or {}
    cols = st.columns(4)
    cols[0].metric("Secteurs déployés", fr_int(figures.get("sectors_deployed")))
    cols[1].metric("Logements couverts", fr_int(figures.get("dwellings_covered")))
    cols[2].metric("Abonnés", fr_int(figures.get("subscribers")))
    cols[3].metric("Taux d'adhésion", fr_pct(figures.get("uptake")))
    st.caption(f"Tarif mensuel par logement : {fr_eur(figures.get('monthly_price_eur'))}")
    st.header("Décisions de la séance")
    forms.status("dc")
    with st.form("dc", clear_on_submit=False):
        st.text_area("Décision prise", key="dc_text", height=90)
        forms.field_error("dc", "text")
        a, b, c = st.columns(3)
        a.selectbox(
            "Secteur concerné",
            [None, *sectors],
            format_func=lambda i: "Tout le dispositif" if i is None else sectors[i],
            key="dc_sector_id",
        )
        b.text_input("Responsable (organisation ou fonction)", key="dc_owner")
        forms.date_field("Échéance (facultatif)", "dc_due_on", container=c)
        for field in ("sector", "owner", "due_on", "meeting"):
            forms.field_error("dc", field)
        st.form_submit_button(
            "Enregistrer la décision", on_click=forms.submit, args=("dc", _decide, list(asdict(DecisionInput())))
        )
    taken = read(mt.decisions, meeting_id=meeting["id"])
    if len(taken):
        table(mt.decisions_display(taken))
    else:
        no_data("Aucune décision enregistrée pour cette séance.")
    st.button("Clore la séance", key="mt_close", type="primary", on_click=forms.submit, args=("mt", _close))

st.header("Décisions à suivre des séances précédentes")
follow = read(mt.decisions, before_meeting_id=meeting["id"] if meeting else 10**9, open_only=True)
forms.status("fu")
if len(follow):
    table(mt.decisions_display(follow))
    pick, go = st.columns([3, 1])
    labels = dict(zip(follow["id"], follow["text"], strict=True))
    pick.selectbox("Décision faite", list(labels), format_func=lambda i: labels[i][:90], key="fu_decision_id")
    go.button("Marquer comme faite", key="fu_done", on_click=forms.submit, args=("fu", _done))
else:
    no_data("Aucune décision en attente.")

with st.expander("Séances précédentes"):
    past = read(mt.meetings)
    if len(past):
        table(
            past.assign(
                held_on=past["held_on"].map(fr_date),
                frozen_as_of=past["frozen_as_of"].map(fr_date),
                is_open=past["is_open"].map({True: "ouverte", False: "close"}),
            )
            .drop(columns="id")
            .rename(
                columns={
                    "held_on": "Date",
                    "title": "Séance",
                    "frozen_as_of": "Chiffres arrêtés au",
                    "is_open": "État",
                    "decisions": "Décisions",
                }
            )
        )
    else:
        no_data("Aucune séance enregistrée.")
