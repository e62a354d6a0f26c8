"""Every page of a role's menu, as that role sees it: the words on screen and axe-core's findings.

One walk per role and server, shared by `test_french.py` (no English word) and
`test_accessibility.py` (axe-core): a walk is the slow part (every page, in Chromium).

axe-core comes from npm (`tests/e2e/package.json`, pinned by its lockfile; `make test` runs
`npm ci` there): no copy of it in the repository, and the version changes with one command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page

from ihs.ui.nav import pages_for
from tests.e2e.conftest import IN_CI, VIEWPORT
from tests.e2e.helpers import goto, login, settle

AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"

# What a person reads or hears: visible text, then the names a screen reader gives to elements
# (a chart's inner parts are left out: Vega names them from the data, and they are not controls).
WORDS_JS = r"""() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement, t = n.nodeValue.trim();
    if (!t || !el || el.closest("script, style")) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === "visible" && cs.display !== "none" && el.getClientRects().length) out.push(t);
  }
  const attrs = ["aria-label", "title", "placeholder", "alt", "aria-valuetext", "aria-roledescription"];
  for (const el of document.querySelectorAll(attrs.map((a) => "[" + a + "]").join(","))) {
    if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
    for (const a of attrs) { const v = el.getAttribute(a); if (v) out.push(`${a}=${v}`); }
  }
  out.push(`<title>=${document.title}`);
  return out;
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200)})),
  }));
}"""


@dataclass
class Visit:
    path: str
    title: str  # the menu's
    words: list[str] = field(default_factory=list)
    h1: list[str] = field(default_factory=list)
    violations: list[dict] = field(default_factory=list)
    exception: str = ""


_WALKS: dict[tuple[str, str], list[Visit]] = {}


def axe_path() -> Path:
    if not AXE.exists():
        message = f"axe-core is missing at {AXE} (cd tests/e2e && npm ci)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def _open(page: Page, base_url: str, url_path: str, default: bool) -> None:
    """By the menu entry (as a person does, no reload); by the address when the menu has none."""
    href = re.compile(r"/$" if default else rf"/{re.escape(url_path)}$")
    expand = page.locator("[data-testid='stExpandSidebarButton']")
    if expand.count() and expand.first.is_visible():  # the live screen starts with the menu folded
        expand.first.click()
    for link in page.locator("a[data-testid='stSidebarNavLink']").all():
        if href.search(link.get_attribute("href") or "") and link.is_visible():
            link.click()
            page.wait_for_url(href)
            settle(page, 500)
            return
    goto(page, base_url + ("/" if default else f"/{url_path}"))
    settle(page, 500)


def check_page(page: Page, visit: Visit) -> None:
    """Read the words and run axe-core on the page as it is now."""
    page.wait_for_timeout(300)  # a chart draws its SVG just after the run ends
    visit.words = page.evaluate(WORDS_JS)
    visit.h1 = page.locator("[data-testid='stMain'] h1").all_inner_texts()
    boxes = page.locator("[data-testid='stException']").all_inner_texts()
    visit.exception = boxes[0][:300] if boxes else ""
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(axe_path()))
    visit.violations = page.evaluate(AXE_JS)


def walk(browser, base_url: str, username: str, role: str) -> list[Visit]:
    """Every page of the role's menu, read and checked (once per server and user)."""
    key = (base_url, username)
    if key not in _WALKS:
        axe_path()
        context = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        context.set_default_timeout(30_000)
        try:
            page = context.new_page()
            goto(page, base_url + "/")
            login(page, username)
            visits = []
            for spec in pages_for(role):
                visit = Visit(spec.url_path, spec.title)
                _open(page, base_url, spec.url_path, spec.default)
                check_page(page, visit)
                visits.append(visit)
            _WALKS[key] = visits
        finally:
            context.close()
    return _WALKS[key]
