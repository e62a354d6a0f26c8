"""Planifier un secteur: coordinator only; proposes the standard calendar; refuses bad dates, keeps edits."""

from datetime import date

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from ihs.models import Deployment, DeploymentStage, Sector
from ihs.settings import ROOT
from tests.apptest import open_page


@pytest.mark.parametrize("role", ["partner", "viewer", "landlord", "operator"])
def test_page_is_not_registered_for_other_roles(app_db, role):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(role, "planifier")


def test_direct_script_run_without_a_role_is_refused(app_db):
    at = AppTest.from_file(str(ROOT / "pages" / "planifier.py"), default_timeout=30).run()
    assert not at.exception
    assert "Accès refusé" in at.error[0].value
    assert not at.data_editor


def _sector_id(engine, code):
    with engine.connect() as conn:
        return conn.execute(select(Sector.id).where(Sector.code == code)).scalar_one()


def _deployments(engine):
    with engine.connect() as conn:
        return conn.execute(select(func.count(Deployment.id))).scalar_one()


def test_proposal_from_validation_date_is_saved_as_proposed(app_db):
    at = open_page("coordinator", "planifier")
    kerourien = _sector_id(app_db, "kerourien")
    at.selectbox(key="plan_secteur").set_value(kerourien)
    at.text_input(key="plan_validation").input("04/01/2027").run()
    table = at.data_editor(key="plan_editor_2027-01-04").value
    assert list(table["label"])[:2] == ["Validation", "Réunion de lancement"]
    assert str(table["planned_start"].iloc[1])[:10] == "2027-01-25"
    before = _deployments(app_db)
    at.button(key="FormSubmitter:plan_form-Enregistrer le calendrier").click().run()
    assert not at.exception
    assert "Déploiement proposé enregistré pour « Kerourien »" in at.success[0].value
    assert _deployments(app_db) == before + 1
    with app_db.connect() as conn:
        dep = conn.execute(select(Deployment).order_by(Deployment.id.desc()).limit(1)).one()
        ballot = conn.execute(
            select(DeploymentStage.planned_start).where(
                DeploymentStage.deployment_id == dep.id, DeploymentStage.stage == "ballot"
            )
        ).scalar_one()
    assert (dep.sector_id, dep.status) == (kerourien, "proposed")
    assert ballot == date(2027, 3, 27)


def test_out_of_order_edit_is_refused_in_french_and_kept(app_db):
    at = open_page("coordinator", "planifier")
    at.selectbox(key="plan_secteur").set_value(_sector_id(app_db, "kerourien"))
    at.text_input(key="plan_validation").input("04/01/2027").run()
    # The coordinator moves the ballot into the information period.
    edits = {"edited_rows": {3: {"planned_start": "2027-03-01"}}, "added_rows": [], "deleted_rows": []}
    at.session_state["plan_editor_2027-01-04"] = edits
    at.run()
    before = _deployments(app_db)
    at.button(key="FormSubmitter:plan_form-Enregistrer le calendrier").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Le calendrier n'a pas été enregistré" in errors
    assert "Scrutin : commence le 01/03/2027, avant la fin de l'étape précédente" in errors
    assert _deployments(app_db) == before
    # What the coordinator typed is still there.
    assert at.session_state["plan_editor_2027-01-04"]["edited_rows"] == {3: {"planned_start": "2027-03-01"}}


def test_a_validation_date_typed_wrong_is_said_in_french(app_db):
    at = open_page("coordinator", "planifier")
    at.text_input(key="plan_validation").input("15/06/1900").run()
    assert "Date trop ancienne (15/06/1900)" in at.error[0].value
    assert not [b for b in at.button if b.key and "plan_form" in b.key]
