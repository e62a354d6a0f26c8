"""The programme's data model (SQLAlchemy 2.0, typed). Alembic migrations own the schema.

Tenants never appear here: every record about people is a count or an outcome.
Codes in string columns come from `ihs.vocab`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ihs import clock

# Deterministic constraint names, so SQLite batch migrations and PostgreSQL agree.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every table, with deterministic constraint names (`NAMING`)."""

    metadata = MetaData(naming_convention=NAMING)


# Partial indexes for the dashboards, which never count deleted entries (migration 0007, issue 7).
_LIVE = text("deleted_at IS NULL")
# Summed by the support dashboards; `deleted_at` too, so SQLite reads the partial index alone.
_VISIT_SUMMED = (
    "people_seen",
    "offers_compared",
    "contracts_terminated",
    "computers_sold",
    "amount_eur",
    "topics",
    "deleted_at",
)


class SoftDelete:
    """Partner-entered rows are never removed: a deletion keeps the row and its reason."""

    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_reason: Mapped[str | None] = mapped_column(String(500))


class Setting(Base):
    """Programme settings (pipeline durations, default turnover…), as JSON values."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[dict | list | str | int | float | None] = mapped_column(JSON)


class Organisation(Base):
    """A partner organisation of a kind in `vocab.ORGANISATION_KINDS` (city, landlord, operator,
    facility…)."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(40))
    # A deactivated organisation stays in history but is no longer offered in choices.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Sector(Base):
    """A neighbourhood of the programme (`vocab.SECTOR_KINDS`): its landlord and facility, its map
    position and outline (GeoJSON text), and the day it left the programme, if it did."""

    __tablename__ = "sector"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="qpv")
    qpv_code: Mapped[str | None] = mapped_column(String(20))
    landlord_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    geojson: Mapped[str | None] = mapped_column(Text)
    geo_source: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    # A sector that left the programme: kept in history, out of the figures from this date.
    archived_on: Mapped[date | None] = mapped_column(Date)

    landlord: Mapped[Organisation | None] = relationship(foreign_keys=[landlord_id])
    facility: Mapped[Organisation | None] = relationship(foreign_keys=[facility_id])


class SectorPartner(Base):
    """Which organisations act in a sector (scope of a partner's entries)."""

    __tablename__ = "sector_partner"
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    role: Mapped[str | None] = mapped_column(String(120))


class SectorDwellings(Base):
    """Number of dwellings of a sector, valid from a date until the next row."""

    __tablename__ = "sector_dwellings"
    __table_args__ = (UniqueConstraint("sector_id", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    dwellings: Mapped[int]
    source: Mapped[str] = mapped_column(String(120), default="")


class Offer(Base):
    """An operator's offer; its prices are its `Tariff` rows, the sectors on it `SectorOffer` rows."""

    __tablename__ = "offer"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    description: Mapped[str | None] = mapped_column(Text)
    operator: Mapped[Organisation | None] = relationship()


class Tariff(Base):
    """Price per dwelling per month of an offer, valid from a date until the next row."""

    __tablename__ = "tariff"
    __table_args__ = (UniqueConstraint("offer_id", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    monthly_price_eur: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    source: Mapped[str] = mapped_column(String(200), default="")


class SectorOffer(Base):
    """Which offer a sector is on from a date until its next row; no offer (`offer_id` None)
    means its dwellings are not charged. Cost figures use it (`ihs.queries.uptake.collective_cost`)."""

    __tablename__ = "sector_offer"
    __table_args__ = (UniqueConstraint("sector_id", "valid_from"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id"))
    valid_from: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200), default="")


class Deployment(Base):
    """One run of the pipeline in one sector (a sector rejected once may be proposed again)."""

    __tablename__ = "deployment"
    id: Mapped[int] = mapped_column(primary_key=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), index=True)
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id"))
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    year: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)

    sector: Mapped[Sector] = relationship()
    stages: Mapped[list[DeploymentStage]] = relationship(back_populates="deployment", cascade="all, delete-orphan")


class DeploymentStage(Base):
    """A stage of the pipeline (see `vocab.STAGES`) with planned and actual dates."""

    __tablename__ = "deployment_stage"
    __table_args__ = (UniqueConstraint("deployment_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"))
    stage: Mapped[str] = mapped_column(String(20))
    planned_start: Mapped[date | None] = mapped_column(Date)
    planned_end: Mapped[date | None] = mapped_column(Date)
    actual_start: Mapped[date | None] = mapped_column(Date)
    actual_end: Mapped[date | None] = mapped_column(Date)

    deployment: Mapped[Deployment] = relationship(back_populates="stages")


class Ballot(Base):
    """The tenants' ballot of a deployment: one vote per dwelling, counts only."""

    __tablename__ = "ballot"
    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), index=True)
    opens_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)
    registered: Mapped[int]
    rule: Mapped[str] = mapped_column(String(30), default="majority_of_votes")
    quorum_pct: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(20), default="planned")
    count_place: Mapped[str | None] = mapped_column(String(200))
    validated_at: Mapped[datetime | None] = mapped_column(DateTime)
    validated_by: Mapped[str | None] = mapped_column(String(80))
    locked_at: Mapped[datetime | None] = mapped_column(DateTime)
    locked_by: Mapped[str | None] = mapped_column(String(80))
    unlock_reason: Mapped[str | None] = mapped_column(String(500))
    # Outcome as validated (None until then): "adopted" / "rejected".
    outcome: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(120), default="")

    places: Mapped[list[PollingPlace]] = relationship(back_populates="ballot")


class PollingPlace(Base):
    """A place where a ballot's voters sign in (`vocab.POLLING_PLACE_KINDS`); turnout is reported
    per place."""

    __tablename__ = "polling_place"
    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="other")

    ballot: Mapped[Ballot] = relationship(back_populates="places")


class TurnoutReport(Base):
    """Cumulative number of voters at one polling place, read from its sign-in sheet."""

    __tablename__ = "turnout_report"
    __table_args__ = (Index("ix_turnout_ballot_place_time", "ballot_id", "place_id", "reported_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"))
    place_id: Mapped[int] = mapped_column(ForeignKey("polling_place.id"))
    reported_at: Mapped[datetime] = mapped_column(DateTime)
    voters: Mapped[int]
    is_correction: Mapped[bool] = mapped_column(Boolean, default=False)
    correction_reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)


class BallotCount(Base):
    """One independent entry of the public count (double entry: entry 1 and entry 2)."""

    __tablename__ = "ballot_count"
    __table_args__ = (UniqueConstraint("ballot_id", "entry_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id"))
    entry_no: Mapped[int]
    yes: Mapped[int]
    no: Mapped[int]
    blank: Mapped[int]
    void: Mapped[int]
    in_box: Mapped[int]
    warnings_note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str | None] = mapped_column(String(80))
    entered_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)


class SubscriberCount(Base):
    """A sector's number of subscribers on a day, one count per sector and day."""

    __tablename__ = "subscriber_count"
    __table_args__ = (UniqueConstraint("sector_id", "as_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"))
    as_of: Mapped[date] = mapped_column(Date, index=True)
    subscribers: Mapped[int]
    source: Mapped[str] = mapped_column(String(120), default="")
    created_by: Mapped[str | None] = mapped_column(String(80))


class MoveIn(Base):
    """Households that moved into a sector in a month (landlord data)."""

    __tablename__ = "move_in"
    __table_args__ = (UniqueConstraint("sector_id", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"))
    month: Mapped[date] = mapped_column(Date)
    move_ins: Mapped[int]
    source: Mapped[str] = mapped_column(String(120), default="")
    created_by: Mapped[str | None] = mapped_column(String(80))


class EventSeries(Base):
    """A recurring series (weekly drop-ins, a workshop cycle), created in one go."""

    __tablename__ = "event_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    planned_sessions: Mapped[int | None]


class Event(SoftDelete, Base):
    """An event of a kind in `vocab.EVENT_KINDS` (meeting, information action, workshop session…),
    linked to the sectors it concerns (`EventSector`); a workshop session belongs to its `EventSeries`."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_starts_kind", "starts_at", "kind"),
        Index("ix_event_live_kind", "kind", "starts_at", "deleted_at", sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_event_author", "created_by", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subkind: Mapped[str | None] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    place: Mapped[str | None] = mapped_column(String(200))
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # People present (meetings, sessions, drop-ins) or reached (letters, flyers, doors).
    attendance: Mapped[int | None]
    reach: Mapped[int | None]
    # Workshop sessions: participants who had come to an earlier session of the cycle.
    returning_participants: Mapped[int | None]
    series_id: Mapped[int | None] = mapped_column(ForeignKey("event_series.id"), index=True)
    session_no: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(120), default="")

    sectors: Mapped[list[Sector]] = relationship(secondary="event_sector")


class EventSector(Base):
    """Which sectors an event concerns (one event may concern several)."""

    __tablename__ = "event_sector"
    __table_args__ = (Index("ix_event_sector_sector", "sector_id", "event_id"),)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"), primary_key=True)
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"), primary_key=True)


class Visit(SoftDelete, Base):
    """Support given, as counts and outcomes (see `vocab.VISIT_KINDS`); never a name."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_sector_kind_date", "sector_id", "kind", "occurred_on"),
        Index("ix_visit_live_date", "occurred_on", "kind", *_VISIT_SUMMED, sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_visit_live_kind", "kind", "occurred_on", *_VISIT_SUMMED, sqlite_where=_LIVE, postgresql_where=_LIVE),
        Index("ix_visit_author", "created_by", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    sector_id: Mapped[int] = mapped_column(ForeignKey("sector.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    doors_knocked: Mapped[int | None]
    doors_answered: Mapped[int | None]
    documents_left: Mapped[int | None]
    people_seen: Mapped[int | None]
    # Drop-in topics, comma-separated codes of `vocab.DROPIN_TOPICS`.
    topics: Mapped[str | None] = mapped_column(String(200))
    offers_compared: Mapped[int | None]
    contracts_terminated: Mapped[int | None]
    computers_sold: Mapped[int | None]
    amount_eur: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(120), default="")


# What a visit records beside its kind, sector and day, in the table's column order: the counts,
# the drop-in topics and the equipment amount (each kind fills its own, the others stay NULL).
VISIT_FIGURES = (
    "doors_knocked",
    "doors_answered",
    "documents_left",
    "people_seen",
    "topics",
    "offers_compared",
    "contracts_terminated",
    "computers_sold",
    "amount_eur",
)


class Meeting(Base):
    """A steering-committee meeting; `frozen_as_of` freezes the figures discussed."""

    __tablename__ = "meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    frozen_as_of: Mapped[date | None] = mapped_column(Date)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    snapshot: Mapped[dict | None] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(80))


class Decision(Base):
    """A decision of the steering committee, from a meeting and possibly about one sector: its text,
    who is responsible, its due date and whether it is done."""

    __tablename__ = "decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)


class User(Base):
    """A login account: its role (`vocab.ROLES`), its organisation (a partner's scope), its bcrypt
    password hash, and its lock after failed logins (`ihs.users.record_login`)."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=clock.now)

    organisation: Mapped[Organisation | None] = relationship()


class DataVersion(Base):
    """One row, a counter that every committed write raises in its own transaction.

    Each app server caches dashboard reads under the version it last saw (`ihs.ui.data`), so a
    write made through another server (or the command line) reaches its pages at their next
    refresh instead of when the cache expires.
    """

    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditLog(Base):
    """Every write: who, when, which table and row, the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_table_at", "table_name", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    action: Mapped[str] = mapped_column(String(20))
    table_name: Mapped[str] = mapped_column(String(60))
    row_id: Mapped[str | None] = mapped_column(String(60))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(500))
