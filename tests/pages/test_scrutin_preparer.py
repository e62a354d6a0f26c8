"""Préparer un scrutin: defaults (one week, dwellings, usual places), errors next to fields, saving."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from ihs.models import Ballot, PollingPlace, Sector
from tests.apptest import open_page, texts
from tests.conftest import TODAY

SUBMIT = "FormSubmitter:preparer-Enregistrer le scrutin"


def keranroux_ballot(engine):
    with engine.connect() as conn:
        return conn.execute(
            select(Ballot).join(Sector, Sector.id == Ballot.sector_id).where(Sector.code == "keranroux")
        ).first()


def test_defaults_are_offered_and_saved(app_db):
    at = open_page("landlord", "scrutin_preparer")
    assert not at.exception
    # keranroux, in its information period, is the sector without a ballot.
    first_day = TODAY + timedelta(days=7)
    assert at.text_input(key="prep_ouverture").value == first_day.strftime("%d/%m/%Y")
    assert len(at.dataframe) == 1  # the polling-place editor
    at.button(key=SUBMIT).click().run()
    assert not at.exception and not at.error
    assert "Scrutin enregistré pour Keranroux" in at.success[0].value
    ballot = keranroux_ballot(app_db)
    assert ballot.opens_at == datetime.combine(first_day, datetime.min.time()).replace(hour=9)
    assert ballot.closes_at == datetime.combine(first_day + timedelta(days=6), datetime.min.time()).replace(hour=18)
    assert ballot.rule == "majority_of_votes" and ballot.registered > 0
    with app_db.connect() as conn:
        kinds = conn.execute(select(PollingPlace.kind).where(PollingPlace.ballot_id == ballot.id)).scalars().all()
    assert kinds == ["facility", "landlord_office", "caretaker", "town_hall"]
    # Saved and not yet started: it can still be edited.
    at.run()
    assert "vous pouvez le modifier" in texts(at)


def test_errors_are_shown_next_to_the_fields_and_nothing_is_saved(app_db):
    at = open_page("landlord", "scrutin_preparer")
    k = next(n.key for n in at.text_input if n.key.startswith("prep_inscrits_"))
    at.text_input(key=k).input("0")
    regle = next(s.key for s in at.selectbox if s.key.startswith("prep_regle_"))
    at.selectbox(key=regle).set_value("quorum")
    at.button(key=SUBMIT).click().run()
    errors = [e.value for e in at.error]
    assert any("logements inscrits" in e for e in errors)
    assert any("quorum" in e for e in errors)
    assert keranroux_ballot(app_db) is None
    # What was typed is kept.
    assert at.text_input(key=k).value == "0"
    assert at.selectbox(key=regle).value == "quorum"
    # No English widget message: every refusal comes from ihs, in French, next to its field.
    for typed in ("-5", "310,5", "trois cents"):
        at.text_input(key=k).input(typed)
        at.button(key=SUBMIT).click().run()
        assert "Indiquez le nombre de logements inscrits" in at.error[0].value
        assert keranroux_ballot(app_db) is None


def test_a_started_ballot_cannot_be_changed(app_db):
    at = open_page("coordinator", "scrutin_preparer")
    with app_db.connect() as conn:
        montaigne = conn.execute(select(Sector.id).where(Sector.code == "montaigne")).scalar_one()
    at.selectbox(key="prep_secteur").set_value(montaigne).run()
    assert "ne peut plus être modifié" in texts(at)
    assert not [b for b in at.button if b.key == SUBMIT]


@pytest.mark.parametrize("role", ["operator", "partner", "viewer"])
def test_other_roles_cannot_open_the_page(app_db, role):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(role, "scrutin_preparer")


def test_typed_days_are_checked_in_french(app_db):
    at = open_page("landlord", "scrutin_preparer")
    last = next(t.key for t in at.text_input if t.key.startswith("prep_fin_"))
    at.text_input(key=last).input("31/02/2027")
    at.button(key=SUBMIT).click().run()
    assert "Le 31/02/2027 n'existe pas" in " ".join(e.value for e in at.error)
    assert keranroux_ballot(app_db) is None and at.text_input(key=last).value == "31/02/2027"
    # The first day drives the whole form: an impossible one is said, and nothing else is offered.
    at.text_input(key="prep_ouverture").input("15/06/1900").run()
    assert "Date trop ancienne (15/06/1900)" in at.error[0].value
    assert not [b for b in at.button if b.key == SUBMIT]
