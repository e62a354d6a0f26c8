"""Recording visits and support: door-to-door rounds, drop-ins, legal advice, equipment sales,
workshop attendance. Counts and outcomes only: no tenant's name is ever asked or stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ihs import clock
from ihs.events import check_not_repeated, check_sectors, owned_entry, soft_delete, stored_entry
from ihs.formats import fr_date
from ihs.models import Event, EventSector, Visit
from ihs.users import Actor, require, sectors_in_scope
from ihs.validation import REQUIRED, ValidationError, check_date, clean_text, parse_int, parse_money
from ihs.vocab import DROPIN_TOPICS, VISIT_KINDS

DEFAULT_COMPUTER_PRICE = Decimal("40")  # the recyclerie's price (domain.md); the form may change it

# The count fields each kind of visit asks for; the first ones are required.
FIELDS = {
    "door_to_door": (("doors_knocked", "doors_answered"), ("documents_left",)),
    "dropin": (("people_seen",), ()),
    "legal": (("offers_compared", "contracts_terminated"), ()),
    "equipment": (("computers_sold",), ()),
}
# French labels of the form fields (short enough for a phone).
LABELS = {
    "doors_knocked": "Portes frappées",
    "doors_answered": "Portes ouvertes",
    "documents_left": "Documents laissés",
    "people_seen": "Personnes reçues",
    "offers_compared": "Offres comparées",
    "contracts_terminated": "Anciens contrats résiliés",
    "computers_sold": "Ordinateurs vendus",
    "price_per_computer": "Prix par ordinateur (€)",
}
COUNT_FIELDS = sorted({f for req, opt in FIELDS.values() for f in req + opt})


@dataclass(frozen=True)
class VisitEntry:
    """A visit as its form gives it: values as typed (counts as text, a date as a date or
    « JJ/MM/AAAA »), checked by `validate_visit`. Only the counts of its kind (`FIELDS`) are read."""

    kind: str
    sector_id: Any = None
    occurred_on: Any = None
    doors_knocked: Any = None
    doors_answered: Any = None
    documents_left: Any = None
    people_seen: Any = None
    offers_compared: Any = None
    contracts_terminated: Any = None
    computers_sold: Any = None
    topics: Any = None
    price_per_computer: Any = None
    notes: str | None = None


def _topics(errors: dict[str, str], topics) -> str | None:
    if topics in (None, "", []):
        return None
    items = topics.split(",") if isinstance(topics, str) else list(topics)
    codes = []
    for item in items:
        code = str(item).strip()
        if code not in DROPIN_TOPICS:
            errors["topics"] = f"Thème inconnu : « {code[:40]} »."
            return None
        if code not in codes:
            codes.append(code)
    return ",".join(codes) or None


def validate_visit(session: Session, actor: Actor, entry: VisitEntry, *, today: date | None = None) -> dict:
    """Clean values of a visit form, or ValidationError with every problem keyed by field."""
    today = today or clock.today()
    errors: dict[str, str] = {}
    kind = entry.kind
    if kind not in VISIT_KINDS:
        raise ValidationError({"kind": "Type de visite inconnu."})
    if entry.sector_id in (None, ""):
        errors["sector_id"] = "Choisissez le secteur."
        sectors = []
    else:
        sectors = check_sectors(session, actor, errors, "sector_id", [entry.sector_id])
    # A visit has taken place: no future date.
    day = check_date(errors, "occurred_on", entry.occurred_on, today=today, future=False)
    required, optional = FIELDS[kind]
    values: dict = dict.fromkeys(COUNT_FIELDS)
    for field in required:
        values[field] = parse_int(errors, field, getattr(entry, field), required=True)
    for field in optional:
        values[field] = parse_int(errors, field, getattr(entry, field))
    # A part never exceeds its whole: doors answered of those knocked, terminations of offers compared.
    for part, whole, message in (
        ("doors_answered", "doors_knocked", "Il ne peut pas y avoir plus de portes ouvertes que de portes frappées."),
        (
            "contracts_terminated",
            "offers_compared",
            "Il ne peut pas y avoir plus de résiliations que d'offres comparées.",
        ),
    ):
        if values[part] is not None and values[whole] is not None and values[part] > values[whole]:
            errors[part] = message
    values["topics"] = _topics(errors, entry.topics) if kind == "dropin" else None
    values["amount_eur"] = None
    if kind == "equipment":
        price = parse_money(errors, "price_per_computer", entry.price_per_computer)
        if price is None and "price_per_computer" not in errors:
            price = DEFAULT_COMPUTER_PRICE
        if price is not None and values["computers_sold"] is not None:
            values["amount_eur"] = price * values["computers_sold"]
    values["notes"] = clean_text(errors, "notes", entry.notes)
    if errors:
        raise ValidationError(errors)
    return dict(kind=kind, sector_id=sectors[0], occurred_on=day, **values)


def record_visit(session: Session, actor: Actor, entry: VisitEntry, *, repeat_confirmed: bool = False) -> Visit:
    """Write one visit (counts and outcomes only). The same visit saved again by the same person
    within minutes waits for `repeat_confirmed` (`events.check_not_repeated`)."""
    require(actor, "visits", session)
    v = validate_visit(session, actor, entry)
    if not repeat_confirmed:
        check_not_repeated(session, actor, Visit, v, "une visite")
    visit = Visit(**v, organisation_id=actor.organisation_id, source="saisie", created_by=actor.username)
    session.add(visit)
    session.flush()
    return visit


def visit_entry(session: Session, visit_id: int) -> VisitEntry:
    """The stored visit as its form would give it (a correction starts from it)."""
    visit = stored_entry(session, Visit, visit_id, "Cette saisie n'existe pas ou a été supprimée.")
    price = None
    if visit.kind == "equipment" and visit.computers_sold:
        price = (visit.amount_eur or 0) / visit.computers_sold
    counts = {f: getattr(visit, f) for f in COUNT_FIELDS}
    return VisitEntry(
        kind=visit.kind,
        sector_id=visit.sector_id,
        occurred_on=visit.occurred_on,
        topics=visit.topics,
        price_per_computer=price,
        notes=visit.notes,
        **counts,
    )


def update_visit(session: Session, actor: Actor, visit_id: int, entry: VisitEntry) -> Visit:
    """Correct a visit to `entry` (same checks as a new one); the audit log keeps the old values."""
    require(actor, "visits", session)
    visit = owned_entry(session, actor, Visit, visit_id, "visit_id")
    v = validate_visit(session, actor, entry)
    for key, value in v.items():
        # Only changed columns are set, so the audit log lists exactly what was corrected.
        if getattr(visit, key) != value:
            setattr(visit, key, value)
    session.flush()
    return visit


def delete_visit(session: Session, actor: Actor, visit_id: int, reason: str) -> Visit:
    """Soft delete of a visit (`events.soft_delete`)."""
    require(actor, "visits", session)
    return soft_delete(session, actor, Visit, visit_id, reason)


def entry_workshop_sessions(db: Engine, actor: Actor, today: date, days: int = 400) -> list[tuple[int, str]]:
    """Workshop sessions of the actor's sectors held in the last `days` days, newest first."""
    with Session(db) as s:
        scope = sectors_in_scope(s, actor)
        stmt = (
            select(Event.id, Event.title, Event.starts_at)
            .where(
                Event.kind == "workshop",
                Event.deleted_at.is_(None),
                Event.starts_at < datetime.combine(today + timedelta(days=1), datetime.min.time()),
                Event.starts_at >= datetime.combine(today - timedelta(days=days), datetime.min.time()),
            )
            .order_by(Event.starts_at.desc())
            .limit(200)
        )
        if scope is not None:
            stmt = stmt.where(
                Event.id.in_(select(EventSector.event_id).where(EventSector.sector_id.in_(scope or [-1])))
            )
        rows = s.execute(stmt).all()
    return [(r.id, f"{fr_date(r.starts_at)} – {r.title}") for r in rows]


def record_workshop_attendance(
    session: Session, actor: Actor, *, event_id, attendance, returning_participants=None, today: date | None = None
) -> Event:
    """Attendance of one workshop session (and how many came back from earlier sessions)."""
    require(actor, "visits", session)
    today = today or clock.today()
    errors: dict[str, str] = {}
    ev = None
    if event_id in (None, ""):
        errors["event_id"] = REQUIRED
    else:
        ev = session.get(Event, int(event_id))
        if ev is None or ev.deleted_at is not None or ev.kind != "workshop":
            errors["event_id"] = "Séance d'atelier inconnue."
            ev = None
    present = parse_int(errors, "attendance", attendance, required=True)
    returning = parse_int(errors, "returning_participants", returning_participants)
    if present is not None and returning is not None and returning > present:
        errors["returning_participants"] = "Les habitués ne peuvent pas être plus nombreux que les présents."
    if ev is not None:
        if ev.starts_at.date() > today:
            errors["event_id"] = "Cette séance n'a pas encore eu lieu."
        scope = sectors_in_scope(session, actor)
        if scope is not None and not any(s.id in scope for s in ev.sectors):
            errors["event_id"] = "Cette séance n'est pas dans le périmètre de votre organisation."
    if errors:
        raise ValidationError(errors)
    if ev.attendance != present:
        ev.attendance = present
    if ev.returning_participants != returning:
        ev.returning_participants = returning
    session.flush()
    return ev
