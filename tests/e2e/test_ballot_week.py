"""Ballot week in Chromium: turnout typed on a phone, the double-entry count by two people.

Issue 22: a decimal comma must never multiply a turnout by ten (the browser's number field
dropped it: « 19,5 » became 195), and entry 2 of the count is typed blind.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update

from ihs import clock
from ihs.db import forget_engine, get_engine
from ihs.models import AuditLog, Ballot, BallotCount, TurnoutReport
from tests.e2e.conftest import VIEWPORT, running_app
from tests.e2e.helpers import EXCEPTION, goto, login, main_text, wait_idle

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
VOTERS = re.compile("^Votants depuis l'ouverture")


def _rows(db_url: str) -> tuple[int, int]:
    """Turnout readings and audit entries in the app's database."""
    engine = get_engine(db_url)
    try:
        with engine.connect() as conn:
            return (
                conn.execute(select(func.count()).select_from(TurnoutReport)).scalar_one(),
                conn.execute(select(func.count()).select_from(AuditLog)).scalar_one(),
            )
    finally:
        forget_engine(db_url)


def _submit_turnout(page: Page, typed: str) -> None:
    field = page.get_by_label(VOTERS)
    expect(field).to_have_count(1)
    field.fill(typed)
    page.get_by_role("button", name="Enregistrer").click()
    wait_idle(page)


def test_on_a_phone_a_figure_that_is_not_whole_writes_nothing_and_a_jump_asks(browser, app_server):
    ctx = browser.new_context(viewport=PHONE, locale="fr-FR")
    ctx.set_default_timeout(30_000)
    try:
        page = ctx.new_page()
        goto(page, app_server["url"] + "/participation")
        login(page, "bailleur")
        before = _rows(app_server["db_url"])
        for typed in ("19,5", "13.5", "1 9", "19a"):
            _submit_turnout(page, typed)
            error = page.locator("[data-testid='stForm'] [data-testid='stAlertContentError']")
            expect(error).to_contain_text(f"« {typed} » n'est pas un nombre", timeout=30_000)
            expect(error).to_contain_text("sans virgule ni point")
            expect(page.get_by_label(VOTERS)).to_have_value(typed)  # kept, to be corrected
            assert "Enregistré" not in main_text(page) and "Error" not in main_text(page)
            assert _rows(app_server["db_url"]) == before, typed
        # A rise of more than 25 % of the 420 registered dwellings since the place's last reading.
        caption = page.get_by_text(re.compile(r"Dernier relevé de ce bureau|Pas encore de relevé")).inner_text()
        found = re.search(r"bureau : (\d+) votants", caption.replace("\u202f", ""))
        jump = (int(found.group(1)) if found else 0) + 150
        _submit_turnout(page, str(jump))
        expect(page.locator("[data-testid='stForm'] [data-testid='stAlertContentWarning']")).to_contain_text(
            "Vérifiez le chiffre"
        )
        assert _rows(app_server["db_url"]) == before
        page.get_by_text(f"Je confirme : {jump} votants").click()
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text(f"Enregistré : {jump} votants")).to_be_visible(timeout=30_000)
        assert _rows(app_server["db_url"])[0] == before[0] + 1
        assert page.locator(EXCEPTION).count() == 0
    finally:
        ctx.close()


def _close_the_open_ballot(db_url: str) -> None:
    engine = get_engine(db_url)
    with engine.begin() as conn:
        conn.execute(update(Ballot).where(Ballot.status == "open").values(closes_at=clock.now() - timedelta(hours=1)))
    forget_engine(db_url)


def _type_count(page: Page, figures: dict[str, int]) -> None:
    for label, value in figures.items():
        page.get_by_label(label, exact=True).fill(str(value))
    page.get_by_role("button", name=re.compile("^Enregistrer la saisie")).click()
    wait_idle(page)
    # The demo's turnout at closing depends on the hour the app was built: when the ballot
    # box differs from it the page asks why, as it would at a real count; the counter says so.
    # Wait for one or the other (the question can come a rerun after the click: CI once read « no
    # question » too early and never answered it).
    note = page.get_by_label("Note : pourquoi ces chiffres sont justes")
    saved = page.get_by_text(re.compile(r"^Saisie \d enregistrée\.$"))
    expect(saved.or_(note).first).to_be_visible(timeout=30_000)
    if note.count():
        expect(page.locator("[data-testid='stForm'] [data-testid='stAlertContentWarning']").first).to_contain_text(
            "participation"
        )
        note.fill("Urne recomptée deux fois devant les scrutateurs.")
        page.get_by_role("button", name=re.compile("^Enregistrer la saisie")).click()
        wait_idle(page)


def test_two_people_count_the_same_ballot_and_the_second_types_blind(browser, tmp_path):
    first = {"Oui": 41, "Non": 16, "Blancs": 2, "Nuls": 1, "Bulletins dans l'urne": 60}
    second = {"Oui": 42, "Non": 15, "Blancs": 2, "Nuls": 1, "Bulletins dans l'urne": 60}
    with running_app(tmp_path, prepare=_close_the_open_ballot) as server:
        one = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        two = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        try:
            landlord = one.new_page()
            goto(landlord, server["url"] + "/depouillement")
            login(landlord, "bailleur")
            _type_count(landlord, first)
            expect(landlord.get_by_text("Saisie 1 enregistrée.")).to_be_visible(timeout=30_000)
            # The saved figures leave the fields: the next person at this browser starts blank.
            for label in first:
                expect(landlord.get_by_label(label, exact=True)).to_have_value("")

            coordinator = two.new_page()
            goto(coordinator, server["url"] + "/depouillement")
            login(coordinator, "coordination")
            expect(coordinator.get_by_text("Saisie 1 enregistrée par bailleur", exact=False)).to_be_visible()
            text = main_text(coordinator)
            # No figure of entry 1: no table, no 41 or 16 (a time of day such as 10:41 aside).
            assert coordinator.locator("[data-testid='stDataFrame']").count() == 0
            assert not re.search(r"(?<![\d:/])(41|16)(?![\d:/])", text), text
            for label in first:
                expect(coordinator.get_by_label(label, exact=True)).to_have_value("")
            expect(coordinator.get_by_role("radio", name="Saisie 2")).to_be_checked()
            _type_count(coordinator, second)

            # Both in: the comparison, differing lines named.
            expect(coordinator.get_by_text("Lignes différentes : Oui, Non")).to_be_visible(timeout=30_000)
            expect(coordinator.locator("[data-testid='stDataFrame']")).to_have_count(1)
            landlord.reload(wait_until="domcontentloaded")
            wait_idle(landlord)
            expect(landlord.get_by_text("Lignes différentes : Oui, Non")).to_be_visible(timeout=30_000)
            engine = get_engine(server["db_url"])
            with engine.connect() as conn:
                saved = conn.execute(
                    select(BallotCount.entry_no, BallotCount.yes, BallotCount.entered_by)
                    .join(Ballot, Ballot.id == BallotCount.ballot_id)
                    .where(Ballot.status == "counted")
                    .order_by(BallotCount.entry_no)
                ).all()
            forget_engine(server["db_url"])
            assert [tuple(r) for r in saved] == [(1, 41, "bailleur"), (2, 42, "coordination")]
            assert coordinator.locator(EXCEPTION).count() == 0
        finally:
            one.close()
            two.close()
