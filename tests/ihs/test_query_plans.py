"""Every dashboard read finds its rows through an index (EXPLAIN on SQLite and on PostgreSQL).

At national scale the big tables hold millions of rows (`python -m ihs bench`): a dashboard
query that reads one of them whole is the slow page of tomorrow. This opens every page the
shared screen may open, as the bench does, on the demo database, records each SELECT the app
sends (app.py's and the live fragment's included), asks the database for its plan, and fails on
a full scan of a big table. The reads are the pages' own, not a list kept beside them.
"""

from __future__ import annotations

import re

import streamlit as st
from sqlalchemy import event

from ihs.ui.nav import pages_for
from tests.apptest import open_page

BIG = ("visit", "event", "event_sector", "turnout_report", "subscriber_count", "move_in", "audit_log")
FULL_SCAN = re.compile(rf"^SCAN ({'|'.join(BIG)})\b(?!.*USING)")
QUERY = {"secteur": {"secteur": "kerourien"}}  # the sector page shows a sector


def _plan_every_read(engine, plan_of) -> tuple[int, list[str]]:
    """Open every page the shared screen may open, caches cleared; `plan_of(statement, params)`
    gives the problems in each SELECT's plan. Returns (statements checked, "page: problem" lines)."""
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and "pg_catalog" not in statement:
            sent.append((statement, params))

    problems, checked = [], 0
    for page in (p.url_path for p in pages_for("viewer")):
        st.cache_data.clear()
        event.listen(engine, "before_cursor_execute", record)
        try:
            at = open_page("viewer", page, query=QUERY.get(page))
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert not at.exception, (page, at.exception)
        for statement, params in sent:
            checked += 1
            problems += [f"{page}: {p}\n    {statement}" for p in plan_of(statement, params)]
        sent.clear()
    return checked, sorted(set(problems))


def test_no_dashboard_read_scans_a_big_table_whole(app_db):
    engine = app_db

    def full_scans(statement, params):
        with engine.connect() as conn:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).fetchall()
        return [row[-1] for row in plan if FULL_SCAN.search(row[-1])]

    checked, scans = _plan_every_read(engine, full_scans)
    assert checked > 50  # the reads did run
    assert not scans, "\n".join(scans)


def test_the_check_sees_a_full_scan(sqlite_template):
    """What SQLite says of a query that reads a table whole (no index on `notes`) is caught."""
    import sqlite3

    with sqlite3.connect(sqlite_template) as conn:
        [plan] = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM visit WHERE notes = 'x'")]
        [indexed] = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN SELECT * FROM visit WHERE id = 1")]
    assert FULL_SCAN.search(plan), plan
    assert not FULL_SCAN.search(indexed), indexed


def _pg_full_reads(plan: dict) -> list[str]:
    """Nodes of a PostgreSQL JSON plan that read a big table whole (a sequential scan), or the
    turnout readings other than ballot by ballot (an index scan not bounded by `ballot_id` walks
    every ballot's readings: 415,000 nationally)."""
    found = []
    relation = plan.get("Relation Name")
    if relation in BIG and "Seq Scan" in plan["Node Type"]:
        found.append(f"{plan['Node Type']} on {relation}")
    if relation == "turnout_report" and "ballot_id" not in plan.get("Index Cond", "") + plan.get("Recheck Cond", ""):
        found.append(f"{plan['Node Type']} on turnout_report not by ballot")
    for child in plan.get("Plans", []):
        found += _pg_full_reads(child)
    return found


def test_no_dashboard_read_scans_a_big_table_whole_on_postgresql(app_db_postgresql):
    """The same on PostgreSQL: with sequential scans made the last resort (`enable_seqscan = off`),
    the demo database's small tables plan as the national ones would, and a read that still has to
    go through a whole big table is caught (the home page's turnout once did, 80 ms per ballot)."""
    engine = app_db_postgresql

    def full_reads(statement, params):
        with engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")
            [[plan]] = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, params).fetchall()
            conn.rollback()
        return _pg_full_reads(plan[0]["Plan"])

    checked, scans = _plan_every_read(engine, full_reads)
    assert checked > 50
    assert not scans, "\n".join(scans)
