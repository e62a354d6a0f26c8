"""Role × page matrix: each role reaches exactly its pages; an entry page opened by URL without
the role shows the French refusal and nothing else."""

import pytest
from streamlit.testing.v1 import AppTest

from ihs.settings import ROOT, get_settings
from ihs.ui.nav import PAGES
from ihs.users import actor_for
from ihs.vocab import ROLES
from tests.apptest import USER_OF_ROLE, app_as

MINE = [
    "pages/saisie_evenements.py",
    "pages/saisie_visites.py",
    "pages/imports.py",
    "pages/mes_saisies.py",
    "pages/journal.py",
    "pages/utilisateurs.py",
    "pages/mise_en_place.py",
    "pages/admin_organisations.py",
    "pages/admin_secteurs.py",
    "pages/admin_offres.py",
    "pages/admin_parametres.py",
]
EXPECTED = {
    "coordinator": {p.path for p in PAGES},
    "landlord": {p.path for p in PAGES if p.public}
    | {
        "pages/participation.py",
        "pages/depouillement.py",
        "pages/scrutin_preparer.py",
        "pages/saisie_evenements.py",
        "pages/saisie_visites.py",
        "pages/imports.py",
        "pages/mes_saisies.py",
    },
    "operator": {p.path for p in PAGES if p.public} | {"pages/imports.py", "pages/mes_saisies.py"},
    "partner": {p.path for p in PAGES if p.public}
    | {"pages/saisie_evenements.py", "pages/saisie_visites.py", "pages/mes_saisies.py"},
    "viewer": {p.path for p in PAGES if p.public},
}


def _reachable(at: AppTest) -> set[str]:
    reached = set()
    for page in PAGES:
        try:
            at.switch_page(page.path)
        except ValueError:
            continue
        reached.add(page.path)
    return reached


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_reaches_exactly_its_pages(app_db, role):
    at = app_as(role)
    at.run()
    assert not at.exception
    assert _reachable(at) == EXPECTED[role]


def test_nobody_logged_in_reaches_nothing_and_sees_the_login_form(app_db):
    at = app_as(None)
    at.run()
    assert _reachable(at) == set()
    assert [t.label for t in at.text_input][:2] == ["Identifiant", "Mot de passe"]


def test_public_dashboards_open_without_login_but_never_entry_pages(app_db, monkeypatch):
    monkeypatch.setenv("IHS_PUBLIC_DASHBOARDS", "1")
    get_settings.cache_clear()
    at = app_as(None)
    at.run()
    assert not at.exception
    assert _reachable(at) == {p.path for p in PAGES if p.public}


def _denied() -> list:
    roles = {p.path: p.roles for p in PAGES}
    return [
        pytest.param(path, role, id=f"{path[6:-3]}-{role or 'anonyme'}")
        for path in MINE
        for role in [*ROLES, None]
        if role not in roles[path]
    ]


@pytest.mark.parametrize(("path", "role"), _denied())
def test_entry_page_by_url_without_the_role_is_refused(app_db, path, role):
    at = AppTest.from_file(str(ROOT / path), default_timeout=30)
    at.session_state["actor"] = actor_for(app_db, USER_OF_ROLE[role]) if role else None
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "Accès refusé : cette page est réservée à d'autres rôles. Connectez-vous avec un compte autorisé."
    ]
    assert not at.text_input and not at.selectbox and not at.button and not at.dataframe and not at.file_uploader


def test_presentation_mode_shows_only_the_slideshow(app_db):
    at = app_as("coordinator", query={"mode": "presentation"})
    at.run()
    assert _reachable(at) == {"pages/presentation.py"}
