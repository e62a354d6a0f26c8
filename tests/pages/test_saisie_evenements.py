"""Saisie des événements: a partner records an event of its sectors; bad input is refused next to
its field, nothing is written and what was typed stays; a failed write keeps the form too."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from ihs.models import Event, EventSeries, Sector
from ihs.ui.forms import CHECK_FIELDS, DB_FAILED
from tests.apptest import open_page, texts


def _events(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Event)).scalar_one()


def _sector(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Sector.id).where(Sector.code == code)).scalar_one()


def _dropin(at):
    at.selectbox(key="ev_kind").select("dropin").run()
    return at


def _submit(at):
    at.button(key="FormSubmitter:ev-Enregistrer").click().run()
    return at


def test_partner_sees_only_its_sectors_and_records_a_dropin(app_db):
    at = _dropin(open_page("partner", "saisie_evenements"))
    assert not at.exception
    options = at.multiselect(key="ev_sector_ids").options
    assert sorted(options) == sorted(
        ["Bellevue Kerbernier", "Bellevue Kergoat", "Quéliverzan et Bellevue (Aquitaine, Bergot, Kerhallet)"]
    )
    before = _events(app_db)
    at.multiselect(key="ev_sector_ids").select(_sector(app_db, "bellevue-kergoat"))
    at.text_input(key="ev_day").input((date(2026, 11, 20)).strftime("%d/%m/%Y"))
    at.text_input(key="ev_attendance").set_value("8")
    at.text_input(key="ev_place").set_value("Maison de quartier")
    _submit(at)
    assert not at.exception
    assert [s.value for s in at.success] == ["Événement enregistré. Merci !"]
    assert _events(app_db) == before + 1
    with app_db.connect() as conn:
        row = conn.execute(select(Event).order_by(Event.id.desc())).first()
    assert (row.created_by, row.attendance, row.kind) == ("partenaire", 8, "dropin")
    # Ready for the next entry.
    assert at.text_input(key="ev_attendance").value == ""


def test_bad_input_is_refused_next_to_each_field_and_kept(app_db):
    at = _dropin(open_page("partner", "saisie_evenements"))
    before = _events(app_db)
    at.text_input(key="ev_attendance").set_value("-4")
    at.text_area(key="ev_notes").set_value("n" * 2500)
    at.text_input(key="ev_place").set_value("p" * 300)
    at.text_input(key="ev_day").input((date(2008, 6, 1)).strftime("%d/%m/%Y"))
    _submit(at)
    shown = [e.value for e in at.error]
    assert "Choisissez au moins un secteur." in shown
    assert "Le nombre ne peut pas être négatif." in shown
    assert any("Texte trop long : 2\u202f000 caractères" in e for e in shown)
    assert any("200 caractères au plus" in e for e in shown)
    assert any("Date trop ancienne" in e for e in shown)
    assert CHECK_FIELDS in shown
    assert _events(app_db) == before
    # Every value stays as typed.
    assert at.text_input(key="ev_attendance").value == "-4"
    assert at.text_area(key="ev_notes").value == "n" * 2500


def test_text_in_a_number_and_a_date_too_far_ahead(app_db):
    at = _dropin(open_page("partner", "saisie_evenements"))
    at.multiselect(key="ev_sector_ids").select(_sector(app_db, "bellevue-kergoat"))
    at.text_input(key="ev_attendance").set_value("douze")
    _submit(at)
    assert any("« douze » n'est pas un nombre" in e.value for e in at.error)
    at.text_input(key="ev_attendance").set_value("")
    at.text_input(key="ev_day").input((date(2029, 3, 1)).strftime("%d/%m/%Y"))
    _submit(at)
    assert any("Date trop lointaine" in e.value for e in at.error)


def test_workshop_cycle_of_ten_sessions_in_one_go(app_db):
    at = open_page("partner", "saisie_evenements")
    at.selectbox(key="ev_kind").select("workshop").run()
    assert at.text_input(key="ev_occurrences_workshop").value == "10"
    at.multiselect(key="ev_sector_ids").select(_sector(app_db, "bellevue-kerbernier"))
    at.text_input(key="ev_day").input((date(2026, 12, 1)).strftime("%d/%m/%Y"))
    before = _events(app_db)
    with app_db.connect() as conn:
        series = conn.execute(select(func.count()).select_from(EventSeries)).scalar_one()
    _submit(at)
    assert "10 dates enregistrées" in texts(at)
    assert _events(app_db) == before + 10
    with app_db.connect() as conn:
        assert conn.execute(select(func.count()).select_from(EventSeries)).scalar_one() == series + 1


def test_a_failed_write_shows_a_french_error_and_keeps_the_values(app_db, monkeypatch):
    def locked(*args, **kwargs):
        raise OperationalError("INSERT INTO event", {}, Exception("database is locked"))

    monkeypatch.setattr("ihs.events.record_event", locked)
    at = _dropin(open_page("partner", "saisie_evenements"))
    at.multiselect(key="ev_sector_ids").select(_sector(app_db, "bellevue-kergoat"))
    at.text_input(key="ev_attendance").set_value("6")
    before = _events(app_db)
    _submit(at)
    assert not at.exception
    assert DB_FAILED in [e.value for e in at.error]
    assert at.text_input(key="ev_attendance").value == "6"
    assert _events(app_db) == before
