"""Accounts and refusals in Chromium, with two browser sessions open (issue 21).

A coordinator changes a partner's account on « Utilisateurs » while the partner has a form typed
and ready: the partner's next « Enregistrer » must not write with the old rights. The other
classes of refusal are checked once each as a user meets them: a date the widget would have
replaced, an over-long reason, a page of another role opened by its address.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from ihs.db import forget_engine, get_engine
from ihs.models import AuditLog, Event, TurnoutReport, Visit
from tests.e2e.conftest import VIEWPORT, running_app
from tests.e2e.helpers import EXCEPTION, goto, login, main_text, settle, wait_idle

pytestmark = pytest.mark.browser

FORM_ERROR = "[data-testid='stForm'] [data-testid='stAlertContentError']"


@pytest.fixture(scope="module")
def server(tmp_path_factory, browser):
    with running_app(tmp_path_factory.mktemp("accounts")) as app:
        yield app


def _count(db_url: str, table) -> int:
    engine = get_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()
    finally:
        forget_engine(db_url)


def _choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the Streamlit select box labelled `label`."""
    box = page.get_by_label(label, exact=True).last  # the visible form comes last (« Créer » is folded)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).first.click()
    wait_idle(page)


def _open_visits(page: Page, url: str) -> None:
    """The visits form, where logging in again has left the partner. A full page load started right
    after logging in can come before the login cookie is stored and meet the login form again (a
    person then logs in again); a navigation started during the cookie's rerun can be dropped."""
    form = page.get_by_label("Qu'avez-vous fait ?", exact=True).last
    for _ in range(3):
        if page.get_by_label("Identifiant").count():
            login(page, "partenaire")
        try:
            expect(form).to_be_visible(timeout=15_000)
            return
        except AssertionError:
            goto(page, url + "/saisie_visites")
    expect(form).to_be_visible()


def _ready_visit(page: Page) -> None:
    """A door-to-door round typed and ready to save."""
    _choose(page, "Qu'avez-vous fait ?", "Porte-à-porte")
    _choose(page, "Secteur", "Bellevue Kergoat")
    page.get_by_label("Portes frappées", exact=True).fill("120")
    page.get_by_label("Portes ouvertes", exact=True).fill("45")


def _save(page: Page) -> None:
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_idle(page)


def test_a_partner_disabled_then_another_changed_while_their_form_is_open(browser, server):
    coord_ctx = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    partner_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    for ctx in (coord_ctx, partner_ctx):
        ctx.set_default_timeout(30_000)
    try:
        partner = partner_ctx.new_page()
        goto(partner, server["url"] + "/saisie_visites")
        login(partner, "partenaire")
        _ready_visit(partner)

        coord = coord_ctx.new_page()
        goto(coord, server["url"] + "/utilisateurs")
        login(coord, "coordination")
        _choose(coord, "Compte", "partenaire")
        coord.get_by_role("button", name="Désactiver le compte").click()
        expect(coord.get_by_text("Compte désactivé")).to_be_visible()

        visits, audit = _count(server["db_url"], Visit), _count(server["db_url"], AuditLog)
        _save(partner)
        # The session is over: the login form, and why; nothing was written.
        expect(partner.get_by_text("Ce compte a été désactivé : la session est terminée.")).to_be_visible()
        expect(partner.get_by_label("Identifiant")).to_be_visible()
        assert (_count(server["db_url"], Visit), _count(server["db_url"], AuditLog)) == (visits, audit)
        # The cookie was dropped too: a reload does not log the account back in.
        partner.reload(wait_until="domcontentloaded")
        wait_idle(partner)
        expect(partner.get_by_label("Identifiant")).to_be_visible()
        expect(partner.get_by_text("Connecté·e : partenaire")).to_have_count(0)

        # Re-enabled and logged in again, the partner is given the viewer role while typing.
        coord.get_by_role("button", name="Réactiver le compte").click()
        expect(coord.get_by_text("Compte réactivé")).to_be_visible()
        login(partner, "partenaire")
        _open_visits(partner, server["url"])
        _ready_visit(partner)
        _choose(coord, "Rôle", "Lecture seule")
        coord.get_by_role("button", name="Changer le rôle").click()
        expect(coord.get_by_text("Rôle modifié")).to_be_visible()
        audit = _count(server["db_url"], AuditLog)
        _save(partner)
        expect(
            partner.get_by_text(re.compile("modifié depuis votre connexion|réservée à d'autres rôles")).first
        ).to_be_visible()
        assert (_count(server["db_url"], Visit), _count(server["db_url"], AuditLog)) == (visits, audit)
        assert partner.locator(EXCEPTION).count() == 0 and coord.locator(EXCEPTION).count() == 0
    finally:
        coord_ctx.close()
        partner_ctx.close()


def test_a_date_the_widget_would_have_replaced_is_refused_in_french(page, server):
    goto(page, server["url"] + "/saisie_evenements")
    login(page, "coordination")
    page.get_by_label("Secteur(s)").click()
    page.get_by_role("option", name="Kerourien").click()
    page.keyboard.press("Escape")
    before = _count(server["db_url"], Event)
    for typed, message in (
        ("15/06/1900", "Date trop ancienne (15/06/1900)"),
        ("15/06/2999", "Date trop lointaine (15/06/2999)"),
        ("31/02/2024", "Le 31/02/2024 n'existe pas"),
    ):
        field = page.get_by_label("Date", exact=True)
        field.fill(typed)
        page.get_by_role("button", name="Enregistrer", exact=True).click()
        wait_idle(page)
        expect(page.locator(FORM_ERROR).filter(has_text=message)).to_be_visible()
        expect(page.get_by_label("Date", exact=True)).to_have_value(typed)
        assert "Événement enregistré" not in main_text(page) and "Error" not in main_text(page)
        assert _count(server["db_url"], Event) == before


def test_an_over_long_correction_reason_is_refused(page, server):
    goto(page, server["url"] + "/participation")
    login(page, "bailleur")
    before = _count(server["db_url"], TurnoutReport)
    page.get_by_label(re.compile("^Votants depuis l'ouverture")).fill("1")
    page.get_by_text("Correction d'un relevé précédent").click()
    page.get_by_label("Raison de la correction").fill("x" * 10_000)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_idle(page)
    expect(page.locator(FORM_ERROR).filter(has_text="Texte trop long : 500 caractères au plus")).to_be_visible()
    assert _count(server["db_url"], TurnoutReport) == before


@pytest.mark.parametrize(("username", "address"), [("partenaire", "/journal"), ("lecture", "/participation")])
def test_another_roles_page_opened_by_its_address_says_so_in_french(page, server, username, address):
    goto(page, server["url"] + "/")
    login(page, username)
    goto(page, server["url"] + address)
    settle(page)
    expect(page.get_by_text(re.compile("est réservée à d'autres rôles"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Revenir à « Vue d'ensemble »"))).to_be_visible()
    assert page.get_by_text("Page not found").count() == 0
    assert "You have requested" not in page.locator("body").inner_text()
