"""The demo dataset agrees with the public calibration points of domain.md."""

import itertools
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
    assert event_sources == {"démo (illustratif)", "public (a-brest.net, domain.md) (date) ; participation démo"}
    with engine.connect() as conn:
        visit_sources = set(conn.execute(select(m.Visit.source).distinct()).scalars())
        notes = dict(conn.execute(select(m.Sector.code, m.Sector.notes)).all())
    assert visit_sources == {
        "démo (illustratif)",
        "public (a-brest.net, domain.md) (total au 05/05/2010) ; répartition démo",
    }
    # Names the article does not give (2023, the next scheme) say they are invented.
    for code in ("saint-martin", "pilier-rouge", "kerinou", "keranroux", "montaigne", "le-bot"):
        assert notes[code].startswith("Secteur illustratif (démo)"), code
    # Event titles in French (54 were "Letter – …", "Booklet – …", "Poster – …").
    with engine.connect() as conn:
        titles = conn.execute(select(m.Event.title)).scalars().all()
    assert not [t for t in titles if t.split(" – ")[0] in {"Letter", "Booklet", "Poster"}]
    assert "Courrier – Kerourien" in titles and "Livret – Kerourien" in titles and "Affiche – Kerourien" in titles


def _dates(engine, code: str, kind: str) -> list:
    with engine.connect() as conn:
        return [
            d.date()
            for d in conn.execute(
                select(m.Event.starts_at)
                .join(m.EventSector, m.EventSector.event_id == m.Event.id)
                .join(m.Sector, m.Sector.id == m.EventSector.sector_id)
                .where(m.Sector.code == code, m.Event.kind == kind)
                .order_by(m.Event.starts_at)
            ).scalars()
        ]


def test_the_public_record_of_the_first_two_sectors(engine):
    """Issue 17 item 6: the demo follows domain.md where the record is public."""
    from datetime import date

    # Keredern: partner meetings 08/11/2011 and 06/02/2012, public meeting 24/11/2011,
    # ballot 12 → 16/12/2011, implementation days 28/02/2012 and 14/03/2012.
    meetings = _dates(engine, "keredern", "meeting")
    assert {date(2011, 11, 8), date(2011, 11, 24), date(2012, 2, 6)} <= set(meetings)
    assert _dates(engine, "keredern", "implementation") == [date(2012, 2, 28), date(2012, 3, 14)]
    with engine.connect() as conn:
        stages = {
            (code, stage): (start, end)
            for code, stage, start, end in conn.execute(
                select(
                    m.Sector.code, m.DeploymentStage.stage, m.DeploymentStage.actual_start, m.DeploymentStage.actual_end
                )
                .join(m.Deployment, m.Deployment.id == m.DeploymentStage.deployment_id)
                .join(m.Sector, m.Sector.id == m.Deployment.sector_id)
            )
        }
        early = conn.execute(
            select(func.sum(m.Visit.computers_sold), func.sum(m.Visit.people_seen).filter(m.Visit.kind == "dropin"))
            .join(m.Sector, m.Sector.id == m.Visit.sector_id)
            .where(m.Sector.code == "kerourien", m.Visit.occurred_on <= date(2010, 5, 5))
        ).one()
    assert stages[("keredern", "ballot")] == (date(2011, 12, 12), date(2011, 12, 16))
    assert stages[("keredern", "implementation")] == (date(2012, 2, 28), date(2012, 3, 14))
    # Kerourien: trial 09/12/2009 → 04/11/2010, then the vote; 17 computers, 40 people by 05/05/2010.
    assert stages[("kerourien", "implementation")][0] == date(2009, 12, 9)
    assert stages[("kerourien", "ballot")][0] > date(2010, 11, 4)
    assert tuple(early) == (17, 40)


def test_kerourien_2010_counts_have_their_596_dwellings_and_no_series_falls_to_a_public_figure(engine):
    from datetime import date

    from ihs.queries.uptake import uptake_by_sector

    df = uptake_by_sector(engine, TODAY, ("kerourien",))
    may_2010 = df[df["month"] == date(2010, 5, 1)].iloc[0]
    assert (may_2010["subscribers"], may_2010["dwellings"]) == (68, 596)  # 68 contracts, public
    with engine.connect() as conn:
        series = conn.execute(
            select(m.SubscriberCount.sector_id, m.SubscriberCount.subscribers).order_by(
                m.SubscriberCount.sector_id, m.SubscriberCount.as_of
            )
        ).all()
    falls = [(a, b) for (s1, a), (s2, b) in itertools.pairwise(series) if s1 == s2 and b < a]
    assert falls == []  # Kerourien read 96 then the public 95 on 09/12/2022


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


def test_the_2009_report_counts_kerourien_and_its_596_dwellings(engine):
    """The 2009 report said « 0 logements »: Kerourien's dwellings started on 20/06/2010."""
    from ihs.queries.overview import year_figures

    cur = year_figures(engine, 2009)["current"]
    assert (cur["sectors_deployed"], cur["dwellings_covered"]) == (1, 596)


def test_the_public_record_gives_each_fact_a_source_and_the_demo_follows_it(engine):
    """data/public_record.json: the 12 sectors of 2009–2022, their dates and figures, and whence each comes."""
    from ihs.demo import public_record

    record = public_record()
    programme = record["programme"]
    facts = [*programme["facts"], *programme["operators"], *programme["tariffs"], *record["sectors"]]
    assert all(fact["source"] in record["sources"] for fact in facts)
    sectors = record["sectors"]
    assert [s["n"] for s in sectors] == list(range(1, 13)) and len({s["code"] for s in sectors}) == 12
    assert min(s["year"] for s in sectors) == 2009 and max(s["year"] for s in sectors) == 2022
    with engine.connect() as conn:
        names = dict(conn.execute(select(m.Sector.code, m.Sector.name)).all())
        notes = dict(conn.execute(select(m.Sector.code, m.Sector.notes)).all())
        prices = conn.execute(select(m.Tariff.monthly_price_eur).order_by(m.Tariff.valid_from)).scalars().all()
    assert all(names[s["code"]] == s["name"] for s in sectors)  # the demo's sectors are the record's
    assert all(notes[s["code"]] == s["facts"] for s in sectors if "facts" in s)
    assert [f"{p:.2f}" for p in prices] == [t["monthly_price_eur"] for t in programme["tariffs"]]
