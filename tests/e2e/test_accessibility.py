"""Accessibility, measured (#19 item 8): axe-core on every page of every role's menu, in Chromium;
every chart named by a sentence with its figure, its table one keystroke away; login and turnout
entry by keyboard alone.

Rules broken by Streamlit's own markup, which the app cannot change, are listed in `FRAMEWORK`
with the element they concern (and in README « Limites connues de Streamlit »): only those
nodes are tolerated, every other « critical » or « serious » finding fails.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ihs.users import DEMO_ACCOUNTS
from tests.e2e.helpers import goto, settle, wait_idle
from tests.e2e.walk import walk

pytestmark = pytest.mark.browser

USERS = [(username, role) for username, _, role, _ in DEMO_ACCOUNTS]

# (rule id, what the node's target or markup contains) → why it is Streamlit's, not the app's.
FRAMEWORK: dict[tuple[str, str], str] = {
    ("list", "stSidebarNavItems"): (
        "the menu's <ul> holds each section as a <div> (header + items) instead of <li> only "
        "(Streamlit's SidebarNav; no option changes it)"
    ),
    ("listitem", "<li"): "each menu entry's <li> sits in that section <div>, not directly in the <ul> (same cause)",
}

# Found by the app's own pages and not yet fixed where the fix belongs (files another change owns).
# Each entry says what to do; the test fails when the finding is gone, so that the entry goes too.
PENDING: dict[tuple[str, str, str], str] = {}


def _framework(rule: str, node: dict) -> bool:
    return any(rule == r and (part in node["target"] or part in node["html"]) for r, part in FRAMEWORK)


@pytest.mark.parametrize(("username", "role"), USERS, ids=[u for u, _ in USERS])
def test_no_critical_or_serious_accessibility_finding_caused_by_the_app(browser, base_url, username, role):
    problems, pending_seen = [], set()
    for visit in walk(browser, base_url, username, role):
        for v in visit.violations:
            if v["impact"] not in ("critical", "serious"):
                continue
            for node in v["nodes"]:
                pending = next(
                    (k for k in PENDING if k[:2] == (visit.path, v["id"]) and k[2] in node["target"] + node["html"]),
                    None,
                )
                if pending:
                    pending_seen.add(pending)
                elif not _framework(v["id"], node):
                    problems.append(f"{visit.path}: {v['id']} ({v['impact']}) {node['target']} {node['html'][:120]}")
    assert problems == []
    visited = {v.path for v in walk(browser, base_url, username, role)}
    assert {k for k in PENDING if k[0] in visited} == pending_seen, "fixed: remove it from PENDING"


@pytest.mark.parametrize(("username", "role"), USERS, ids=[u for u, _ in USERS])
def test_every_chart_is_named_by_a_sentence_with_its_figure(browser, base_url, username, role):
    problems = []
    for visit in walk(browser, base_url, username, role):
        for word in visit.words:
            if word in ("aria-label=Vega visualization", "aria-roledescription=visualization"):
                problems.append(f"{visit.path}: a chart without a text alternative")
    assert problems == []


def _names(page: Page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll("[data-testid=stVegaLiteChart][role=graphics-document]")]
               .map((e) => e.getAttribute("aria-label") || "")"""
    )


def _tab_to(page: Page, matches, limit: int = 80) -> None:
    """Press Tab until the focused element satisfies `matches(its description)`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => { const e = document.activeElement; return e ? [e.tagName, e.getAttribute("aria-label") || "",
               e.getAttribute("href") || "", (e.innerText || "").trim().slice(0, 80), e.id] : null; }"""
        )
        if focused and matches(focused):
            return
    raise AssertionError(f"not reached with Tab in {limit} presses")


def test_a_chart_says_its_figure_and_shows_its_table_by_keyboard(page, base_url):
    goto(page, base_url + "/adhesion")
    _keyboard_login(page, "lecture")
    named = "[data-testid='stVegaLiteChart'][role='graphics-document'][aria-label]"
    expect(page.locator(named).first).to_be_attached(timeout=30_000)
    names = _names(page)
    assert names and all(re.search(r"\d", n) for n in names), names
    _tab_to(page, lambda f: f[1].startswith("Voir les données"))
    page.keyboard.press("Enter")
    # The chart gives way to its table, and its toolbar to « Voir le graphique ».
    expect(page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Voir le graphique")).first).to_be_attached()


def _keyboard_login(page: Page, username: str) -> None:
    """Log in with Tab, typing and Enter only."""
    expect(page.get_by_label("Identifiant")).to_have_count(1, timeout=60_000)
    settle(page)  # the login cookie's rerun redraws the form once
    _tab_to(page, lambda f: f[0] == "INPUT" and f[1] == "Identifiant")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(f"demo-{username}")
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Connecté·e : {username}").first).to_be_visible(timeout=30_000)
    settle(page)


def test_login_and_turnout_entry_by_keyboard_alone(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")  # a phone
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        goto(page, base_url + "/")
        _keyboard_login(page, "bailleur")
        # The menu, by keyboard: on a phone it starts folded, so open it first.
        expand = page.locator("[data-testid='stExpandSidebarButton']")
        if expand.count() and expand.first.is_visible():
            _tab_to(page, lambda f: f[1] in ("Déplier le menu", "Expand sidebar"))
            page.keyboard.press("Enter")
        _tab_to(page, lambda f: f[2].endswith("/participation"))
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/participation$"))
        wait_idle(page)
        settle(page)
        caption = page.get_by_text(re.compile(r"Dernier relevé de ce bureau|Pas encore de relevé")).inner_text()
        before = int(m.group(1)) if (m := re.search(r"(\d+) votants", caption)) else 0
        field = "Votants depuis l'ouverture (total cumulé de la feuille d'émargement)"
        _tab_to(page, lambda f: f[1] == field)
        page.keyboard.type(str(before + 2))
        _tab_to(page, lambda f: f[0] == "BUTTON" and f[3] == "Enregistrer")
        page.keyboard.press("Enter")
        wait_idle(page)
        expect(page.get_by_text(f"Enregistré : {before + 2} votants")).to_be_visible(timeout=30_000)
    finally:
        context.close()
