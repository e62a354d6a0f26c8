"""Support figures match direct counts on the demo data; soft-deleted rows never count."""

from datetime import date, datetime

import pandas as pd
from sqlalchemy import text

from ihs.queries.support import (
    dropin_topics,
    dropins_per_week,
    latest_cycles,
    monthly_support,
    support_totals,
    workshop_cycles,
    workshop_sessions,
)
from ihs.viz.support import short_titles
from ihs.vocab import DROPIN_TOPICS
from tests.conftest import TODAY

YEAR = 2019


def _one(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_totals_match_a_direct_count(engine):
    totals = support_totals(engine, YEAR, TODAY)
    period = {"a": date(YEAR, 1, 1), "b": date(YEAR, 12, 31)}
    where = "deleted_at IS NULL AND occurred_on BETWEEN :a AND :b"
    assert totals["dropin_people"] == _one(
        engine, f"SELECT SUM(people_seen) FROM visit WHERE kind = 'dropin' AND {where}", **period
    )
    assert totals["dropin_sessions"] == _one(
        engine, f"SELECT COUNT(*) FROM visit WHERE kind = 'dropin' AND {where}", **period
    )
    assert totals["offers_compared"] == _one(
        engine, f"SELECT SUM(offers_compared) FROM visit WHERE kind = 'legal' AND {where}", **period
    )
    assert totals["contracts_terminated"] == _one(
        engine, f"SELECT SUM(contracts_terminated) FROM visit WHERE kind = 'legal' AND {where}", **period
    )
    assert totals["computers_sold"] == _one(
        engine, f"SELECT SUM(computers_sold) FROM visit WHERE kind = 'equipment' AND {where}", **period
    )
    assert totals["amount_eur"] == float(
        _one(engine, f"SELECT SUM(amount_eur) FROM visit WHERE kind = 'equipment' AND {where}", **period)
    )
    assert totals["amount_eur"] == 40 * totals["computers_sold"]  # 40 € per computer in the demo
    ev = {"a": datetime(YEAR, 1, 1), "b": datetime(YEAR, 12, 31, 23, 59, 59)}
    ev_where = "kind = 'workshop' AND deleted_at IS NULL AND attendance IS NOT NULL AND starts_at BETWEEN :a AND :b"
    assert totals["workshop_sessions"] == _one(engine, f"SELECT COUNT(*) FROM event WHERE {ev_where}", **ev)
    assert totals["workshop_attendance"] == _one(engine, f"SELECT SUM(attendance) FROM event WHERE {ev_where}", **ev)
    assert totals["workshop_cycles"] == 1  # Bellevue Kergoat, implemented in May 2019
    # The monthly and weekly series add up to the same totals.
    monthly = monthly_support(engine, YEAR, TODAY)
    assert monthly["computers_sold"].sum() == totals["computers_sold"]
    assert monthly["offers_compared"].sum() == totals["offers_compared"]
    weekly = dropins_per_week(engine, YEAR, TODAY)
    assert weekly["people_seen"].sum() == totals["dropin_people"]
    assert all(d.weekday() == 0 for d in weekly["week"])  # weeks start on Monday


def test_topics_counted_in_sql_match_the_comma_separated_codes(engine):
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT topics FROM visit WHERE kind = 'dropin' AND deleted_at IS NULL "
                "AND occurred_on BETWEEN :a AND :b"
            ),
            {"a": date(YEAR, 1, 1), "b": date(YEAR, 12, 31)},
        ).scalars()
        expected = dict.fromkeys(DROPIN_TOPICS, 0)
        for topics in rows:
            for code in (topics or "").split(","):
                if code:
                    expected[code] += 1
    topics = dropin_topics(engine, YEAR, TODAY)
    got = dict(zip(topics["topic"], topics["visits"], strict=True))
    assert got == expected
    assert sum(got.values()) > 0


def test_workshop_cycle_and_returning_participants(engine):
    cycles = workshop_cycles(engine, YEAR, TODAY)
    assert len(cycles) == 1
    cycle = cycles.iloc[0]
    assert cycle["cycle"] == "Ateliers numériques – Bellevue Kergoat (2019)"
    assert (cycle["sessions_held"], cycle["planned_sessions"]) == (10, 10)
    sessions = workshop_sessions(engine, YEAR, TODAY)
    later = sessions[sessions["session_no"] > 1]
    assert cycle["returning_total"] == sessions["returning_participants"].sum()
    assert cycle["returning_share"] == later["returning_participants"].sum() / later["attendance"].sum()
    assert 0 < cycle["returning_share"] <= 1


def test_soft_deleted_visits_and_events_do_not_count(engine):
    before = support_totals(engine, YEAR, TODAY)
    with engine.begin() as conn:
        visit_id, sold = conn.execute(
            text(
                "SELECT id, computers_sold FROM visit WHERE kind = 'equipment' AND occurred_on BETWEEN :a AND :b "
                "ORDER BY id LIMIT 1"
            ),
            {"a": date(YEAR, 1, 1), "b": date(YEAR, 12, 31)},
        ).one()
        conn.execute(
            text("UPDATE visit SET deleted_at = :now, deleted_reason = 'doublon' WHERE id = :id"),
            {"now": datetime(2026, 1, 1), "id": visit_id},
        )
        event_id, attendance = conn.execute(
            text(
                "SELECT id, attendance FROM event WHERE kind = 'workshop' AND starts_at BETWEEN :a AND :b "
                "ORDER BY id LIMIT 1"
            ),
            {"a": datetime(YEAR, 1, 1), "b": datetime(YEAR, 12, 31, 23, 59)},
        ).one()
        conn.execute(
            text("UPDATE event SET deleted_at = :now, deleted_reason = 'erreur' WHERE id = :id"),
            {"now": datetime(2026, 1, 1), "id": event_id},
        )
    after = support_totals(engine, YEAR, TODAY)
    assert after["computers_sold"] == before["computers_sold"] - sold
    assert after["workshop_attendance"] == before["workshop_attendance"] - attendance
    assert after["workshop_sessions"] == before["workshop_sessions"] - 1


def test_a_year_without_activity_is_empty(engine):
    assert workshop_cycles(engine, 2016, TODAY).empty  # no sector implemented in 2016 or late 2015
    assert support_totals(engine, 2001, TODAY)["computers_sold"] == 0
    assert dropins_per_week(engine, 2001, TODAY).empty


def test_latest_cycles_are_those_started_last():
    cycles = pd.DataFrame(
        {"series_id": [3, 4, 5], "first_session": [date(2023, 7, 3), date(2023, 12, 11), date(2023, 10, 30)]}
    )
    assert latest_cycles(cycles, 2) == [4, 5]
    assert latest_cycles(cycles, 8) == [4, 5, 3]


def test_cycle_titles_lose_the_words_they_share_in_the_legend():
    titles = ["Ateliers numériques – Pilier Rouge (2023)", "Ateliers numériques – Kerinou (2023)"]
    assert short_titles(titles) == {titles[0]: "Pilier Rouge (2023)", titles[1]: "Kerinou (2023)"}
    # One cycle, or titles without a shared part before a dash: kept whole.
    assert short_titles(titles[:1]) == {titles[0]: titles[0]}
    assert short_titles(["Atelier A", "Atelier B"]) == {"Atelier A": "Atelier A", "Atelier B": "Atelier B"}


def test_shares_say_nothing_rather_than_a_misleading_zero():
    """By hand: 9 + 3 returning of 12 + 6 present after the first session = 2/3; no later session: None."""
    import pandas as pd
    import pytest

    from ihs.queries.support import returning_share, termination_share

    cycles = pd.DataFrame({"returning_total": [9, 3], "attendance_later": [12, 6]})
    assert returning_share(cycles) == pytest.approx(12 / 18)
    assert returning_share(pd.DataFrame({"returning_total": [0], "attendance_later": [0]})) is None
    assert termination_share({"offers_compared": 40, "contracts_terminated": 10}) == 0.25
    assert termination_share({"offers_compared": 0, "contracts_terminated": 0}) is None
