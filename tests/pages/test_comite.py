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
