"""Every write function in `ihs` checks its actor itself, before writing anything.

The pages hide what a role may not do, but the rule lives in `ihs`: each write function is
called here with every role that lacks the permission, and must raise PermissionDenied with
nothing added, changed or deleted in the session (which is then committed, to be sure) and
no row changed in the database.

WRITE_FUNCTIONS lists them explicitly, with the roles allowed; a test fails when a new public
function of `ihs` looks like a write (its name, and a `session` parameter) without being listed.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import MetaData, func, select

import ihs
from ihs.db import session_scope
from ihs.events import EventEntry, event_entry
from ihs.imports import Preview, RowCheck
from ihs.models import Ballot, Decision, Event, Meeting, PollingPlace, Sector, SectorPartner, User, Visit
from ihs.reference import SectorInput
from ihs.users import Actor, PermissionDenied
from ihs.visits import VisitEntry
from ihs.vocab import ROLES
from tests.conftest import NOW, TODAY

COORD = ("coordinator",)
LANDLORD = ("coordinator", "landlord")
ENTRY = ("coordinator", "landlord", "partner")


def _ids(engine) -> dict:
    """Real ids of the demo database, so that only the permission can fail."""
    with engine.connect() as conn:
        ballot = conn.execute(select(Ballot.id).where(Ballot.status == "open").order_by(Ballot.id)).scalar()
        place = conn.execute(select(PollingPlace.id).where(PollingPlace.ballot_id == ballot)).scalars().first()
        partner_org = conn.execute(select(User.organisation_id).where(User.username == "partenaire")).scalar()
        sector = conn.execute(
            select(SectorPartner.sector_id).where(SectorPartner.organisation_id == partner_org)
        ).scalar()
        event = conn.execute(select(Event.id).where(Event.deleted_at.is_(None)).order_by(Event.id)).scalar()
        workshop = conn.execute(select(Event.id).where(Event.kind == "workshop").order_by(Event.id)).scalar()
        visit = conn.execute(select(Visit.id).where(Visit.deleted_at.is_(None)).order_by(Visit.id)).scalar()
        meeting = conn.execute(select(Meeting.id).order_by(Meeting.id)).scalar()
        decision = conn.execute(select(Decision.id).order_by(Decision.id)).scalar()
        plannable = conn.execute(select(Sector.id).order_by(Sector.id.desc())).scalar()
    return dict(
        ballot=ballot,
        place=place,
        sector=sector,
        event=event or 1,
        workshop=workshop or 1,
        visit=visit or 1,
        meeting=meeting or 1,
        decision=decision or 1,
        plannable=plannable,
    )


def _preview(kind: str) -> Preview:
    row = RowCheck(2, "Kerourien", "01/11/2026", "12", sector_id=1, sector_name="Kerourien", day=date(2026, 11, 1))
    row.value = 12
    return Preview(kind, "fichier.csv", [row])


# function -> (roles allowed, arguments after (session, actor))
WRITE_FUNCTIONS = {
    "ihs.ballots.record_turnout": (
        LANDLORD,
        lambda i: dict(ballot_id=i["ballot"], place_id=i["place"], voters=1, reported_at=NOW),
    ),
    "ihs.ballots.setup_ballot": (
        LANDLORD,
        lambda i: dict(
            sector_id=i["sector"],
            opens_at=NOW + timedelta(days=30),
            closes_at=NOW + timedelta(days=35),
            registered=400,
            places=[{"name": "Maison de quartier", "kind": "facility"}],
        ),
    ),
    "ihs.ballots.save_milestones": (LANDLORD, lambda i: dict(ballot_id=i["ballot"], milestones=[])),
    "ihs.ballots.enter_count": (
        LANDLORD,
        lambda i: dict(ballot_id=i["ballot"], entry_no=1, yes=10, no=5, blank=0, void=0, in_box=15),
    ),
    "ihs.ballots.validate_count": (LANDLORD, lambda i: dict(ballot_id=i["ballot"])),
    "ihs.ballots.lock_result": (COORD, lambda i: dict(ballot_id=i["ballot"])),
    "ihs.ballots.unlock_result": (COORD, lambda i: dict(ballot_id=i["ballot"], reason="erreur de saisie")),
    "ihs.events.record_event": (
        ENTRY,
        lambda i: dict(
            entry=EventEntry(
                kind="dropin", sector_ids=[i["sector"]], day=TODAY - timedelta(days=1), start_time="14:00", attendance=5
            )
        ),
    ),
    "ihs.events.update_event": (
        ENTRY,
        lambda i: dict(event_id=i["event"], entry=EventEntry(kind="dropin", sector_ids=[i["sector"]], notes="corrigé")),
    ),
    "ihs.events.delete_event": (ENTRY, lambda i: dict(event_id=i["event"], reason="doublon")),
    "ihs.visits.record_visit": (
        ENTRY,
        lambda i: dict(
            entry=VisitEntry(
                kind="door_to_door",
                sector_id=i["sector"],
                occurred_on=TODAY - timedelta(days=1),
                doors_knocked=20,
                doors_answered=8,
            )
        ),
    ),
    "ihs.visits.update_visit": (
        ENTRY,
        lambda i: dict(visit_id=i["visit"], entry=VisitEntry(kind="dropin", sector_id=i["sector"], notes="corrigé")),
    ),
    "ihs.visits.delete_visit": (ENTRY, lambda i: dict(visit_id=i["visit"], reason="doublon")),
    "ihs.visits.record_workshop_attendance": (ENTRY, lambda i: dict(event_id=i["workshop"], attendance=8)),
    "ihs.imports.apply_import[subscribers]": (
        ("coordinator", "operator"),
        lambda i: dict(preview=_preview("subscribers")),
    ),
    "ihs.imports.apply_import[move_ins]": (LANDLORD, lambda i: dict(preview=_preview("move_ins"))),
    "ihs.imports.check_rows[subscribers]": (
        ("coordinator", "operator"),
        lambda i: dict(
            kind_code="subscribers",
            filename="a.csv",
            data="Secteur;Date;Abonnés\nKerourien;01/11/2026;12\n".encode(),
            today=TODAY,
        ),
    ),
    "ihs.meetings.open_meeting": (
        COORD,
        lambda i: dict(title="Comité", held_on=TODAY, frozen_as_of=TODAY),
    ),
    "ihs.meetings.close_meeting": (COORD, lambda i: dict(meeting_id=i["meeting"])),
    "ihs.meetings.record_decision": (COORD, lambda i: dict(meeting_id=i["meeting"], text="Relancer l'information")),
    "ihs.meetings.set_decision_done": (COORD, lambda i: dict(decision_id=i["decision"])),
    "ihs.planning.record_stage_dates": (
        COORD,
        lambda i: dict(deployment_id=1, stage="information", actual_start=TODAY),
    ),
    "ihs.planning.plan_deployment": (COORD, lambda i: dict(sector_id=i["plannable"], milestones=[])),
    "ihs.presentation.save_slides": (COORD, lambda i: dict(codes=["overview"])),
    "ihs.users.add_user": (
        COORD,
        lambda i: dict(username="intrus", name="Intrus", role="coordinator", password="motdepasse-long", rounds=4),
    ),
    "ihs.users.reset_password": (COORD, lambda i: dict(username="coordination", password="nouveau-mdp-123", rounds=4)),
    "ihs.users.set_active": (COORD, lambda i: dict(username="coordination", active=False)),
    "ihs.users.set_role": (COORD, lambda i: dict(username="lecture", role="coordinator")),
    "ihs.programme.set_setting": (COORD, lambda i: dict(key="pipeline.ballot_days", value=5)),
    "ihs.programme.reset_setting": (COORD, lambda i: dict(key="programme.name")),
    # Reference data (Administration pages, reference imports): the coordination only.
    "ihs.reference.save_organisation": (COORD, lambda i: dict(name="Intrus", kind="association")),
    "ihs.reference.set_organisation_active": (COORD, lambda i: dict(org_id=1, active=False)),
    "ihs.reference.delete_organisation": (COORD, lambda i: dict(org_id=1)),
    "ihs.reference.save_sector": (COORD, lambda i: dict(data=SectorInput(code="intrus", name="Intrus"))),
    "ihs.reference.set_sector_partners": (COORD, lambda i: dict(sector_id=i["sector"], partners=[])),
    "ihs.reference.add_dwellings": (
        COORD,
        lambda i: dict(sector_id=i["sector"], valid_from=TODAY, dwellings=10, source="intrus"),
    ),
    "ihs.reference.archive_sector": (
        COORD,
        lambda i: dict(sector_id=i["sector"], archived_on=TODAY, reason="intrus"),
    ),
    "ihs.reference.restore_sector": (COORD, lambda i: dict(sector_id=i["sector"])),
    "ihs.refimport.import_sectors": (
        COORD,
        lambda i: dict(filename="secteurs.csv", data=b"Secteur;Code\nIntrus;intrus\n"),
    ),
    "ihs.reference.save_offer": (COORD, lambda i: dict(name="Offre intruse")),
    "ihs.reference.add_tariff": (COORD, lambda i: dict(offer_id=1, valid_from=TODAY, price="1,00", source="intrus")),
    "ihs.reference.set_sector_offer": (
        COORD,
        lambda i: dict(sector_id=i["sector"], offer="none", valid_from=TODAY, source="intrus"),
    ),
}

# Writes that run without a user on purpose: the admin CLI and the login form.
NO_ACTOR_BY_DESIGN = {
    "ihs.demo.build_demo": "demo builder (CLI `demo load`, tests)",
    "ihs.demo.load_demo": "CLI `demo load`",
    "ihs.demo.clear_all": "CLI `demo load --reset`",
    "ihs.users.record_login": "the login form, before anyone is logged in",
}

WRITE_PREFIXES = (
    "record_",
    "update_",
    "delete_",
    "set_",
    "save_",
    "add_",
    "reset_",
    "enter_",
    "lock_",
    "unlock_",
    "setup_",
    "plan_",
    "open_",
    "close_",
    "apply_",
    "import_",
    "create_",
    "remove_",
    "validate_count",
    "clear_",
    "load_",
    "build_",
    "upsert_",
    "restore",
)


def _function(name: str):
    module, func_name = name.split("[")[0].rsplit(".", 1)
    return getattr(importlib.import_module(module), func_name)


def _public_functions():
    skip = ("ihs.ui", "ihs.migrations", "ihs.__main__", "ihs.cli", "ihs.backup")
    for info in pkgutil.walk_packages(ihs.__path__, "ihs."):
        if info.name.startswith(skip):
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == info.name and not name.startswith("_"):
                yield f"{info.name}.{name}", fn


def test_every_write_function_is_listed():
    listed = {name.split("[")[0] for name in WRITE_FUNCTIONS} | set(NO_ACTOR_BY_DESIGN)
    unlisted = []
    for name, fn in _public_functions():
        params = list(inspect.signature(fn).parameters)
        if params[:1] == ["session"] and fn.__name__.startswith(WRITE_PREFIXES) and name not in listed:
            unlisted.append(name)
    assert unlisted == [], "new write functions: add them to WRITE_FUNCTIONS with the roles allowed"


@pytest.mark.parametrize("name", sorted(WRITE_FUNCTIONS))
def test_every_write_function_takes_an_actor(name):
    params = list(inspect.signature(_function(name)).parameters)
    assert params[:2] == ["session", "actor"], f"{name}{params}: a write function takes (session, actor, ...)"


def _row_counts(engine) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in meta.sorted_tables}


def _denied_cases():
    for name, (allowed, _) in sorted(WRITE_FUNCTIONS.items()):
        for role in ROLES:
            if role not in allowed:
                yield pytest.param(name, role, id=f"{name.removeprefix('ihs.')}-{role}")


ACTORS = {
    "coordinator": Actor("coordination", "coordinator"),
    "landlord": Actor("bailleur", "landlord"),
    "operator": Actor("operateur", "operator"),
    "partner": Actor("partenaire", "partner"),  # organisation filled in from the database
    "viewer": Actor("lecture", "viewer"),
}


def _actor(engine, role: str) -> Actor:
    actor = ACTORS[role]
    with engine.connect() as conn:
        org = conn.execute(select(User.organisation_id).where(User.username == actor.username)).scalar()
    return Actor(actor.username, actor.role, org)


@pytest.mark.parametrize(("name", "role"), list(_denied_cases()))
def test_write_function_refuses_a_role_without_the_permission_and_writes_nothing(engine, name, role):
    _allowed, make_args = WRITE_FUNCTIONS[name]
    fn = _function(name)
    if list(inspect.signature(fn).parameters)[:2] != ["session", "actor"]:
        pytest.fail(f"{name} takes no actor: it cannot check one")
    actor = _actor(engine, role)
    args = make_args(_ids(engine))
    before = _row_counts(engine)
    with session_scope(actor.username, engine=engine) as s:
        with pytest.raises(PermissionDenied) as info:
            fn(s, actor, **args)
        assert not (s.new or s.dirty or s.deleted), f"{name} changed the session before refusing"
    assert _row_counts(engine) == before
    message = str(info.value)
    assert message and ("autorisé" in message or "périmètre" in message or "vos propres" in message)


def test_a_partner_cannot_write_outside_its_organisation_sectors(engine):
    partner = _actor(engine, "partner")
    with engine.connect() as conn:
        own = set(
            conn.execute(
                select(SectorPartner.sector_id).where(SectorPartner.organisation_id == partner.organisation_id)
            ).scalars()
        )
        other = conn.execute(select(Sector.id).where(Sector.id.not_in(own)).order_by(Sector.id)).scalar()
    from ihs.events import record_event
    from ihs.validation import ValidationError
    from ihs.visits import record_visit

    before = _row_counts(engine)
    attempts = [
        lambda s: record_event(
            s, partner, EventEntry(kind="dropin", sector_ids=[other], day=TODAY - timedelta(days=1), start_time="14:00")
        ),
        lambda s: record_visit(
            s, partner, VisitEntry(kind="dropin", sector_id=other, occurred_on=TODAY - timedelta(days=1), people_seen=3)
        ),
    ]
    for attempt in attempts:
        with (
            pytest.raises((PermissionDenied, ValidationError)) as info,
            session_scope(partner.username, engine=engine) as s,
        ):
            attempt(s)
        assert "périmètre" in str(info.value)
    assert _row_counts(engine) == before


def test_a_partner_cannot_change_someone_elses_entry(engine):
    """Corrections and deletions are limited to one's own entries (the coordinator excepted)."""
    from ihs.events import update_event

    partner = _actor(engine, "partner")
    with engine.connect() as conn:
        foreign = conn.execute(
            select(Event.id).where(Event.created_by.is_distinct_from("partenaire"), Event.deleted_at.is_(None))
        ).scalar()
    with pytest.raises(PermissionDenied), session_scope(partner.username, engine=engine) as s:
        update_event(s, partner, foreign, replace(event_entry(s, foreign), notes="pas à moi"))
