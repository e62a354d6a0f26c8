"""Visits and support: counts only, coherent figures, partner scope, workshop attendance, audit."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, inspect, select

from ihs.db import session_scope
from ihs.events import REPEAT_MINUTES
from ihs.models import AuditLog, Event, Sector, Visit
from ihs.users import PermissionDenied, actor_for
from ihs.validation import ValidationError, WarningsNotAcknowledged
from ihs.visits import (
    VisitEntry,
    delete_visit,
    entry_workshop_sessions,
    record_visit,
    record_workshop_attendance,
    update_visit,
    visit_entry,
)
from tests.conftest import TODAY


def _sector(engine, code="bellevue-kergoat") -> int:
    with engine.connect() as conn:
        return conn.execute(select(Sector.id).where(Sector.code == code)).scalar_one()


def _visits(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Visit)).scalar_one()


def _record(engine, username="partenaire", **fields):
    actor = actor_for(engine, username)
    fields.setdefault("sector_id", _sector(engine))
    fields.setdefault("occurred_on", TODAY)
    with session_scope(username, engine=engine) as s:
        return record_visit(s, actor, VisitEntry(**fields)).id


def _errors(engine, **fields) -> dict[str, str]:
    before = _visits(engine)
    with pytest.raises(ValidationError) as exc:
        _record(engine, **fields)
    assert _visits(engine) == before
    return exc.value.errors


def test_no_column_could_hold_a_tenant_name():
    columns = {c.key for c in inspect(Visit).columns}
    assert not columns & {"name", "tenant", "first_name", "last_name", "address", "phone", "email"}


def test_door_to_door_round(engine):
    vid = _record(engine, kind="door_to_door", doors_knocked="1 120", doors_answered="45", documents_left="120")
    with session_scope(engine=engine) as s:
        v = s.get(Visit, vid)
        assert (v.doors_knocked, v.doors_answered, v.documents_left) == (1120, 45, 120)
        assert v.organisation_id is not None and v.created_by == "partenaire"
    # A space that is not a thousands separator is a typing slip, never silently glued.
    assert "nombre entier" in _errors(engine, kind="door_to_door", doors_knocked="1 20")["doors_knocked"]


def test_dropin_topics_from_the_fixed_list(engine):
    vid = _record(engine, kind="dropin", people_seen=6, topics=["abonnement", "resiliation"])
    with session_scope(engine=engine) as s:
        assert s.get(Visit, vid).topics == "abonnement,resiliation"
    assert "inconnu" in _errors(engine, kind="dropin", people_seen=2, topics=["astrologie"])["topics"]


def test_equipment_amount_from_price_default_40(engine):
    vid = _record(engine, kind="equipment", computers_sold="3")
    vid2 = _record(engine, kind="equipment", computers_sold="2", price_per_computer="70,50")
    with session_scope(engine=engine) as s:
        assert s.get(Visit, vid).amount_eur == Decimal("120.00")
        assert s.get(Visit, vid2).amount_eur == Decimal("141.00")
    assert (
        "montant"
        in _errors(engine, kind="equipment", computers_sold="2", price_per_computer="gratuit")["price_per_computer"]
    )


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "door_to_door", "doors_knocked": "10", "doors_answered": "12"}, "doors_answered", "plus de portes"),
        ({"kind": "door_to_door", "doors_knocked": "-10", "doors_answered": "0"}, "doors_knocked", "négatif"),
        ({"kind": "door_to_door", "doors_knocked": "dix", "doors_answered": "0"}, "doors_knocked", "pas un nombre"),
        ({"kind": "door_to_door", "doors_knocked": "", "doors_answered": "0"}, "doors_knocked", "obligatoire"),
        ({"kind": "legal", "offers_compared": "2", "contracts_terminated": "3"}, "contracts_terminated", "plus de"),
        ({"kind": "legal", "offers_compared": "2"}, "contracts_terminated", "obligatoire"),
        ({"kind": "dropin", "people_seen": "4", "notes": "z" * 2001}, "notes", "trop long"),
        ({"kind": "dropin", "people_seen": "4", "occurred_on": date(2008, 5, 1)}, "occurred_on", "trop ancienne"),
        ({"kind": "dropin", "people_seen": "4", "occurred_on": TODAY + timedelta(days=1)}, "occurred_on", "futur"),
        ({"kind": "dropin", "people_seen": "4", "occurred_on": None}, "occurred_on", "obligatoire"),
        ({"kind": "dropin", "people_seen": "4", "sector_id": None}, "sector_id", "Choisissez le secteur"),
    ],
)
def test_bad_input(engine, fields, field, message):
    assert message in _errors(engine, **fields)[field]


def test_sector_outside_scope(engine):
    errors = _errors(engine, kind="dropin", people_seen=3, sector_id=_sector(engine, "kerourien"))
    assert "périmètre" in errors["sector_id"]


def test_operator_may_not_record_visits(engine):
    with pytest.raises(PermissionDenied):
        _record(engine, "operateur", kind="dropin", people_seen=3)


def test_workshop_attendance_updates_the_session(engine):
    coord = actor_for(engine, "coordination")
    sessions = entry_workshop_sessions(engine, coord, TODAY)
    assert sessions and "Atelier" in sessions[0][1]
    event_id = sessions[0][0]
    with session_scope("coordination", engine=engine) as s:
        record_workshop_attendance(
            s, coord, event_id=event_id, attendance="11", returning_participants="8", today=TODAY
        )
    with session_scope(engine=engine) as s:
        ev = s.get(Event, event_id)
        assert (ev.attendance, ev.returning_participants) == (11, 8)
    with pytest.raises(ValidationError) as exc, session_scope("coordination", engine=engine) as s:
        record_workshop_attendance(s, coord, event_id=event_id, attendance="5", returning_participants="8")
    assert "habitués" in exc.value.errors["returning_participants"]
    # The partner of Bellevue does not see Pilier Rouge's workshops.
    partner = actor_for(engine, "partenaire")
    assert event_id not in {i for i, _ in entry_workshop_sessions(engine, partner, TODAY)}
    with pytest.raises(ValidationError) as exc, session_scope("partenaire", engine=engine) as s:
        record_workshop_attendance(s, partner, event_id=event_id, attendance="5")
    assert "périmètre" in exc.value.errors["event_id"]


def test_correction_and_soft_delete_are_audited(engine):
    vid = _record(engine, kind="legal", offers_compared="4", contracts_terminated="1")
    partner = actor_for(engine, "partenaire")
    with session_scope("partenaire", engine=engine) as s:
        update_visit(s, partner, vid, replace(visit_entry(s, vid), contracts_terminated="2"))
    with pytest.raises(PermissionDenied), session_scope("bailleur", engine=engine) as s:
        update_visit(s, actor_for(engine, "bailleur"), vid, replace(visit_entry(s, vid), contracts_terminated="0"))
    with session_scope("partenaire", engine=engine) as s:
        delete_visit(s, partner, vid, "Mauvais secteur")
    with session_scope(engine=engine) as s:
        actions = s.execute(
            select(AuditLog.action, AuditLog.after)
            .where(AuditLog.table_name == "visit", AuditLog.row_id == str(vid))
            .order_by(AuditLog.id)
        ).all()
    assert [a.action for a in actions] == ["create", "update", "delete"]
    assert actions[1].after == {"contracts_terminated": 2}


def test_the_same_visit_again_within_ten_minutes_waits_for_a_confirmation(engine):
    round_ = dict(kind="door_to_door", doors_knocked="30", doors_answered="12")
    first = _record(engine, **round_)
    before = _visits(engine)
    with pytest.raises(WarningsNotAcknowledged) as warn:
        _record(engine, **round_)
    assert warn.value.warnings["repeat"].startswith("Vous avez déjà enregistré une visite identique à ")
    assert _visits(engine) == before  # nothing written
    others = [
        dict(round_, doors_answered="11"),  # another figure: another round
        dict(round_, occurred_on=TODAY - timedelta(days=1)),
    ]
    for other in others:
        _record(engine, **other)
    # Another partner's identical round is theirs.
    _record(engine, username="bailleur", **round_)
    # Confirmed, or more than ten minutes later, it is saved.
    with session_scope("partenaire", engine=engine) as s:
        record_visit(
            s, actor_for(engine, "partenaire"), VisitEntry(sector_id=_sector(engine), occurred_on=TODAY, **round_),
            repeat_confirmed=True,
        )  # fmt: skip
    with session_scope("tests", engine=engine) as s:
        for visit in s.scalars(select(Visit).where(Visit.created_by == "partenaire")):
            visit.created_at -= timedelta(minutes=REPEAT_MINUTES + 1)
    second = _record(engine, **round_)
    with engine.connect() as conn:
        same = conn.execute(select(func.count()).where(Visit.doors_answered == 12, Visit.created_by == "partenaire"))
        assert second != first and same.scalar_one() == 4  # first, yesterday's, the confirmed one, second
