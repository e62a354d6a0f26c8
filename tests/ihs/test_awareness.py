"""Awareness: newcomer shares on a hand-built case, the default-rate rule, and the ranking order."""

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from ihs.db import session_scope
from ihs.models import (
    Deployment,
    DeploymentStage,
    Event,
    EventSector,
    MoveIn,
    Sector,
    SectorDwellings,
    SubscriberCount,
)
from ihs.queries.awareness import awareness, chart_rows, newcomer_share, ranking

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
        # after the ballot) up to October 2026 (the month before today's): 64 months, 80 move-ins
        # → 80 / 200 = 40 % exactly. Last information 420 days ago.
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
    assert df.loc["alpha", "newcomer_share"] == pytest.approx(0.40)
    assert df.loc["alpha", "method"] == "move_ins" and df.loc["alpha", "move_ins"] == 80
    assert round(df.loc["bravo", "newcomer_share"], 2) == 0.41 and df.loc["bravo", "method"] == "default"
    # C: 68 move-ins / 100 dwellings over 01/01/2024 → today; default rate for 27/11/2019 → 01/01/2024.
    uncovered = (date(2024, 1, 1) - date(2019, 11, 27)).days / 365.25
    assert df.loc["charlie", "method"] == "mixed"
    assert df.loc["charlie", "default_years"] == pytest.approx(uncovered)
    assert df.loc["charlie", "newcomer_share"] == pytest.approx(1 - (1 - 0.68) * 0.9**uncovered)
    assert round(df.loc["delta", "newcomer_share"], 2) == 0.75
    assert pd.isna(df.loc["delta", "days_since_information"])
    assert df.loc["alpha", "days_since_information"] == 420
    assert df.loc["alpha", "uptake_change"] == pytest.approx(0.01)  # 40 → 42 subscribers of 200


def test_ranking_order_and_reasons(hand_built):
    ranked = ranking(hand_built, AS_OF)
    # delta: both criteria (75 % ≥ 50 %, never informed); charlie: 79 % newcomers; alpha: last
    # information 420 days ago (> 365). bravo (41 %, informed 30 days ago) needs nothing.
    assert list(ranked["code"]) == ["delta", "charlie", "alpha"]
    assert list(ranked["rank"]) == [1, 2, 3]
    reasons = dict(zip(ranked["code"], ranked["reason"], strict=True))
    assert (
        reasons["alpha"]
        == "40\u00a0% des ménages arrivés depuis le scrutin ; dernière action d'information il y a 420 jours"
    )
    assert (
        reasons["delta"] == "75\u00a0% des ménages arrivés depuis le scrutin ; aucune action d'information enregistrée"
    )
    assert reasons["charlie"].startswith("79\u00a0% des ménages arrivés depuis le scrutin ; dernière action")


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
