"""Organisations (coordination): create, rename, change the kind, deactivate or delete one."""

from dataclasses import asdict

import streamlit as st

from ihs.inputs import OrganisationInput
from ihs.reference import delete_organisation, list_organisations, save_organisation, set_organisation_active
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import no_data, page_start, table
from ihs.vocab import ORGANISATION_KINDS

actor = page_start(
    "pages/admin_organisations.py",
    "Ville, bailleurs, opérateurs, associations, équipements de quartier : les organisations choisies ensuite "
    "pour les secteurs, les offres et les comptes. Une organisation à laquelle des données font référence ne se "
    "supprime pas : désactivez-la, elle reste dans l'historique sans être proposée dans les listes.",
)

orgs = read(list_organisations)
if orgs.empty:
    no_data("Aucune organisation : commencez par la ville (ou la collectivité) qui coordonne le programme.")
else:
    shown = orgs.assign(active=orgs["active"].map({True: "oui", False: "non"})).fillna({"short_name": ""})
    table(
        shown[["name", "short_name", "kind_label", "active"]].rename(
            columns={"name": "Nom", "short_name": "Nom court", "kind_label": "Type", "active": "Active"}
        ),
        key="org_table",
    )

KINDS = list(ORGANISATION_KINDS)


def _fields(F: str, name: str = "", short: str = "", kind: str | None = None) -> None:
    forms.start_values(F, name=name, short_name=short)
    st.text_input("Nom", key=forms.key(F, "name"), max_chars=200)
    forms.field_error(F, "name")
    st.text_input("Nom court (facultatif, pour les graphiques)", key=forms.key(F, "short_name"), max_chars=60)
    forms.field_error(F, "short_name")
    forms.choice_field(F, "kind", "Type", ORGANISATION_KINDS, kind, placeholder="Choisissez un type")


def create(session) -> str:
    org = save_organisation(session, actor, **asdict(forms.typed("org_new", OrganisationInput())))
    return f"Organisation « {org.name} » créée."


forms.new_entry_form("org_new", ("Ajouter une organisation", "Ajouter"), _fields, create, expanded=orgs.empty)


def change(form: str, action: str, org_id: int) -> None:
    def write(session) -> str:
        if action == "save":
            org = save_organisation(session, actor, org_id=org_id, **asdict(forms.typed(form, OrganisationInput())))
            return f"Organisation « {org.name} » enregistrée."
        if action == "delete":
            delete_organisation(session, actor, org_id)
            return "Organisation supprimée."
        org = set_organisation_active(session, actor, org_id, action == "enable")
        return f"« {org.name} » " + ("réactivée." if org.active else "désactivée : elle n'est plus proposée.")

    forms.submit(form, write, ["name", "short_name", "kind"] if action != "save" else [])


if not orgs.empty:
    st.header("Modifier une organisation")
    names = dict(zip(orgs["id"], orgs["name"], strict=True))
    org_id = st.selectbox(
        "Organisation", list(names), format_func=names.get, index=None, placeholder="Choisissez", key="org_who"
    )
    if org_id in names:  # a deleted organisation leaves the list
        row = orgs.set_index("id").loc[org_id]
        F = f"org_edit_{org_id}"
        with st.form(F, clear_on_submit=False):
            _fields(F, row["name"], row["short_name"] or "", row["kind"])
            st.form_submit_button(
                "Enregistrer", type="primary", width="stretch", on_click=change, args=(F, "save", org_id)
            )
            forms.field_error(F, "organisation")
            toggle = ("disable", "Désactiver") if row["active"] else ("enable", "Réactiver")
            left, right = st.columns(2)
            left.form_submit_button(toggle[1], width="stretch", on_click=change, args=(F, toggle[0], org_id))
            right.form_submit_button("Supprimer", width="stretch", on_click=change, args=(F, "delete", org_id))
        forms.status(F)
