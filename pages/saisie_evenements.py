"""Saisie des événements: a meeting, an information action, a half-day, a workshop, a drop-in,
the annual gathering; a weekly series (drop-ins, a workshop cycle) in one go."""

from dataclasses import replace
from datetime import time

import streamlit as st

from ihs import clock
from ihs.events import EventEntry, record_event
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import entry_sectors, page_start
from ihs.users import organisation_choices
from ihs.vocab import EVENT_KINDS, EVENT_SUBKINDS

actor = page_start("pages/saisie_evenements.py")
F = "ev"
today = clock.today()

names = entry_sectors(actor)
orgs = dict(read(organisation_choices))

kind = st.selectbox("Type d'événement", list(EVENT_KINDS), format_func=EVENT_KINDS.get, key=forms.key(F, "kind"))
subkinds = EVENT_SUBKINDS.get(kind, {})
count_field = "reach" if kind == "information" else "attendance"


def write(session) -> str:
    entry = forms.typed(F, EventEntry(kind=kind, occurrences=forms.value(F, f"occurrences_{kind}", 1)))
    # A kind without precision, or without a count of that name, ignores what another kind left typed.
    other_count = "attendance" if count_field == "reach" else "reach"
    entry = replace(entry, subkind=entry.subkind if subkinds else None, **{other_count: None})
    events = record_event(session, actor, entry, repeat_confirmed=forms.confirmed(F))
    if len(events) > 1:
        return f"{len(events)} dates enregistrées (une par semaine, jusqu'au {events[-1].starts_at:%d/%m/%Y})."
    return "Événement enregistré. Merci !"


with st.form(F, clear_on_submit=False):
    if subkinds:
        st.selectbox("Précision", list(subkinds), format_func=subkinds.get, key=forms.key(F, "subkind"))
        forms.field_error(F, "subkind")
    st.multiselect(
        "Secteur(s)" + (" — facultatif" if kind == "gathering" else ""),
        list(names),
        format_func=names.get,
        default=list(names)[:1] if len(names) == 1 else None,
        key=forms.key(F, "sector_ids"),
        placeholder="Choisissez un ou plusieurs secteurs",
    )
    forms.field_error(F, "sector_ids")
    left, right = st.columns(2)
    with left:
        forms.date_field("Date", forms.key(F, "day"), today)
        forms.field_error(F, "day")
    with right:
        st.time_input("Heure de début", value=time(14, 0), step=900, key=forms.key(F, "start_time"))
        forms.field_error(F, "start_time")
    if kind == "information":
        forms.text_field(F, "reach", "Personnes ou logements touchés", kind="count", placeholder="ex. 250")
    else:
        forms.text_field(
            F,
            "attendance",
            "Nombre de participants",
            kind="count",
            placeholder="ex. 12",
            help="Laissez vide si l'événement n'a pas encore eu lieu.",
        )
    occurrences_key = forms.key(F, f"occurrences_{kind}")  # one per kind, so the default follows the kind
    st.session_state.setdefault(occurrences_key, "10" if kind == "workshop" else "1")
    forms.count_field(
        "Nombre de dates (une par semaine, de 1 à 52)",
        occurrences_key,
        help="Un cycle d'ateliers : 10 séances. Une permanence hebdomadaire : le nombre de semaines.",
    )
    forms.field_error(F, "occurrences")
    # The optional fields folded, so « Enregistrer » is in reach on a phone; unfolded when one is wrong.
    optional = ("place", "organiser_id", "title", "notes")
    with st.expander(
        "Lieu, organisateur, titre, notes (facultatif)", expanded=bool(set(optional) & set(forms.errors(F)))
    ):
        st.text_input("Lieu", placeholder="ex. Maison de quartier", key=forms.key(F, "place"))
        forms.field_error(F, "place")
        org_ids = list(orgs)
        st.selectbox(
            "Organisé par",
            org_ids,
            format_func=orgs.get,
            index=org_ids.index(actor.organisation_id) if actor.organisation_id in org_ids else None,
            placeholder="Choisissez l'organisateur",
            key=forms.key(F, "organiser_id"),
        )
        forms.field_error(F, "organiser_id")
        st.text_input("Titre", placeholder="Sinon, un titre est proposé", key=forms.key(F, "title"))
        forms.field_error(F, "title")
        st.text_area("Notes", placeholder="Sans aucun nom de locataire", key=forms.key(F, "notes"))
        forms.field_error(F, "notes")
    forms.confirmation(F)
    st.form_submit_button(
        "Enregistrer",
        type="primary",
        width="stretch",
        on_click=forms.submit,
        args=(F, write, ["place", count_field, "notes", "title"]),
    )
forms.status(F)
st.caption("Vos saisies se corrigent ou se suppriment dans « Mes saisies ».")
