"""Count fields on a phone (#19 item 5): they open the numeric keyboard, and stay text fields
(what was typed is kept as typed, an empty field is not 0)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import EXCEPTION, choose, click, fill, goto, login, wait_idle

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "fr-FR", "is_mobile": True}
TURNOUT = "Votants depuis l'ouverture (total cumulé de la feuille d'émargement)"


def _numeric(page: Page, label: str) -> None:
    field = page.get_by_label(label, exact=True)
    expect(field).to_have_attribute("inputmode", "numeric")
    expect(field).to_have_attribute("pattern", "[0-9]*")
    expect(field).to_have_attribute("type", "text")


@pytest.fixture
def phone(browser):
    """A fresh browser profile on a phone's screen."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_turnout_counts_open_the_numeric_keyboard(phone, base_url):
    page = phone
    goto(page, base_url + "/participation")
    login(page, "bailleur")
    _numeric(page, TURNOUT)
    # Not on every field: the correction's reason is words.
    expect(page.get_by_label("Raison de la correction", exact=True)).not_to_have_attribute("inputmode", "numeric")

    # A refused figure stays as typed, in a field that still opens the numeric keyboard.
    fill(page, TURNOUT, "19,5")
    click(page, "Enregistrer")
    expect(page.get_by_text("nombre entier").first).to_be_visible()
    expect(page.get_by_label(TURNOUT, exact=True)).to_have_value("19,5")
    _numeric(page, TURNOUT)
    assert page.locator(EXCEPTION).count() == 0


def test_visit_counts_open_the_numeric_keyboard(phone, base_url):
    page = phone
    goto(page, base_url + "/saisie_visites")
    login(page, "partenaire")
    choose(page, "Qu'avez-vous fait ?", "Vente d'ordinateurs")
    _numeric(page, "Ordinateurs vendus")
    # A field Streamlit draws anew (another kind of visit) gets the keyboard too.
    choose(page, "Qu'avez-vous fait ?", "Porte-à-porte", prefix=True)
    wait_idle(page)
    _numeric(page, "Portes frappées")
    assert page.locator(EXCEPTION).count() == 0
