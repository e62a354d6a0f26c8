"""Vue d'ensemble shows the same figures as `python -m ihs summary`, their change, and what is on now."""

import shutil
from datetime import date

import pytest
import streamlit as st

from ihs.db import forget_engine
from ihs.formats import fr_int, fr_pct
from ihs.queries.overview import summary
from ihs.settings import get_settings
from tests.apptest import metric, open_page, texts
from tests.conftest import TODAY


def test_home_shows_the_summary_subscriber_total(app_db):
    at = open_page("viewer", "accueil")
    assert not at.exception
    expected = summary(app_db, TODAY)
    assert metric(at, "Abonnés") == fr_int(expected["subscribers"])


def test_key_figures_with_their_change_over_a_year(app_db):
    at = open_page("viewer", "accueil")
    now, before = summary(app_db, TODAY), summary(app_db, date(2025, 11, 27))
    assert metric(at, "Logements couverts") == fr_int(now["dwellings_covered"])
    assert metric(at, "Secteurs déployés") == str(now["sectors_deployed"])
    assert metric(at, "Taux d'adhésion") == fr_pct(now["uptake"])
    assert metric(at, "Tarif mensuel") == "1,24\u00a0€"
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Abonnés"] == f"+{fr_int(now['subscribers'] - before['subscribers'])} en un an"
    assert deltas["Tarif mensuel"] == "stable sur un an"
    assert metric(at, "Ordinateurs vendus") != "0"


def test_now_happening_and_sources(app_db):
    at = open_page("viewer", "accueil")
    page = texts(at)
    assert "Participation – Montaigne" in page
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Participation – Montaigne"].endswith("votants sur 420 logements")
    assert "Keranroux" in page  # information period
    assert "Atelier numérique" in page  # the cycle under way, in the coming 30 days
    assert "abonnés : démo (illustratif), du 27/11/2026" in page
    assert "tarif : public : 1,24 € au 1er janvier 2023, en vigueur depuis le 01/01/2023" in page


@pytest.fixture
def empty_app_db(empty_sqlite_template, tmp_path, monkeypatch):
    """The app on a migrated database with no rows, dashboards public (no user exists yet)."""
    dst = tmp_path / "empty.db"
    shutil.copy(empty_sqlite_template, dst)
    url = f"sqlite:///{dst}"
    monkeypatch.setenv("IHS_DATABASE_URL", url)
    monkeypatch.setenv("IHS_DEMO", "1")
    monkeypatch.setenv("IHS_PUBLIC_DASHBOARDS", "1")
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield url
    forget_engine(url)
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize(
    ("page", "words"),
    [
        ("accueil", "Aucun secteur pour l'instant"),
        ("carte", "Aucun secteur enregistré pour l'instant"),
        ("adhesion", "Aucun relevé d'abonnés pour l'instant"),
        ("secteur", "Aucun secteur pour l'instant : la fiche d'un secteur s'affiche"),
    ],
)
def test_dashboards_on_an_empty_database_say_so(empty_app_db, page, words):
    at = open_page(None, page)
    assert not at.exception
    assert words in texts(at)


def test_home_keeps_the_figures_a_meeting_froze(app_db):
    from datetime import timedelta

    from sqlalchemy import select

    from ihs.db import session_scope
    from ihs.meetings import open_meeting
    from ihs.models import Sector, SubscriberCount
    from ihs.users import Actor

    frozen_on = TODAY - timedelta(days=10)
    with session_scope("coordination", engine=app_db) as s:
        open_meeting(s, Actor("coordination", "coordinator"), title="Comité", held_on=TODAY, frozen_as_of=frozen_on)
    frozen = fr_int(summary(app_db, frozen_on)["subscribers"])
    with session_scope("operateur", engine=app_db) as s:
        sector = s.execute(select(Sector.id).where(Sector.code == "keredern")).scalar_one()
        s.add(SubscriberCount(sector_id=sector, as_of=frozen_on - timedelta(days=2), subscribers=900, source="test"))
    assert fr_int(summary(app_db, frozen_on)["subscribers"]) != frozen
    at = open_page("viewer", "accueil")
    assert metric(at, "Abonnés") == frozen
