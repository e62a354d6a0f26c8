"""The very first visit after the server starts goes through the login gate too.

Streamlit treats a folder named `pages/` next to the entry script as "multipage v1" pages
until the first `st.navigation` call of the process (`PagesManager.uses_pages_directory`):
until someone opens the home page, a sub-URL ran its page script directly, without app.py,
its login gate or its menu. A shared screen rebooting onto /scrutin_direct, or anybody
opening /carte first, must still meet the login form.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import VIEWPORT, running_app
from tests.e2e.helpers import goto, login, main_text

pytestmark = pytest.mark.browser


def test_first_visit_of_a_fresh_server_to_a_deep_link_asks_to_log_in(browser, tmp_path):
    with running_app(tmp_path) as server:
        ctx = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        try:
            page = ctx.new_page()
            page.set_default_timeout(60_000)
            goto(page, server["url"] + "/secteur?secteur=kerourien")
            expect(page.get_by_label("Identifiant")).to_be_visible(timeout=20_000)
            assert "Kerourien" not in main_text(page), "a dashboard was shown before login"
            # The menu is the app's, not one entry per file of pages/ (there would be an "app" entry).
            assert page.locator("a[data-testid='stSidebarNavLink'][href$='/app']").count() == 0
            login(page, "lecture")
            expect(page.locator("[data-testid='stMain']")).to_contain_text("Kerourien", timeout=60_000)
        finally:
            ctx.close()
