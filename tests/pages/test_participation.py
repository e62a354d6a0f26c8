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
    at.number_input(key="part_votants").set_value(3)
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert not at.exception
    assert "relevé précédent de ce bureau (24" in at.error[0].value
    assert n_reports(app_db) == before
    # What the user typed is kept.
    assert at.number_input(key="part_votants").value == 3
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
    at.number_input(key="part_votants").set_value(500)
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert "logements inscrits (420)" in at.error[0].value
    at.number_input(key="part_votants").set_value(30)
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert not at.error and at.success
    assert "66 votants sur 420 inscrits" in texts(at)


def test_an_empty_or_negative_number_is_refused(app_db):
    at = open_page("landlord", "participation")
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert "nombre entier" in at.error[0].value
    at.number_input(key="part_votants").set_value(-4)
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert "négatif" in at.error[0].value


@pytest.mark.parametrize("role", ["operator", "partner", "viewer"])
def test_other_roles_cannot_open_the_page(app_db, role):
    with pytest.raises(ValueError):
        open_page(role, "participation")


def test_a_time_outside_the_ballot_is_refused(app_db):
    from datetime import date, time

    at = open_page("landlord", "participation")
    at.number_input(key="part_votants").set_value(30)
    at.date_input(key="part_jour").set_value(date(2026, 12, 5))
    at.time_input(key="part_heure").set_value(time(10, 0))
    at.button(key="FormSubmitter:participation-Enregistrer").click().run()
    assert "pendant le scrutin" in at.error[0].value
