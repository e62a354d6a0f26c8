"""Every entry page checks the role itself: a page missing from a role's menu still opens by URL.

Each non-public page is run on its own (as a URL would reach it, whatever the menu) with each
role it does not allow, and with nobody logged in: it must show the French refusal and nothing
else. Through the app, such a page is not even registered for that role.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ihs.settings import ROOT
from ihs.ui.nav import PAGES
from ihs.users import Actor
from ihs.vocab import ROLES
from tests.apptest import USER_OF_ROLE, app_as

ENTRY_PAGES = [p for p in PAGES if not p.public]
REFUSAL = "Accès refusé"


def _denied_cases() -> list:
    return list(_denied_iter())


def _denied_iter():
    for page in ENTRY_PAGES:
        for role in [r for r in ROLES if r not in page.roles] + [None]:
            yield pytest.param(page.path, role, id=f"{page.url_path}-{role or 'anonyme'}")


def _run_page(path: str, actor: Actor | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=30)
    at.session_state["actor"] = actor
    at.run()
    return at


def _actor(role: str) -> Actor:
    # The partner's organisation id does not matter for a refusal.
    return Actor(USER_OF_ROLE[role], role, 1 if role == "partner" else None)


def test_every_entry_page_is_restricted():
    assert ENTRY_PAGES, "no entry page registered"
    for page in ENTRY_PAGES:
        assert "viewer" not in page.roles, f"{page.path} is an entry page open to the viewer role"


@pytest.mark.parametrize(("path", "role"), _denied_cases())
def test_entry_page_refuses_a_role_it_does_not_allow(app_db, path, role):
    at = _run_page(path, _actor(role) if role else None)
    assert not at.exception, at.exception
    assert any(REFUSAL in e.value for e in at.error), f"{path} opened for {role}"
    # Nothing but the refusal: no form, no data.
    for kind in ("text_input", "number_input", "text_area", "selectbox", "multiselect", "date_input", "button"):
        assert not getattr(at, kind), f"{path} shows {kind} to {role}"
    assert not at.dataframe and not at.metric, f"{path} shows data to {role}"


@pytest.mark.parametrize(
    ("path", "role"),
    [pytest.param(p.path, r, id=f"{p.url_path}-{r}") for p in ENTRY_PAGES for r in p.roles],
)
def test_entry_page_opens_for_its_roles(app_db, path, role):
    at = _run_page(path, _actor(role))
    assert not at.exception, at.exception
    assert not any(REFUSAL in e.value for e in at.error)


@pytest.mark.parametrize("role", ["viewer", "operator", "partner"])
def test_the_app_does_not_register_pages_outside_the_role(app_db, role):
    at = app_as(role)
    at.run()
    for page in ENTRY_PAGES:
        if role not in page.roles:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page.path)


def test_public_dashboards_never_open_entry_pages_without_login(app_db, monkeypatch):
    from ihs.settings import get_settings

    monkeypatch.setenv("IHS_PUBLIC_DASHBOARDS", "1")
    get_settings.cache_clear()
    at = app_as(None)
    at.run()
    assert not at.exception
    for page in ENTRY_PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page.path)
