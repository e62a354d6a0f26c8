"""Recording events: validation (French, keyed by field), partner scope, series, corrections, audit."""

from dataclasses import replace
from datetime import date, time

import pytest
from sqlalchemy import func, select

from ihs.db import session_scope
from ihs.events import EventEntry, delete_event, entry_sector_choices, event_entry, record_event, update_event
from ihs.models import AuditLog, Event, EventSeries, Organisation, Sector
from ihs.users import Actor, PermissionDenied, actor_for
from ihs.validation import ValidationError, WarningsNotAcknowledged
from tests.conftest import TODAY


def _sector(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Sector.id).where(Sector.code == code)).scalar_one()


@pytest.fixture
def partner(engine) -> Actor:
    return actor_for(engine, "partenaire")


def _count(engine, model=Event) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _ok(engine, **extra):
    base = dict(
        kind="dropin",
        sector_ids=[_sector(engine, "bellevue-kergoat")],
        day=date(2026, 11, 20),
        start_time=time(14, 0),
        place="Maison de quartier",
        attendance="7",
    )
    base.update(extra)
    return base


def _errors(engine, actor, **fields) -> dict[str, str]:
    before = _count(engine)
    with pytest.raises(ValidationError) as exc, session_scope(actor.username, engine=engine) as s:
        record_event(s, actor, EventEntry(**fields))
    assert _count(engine) == before, "nothing is written when a field is wrong"
    return exc.value.errors


def test_partner_records_a_dropin_in_its_sector(engine, partner):
    with session_scope("partenaire", engine=engine) as s:
        (ev,) = record_event(s, partner, EventEntry(**_ok(engine)))
        ev_id = ev.id
    with session_scope(engine=engine) as s:
        ev = s.get(Event, ev_id)
        assert ev.attendance == 7 and ev.created_by == "partenaire" and ev.kind == "dropin"
        assert [x.code for x in ev.sectors] == ["bellevue-kergoat"]
        assert "Permanence" in ev.title


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("attendance", "-3", "négatif"),
        ("attendance", "douze", "n'est pas un nombre"),
        ("attendance", "2,5", "entier"),
        ("day", date(2008, 12, 31), "trop ancienne"),
        ("day", date(2029, 1, 1), "trop lointaine"),
        ("day", None, "obligatoire"),
        ("start_time", None, "obligatoire"),
        ("notes", "x" * 2001, "trop long"),
        ("place", "y" * 201, "trop long"),
        ("sector_ids", [], "au moins un secteur"),
        ("sector_ids", [99999], "Secteur inconnu"),
        ("kind", "concert", "inconnu"),
    ],
)
def test_bad_input_gets_a_french_message_on_its_field(engine, partner, field, value, message):
    errors = _errors(engine, partner, **_ok(engine, **{field: value}))
    assert message in errors[field]


def test_sector_outside_partner_scope_is_refused(engine, partner):
    errors = _errors(engine, partner, **_ok(engine, sector_ids=[_sector(engine, "kerourien")]))
    assert errors["sector_ids"] == "Ce secteur n'est pas dans le périmètre de votre organisation."
    assert {c.code for c in entry_sector_choices(engine, partner)} == {
        "queliverzan-bellevue",
        "bellevue-kerbernier",
        "bellevue-kergoat",
    }


def test_every_problem_is_reported_at_once(engine, partner):
    errors = _errors(engine, partner, **_ok(engine, attendance="-1", notes="n" * 3000, day=date(2001, 1, 1)))
    assert set(errors) == {"attendance", "notes", "day"}


def test_meeting_needs_its_kind_and_attendance_waits_for_the_day(engine, partner):
    errors = _errors(engine, partner, **_ok(engine, kind="meeting"))
    assert "obligatoire" in errors["subkind"]
    errors = _errors(engine, partner, **_ok(engine, day=date(2026, 12, 10)))
    assert "après l'événement" in errors["attendance"]


def test_viewer_and_operator_may_not_record(engine):
    for username in ("lecture", "operateur"):
        actor = actor_for(engine, username)
        with pytest.raises(PermissionDenied), session_scope(username, engine=engine) as s:
            record_event(s, actor, EventEntry(**_ok(engine)))


def test_weekly_dropins_and_workshop_cycle_in_one_go(engine, partner):
    sector = _sector(engine, "bellevue-kerbernier")
    series_before = _count(engine, EventSeries)
    with session_scope("partenaire", engine=engine) as s:
        events = record_event(
            s,
            partner,
            EventEntry(
                kind="workshop", sector_ids=[sector], day=date(2026, 12, 1), start_time=time(10), occurrences=10
            ),
        )
        assert [e.session_no for e in events] == list(range(1, 11))
        assert len({e.series_id for e in events}) == 1
        assert events[-1].starts_at.date() == date(2027, 2, 2)
        assert events[0].title.endswith("(1/10)")
    assert _count(engine, EventSeries) == series_before + 1
    with session_scope(engine=engine) as s:
        series = s.execute(select(EventSeries).order_by(EventSeries.id.desc())).scalars().first()
        assert series.planned_sessions == 10 and series.kind == "workshop"


def test_a_series_may_not_run_past_two_years(engine, partner):
    errors = _errors(engine, partner, **_ok(engine, day=date(2028, 6, 1), attendance=None, occurrences=52))
    assert "trop lointaine" in errors["occurrences"]


def test_gathering_needs_no_sector_and_takes_an_organiser(engine):
    coord = actor_for(engine, "coordination")
    with session_scope(engine=engine) as s:
        city = s.execute(select(Organisation.id).where(Organisation.short_name == "Ville de Brest")).scalar_one()
    with session_scope("coordination", engine=engine) as s:
        (ev,) = record_event(
            s,
            coord,
            EventEntry(kind="gathering", sector_ids=[], day=date(2026, 6, 20), start_time=time(18), organiser_id=city),
        )
        assert ev.organiser_id == city and ev.sectors == []


def test_update_and_soft_delete_are_audited_and_owner_only(engine, partner):
    with session_scope("partenaire", engine=engine) as s:
        (ev,) = record_event(s, partner, EventEntry(**_ok(engine)))
        ev_id = ev.id
    with session_scope("partenaire", engine=engine) as s:
        update_event(
            s,
            partner,
            ev_id,
            replace(event_entry(s, ev_id), attendance="9", notes="Beaucoup de questions sur la résiliation"),
        )
    landlord = actor_for(engine, "bailleur")
    with pytest.raises(PermissionDenied), session_scope("bailleur", engine=engine) as s:
        delete_event(s, landlord, ev_id, "pas à moi")
    with pytest.raises(ValidationError) as exc, session_scope("partenaire", engine=engine) as s:
        delete_event(s, partner, ev_id, "  ")
    assert "raison" in exc.value.errors["reason"]
    with session_scope("partenaire", engine=engine) as s:
        delete_event(s, partner, ev_id, "Saisie en double")
    with session_scope(engine=engine) as s:
        ev = s.get(Event, ev_id)
        assert ev.attendance == 9 and ev.deleted_reason == "Saisie en double" and ev.deleted_at is not None
        log = s.execute(
            select(AuditLog.action, AuditLog.before, AuditLog.after, AuditLog.reason)
            .where(AuditLog.table_name == "event", AuditLog.row_id == str(ev_id))
            .order_by(AuditLog.id)
        ).all()
    assert [r.action for r in log] == ["create", "update", "delete"]
    assert log[1].before["attendance"] == 7 and log[1].after["attendance"] == 9
    assert log[2].reason == "Saisie en double"
    # A deleted event can no longer be corrected.
    with pytest.raises(ValidationError), session_scope("partenaire", engine=engine) as s:
        update_event(s, partner, ev_id, replace(event_entry(s, ev_id), attendance="3"))


def test_coordinator_may_correct_anyone(engine, partner):
    with session_scope("partenaire", engine=engine) as s:
        (ev,) = record_event(s, partner, EventEntry(**_ok(engine)))
        ev_id = ev.id
    coord = actor_for(engine, "coordination")
    with session_scope("coordination", engine=engine) as s:
        update_event(
            s, coord, ev_id, replace(event_entry(s, ev_id), sector_ids=[_sector(engine, "kerourien")], day=TODAY)
        )
    with session_scope(engine=engine) as s:
        assert [x.code for x in s.get(Event, ev_id).sectors] == ["kerourien"]


def test_the_same_event_saved_twice_within_minutes_waits_for_a_confirmation(engine):
    partner = actor_for(engine, "partenaire")
    with session_scope("partenaire", engine=engine) as s:
        record_event(s, partner, EventEntry(**_ok(engine)))
    with pytest.raises(WarningsNotAcknowledged) as warn, session_scope("partenaire", engine=engine) as s:
        record_event(s, partner, EventEntry(**_ok(engine)))
    assert warn.value.warnings["repeat"].startswith("Vous avez déjà enregistré un événement identique à ")
    with session_scope("partenaire", engine=engine) as s:
        record_event(s, partner, EventEntry(**_ok(engine, attendance="8")))  # another figure: another drop-in
        record_event(s, partner, EventEntry(**_ok(engine)), repeat_confirmed=True)
    with engine.connect() as conn:
        saved = conn.execute(
            select(Event.attendance).where(Event.created_by == "partenaire", Event.place == "Maison de quartier")
        )
        assert sorted(saved.scalars()) == [7, 7, 8]
