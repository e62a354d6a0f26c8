"""The map names its sectors (#19 items 3 and 7), in the browser: on the Carte page and on the
slideshow's map slide, at 1280×720, 1920×1080 and 390×844, every sector's number is drawn once,
inside the chart (nothing cut), none under the legend, no two overlap on a shared screen, and the list beside
the map gives the same numbers to the sectors read from the database. Screenshots of the map,
the calendar and the slide at the three sizes are kept for a person to look at."""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select

from ihs.models import Sector
from tests.e2e.helpers import EXCEPTION, goto, settle

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("IHS_E2E_SHOTS", "/tmp/ihs-e2e-shots")) / "map-labels"
SIZES = {"projecteur": (1280, 720), "grand-ecran": (1920, 1080), "telephone": (390, 844)}


def _sectors(db_url: str) -> dict[int, str]:
    """The programme's sectors, numbered in French alphabetical order (accents aside), from the rows."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        names = conn.execute(select(Sector.name).where(Sector.archived_on.is_(None))).scalars().all()
    engine.dispose()

    def plain(name: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn").lower()

    return dict(enumerate(sorted(names, key=plain), start=1))


def _numbers_on_map(page: Page) -> tuple[list[dict], dict]:
    """The numbers written on the map (SVG text made of digits) with their boxes, and the chart's box."""
    return page.evaluate(
        """() => {
        const chart = document.querySelector('[data-testid=stVegaLiteChart]');
        const box = chart.getBoundingClientRect();
        const numbers = [...chart.querySelectorAll('svg text')].filter(t => /^\\d+$/.test(t.textContent.trim()))
          .map(t => { const r = t.getBoundingClientRect();
                      return {n: +t.textContent.trim(), l: r.left, t: r.top, r: r.right, b: r.bottom,
                              size: parseFloat(getComputedStyle(t).fontSize) || +t.getAttribute('font-size')}; });
        const legend = chart.querySelector('svg .role-legend');
        const lb = legend ? legend.getBoundingClientRect() : null;
        return [numbers, {l: box.left, t: box.top, r: box.right, b: box.bottom,
                          legend: lb && {l: lb.left, t: lb.top, r: lb.right, b: lb.bottom}}];
    }"""
    )


def _listed(page: Page) -> dict[int, str]:
    """The list beside the map: « **1** Name » lines."""
    text = page.locator("[data-testid=stMain] [data-testid=stMarkdownContainer]").all_inner_texts()
    out = {}
    for block in text:
        for line in block.splitlines():
            found = re.fullmatch(r"(\d+) (.+)", line.strip())
            if found:
                out[int(found[1])] = found[2]
    return out


def _check_map(page: Page, expected: dict[int, str], size: str) -> None:
    numbers, chart = _numbers_on_map(page)
    assert sorted(x["n"] for x in numbers) == sorted(expected), "every sector's number, once"
    for x in numbers:  # inside the chart: nothing cut at an edge
        assert chart["l"] <= x["l"] and x["r"] <= chart["r"] and chart["t"] <= x["t"] and x["b"] <= chart["b"], x
    legend = chart["legend"]
    assert legend, "the colour legend is drawn"
    for x in numbers:  # the legend, inside the map's frame, hides no number
        assert x["r"] <= legend["l"] or x["l"] >= legend["r"] or x["b"] <= legend["t"] or x["t"] >= legend["b"], x
    if size != "telephone":  # a shared screen: no two numbers overlap, and they are read from 4 m
        for i, a in enumerate(numbers):
            for b in numbers[i + 1 :]:
                overlap_w = min(a["r"], b["r"]) - max(a["l"], b["l"])
                overlap_h = min(a["b"], b["b"]) - max(a["t"], b["t"])
                assert overlap_w <= 1 or overlap_h <= 1, (a, b)
        assert min(x["size"] for x in numbers) >= 18
    assert _listed(page) == expected


@pytest.mark.parametrize("size", list(SIZES))
def test_the_map_page_and_slide_number_every_sector(viewer, base_url, app_server, size):
    page = viewer
    expected = _sectors(app_server["db_url"])
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    (SHOTS / size).mkdir(parents=True, exist_ok=True)

    goto(page, f"{base_url}/carte")
    settle(page)
    assert page.locator(EXCEPTION).count() == 0
    page.screenshot(path=str(SHOTS / size / "carte.png"))
    _check_map(page, expected, size)

    goto(page, f"{base_url}/calendrier")
    settle(page)
    expect(page.get_by_text("en cours ou à venir", exact=False).first).to_be_visible()
    page.screenshot(path=str(SHOTS / size / "calendrier.png"))

    goto(page, f"{base_url}/presentation?mode=presentation&slide=2&every=600")
    settle(page)
    expect(page.locator("h1", has_text="Carte des secteurs")).to_be_visible()
    expect(page.locator(".ihs-demo")).to_be_visible()  # demo data loaded: the slideshow says so
    page.screenshot(path=str(SHOTS / size / "diaporama-carte.png"))
    _check_map(page, expected, size)
    page.set_viewport_size({"width": 1280, "height": 720})
