"""Mes saisies: what I entered (events, visits, imports); correct or delete it, with a reason kept."""

import streamlit as st

from ihs.events import delete_event, event_entry, update_event
from ihs.formats import fr_date, fr_datetime
from ihs.queries.entries import my_events, my_imports, my_visits
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import labelled_table, no_data, page_start, table
from ihs.visits import FIELDS, LABELS, delete_visit, update_visit, visit_entry

actor = page_start("pages/mes_saisies.py")
forms.flash()
deleted_too = st.toggle("Montrer aussi les saisies supprimées", key="me_deleted")
tab_events, tab_visits, tab_imports = st.tabs(["Événements", "Visites", "Imports"])


def event_fields(F: str, row) -> None:
    forms.corrected_field(F, "day", "Date", row.starts_at.date(), kind="date")
    st.time_input("Heure", value=row.starts_at.time(), step=900, key=forms.key(F, "start_time"))
    forms.corrected_field(F, "place", "Lieu", row.place)
    forms.corrected_field(F, "attendance", "Participants", row.attendance, kind="count")
    forms.corrected_field(F, "reach", "Personnes touchées", row.reach, kind="count")
    forms.corrected_field(F, "notes", "Notes", row.notes, kind="area")


def visit_fields(F: str, row) -> None:
    forms.corrected_field(F, "occurred_on", "Date", row.occurred_on, kind="date")
    for field in sum(FIELDS[row.kind], ()):
        forms.corrected_field(F, field, LABELS[field], row[field], kind="count")
    forms.corrected_field(F, "notes", "Notes", row.notes, kind="area")


def deleted(reason) -> str:
    return reason if isinstance(reason, str) else ""


with tab_events:
    events = read(my_events, actor.username, include_deleted=deleted_too)
    labelled_table(
        events,
        {
            "starts_at": ("Date", fr_datetime),
            "what": ("Type", None),
            "title": ("Titre", None),
            "sectors": ("Secteurs", None),
            "attendance": ("Participants", None),
            "deleted_reason": ("Supprimé", deleted),
        },
        key="me_ev_table",
        empty="Vous n'avez encore saisi aucun événement.",
    )
    if not events.empty:
        forms.corrections(
            events,
            lambda r: f"{fr_datetime(r.starts_at)} – {r.title}",
            "me_ev",
            event_fields,
            update=update_event,
            stored=event_entry,
            delete=delete_event,
        )

with tab_visits:
    visits = read(my_visits, actor.username, include_deleted=deleted_too)
    labelled_table(
        visits,
        {
            "occurred_on": ("Date", fr_date),
            "what": ("Type", None),
            "sector": ("Secteur", None),
            "figures": ("Chiffres", None),
            "deleted_reason": ("Supprimé", deleted),
        },
        key="me_vi_table",
        empty="Vous n'avez encore saisi aucune visite.",
    )
    if not visits.empty:
        forms.corrections(
            visits,
            lambda r: f"{fr_date(r.occurred_on)} – {r.what} – {r.sector}",
            "me_vi",
            visit_fields,
            update=update_visit,
            stored=visit_entry,
            delete=delete_visit,
        )

with tab_imports:
    imports = read(my_imports, actor.username)
    if imports.empty:
        no_data("Vous n'avez encore importé aucun fichier.")
    else:
        imports = imports.assign(first=imports["first"].map(fr_date), last=imports["last"].map(fr_date))
        labels = {"table": "Données", "source": "Fichier", "rows": "Lignes", "first": "Du", "last": "Au"}
        table(imports.rename(columns=labels), key="me_im_table")
        st.caption(
            "Pour corriger un import, importez à nouveau le fichier corrigé : seules les lignes changées sont mises à jour."
        )
