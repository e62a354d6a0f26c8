"""Scrutin en direct: the shared screen of ballot week and of the count.

Only the fragment `live` refreshes itself (every REFRESH_SECONDS): the title and the ballot choice
are drawn once. The two counters in session state let a test see which part reran.
"""

from datetime import timedelta

import pandas as pd
import streamlit as st

from ihs import clock
from ihs.ballots import duration_text
from ihs.formats import fr_date, fr_int, fr_pct
from ihs.queries.ballots import (
    ballot_choices,
    ballot_header,
    ballot_result,
    live_ballot_id,
    live_turnout,
    previous_curves,
)
from ihs.ui.data import read
from ihs.ui.widgets import chart, no_data
from ihs.viz.ballots import count_chart, places_chart, places_height, turnout_curve_chart
from ihs.vocab import ADOPTION_RULES

REFRESH_SECONDS = 30
# The shared screen uses the whole projector width.
st.set_page_config(layout="wide", initial_sidebar_state="collapsed")
st.session_state["scrutin_page_runs"] = st.session_state.get("scrutin_page_runs", 0) + 1


def minute_now():
    # Reads are cached per minute: a shared screen polling every 30 s costs one query set a minute.
    return clock.now().replace(second=0, microsecond=0)


default_id = read(live_ballot_id, minute_now(), st.query_params.get("secteur"))
if default_id is None:
    st.title("Scrutin en direct")
    no_data("Aucun scrutin à afficher.")
    st.stop()
labels = dict(read(ballot_choices, minute_now()))
ids = list(labels)
ballot_id = st.sidebar.selectbox(
    "Scrutin", ids, index=ids.index(default_id), format_func=labels.get, key="direct_scrutin"
)
chosen = read(ballot_header, ballot_id, minute_now())
st.title(f"Scrutin en direct – {chosen['sector_name']}")


@st.fragment(run_every=timedelta(seconds=REFRESH_SECONDS))
def live(ballot_id: int) -> None:
    st.session_state["scrutin_fragment_runs"] = st.session_state.get("scrutin_fragment_runs", 0) + 1
    now = minute_now()
    data = read(live_turnout, ballot_id, now)
    if data["stale"]:
        since = data["last_report_at"]
        when = f"le {since:%d/%m} à {since:%H:%M}" if since else "aucun relevé depuis l'ouverture"
        st.warning(
            f"Données anciennes : pas de nouveau relevé depuis {duration_text(timedelta(minutes=data['minutes_since_last'] or 0))} "
            f"(dernier relevé {when}). Les chiffres ci-dessous ne sont peut-être plus à jour.",
            icon=":material/warning:",
        )
    if data["phase"] == "planned":
        st.info(f"Le scrutin ouvre le {fr_date(data['opens_at'])} à {data['opens_at']:%H:%M}.")
    result = read(ballot_result, ballot_id)
    if result:
        out = result["outcome"]
        verdict = "ADOPTÉ" if out.adopted else "REJETÉ"
        show = st.success if out.adopted else st.warning
        show(f"{verdict} — {out.explanation}.", icon=":material/check_circle:" if out.adopted else ":material/cancel:")
        cols = st.columns(4)
        cols[0].metric("Résultat", out.label)
        cols[1].metric("Oui (suffrages exprimés)", fr_pct(out.yes_share))
        cols[2].metric("Écart", f"{fr_int(out.margin)} voix")
        cols[3].metric("Voix qui auraient changé le résultat", fr_int(out.votes_to_change))
    elif data["phase"] in ("closed", "counted"):
        st.info("Scrutin clos : dépouillement en cours, résultat en attente de validation.")
    cols = st.columns(5)
    cols[0].metric("Participation", fr_pct(data["share"]))
    cols[1].metric("Votants / inscrits", f"{fr_int(data['voters'])} / {fr_int(data['registered'])}")
    proj = data["projection"]
    if data["phase"] == "open":
        cols[2].metric("Projection", fr_pct(proj["share"]) if proj["share"] is not None else "–")
    else:
        cols[2].metric("Ouverture", fr_date(data["opens_at"]))
    cols[3].metric("Temps restant", duration_text(data["time_left"]) if data["time_left"] else "Clos")
    last = data["last_report_at"]
    cols[4].metric(f"Dernier relevé{f', {last:%d/%m}' if last else ''}", f"{last:%H:%M}" if last else "–")
    left, right = st.columns([3, 2])
    with left:
        current = data["curve"]
        previous = read(previous_curves, ballot_id)
        length = (data["closes_at"] - data["opens_at"]).total_seconds() / 86400
        shown_proj = proj if data["phase"] == "open" else None
        chart(
            turnout_curve_chart(current, previous, shown_proj, length),
            current,
            key="direct_courbe",
            height=260,
            alt=f"Participation au fil du scrutin de {data['sector_name']} : {fr_int(data['voters'])} votants, "
            f"soit {fr_pct(data['share'])} des inscrits"
            + (
                f" ; projection à la clôture : {fr_pct(proj['share'])}."
                if shown_proj and proj["share"] is not None
                else "."
            ),
        )
    with right:
        if result:
            c = result["counts"]
            counts = pd.DataFrame({"label": ["Oui", "Non", "Blancs", "Nuls"], "votes": [c.yes, c.no, c.blank, c.void]})
            chart(
                count_chart(counts),
                counts,
                key="direct_resultat",
                height=260,
                alt=f"Résultat du dépouillement : {fr_int(c.yes)} oui, {fr_int(c.no)} non, {fr_int(c.blank)} blancs, "
                f"{fr_int(c.void)} nuls.",
            )
        else:
            places = data["places"]
            chart(
                places_chart(places),
                lambda: places[["name", "voters", "reported_at"]],
                key="direct_bureaux",
                height=places_height(len(places)),
                alt="Votants par bureau au dernier relevé : "
                + ", ".join(f"{p.name} {fr_int(p.voters)}" for p in places.itertuples())
                + ".",
            )
    st.caption(
        "Trait plein : ce scrutin ; tirets : moyenne des scrutins précédents au même moment (zone grise : du plus "
        f"bas au plus haut) ; pointillés : projection. {proj['explanation']} Règle : {ADOPTION_RULES.get(chosen['rule'], '')}. "
        f"Actualisé à {clock.now():%H:%M:%S}, toutes les {REFRESH_SECONDS} s."
    )


live(ballot_id)
