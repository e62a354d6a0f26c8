"""Visites et accompagnement: counts only, coherent figures, French errors next to fields."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from ihs.models import Event, Sector, Visit
from ihs.ui.forms import CHECK_FIELDS
from tests.apptest import open_page, texts
from tests.conftest import TODAY


def _visits(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Visit)).scalar_one()


def _sector(engine, code="bellevue-kergoat") -> int:
    with engine.connect() as conn:
        return conn.execute(select(Sector.id).where(Sector.code == code)).scalar_one()


def _page(role, kind):
    at = open_page(role, "saisie_visites")
    at.selectbox(key="vi_kind").select(kind).run()
    return at


def _submit(at, kind):
    at.button(key=f"FormSubmitter:vi_{kind}-Enregistrer").click().run()
    return at


def test_no_field_asks_for_a_name(app_db):
    for kind in ("door_to_door", "dropin", "legal", "equipment", "workshop"):
        at = _page("coordinator", kind)
        labels = " ".join(w.label for w in [*at.text_input, *at.selectbox, *at.multiselect]).lower()
        assert "nom" not in labels and "prénom" not in labels and "adresse" not in labels
        assert "ne notez jamais le nom" in texts(at)


def test_door_to_door_round_is_recorded(app_db):
    at = _page("partner", "door_to_door")
    at.selectbox(key="vi_door_to_door_sector_id").select(_sector(app_db))
    at.text_input(key="vi_door_to_door_doors_knocked").set_value("1 120")
    at.text_input(key="vi_door_to_door_doors_answered").set_value("45")
    before = _visits(app_db)
    _submit(at, "door_to_door")
    assert [s.value for s in at.success] == ["Saisie enregistrée. Merci !"]
    assert _visits(app_db) == before + 1
    with app_db.connect() as conn:
        v = conn.execute(select(Visit).order_by(Visit.id.desc())).first()
    assert (v.doors_knocked, v.doors_answered, v.documents_left, v.created_by) == (1120, 45, None, "partenaire")


def test_a_second_tap_empties_nothing_twice_and_a_repeat_waits_for_confirmation(app_db):
    # The phone case: after « Saisie enregistrée » the counts are empty; typing the same round
    # again within minutes is refused until « Enregistrer quand même » is ticked.
    at = _page("partner", "door_to_door")
    sector = _sector(app_db)

    def fill():
        at.selectbox(key="vi_door_to_door_sector_id").select(sector)
        at.text_input(key="vi_door_to_door_doors_knocked").set_value("30")
        at.text_input(key="vi_door_to_door_doors_answered").set_value("12")

    before = _visits(app_db)
    fill()
    _submit(at, "door_to_door")
    assert [s.value for s in at.success] == ["Saisie enregistrée. Merci !"]
    assert at.text_input(key="vi_door_to_door_doors_knocked").value == ""
    assert at.text_input(key="vi_door_to_door_doors_answered").value == ""
    _submit(at, "door_to_door")  # the second tap on an empty form saves nothing
    assert _visits(app_db) == before + 1 and "Ce champ est obligatoire." in [e.value for e in at.error]
    fill()
    _submit(at, "door_to_door")
    assert _visits(app_db) == before + 1
    assert at.warning[0].value.startswith("Vous avez déjà enregistré une visite identique à ")
    assert [e.value for e in at.error] == ["Rien n'a été enregistré : lisez l'avertissement ci-dessus."]
    assert at.text_input(key="vi_door_to_door_doors_knocked").value == "30"  # kept as typed
    at.checkbox(key="vi_door_to_door_confirmed").check()
    _submit(at, "door_to_door")
    assert [s.value for s in at.success] == ["Saisie enregistrée. Merci !"]
    assert _visits(app_db) == before + 2


def test_door_to_door_bad_input(app_db):
    at = _page("partner", "door_to_door")
    at.text_input(key="vi_door_to_door_doors_knocked").set_value("dix")
    at.text_input(key="vi_door_to_door_doors_answered").set_value("-2")
    at.text_input(key="vi_door_to_door_documents_left").set_value("")
    at.text_area(key="vi_door_to_door_notes").set_value("z" * 2001)
    at.text_input(key="vi_door_to_door_occurred_on").input((TODAY + timedelta(days=3)).strftime("%d/%m/%Y"))
    before = _visits(app_db)
    _submit(at, "door_to_door")
    shown = [e.value for e in at.error]
    assert "Choisissez le secteur." in shown
    assert any("« dix » n'est pas un nombre" in e for e in shown)
    assert "Le nombre ne peut pas être négatif." in shown
    assert any("Texte trop long" in e for e in shown)
    assert any("Date dans le futur" in e for e in shown)
    assert CHECK_FIELDS in shown
    assert _visits(app_db) == before
    assert at.text_input(key="vi_door_to_door_doors_knocked").value == "dix"


def test_more_doors_answered_than_knocked_and_empty_required(app_db):
    at = _page("partner", "door_to_door")
    at.selectbox(key="vi_door_to_door_sector_id").select(_sector(app_db))
    at.text_input(key="vi_door_to_door_doors_knocked").set_value("10")
    at.text_input(key="vi_door_to_door_doors_answered").set_value("12")
    _submit(at, "door_to_door")
    assert any("plus de portes ouvertes que de portes frappées" in e.value for e in at.error)
    at.text_input(key="vi_door_to_door_doors_knocked").set_value("")
    _submit(at, "door_to_door")
    assert "Ce champ est obligatoire." in [e.value for e in at.error]


def test_dropin_with_topics_and_equipment_at_default_price(app_db):
    at = _page("partner", "dropin")
    at.selectbox(key="vi_dropin_sector_id").select(_sector(app_db))
    at.text_input(key="vi_dropin_people_seen").set_value("5")
    at.multiselect(key="vi_dropin_topics").select("abonnement").select("demarches")
    _submit(at, "dropin")
    assert at.success
    at.selectbox(key="vi_kind").select("equipment").run()
    at.selectbox(key="vi_equipment_sector_id").select(_sector(app_db))
    at.text_input(key="vi_equipment_computers_sold").set_value("3")
    _submit(at, "equipment")
    assert at.success
    with app_db.connect() as conn:
        rows = conn.execute(select(Visit.kind, Visit.topics, Visit.amount_eur).order_by(Visit.id.desc()).limit(2)).all()
    assert rows[0] == ("equipment", None, Decimal("120.00"))
    assert rows[1][:2] == ("dropin", "abonnement,demarches")


def test_legal_advice_terminations_cannot_exceed_comparisons(app_db):
    at = _page("partner", "legal")
    at.selectbox(key="vi_legal_sector_id").select(_sector(app_db))
    at.text_input(key="vi_legal_offers_compared").set_value("2")
    at.text_input(key="vi_legal_contracts_terminated").set_value("3")
    _submit(at, "legal")
    assert any("plus de résiliations" in e.value for e in at.error)


def test_workshop_attendance_updates_the_session(app_db):
    at = _page("coordinator", "workshop")
    select_box = at.selectbox(key="vi_workshop_event_id")
    assert select_box.options and select_box.value is None  # the user picks the session
    with app_db.connect() as conn:
        target = (
            conn.execute(
                select(Event.id)
                .where(Event.kind == "workshop", Event.starts_at <= TODAY)
                .order_by(Event.starts_at.desc())
            )
            .scalars()
            .first()
        )
    select_box.set_value(target)
    at.text_input(key="vi_workshop_attendance").set_value("9")
    at.text_input(key="vi_workshop_returning_participants").set_value("12")
    _submit(at, "workshop")
    assert any("habitués" in e.value for e in at.error)
    at.text_input(key="vi_workshop_returning_participants").set_value("7")
    _submit(at, "workshop")
    assert [s.value for s in at.success] == ["Présence enregistrée. Merci !"]
    with app_db.connect() as conn:
        assert conn.execute(select(Event.attendance, Event.returning_participants).where(Event.id == target)).one() == (
            9,
            7,
        )
