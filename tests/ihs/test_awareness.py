"""Awareness: newcomer shares on a hand-built case, the default-rate rule, and the ranking order."""

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from ihs.db import session_scope
from ihs.models import (
    Deployment,
    DeploymentStage,
    Event,
    EventSector,
    MoveIn,
    Offer,
    Sector,
    SectorDwellings,
    SectorOffer,
    SubscriberCount,
)
from ihs.queries.awareness import awareness, chart_rows, newcomer_share, rank

AS_OF = date(2026, 11, 27)


def test_default_rate_matches_the_domain_figures():
    five = newcomer_share(dwellings=100, ballot_end=AS_OF - timedelta(days=round(5 * 365.25)), as_of=AS_OF, rate=0.1)
    thirteen = newcomer_share(
        dwellings=100, ballot_end=AS_OF - timedelta(days=round(13 * 365.25)), as_of=AS_OF, rate=0.1
    )
    assert round(five["share"], 2) == 0.41 and five["method"] == "default"
    assert round(thirteen["share"], 2) == 0.75


def _sector(s, code: str, dwellings: int, ballot_end: date, *, info_days_ago: int | None, uptake=(None, None)):
    """A deployed sector: ballot ending on `ballot_end`, implementation a month later."""
    sec = Sector(code=code, name=code.capitalize())
    s.add(sec)
    s.flush()
    s.add(SectorDwellings(sector_id=sec.id, valid_from=date(2000, 1, 1), dwellings=dwellings))
    dep = Deployment(sector_id=sec.id, status="deployed", year=ballot_end.year)
    start = ballot_end - timedelta(days=4)
    impl = ballot_end + timedelta(days=30)
    dep.stages = [
        DeploymentStage(stage="validation", actual_start=start - timedelta(days=90)),
        DeploymentStage(stage="ballot", planned_start=start, planned_end=ballot_end, actual_start=start,
                        actual_end=ballot_end),
        DeploymentStage(stage="implementation", actual_start=impl, actual_end=impl + timedelta(days=6)),
    ]  # fmt: skip
    s.add(dep)
    # On an offer from its validation: its subscribers count in its uptake.
    offer = s.execute(select(Offer).where(Offer.name == "Test")).scalar() or Offer(name="Test")
    s.add(offer)
    s.flush()
    s.add(SectorOffer(sector_id=sec.id, offer_id=offer.id, valid_from=start - timedelta(days=90)))
    if info_days_ago is not None:
        ev = Event(kind="information", subkind="sticker", title="Autocollants", starts_at=datetime.combine(
            AS_OF - timedelta(days=info_days_ago), datetime.min.time()))  # fmt: skip
        s.add(ev)
        s.flush()
        s.add(EventSector(event_id=ev.id, sector_id=sec.id))
    year_ago, now = uptake
    if now is not None:
        s.add(SubscriberCount(sector_id=sec.id, as_of=AS_OF - timedelta(days=400), subscribers=year_ago))
        s.add(SubscriberCount(sector_id=sec.id, as_of=AS_OF - timedelta(days=10), subscribers=now))
    s.flush()
    return sec.id


def _move_ins(s, sector_id: int, first: date, last: date, per_month: int, extra_first: int = 0) -> int:
    month, total = first, 0
    while month <= last:
        n = per_month + (extra_first if month == first else 0)
        s.add(MoveIn(sector_id=sector_id, month=month, move_ins=n))
        total += n
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return total


@pytest.fixture
def hand_built(empty_engine):
    """Four sectors with known figures (see each comment)."""
    with session_scope("tests", engine=empty_engine) as s:
        # A: 200 dwellings, ballot ended 11/06/2021, move-ins every month since July 2021 (the month
        # after the ballot) up to October 2026 (the month before today's): 64 months, 17 then 1 a
        # month, 80 in all. Last information 420 days ago.
        a = _sector(s, "alpha", 200, date(2021, 6, 11), info_days_ago=420, uptake=(40, 42))
        total_a = _move_ins(s, a, date(2021, 7, 1), date(2026, 10, 1), 1, extra_first=16)
        # B: no move-ins; ballot ended five years ago → default rate 10 %/yr → 41 %. Informed 30 days ago.
        _sector(s, "bravo", 100, AS_OF - timedelta(days=round(5 * 365.25)), info_days_ago=30)
        # C: move-ins only since January 2024 (70 of 100 dwellings); ballot ended 7 years ago:
        # the years before 2024 use the default rate. Informed 100 days ago.
        c = _sector(s, "charlie", 100, date(2019, 11, 27), info_days_ago=100)
        total_c = _move_ins(s, c, date(2024, 1, 1), date(2026, 10, 1), 2, extra_first=0)
        # D: no move-ins, ballot 13 years ago, never informed since → 75 % and no information action.
        _sector(s, "delta", 100, AS_OF - timedelta(days=round(13 * 365.25)), info_days_ago=None)
    assert total_a == 80 and total_c == 68
    return empty_engine


def test_hand_built_shares(hand_built):
    df = awareness(hand_built, AS_OF).set_index("code")
    # A: households still there = (1 − 17/200) × (1 − 1/200)^63 over the 64 reported months
    # (01/07/2021 → 31/10/2026, 1,949 days), and 0.9 a year over the 46 other days of the period
    # (12–30/06/2021 and 01–27/11/2026, not reported yet): 1 − 0.66741 × 0.98682 = 34.16 %.
    # Adding move-ins up (80 / 200) said 40 %: a dwelling let twice counted two households.
    assert (AS_OF - date(2021, 6, 11)).days == 1995 and (date(2026, 11, 1) - date(2021, 7, 1)).days == 1949
    assert df.loc["alpha", "newcomer_share"] == pytest.approx(1 - 0.915 * 0.995**63 * 0.9 ** (46 / 365.25))
    assert round(df.loc["alpha", "newcomer_share"], 4) == 0.3416
    assert df.loc["alpha", "method"] == "move_ins" and df.loc["alpha", "move_ins"] == 80
    assert df.loc["alpha", "default_years"] == pytest.approx(46 / 365.25)
    assert round(df.loc["bravo", "newcomer_share"], 2) == 0.41 and df.loc["bravo", "method"] == "default"
    # C: 34 reported months of 2 move-ins in 100 dwellings (01/2024 → 10/2026), the default rate for
    # 27/11/2019 → 01/01/2024 and for November 2026: 1 − 0.98^34 × 0.9^(4.17 years) = 67.6 %.
    uncovered = ((date(2024, 1, 1) - date(2019, 11, 27)).days + 26) / 365.25
    assert df.loc["charlie", "method"] == "mixed"
    assert df.loc["charlie", "default_years"] == pytest.approx(uncovered)
    assert df.loc["charlie", "newcomer_share"] == pytest.approx(1 - 0.98**34 * 0.9**uncovered)
    assert round(df.loc["charlie", "newcomer_share"], 3) == 0.676
    assert round(df.loc["delta", "newcomer_share"], 2) == 0.75
    assert pd.isna(df.loc["delta", "days_since_information"])
    assert df.loc["alpha", "days_since_information"] == 420
    assert df.loc["alpha", "uptake_change"] == pytest.approx(0.01)  # 40 → 42 subscribers of 200


@pytest.mark.parametrize(("months", "expected"), [(32, 0.476), (50, 0.636), (80, 0.801), (120, 0.911)])
def test_two_move_ins_a_month_in_100_dwellings_never_saturate(months, expected):
    """The issue's case: 2 move-ins a month in 100 dwellings. Summing them said 64 % at 32 months and
    100 % from 50 months on; households that arrived since = 1 − 0.98^months."""
    ballot_end = date(2018, 12, 31)  # the period starts on the 1st of a month: no day left over
    reports, month = {}, date(2019, 1, 1)
    for _ in range(months):
        reports[month] = 2
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    as_of = month - timedelta(days=1)  # the last reported month's last day
    est = newcomer_share(dwellings=100, ballot_end=ballot_end, as_of=as_of, rate=0.1, reports=reports)
    assert est["method"] == "move_ins" and est["default_years"] == 0
    assert est["share"] == pytest.approx(1 - 0.98**months)
    assert round(est["share"], 3) == expected


def test_a_month_without_report_uses_the_default_rate():
    """Reports for January and March, none for February: February's 28 days at 10 %/year."""
    reports = {date(2025, 1, 1): 3, date(2025, 3, 1): 1}
    est = newcomer_share(
        dwellings=60, ballot_end=date(2024, 12, 31), as_of=date(2025, 3, 31), rate=0.1, reports=reports
    )
    assert est["method"] == "mixed"
    assert est["share"] == pytest.approx(1 - (57 / 60) * (59 / 60) * 0.9 ** (28 / 365.25))
    # Move-ins the landlord reports before the ballot's end or after `as_of` do not count.
    early = newcomer_share(
        dwellings=60,
        ballot_end=date(2024, 12, 31),
        as_of=date(2025, 3, 31),
        rate=0.1,
        reports={**reports, date(2024, 12, 1): 50, date(2025, 4, 1): 50},
    )
    assert early["share"] == est["share"]


def test_ranking_order_and_reasons(hand_built):
    ranked = rank(awareness(hand_built, AS_OF))
    # delta: both criteria (75 % ≥ 50 %, never informed); charlie: 68 % newcomers; alpha: last
    # information 420 days ago (> 365). bravo (41 %, informed 30 days ago) needs nothing.
    assert list(ranked["code"]) == ["delta", "charlie", "alpha"]
    assert list(ranked["rank"]) == [1, 2, 3]
    reasons = dict(zip(ranked["code"], ranked["reason"], strict=True))
    assert (
        reasons["alpha"]
        == "34\u00a0% des ménages arrivés depuis le scrutin ; dernière action d'information il y a 420 jours"
    )
    assert (
        reasons["delta"] == "75\u00a0% des ménages arrivés depuis le scrutin ; aucune action d'information enregistrée"
    )
    assert reasons["charlie"].startswith("68\u00a0% des ménages arrivés depuis le scrutin ; dernière action")


def test_move_ins_are_capped_at_all_households(hand_built):
    with session_scope("tests", engine=hand_built) as s:
        a = s.query(Sector).filter_by(code="alpha").one()
        s.query(MoveIn).filter_by(sector_id=a.id, month=date(2022, 1, 1)).one().move_ins = 500
    df = awareness(hand_built, AS_OF).set_index("code")
    assert df.loc["alpha", "newcomer_share"] == 1.0


def test_chart_rows_keep_the_highest_shares_and_the_sectors_asked_for():
    df = pd.DataFrame({"name": list("ABCDEF"), "newcomer_share": [0.2, 0.9, 0.5, 0.9, 0.1, 0.7]})
    assert chart_rows(df, 6) is df  # small enough: every sector
    assert list(chart_rows(df, 3)["name"]) == ["B", "D", "F"]  # highest first, ties in their order
    # Asked-for sectors are added once, wherever they rank; one already shown is not repeated.
    assert list(chart_rows(df, 3, ["E", "B", "Z"])["name"]) == ["B", "D", "F", "E"]
