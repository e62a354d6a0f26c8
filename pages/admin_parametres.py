"""Paramètres (coordination): every programme setting with its French label, unit and range;
each change checked and audited; a reset to the default value."""

import streamlit as st

from ihs.formats import fr_num
from ihs.programme import reset_setting, set_setting, settings_table
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import link, page_start
from ihs.validation import ValidationError

actor = page_start(
    "pages/admin_parametres.py",
    "Durées du calendrier type, seuils d'alerte et d'avertissement, étapes d'un déploiement. Chaque changement "
    "est vérifié et inscrit au journal ; « Valeur par défaut » remet la valeur d'origine.",
)

settings = read(settings_table)


def shown(kind: str, value) -> str:
    """A stored value as it is typed on this page (a share in percent, with a decimal comma)."""
    if kind == "share":
        return fr_num(float(value) * 100, 2).rstrip("0").rstrip(",")
    return str(value)


def described(row) -> str:
    if row.kind == "bool":
        return "oui" if row.default else "non"
    unit = f" {row.unit}" if row.unit else ""
    return f"{shown(row.kind, row.default)}{unit}"


def save(form: str, keys: list[str]) -> None:
    def write(session) -> str:
        errors: dict[str, str] = {}
        changed = 0
        for key in keys:
            row = settings.set_index("key").loc[key]
            typed = forms.value(form, key)
            if typed == (row.value if row.kind == "bool" else shown(row.kind, row.value)):
                continue
            try:
                set_setting(session, actor, key, typed)
                changed += 1
            except ValidationError as exc:
                errors.update(exc.errors)
        if errors:
            raise ValidationError(errors)
        return f"{changed} paramètre{'s' if changed > 1 else ''} modifié{'s' if changed > 1 else ''}."

    forms.submit(form, write, keys)


def reset(form: str, key: str) -> None:
    def write(session) -> str:
        reset_setting(session, actor, key)
        return "Valeur par défaut remise."

    forms.submit(form, write, [key])


editable = settings[settings["kind"] != "slides"]
for group, rows in editable.groupby("group", sort=False):
    F = "set_" + "".join(c for c in group.lower() if c.isalnum())
    st.header(group)
    with st.form(F, clear_on_submit=False):
        for row in rows.itertuples(index=False):
            k = forms.key(F, row.key)
            label = row.label + (f" ({row.unit})" if row.unit else "")
            help_text = f"Valeur par défaut : {described(row)}."
            if row.kind == "bool":
                if k not in st.session_state:
                    st.session_state[k] = bool(row.value)
                st.checkbox(label, key=k, help=help_text)
            else:
                if k not in st.session_state:
                    st.session_state[k] = shown(row.kind, row.value)
                if row.minimum is not None:
                    help_text += f" Entre {row.minimum:g} et {row.maximum:g}."
                # Days and counts open the phone's numeric keyboard; a share in % may take a comma.
                if row.kind == "int":
                    forms.count_field(label, k, help=help_text)
                else:
                    st.text_input(label, key=k, help=help_text)
            forms.field_error(F, row.key)
        st.form_submit_button("Enregistrer", type="primary", on_click=save, args=(F, list(rows["key"])))
    changed = rows[rows["changed"]]
    if len(changed):
        labels = dict(zip(changed["key"], changed["label"], strict=True))
        left, right = st.columns([3, 1])
        chosen = left.selectbox(
            "Remettre la valeur par défaut de", list(labels), format_func=labels.get, key=f"{F}_reset_choice"
        )
        right.button("Valeur par défaut", key=f"{F}_reset", on_click=reset, args=(F, chosen), width="stretch")
    forms.status(F)

link("pages/presentation.py", "Diapositives du mode présentation : à choisir dans le Mode présentation")
