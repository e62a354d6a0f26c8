"""Home page figures: key figures with last year's values, the open ballot's live turnout, sources."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select

from ihs import models as m
from ihs.clock import year_before
from ihs.db import session_scope
from ihs.formats import delta_text
from ihs.queries.ballots import live_ballots
from ihs.queries.calendar import information_sectors
from ihs.queries.overview import key_figures, sources, summary
from ihs.queries.support import computers_sold, workshop_participants
from tests.conftest import TODAY


def test_key_figures_now_and_a_year_ago_match_the_summary(engine):
    figures = key_figures(engine, TODAY)
    assert figures["now"]["subscribers"] == summary(engine, TODAY)["subscribers"]
    assert figures["year_ago"]["subscribers"] == summary(engine, date(2025, 11, 27))["subscribers"]
    with engine.connect() as conn:
        sold = conn.execute(select(func.sum(m.Visit.computers_sold)).where(m.Visit.occurred_on <= TODAY)).scalar()
    assert figures["now"]["computers_sold"] == sold
    assert figures["now"]["workshop_participants"] > 0  # the cycle under way in Pilier Rouge


def test_open_ballot_turnout_sums_the_latest_report_of_each_place(engine):
    ballots = live_ballots(engine, TODAY)
    assert ballots["code"].tolist() == ["montaigne"]
    b = ballots.iloc[0]
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.TurnoutReport.place_id, m.TurnoutReport.reported_at, m.TurnoutReport.voters).where(
                m.TurnoutReport.ballot_id == int(b["ballot_id"])
            )
        ).all()
    latest = {}
    for place, _at, voters in sorted(rows, key=lambda r: r[1]):
        latest[place] = voters
    assert b["voters"] == sum(latest.values())
    assert b["turnout"] == pytest.approx(sum(latest.values()) / 420)
    assert b["places"] == 4


def test_no_ballot_open_on_a_quiet_day(engine):
    assert live_ballots(engine, date(2016, 7, 1)).empty


def test_now_happening(engine):
    info = information_sectors(engine, TODAY)
    assert info["code"].tolist() == ["keranroux"]
    from ihs.queries.calendar import upcoming_events

    events = upcoming_events(engine, TODAY, 30)
    assert len(events) and events["starts_at"].min() >= datetime.combine(TODAY, time.min)


def test_sources_give_the_subscriber_count_date(engine):
    src = sources(engine, TODAY).set_index("what")
    assert src.loc["abonnés", "as_of"] == TODAY
    old = sources(engine, date(2022, 12, 9)).set_index("what")
    assert old.loc["abonnés", "as_of"] == date(2022, 12, 9)
    assert "1 789" in old.loc["abonnés", "source"]


def test_workshop_participants_count_newcomers_once(empty_engine):
    with session_scope("tests", engine=empty_engine) as s:
        for n, (present, returning) in enumerate([(10, 0), (9, 8), (12, 9)], start=1):
            s.add(
                m.Event(
                    kind="workshop",
                    title=f"Séance {n}",
                    starts_at=datetime(2026, 3, n, 10),
                    attendance=present,
                    returning_participants=returning,
                    session_no=n,
                )
            )
        s.add(
            m.Event(
                kind="workshop",
                title="Annulée",
                starts_at=datetime(2026, 3, 9, 10),
                attendance=50,
                deleted_at=datetime(2026, 3, 10),
                deleted_reason="doublon",
            )
        )
    assert workshop_participants(empty_engine, date(2026, 1, 1), date(2026, 12, 31)) == 10 + 1 + 3
    assert computers_sold(empty_engine, TODAY) == 0


def test_delta_text_in_french():
    assert delta_text(2222, 2122) == "+100 en un an"
    assert delta_text(10, 1500) == "-1\u202f490 en un an"
    assert delta_text(0.2003, 0.1982, "pct") == "+0,2\u00a0pt en un an"
    assert delta_text(1.24, 1.24, "eur") == "stable sur un an"
    assert delta_text(None, 3) is None
    assert year_before(date(2024, 2, 29)) == date(2023, 2, 28)


def test_key_figures_on_the_public_calibration_date(engine):
    """On 09/12/2022 (operator data): 12 sectors, 1 789 subscribers, 19 % — as the public record."""
    figures = key_figures(engine, date(2022, 12, 9))["now"]
    assert (figures["sectors_deployed"], figures["subscribers"]) == (12, 1789)
    assert round(figures["uptake"], 2) == 0.19
