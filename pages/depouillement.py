"""Dépouillement: double entry of the public count, validation, locking, outcome and next milestones."""

import streamlit as st

from ihs import ballots as rules
from ihs import clock
from ihs.formats import fr_date, fr_datetime, fr_int, fr_pct
from ihs.queries.ballots import (
    ballot_list,
    ballot_result,
    ballot_to_count,
    count_view,
    entry_to_type,
    milestone_proposal,
)
from ihs.ui import forms
from ihs.ui.data import read
from ihs.ui.widgets import no_data, page_start, table
from ihs.validation import WarningsNotAcknowledged
from ihs.vocab import ADOPTION_RULES, BALLOT_STATUSES, STAGES

actor = page_start("pages/depouillement.py")
ERR, WARN, DONE, CLEAR = "dep_errors", "dep_warnings", "dep_done", "dep_clear"
FIELD_KEYS = [f"dep_{k}" for k in rules.COUNT_FIELDS]
# Figures typed in this browser are never shown to the next person: after a saved entry, and
# when another account uses the same browser (a shared tablet at the count).
if st.session_state.pop(CLEAR, False) or st.session_state.get("dep_typist") not in (None, actor.username):
    for key in FIELD_KEYS:
        st.session_state[key] = ""
    st.session_state.pop("dep_note", None)
st.session_state["dep_typist"] = actor.username


def act(fn, *args, done: str, reason: str | None = None, **kwargs) -> None:
    """Run one write in its own audited transaction; keep errors/warnings for the next run."""
    shown_warnings = st.session_state.get(WARN, {})
    st.session_state[ERR], st.session_state[WARN] = {}, {}

    def write(session) -> str:
        fn(session, actor, *args, **kwargs)
        return done

    try:
        ok, message, errors = forms.run_write(write, reason=reason)
    except WarningsNotAcknowledged as exc:
        st.session_state[WARN] = exc.warnings
    except rules.CountMismatch as exc:
        fields = ", ".join(d["label"] for d in exc.differences)
        st.session_state[ERR] = {"ballot": f"Les deux saisies ne concordent pas ({fields}) : recomptez les lignes ✘."}
    else:
        if not ok:
            st.session_state[ERR] = errors or {"ballot": message}
            if "note" in errors:  # the note field stays, with what was typed in it
                st.session_state[WARN] = shown_warnings
        else:
            st.session_state[DONE] = message
            if fn is rules.enter_count:
                # Emptied at the top of the next run, before the fields are drawn (the browser keeps a
                # field's value unless the app sets it): the next entry here starts blank.
                st.session_state[CLEAR] = True
    st.rerun()


ballots = read(ballot_list, clock.now().replace(second=0, microsecond=0))
if ballots.empty:
    no_data("Aucun scrutin.")
    st.stop()
ids = [int(i) for i in ballots["ballot_id"]]
default = ballot_to_count(ballots)
labels = {int(r.ballot_id): f"{r.sector_name} – {fr_date(r.opens_at)}" for r in ballots.itertuples()}
ballot_id = st.selectbox("Scrutin", ids, index=ids.index(default), format_func=labels.get, key="dep_scrutin")
b = ballots.set_index("ballot_id").loc[ballot_id]
st.caption(
    f"{BALLOT_STATUSES[b['phase']]} · {fr_int(b['registered'])} logements inscrits · clôture le "
    f"{fr_datetime(b['closes_at'])} · règle : {ADOPTION_RULES[b['rule']]}"
)
if msg := st.session_state.pop(DONE, None):
    st.success(msg)
forms.stored_error(ERR, "ballot")
counting = b["phase"] not in ("planned", "open")
view = read(count_view, ballot_id, actor.username) if counting else None

if b["phase"] == "locked":
    st.success(f"Résultat verrouillé par {b['locked_by']} le {fr_datetime(b['locked_at'])}.", icon=":material/lock:")
    if actor.can("lock_ballots"):
        with st.form("deverrouiller", border=True):
            reason = st.text_input("Raison du déverrouillage (obligatoire)", key="dep_raison")
            forms.stored_error(ERR, "reason")
            if st.form_submit_button("Déverrouiller le résultat"):
                act(rules.unlock_result, ballot_id, reason, done="Résultat déverrouillé : saisies modifiables.")
elif b["phase"] in ("planned", "open"):
    st.info(f"Ouvert jusqu'au {fr_datetime(b['closes_at'])} : le dépouillement se fait après la clôture.")
else:
    default_entry = entry_to_type(view["entries"], actor.username)
    entry = st.radio(
        "Saisie",
        [1, 2],
        index=default_entry - 1,
        format_func=lambda n: f"Saisie {n}",
        horizontal=True,
        key="dep_saisie",
    )
    st.caption(
        "Les deux saisies sont faites par deux personnes différentes, chacune sans regarder l'autre : "
        "les chiffres d'une saisie restent cachés aux autres jusqu'à ce que les deux soient enregistrées."
    )
    forms.stored_error(ERR, "entry_no")
    with st.form("comptage", clear_on_submit=False):
        values = {}
        for field_name, col in zip(rules.COUNT_FIELDS, st.columns(5), strict=True):
            with col:
                # Text, not a number widget: a typed comma must be refused, never dropped.
                values[field_name] = forms.count_field(
                    rules.COUNT_LABELS[field_name], f"dep_{field_name}", placeholder="0"
                )
                forms.stored_error(ERR, field_name)
        for text in st.session_state.get(WARN, {}).values():
            st.warning(text)
        note = (
            st.text_area("Note : pourquoi ces chiffres sont justes", key="dep_note")
            if st.session_state.get(WARN)
            else None
        )
        forms.stored_error(ERR, "note")
        if st.form_submit_button(f"Enregistrer la saisie {entry}", type="primary"):
            act(
                rules.enter_count,
                ballot_id,
                entry,
                **values,
                acknowledged_note=note,
                done=f"Saisie {entry} enregistrée.",
            )

if counting:
    st.header("Saisies côte à côte")
    for n, e in sorted(view["entries"].items()):
        st.caption(f"Saisie {n} enregistrée par {e['by']} le {fr_datetime(e['at'])}.")
    if view["comparison"] is not None:
        comparison = view["comparison"]
        differing = comparison.loc[~comparison["same"], "label"].tolist()
        if differing:
            st.error(
                f"Lignes différentes : {', '.join(differing)}. Recomptez ces lignes ✘ et corrigez la saisie fausse."
            )
        shown = comparison.assign(same=comparison["same"].map({True: "✔ identique", False: "✘ différent"}))
        table(shown.drop(columns="field").set_axis(["Champ", "Saisie 1", "Saisie 2", "Concordance"], axis=1))
    elif view["own"] is not None:
        n, own = view["own"]
        st.info(
            f"Vous avez fait la saisie {n}. La saisie {3 - n} se fait par une autre personne, sans voir vos chiffres ; "
            "la comparaison s'affiche quand les deux sont enregistrées."
        )
        table(own.set_axis(["Champ", f"Votre saisie {n}"], axis=1))
    elif view["entries"]:
        st.info(
            "Les chiffres de l'autre saisie restent cachés jusqu'à ce que la vôtre soit enregistrée : "
            "comptez les bulletins vous-même."
        )
    else:
        st.caption("Aucune saisie pour l'instant.")
    if b["phase"] in ("counted", "closed") and st.button("Valider le résultat", type="primary", key="dep_valider"):
        act(rules.validate_count, ballot_id, done="Résultat validé : les deux saisies concordent.")
    if (
        b["phase"] == "validated"
        and actor.can("lock_ballots")
        and st.button("Verrouiller le résultat", icon=":material/lock:", type="primary", key="dep_verrouiller")
    ):
        act(rules.lock_result, ballot_id, done="Résultat verrouillé.")

result = read(ballot_result, ballot_id)
if result:
    out = result["outcome"]
    st.header(f"Résultat : {out.label.upper()}")
    cols = st.columns(4)
    cols[0].metric("Résultat", out.label)
    cols[1].metric("Participation", fr_pct(out.turnout))
    cols[2].metric("Écart", f"{fr_int(out.margin)} voix")
    cols[3].metric("Voix qui auraient changé le résultat", fr_int(out.votes_to_change))
    st.caption(out.explanation + ".")
    if out.adopted and actor.can("ballots"):
        st.header("Étapes suivantes proposées")
        with st.form("jalons"):
            chosen = []
            for m in read(milestone_proposal, ballot_id):
                left, right = st.columns(2)
                start = forms.date_field(
                    f"{STAGES[m['stage']]} : début",
                    f"dep_{ballot_id}_{m['stage']}_debut",
                    m["planned_start"],
                    container=left,
                )
                end = forms.date_field(
                    f"{STAGES[m['stage']]} : fin",
                    f"dep_{ballot_id}_{m['stage']}_fin",
                    m["planned_end"],
                    container=right,
                )
                forms.stored_error(ERR, m["stage"])
                chosen.append({"stage": m["stage"], "planned_start": start, "planned_end": end})
            if st.form_submit_button("Enregistrer ces dates prévues"):
                act(rules.save_milestones, ballot_id, chosen, done="Dates prévues enregistrées au calendrier.")
