"""The shared screen: every dashboard at the projector's 1280×720, a large 1920×1080 screen and a
390×844 phone, screenshotted (for a person to look at) and measured: at 1280×720 the title and
the key figures lie above the fold and the main chart starts there (on Accompagnement and
Sensibilisation, the whole chart); no figure is written under
18 px; a 1920 px screen gets larger type; the kiosk view has no sidebar and larger type still;
the demo marker is on every page, the slideshow included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import EXCEPTION, goto, settle

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("IHS_E2E_SHOTS", "/tmp/ihs-e2e-shots")) / "screens"
SIZES = {"projecteur": (1280, 720), "grand-ecran": (1920, 1080), "telephone": (390, 844)}
FOLD = 720
# Dashboards whose whole main chart, not only its top, lies above the fold at 1280×720, sidebar open.
WHOLE_CHART = {"accompagnement", "sensibilisation"}
# Dashboards whose charts write nothing under 18 px at 1280×720 and follow the page's type at 1920 px.
CHART_TEXT = {"accompagnement", "sensibilisation", "adhesion"}
# Dashboards whose charts write every name whole, at each size (a phone cuts Sensibilisation's two
# longest sector names, whole in its tooltip and table; it hides the uptake curve's labels).
WHOLE_NAMES = {
    "projecteur": {"calendrier", "adhesion", "sensibilisation"},
    "grand-ecran": {"calendrier", "adhesion", "sensibilisation"},
    "telephone": {"calendrier"},
}
# Each dashboard and the element that is its main chart (None: its figures are the point).
DASHBOARDS = {
    "": None,
    "carte": "[data-testid='stVegaLiteChart']",
    "calendrier": "[data-testid='stVegaLiteChart']",
    "adhesion": "[data-testid='stVegaLiteChart']",
    "accompagnement": "[data-testid='stVegaLiteChart']",
    "sensibilisation": "[data-testid='stVegaLiteChart']",
    "secteur?secteur=kerourien": None,
    "scrutin_direct": "[data-testid='stVegaLiteChart']",
}


def _bottom(page: Page, selector: str) -> float:
    boxes = page.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().bottom)")
    assert boxes, f"nothing matches {selector}"
    return max(boxes)


def _key_figures_bottom(page: Page) -> float:
    """The bottom of the page's key figures: its metrics above its first section heading."""
    return page.evaluate(
        """() => {
        const h2 = document.querySelector('[data-testid=stMain] h2');
        const limit = h2 ? h2.getBoundingClientRect().top : Infinity;
        const boxes = [...document.querySelectorAll('[data-testid=stMetric]')].map(e => e.getBoundingClientRect())
          .filter(b => b.top < limit);
        return Math.max(...boxes.map(b => b.bottom));
    }"""
    )


def _smallest_figure_px(page: Page) -> float:
    """The smallest font size of a text that writes a figure (metric values and labels, captions)."""
    return page.evaluate(
        """() => {
        const els = [...document.querySelectorAll('[data-testid=stMain] p, [data-testid=stMain] div, '
          + '[data-testid=stMain] span, [data-testid=stMain] li')]
          .filter(e => e.children.length === 0 && /\\d/.test(e.textContent) && e.getBoundingClientRect().height > 0
                  && e.getBoundingClientRect().top < 720);
        return Math.min(...els.map(e => parseFloat(getComputedStyle(e).fontSize)));
    }"""
    )


def _chart_texts(page: Page) -> list[dict]:
    """Every text the page's charts write (Vega draws them as SVG text): its text, font size (px)
    and right edge, with the window's width."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart] svg text')]
        .filter(t => t.textContent.trim())
        .map(t => ({text: t.textContent, px: parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize),
                    right: t.getBoundingClientRect().right, window: window.innerWidth}))"""
    )


def _chart_text_px(page: Page) -> list[float]:
    """The font size of every text the page's charts write."""
    return [t["px"] for t in _chart_texts(page)]


def _heading_px(page: Page) -> list[float]:
    """The largest font size (px) of the page's h1, h2 and h3, in that order (the levels present)."""
    return page.evaluate(
        """() => ['h1', 'h2', 'h3'].map(t => [...document.querySelectorAll('[data-testid=stMain] ' + t)])
        .filter(els => els.length).map(els => Math.max(...els.map(e => parseFloat(getComputedStyle(e).fontSize))))"""
    )


def _covered_title(page: Page) -> str | None:
    """What covers the page's title (h1) where it starts, if anything: the top bar, the demo marker."""
    return page.evaluate(
        """() => {
        const h = document.querySelector('[data-testid=stMain] h1'), b = h.getBoundingClientRect();
        const top = document.elementFromPoint(b.left + 8, b.top + b.height / 2);
        return top && (h.contains(top) || top.contains(h)) ? null : (top ? top.outerHTML.slice(0, 120) : 'nothing');
    }"""
    )


def _cut_buttons(page: Page) -> list[str]:
    """The labels of the page's buttons that are cut (« Télécharg… »): wider than their button."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMain] button p')]
        .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent)"""
    )


def _chart_text_outside(page: Page) -> list[str]:
    """The texts the page's charts write beyond the right edge of the screen (a legend run off it)."""
    return [t["text"] for t in _chart_texts(page) if t["right"] > t["window"] + 1]


def _cut_chart_text(page: Page) -> list[str]:
    """The texts the page's charts cut to fit (Vega ends them with « … »)."""
    return [t["text"] for t in _chart_texts(page) if t["text"].strip().endswith("…")]


def _chart_height(page: Page, selector: str) -> float:
    return page.locator(selector).first.evaluate("e => e.getBoundingClientRect().height")


def _html_px(page: Page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


@pytest.mark.parametrize("path", list(DASHBOARDS), ids=[p.split("?")[0] or "accueil" for p in DASHBOARDS])
def test_each_dashboard_fits_the_shared_screen(viewer, base_url, path):
    page = viewer
    name = path.split("?")[0] or "accueil"
    chart = DASHBOARDS[path]
    heights = {}
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        goto(page, f"{base_url}/{path}")
        settle(page)
        assert page.locator(EXCEPTION).count() == 0
        (SHOTS / size).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / size / f"{name}.png"))
        expect(page.locator(".ihs-demo")).to_be_visible()  # demo data: said on every page
        # Heading levels read as levels: an h3 is never drawn larger than an h2, an h2 than the h1.
        sizes = _heading_px(page)
        assert sizes == sorted(sizes, reverse=True), f"{size}: heading sizes by level {sizes}"
        assert _covered_title(page) is None, f"{size}: the title is covered by {_covered_title(page)}"
        assert not _cut_buttons(page), f"{size}: buttons cut {_cut_buttons(page)}"
        assert not _chart_text_outside(page), f"{size}: chart text off the screen {_chart_text_outside(page)}"
        if chart:
            heights[size] = _chart_height(page, chart)
        if name in WHOLE_NAMES[size]:
            assert not _cut_chart_text(page), f"{size}: chart text cut {_cut_chart_text(page)}"
        if size == "projecteur":
            assert _bottom(page, "h1") <= FOLD
            if page.locator("[data-testid='stMetric']").count():  # the map and calendar have no key figures
                assert _key_figures_bottom(page) <= FOLD, "key figures below the fold"
            if chart:
                top, bottom = page.locator(chart).first.evaluate(
                    "e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]"
                )
                assert top < FOLD - 150, f"the main chart starts at {top:.0f} px"
                if name in WHOLE_CHART:
                    assert bottom <= FOLD, f"the main chart ends at {bottom:.0f} px, below the fold"
            if name in CHART_TEXT:
                assert min(_chart_text_px(page)) >= 18, "a chart writes under 18 px"
            assert _smallest_figure_px(page) >= 18, "a figure is written under 18 px"
            assert _html_px(page) == 18
        if size == "grand-ecran":
            assert _html_px(page) > 24, "a 1920 px screen keeps the projector's type size"
            if name in CHART_TEXT:  # the charts' axes and legends follow the page's type
                assert max(_chart_text_px(page)) >= 27, "a 1920 px screen keeps the projector's chart text"
            if chart:  # the main chart keeps its share of the screen: ×1.5 the projector's
                assert heights[size] >= 1.4 * heights["projecteur"], f"main chart {heights}"
    page.set_viewport_size({"width": 1280, "height": 720})


def test_kiosk_view_has_no_furniture_and_larger_type(viewer, base_url):
    page = viewer
    goto(page, f"{base_url}/adhesion?kiosk=1")
    settle(page)
    assert (
        page.locator("[data-testid='stSidebar']").count() == 0
        or not page.locator("[data-testid='stSidebar']").is_visible()
    )
    assert not page.locator("[data-testid='stHeader']").is_visible()
    expect(page.get_by_text("Mis à jour à")).to_be_visible()
    assert _html_px(page) > 20
    assert _bottom(page, "[data-testid='stMetric']") <= FOLD
    page.screenshot(path=str(SHOTS / "kiosque-adhesion.png"))


def test_the_slideshow_keeps_the_demo_marker(viewer, base_url):
    page = viewer
    goto(page, f"{base_url}/presentation?mode=presentation")
    settle(page)
    expect(page.locator(".ihs-demo")).to_be_visible()
    assert _covered_title(page) is None, f"the slide's title is covered by {_covered_title(page)}"
    page.screenshot(path=str(SHOTS / "diaporama.png"))


def test_the_map_slide_fills_a_large_screen(viewer, base_url):
    """The slideshow scales to the screen: the map slide's map is half as large again at 1920×1080
    as at 1280×720 (it kept 540 px, half of a large screen), and its title stays clear of the marker."""
    page = viewer
    heights = {}
    for width, height in ((1280, 720), (1920, 1080)):
        page.set_viewport_size({"width": width, "height": height})
        goto(page, f"{base_url}/presentation?mode=presentation&slide=2&every=600")
        settle(page)
        expect(page.get_by_role("heading", name="Carte des secteurs")).to_be_visible()
        assert _covered_title(page) is None
        heights[width] = _chart_height(page, "[data-testid='stVegaLiteChart']")
        page.screenshot(path=str(SHOTS / f"diaporama-carte-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 720})
    assert heights[1920] >= 1.4 * heights[1280], heights


def test_a_chart_has_one_image_download(viewer, base_url):
    """The chart's own toolbar keeps its table and full screen; the image is downloaded by the app's
    « Télécharger (PNG) » under the chart, not also by the toolbar's export (nor its spec copied)."""
    page = viewer
    goto(page, f"{base_url}/adhesion")
    settle(page)
    page.locator("[data-testid='stVegaLiteChart']").first.hover()
    shown = page.evaluate(
        """() => [...document.querySelector('[data-testid=stVegaLiteChart]').closest('[data-testid=stElementContainer], .stElementContainer')
        .querySelectorAll('[data-testid=stElementToolbar] button')].filter(b => b.offsetParent)
        .map(b => b.getAttribute('aria-label').split(' : ')[0])"""
    )
    assert shown == ["Voir les données", "Plein écran"], shown
    expect(page.get_by_role("button", name="Télécharger (PNG)").first).to_be_visible()
