"""Comité de pilotage: open a meeting that freezes figures, record decisions, close, follow up."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from ihs.db import session_scope
from ihs.formats import fr_date, fr_int
from ihs.models import Decision, Sector, SubscriberCount
from ihs.queries.overview import summary
from ihs.ui.forms import CHECK_FIELDS
from tests.apptest import metric, open_page, texts
from tests.conftest import TODAY

FROZEN = TODAY - timedelta(days=10)
OPEN_BTN = "FormSubmitter:mt-Ouvrir la séance et arrêter les chiffres"
DECIDE_BTN = "FormSubmitter:dc-Enregistrer la décision"


def _open_meeting(title="Comité d'automne"):
    at = open_page("coordinator", "comite")
    assert not at.exception, at.exception
    at.text_input(key="mt_title").set_value(title)
    at.text_input(key="mt_frozen_as_of").input((FROZEN).strftime("%d/%m/%Y"))
    at.button(key=OPEN_BTN).click().run()
    return at


@pytest.mark.parametrize("role", ["landlord", "operator", "partner", "viewer"])
def test_reserved_to_the_coordinator(app_db, role):
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        open_page(role, "comite")


def test_opening_freezes_and_shows_the_band(app_db):
    at = _open_meeting()
    assert f"les chiffres sont arrêtés au {fr_date(FROZEN)}" in texts(at)
    assert f"Chiffres arrêtés au {fr_date(FROZEN)}" in texts(at)
    assert metric(at, "Abonnés") == fr_int(summary(app_db, FROZEN)["subscribers"])


def test_frozen_figures_stay_after_back_dated_entry(app_db):
    at = _open_meeting()
    frozen = metric(at, "Abonnés")
    with session_scope("operateur", engine=app_db) as s:
        sector = s.execute(select(Sector.id).where(Sector.code == "keredern")).scalar_one()
        s.add(SubscriberCount(sector_id=sector, as_of=FROZEN - timedelta(days=2), subscribers=900, source="test"))
    assert fr_int(summary(app_db, FROZEN)["subscribers"]) != frozen
    at = open_page("coordinator", "comite")
    assert metric(at, "Abonnés") == frozen
    # The shared screen shows the same frozen number.
    screen = open_page("viewer", "presentation")
    assert metric(screen, "Abonnés") == frozen and "Chiffres arrêtés" in texts(screen)


def test_empty_title_shows_the_error_and_keeps_the_date(app_db):
    at = open_page("coordinator", "comite")
    at.text_input(key="mt_frozen_as_of").input((FROZEN).strftime("%d/%m/%Y"))
    at.button(key=OPEN_BTN).click().run()
    assert CHECK_FIELDS in [e.value for e in at.error]
    assert any("intitulé" in e.value for e in at.error)
    assert at.text_input(key="mt_frozen_as_of").value == FROZEN.strftime("%d/%m/%Y")


def test_decisions_are_recorded_and_followed_up_at_the_next_meeting(app_db):
    at = _open_meeting("Comité de printemps")
    at.button(key=DECIDE_BTN).click().run()
    assert any("Écrivez la décision" in e.value for e in at.error)
    at.text_area(key="dc_text").set_value("Relancer l'information à Keranroux")
    at.text_input(key="dc_owner").set_value("Maison de quartier")
    at.text_input(key="dc_due_on").input((TODAY + timedelta(days=30)).strftime("%d/%m/%Y"))
    at.button(key=DECIDE_BTN).click().run()
    assert "Décision enregistrée." in [s.value for s in at.success]
    assert at.dataframe[0].value["Décision"].tolist() == ["Relancer l'information à Keranroux"]
    at.button(key="mt_close").click().run()
    assert "Séance close" in texts(at) and "Chiffres arrêtés" not in texts(at)
    at = _open_meeting("Comité d'automne")
    follow = next(d.value for d in at.dataframe if "Décision" in d.value.columns)
    assert follow["Décision"].tolist() == ["Relancer l'information à Keranroux"]
    assert follow["État"].tolist() == ["à faire"]
    at.button(key="fu_done").click().run()
    assert "Décision marquée comme faite." in [s.value for s in at.success]
    with app_db.connect() as conn:
        assert conn.execute(select(Decision.done)).scalars().all() == [True]


def test_the_decision_form_is_empty_after_a_save_and_kept_after_a_refusal(app_db):
    at = _open_meeting("Comité d'hiver")
    sector = at.selectbox(key="dc_sector_id").options[1]
    at.text_area(key="dc_text").set_value("Prévoir une permanence")
    at.selectbox(key="dc_sector_id").select_index(1)
    at.text_input(key="dc_owner").set_value("Bailleur")
    at.text_input(key="dc_due_on").input("31/02/2099")
    at.button(key=DECIDE_BTN).click().run()
    # Refused (no 31 February): everything stays as typed, for a correction.
    assert "Décision enregistrée." not in [s.value for s in at.success]
    assert at.text_area(key="dc_text").value == "Prévoir une permanence"
    assert at.selectbox(key="dc_sector_id").index == 1
    assert at.text_input(key="dc_owner").value == "Bailleur"
    at.text_input(key="dc_due_on").input((TODAY + timedelta(days=7)).strftime("%d/%m/%Y"))
    at.button(key=DECIDE_BTN).click().run()
    assert "Décision enregistrée." in [s.value for s in at.success]
    # A second tap on « Enregistrer » must not save the same decision again: the form is empty.
    assert at.text_area(key="dc_text").value == ""
    assert at.selectbox(key="dc_sector_id").value is None
    assert at.text_input(key="dc_owner").value == ""
    assert at.text_input(key="dc_due_on").value == ""
    at.button(key=DECIDE_BTN).click().run()
    assert any("Écrivez la décision" in e.value for e in at.error)
    with app_db.connect() as conn:
        saved = conn.execute(
            select(Decision.text, Sector.name).outerjoin(Sector, Decision.sector_id == Sector.id)
        ).all()
    assert saved == [("Prévoir une permanence", sector)]


def test_sections_are_h2_under_the_page_title(app_db):
    # h1 then h3 skips a level in a screen reader's list of headings (axe-core heading-order).
    at = open_page("coordinator", "comite")
    assert [t.value for t in at.title] == ["Comité de pilotage"]
    assert [h.value for h in at.header] == ["Ouvrir une séance", "Décisions à suivre des séances précédentes"]
    assert not at.subheader
    at = _open_meeting("Comité d'hiver")
    assert "Décisions de la séance" in [h.value for h in at.header]
    assert not at.subheader
