"""Downloads made on the click (the .ics of the calendar, a chart as PNG), through the real server."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import goto, login

pytestmark = pytest.mark.browser


def test_calendar_ics_and_chart_png_are_built_when_clicked(page, base_url):
    goto(page, base_url + "/calendrier")
    login(page, "lecture")
    with page.expect_download(timeout=60_000) as ics:
        page.get_by_role("button", name="Télécharger le calendrier (.ics)").click()
    assert ics.value.suggested_filename == "calendrier-ihs-2026.ics"
    text = open(ics.value.path(), encoding="utf-8").read()
    assert text.startswith("BEGIN:VCALENDAR") and text.rstrip().endswith("END:VCALENDAR")
    assert "SUMMARY:Keranroux" in text and "Atelier numérique 6/10 – Pilier Rouge" in text

    with page.expect_download(timeout=60_000) as png:
        page.get_by_role("button", name="Télécharger (PNG)").first.click()
    assert png.value.suggested_filename == "calendrier.png"
    assert open(png.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
