"""Rapport annuel et exports: the coordinator generates the deck and the PDF, and exports tables."""

import io

import pytest
from pptx import Presentation
from pypdf import PdfReader

from ihs.exports import EXPORTABLE
from tests.apptest import open_page, texts


@pytest.mark.parametrize("role", ["landlord", "operator", "partner", "viewer"])
def test_reserved_to_the_coordinator(app_db, role):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(role, "rapport")


def test_generates_both_files_for_the_chosen_year(app_db):
    at = open_page("coordinator", "rapport", timeout=180)
    assert not at.exception, at.exception
    assert at.selectbox(key="rapport_year").value == 2025  # last full year by default
    at.selectbox(key="rapport_year").select(2023).run()
    at.button(key="rapport_build").click().run()
    assert not at.exception, at.exception
    assert "Rapport annuel 2023 prêt." in [s.value for s in at.success]
    year, pptx, pdf = at.session_state["rapport_files"]
    assert year == 2023
    assert Presentation(io.BytesIO(pptx)).slides[1].shapes.title.text == "Chiffres clés 2023"
    assert len(PdfReader(io.BytesIO(pdf)).pages) == len(Presentation(io.BytesIO(pptx)).slides)
    assert "python -m ihs report --year 2023" in texts(at)


@pytest.mark.slow
def test_the_preselected_year_and_a_year_without_a_new_sector_build(app_db):
    """2025 (the year the page preselects) and 2016 have no new deployment: they crashed with KeyError."""
    at = open_page("coordinator", "rapport", timeout=180)
    for year in (2025, 2016):
        at.selectbox(key="rapport_year").select(year).run()
        at.button(key="rapport_build").click().run()
        assert not at.exception, at.exception
        assert f"Rapport annuel {year} prêt." in [s.value for s in at.success]
        pptx = at.session_state["rapport_files"][1]
        assert Presentation(io.BytesIO(pptx)).slides[1].shapes.title.text == f"Chiffres clés {year}"


def test_exports_offer_every_table_with_french_names(app_db):
    at = open_page("coordinator", "rapport")
    options = at.selectbox(key="export_table").options
    assert len(options) == len(EXPORTABLE)
    assert "Relevés d'abonnés" in options and "Décisions du comité de pilotage" in options
