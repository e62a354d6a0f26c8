"""Steering-committee meetings: frozen figures stay frozen; decisions are recorded and followed up."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ihs import meetings as mt
from ihs.db import session_scope
from ihs.models import AuditLog, Decision, Meeting, Sector, SubscriberCount
from ihs.queries.overview import summary
from ihs.users import Actor, PermissionDenied
from ihs.validation import ValidationError
from tests.conftest import TODAY

COORD = Actor("coordination", "coordinator")
FROZEN = TODAY - timedelta(days=10)


def _open(engine, title="Comité de pilotage d'automne", held_on=TODAY, frozen=FROZEN) -> int:
    with session_scope(COORD.username, engine=engine) as s:
        return mt.open_meeting(s, COORD, title=title, held_on=held_on, frozen_as_of=frozen).id


def _sector(engine, code: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Sector.id).where(Sector.code == code)).scalar_one()


def test_no_meeting_no_freeze(engine):
    assert mt.active_freeze(engine) is None
    assert mt.frozen_summary(engine) is None
    assert mt.active_meeting(engine) is None


def test_opening_a_meeting_freezes_the_summary(engine):
    _open(engine)
    assert mt.active_freeze(engine) == FROZEN
    assert mt.active_meeting(engine)["title"] == "Comité de pilotage d'automne"
    assert mt.frozen_summary(engine) == summary(engine, FROZEN)
    with engine.connect() as conn:
        snapshot = conn.execute(select(Meeting.snapshot).where(Meeting.is_open.is_(True))).scalar_one()
    stored = sum(s["subscribers"] or 0 for s in snapshot["sectors"])  # the sectors' figures are kept too
    assert stored == summary(engine, FROZEN)["subscribers"]


def test_frozen_figures_ignore_back_dated_data(engine):
    _open(engine)
    frozen = mt.frozen_summary(engine)
    # The operator sends a late count, dated before the freeze: live figures change…
    with session_scope("operateur", engine=engine) as s:
        s.add(
            SubscriberCount(
                sector_id=_sector(engine, "keredern"), as_of=FROZEN - timedelta(days=1), subscribers=900, source="test"
            )
        )
    assert summary(engine, FROZEN)["subscribers"] != frozen["subscribers"]
    # …the meeting still discusses the frozen ones.
    assert mt.frozen_summary(engine) == frozen
    assert mt.frozen_summary(engine)["subscribers"] == frozen["subscribers"]


def test_closing_returns_to_live_figures_and_keeps_the_snapshot(engine):
    meeting_id = _open(engine)
    with session_scope(COORD.username, engine=engine) as s:
        mt.close_meeting(s, COORD, meeting_id)
    assert mt.active_freeze(engine) is None and mt.frozen_summary(engine) is None
    past = mt.meetings(engine)
    assert list(past["id"]) == [meeting_id] and not past["is_open"].iloc[0]
    with pytest.raises(ValidationError), session_scope(COORD.username, engine=engine) as s:
        mt.close_meeting(s, COORD, meeting_id)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"title": "  "}, "title", "intitulé"),
        ({"title": "x" * 201}, "title", "trop long"),
        ({"frozen_as_of": TODAY + timedelta(days=1)}, "frozen_as_of", "Date dans le futur"),
        ({"frozen_as_of": None}, "frozen_as_of", "Indiquez"),
        ({"held_on": None}, "held_on", "Indiquez"),
    ],
)
def test_open_meeting_validation(engine, fields, field, words):
    args = {"title": "Comité", "held_on": TODAY, "frozen_as_of": FROZEN, **fields}
    with pytest.raises(ValidationError) as err, session_scope(COORD.username, engine=engine) as s:
        mt.open_meeting(s, COORD, **args)
    assert words in err.value.errors[field]
    assert mt.active_meeting(engine) is None


def test_only_one_meeting_open_at_a_time(engine):
    _open(engine)
    with pytest.raises(ValidationError) as err, session_scope(COORD.username, engine=engine) as s:
        mt.open_meeting(s, COORD, title="Autre", held_on=TODAY, frozen_as_of=TODAY)
    assert "déjà ouverte" in err.value.errors["meeting"]


@pytest.mark.parametrize("role", ["landlord", "operator", "partner", "viewer"])
def test_only_the_coordinator_runs_meetings(engine, role):
    with pytest.raises(PermissionDenied), session_scope("x", engine=engine) as s:
        mt.open_meeting(s, Actor("x", role), title="Comité", held_on=TODAY, frozen_as_of=TODAY)


def test_decisions_are_recorded_audited_and_followed_up(engine):
    first = _open(engine, title="Comité de printemps", held_on=date(2026, 4, 2), frozen=date(2026, 3, 31))
    sector = _sector(engine, "keranroux")
    with session_scope(COORD.username, engine=engine) as s:
        mt.record_decision(
            s,
            COORD,
            meeting_id=first,
            text="Relancer le porte-à-porte à Keranroux",
            sector_id=sector,
            owner="Maison de quartier",
            due_on=date(2026, 6, 1),
        )
        mt.record_decision(s, COORD, meeting_id=first, text="Préparer la rencontre annuelle")
        mt.close_meeting(s, COORD, first)
    with engine.connect() as conn:
        logged = conn.execute(
            select(func.count()).select_from(AuditLog).where(AuditLog.table_name == "decision")
        ).scalar_one()
    assert logged == 2
    second = _open(engine, title="Comité d'automne")
    follow = mt.decisions(engine, before_meeting_id=second, open_only=True)
    assert set(follow["text"]) == {"Relancer le porte-à-porte à Keranroux", "Préparer la rencontre annuelle"}
    shown = mt.decisions_display(follow)
    assert list(shown.columns) == ["Échéance", "Décision", "Secteur", "Responsable", "Séance", "État"]
    assert "01/06/2026" in set(shown["Échéance"]) and "Tout le dispositif" in set(shown["Secteur"])
    on_sector = mt.sector_decisions(engine, sector, TODAY)
    assert list(on_sector["text"]) == ["Relancer le porte-à-porte à Keranroux"]
    with session_scope(COORD.username, engine=engine) as s:
        mt.set_decision_done(s, COORD, int(on_sector["id"].iloc[0]))
    follow = mt.decisions(engine, before_meeting_id=second, open_only=True)
    assert list(follow["text"]) == ["Préparer la rencontre annuelle"]
    assert mt.decisions(engine, meeting_id=second).empty


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": " "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"owner": "x" * 201}, "owner"),
        ({"due_on": TODAY - timedelta(days=1)}, "due_on"),
        ({"sector_id": 999_999}, "sector"),
        ({"meeting_id": 0}, "meeting"),
    ],
)
def test_decision_validation_writes_nothing(engine, fields, field):
    meeting_id = _open(engine)
    args = {"meeting_id": meeting_id, "text": "Une décision", **fields}
    with pytest.raises(ValidationError) as err, session_scope(COORD.username, engine=engine) as s:
        mt.record_decision(s, COORD, **args)
    assert field in err.value.errors
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Decision)).scalar_one() == 0
