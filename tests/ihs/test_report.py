"""The annual report: a PowerPoint deck and a PDF with the same slides, titles and figures."""

import io
import shutil
import unicodedata
from argparse import Namespace
from datetime import date

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader
from sqlalchemy import select

from ihs.db import forget_engine, get_engine
from ihs.exports import EXPORTABLE, export_choices
from ihs.formats import fr_int, fr_pct
from ihs.models import Sector
from ihs.queries import calendar, overview
from ihs.queries import support as support_q
from ihs.queries import uptake as uptake_q
from ihs.queries.overview import summary
from ihs.report import ReportError, build_report, cli_report, to_pdf, to_pptx

YEAR = 2023
TITLES = [
    "Rapport annuel 2023",
    "Chiffres clés 2023",
    "Abonnés et logements couverts, 2009–2023",
    "Carte des secteurs au 31/12/2023",
    "Déploiements et scrutins de 2023",
    "Calendrier des déploiements 2023",
    # A table shares no slide with a chart, and continues on the next one at 16 pt (issue 17).
    "Adhésion par secteur au 31/12/2023",
    "Adhésion par secteur au 31/12/2023 – tableau",
    "Accompagnement en 2023",
    "Accompagnement en 2023 – tableau",
    "Sensibilisation : où informer de nouveau",
    "Sensibilisation : où informer de nouveau – tableau",
    "Sources et méthode",
]


@pytest.fixture(scope="module")
def report(demo_engine):
    return build_report(demo_engine, YEAR)


@pytest.fixture(scope="module")
def deck(report):
    return Presentation(io.BytesIO(to_pptx(report)))


@pytest.fixture(scope="module")
def pdf(report):
    return PdfReader(io.BytesIO(to_pdf(report)))


def _slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def _plain(text: str) -> str:
    """PDF text uses the plain no-break space and a hyphen for the minus sign."""
    return text.replace("\u202f", " ").replace("\u00a0", " ").replace("\u2212", "-")


def test_year_figures_match_the_demo(engine):
    """The report's SQL on every backend (SQLite, and PostgreSQL when configured)."""
    assert overview.has_data(engine, YEAR) and not overview.has_data(engine, 2005)
    assert overview.years_with_data(engine)[-1] == 2009
    k = overview.year_figures(engine, YEAR)
    assert k["new_sectors"] == ["Saint-Martin", "Pilier Rouge", "Kerinou"]
    assert (k["ballots"], k["ballots_adopted"], k["ballots_rejected"]) == (3, 3, 0)
    assert k["current"] == summary(engine, date(2023, 12, 31))
    assert k["previous"]["subscribers"] == summary(engine, date(2022, 12, 31))["subscribers"]
    deps = calendar.deployments_of_year(engine, YEAR)
    assert list(deps["sector"]) == ["Saint-Martin", "Pilier Rouge", "Kerinou"]
    assert (deps["voters"] <= deps["registered"]).all() and (deps["outcome"] == "adopted").all()
    uptake = uptake_q.year_uptake_by_sector(engine, YEAR)
    assert len(uptake) == 15 and uptake["uptake"].is_monotonic_decreasing
    support = support_q.support_of_year(engine, YEAR).set_index("code")
    monthly = support_q.support_by_month(engine, YEAR)
    by_activity = monthly.groupby("activity")["people"].sum()
    assert by_activity["Ateliers numériques"] == support.loc["workshop_attendance", "value"]
    assert by_activity["Permanences"] == support.loc["dropin_people", "value"]
    trend = overview.yearly_trend(engine, YEAR)
    assert trend.iloc[-1]["subscribers"] == k["current"]["subscribers"]
    assert set(calendar.stage_timeline(engine, date(2023, 1, 1), date(2023, 12, 31))["sector"]) == set(deps["sector"])


def test_deck_has_the_expected_slides_and_titles(deck):
    assert [s.shapes.title.text for s in deck.slides] == TITLES
    assert deck.core_properties.title == "Rapport annuel 2023"


def test_deck_key_figures_are_real_text_matching_summary(deck, demo_engine):
    figures = summary(demo_engine, date(2023, 12, 31))
    before = summary(demo_engine, date(2022, 12, 31))
    text = _slide_text(deck.slides[1])
    assert fr_int(figures["subscribers"]) in text
    assert fr_int(figures["dwellings_covered"]) in text
    assert fr_pct(figures["uptake"]) in text
    assert f"2022 : {fr_int(before['subscribers'])}" in text
    assert "Nouveaux secteurs en 2023 : 3 (Saint-Martin, Pilier Rouge, Kerinou)" in text
    assert "1,24\u00a0€" in text


def test_deck_tables_and_charts_are_editable_shapes(deck):
    slides = {s.shapes.title.text: s for s in deck.slides}
    table = next(sh for sh in slides["Déploiements et scrutins de 2023"].shapes if sh.has_table).table
    assert [c.text for c in table.rows[0].cells][:3] == ["Secteur", "Information", "Scrutin"]
    assert [table.cell(r, 0).text for r in range(1, len(table.rows))] == ["Saint-Martin", "Pilier Rouge", "Kerinou"]
    assert "Adopté" in _slide_text(slides["Déploiements et scrutins de 2023"])
    for title in ("Carte des secteurs au 31/12/2023", "Calendrier des déploiements 2023"):
        pictures = [sh for sh in slides[title].shapes if sh.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert len(pictures) == 1, title
    # Native charts a partner can restyle: the trend, the uptake by sector, the support by month.
    for title in (
        "Abonnés et logements couverts, 2009–2023",
        "Adhésion par secteur au 31/12/2023",
        "Accompagnement en 2023",
    ):
        charts = [sh.chart for sh in slides[title].shapes if sh.has_chart]
        assert len(charts) == 1, title
    uptake = slides["Adhésion par secteur au 31/12/2023"]
    bars = next(sh for sh in uptake.shapes if sh.has_chart).chart
    assert len(list(bars.plots[0].categories)) == 15  # 15 sectors covered at the end of 2023
    rows = [
        r
        for title in ("Adhésion par secteur au 31/12/2023 – tableau",)
        for r in range(1, len(next(sh for sh in slides[title].shapes if sh.has_table).table.rows))
    ]
    assert len(rows) == 15


def test_pdf_has_one_page_per_slide_with_the_same_text(pdf, demo_engine):
    assert len(pdf.pages) == len(TITLES)
    pages = [_plain(p.extract_text()) for p in pdf.pages]
    for title, text in zip(TITLES, pages, strict=True):
        assert _plain(title) in text
    figures = summary(demo_engine, date(2023, 12, 31))
    assert _plain(fr_int(figures["subscribers"])) in pages[1]
    assert _plain(fr_pct(figures["uptake"])) in pages[1]
    assert "Saint-Martin" in pages[4] and "Kerinou" in pages[4]
    assert "Pontanézen" in pages[7]
    assert "Données de démonstration" in pages[0]
    assert pdf.metadata.title == "Rapport annuel 2023"


def test_empty_year_is_refused(demo_engine, empty_engine):
    with pytest.raises(ReportError, match="aucune donnée pour l'année 2005"):
        build_report(demo_engine, 2005)
    with pytest.raises(ReportError):
        build_report(empty_engine, 2023)


def _args(**kw):
    return Namespace(year=kw.get("year", YEAR), pptx=kw.get("pptx"), pdf=kw.get("pdf"))


def test_cli_refuses_with_one_french_line(demo_engine, tmp_path, capsys):
    assert cli_report(_args(), demo_engine) == 2
    assert "--pptx" in capsys.readouterr().err
    assert cli_report(_args(year=2005, pdf=tmp_path / "r.pdf"), demo_engine) == 2
    assert capsys.readouterr().err.strip() == "erreur : aucune donnée pour l'année 2005."
    assert cli_report(_args(pptx=tmp_path / "absent" / "r.pptx"), demo_engine) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("erreur : impossible d'écrire") and "\n" not in err
    assert not (tmp_path / "r.pdf").exists()


def test_cli_writes_both_files(demo_engine, tmp_path, capsys):
    from ihs.cli import main

    pptx, pdf = tmp_path / "rapport.pptx", tmp_path / "rapport.pdf"
    code = main(["--url", str(demo_engine.url), "report", "--year", "2023", "--pptx", str(pptx), "--pdf", str(pdf)])
    assert code == 0
    assert "Rapport annuel 2023 écrit" in capsys.readouterr().out
    assert len(Presentation(str(pptx)).slides) == len(PdfReader(str(pdf)).pages) == len(TITLES)


def test_every_exportable_table_has_a_french_label():
    choices = export_choices(EXPORTABLE)
    assert set(choices) == set(EXPORTABLE)
    assert all(label != name for name, label in choices.items())


def test_awareness_chart_keeps_the_sectors_with_the_highest_shares(sqlite_template, tmp_path):
    # Nationally a bar per sector made a 36,000-pixel picture: the report keeps
    # `awareness.chart_max_sectors` and says so.
    from ihs.db import session_scope
    from ihs.programme import set_setting
    from ihs.report import _awareness, _png_size
    from ihs.users import SYSTEM

    path = tmp_path / "demo.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    try:
        every = _awareness(engine, YEAR)
        assert not any(line.startswith("Graphique") for line in every.lines)  # the demo fits
        with session_scope("coordination", engine=engine) as s:
            set_setting(s, SYSTEM, "awareness.chart_max_sectors", 2)
        two = _awareness(engine, YEAR)
        assert "Graphique : les 2 secteurs où la part des ménages arrivés est la plus forte." in two.lines
        assert _png_size(two.chart)[1] < _png_size(every.chart)[1]
        assert two.table.rows == every.table.rows  # the ranked table is unchanged
    finally:
        forget_engine(url)


def test_every_year_from_the_first_to_the_current_one_has_its_key_figures(engine):
    """The year's new sectors, counted straight from the stages (implementation started that year)."""
    from sqlalchemy import extract, select

    from ihs.models import Deployment, DeploymentStage, Sector
    from ihs.queries.overview import year_figures, years_with_data
    from tests.conftest import TODAY

    years = years_with_data(engine)
    assert years[0] == TODAY.year and years == list(range(TODAY.year, years[-1] - 1, -1))
    without_new = 0
    for year in years:
        with engine.connect() as conn:
            expected = set(
                conn.execute(
                    select(Sector.name)
                    .join(Deployment, Deployment.sector_id == Sector.id)
                    .join(DeploymentStage, DeploymentStage.deployment_id == Deployment.id)
                    .where(
                        DeploymentStage.stage == "implementation",
                        extract("year", DeploymentStage.actual_start) == year,
                    )
                ).scalars()
            )
        figures = year_figures(engine, year)
        assert set(figures["new_sectors"]) == expected, year
        without_new += not expected
    assert without_new >= 2  # 2016, 2024, 2025… in the demo: the case that crashed is covered


def _numbered_sectors(engine) -> dict[int, str]:
    """The programme's sectors numbered as the Carte page numbers them: French alphabetical order,
    accents and case aside, from the rows."""
    with engine.connect() as conn:
        names = conn.execute(select(Sector.name).where(Sector.archived_on.is_(None))).scalars().all()

    def plain(name: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn").lower()

    return dict(enumerate(sorted(names, key=plain), start=1))


def test_map_slide_lists_every_sector_with_its_number_from_the_map_page(deck, pdf, demo_engine):
    slide = deck.slides[TITLES.index("Carte des secteurs au 31/12/2023")]
    text = _slide_text(slide)
    # One picture (the numbered map, a PNG) and the numbered list in the slide's text.
    pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1 and pictures[0].image.content_type == "image/png"
    entries = [e for line in text.splitlines() for e in line.split(" · ") if e[:1].isdigit()]
    sectors = _numbered_sectors(demo_engine)
    assert entries == [f"{n} {name}" for n, name in sectors.items()]
    assert "Kerhallet" in text  # the name the old labels ran into their neighbours
    page = pdf.pages[TITLES.index("Carte des secteurs au 31/12/2023")]
    for n, name in sectors.items():
        assert f"{n} {name}" in _plain(page.extract_text()).replace("\n", " ")
