"""The benchmark (bench/) runs at a tiny scale and prints its fields (it is not a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench import pages, writes
from ihs import models as m
from ihs.db import forget_engine, get_engine
from ihs.settings import ROOT
from ihs.ui.nav import spec_for

TINY = ["--sectors", "20", "--scale", "0.0005"]
PAGE_FIELDS = {"page", "cold_s", "warm_s", "floor_s", "ratio", "peak_rss_mb"}


def _bench(*args: str, url: str | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    before = ["--url", url] if url else []  # --url is the CLI's global option
    return subprocess.run(
        [sys.executable, "-m", "ihs", *before, "bench", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def bench_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.db'}"
    yield url
    forget_engine(url)


def test_every_benchmarked_page_is_a_public_dashboard():
    for page in pages.PAGES:
        assert (ROOT / "pages" / f"{page}.py").exists()
        assert "viewer" in spec_for(f"pages/{page}.py").roles


@pytest.mark.slow
def test_pages_print_one_json_object_each_with_the_timings(bench_url):
    proc = _bench("--bench-url", bench_url, *TINY, "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert [r["page"] for r in rows] == pages.PAGES
    for row in rows:
        assert not row.get("errors"), row
        assert set(row) >= PAGE_FIELDS, row
        for key in PAGE_FIELDS - {"page"}:
            assert isinstance(row[key], int | float) and row[key] > 0, (row["page"], key, row[key])
        # The floor is the page's own reads, as the page made them (recorded, not listed by hand).
        assert row["reads"] and all(name.startswith("ihs.") for name in row["reads"]), row
    by_page = {r["page"]: r for r in rows}
    assert "ihs.geo.sector_map_data" in by_page["carte"]["reads"]
    assert "ihs.queries.awareness.awareness" in by_page["sensibilisation"]["reads"]
    # The live page's fragment, rerun alone as its timer does: its reads are among the page's.
    live = by_page["scrutin_direct"]
    assert live["fragment_s"] > 0 and live["fragment_warm_s"] > 0 and live["fragment_floor_s"] > 0
    assert "ihs.queries.ballots.live_turnout" in live["fragment_reads"]
    assert set(live["fragment_reads"]) <= set(live["reads"])
    assert not any("fragment_s" in r for r in rows if r["page"] != "scrutin_direct")
    # The synthetic database is built to the requested size and remembered for reuse.
    engine = get_engine(bench_url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.Sector)).scalar_one() == 20
        assert conn.execute(select(func.count()).select_from(m.Visit)).scalar_one() >= 1500
        size = conn.execute(select(m.Setting.value).where(m.Setting.key == "bench.size")).scalar_one()
    assert size["sectors"] == 20 and size["scale"] == 0.0005


@pytest.mark.slow
def test_writes_print_rate_errors_and_lost_rows(bench_url):
    proc = _bench("--bench-url", bench_url, *TINY, "--writes", "--seconds", "1")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "écritures/s" in proc.stdout and "erreurs" in proc.stdout and "perdues" in proc.stdout
    proc = _bench("--bench-url", bench_url, *TINY, "--writes", "--seconds", "1", "--json")
    result = json.loads(proc.stdout.splitlines()[0])
    assert result["writes"] > 0 and result["writes_per_s"] > 0
    assert result["errors"] == 0, result["error_samples"]
    assert result["lost"] == 0
    # The write load cleans up after itself: the bench database keeps its size.
    with get_engine(bench_url).connect() as conn:
        left = conn.execute(
            select(func.count()).select_from(m.Visit).where(m.Visit.created_by.like("banc-%"))
        ).scalar_one()
    assert left == 0


@pytest.mark.slow
def test_writes_clear_what_an_interrupted_run_left(bench_url):
    """A killed run leaves its polling places: their readings must not fill the ballot's total."""
    _bench("--bench-url", bench_url, *TINY, "--writes", "--seconds", "0.2")  # builds the base if needed
    engine = get_engine(bench_url)
    with engine.begin() as conn:
        ballot_id, registered = conn.execute(
            select(m.Ballot.id, m.Ballot.registered).where(m.Ballot.status == "open").order_by(m.Ballot.id)
        ).first()
        place_id = conn.execute(
            m.PollingPlace.__table__.insert().values(ballot_id=ballot_id, name=f"{writes.PLACE_NAME} 99")
        ).inserted_primary_key[0]
        conn.execute(
            m.TurnoutReport.__table__.insert().values(
                ballot_id=ballot_id,
                place_id=place_id,
                voters=registered,
                reported_at=datetime(2026, 11, 27, 8, 0),
                is_correction=False,
                created_by="banc-99",
            )
        )
    proc = _bench("--bench-url", bench_url, *TINY, "--writes", "--seconds", "1", "--json")
    result = json.loads(proc.stdout.splitlines()[0])
    assert result["errors"] == 0, result["error_samples"]
    with engine.connect() as conn:
        assert not conn.execute(select(m.PollingPlace.id).where(m.PollingPlace.id == place_id)).first()


def test_refuses_a_database_that_holds_other_data(db_url):
    proc = _bench(*TINY, url=db_url)
    assert proc.returncode == 2
    assert "ne viennent pas du banc d'essai" in proc.stderr


def test_url_after_bench_runs_the_write_load_on_that_database(empty_db_url):
    """`python -m ihs bench --url …` (SQLite, and PostgreSQL when configured) builds and measures there."""
    proc = _bench(*TINY, "--url", empty_db_url, "--writes", "--seconds", "1", "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[0])
    assert result["backend"] == make_url(empty_db_url).get_backend_name()
    assert result["writes"] > 0 and result["errors"] == 0 and result["lost"] == 0
    with get_engine(empty_db_url).connect() as conn:
        assert conn.execute(select(func.count()).select_from(m.Sector)).scalar_one() == 20


@pytest.mark.slow
def test_writes_spread_over_processes_all_land(empty_db_url):
    """`--processes 2`: two app processes write to the same database (SQLite, and PostgreSQL in CI)."""
    proc = _bench(*TINY, "--url", empty_db_url, "--writes", "--seconds", "1", "--processes", "2", "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.splitlines()[0])
    assert result["processes"] == 2 and len(result["writes_by_process"]) == 2
    assert all(n > 0 for n in result["writes_by_process"]), result
    assert result["writes"] == sum(result["writes_by_process"])
    assert result["errors"] == 0 and result["lost"] == 0, result["error_samples"]
    proc = _bench(*TINY, "--url", empty_db_url, "--writes", "--seconds", "1", "--processes", "2")
    assert "20 rédacteurs en 2 processus" in proc.stdout


def test_processes_must_be_at_least_one(tmp_path):
    target = tmp_path / "bench.db"
    proc = _bench("--bench-url", f"sqlite:///{target}", *TINY, "--writes", "--processes", "0")
    assert proc.returncode == 2
    assert "--processes compte des processus : 1 ou plus" in proc.stderr
    assert not target.exists()  # refused before building anything


def test_ratio_compares_each_cold_run_with_the_floor_measured_after_it():
    # The machine turns twice as slow after the fourth cold run: the passes before and after it
    # all say 1.2, where the ratio of the two medians would say 2.4 (0.12 / (0.045 + 0.005)).
    cold = [0.06, 0.06, 0.06, 0.12, 0.12, 0.12, 0.12]
    floor = [0.045, 0.045, 0.045, 0.045, 0.095, 0.095, 0.095]
    assert pages.paired_ratio(cold, floor, 0.005) == 1.2
    assert pages.paired_ratio([0.07], [0.05], 0.0) == 1.4


def test_the_reads_of_a_page_are_recorded_once_each_and_replayed_as_made(app_db):
    """The SQL floor: each read the page made through `ihs.ui.data.read`, with its arguments."""
    from ihs.queries.awareness import awareness
    from tests.apptest import open_page
    from tests.conftest import TODAY

    log = pages.recorded(lambda: open_page("viewer", "sensibilisation"))
    assert "ihs.queries.awareness.awareness" in log.names()
    [(_fn, args, kwargs)] = [r for r in log.reads if r[0] is awareness]
    assert args == (TODAY,) and kwargs == {}
    keys = [(f, a, tuple(sorted(k.items()))) for f, a, k in log.reads]
    assert len(keys) == len(set(keys))  # each read once
    assert pages.time_reads(app_db, log.reads) > 0
    # Once cached, the page makes no read: a warm run records nothing.
    assert pages.recorded(lambda: open_page("viewer", "sensibilisation")).reads == []


def test_a_page_s_fragments_and_the_names_it_calls_them_with():
    source = (
        "import streamlit as st\n"
        "@st.fragment(run_every=30)\n"
        "def live(ballot_id, *, wide):\n"
        "    pass\n"
        "@st.fragment\n"
        "def other():\n"
        "    pass\n"
        "def plain(x):\n"
        "    pass\n"
        "ballot_id, wide = 3, True\n"
        "live(ballot_id, wide=wide)\n"
        "plain(ballot_id)\n"
    )
    assert pages.fragment_calls(source) == [pages.FragmentCall("live", ("ballot_id",), (("wide", "wide"),))]
    live_page = (ROOT / "pages" / "scrutin_direct.py").read_text(encoding="utf-8")
    assert pages.fragment_calls(live_page) == [pages.FragmentCall("live", ("ballot_id",))]
    for page in set(pages.PAGES) - {"scrutin_direct"}:
        assert pages.fragment_calls((ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8")) == [], page
