"""One clock for the whole app: `ihs.clock` is the only reader of the real time, in the programme's zone.

The suite pins today with IHS_TODAY (tests/conftest.py). The last test here runs the
time-sensitive tests again with the machine's clock moved a year ahead and a year behind: a page
or query that reads the real calendar instead of `ihs.clock` then fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from ihs import clock
from ihs.db import session_scope
from ihs.models import AuditLog, Sector, Visit
from ihs.settings import ROOT
from ihs.users import actor_for
from ihs.visits import VisitEntry, record_visit

# What may read the real clock: ihs/clock.py, and nothing else in the app.
FORBIDDEN = re.compile(r"datetime\.now\(|date\.today\(|func\.now\(|datetime\.utcnow\(|datetime\.today\(")


def _app_sources():
    for folder in ("ihs", "pages"):
        yield from (ROOT / folder).rglob("*.py")
    yield ROOT / "app.py"


def test_only_ihs_clock_reads_the_real_time():
    offenders = []
    for path in _app_sources():
        if path == ROOT / "ihs" / "clock.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "Use ihs.clock.now() / ihs.clock.today():\n" + "\n".join(offenders)


def test_the_guard_sees_each_forbidden_call():
    for call in ("datetime.now()", "date.today()", "func.now()", "datetime.utcnow()", "datetime.now(UTC)"):
        assert FORBIDDEN.search(f"stamp = {call}"), call
    assert not FORBIDDEN.search("stamp = clock.now()") and not FORBIDDEN.search("day = clock.today()")


@pytest.fixture
def unpinned(monkeypatch):
    monkeypatch.delenv("IHS_TODAY", raising=False)
    monkeypatch.delenv("IHS_TIMEZONE", raising=False)


def test_now_is_paris_local_time_naive_in_winter_and_summer(unpinned):
    # 09:15 UTC is 10:15 in Paris in December (UTC+1) and 11:15 in July (UTC+2).
    with time_machine.travel(datetime(2026, 12, 3, 9, 15, tzinfo=UTC), tick=False):
        assert clock.now() == datetime(2026, 12, 3, 10, 15)
        assert clock.now().tzinfo is None
        assert clock.today() == date(2026, 12, 3)
        assert clock.stamp() == "20261203-101500"
    with time_machine.travel(datetime(2026, 7, 1, 9, 15, tzinfo=UTC), tick=False):
        assert clock.now() == datetime(2026, 7, 1, 11, 15)
    # 23:30 UTC on 31 December is already New Year's Day in Brest.
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        assert clock.today() == date(2027, 1, 1)


def test_another_zone_and_a_pinned_day(unpinned, monkeypatch):
    monkeypatch.setenv("IHS_TIMEZONE", "America/Cayenne")  # UTC-3, no summer time
    with time_machine.travel(datetime(2026, 12, 3, 9, 15, tzinfo=UTC), tick=False):
        assert clock.now() == datetime(2026, 12, 3, 6, 15)
        monkeypatch.setenv("IHS_TODAY", "2026-11-27")
        # The pinned day at the current local time of day.
        assert clock.now() == datetime(2026, 11, 27, 6, 15)
        assert clock.today() == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("IHS_TIMEZONE", "Paris", "Fuseau horaire inconnu : IHS_TIMEZONE='Paris'"),
        ("IHS_TIMEZONE", "../etc", "Fuseau horaire inconnu"),
        ("IHS_TODAY", "27/11/2026", "Date invalide : IHS_TODAY='27/11/2026' (format attendu : AAAA-MM-JJ)"),
    ],
)
def test_a_bad_setting_is_refused_in_french(unpinned, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(clock.ClockError) as err:
        clock.now()
    assert message in str(err.value)


def test_rows_and_their_audit_are_stamped_by_the_clock_on_each_backend(engine, unpinned):
    """Creation times come from ihs.clock, never from the database server's own clock."""
    with engine.connect() as conn:
        sector = conn.execute(select(Sector.id).where(Sector.code == "bellevue-kergoat")).scalar_one()
    partner = actor_for(engine, "partenaire")
    travel = time_machine.travel(datetime(2026, 12, 3, 9, 15, 7, tzinfo=UTC), tick=False)
    with travel, session_scope("partenaire", engine=engine) as s:
        visit = record_visit(
            s, partner, VisitEntry(kind="dropin", sector_id=sector, occurred_on=date(2026, 12, 2), people_seen="3")
        )
        visit_id = visit.id
    with engine.connect() as conn:
        created = conn.execute(select(Visit.created_at).where(Visit.id == visit_id)).scalar_one()
        audited = conn.execute(
            select(AuditLog.at).where(AuditLog.table_name == "visit", AuditLog.row_id == str(visit_id))
        ).scalar_one()
    assert created == audited == datetime(2026, 12, 3, 10, 15, 7)


# Tests whose answer depends on "now": entries and their audit read back by date windows, the live
# ballot, "today" on the entry forms, the committee's frozen figures, backups' names.
TIME_SENSITIVE = [
    "tests/ihs/test_clock.py",
    "tests/ihs/test_entries.py",
    "tests/ihs/test_visits.py",
    "tests/ihs/test_events.py",
    "tests/ihs/test_meetings.py",
    "tests/pages/test_journal.py",
    "tests/pages/test_mes_saisies.py",
    "tests/pages/test_participation.py",
    "tests/pages/test_scrutin_direct.py",
    "tests/pages/test_saisie_visites.py",
    "tests/pages/test_saisie_evenements.py",
    "tests/pages/test_accueil.py",
    "tests/pages/test_comite.py",
    "tests/recovery/test_backup_restore.py",
]


@pytest.mark.slow
@pytest.mark.parametrize("days", [365, -365], ids=["a-year-ahead", "a-year-behind"])
def test_time_sensitive_tests_pass_with_the_real_clock_moved(days):
    env = {**os.environ, "IHS_TEST_CLOCK_SHIFT_DAYS": str(days)}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-x",
            "-k",
            "not real_clock_moved",
            *TIME_SENSITIVE,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]


def test_a_page_on_today_stands_at_this_minute_and_on_another_day_at_its_end(monkeypatch):
    monkeypatch.setenv("IHS_TODAY", "2026-11-27")
    at = clock.moment(date(2026, 11, 27))
    assert at.date() == date(2026, 11, 27) and (at.second, at.microsecond) == (0, 0)
    assert clock.moment(date(2026, 11, 20)) == datetime(2026, 11, 20, 23, 59, 59, 999999)
