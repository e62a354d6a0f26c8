"""The annual deck as LibreOffice Impress draws it (PowerPoint uses the same font metrics).

Issue 17 item 9: slide 7's 15-row table ran off the slide over its footnote, words broke
mid-word (« Pontanéz/en »), slide 9's table was cut after row 8, slide 4's note ran past the
bottom. Each deck is rendered to PDF by LibreOffice and every text line is checked: inside the
page, over no other line, no word of a table cell broken. A missing LibreOffice fails the test:
`.ci/run` installs it (`apt-get install -y libreoffice-impress`).
"""

from __future__ import annotations

import io
import shutil
import subprocess
from itertools import combinations

import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTFigure, LTImage, LTTextContainer, LTTextLine
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from ihs.report import build_report, to_pptx
from tests.conftest import TODAY

YEARS = [2009, 2014, 2023, TODAY.year]


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    assert found, "LibreOffice Impress is missing (apt-get install -y libreoffice-impress): the deck cannot be checked"
    return found


def _render(deck: bytes, folder) -> bytes:
    """The deck as LibreOffice Impress lays it out, as PDF."""
    src = folder / "deck.pptx"
    src.write_bytes(deck)
    subprocess.run(
        [
            _soffice(),
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return (folder / "deck.pdf").read_bytes()


def _lines(layout) -> list[LTTextLine]:
    out = []
    for element in layout:
        if isinstance(element, LTTextLine):
            out.append(element)
        elif isinstance(element, LTTextContainer) or hasattr(element, "__iter__"):
            out.extend(_lines(element))
    return out


def _overlap(a, b) -> float:
    """Area shared by two boxes, as a share of the smaller one."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(1e-6, min(a.width * a.height, b.width * b.height))


def _problems(pdf: bytes, deck) -> list[str]:
    problems = []
    pages = list(extract_pages(io.BytesIO(pdf)))
    if len(pages) != len(deck.slides):
        return [f"{len(pages)} pages for {len(deck.slides)} slides"]
    for n, (page, slide) in enumerate(zip(pages, deck.slides, strict=True), start=1):
        lines = [line for line in _lines(page) if line.get_text().strip()]
        for line in lines:
            if line.x0 < -0.5 or line.y0 < -0.5 or line.x1 > page.width + 0.5 or line.y1 > page.height + 0.5:
                problems.append(f"slide {n}: « {line.get_text().strip()[:40]} » outside the page")
        for a, b in combinations(lines, 2):
            if _overlap(a, b) > 0.25:
                problems.append(f"slide {n}: « {a.get_text().strip()[:30]} » over « {b.get_text().strip()[:30]} »")
        text = " ".join(" ".join(line.get_text().split()) for line in lines)
        problems += [f"slide {n}: {problem}" for problem in _missing_words(slide, text)]
    return problems


def _missing_words(slide, text: str) -> list[str]:
    """Chart labels and table words of the slide that the rendered page does not show."""
    tokens = set(text.split())
    missing = []
    for shape in slide.shapes:
        if shape.has_chart:  # Impress drops axis labels it cannot fit, silently
            missing += [f"chart label « {c} » not drawn" for c in shape.chart.plots[0].categories if str(c) not in text]
        if shape.has_table:
            words = (w for row in shape.table.rows for cell in row.cells for w in cell.text.split())
            missing += [f"« {w} » broken or missing" for w in words if len(w) > 3 and w not in tokens]
    return missing


@pytest.fixture(scope="module")
def decks(demo_engine, tmp_path_factory):
    out = {}
    for year in YEARS:
        data = to_pptx(build_report(demo_engine, year))
        out[year] = (Presentation(io.BytesIO(data)), _render(data, tmp_path_factory.mktemp(f"deck{year}")))
    return out


@pytest.mark.parametrize("year", YEARS)
def test_every_line_is_inside_its_slide_and_over_no_other(decks, year):
    deck, pdf = decks[year]
    assert _problems(pdf, deck) == []


@pytest.mark.parametrize("year", YEARS)
def test_tables_at_16_points_charts_editable_and_sources_in_the_notes(decks, year):
    deck, _ = decks[year]
    sizes = {
        run.font.size.pt
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
        for para in cell.text_frame.paragraphs
        for run in para.runs
    }
    assert sizes and min(sizes) >= 16
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) >= 2  # the trend and the uptake by sector, at least
    for slide in deck.slides:
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), slide.shapes.title.text


def test_the_uptake_table_has_a_slide_of_its_own_after_its_chart(decks):
    """2023: 15 sectors covered, every one in the table, Pontanézen whole."""
    deck, _ = decks[2023]
    titles = [s.shapes.title.text for s in deck.slides]
    names = []
    for slide in deck.slides:
        if slide.shapes.title.text.startswith("Adhésion par secteur au 31/12/2023 – tableau"):
            table = next(sh for sh in slide.shapes if sh.has_table).table
            names += [table.cell(r, 0).text for r in range(1, len(table.rows))]
    assert len(names) == 15 and len(set(names)) == 15 and "Pontanézen" in names
    assert titles.index("Adhésion par secteur au 31/12/2023") + 1 == titles.index(
        "Adhésion par secteur au 31/12/2023 – tableau"
    )


def test_a_continued_table_is_spread_evenly(decks):
    """2026: 16 sectors where 15 fit on a slide make 8 and 8, not 15 and one alone."""
    deck, _ = decks[TODAY.year]
    counts = [
        len(next(sh for sh in slide.shapes if sh.has_table).table.rows) - 1
        for slide in deck.slides
        if slide.shapes.title.text.startswith("Adhésion par secteur") and "tableau" in slide.shapes.title.text
    ]
    assert len(counts) == 2 and sum(counts) == 16 and max(counts) - min(counts) <= 1, counts


def _long_report(demo_engine, copies: int):
    from ihs import report as r

    rep = build_report(demo_engine, 2023)
    uptake = next(s for s in rep.sections if s.title.startswith("Adhésion par secteur"))
    rows = [[f"{row[0]} ({n + 1})", *row[1:]] for n in range(copies) for row in uptake.table.rows]
    section = r.Section(title="Trop long", table=r.Table(uptake.table.columns, rows, uptake.table.right), note="Note")
    return r, r.Report(2023, "Test", [section]), rows


def test_a_long_table_continues_on_the_next_slides(demo_engine, tmp_path):
    r, rep, rows = _long_report(demo_engine, 3)  # 45 rows
    data = r.to_pptx(rep)
    deck = Presentation(io.BytesIO(data))
    titles = [s.shapes.title.text for s in deck.slides]
    assert titles[0] == "Trop long" and set(titles[1:]) == {"Trop long (suite)"} and len(titles) >= 3
    shown = [
        next(sh for sh in slide.shapes if sh.has_table).table.cell(i, 0).text
        for slide in deck.slides
        for i in range(1, len(next(sh for sh in slide.shapes if sh.has_table).table.rows))
    ]
    assert shown == [row[0] for row in rows]  # every row once, in order
    assert _problems(_render(data, tmp_path), deck) == []


def test_the_check_sees_a_table_too_long_for_its_slide(demo_engine, tmp_path, monkeypatch):
    """The checker itself: the same 45 rows forced onto one slide run off it and are reported."""
    r, rep, _ = _long_report(demo_engine, 3)
    monkeypatch.setattr(r, "_table_pages", lambda section: [section])  # no continuation: one slide
    data = r.to_pptx(rep)
    problems = _problems(_render(data, tmp_path), Presentation(io.BytesIO(data)))
    assert any("outside the page" in p for p in problems), problems


def _figures(layout) -> list:
    return [e for e in layout if isinstance(e, LTFigure | LTImage)] + [
        f for e in layout if isinstance(e, LTFigure) for f in _figures(e)
    ]


@pytest.mark.parametrize("year", YEARS)
def test_the_map_slide_shows_the_numbered_map_and_its_list(decks, year):
    """The map numbers its sectors (names written on it overlapped: « Kerhallet)Saint-Martin »);
    the numbered list on the slide, as Impress draws it, names each sector once with its number."""
    deck, pdf = decks[year]
    n = next(i for i, s in enumerate(deck.slides) if s.shapes.title.text.startswith("Carte des secteurs"))
    slide = deck.slides[n]
    assert [s.image.content_type for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE] == ["image/png"]
    page = list(extract_pages(io.BytesIO(pdf)))[n]
    assert _figures(page), "the map is not drawn"
    text = " ".join(" ".join(line.get_text().split()) for line in _lines(page))
    written = "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    entries = [e for line in written.splitlines() for e in line.split(" · ") if e[:1].isdigit()]
    assert len(entries) >= 10 and [int(e.split()[0]) for e in entries] == list(range(1, len(entries) + 1))
    missing = [e for e in entries if e not in text]
    assert missing == []
