"""The demo dataset agrees with the public calibration points of domain.md."""

from datetime import date

from sqlalchemy import func, select

from ihs import models as m
from ihs.db import session_scope
from ihs.demo import load_demo
from ihs.queries.overview import summary
from tests.conftest import NOW, TODAY


def test_public_calibration_points(engine):
    s2014 = summary(engine, date(2014, 2, 28))
    assert s2014["sectors_deployed"] == 3
    assert 1900 <= s2014["dwellings_covered"] <= 2100  # "about 2,000 dwellings" at Valy Hir's launch
    s2018 = summary(engine, date(2018, 12, 31))
    assert 5800 <= s2018["dwellings_covered"] <= 6200  # "6,000 logements" in 2018
    s2022 = summary(engine, date(2022, 12, 9))
    assert s2022["sectors_deployed"] == 12
    assert s2022["subscribers"] == 1789
    assert round(s2022["uptake"], 2) == 0.19
    assert 9200 <= s2022["dwellings_covered"] <= 9650
    assert s2022["monthly_price_eur"] == 1.19
    assert summary(engine, date(2023, 1, 1))["monthly_price_eur"] == 1.24


def test_kerourien_has_596_dwellings(engine):
    with engine.connect() as conn:
        dwellings = conn.execute(
            select(m.SectorDwellings.dwellings).join(m.Sector).where(m.Sector.code == "kerourien")
        ).scalar_one()
    assert dwellings == 596


def test_live_activity_is_placed_around_today(engine):
    with engine.connect() as conn:
        open_ballots = conn.execute(select(func.count()).where(m.Ballot.status == "open")).scalar_one()
        reports = conn.execute(
            select(func.count(func.distinct(m.TurnoutReport.place_id))).join(m.Ballot).where(m.Ballot.status == "open")
        ).scalar_one()
        stages = dict(conn.execute(select(m.Sector.code, m.Deployment.status).join(m.Deployment)).all())
    assert open_ballots == 1
    assert reports >= 3
    assert stages["keranroux"] == "information"
    assert stages["le-bot"] == "implementation"
    today = summary(engine, TODAY)
    assert today["sectors_under_way"] == 2


def test_every_invented_figure_is_labelled(engine):
    with engine.connect() as conn:
        sources = set(conn.execute(select(m.SubscriberCount.source).distinct()).scalars())
        event_sources = set(conn.execute(select(m.Event.source).distinct()).scalars())
    assert all("démo" in s or "public" in s for s in sources)
    assert event_sources == {"démo (illustratif)"}


def test_demo_load_is_idempotent(engine):
    with engine.connect() as conn:
        before = conn.execute(select(func.count(m.Event.id))).scalar_one()
    with session_scope("tests", engine=engine) as s:
        assert load_demo(s, TODAY, NOW) is False
    with engine.connect() as conn:
        assert conn.execute(select(func.count(m.Event.id))).scalar_one() == before
    with session_scope("tests", engine=engine) as s:
        assert load_demo(s, TODAY, NOW, reset=True) is True
    with engine.connect() as conn:
        assert conn.execute(select(func.count(m.Event.id))).scalar_one() == before
        assert conn.execute(select(func.count(m.Sector.id))).scalar_one() == 18
