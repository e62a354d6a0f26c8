"""A new programme, without demo data: the coordination lands on the set-up checklist, every page
opens without an error on the empty database, and the checklist follows what is entered."""

import shutil

import pytest

from ihs.db import session_scope
from ihs.reference import SectorInput, add_dwellings, save_organisation, save_sector
from ihs.ui.nav import PAGES
from ihs.users import SYSTEM, add_user
from tests.apptest import app_as, open_page, texts
from tests.conftest import _point_app_at

ENGLISH = ("Error", "error:", "Traceback", "None", "nan", "TypeError", "KeyError")


@pytest.fixture
def new_programme(empty_sqlite_template, tmp_path, monkeypatch):
    dst = tmp_path / "new.db"
    shutil.copy(empty_sqlite_template, dst)
    for engine in _point_app_at(f"sqlite:///{dst}", monkeypatch):
        monkeypatch.setenv("IHS_DEMO", "0")
        monkeypatch.setenv("IHS_COOKIE_KEY", "une-cle-secrete-de-test-assez-longue-0123456789")
        from ihs.settings import get_settings

        get_settings.cache_clear()
        with session_scope("installation", engine=engine) as s:
            add_user(s, SYSTEM, username="coordination", name="Coordination", role="coordinator",
                     password="motdepasse-long", rounds=4)  # fmt: skip
        yield engine


def test_the_coordination_lands_on_the_checklist(new_programme):
    at = app_as("coordinator")
    at.run()
    assert not at.exception
    assert "Mise en place du programme" in texts(at)
    assert "0 étape(s) sur 5 faites" in at.get("progress")[0].proto.text


@pytest.mark.parametrize("page", [p for p in PAGES if "coordinator" in p.roles], ids=lambda p: p.url_path)
def test_every_page_opens_on_an_empty_database(new_programme, page):
    at = open_page("coordinator", page.url_path)
    assert not at.exception, at.exception
    shown = texts(at)
    assert not any(word in shown.split() for word in ENGLISH), shown[:300]


def test_entry_pages_tell_the_coordination_where_sectors_are_created(new_programme):
    for page in ("saisie_evenements", "saisie_visites", "planifier"):
        at = open_page("coordinator", page)
        assert "créez d'abord les secteurs du programme" in texts(at), page
        assert "demandez à la coordination" not in texts(at)


def test_the_checklist_follows_what_is_entered(new_programme):
    with session_scope("coordination", engine=new_programme) as s:
        org = save_organisation(s, SYSTEM, name="Ville-Exemple", kind="city")
        sector = save_sector(
            s, SYSTEM, SectorInput(code="centre", name="Centre", landlord=org.id, lat="48,4", lon="-4,5")
        )
        add_dwellings(s, SYSTEM, sector.id, valid_from="01/01/2026", dwellings="120", source="bailleur")
    at = open_page("coordinator", "mise_en_place")
    assert "2 étape(s) sur 5 faites" in at.get("progress")[0].proto.text
    shown = texts(at)
    assert "**1. Organisations** — :material/check_circle: Fait" in shown
    assert "**5. Premier déploiement** — :material/radio_button_unchecked: À faire" in shown
    # With a sector, the home page is the landing page again.
    at = app_as("coordinator")
    at.run()
    assert "Mise en place du programme" not in texts(at)
