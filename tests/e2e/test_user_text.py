"""In the browser, a partner's HTML, script or Markdown payload shows as text and runs nothing.

The payload is an information action recorded before the server starts (conftest.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import EXCEPTION, goto, injected, login

pytestmark = pytest.mark.browser


def test_my_entries_show_the_payload_as_text(page, base_url):
    goto(page, base_url + "/mes_saisies")
    login(page, "partenaire")
    # The entries table is a canvas grid; its accessible copy holds the cell text, as text.
    expect(page.get_by_text("<img src=x", exact=False).first).to_be_attached(timeout=30_000)
    # The choice list shows the title as plain text too.
    page.locator("[data-testid='stSelectbox']").filter(has_text="Corriger ou supprimer").first.click()
    expect(page.get_by_role("option").filter(has_text="<img src=x").first).to_be_visible(timeout=30_000)
    assert injected(page) == []
    assert page.locator(EXCEPTION).count() == 0


def test_sector_page_shows_the_payload_as_text(page, base_url, app_server):
    goto(page, base_url + f"/secteur?secteur={app_server['payload_sector']}")
    login(page, "lecture")
    page.get_by_role("tab").nth(2).click()  # the awareness tab: last information action
    expect(page.get_by_text("<img src=x", exact=False).first).to_be_visible(timeout=30_000)
    assert injected(page) == []
    assert page.locator(EXCEPTION).count() == 0
