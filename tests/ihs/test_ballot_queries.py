"""Live turnout reads: latest report per place, the curve, previous ballots, projection, staleness.

A simulated week: 4 polling places report every evening for 5 days in a 400-dwelling sector;
the curve and both projection methods are checked against figures worked out by hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from ihs import ballots as b
from ihs.db import session_scope
from ihs.models import Ballot, PollingPlace, TurnoutReport
from ihs.queries import ballots as q
from tests.conftest import NOW
from tests.ihs.test_ballots import LANDLORD, OPENS, make_ballot, make_sector, report

# Cumulative voters per place at the end of days 0..4 (totals 20, 40, 60, 80, 100).
DAILY = {0: [10, 20, 30, 40, 50], 1: [5, 10, 15, 20, 25], 2: [3, 6, 9, 12, 15], 3: [2, 4, 6, 8, 10]}
CLOSES = datetime(2026, 3, 8, 18)  # default week: 153 hours after the opening
NOW_DAY4 = datetime(2026, 3, 6, 19)  # 106 hours after the opening


@pytest.fixture
def week(empty_engine):
    sid = make_sector(empty_engine, dwellings=400)
    bid, places = make_ballot(empty_engine, sid)
    for day in range(5):
        for i, place in enumerate(places):
            at = OPENS.replace(hour=18, minute=i) + timedelta(days=day)
            report(empty_engine, LANDLORD, bid, place, DAILY[i][day], at)
    return empty_engine, bid, places


def add_previous_ballot(engine, shares_by_hour: dict[float, int], registered: int = 200, code: str = "avant") -> int:
    """A finished (locked) ballot of last year, same length, one place, given cumulative voters by hour."""
    sid = make_sector(engine, code=code, dwellings=registered)
    opens = datetime(2025, 3, 3, 9)
    with session_scope("tests", engine=engine) as s:
        ballot = Ballot(
            deployment_id=s.execute(select(Ballot.deployment_id)).scalars().first() or 1,
            sector_id=sid,
            opens_at=opens,
            closes_at=opens + timedelta(hours=153),
            registered=registered,
            status="locked",
            outcome="adopted",
        )
        s.add(ballot)
        s.flush()
        place = PollingPlace(ballot_id=ballot.id, name="Salle", kind="facility")
        s.add(place)
        s.flush()
        s.add_all(
            TurnoutReport(ballot_id=ballot.id, place_id=place.id, reported_at=opens + timedelta(hours=h), voters=v)
            for h, v in shares_by_hour.items()
        )
        return ballot.id


def test_turnout_by_place_takes_each_place_latest_report(week):
    engine, bid, _places = week
    df = q.turnout_by_place(engine, bid, NOW_DAY4)
    assert df["voters"].tolist() == [50, 25, 15, 10]
    # As of the evening before, day 3's figures.
    assert q.turnout_by_place(engine, bid, datetime(2026, 3, 5, 18, 30))["voters"].tolist() == [40, 20, 12, 8]
    # Before any report: every place at 0, no time.
    early = q.turnout_by_place(engine, bid, OPENS + timedelta(hours=1))
    assert early["voters"].tolist() == [0, 0, 0, 0] and early["reported_at"].isna().all()


def test_a_correction_replaces_the_place_figure(week):
    engine, bid, places = week
    report(engine, LANDLORD, bid, places[0], 45, NOW_DAY4 - timedelta(minutes=30), is_correction=True, reason="relu")
    assert q.turnout_by_place(engine, bid, NOW_DAY4)["voters"].tolist() == [45, 25, 15, 10]
    curve = q.live_turnout(engine, bid, NOW_DAY4)["curve"]
    assert curve["voters"].iloc[-1] == 95


def test_the_curve_of_a_simulated_week(week):
    engine, bid, _ = week
    curve = q.live_turnout(engine, bid, NOW_DAY4)["curve"]
    assert len(curve) == 21  # the opening, then 20 reports
    assert curve.iloc[0][["elapsed_hours", "voters"]].tolist() == [0, 0]
    # The total after each day's four reports.
    evening = curve[curve["reported_at"].dt.minute == 3]
    assert evening["voters"].tolist() == [20, 40, 60, 80, 100]
    assert evening["elapsed_hours"].tolist() == [9.05, 33.05, 57.05, 81.05, 105.05]
    assert evening["share"].tolist() == [0.05, 0.1, 0.15, 0.2, 0.25]
    # Within a day, place by place: 10 after the first place's first report.
    assert curve["voters"].iloc[1] == 10
    assert curve["voters"].is_monotonic_increasing


def test_one_ballot_running_totals_read_at_once_equal_the_streamed_read(week):
    """The live screen reads one ballot's totals in one fetch; several ballots are streamed in chunks."""
    engine, bid, places = week
    other = make_ballot(engine, make_sector(engine, "vide"))[0]  # no reading yet
    for until in (None, OPENS + timedelta(days=2, hours=20), OPENS - timedelta(hours=1)):
        both = q._running_totals(engine, [bid, other], until=until)
        one = q._running_totals(engine, [bid], until=until)
        pd.testing.assert_frame_equal(one, both[both["ballot_id"] == bid].reset_index(drop=True))
    assert q._running_totals(engine, [bid])["voters"].iloc[-1] == 100
    assert q._running_totals(engine, [other]).empty
    # The ballot's dates and registered count: one row read directly, several through read_sql.
    pd.testing.assert_frame_equal(q._ballot_frame(engine, [bid]), q._ballot_frame(engine, [bid, other]).loc[[bid]])
    assert q._ballot_frame(engine, [bid]).loc[bid, "registered"] == 400
    # Two places reporting at the same instant: one point, the total after both.
    late = OPENS + timedelta(days=5, hours=2)
    report(engine, LANDLORD, bid, places[0], 60, late)
    report(engine, LANDLORD, bid, places[1], 30, late)
    for totals in (q._running_totals(engine, [bid]), q._running_totals(engine, [bid, other])):
        assert totals["reported_at"].is_unique
        assert totals.iloc[-1][["reported_at", "voters"]].tolist() == [late, 115]


def test_linear_projection_without_previous_ballots(week):
    engine, bid, _ = week
    proj = q.projection(engine, bid, NOW_DAY4)
    # 20 voters in the last 24 hours, 47 hours left: 100 + 20 / 24 × 47 = 139.
    assert proj["method"] == "linear"
    assert proj["voters"] == 139 and proj["share"] == pytest.approx(139 / 400)


def test_projection_from_the_shape_of_previous_ballots(week):
    engine, bid, _ = week
    add_previous_ballot(engine, {100: 60, 150: 90})
    # At 106 h of 153 the previous ballot had 60 / 200 = 30 %, and 45 % at the close:
    # 25 % now / 30 % × 45 % = 37.5 % → 150 voters.
    proj = q.projection(engine, bid, NOW_DAY4)
    assert proj["method"] == "shape"
    assert proj["share"] == pytest.approx(0.375) and proj["voters"] == 150
    assert "du scrutin précédent" in proj["explanation"] and "30" in proj["explanation"]


def test_projection_averages_several_previous_ballots(week):
    engine, bid, _ = week
    add_previous_ballot(engine, {100: 60, 150: 90}, code="a")  # 30 % then 45 %
    add_previous_ballot(engine, {100: 40, 150: 70}, code="b")  # 20 % then 35 %
    # mean at the same fraction 25 %, mean final 40 %: 25 % / 25 % × 40 % = 40 %.
    assert q.projection(engine, bid, NOW_DAY4)["share"] == pytest.approx(0.40)


def test_previous_curves_at_the_same_elapsed_time(week):
    engine, bid, _ = week
    add_previous_ballot(engine, {100: 60, 150: 90})
    prev = q.previous_curves(engine, bid, step_hours=2)
    by_hour = prev.set_index("elapsed_hours")["mean_share"]
    assert by_hour[0] == 0 and by_hour[98] == 0 and by_hour[100] == 0.30 and by_hour[152] == 0.45
    assert by_hour[153] == 0.45
    assert prev["ballots"].eq(1).all()


def test_live_turnout_figures_and_staleness(week):
    engine, bid, _ = week
    live = q.live_turnout(engine, bid, NOW_DAY4)
    assert (live["voters"], live["registered"], live["share"]) == (100, 400, 0.25)
    assert live["last_report_at"] == datetime(2026, 3, 6, 18, 3)
    assert live["time_left"] == CLOSES - NOW_DAY4
    # 57 minutes since the last report: fresh under the 90-minute setting…
    assert live["minutes_since_last"] == 57 and not live["stale"]
    # Polling places open 9:00-18:00 each day: not stale at night, 2 hours later…
    assert not q.live_turnout(engine, bid, NOW_DAY4 + timedelta(hours=2))["stale"]
    # …nor at 10:00 the next morning (60 minutes after the opening, under 90), but stale at 10:31.
    assert not q.live_turnout(engine, bid, datetime(2026, 3, 7, 10, 0))["stale"]
    assert q.live_turnout(engine, bid, datetime(2026, 3, 7, 10, 31))["stale"]
    # Closed: no time left, never stale, the projection is the final figure.
    closed = q.live_turnout(engine, bid, CLOSES + timedelta(hours=1))
    assert closed["phase"] == "closed" and closed["time_left"] is None and not closed["stale"]
    assert closed["projection"]["method"] == "final"


def test_live_turnout_carries_what_the_charts_draw(week):
    # One read per refresh: its places and projection are those of the separate functions.
    engine, bid, _ = week
    add_previous_ballot(engine, {100: 60, 150: 90})
    for now in (NOW_DAY4, NOW_DAY4 - timedelta(days=2), CLOSES + timedelta(hours=1)):
        live = q.live_turnout(engine, bid, now)
        pd.testing.assert_frame_equal(live["places"], q.turnout_by_place(engine, bid, now))
        assert live["projection"] == q.projection(engine, bid, now)
    assert live["curve"]["voters"].iloc[-1] == live["voters"] == 100


def test_projection_falls_back_to_the_last_24_hours_when_previous_ballots_had_no_voters_yet(week):
    # The previous ballot had no reading at this stage: its shape says nothing, the recent rhythm does
    # (this case used to crash the live screen: a variable of the shape branch hid the opening date).
    engine, bid, _ = week
    add_previous_ballot(engine, {100: 60, 150: 90})
    early = NOW_DAY4 - timedelta(days=2)
    assert q.live_turnout(engine, bid, early)["voters"] > 0
    assert q.projection(engine, bid, early)["method"] == "linear"


def test_open_ballots_and_the_default_live_ballot(week):
    engine, bid, _ = week
    assert q.open_ballots(engine, NOW_DAY4)["ballot_id"].tolist() == [bid]
    assert q.open_ballots(engine, CLOSES + timedelta(minutes=1)).empty
    assert q.live_ballot_id(engine, NOW_DAY4) == bid
    assert q.live_ballot_id(engine, NOW_DAY4, "test") == bid
    assert q.live_ballot_id(engine, NOW_DAY4, "inconnu") is None


def test_a_ballot_header_is_its_row_of_the_ballot_list(engine):
    """The live screen's one-row read gives the same values as the full list, for every demo ballot."""
    listed = q.ballot_list(engine, NOW).drop(columns="label")
    assert len(listed) > 3
    for row in listed.to_dict("records"):
        header = q.ballot_header(engine, int(row["ballot_id"]), NOW)
        assert header.keys() == row.keys()
        for key, value in row.items():
            if pd.isna(value):
                assert pd.isna(header[key]), (key, header[key])
            else:
                assert header[key] == value, (key, header[key], value)
        assert isinstance(header["opens_at"], pd.Timestamp) and isinstance(header["closes_at"], pd.Timestamp)
    assert q.ballot_header(engine, 999_999, NOW) is None


def test_demo_live_ballot_is_montaigne_with_the_latest_reports(engine):
    bid = q.live_ballot_id(engine, NOW)
    header = q.ballot_header(engine, bid, NOW)
    assert header["sector_code"] == "montaigne" and header["phase"] == "open"
    with engine.connect() as conn:
        rows = conn.execute(
            select(TurnoutReport.place_id, TurnoutReport.voters)
            .where(TurnoutReport.ballot_id == bid, TurnoutReport.reported_at <= NOW)
            .order_by(TurnoutReport.reported_at, TurnoutReport.id)
        ).all()
    latest = {}
    for place, voters in rows:
        latest[place] = voters
    live = q.live_turnout(engine, bid, NOW)
    assert len(latest) == 4 and live["voters"] == sum(latest.values()) > 0
    assert live["registered"] == header["registered"]
    assert live["curve"]["voters"].iloc[-1] == live["voters"]
    # The historical ballots give the shape projection.
    assert live["projection"]["method"] == "shape"
    assert live["share"] <= live["projection"]["share"] <= 1


def test_demo_historical_results_and_side_by_side_entries(engine):
    df = q.ballot_list(engine, NOW)
    locked = int(df[df["status"] == "locked"]["ballot_id"].iloc[0])
    result = q.ballot_result(engine, locked)
    assert result["status"] == "locked" and result["outcome"].adopted
    comparison = q.count_view(engine, locked, "lecteur")["comparison"]
    assert comparison["same"].all() and comparison["label"].tolist()[0] == "Oui"
    open_id = q.live_ballot_id(engine, NOW)
    assert q.ballot_result(engine, open_id) is None
    assert q.count_view(engine, open_id, "coordination") == {"entries": {}, "comparison": None, "own": None}


@pytest.mark.parametrize(
    ("authors", "viewer", "visible"),
    [
        ({}, "ana", set()),
        ({1: "ana"}, "ana", {1}),
        ({1: "ana"}, "bob", set()),  # bob may type entry 2: he sees nothing of entry 1
        ({1: "ana"}, "coordination", set()),  # nor does the coordinator who will validate
        ({2: "bob"}, "ana", set()),
        ({2: "bob"}, "bob", {2}),
        ({1: "ana", 2: "bob"}, "ana", {1, 2}),
        ({1: "ana", 2: "bob"}, "coordination", {1, 2}),
    ],
)
def test_entry_2_is_typed_blind(authors, viewer, visible):
    assert b.visible_entries(authors, viewer) == visible


def test_ballot_list_labels_for_the_choice_list(engine):
    df = q.ballot_list(engine, NOW).set_index("ballot_id")
    open_id = q.live_ballot_id(engine, NOW)
    assert df.loc[open_id, "label"] == f"Montaigne – {df.loc[open_id, 'opens_at']:%d/%m/%Y} (Ouvert)"
    assert df["label"].str.endswith(")").all()
    assert q.ballot_choices(engine, NOW) == list(zip(df.index, df["label"], strict=True))
    assert q.live_ballot_id(engine, NOW, "kerourien") == df[df["sector_code"] == "kerourien"].index[0]
    assert q.live_ballot_id(engine, NOW, "nulle-part") is None


def test_setup_candidates_and_form_values(engine):
    cands = q.setup_candidates(engine, NOW)
    keranroux = cands.set_index("code").loc["keranroux"]
    assert pd.isna(keranroux["ballot_id"]) and keranroux["editable"]
    montaigne = cands.set_index("code").loc["montaigne"]
    assert montaigne["phase"] == "open" and not montaigne["editable"]
    values = q.setup_form_values(engine, int(keranroux["sector_id"]), NOW.date() + timedelta(days=7), None)
    assert len(values["places"]) == 4 and values["registered"] > 0


def test_the_count_page_opens_on_the_ballot_to_count_and_offers_the_entry_to_type():
    import pandas as pd

    newest_first = pd.DataFrame({"ballot_id": [9, 8, 7], "phase": ["open", "counted", "locked"]})
    assert q.ballot_to_count(newest_first) == 8  # in its count, before the locked one
    assert q.ballot_to_count(newest_first.assign(phase=["open", "locked", "locked"])) == 8  # newest closed
    assert q.ballot_to_count(newest_first.assign(phase=["open"] * 3)) == 9
    one = {1: {"by": "bailleur"}}
    assert q.entry_to_type(one, "coordination") == 2  # the one still to do
    assert q.entry_to_type(one, "bailleur") == 1  # their own
    assert q.entry_to_type({2: {"by": "bailleur"}}, "coordination") == 1
    assert q.entry_to_type({}, "coordination") == 1
