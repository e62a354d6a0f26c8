"""Sensibilisation: newcomer shares, the ranked list with its reasons, the sectors on the default rate."""

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from ihs.db import session_scope
from ihs.formats import fr_int, fr_pct
from ihs.models import Meeting, MoveIn
from ihs.programme import set_setting
from ihs.queries.awareness import awareness, rank
from ihs.users import SYSTEM
from tests.apptest import chart_data, metric, open_page, texts
from tests.conftest import TODAY
from tests.pages.layout import kinds_in_order


def test_ranking_and_default_rate_sectors_on_demo_data(app_db):
    at = open_page("viewer", "sensibilisation")
    assert not at.exception
    sectors = awareness(app_db, TODAY)
    ranked = rank(awareness(app_db, TODAY))
    assert metric(at, "Secteurs déployés") == fr_int(len(sectors)) == "16"
    assert metric(at, "Secteurs à informer de nouveau") == fr_int(len(ranked))
    shown = texts(at)
    first = ranked.iloc[0]
    assert f"1. **{first['name']}** : {first['reason']}." in shown
    # Sectors without landlord move-ins are named as using the default rate.
    default = sorted(sectors.loc[sectors["method"] == "default", "name"])
    assert "Valy Hir" in default and "Kerangoff" in default
    assert f"**Taux par défaut** : {', '.join(sectors.loc[sectors['method'] == 'default', 'name'])}." in shown
    assert "5 ans → 41 %, 13 ans → 75 %" in shown
    # Every deployed sector is charted (fewer than `awareness.chart_max_sectors`), with no search.
    assert set(chart_data(at.get("vega_lite_chart")[0])["name"].dropna()) == set(sectors["name"])
    assert not at.multiselect and "sur 16 déployés" not in shown
    # The shared screen: title, key figures, the chart's heading and the whole chart first; what
    # explains them under the chart. Sections are h2 under the page's h1.
    kinds = kinds_in_order(at)
    assert kinds[:6] == ["title", "metric", "metric", "metric", "header", "vega_lite_chart"]
    assert [h.value for h in at.header] == [
        f"Ménages arrivés depuis le scrutin, estimés au {TODAY:%d/%m/%Y}",
        "Secteurs à informer de nouveau",
        "Détail par secteur",
    ]
    assert not at.subheader
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["height"] == 22 * 16  # a 22 px row per sector, its axis and legend added
    assert spec["autosize"]["type"] == "fit-x"
    detail = at.dataframe[0].value
    assert list(detail["Secteur"]) == list(sectors["name"])
    assert "Source de l'estimation" in detail.columns
    # Each sector's rank in the list, for sorting the table; none for a sector that is up to date.
    rank_of = dict(zip(detail["Secteur"], detail["Rang"], strict=True))
    assert {n: rank_of[n] for n in ranked["name"]} == dict(zip(ranked["name"], ranked["rank"], strict=True))
    assert all(pd.isna(rank_of[n]) for n in set(sectors["name"]) - set(ranked["name"]))


def test_at_national_scale_the_chart_and_list_show_the_first_sectors_and_a_search(app_db):
    # Nationally ~1,400 sectors are deployed: a bar each made a 47,000-pixel chart. The demo's 16
    # sectors stand in for them with a limit of 5.
    with session_scope("coordination", engine=app_db) as s:
        set_setting(s, SYSTEM, "awareness.chart_max_sectors", 5)
    sectors = awareness(app_db, TODAY)
    ranked = rank(awareness(app_db, TODAY))
    at = open_page("viewer", "sensibilisation")
    assert not at.exception
    shown = texts(at)
    assert "Les 5 secteurs où la part est la plus forte, sur 16 déployés ; tous sont dans le tableau détaillé." in shown
    top = sectors.sort_values("newcomer_share", ascending=False, kind="stable")

    def in_ranking_order(names):  # sectors to inform first (most criteria, then share), then the others
        rows = sectors[sectors["name"].isin(names)]
        return list(rows.sort_values(["needs_round", "criteria", "newcomer_share"], ascending=False)["name"])

    charted = chart_data(at.get("vega_lite_chart")[0]).dropna(subset=["name"]).sort_values("position")["name"]
    assert list(charted) == in_ranking_order(top["name"].head(5))
    # The ranked list stops at 5 and says how many more there are, and where to find them.
    assert f"5. **{ranked.iloc[4]['name']}** : {ranked.iloc[4]['reason']}." in shown
    assert f"6. **{ranked.iloc[5]['name']}**" not in shown
    assert f"… et {len(ranked) - 5} autres secteurs à informer : colonne « Rang » du tableau détaillé." in shown
    # A sector below the first five is found by name and added to the chart.
    last = top["name"].iloc[-1]
    at.multiselect[0].select(last).run()
    charted = chart_data(at.get("vega_lite_chart")[0]).dropna(subset=["name"]).sort_values("position")["name"]
    assert list(charted) == in_ranking_order([*top["name"].head(5), last])
    # The table still lists every sector.
    assert len(at.dataframe[0].value) == 16


def test_no_deployed_sector_says_so(app_db):
    # A steering-committee meeting frozen before the first deployment: nothing to estimate.
    with session_scope("coordination", engine=app_db) as s:
        s.add(Meeting(held_on=date(2008, 6, 1), title="Comité 2008", frozen_as_of=date(2008, 6, 1), is_open=True))
    at = open_page("viewer", "sensibilisation")
    assert not at.exception
    assert "Aucun secteur déployé à cette date : rien à estimer." in texts(at)


def _survival_by_hand(engine, sector_id: int, dwellings: int, ballot_end: date, rate: float) -> float:
    """Households arrived since the ballot, month by month from the raw move-in rows (issue 17)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(MoveIn.month, MoveIn.move_ins).where(MoveIn.sector_id == sector_id).order_by(MoveIn.month)
        ).all()
    reported = {month: n for month, n in rows if ballot_end < month <= TODAY}
    stay, default_days = 1.0, 0
    day = ballot_end + timedelta(days=1)
    while day <= TODAY:  # one day at a time: a reported month's factor on its first day
        month = day.replace(day=1)
        if month in reported:
            if day == month:
                stay *= 1 - reported[month] / dwellings
        else:
            default_days += 1
        day += timedelta(days=1)
    return 1 - stay * (1 - rate) ** (default_days / 365.25)


def test_demo_shares_follow_households_not_added_move_ins(app_db):
    """Adding move-ins up showed four demo sectors at 100 % and a 74 % headline; a dwelling let
    twice is one household arrived, not two."""
    sectors = awareness(app_db, TODAY)
    at = open_page("viewer", "sensibilisation")
    assert not at.exception
    by_hand = {
        r.name: _survival_by_hand(app_db, r.sector_id, r.dwellings, r.ballot_end, 0.10)
        for r in sectors.itertuples(index=False)
    }
    # The landlord's move-ins start in January 2016 (larger sectors only): Kerourien's days from
    # its vote (19/11/2010) to then are at the default rate, its months since by its move-ins.
    assert dict(zip(sectors["name"], sectors["newcomer_share"], strict=True)) == pytest.approx(by_hand)
    assert max(by_hand.values()) < 0.85  # no sector saturates
    homes = dict(zip(sectors["name"], sectors["dwellings"], strict=True))
    headline = sum(by_hand[n] * homes[n] for n in by_hand) / sum(homes.values())
    assert metric(at, "Ménages arrivés depuis le scrutin") == fr_pct(headline) == "58\u00a0%"
    table_share = dict(zip(at.dataframe[0].value["Secteur"], at.dataframe[0].value["Arrivés depuis"], strict=True))
    assert table_share == {n: fr_pct(v) for n, v in by_hand.items()}
