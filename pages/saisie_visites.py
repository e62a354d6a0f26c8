"""Visites et accompagnement: after a door-to-door round, a drop-in, legal advice, an equipment
sale, or a workshop session. Counts only: no tenant's name is ever asked."""

from dataclasses import asdict

import streamlit as st

from ihs import clock
from ihs.inputs import AttendanceInput
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import entry_sectors, page_start
from ihs.visits import (
    DEFAULT_COMPUTER_PRICE,
    FIELDS,
    LABELS,
    VisitEntry,
    entry_workshop_sessions,
    record_visit,
    record_workshop_attendance,
)
from ihs.vocab import DROPIN_TOPICS, VISIT_KINDS

actor = page_start("pages/saisie_visites.py", "Des nombres seulement : ne notez jamais le nom d'un locataire.")
today = clock.today()
KINDS = {**VISIT_KINDS, "workshop": "Présence à une séance d'atelier"}

names = entry_sectors(actor)
kind = st.selectbox("Qu'avez-vous fait ?", list(KINDS), format_func=KINDS.get, key="vi_kind")
F = f"vi_{kind}"


def count_field(field: str, label: str, placeholder: str = "ex. 12") -> None:
    forms.text_field(F, field, label, kind="count", placeholder=placeholder)


if kind == "workshop":
    sessions = dict(read(entry_workshop_sessions, actor, today))

    def write(session) -> str:
        record_workshop_attendance(session, actor, **asdict(forms.typed(F, AttendanceInput())))
        return "Présence enregistrée. Merci !"

    with st.form(F, clear_on_submit=False):
        st.selectbox(
            "Séance",
            list(sessions),
            format_func=sessions.get,
            index=None,
            placeholder="Choisissez la séance" if sessions else "Aucune séance d'atelier récente",
            key=forms.key(F, "event_id"),
        )
        forms.field_error(F, "event_id")
        count_field("attendance", "Participants présents")
        count_field("returning_participants", "Dont déjà venus à une séance précédente")
        st.form_submit_button(
            "Enregistrer", type="primary", width="stretch", on_click=forms.submit,
            args=(F, write, ["attendance", "returning_participants"]),
        )  # fmt: skip
else:
    required, optional = FIELDS[kind]
    counts = list(required + optional)

    def write(session) -> str:
        record_visit(session, actor, forms.typed(F, VisitEntry(kind=kind)), repeat_confirmed=forms.confirmed(F))
        return "Saisie enregistrée. Merci !"

    with st.form(F, clear_on_submit=False):
        ids = list(names)
        st.selectbox(
            "Secteur", ids, format_func=names.get, index=0 if len(ids) == 1 else None,
            placeholder="Choisissez le secteur", key=forms.key(F, "sector_id"),
        )  # fmt: skip
        forms.field_error(F, "sector_id")
        forms.date_field("Date", forms.key(F, "occurred_on"), today)
        forms.field_error(F, "occurred_on")
        for field in counts:
            count_field(field, LABELS[field] + ("" if field in required else " (facultatif)"))
        if kind == "dropin":
            st.multiselect(
                "Sujets abordés", list(DROPIN_TOPICS), format_func=DROPIN_TOPICS.get, key=forms.key(F, "topics"),
                placeholder="Choisissez un ou plusieurs sujets",
            )  # fmt: skip
            forms.field_error(F, "topics")
        if kind == "equipment":
            forms.text_field(
                F,
                "price_per_computer",
                LABELS["price_per_computer"],
                placeholder=f"{DEFAULT_COMPUTER_PRICE} (par défaut)",
            )
        st.text_area("Notes", placeholder="Sans aucun nom de locataire", key=forms.key(F, "notes"))
        forms.field_error(F, "notes")
        forms.confirmation(F)
        st.form_submit_button(
            "Enregistrer", type="primary", width="stretch", on_click=forms.submit,
            args=(F, write, [*counts, "notes", "topics", "price_per_computer"]),
        )  # fmt: skip
forms.status(F)
st.caption("Vos saisies se corrigent ou se suppriment dans « Mes saisies ».")
