"""Calendrier des déploiements: stages of the year's deployments, upcoming events, filters, .ics."""

import json

from ihs.queries.calendar import deployment_stages
from tests.apptest import chart_data, open_page, texts
from tests.conftest import TODAY


def _chart_specs(at):
    return [json.loads(el.proto.spec) for el in at.get("vega_lite_chart")]


def test_calendar_shows_this_years_deployments_and_upcoming_events(app_db):
    at = open_page("viewer", "calendrier")
    assert not at.exception
    shown = texts(at)
    assert "3 déploiements" in shown  # Keranroux, Montaigne, Le Bot in 2026
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
    assert "Aucun déploiement pour cette année et ces statuts" in texts(at)
    assert not _chart_specs(at)


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
