"""Utilisateurs (coordinator): create accounts, change a role, disable, reset a password."""

from dataclasses import asdict

import streamlit as st

from ihs.formats import fr_datetime
from ihs.inputs import AccountChange, AccountInput
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import page_start, table
from ihs.users import add_user, list_users, organisation_choices, reset_password, set_active, set_role
from ihs.vocab import ROLES

actor = page_start("pages/utilisateurs.py")
users = read(list_users)
orgs = dict(read(organisation_choices))
shown = users.fillna({"organisation": ""}).assign(
    role=users["role"].map(lambda r: ROLES.get(r, r)),
    active=users["active"].map({True: "oui", False: "non"}),
    locked_until=users["locked_until"].map(lambda d: fr_datetime(d) if d == d and d is not None else ""),
)
labels = {"username": "Identifiant", "name": "Nom", "role": "Rôle", "organisation": "Organisation"}
table(shown.rename(columns={**labels, "active": "Actif", "locked_until": "Bloqué jusqu'à"}), key="us_table")


def create() -> None:
    def write(session) -> str:
        add_user(session, actor, **asdict(forms.typed("us_new", AccountInput())))
        return "Compte créé. Transmettez le mot de passe à la personne de vive voix, pas par écrit."

    forms.submit("us_new", write, ["username", "name", "password"])


def change(form: str, action: str, username: str) -> None:
    def write(session) -> str:
        typed = forms.typed(form, AccountChange())
        if action == "role":
            set_role(session, actor, username, typed.role, typed.organisation)
            return "Rôle modifié."
        if action == "password":
            reset_password(session, actor, username, typed.password or "")
            return "Mot de passe réinitialisé (et compte débloqué)."
        active = action == "enable"
        set_active(session, actor, username, active)
        return "Compte réactivé." if active else "Compte désactivé : la personne ne peut plus se connecter."

    forms.submit(form, write, ["password"])


with st.expander("Créer un compte", expanded=False):
    with st.form("us_new", clear_on_submit=False):
        F = "us_new"
        forms.text_field(F, "username", "Identifiant", placeholder="ex. mdq-bellevue")
        forms.text_field(F, "name", "Nom affiché")
        forms.choice_field(F, "role", "Rôle", ROLES, "partner")
        forms.choice_field(F, "organisation", "Organisation", orgs, placeholder="Aucune")
        forms.text_field(F, "password", "Mot de passe (8 caractères au moins)", type="password")
        st.form_submit_button("Créer le compte", type="primary", width="stretch", on_click=create)
    forms.status("us_new")

st.header("Modifier un compte")
username = st.selectbox("Compte", list(users["username"]), index=None, placeholder="Choisissez un compte", key="us_who")
if username:
    F = f"us_edit_{username}"  # one form per account, so each shows its own role
    row = users.set_index("username").loc[username]
    with st.form(F, clear_on_submit=False):
        forms.choice_field(F, "role", "Rôle", ROLES, row.role)
        current = next((i for i, n in orgs.items() if n == row.organisation), None)
        forms.choice_field(F, "organisation", "Organisation", orgs, current, placeholder="Aucune")
        st.form_submit_button("Changer le rôle", width="stretch", on_click=change, args=(F, "role", username))
        forms.text_field(F, "password", "Nouveau mot de passe", type="password")
        st.form_submit_button(
            "Réinitialiser le mot de passe", width="stretch", on_click=change, args=(F, "password", username)
        )
        forms.field_error(F, "active")
        toggle = ("disable", "Désactiver le compte") if row.active else ("enable", "Réactiver le compte")
        st.form_submit_button(toggle[1], width="stretch", on_click=change, args=(F, toggle[0], username))
    forms.status(F)
