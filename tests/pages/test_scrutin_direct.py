"""Scrutin en direct: the live screen on the demo data, its stale warning, the outcome, and a fragment-only rerun.

`st.fragment(run_every=…)` never fires under AppTest, so `run_fragment_only` asks the script runner
for what the browser's timer asks for: a rerun whose queue holds only the page's fragment ids
(`RerunData.fragment_id_queue`, `is_auto_rerun`). The page counts its runs in session state
(`scrutin_page_runs` in the page body, `scrutin_fragment_runs` inside the fragment): after a
fragment-only rerun the fragment count grows and shows a new report, the page count does not.
The browser-level check (the timer really firing) is done by the e2e tests.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest.mock import patch

import streamlit as st
from sqlalchemy import select
from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
from streamlit.testing.v1 import local_script_runner

from ihs import clock
from ihs.ballots import record_turnout
from ihs.db import session_scope
from ihs.formats import fr_int
from ihs.models import Ballot, PollingPlace
from ihs.queries.ballots import live_turnout
from ihs.users import Actor
from tests.apptest import metric, open_page, texts


def run_fragment_only(at) -> None:
    """Rerun only the fragments registered by the last run, as the browser's run_every timer does.

    AppTest builds a fresh script runner per run, with an initial full-rerun request and then the
    run's request: both are made fragment-only here (the two requests coalesce into one run).
    """
    fragment_ids = list(at._fragment_storage._fragments)
    assert fragment_ids, "the page registered no fragment"

    def fragment_rerun_data(*args, **kwargs):
        return RerunData(
            *args, **kwargs, fragment_id_queue=fragment_ids, is_fragment_scoped_rerun=True, is_auto_rerun=True
        )

    with patch.object(local_script_runner, "RerunData", fragment_rerun_data):
        at.run()


def montaigne(engine) -> tuple[int, int]:
    with session_scope("t", engine=engine) as s:
        bid = s.execute(select(Ballot.id).where(Ballot.status == "open")).scalar_one()
        place = s.execute(select(PollingPlace.id).where(PollingPlace.ballot_id == bid)).scalars().first()
    return bid, place


def test_demo_live_screen_shows_montaigne_open_ballot_total(app_db):
    at = open_page("viewer", "scrutin_direct")
    assert not at.exception
    bid, _ = montaigne(app_db)
    now = clock.now().replace(second=0, microsecond=0)
    live = live_turnout(app_db, bid, now)
    assert at.title[0].value == "Scrutin en direct – Montaigne"
    assert metric(at, "Votants / inscrits") == f"{fr_int(live['voters'])} / {fr_int(live['registered'])}"
    assert metric(at, "Participation") == "14\u00a0%"
    assert metric(at, f"Dernier relevé, {live['last_report_at']:%d/%m}") == f"{live['last_report_at']:%H:%M}"
    assert metric(at, "Projection").endswith("%")
    # The demo's last reports are from yesterday evening: during today's polling hours, once the
    # setting's 90 minutes have passed since the opening, the screen says so; not at night.
    opening = datetime.combine(now.date(), live["opens_at"].time())
    polling = opening <= now <= datetime.combine(now.date(), live["closes_at"].time())
    assert ("Données anciennes" in texts(at)) == (polling and now - opening > timedelta(minutes=90))
    # Curve and per-place charts are drawn (with their downloads).
    assert len(at.get("vega_lite_chart")) == 2


def test_fragment_rerun_does_not_rerun_the_page(app_db):
    at = open_page("viewer", "scrutin_direct")
    page_runs, fragment_runs = at.session_state["scrutin_page_runs"], at.session_state["scrutin_fragment_runs"]
    before = metric(at, "Votants / inscrits")
    assert before.startswith("60")
    # A polling place reports 10 more voters (as the participation page would, then clear the cache).
    bid, place = montaigne(app_db)
    at_time = clock.now().replace(second=0, microsecond=0) - timedelta(minutes=1)
    with session_scope("bailleur", engine=app_db) as s:
        record_turnout(s, Actor("bailleur", "landlord"), bid, place, 34, at_time)
    st.cache_data.clear()

    run_fragment_only(at)
    assert not at.exception
    assert at.session_state["scrutin_fragment_runs"] == fragment_runs + 1
    assert at.session_state["scrutin_page_runs"] == page_runs  # the page body did not run
    assert metric(at, "Votants / inscrits") == "70 / 420"  # the fragment shows the new report
    assert "Données anciennes" not in texts(at)

    # Control: a full rerun does run the page body.
    at.run()
    assert at.session_state["scrutin_page_runs"] == page_runs + 1


def test_locked_ballot_shows_the_outcome(app_db):
    at = open_page("viewer", "scrutin_direct", query={"secteur": "le-bot"})
    assert not at.exception
    assert "ADOPTÉ" in texts(at)
    assert metric(at, "Résultat") == "Adopté"
    assert metric(at, "Temps restant") == "Clos"
    assert "Données anciennes" not in texts(at)
