"""Calendrier des déploiements: the deployments under way and the next ones, upcoming events,
filters, .ics."""

import json
from datetime import date

import pandas as pd
from sqlalchemy import select

from ihs.models import Deployment, DeploymentStage, Sector
from ihs.queries.calendar import deployment_stages
from tests.apptest import chart_data, open_page, texts
from tests.conftest import TODAY


def _chart_specs(at):
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def _spans(engine) -> pd.DataFrame:
    """Each deployment's sector, status and first and last dates (planned or actual), from the rows."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Sector.name,
                Deployment.id,
                Deployment.status,
                DeploymentStage.planned_start,
                DeploymentStage.planned_end,
                DeploymentStage.actual_start,
                DeploymentStage.actual_end,
            )
            .join(Deployment, Deployment.sector_id == Sector.id)
            .join(DeploymentStage, DeploymentStage.deployment_id == Deployment.id)
        ).all()
    out = {}
    for name, dep, status, ps, pe, as_, ae in rows:
        dates = [d for d in (ps, pe, as_, ae) if d is not None]
        first, last = out.get(dep, (name, status, min(dates), max(dates)))[2:]
        out[dep] = (name, status, min(first, *dates), max(last, *dates))
    return pd.DataFrame(out.values(), columns=["name", "status", "first", "last"])


def test_calendar_opens_on_the_deployments_under_way_and_the_next_ones(app_db, monkeypatch):
    day = date(2023, 12, 15)  # a December: the year's first deployment is over, the next year's matters
    monkeypatch.setenv("IHS_TODAY", day.isoformat())
    spans = _spans(app_db)
    under_way = set(spans[(spans["first"] <= day) & (spans["last"] >= day)]["name"])
    ended_this_year = set(spans[(spans["last"] < day) & (spans["last"] >= date(2023, 1, 1))]["name"])
    upcoming = spans[spans["first"] > day]
    next_one = set(upcoming[upcoming["first"] == upcoming["first"].min()]["name"])
    assert under_way == {"Pilier Rouge", "Kerinou"} and "Saint-Martin" in ended_this_year and next_one == {"Le Bot"}

    at = open_page("viewer", "calendrier")
    assert not at.exception
    assert at.selectbox(key="cal_annee").value == "En cours et à venir"
    shown = set(chart_data(at.get("vega_lite_chart")[0])["sector_name"].dropna())
    # Every deployment under way on that day, and the next to start (none starts within a year).
    assert shown == under_way | next_one
    assert not shown & ended_this_year
    assert any(h.value == "3 déploiements en cours ou à venir au 15/12/2023" for h in at.header)
    # The user's choice is still there: the calendar year, or every year.
    at.selectbox(key="cal_annee").select(2023).run()
    assert set(chart_data(at.get("vega_lite_chart")[0])["sector_name"].dropna()) >= ended_this_year | under_way


def test_calendar_shows_this_years_deployments_and_upcoming_events(app_db):
    at = open_page("viewer", "calendrier")
    assert not at.exception
    shown = texts(at)
    assert "3 déploiements" in shown  # Keranroux, Montaigne, Le Bot, under way on 27/11/2026
    assert len(_chart_specs(at)) == 1
    spec = json.dumps(_chart_specs(at)[0], ensure_ascii=False)
    assert '"title": "Étape"' in spec and "1. Validation" in spec and "6. Ateliers numériques" in spec
    events = at.dataframe[0].value
    assert list(events.columns) == ["Date", "Heure", "Événement", "Type", "Lieu", "Secteurs"]
    first = events.iloc[0]
    assert (first["Date"], first["Heure"]) == ("27/11/2026", "10:00")
    assert first["Événement"] == "Atelier numérique 6/10 – Pilier Rouge"
    assert first["Secteurs"] == "Pilier Rouge"
    assert len(events) == 16
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Télécharger le calendrier (.ics)" in labels
    assert "Télécharger (PNG)" in labels and "Tableau (CSV)" in labels


def test_status_filter_and_no_data_in_words(app_db):
    at = open_page("viewer", "calendrier")
    at.multiselect(key="cal_statut").set_value(["ballot"]).run()
    assert "1 déploiement" in texts(at)
    at.multiselect(key="cal_statut").set_value(["rejected"]).run()
    assert not at.exception
    assert "Aucun déploiement en cours ni prévu avec ces statuts : choisissez une période." in texts(at)
    assert not _chart_specs(at)
    at.selectbox(key="cal_annee").select(2026).run()
    assert "Aucun déploiement pour cette année et ces statuts" in texts(at)


def test_year_filter_all_years(app_db):
    at = open_page("viewer", "calendrier")
    at.selectbox(key="cal_annee").select("Toutes les années").run()
    assert not at.exception
    assert "18 déploiements" in texts(at)


def test_many_deployments_come_a_screen_at_a_time_starting_with_those_under_way(app_db, monkeypatch):
    monkeypatch.setattr("ihs.queries.calendar.PAGE_SIZE", 4)
    at = open_page("viewer", "calendrier")
    at.selectbox(key="cal_annee").select("Toutes les années").run()
    assert not at.exception
    assert "18 déploiements" in texts(at)
    pager = at.selectbox(key="cal_page")
    assert pager.options == ["1 à 4 sur 18", "5 à 8 sur 18", "9 à 12 sur 18", "13 à 16 sur 18", "17 à 18 sur 18"]
    every = deployment_stages(app_db, None, (), TODAY)
    shown = set(chart_data(at.get("vega_lite_chart")[0])["sector_name"].dropna())
    assert len(shown) == 4
    # The first screen is the one with the first deployment not finished today; all before it are.
    ends = every.groupby("sector_name")["end"].max()
    assert any(ends[name] >= TODAY for name in shown)
    assert pager.value > 0

    at.selectbox(key="cal_page").set_value(0).run()
    first_screen = set(chart_data(at.get("vega_lite_chart")[0])["sector_name"].dropna())
    assert len(first_screen) == 4 and first_screen != shown and all(ends[n] < TODAY for n in first_screen)


def test_a_long_list_of_upcoming_events_shows_its_first_rows_and_says_how_many(app_db, monkeypatch):
    monkeypatch.setattr("ihs.queries.calendar.EVENTS_SHOWN", 5)
    at = open_page("viewer", "calendrier")
    assert not at.exception
    events = at.dataframe[0].value
    assert len(events) == 5 and events.iloc[0]["Événement"] == "Atelier numérique 6/10 – Pilier Rouge"
    assert "Les 5 premiers sur 16 : l'export ci-dessous les contient tous." in texts(at)
