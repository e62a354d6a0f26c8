"""Mes saisies: a partner sees, corrects and deletes (with a reason) what they entered."""

from datetime import date, time

from sqlalchemy import select

from ihs.db import session_scope
from ihs.events import EventEntry, record_event
from ihs.models import AuditLog, Event, Sector, Visit
from ihs.users import actor_for
from ihs.visits import VisitEntry, record_visit
from tests.apptest import open_page


def _seed(engine) -> tuple[int, int]:
    partner = actor_for(engine, "partenaire")
    with engine.connect() as conn:
        sector = conn.execute(select(Sector.id).where(Sector.code == "bellevue-kergoat")).scalar_one()
    with session_scope("partenaire", engine=engine) as s:
        (ev,) = record_event(
            s,
            partner,
            EventEntry(kind="dropin", sector_ids=[sector], day=date(2026, 11, 20), start_time=time(14), attendance=5),
        )
        v = record_visit(s, partner, VisitEntry(kind="legal", sector_id=sector, occurred_on=date(2026, 11, 21), offers_compared=4, contracts_terminated=1))  # fmt: skip
        return ev.id, v.id


def test_partner_sees_only_own_entries(app_db):
    _seed(app_db)
    at = open_page("partner", "mes_saisies")
    assert not at.exception
    events, visits = at.dataframe[0].value, at.dataframe[1].value
    assert list(events["Type"]) == ["Permanence"] and list(events["Secteurs"]) == ["Bellevue Kergoat"]
    assert list(visits["Chiffres"]) == ["4 offres comparées, 1 résiliations"]
    at = open_page("landlord", "mes_saisies")
    assert "aucun événement" in " ".join(i.value for i in at.info)


def test_correct_an_event_refuses_bad_input_then_saves(app_db):
    ev_id, _ = _seed(app_db)
    at = open_page("partner", "mes_saisies")
    at.selectbox(key="me_ev").set_value(ev_id).run()
    F = f"me_ev_{ev_id}"
    assert at.text_input(key=f"{F}_attendance").value == "5"
    at.text_input(key=f"{F}_attendance").set_value("cinq")
    at.button(key=f"FormSubmitter:{F}-Enregistrer la correction").click().run()
    assert any("« cinq » n'est pas un nombre" in e.value for e in at.error)
    at.text_input(key=f"{F}_attendance").set_value("6")
    at.button(key=f"FormSubmitter:{F}-Enregistrer la correction").click().run()
    assert "Correction enregistrée." in [s.value for s in at.success]
    with app_db.connect() as conn:
        assert conn.execute(select(Event.attendance).where(Event.id == ev_id)).scalar_one() == 6
        actions = (
            conn.execute(select(AuditLog.action).where(AuditLog.table_name == "event", AuditLog.row_id == str(ev_id)))
            .scalars()
            .all()
        )
    assert actions == ["create", "update"]


def test_delete_needs_a_reason_and_keeps_the_row(app_db):
    _, visit_id = _seed(app_db)
    at = open_page("partner", "mes_saisies")
    at.selectbox(key="me_vi").set_value(visit_id).run()
    F = f"me_videl_{visit_id}"
    at.button(key=f"FormSubmitter:{F}-Supprimer").click().run()
    assert any("raison de la suppression" in e.value for e in at.error)
    at.text_input(key=f"{F}_reason").set_value("Saisie en double")
    at.button(key=f"FormSubmitter:{F}-Supprimer").click().run()
    assert any("Saisie supprimée" in s.value for s in at.success)
    with app_db.connect() as conn:
        row = conn.execute(select(Visit.deleted_at, Visit.deleted_reason).where(Visit.id == visit_id)).one()
        audit = conn.execute(
            select(AuditLog.action, AuditLog.reason).where(
                AuditLog.table_name == "visit", AuditLog.row_id == str(visit_id)
            )
        ).all()
    assert row.deleted_at is not None and row.deleted_reason == "Saisie en double"
    assert ("delete", "Saisie en double") in audit
    # Gone from the list, back with « montrer aussi les saisies supprimées ».
    at = open_page("partner", "mes_saisies")
    assert "aucune visite" in " ".join(i.value for i in at.info)
    at.toggle(key="me_deleted").set_value(True).run()
    assert list(at.dataframe[1].value["Supprimé"]) == ["Saisie en double"]
