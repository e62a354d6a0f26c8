"""Uptake over time, the cohort alignment, the tariff history and the collective cost."""

import calendar
import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

from ihs import models as m
from ihs.charts import to_json
from ihs.db import session_scope
from ihs.models import Deployment, DeploymentStage, SectorDwellings, Tariff
from ihs.queries.overview import summary
from ihs.queries.uptake import (
    cohort,
    collective_cost,
    tariff_history,
    uptake_by_sector,
    uptake_events,
    uptake_total,
)
from ihs.viz import uptake as viz
from tests.conftest import TODAY


def _sector(s, code, dwellings, impl: date, counts: dict[date, int], *, offer: bool = True) -> None:
    """A sector implemented on `impl`; on the offer « Test » from its validation unless `offer` is False."""
    sec = m.Sector(code=code, name=code.capitalize(), kind="qpv")
    s.add(sec)
    s.flush()
    if offer:
        test_offer = s.execute(select(m.Offer).where(m.Offer.name == "Test")).scalar()
        if test_offer is None:
            test_offer = m.Offer(name="Test")
            s.add(test_offer)
            s.flush()
        s.add(m.SectorOffer(sector_id=sec.id, offer_id=test_offer.id, valid_from=date(impl.year - 1, 6, 1)))
    s.add(m.SectorDwellings(sector_id=sec.id, valid_from=date(impl.year - 1, 1, 1), dwellings=dwellings))
    dep = m.Deployment(sector_id=sec.id, status="deployed", year=impl.year)
    s.add(dep)
    s.flush()
    s.add(m.DeploymentStage(deployment_id=dep.id, stage="validation", actual_start=date(impl.year - 1, 6, 1)))
    s.add(m.DeploymentStage(deployment_id=dep.id, stage="implementation", actual_start=impl, actual_end=impl))
    for day, n in counts.items():
        s.add(m.SubscriberCount(sector_id=sec.id, as_of=day, subscribers=n, source="test"))


@pytest.fixture
def two_cohorts(empty_engine):
    """Two sectors launched ten years apart, with the same uptake 3 months after launch."""
    with session_scope("tests", engine=empty_engine) as s:
        _sector(
            s,
            "ancien",
            100,
            date(2010, 3, 15),
            {date(2010, 3, 20): 2, date(2010, 4, 9): 5, date(2010, 6, 9): 12, date(2010, 6, 28): 15},
        )
        _sector(s, "recent", 200, date(2020, 9, 1), {date(2020, 9, 9): 4, date(2020, 12, 9): 30})
    return empty_engine


def test_cohort_aligns_sectors_on_months_since_implementation(two_cohorts):
    df = cohort(two_cohorts, date(2024, 1, 1))
    at3 = df[df["months_since"] == 3].set_index("code")
    # Month 3: ancien's last June count (15/100), recent's December count (30/200).
    assert at3.loc["ancien", "uptake"] == pytest.approx(0.15)
    assert at3.loc["recent", "uptake"] == pytest.approx(0.15)
    assert df[df["code"] == "ancien"]["months_since"].tolist() == [0, 1, 3]
    assert df[df["months_since"] == 0].set_index("code")["subscribers"].to_dict() == {"ancien": 2, "recent": 4}


def test_cohort_respects_as_of_and_sector_filter(two_cohorts):
    df = cohort(two_cohorts, date(2015, 1, 1), ("recent",))
    assert df.empty
    df = cohort(two_cohorts, date(2024, 1, 1), ("recent",))
    assert set(df["code"]) == {"recent"}


def test_monthly_total_keeps_each_sectors_last_count_of_the_month(two_cohorts):
    total = uptake_total(two_cohorts, date(2024, 1, 1)).set_index("month")
    assert total.loc[date(2010, 6, 1), "subscribers"] == 15  # not 12 + 15
    per_sector = uptake_by_sector(two_cohorts, date(2024, 1, 1))
    assert len(per_sector[per_sector["code"] == "ancien"]) == 3


def test_demo_total_matches_the_summary(engine):
    total = uptake_total(engine, TODAY)
    assert int(total.iloc[-1]["subscribers"]) == summary(engine, TODAY)["subscribers"]


def test_tariff_history_runs_to_as_of(engine):
    df = tariff_history(engine, TODAY)
    assert df["monthly_price_eur"].tolist()[:5] == [1.0, 1.10, 1.18, 1.19, 1.24]
    assert df["valid_from"].iloc[-1] == TODAY
    assert tariff_history(engine, date(2015, 1, 1))["monthly_price_eur"].iloc[-1] == pytest.approx(1.10)


def _charges_by_hand(engine, year: int, as_of: date) -> tuple[float, float, int]:
    """Brute force from the raw rows: each month, every dwelling of the sectors whose
    implementation has started by the month's last day, at the latest tariff then."""
    with engine.connect() as conn:
        starts = dict(
            conn.execute(
                select(Deployment.sector_id, DeploymentStage.actual_start)
                .join(DeploymentStage, DeploymentStage.deployment_id == Deployment.id)
                .where(DeploymentStage.stage == "implementation", DeploymentStage.actual_start.is_not(None))
            ).all()
        )
        homes = conn.execute(
            select(SectorDwellings.sector_id, SectorDwellings.valid_from, SectorDwellings.dwellings)
        ).all()
        prices = conn.execute(select(Tariff.valid_from, Tariff.monthly_price_eur)).all()

    def dwellings(sector_id, day):
        valid = [(v, n) for s, v, n in homes if s == sector_id and v <= day]
        return max(valid)[1] if valid else 0

    def price(day):
        return float(max(p for p in prices if p[0] <= day)[1])

    charges, months = 0.0, 0
    for month in range(1, 13):
        if date(year, month, 1) > as_of:
            break
        last = min(date(year, month, calendar.monthrange(year, month)[1]), as_of)
        homes_then = sum(dwellings(s, last) for s, start in starts.items() if start <= last)
        if homes_then:
            charges += homes_then * price(last)
            months += 1
    return charges, homes_then * price(last) * 12, months


@pytest.mark.parametrize("year", [2010, 2014, 2023, TODAY.year])
def test_collective_cost_is_the_year_charged_month_by_month(engine, year):
    """Issue 17: the end of 2014's run rate (4,976 dwellings × 1.10 € × 12 = 65,683 €) was shown as
    2014's cost; the months of 2014 charged 36,016 € (sectors joined during the year)."""
    df = collective_cost(engine, TODAY).set_index("year")
    charges, run_rate, months = _charges_by_hand(engine, year, TODAY)
    assert df.loc[year, "charges_eur"] == pytest.approx(charges, abs=0.01)
    assert df.loc[year, "run_rate_eur"] == pytest.approx(run_rate, abs=0.01)
    assert df.loc[year, "months"] == months
    if year == 2014:
        assert (df.loc[2014, "charges_eur"], df.loc[2014, "run_rate_eur"]) == (36016.20, 65683.20)


def test_collective_cost_today_is_the_summary_run_rate(engine):
    df = collective_cost(engine, TODAY)
    last = df.iloc[-1]
    s = summary(engine, TODAY)
    assert last["year"] == TODAY.year and last["on"] == TODAY and last["months"] == TODAY.month
    assert last["run_rate_eur"] == pytest.approx(s["dwellings_covered"] * 1.24 * 12)
    assert last["cost_per_subscriber_eur"] == pytest.approx(s["dwellings_covered"] * 1.24 * 12 / s["subscribers"], 0.01)
    # The first charged month: December 2009, Kerourien's 596 dwellings at 1.00 € (implemented 09/12/2009).
    first = df.iloc[0]
    assert (first["year"], first["months"], first["dwellings"], first["charges_eur"]) == (2009, 1, 596, 596.0)


def test_total_on_the_public_calibration_date(engine):
    last = uptake_total(engine, date(2022, 12, 9)).iloc[-1]
    assert (last["month"], last["sectors"], last["subscribers"]) == (date(2022, 12, 1), 12, 1789)


def test_the_monthly_total_is_the_summary_at_every_month_end_of_the_demo(engine):
    """Issue 17: one definition of "subscribers at a date" for the page and for `summary`."""
    import calendar

    total = uptake_total(engine, TODAY)
    assert total["month"].iloc[-1] == TODAY.replace(day=1)
    disagree = []
    for row in total.itertuples():
        day = (
            TODAY
            if row.month == TODAY.replace(day=1)
            else row.month.replace(day=calendar.monthrange(row.month.year, row.month.month)[1])
        )
        s = summary(engine, day)
        if (row.sectors, row.subscribers, row.dwellings) != (
            s["sectors_deployed"],
            s["subscribers"],
            s["dwellings_covered"],
        ):
            disagree.append((day, (row.sectors, row.subscribers, row.dwellings), s))
    assert disagree == [], disagree[:3]
    assert len(total) > 200  # every month from the first implementation, none skipped


def test_a_count_for_a_sector_not_covered_yet_is_not_in_the_total(engine):
    """Keranroux is in its information period: a count there (a bad import) changes no programme total."""
    from datetime import timedelta

    from sqlalchemy import select

    from ihs.db import session_scope
    from ihs.models import Sector, SubscriberCount

    before = uptake_total(engine, TODAY)
    with session_scope("t", engine=engine) as s:
        sector = s.execute(select(Sector.id).where(Sector.code == "keranroux")).scalar_one()
        s.add(SubscriberCount(sector_id=sector, as_of=TODAY - timedelta(days=40), subscribers=77, source="test"))
    after = uptake_total(engine, TODAY)
    assert after.equals(before)
    assert int(after.iloc[-1]["subscribers"]) == summary(engine, TODAY)["subscribers"]


def test_each_sector_is_charged_at_its_own_offer_and_a_sector_without_offer_is_not(empty_engine):
    """Issue 17 item 3: a mixed programme, by hand. 2020, each month's last day:
    A (100 dwellings, implemented 10/03) on offer X: 2.00 €, 2.50 € from 01/07;
    B (40, implemented 20/05) on no offer: never charged;
    C (60, implemented 15/01) on offer Y at 1.00 €, then no offer from 01/10.
    Jan–Feb 60; Mar–Jun 200 + 60 = 260; Jul–Sep 250 + 60 = 310; Oct–Dec 250.
    2020: 2 × 60 + 4 × 260 + 3 × 310 + 3 × 250 = 2,840 €; run rate on 31/12: 250 × 12 = 3,000 €."""
    with session_scope("tests", engine=empty_engine) as s:
        x, y = m.Offer(name="X"), m.Offer(name="Y")
        s.add_all([x, y])
        s.flush()
        s.add_all(
            [
                m.Tariff(offer_id=x.id, valid_from=date(2020, 1, 1), monthly_price_eur=2),
                m.Tariff(offer_id=x.id, valid_from=date(2020, 7, 1), monthly_price_eur=2.5),
                m.Tariff(offer_id=y.id, valid_from=date(2019, 1, 1), monthly_price_eur=1),
            ]
        )
        _sector(s, "a", 100, date(2020, 3, 10), {date(2020, 12, 1): 30}, offer=False)
        _sector(s, "b", 40, date(2020, 5, 20), {date(2020, 12, 1): 10}, offer=False)
        _sector(s, "c", 60, date(2020, 1, 15), {}, offer=False)
        s.flush()
        ids = dict(s.execute(select(m.Sector.code, m.Sector.id)).all())
        s.add_all(
            [
                m.SectorOffer(sector_id=ids["a"], offer_id=x.id, valid_from=date(2019, 6, 1)),
                m.SectorOffer(sector_id=ids["c"], offer_id=y.id, valid_from=date(2019, 6, 1)),
                m.SectorOffer(sector_id=ids["c"], offer_id=None, valid_from=date(2020, 10, 1)),
            ]
        )
    df = collective_cost(empty_engine, date(2020, 12, 31))
    assert len(df) == 1
    year = df.iloc[0]
    # B's 10 subscribers (entered although it is on no offer) are not the programme's: 30, not 40.
    assert (year["year"], year["months"], year["dwellings"], year["subscribers"]) == (2020, 12, 200, 30)
    assert year["charges_eur"] == 2840
    assert year["run_rate_eur"] == 3000 and year["monthly_price_eur"] == 2.5
    assert year["sectors_without_offer"] == 2 and year["charged_dwellings"] == 100
    assert year["cost_per_subscriber_eur"] == 100  # 3,000 € / 30 subscribers
    # The uptake counts only the sectors on an offer that day: A alone on 31/12, 30 / 100.
    total = uptake_total(empty_engine, date(2020, 12, 31)).set_index("month")
    assert total.loc[date(2020, 12, 1), ["sectors", "subscribers", "dwellings"]].tolist() == [1, 30, 100]
    # On 30/09, C was still on offer Y: A and C, 0 subscribers counted yet for 160 dwellings.
    assert total.loc[date(2020, 9, 1), ["sectors", "subscribers", "dwellings"]].tolist() == [2, 0, 160]


def test_joins_and_tariff_changes_to_annotate_the_curves(two_cohorts):
    """#19 item 6: the total uptake drops when a sector joins; each joining and each tariff change is
    marked on the curves. By hand: Ancien joined on 15/03/2010, « Le Guelmeur » on 01/09/2020 (its
    second round, implemented in 2022, is not a second joining); the offer's first price (2,00 €
    in 2010) is not a change, 2,50 € from 01/07/2015 is, 2,75 € from 2021 is after the date."""
    with session_scope("tests", engine=two_cohorts) as s:
        s.execute(m.Sector.__table__.update().where(m.Sector.code == "recent").values(name="Le Guelmeur"))
        offer = s.execute(select(m.Offer).where(m.Offer.name == "Test")).scalar_one()
        for day, price in ((date(2010, 1, 1), 2.00), (date(2015, 7, 1), 2.50), (date(2021, 1, 1), 2.75)):
            s.add(m.Tariff(offer_id=offer.id, valid_from=day, monthly_price_eur=price, source="test"))
        sector = s.execute(select(m.Sector.id).where(m.Sector.code == "recent")).scalar_one()
        again = m.Deployment(sector_id=sector, status="deployed", year=2022)
        s.add(again)
        s.flush()
        s.add(m.DeploymentStage(deployment_id=again.id, stage="implementation", actual_start=date(2022, 3, 1)))
    events = uptake_events(two_cohorts, date(2022, 12, 31))
    assert [(r.day, r.kind, r.label) for r in events.itertuples()] == [
        (date(2010, 3, 15), "join", "entrée d'Ancien"),
        (date(2015, 7, 1), "tariff", "tarif 2,50\u00a0€"),
        (date(2020, 9, 1), "join", "entrée du Guelmeur"),
        (date(2021, 1, 1), "tariff", "tarif 2,75\u00a0€"),
    ]
    assert uptake_events(two_cohorts, date(2020, 8, 31))["label"].tolist() == ["entrée d'Ancien", "tarif 2,50\u00a0€"]
    only = uptake_events(two_cohorts, date(2020, 12, 31), ("recent",))
    assert only["label"].tolist() == ["tarif 2,50\u00a0€", "entrée du Guelmeur"]

    # On the chart: a rule at each date, each label written upright, in the spec sent to the browser.
    total = uptake_total(two_cohorts, date(2020, 12, 31))
    spec = json.loads(to_json(viz.total_uptake(total, uptake_events(two_cohorts, date(2020, 12, 31)))))
    marks = [layer["mark"] for layer in spec["layer"]]
    assert [mk["type"] if isinstance(mk, dict) else mk for mk in marks] == ["line", "rule", "text", "text"]
    assert marks[3]["angle"] == 270
    [events_data] = [rows for rows in spec["datasets"].values() if rows and "label" in rows[0]]
    assert [(row["day"][:10], row["label"]) for row in events_data] == [
        ("2010-03-15", "entrée d'Ancien"),
        ("2015-07-01", "tarif 2,50\u00a0€"),
        ("2020-09-01", "entrée du Guelmeur"),
    ]
    # Without events the curves are drawn as before.
    assert "layer" not in json.loads(to_json(viz.total_uptake(total)))


def test_event_labels_close_in_time_are_moved_apart():
    """Two events 40 days apart (a tariff on 01/01/2014, Valy Hir on 10/02/2014): their rules stay on
    their days; the second label is written 150 days after the first (31/05/2014), where it no longer
    overlaps it at 1280 px; the plot keeps the given height, on a phone the labels are hidden."""
    events = pd.DataFrame(
        {
            "day": [date(2014, 1, 1), date(2014, 2, 10), date(2017, 1, 1)],
            "kind": ["tariff", "join", "tariff"],
            "name": ["Offre", "Valy Hir", "Offre"],
            "label": ["tarif 1,10\u00a0€", "entrée de Valy Hir", "tarif 1,18\u00a0€"],
        }
    )
    total = pd.DataFrame({"month": [date(2014, 1, 1)], "subscribers": [10], "dwellings": [100], "uptake": [0.1]})
    spec = json.loads(to_json(viz.total_subscribers(total, events)))
    [rows] = [rows for rows in spec["datasets"].values() if rows and "label_day" in rows[0]]
    assert [(r["day"][:10], r["label_day"][:10]) for r in rows] == [
        ("2014-01-01", "2014-01-01"),
        ("2014-02-10", "2014-05-31"),
        ("2017-01-01", "2017-01-01"),
    ]
    assert spec["autosize"]["type"] == "fit-x"
    assert spec["layer"][3]["mark"]["opacity"] == {"expr": "width < 700 ? 0 : 1"}


def test_a_long_sector_name_is_written_whole_on_two_lines():
    """#19 item 6: « entrée de Quéliverzan et Bellevue (Aquitaine, Bergot, Kerhallet) » was cut at
    the plot's height. A joining's label is the sector's name (the grey dashes say it joins; the
    tooltip keeps « entrée de … »), on two lines of at most 26 letters when longer; the next label
    moves two gaps (300 days) away instead of one."""
    long = "Quéliverzan et Bellevue (Aquitaine, Bergot, Kerhallet)"
    events = pd.DataFrame(
        {
            "day": [date(2014, 10, 1), date(2014, 11, 1), date(2016, 1, 1)],
            "kind": ["join", "join", "tariff"],
            "name": [long, "Valy Hir", "Offre"],
            "label": [f"entrée de {long}", "entrée de Valy Hir", "tarif 1,18\u00a0€"],
        }
    )
    total = pd.DataFrame({"month": [date(2014, 1, 1)], "subscribers": [10], "dwellings": [100], "uptake": [0.1]})
    spec = json.loads(to_json(viz.total_uptake(total, events)))
    [rows] = [rows for rows in spec["datasets"].values() if rows and "shown" in rows[0]]
    assert [r["shown"] for r in rows] == [
        "Quéliverzan et Bellevue\n(Aquitaine, Bergot, Kerhallet)",
        "Valy Hir",
        "tarif 1,18\u00a0€",
    ]
    assert [r["label_day"][:10] for r in rows] == ["2014-10-01", "2015-07-28", "2016-01-01"]
    assert rows[0]["label"] == f"entrée de {long}"  # the tooltip's text
    text_marks = [layer["mark"] for layer in spec["layer"] if isinstance(layer["mark"], dict)]
    assert all(mk.get("lineBreak") == "\n" for mk in text_marks if mk["type"] == "text")
