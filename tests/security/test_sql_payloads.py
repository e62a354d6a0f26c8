"""SQL-looking text typed in a form or a file is stored or refused as data, never run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ihs.db import session_scope
from ihs.events import EventEntry, record_event
from ihs.imports import apply_import, check_rows
from ihs.models import Event, Sector, SectorPartner, User, Visit
from ihs.users import Actor
from ihs.visits import VisitEntry, record_visit
from tests.conftest import TODAY

PAYLOADS = [
    "'; DROP TABLE sector; --",
    'Robert"); DROP TABLE event; --',
    "1 OR 1=1",
    "x' UNION SELECT password_hash FROM app_user --",
    "%' AND 1=0 --",
]


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(Sector)).scalar(),
            conn.execute(select(func.count()).select_from(User)).scalar(),
            conn.execute(select(func.count()).select_from(Event)).scalar(),
        )


def _partner(engine) -> tuple[Actor, int]:
    with engine.connect() as conn:
        org = conn.execute(select(User.organisation_id).where(User.username == "partenaire")).scalar()
        sector = conn.execute(select(SectorPartner.sector_id).where(SectorPartner.organisation_id == org)).scalar()
    return Actor("partenaire", "partner", org), sector


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_sql_in_form_text_is_stored_literally_and_runs_nothing(engine, payload):
    sectors, users, events = _counts(engine)
    partner, sector = _partner(engine)
    with session_scope("partenaire", engine=engine) as s:
        [event] = record_event(
            s,
            partner,
            EventEntry(
                kind="dropin",
                sector_ids=[sector],
                day=TODAY - timedelta(days=1),
                start_time="14:00",
                place=payload,
                title=payload,
                notes=payload,
            ),
        )
        visit = record_visit(
            s,
            partner,
            VisitEntry(
                kind="dropin", sector_id=sector, occurred_on=TODAY - timedelta(days=1), people_seen=2, notes=payload
            ),
        )
        event_id, visit_id = event.id, visit.id
    assert _counts(engine) == (sectors, users, events + 1)
    with engine.connect() as conn:
        assert conn.execute(select(Event.title, Event.notes, Event.place).where(Event.id == event_id)).one() == (
            payload,
            payload,
            payload,
        )
        assert conn.execute(select(Visit.notes).where(Visit.id == visit_id)).scalar() == payload


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_sql_in_an_import_file_is_an_unknown_sector(engine, payload):
    sectors, users, events = _counts(engine)
    operator = Actor("operateur", "operator")
    data = f"Secteur;Date;Abonnés\n{payload};01/11/2026;12\n".encode()
    with session_scope("operateur", engine=engine) as s:
        preview = check_rows(s, operator, "subscribers", "abonnes.csv", data, TODAY)
        [row] = preview.rows
        assert row.errors and "Secteur inconnu" in row.errors[0]
        result = apply_import(s, operator, preview, only_valid=True)
        assert result.created == 0
    assert _counts(engine) == (sectors, users, events)
