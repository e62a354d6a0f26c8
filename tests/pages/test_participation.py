"""Saisie de la participation: a polling place's cumulative voters, errors next to the field, corrections."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ihs.models import AuditLog, TurnoutReport
from tests.apptest import open_page, texts


def n_reports(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(TurnoutReport)).scalar_one()


def test_the_open_ballot_and_its_places_are_offered(app_db):
    at = open_page("landlord", "participation")
    assert not at.exception
    assert at.selectbox(key="part_scrutin").value is not None
    assert "Montaigne" in at.selectbox(key="part_scrutin").options[0]
    assert len(at.selectbox(key="part_bureau").options) == 4
    assert "60 votants sur 420 inscrits" in texts(at)


def test_a_report_below_the_previous_one_is_refused_next_to_the_field(app_db):
    at = open_page("landlord", "participation")
    before = n_reports(app_db)
    at.text_input(key="part_votants").input("3")
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert not at.exception
    assert "relevé précédent de ce bureau (24" in at.error[0].value
    assert n_reports(app_db) == before
    # What the user typed is kept.
    assert at.text_input(key="part_votants").value == "3"
    # Marked as a correction without a reason: still refused, on the reason field.
    at.checkbox(key="part_correction").check()
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert "raison" in at.error[0].value
    # With a reason: saved, audited with the reason.
    at.text_input(key="part_raison").input("erreur de lecture de la feuille")
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert not at.error
    assert "Enregistré : 3 votants" in at.success[0].value
    assert n_reports(app_db) == before + 1
    with app_db.connect() as conn:
        audit = conn.execute(
            select(AuditLog.username, AuditLog.reason).where(AuditLog.table_name == "turnout_report")
        ).all()
    assert ("bailleur", "erreur de lecture de la feuille") in audit


def test_a_total_above_registered_is_refused_and_a_normal_report_saved(app_db):
    at = open_page("landlord", "participation")
    at.text_input(key="part_votants").input("500")
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert "logements inscrits (420)" in at.error[0].value
    at.text_input(key="part_votants").input("30")
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert not at.error and at.success
    assert "66 votants sur 420 inscrits" in texts(at)


def test_an_empty_or_negative_number_is_refused(app_db):
    at = open_page("landlord", "participation")
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert "nombre entier" in at.error[0].value
    at.text_input(key="part_votants").input("-4")
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert "négatif" in at.error[0].value


@pytest.mark.parametrize("role", ["operator", "partner", "viewer"])
def test_other_roles_cannot_open_the_page(app_db, role):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(role, "participation")


def test_a_time_outside_the_ballot_is_refused(app_db):
    from datetime import time

    at = open_page("landlord", "participation")
    at.text_input(key="part_votants").input("30")
    at.text_input(key="part_jour").input("01/11/2026")
    at.time_input(key="part_heure").set_value(time(10, 0))
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert "pendant le scrutin" in at.error[0].value
    before = n_reports(app_db)
    for typed, message in (
        ("31/02/2026", "Le 31/02/2026 n'existe pas"),
        ("05/12/2026", "Date dans le futur (05/12/2026)"),
        ("hier", "Date illisible « hier »"),
    ):
        at.text_input(key="part_jour").input(typed)
        at.button(key="FormSubmitter:participation-Enregistrer").click().run()
        assert message in at.error[0].value and n_reports(app_db) == before
        assert at.text_input(key="part_jour").value == typed


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return n_reports(engine), conn.execute(select(func.count()).select_from(AuditLog)).scalar_one()


SUBMIT = "FormSubmitter:participation-Enregistrer"


@pytest.mark.parametrize("typed", ["19,5", "13.5", "1 9", "19a", "195,5", "12,0", "deux"])
def test_a_figure_that_is_not_a_whole_number_writes_nothing(app_db_any, typed):
    app_db = app_db_any
    at = open_page("landlord", "participation")
    before = _counts(app_db)
    at.text_input(key="part_votants").input(typed)
    at.button(key=SUBMIT).click().run()
    assert not at.exception and not at.success
    message = at.error[0].value
    assert "nombre" in message and f"« {typed} »" in message and "sans virgule ni point" in message
    assert at.text_input(key="part_votants").value == typed
    assert _counts(app_db) == before


def test_a_jump_above_the_share_of_registered_asks_for_a_confirmation(app_db_any):
    """Montaigne: 420 registered, the first place at 24; 25 % of 420 = 105, so 24 → 130 (+106) asks."""
    app_db = app_db_any
    at = open_page("landlord", "participation")
    before = _counts(app_db)
    at.text_input(key="part_votants").input("130")
    at.button(key=SUBMIT).click().run()
    assert "106 de plus" in at.warning[0].value and "25\u00a0% des 420 logements inscrits" in at.warning[0].value
    assert _counts(app_db) == before
    # Another figure is not covered by the confirmation shown for 130.
    at.text_input(key="part_votants").input("131")
    at.checkbox(key="part_confirme").check()
    at.button(key=SUBMIT).click().run()
    assert "107 de plus" in at.warning[0].value and _counts(app_db) == before
    at.checkbox(key="part_confirme").check()
    at.button(key=SUBMIT).click().run()
    assert "Enregistré : 131 votants" in at.success[0].value
    assert _counts(app_db)[0] == before[0] + 1
    # 129 (+105) would have passed without a question.
    at.text_input(key="part_votants").input("129")
    at.checkbox(key="part_correction").check()
    at.text_input(key="part_raison").input("131 était une erreur")
    at.button(key=SUBMIT).click().run()
    assert "Enregistré : 129 votants" in at.success[0].value


def test_a_busy_database_gets_the_french_message_and_the_figure_stays_typed(app_db, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from ihs.ui.forms import DB_FAILED

    def locked(*args, **kwargs):
        raise OperationalError("INSERT INTO turnout_report", {}, Exception("database is locked"))

    monkeypatch.setattr("ihs.ballots.record_turnout", locked)
    at = open_page("landlord", "participation")
    before = n_reports(app_db)
    at.text_input(key="part_votants").input("70")
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert not at.exception
    assert DB_FAILED in [e.value for e in at.error]
    assert at.text_input(key="part_votants").value == "70"
    assert n_reports(app_db) == before
