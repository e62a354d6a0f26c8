"""Mes saisies: what I entered (events, visits, imports); correct or delete it, with a reason kept."""

import streamlit as st

from ihs.events import delete_event, event_entry, update_event
from ihs.formats import fr_date, fr_datetime
from ihs.queries.entries import my_events, my_imports, my_visits
from ihs.ui import forms
from ihs.ui.auth import require_page
from ihs.ui.data import read
from ihs.ui.widgets import no_data, table
from ihs.visits import FIELDS, LABELS, delete_visit, update_visit, visit_entry

actor = require_page("pages/mes_saisies.py")
st.title("Mes saisies")
forms.flash()
deleted = st.toggle("Montrer aussi les saisies supprimées", key="me_deleted")
tab_events, tab_visits, tab_imports = st.tabs(["Événements", "Visites", "Imports"])


with tab_events:
    events = read(my_events, actor.username, include_deleted=deleted)
    if events.empty:
        no_data("Vous n'avez encore saisi aucun événement.")
    else:
        shown = events.assign(
            Date=events["starts_at"].map(fr_datetime), Supprimé=events["deleted_reason"].fillna("")
        ).rename(columns={"what": "Type", "title": "Titre", "sectors": "Secteurs", "attendance": "Participants"})
        table(shown[["Date", "Type", "Titre", "Secteurs", "Participants", "Supprimé"]], key="me_ev_table")
        live = events[events["deleted_at"].isna()].set_index("id")
        labels = {i: f"{fr_datetime(r.starts_at)} – {r.title}" for i, r in live.iterrows()}
        chosen = st.selectbox(
            "Corriger ou supprimer",
            list(labels),
            format_func=labels.get,
            index=None,
            key="me_ev",
            placeholder="Choisissez une saisie",
        )
        if chosen is not None:
            row, F = live.loc[chosen], f"me_ev_{chosen}"
            with st.form(F, clear_on_submit=False):
                forms.date_field("Date", forms.key(F, "day"), row.starts_at.date())
                forms.field_error(F, "day")
                st.time_input("Heure", value=row.starts_at.time(), step=900, key=forms.key(F, "start_time"))
                for field, label in (
                    ("place", "Lieu"),
                    ("attendance", "Participants"),
                    ("reach", "Personnes touchées"),
                ):
                    st.text_input(label, value=forms.as_text(row[field]), key=forms.key(F, field))
                    forms.field_error(F, field)
                st.text_area("Notes", value=row.notes or "", key=forms.key(F, "notes"))
                forms.field_error(F, "notes")
                forms.correction_button(F, update_event, event_entry, chosen)
            forms.status(F)
            forms.delete_form(f"me_evdel_{chosen}", delete_event, chosen, "me_ev")

with tab_visits:
    visits = read(my_visits, actor.username, include_deleted=deleted)
    if visits.empty:
        no_data("Vous n'avez encore saisi aucune visite.")
    else:
        shown = visits.assign(Date=visits["occurred_on"].map(fr_date), Supprimé=visits["deleted_reason"].fillna(""))
        shown = shown.rename(columns={"what": "Type", "sector": "Secteur", "figures": "Chiffres"})
        table(shown[["Date", "Type", "Secteur", "Chiffres", "Supprimé"]], key="me_vi_table")
        live = visits[visits["deleted_at"].isna()].set_index("id")
        labels = {i: f"{fr_date(r.occurred_on)} – {r.what} – {r.sector}" for i, r in live.iterrows()}
        chosen = st.selectbox(
            "Corriger ou supprimer",
            list(labels),
            format_func=labels.get,
            index=None,
            key="me_vi",
            placeholder="Choisissez une saisie",
        )
        if chosen is not None:
            row, F = live.loc[chosen], f"me_vi_{chosen}"
            counts = list(sum(FIELDS[row.kind], ()))
            with st.form(F, clear_on_submit=False):
                forms.date_field("Date", forms.key(F, "occurred_on"), row.occurred_on)
                forms.field_error(F, "occurred_on")
                for field in counts:
                    st.text_input(LABELS[field], value=forms.as_text(row[field]), key=forms.key(F, field))
                    forms.field_error(F, field)
                st.text_area("Notes", value=row.notes or "", key=forms.key(F, "notes"))
                forms.field_error(F, "notes")
                forms.correction_button(F, update_visit, visit_entry, chosen)
            forms.status(F)
            forms.delete_form(f"me_videl_{chosen}", delete_visit, chosen, "me_vi")

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
