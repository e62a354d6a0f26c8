"""Recording events (meetings, information actions, half-days, workshops, drop-ins, gatherings).

`record_event` validates every field first (French messages keyed by field, `ValidationError`),
checks the actor's role and sector scope, then writes one event, or a whole series (weekly
drop-ins, a workshop cycle) as one `EventSeries` and its events in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from ihs import clock
from ihs.models import Event, EventSeries, Organisation, Sector
from ihs.users import Actor, PermissionDenied, require, sectors_in_scope
from ihs.validation import (
    MAX_REASON,
    REQUIRED,
    ValidationError,
    WarningsNotAcknowledged,
    check_date,
    check_time,
    clean_text,
    parse_int,
)
from ihs.vocab import EVENT_KINDS, EVENT_SUBKINDS

MAX_OCCURRENCES = 52  # a year of weekly drop-ins
# An entry identical to one the same person saved this many minutes ago is probably a second tap.
REPEAT_MINUTES = 10
DEFAULT_DURATION = timedelta(hours=2)
# Kinds that concern the whole programme rather than one sector.
SECTORLESS_KINDS = {"gathering"}


@dataclass(frozen=True)
class EventEntry:
    """An event as its form gives it: values as typed (a date as a date or « JJ/MM/AAAA », counts
    as text), checked by `validate_event`. `occurrences` dates `every_days` apart make a series."""

    kind: str
    subkind: str | None = None
    sector_ids: Sequence[Any] = ()
    day: Any = None
    start_time: Any = None
    place: str | None = None
    organiser_id: Any = None
    attendance: Any = None
    reach: Any = None
    notes: str | None = None
    title: str | None = None
    occurrences: Any = 1
    every_days: Any = 7


@dataclass(frozen=True)
class SectorChoice:
    """A sector offered in an entry form: its id, code and name."""

    id: int
    code: str
    name: str


def entry_sector_choices(db: Engine, actor: Actor) -> list[SectorChoice]:
    """Sectors the actor may enter data for (a partner: its organisation's sectors)."""
    with Session(db) as s:
        scope = sectors_in_scope(s, actor)
        rows = s.execute(select(Sector.id, Sector.code, Sector.name).order_by(Sector.name)).all()
    return [SectorChoice(r.id, r.code, r.name) for r in rows if scope is None or r.id in scope]


# Built once: every visit and event form checks its sectors (statement building was half the check).
_KNOWN_SECTORS = select(Sector.id).where(Sector.id.in_(bindparam("ids", expanding=True)))


def check_sectors(
    session: Session, actor: Actor, errors: dict[str, str], field: str, sector_ids: Iterable, *, required: bool = True
) -> list[int]:
    """Known sectors within the actor's scope; messages under `field` otherwise."""
    ids: list[int] = []
    for raw in sector_ids or []:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            errors[field] = f"Secteur inconnu : « {raw} »."
            return []
    ids = list(dict.fromkeys(ids))
    if not ids:
        if required:
            errors[field] = "Choisissez au moins un secteur."
        return []
    known = set(session.execute(_KNOWN_SECTORS, {"ids": ids}).scalars())
    if unknown := [i for i in ids if i not in known]:
        errors[field] = f"Secteur inconnu (n° {unknown[0]})."
        return []
    scope = sectors_in_scope(session, actor)
    if scope is not None and any(i not in scope for i in ids):
        errors[field] = "Ce secteur n'est pas dans le périmètre de votre organisation."
        return []
    return ids


def _check_organiser(session: Session, errors: dict[str, str], organiser_id) -> int | None:
    if organiser_id in (None, ""):
        return None
    try:
        oid = int(organiser_id)
    except (TypeError, ValueError):
        oid = None
    if oid is None or session.get(Organisation, oid) is None:
        errors["organiser_id"] = "Organisateur inconnu."
        return None
    return oid


def _default_title(session: Session, kind: str, subkind: str | None, sector_ids: list[int]) -> str:
    label = EVENT_SUBKINDS.get(kind, {}).get(subkind) if subkind else None
    label = label or EVENT_KINDS[kind]
    if sector_ids:
        names = session.execute(select(Sector.name).where(Sector.id.in_(sector_ids)).order_by(Sector.name)).scalars()
        label = f"{label} – {', '.join(names)}"
    return label[:200]


def validate_event(session: Session, actor: Actor, entry: EventEntry, *, today: date | None = None) -> dict:
    """Clean values of an event form, or ValidationError with every problem keyed by field."""
    today = today or clock.today()
    errors: dict[str, str] = {}
    kind, subkind = entry.kind, entry.subkind
    if kind not in EVENT_KINDS:
        errors["kind"] = "Type d'événement inconnu."
    subkinds = EVENT_SUBKINDS.get(kind, {})
    if subkinds:
        if subkind in (None, ""):
            errors["subkind"] = REQUIRED
        elif subkind not in subkinds:
            errors["subkind"] = "Précision inconnue pour ce type d'événement."
    else:
        subkind = None
    sectors = check_sectors(
        session, actor, errors, "sector_ids", entry.sector_ids, required=kind not in SECTORLESS_KINDS
    )
    day = check_date(errors, "day", entry.day, today=today)
    start = check_time(errors, "start_time", entry.start_time)
    place = clean_text(errors, "place", entry.place, max_len=200)
    organiser = _check_organiser(session, errors, entry.organiser_id)
    attendance = parse_int(errors, "attendance", entry.attendance)
    reach = parse_int(errors, "reach", entry.reach)
    notes = clean_text(errors, "notes", entry.notes)
    title = clean_text(errors, "title", entry.title, max_len=200)
    n = parse_int(errors, "occurrences", entry.occurrences, required=True, minimum=1, maximum=MAX_OCCURRENCES)
    step = parse_int(errors, "every_days", entry.every_days, required=True, minimum=1, maximum=365)
    if day and (attendance is not None or reach is not None) and day > today:
        # Attendance is counted once the event took place.
        field = "attendance" if attendance is not None else "reach"
        errors[field] = "La participation se saisit après l'événement : laissez vide pour une date à venir."
    if day and n and step and n > 1:
        last = day + timedelta(days=step * (n - 1))
        check_date(errors, "occurrences", last, today=today)
    if errors:
        raise ValidationError(errors)
    return dict(
        kind=kind,
        subkind=subkind,
        sector_ids=sectors,
        starts_at=datetime.combine(day, start),
        place=place,
        organiser_id=organiser,
        attendance=attendance,
        reach=reach,
        notes=notes,
        title=title or _default_title(session, kind, subkind, sectors),
        occurrences=n,
        every_days=step,
    )


def _numbered(v: dict, n: int) -> str:
    """The title of the event `n` (from 0) of a validated entry: « Atelier (2/10) » in a series."""
    return v["title"] if v["occurrences"] == 1 else f"{v['title']} ({n + 1}/{v['occurrences']})"[:200]


def record_event(
    session: Session, actor: Actor, entry: EventEntry, *, today: date | None = None, repeat_confirmed: bool = False
) -> list[Event]:
    """Write one event, or a series of `occurrences` events `every_days` apart (one transaction).

    Attendance and reach apply to the first date only: later ones have not happened yet. The same
    event saved again by the same person within minutes waits for `repeat_confirmed`.
    """
    require(actor, "events", session)
    v = validate_event(session, actor, entry, today=today)
    if not repeat_confirmed:
        same = {k: v[k] for k in ("kind", "subkind", "starts_at", "place", "attendance", "reach", "notes")}
        check_not_repeated(session, actor, Event, same | {"title": _numbered(v, 0)}, "un événement")
    sectors = list(session.execute(select(Sector).where(Sector.id.in_(v["sector_ids"]))).scalars())
    series = None
    if v["occurrences"] > 1:
        series = EventSeries(kind=v["kind"], title=v["title"], planned_sessions=v["occurrences"])
        session.add(series)
        session.flush()
    events = []
    for n in range(v["occurrences"]):
        starts = v["starts_at"] + timedelta(days=v["every_days"] * n)
        title = _numbered(v, n)
        ev = Event(
            kind=v["kind"],
            subkind=v["subkind"],
            title=title,
            starts_at=starts,
            ends_at=starts + DEFAULT_DURATION,
            place=v["place"],
            organiser_id=v["organiser_id"],
            attendance=v["attendance"] if n == 0 else None,
            reach=v["reach"] if n == 0 else None,
            notes=v["notes"],
            series_id=series.id if series else None,
            session_no=n + 1 if series else None,
            source="saisie",
            created_by=actor.username,
        )
        ev.sectors = sectors
        session.add(ev)
        events.append(ev)
    session.flush()
    return events


def check_not_repeated(session: Session, actor: Actor, model: type[Event] | Any, same: dict, what: str) -> None:
    """Refuse, until confirmed, an entry identical to one the same person saved in the last
    `REPEAT_MINUTES` minutes (`same`: the columns that make it identical): on a phone, a second
    tap on « Enregistrer » must not count the same door-to-door round twice.

    Raises WarningsNotAcknowledged under the field « repeat »; the page asks « Enregistrer quand
    même » and the write is called again with the confirmation."""
    since = clock.now() - timedelta(minutes=REPEAT_MINUTES)
    same_values = [getattr(model, k).is_(None) if v is None else getattr(model, k) == v for k, v in same.items()]
    stmt = (
        select(model.created_at)
        .where(model.created_by == actor.username, model.created_at >= since, model.deleted_at.is_(None), *same_values)
        .order_by(model.created_at.desc())
        .limit(1)
    )
    at = session.execute(stmt).scalar_one_or_none()
    if at is not None:
        raise WarningsNotAcknowledged(
            {
                "repeat": f"Vous avez déjà enregistré {what} identique à {at:%H:%M}. S'il s'agit bien d'une "
                "autre saisie, cochez « Enregistrer quand même » puis enregistrez."
            }
        )


def owned_entry(session: Session, actor: Actor, model: type[Event] | Any, row_id: int, field: str) -> Any:
    """An event or a visit the actor may correct: one they entered, or any for the coordination.

    A missing or deleted row is a French error under `field`; another person's, PermissionDenied."""
    row = session.get(model, int(row_id))
    if row is None or row.deleted_at is not None:
        raise ValidationError({field: "Cette saisie n'existe pas ou a été supprimée."})
    if not actor.can("all_entries") and row.created_by != actor.username:
        raise PermissionDenied("Vous ne pouvez modifier que vos propres saisies.")
    return row


def stored_entry(session: Session, model: type[Event] | Any, row_id: int, missing: str) -> Any:
    """The stored event or visit `row_id`, which its correction form starts from; when there is
    none, the French message `missing` under `<table>_id`."""
    row = session.get(model, int(row_id))
    if row is None:
        raise ValidationError({f"{model.__tablename__}_id": missing})
    return row


def soft_delete(session: Session, actor: Actor, model: type[Event] | Any, row_id: int, reason: str) -> Any:
    """Delete an event or a visit the actor may correct, keeping the row with when and why (the
    audit log records a delete). The reason is required."""
    text = check_reason(reason)
    row = owned_entry(session, actor, model, row_id, f"{model.__tablename__}_id")
    row.deleted_at = clock.now()
    row.deleted_reason = text
    session.flush()
    return row


def event_entry(session: Session, event_id: int) -> EventEntry:
    """The stored event as its form would give it (a correction starts from it)."""
    ev = stored_entry(session, Event, event_id, "Cet événement n'existe pas ou a été supprimé.")
    return EventEntry(
        kind=ev.kind,
        subkind=ev.subkind,
        sector_ids=[s.id for s in ev.sectors],
        day=ev.starts_at.date(),
        start_time=ev.starts_at.time(),
        place=ev.place,
        organiser_id=ev.organiser_id,
        attendance=ev.attendance,
        reach=ev.reach,
        notes=ev.notes,
        title=ev.title,
    )


def update_event(session: Session, actor: Actor, event_id: int, entry: EventEntry) -> Event:
    """Correct an event to `entry` (same checks as a new one, one date); the audit log keeps the old values."""
    require(actor, "events", session)
    ev = owned_entry(session, actor, Event, event_id, "event_id")
    v = validate_event(session, actor, replace(entry, occurrences=1, every_days=7))
    duration = (ev.ends_at - ev.starts_at) if ev.ends_at else DEFAULT_DURATION
    for key in ("kind", "subkind", "place", "organiser_id", "attendance", "reach", "notes", "title", "starts_at"):
        if getattr(ev, key) != v[key]:
            setattr(ev, key, v[key])
    if ev.ends_at != ev.starts_at + duration:
        ev.ends_at = ev.starts_at + duration
    if sorted(s.id for s in ev.sectors) != sorted(v["sector_ids"]):
        ev.sectors = list(session.execute(select(Sector).where(Sector.id.in_(v["sector_ids"]))).scalars())
    session.flush()
    return ev


def check_reason(reason) -> str:
    """The reason given for a deletion, cleaned; `ValidationError` under "reason" when it is
    missing or longer than MAX_REASON characters."""
    errors: dict[str, str] = {}
    text = clean_text(errors, "reason", reason, required=True, max_len=MAX_REASON)
    if errors:
        if errors["reason"] == REQUIRED:
            errors["reason"] = "Indiquez la raison de la suppression (elle est conservée)."
        raise ValidationError(errors)
    return text


def delete_event(session: Session, actor: Actor, event_id: int, reason: str) -> Event:
    """Soft delete of an event (`soft_delete`)."""
    require(actor, "events", session)
    return soft_delete(session, actor, Event, event_id, reason)
