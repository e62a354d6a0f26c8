"""Préparer un scrutin: dates, registered dwellings, polling places and adoption rule of a sector's ballot."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from ihs import clock
from ihs.ballots import setup_ballot
from ihs.formats import fr_date
from ihs.queries.ballots import setup_candidates, setup_form_values
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import no_data, page_start
from ihs.vocab import ADOPTION_RULES, BALLOT_STATUSES, POLLING_PLACE_KINDS

actor = page_start(
    "pages/scrutin_preparer.py",
    "Un vote par logement, pendant une semaine, dans plusieurs bureaux de vote ; dépouillement public.",
)
ERR, DONE = "prep_errors", "prep_done"
KIND_CODES = {label: code for code, label in POLLING_PLACE_KINDS.items()}


if msg := st.session_state.pop(DONE, None):
    st.success(msg)
candidates = read(setup_candidates, clock.now().replace(second=0, microsecond=0))
if candidates.empty:
    no_data("Aucun secteur n'a de déploiement : planifiez d'abord un secteur.")
    st.stop()
ids = [int(i) for i in candidates["sector_id"]]
free = candidates[candidates["ballot_id"].isna()]
default = int(free["sector_id"].iloc[0]) if len(free) else ids[0]
names = dict(zip(ids, candidates["name"], strict=True))
sector_id = st.selectbox("Secteur", ids, index=ids.index(default), format_func=names.get, key="prep_secteur")
row = candidates.set_index("sector_id").loc[sector_id]
ballot_id = None if pd.isna(row["ballot_id"]) else int(row["ballot_id"])
if ballot_id and not row["editable"]:
    st.info(
        f"Ce secteur a déjà un scrutin ({BALLOT_STATUSES[row['phase']]}, ouvert le {fr_date(row['opens_at'])}) : "
        "il ne peut plus être modifié. Suivez-le sur « Scrutin en direct » et « Dépouillement »."
    )
    st.stop()
if ballot_id:
    st.info("Un scrutin est déjà préparé pour ce secteur : vous pouvez le modifier tant qu'aucun relevé n'est saisi.")

first_day = row["opens_at"].date() if ballot_id else clock.today() + timedelta(days=7)
opens_on = forms.checked_date("Premier jour du scrutin", "prep_ouverture", first_day, today=clock.today())
if opens_on is None:
    st.stop()
values = read(setup_form_values, sector_id, opens_on, ballot_id)
# Form widgets are keyed on the sector and first day, so their defaults follow those choices.
k = f"{sector_id}_{opens_on.isoformat()}"

with st.form("preparer", clear_on_submit=False):
    c1, c2, c3 = st.columns(3)
    opens_time = c1.time_input("Ouverture à", values["opens_at"].time(), key=f"prep_h_ouv_{k}")
    closes_day = forms.date_field("Dernier jour", f"prep_fin_{k}", values["closes_at"].date(), container=c2)
    closes_time = c3.time_input("Clôture à", values["closes_at"].time(), key=f"prep_h_clo_{k}")
    forms.stored_error(ERR, "opens_at")
    forms.stored_error(ERR, "closes_at")
    # Text, not a number widget: « -5 » or « 310,5 » get a French message from ihs, never the widget's English.
    registered_key = f"prep_inscrits_{k}"
    st.session_state.setdefault(registered_key, "" if values["registered"] is None else str(values["registered"]))
    registered = forms.count_field("Logements inscrits (un vote par logement)", registered_key)
    st.caption("Par défaut : les logements du secteur à la date d'ouverture.")
    forms.stored_error(ERR, "registered")
    places = pd.DataFrame(values["places"]).assign(kind=lambda d: d["kind"].map(POLLING_PLACE_KINDS))
    edited = st.data_editor(
        places,
        num_rows="dynamic",
        hide_index=True,
        key=f"prep_bureaux_{k}",
        column_config={
            "name": st.column_config.TextColumn("Bureau de vote", required=True, max_chars=200),
            "kind": st.column_config.SelectboxColumn("Type", options=list(KIND_CODES), default="Autre"),
        },
    )
    forms.stored_error(ERR, "places")
    rules = list(ADOPTION_RULES)
    rule = st.selectbox(
        "Règle d'adoption",
        rules,
        index=rules.index(values["rule"]),
        format_func=ADOPTION_RULES.get,
        key=f"prep_regle_{k}",
    )
    forms.stored_error(ERR, "rule")
    quorum_key = f"prep_quorum_{k}"
    st.session_state.setdefault(
        quorum_key, "" if values["quorum_pct"] is None else f"{values['quorum_pct']:g}".replace(".", ",")
    )
    quorum = st.text_input("Quorum (% des inscrits, seulement pour la règle avec quorum)", key=quorum_key)
    forms.stored_error(ERR, "quorum_pct")
    forms.stored_error(ERR, "sector")
    submitted = st.form_submit_button("Enregistrer le scrutin", type="primary")

if submitted:
    place_rows = [{"name": r["name"], "kind": KIND_CODES.get(r["kind"], "other")} for r in edited.to_dict("records")]

    def write(session) -> str:
        saved = setup_ballot(
            session,
            actor,
            sector_id=sector_id,
            opens_at=(opens_on, opens_time),
            closes_at=(closes_day, closes_time),
            registered=registered,
            places=place_rows,
            rule=rule,
            quorum_pct=quorum,
            ballot_id=ballot_id,
        )
        return (
            f"Scrutin enregistré pour {names[sector_id]} : du {fr_date(saved.opens_at)} au {fr_date(saved.closes_at)}."
        )

    ok, message, errors = forms.run_write(write)
    st.session_state[ERR] = {} if ok else (errors or {"sector": message})
    if ok:
        st.session_state[DONE] = message
    st.rerun()
