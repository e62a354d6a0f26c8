"""Guide d'utilisation: the partners' guide (docs/guide.md) opens in the app for every role and
describes every page of the menu."""

import pytest

from ihs.ui.nav import PAGES
from ihs.vocab import ROLES
from tests.apptest import open_page


@pytest.mark.parametrize("role", list(ROLES))
def test_the_guide_opens_for_every_role(app_db, role):
    at = open_page(role, "aide")
    assert not at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert shown.startswith("# Guide d'utilisation")
    assert "## Tableaux de bord (comité de pilotage, écran partagé)" in shown


def test_every_page_of_the_menu_is_in_the_guide(app_db):
    shown = "\n".join(m.value for m in open_page("viewer", "aide").markdown)
    described = [p.title for p in PAGES if f"**{p.title}" in shown or f"## {p.title}" in shown]
    assert described == [p.title for p in PAGES if p.path != "pages/aide.py"]
