"""The app as its users meet it, in Chromium at the projector size (1280×720).

One server for the whole module (see conftest.py); each test starts from a fresh browser
profile, so it logs in itself.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from ihs.ui.nav import pages_for
from ihs.users import DEMO_ACCOUNTS
from tests.e2e.helpers import EXCEPTION, goto, injected, login, main_text, wait_idle

pytestmark = pytest.mark.browser

USERS = [(username, role) for username, _, role, _ in DEMO_ACCOUNTS]


def _menu_link(page: Page, href: re.Pattern):
    for link in page.locator("a[data-testid='stSidebarNavLink']").all():
        if href.search(link.get_attribute("href") or ""):
            return link
    return None


def _open(page: Page, base_url: str, url_path: str, default: bool) -> None:
    """Open a page as a user does: its menu entry (no reload); by its URL if the menu is hidden."""
    href = re.compile(r"/$" if default else rf"/{re.escape(url_path)}$")
    expand = page.locator("[data-testid='stExpandSidebarButton']")
    if expand.count() and expand.first.is_visible():  # the live screen starts with the menu folded
        expand.first.click()
    link = _menu_link(page, href)
    more = page.locator("[data-testid='stSidebarNavViewButton']")
    if link is None and more.count() and more.first.is_visible():  # a long menu shows "View N more"
        more.first.click()
        link = _menu_link(page, href)
    if link is not None and link.is_visible():
        link.click()
        page.wait_for_url(href)
        wait_idle(page)
    else:  # the presentation mode hides the menu
        goto(page, base_url + ("/" if default else f"/{url_path}"))


@pytest.mark.parametrize(("username", "role"), USERS, ids=[u for u, _ in USERS])
def test_each_role_opens_every_page_of_its_menu_without_an_exception(page, base_url, username, role):
    goto(page, base_url + "/")
    login(page, username)
    # Every page of the role is in the menu: none folded under Streamlit's English « View N more ».
    links = page.locator("a[data-testid='stSidebarNavLink']")
    expect(links).to_have_count(len(pages_for(role)))
    assert page.locator("[data-testid='stSidebarNavViewButton']").count() == 0
    problems = []
    for spec in pages_for(role):
        started = time.monotonic()
        _open(page, base_url, spec.url_path, spec.default)
        boxes = page.locator(EXCEPTION).all_inner_texts()
        if boxes:
            problems.append(f"{spec.path}: exception {boxes[0][:300]!r}")
        for trace in injected(page):
            problems.append(f"{spec.path}: {trace}")
        if "Accès refusé" in main_text(page):
            problems.append(f"{spec.path}: refused although it is in the menu of {role}")
        if time.monotonic() - started > 45:
            problems.append(f"{spec.path}: took {time.monotonic() - started:.0f} s")
    assert problems == []


def test_deep_link_to_a_sector_survives_logging_in(page, base_url):
    goto(page, base_url + "/secteur?secteur=kerourien")
    login(page, "lecture")
    expect(page).to_have_url(re.compile(r"/secteur\?(.*&)?secteur=kerourien"))
    expect(page.locator("[data-testid='stMain']")).to_contain_text("Kerourien", timeout=30_000)
    assert page.locator(EXCEPTION).count() == 0


def test_reloading_the_page_keeps_the_user_logged_in(page, base_url):
    goto(page, base_url + "/")
    login(page, "operateur")
    page.reload(wait_until="domcontentloaded")
    wait_idle(page)
    expect(page.get_by_text("Connecté·e : operateur")).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Mot de passe")).to_have_count(0)
    # A page only a logged-in role reaches, opened by URL in the same browser (cookie, no form).
    goto(page, base_url + "/imports")
    expect(page.get_by_text("Connecté·e : operateur")).to_be_visible(timeout=30_000)
    assert "Accès refusé" not in main_text(page)


def _number(text: str) -> int:
    return int(re.sub(r"[\s\u202f\u00a0]", "", text))


def _live_voters(page: Page) -> int:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Votants / inscrits")
    value = metric.locator("[data-testid='stMetricValue']").inner_text()
    return _number(value.split("/")[0])


def test_a_turnout_report_appears_on_the_live_screen_without_reload(browser, base_url):
    screen_ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    entry_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")  # a phone
    try:
        screen = screen_ctx.new_page()
        goto(screen, base_url + "/scrutin_direct")
        login(screen, "lecture")
        expect(screen.locator("[data-testid='stMetric']").filter(has_text="Votants / inscrits")).to_be_visible()
        before = _live_voters(screen)
        # A reload would wipe this marker: it proves the figure changed in place.
        screen.evaluate("window.__ihsNoReload = 'still here'")

        entry = entry_ctx.new_page()
        goto(entry, base_url + "/participation")
        login(entry, "bailleur")
        caption = entry.get_by_text(re.compile(r"Dernier relevé de ce bureau|Pas encore de relevé")).inner_text()
        found = re.search(r"bureau : ([\d\s\u202f\u00a0]+) votants", caption)
        place_before = _number(found.group(1)) if found else 0
        added = 7
        field = entry.get_by_label(re.compile("^Votants depuis l'ouverture"))
        expect(field).to_have_count(1)
        field.fill(str(place_before + added))
        entry.get_by_role("button", name="Enregistrer").click()
        expect(entry.get_by_text(re.compile(r"^Enregistré : "))).to_be_visible(timeout=30_000)

        # The live fragment reruns on its own timer (30 s); wait for the new total, no reload.
        deadline = time.monotonic() + 75
        seen = before
        while time.monotonic() < deadline:
            try:
                seen = _live_voters(screen)
            except Exception:  # the fragment is redrawing
                seen = None
            if seen == before + added:
                break
            screen.wait_for_timeout(1000)
        assert seen == before + added, f"live screen shows {seen}, expected {before + added}"
        assert screen.evaluate("window.__ihsNoReload") == "still here", "the live screen was reloaded"
        assert screen.locator(EXCEPTION).count() == 0
    finally:
        entry_ctx.close()
        screen_ctx.close()


def test_the_slideshow_opens_by_its_address_without_a_page_not_found(page, base_url):
    # A shared screen is left on ?mode=presentation: the slides, and no Streamlit dialog over them
    # (the slideshow was the default page, which answers at "/" only).
    goto(page, base_url + "/")
    login(page, "lecture")
    for address, shown in (("/presentation?mode=presentation&slide=2", 2), ("/?mode=presentation&slide=3", 3)):
        goto(page, base_url + address)
        expect(page.get_by_text(re.compile(rf"^Diapositive {shown}/"))).to_be_visible(timeout=60_000)
        wait_idle(page)
        assert page.get_by_text("Page not found").count() == 0, address
        assert page.locator(EXCEPTION).count() == 0


def _box(locator) -> dict:
    expect(locator).to_be_visible()
    return locator.bounding_box()


def test_a_bad_value_gets_a_french_error_next_to_the_field(page, base_url):
    page.set_viewport_size({"width": 390, "height": 844})
    goto(page, base_url + "/participation")
    login(page, "bailleur")
    field = page.get_by_label(re.compile("^Votants depuis l'ouverture"))
    expect(field).to_have_count(1)  # no half-redrawn copy left from the login rerun
    field.fill("-5")
    page.get_by_role("button", name="Enregistrer").click()
    error = page.locator("[data-testid='stAlertContentError']").filter(has_text="ne peut pas être négatif")
    expect(error).to_be_visible(timeout=30_000)
    # Next to the field: right under it, before the next field of the form. Measured once the run
    # that drew the error has finished (a box of an element being redrawn is None).
    wait_idle(page)
    field_box, error_box, next_box = (
        _box(loc)
        for loc in (
            page.get_by_label(re.compile("^Votants depuis l'ouverture")),
            error,
            page.get_by_text("Correction d'un relevé précédent"),
        )
    )
    assert field_box["y"] < error_box["y"] < next_box["y"]
    assert error_box["y"] - (field_box["y"] + field_box["height"]) < 120
    # What the user typed is kept, so they can fix it.
    expect(page.get_by_label(re.compile("^Votants depuis l'ouverture"))).to_have_value("-5")
