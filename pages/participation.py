"""Saisie de la participation: polling-place staff type the cumulative number of voters (phone-friendly)."""

import streamlit as st

from ihs import clock
from ihs.ballots import reading_time, record_turnout
from ihs.formats import fr_date, fr_int, fr_pct
from ihs.queries.ballots import open_ballots, turnout_by_place
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import no_data, page_start
from ihs.validation import WarningsNotAcknowledged

actor = page_start("pages/participation.py")
ERRORS, DONE = "part_errors", "part_done"
# The figure a jump warning was shown for: the confirmation holds for that ballot, place and figure only.
WARNED = "part_warned"


now = clock.now().replace(second=0, microsecond=0)
ballots = read(open_ballots, now)
if ballots.empty:
    no_data("Aucun scrutin n'est ouvert en ce moment.")
    st.stop()
names = dict(zip(ballots["ballot_id"].astype(int), ballots["sector_name"], strict=True))
ballot_id = st.selectbox("Scrutin", list(names), format_func=names.get, key="part_scrutin")
places = read(turnout_by_place, ballot_id, now)
place_names = dict(zip(places["place_id"].astype(int), places["name"], strict=True))
place_id = st.selectbox("Mon bureau de vote", list(place_names), format_func=place_names.get, key="part_bureau")
mine = places.set_index("place_id").loc[place_id]
if mine["reported_at"] is not None and str(mine["reported_at"]) != "NaT":
    st.caption(
        f"Dernier relevé de ce bureau : {fr_int(mine['voters'])} votants à {mine['reported_at']:%H:%M} le {mine['reported_at']:%d/%m}."
    )
else:
    st.caption("Pas encore de relevé pour ce bureau.")
if st.session_state.get(DONE):
    st.success(st.session_state.pop(DONE))

with st.form("participation", clear_on_submit=False, border=False):
    # Text, not a number widget: the browser's number field drops a typed comma (« 19,5 » became 195).
    voters = forms.count_field(
        "Votants depuis l'ouverture (total cumulé de la feuille d'émargement)", "part_votants", placeholder="ex. 57"
    )
    forms.stored_error(ERRORS, "voters")
    warned = st.session_state.get(WARNED)
    confirmed = False
    if warned:
        st.warning(warned["message"])
        confirmed = st.checkbox(f"Je confirme : {warned['voters']} votants", key="part_confirme")
    # Empty means "now": a page left open for hours must not keep the time it was opened at.
    with st.expander(
        "Relevé fait à une autre heure ?", expanded=bool(st.session_state.get(ERRORS, {}).get("reported_at"))
    ):
        day_col, time_col = st.columns(2)
        day = forms.date_field("Jour (vide = aujourd'hui)", "part_jour", container=day_col)
        at = time_col.time_input("Heure (vide = maintenant)", value=None, step=300, key="part_heure")
    forms.stored_error(ERRORS, "reported_at")
    correction = st.checkbox("Correction d'un relevé précédent (nombre plus petit)", key="part_correction")
    reason = st.text_input("Raison de la correction", key="part_raison", placeholder="ex. erreur de lecture")
    forms.stored_error(ERRORS, "reason")
    forms.stored_error(ERRORS, "place")
    forms.stored_error(ERRORS, "ballot")
    submitted = st.form_submit_button("Enregistrer", type="primary", width="stretch")

if submitted:

    def write(session) -> str:
        reported_at = reading_time(day, at, clock.now().replace(second=0, microsecond=0))
        report = record_turnout(
            session,
            actor,
            ballot_id,
            place_id,
            voters,
            reported_at,
            correction,
            reason,
            jump_confirmed=confirmed and warned["for"] == [ballot_id, place_id, voters.strip()],
        )
        return f"Enregistré : {fr_int(report.voters)} votants à {place_names[place_id]}, {reported_at:%H:%M}."

    try:
        ok, message, errors = forms.run_write(write)
    except WarningsNotAcknowledged as exc:
        st.session_state[ERRORS] = {}
        st.session_state[WARNED] = {
            "for": [ballot_id, place_id, voters.strip()],
            "voters": voters.strip(),
            "message": exc.warnings["voters"],
        }
        st.session_state.pop("part_confirme", None)
    else:
        if ok:
            st.session_state[ERRORS], st.session_state[WARNED] = {}, None
            st.session_state.pop("part_confirme", None)
            st.session_state[DONE] = message
        else:
            st.session_state[ERRORS], st.session_state[WARNED] = (errors or {"ballot": message}), None
    st.rerun()

total = int(places["voters"].sum())
registered = int(ballots.set_index("ballot_id").loc[ballot_id, "registered"])
st.divider()
st.markdown(
    f"**Tous les bureaux** : {fr_int(total)} votants sur {fr_int(registered)} inscrits ({fr_pct(total / registered)})"
)
for row in places.itertuples():
    when = f" – {row.reported_at:%H:%M} le {fr_date(row.reported_at)[:5]}" if str(row.reported_at) != "NaT" else ""
    st.markdown(f"- {row.name} : **{fr_int(row.voters)}**{when}")
