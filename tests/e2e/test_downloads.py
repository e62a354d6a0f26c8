"""Downloads made on the click (the calendar's .ics, a chart's table and PNG), through the real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.helpers import download, goto, login

pytestmark = pytest.mark.browser


def test_calendar_ics_table_and_png_are_built_when_clicked(page, base_url):
    goto(page, base_url + "/calendrier")
    login(page, "lecture")
    ics = download(page, "Télécharger le calendrier (.ics)")
    assert ics.suggested_filename == "calendrier-ihs-en-cours.ics"  # the page opens on « En cours et à venir »
    text = Path(ics.path()).read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR") and text.rstrip().endswith("END:VCALENDAR")
    assert "SUMMARY:Keranroux" in text and "Atelier numérique 6/10 – Pilier Rouge" in text

    csv = download(page, "Tableau (CSV)")
    table = Path(csv.path()).read_text(encoding="utf-8-sig")
    assert table.splitlines()[0].startswith("Déploiement (n°);Code du secteur;Secteur;Statut")
    assert {"Keranroux", "Montaigne", "Le Bot"} <= {line.split(";")[2] for line in table.splitlines()[1:]}

    png = download(page, "Télécharger (PNG)")
    assert png.suggested_filename == "calendrier.png"
    assert Path(png.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
