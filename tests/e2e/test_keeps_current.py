"""Two browsers on one app: a partner on a phone records a computer sale; the shared screen's
« Vue d'ensemble » shows it on its own, within the refresh interval, without a reload. On the
phone, the form is empty after the save, and the same sale typed again waits for « Enregistrer
quand même »."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from ihs.db import forget_engine, get_engine, session_scope
from ihs.events import entry_sector_choices
from ihs.programme import set_setting
from ihs.users import actor_for
from tests.e2e.helpers import EXCEPTION, choose, click, fill, goto, login, wait_idle

pytestmark = pytest.mark.browser
REFRESH_SECONDS = 10  # the setting's minimum


def _set_refresh(db_url: str, seconds: int) -> None:
    engine = get_engine(db_url)
    with session_scope("coordination", engine=engine) as s:
        set_setting(s, actor_for(engine, "coordination"), "display.refresh_seconds", str(seconds))
    forget_engine(db_url)


def _first_sector(db_url: str) -> str:
    """The first sector the partner may enter data for, as its form lists them."""
    engine = get_engine(db_url)
    name = entry_sector_choices(engine, actor_for(engine, "partenaire"))[0].name
    forget_engine(db_url)
    return name


def _metric(page: Page, label: str) -> int:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return int(re.sub(r"\D", "", box.locator("[data-testid='stMetricValue']").inner_text()))


def _wait_for_sold(screen: Page, expected: int) -> None:
    """Wait, without reloading, until the screen's « Ordinateurs vendus » is `expected`."""
    deadline = time.monotonic() + REFRESH_SECONDS + 20
    seen = None
    while time.monotonic() < deadline and seen != expected:
        screen.wait_for_timeout(1000)
        try:
            seen = _metric(screen, "Ordinateurs vendus")
        except Exception:  # the page is being redrawn
            seen = None
    assert seen == expected, f"the screen shows {seen}, expected {expected}"


def _sell_computers(phone: Page, how_many: str) -> None:
    fill(phone, "Ordinateurs vendus", how_many)
    click(phone, "Enregistrer")


def test_a_sale_on_a_phone_reaches_the_shared_screen_without_reload(browser, base_url, app_server):
    _set_refresh(app_server["db_url"], REFRESH_SECONDS)
    screen_ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True)
    try:
        screen = screen_ctx.new_page()
        goto(screen, base_url + "/")
        login(screen, "lecture")
        expect(screen.locator("[data-testid='stMetric']").filter(has_text="Ordinateurs vendus")).to_be_visible()
        sold = _metric(screen, "Ordinateurs vendus")
        expect(screen.get_by_text(re.compile(r"^Mis à jour à \d\d:\d\d"))).to_be_visible()
        screen.evaluate("window.__ihsNoReload = 'still here'")  # a reload would wipe it

        phone = phone_ctx.new_page()
        goto(phone, base_url + "/saisie_visites")
        login(phone, "partenaire")
        choose(phone, "Qu'avez-vous fait ?", "Vente d'ordinateurs")
        choose(phone, "Secteur", _first_sector(app_server["db_url"]))
        _sell_computers(phone, "3")
        expect(phone.get_by_text("Saisie enregistrée. Merci !")).to_be_visible(timeout=30_000)
        expect(phone.get_by_label("Ordinateurs vendus", exact=True)).to_have_value("")  # ready for the next one

        # The same sale again, a second tap later: nothing saved until confirmed.
        _sell_computers(phone, "3")
        expect(phone.get_by_text(re.compile("^Vous avez déjà enregistré une visite identique à "))).to_be_visible()
        expect(phone.get_by_text("Rien n'a été enregistré : lisez l'avertissement ci-dessus.")).to_be_visible()

        # The shared screen shows the sale on its own, within the interval (plus a run's time).
        _wait_for_sold(screen, sold + 3)
        assert screen.evaluate("window.__ihsNoReload") == "still here", "the screen was reloaded"

        # Confirmed on the phone, the second sale is saved and reaches the screen too.
        phone.get_by_test_id("stCheckbox").get_by_text("Enregistrer quand même").click()
        wait_idle(phone)
        click(phone, "Enregistrer")
        expect(phone.get_by_text("Saisie enregistrée. Merci !")).to_be_visible(timeout=30_000)
        _wait_for_sold(screen, sold + 6)
        assert screen.locator(EXCEPTION).count() == 0 and phone.locator(EXCEPTION).count() == 0
    finally:
        phone_ctx.close()
        screen_ctx.close()
        _set_refresh(app_server["db_url"], 60)


def test_the_events_form_is_saved_within_two_phone_screens(browser, base_url):
    # On a 390×844 phone the optional fields are folded: « Enregistrer » is less than two screens down.
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True)
    try:
        phone = phone_ctx.new_page()
        goto(phone, base_url + "/saisie_evenements")
        login(phone, "partenaire")
        button = phone.get_by_role("button", name="Enregistrer", exact=True)
        expect(button).to_be_visible()
        top = button.evaluate("b => b.getBoundingClientRect().top + window.scrollY")
        # Below the first screen (the form is long), but not past the second.
        assert 844 < top < 2 * 844, f"« Enregistrer » is {top:.0f} px down the page"
        expect(phone.get_by_text("Lieu, organisateur, titre, notes (facultatif)")).to_be_visible()
    finally:
        phone_ctx.close()
