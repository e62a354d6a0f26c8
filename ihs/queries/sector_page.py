"""Everything the sector page shows about one sector (by its code), as of a date."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import Engine, case, func, select

from ihs.models import (
    Ballot,
    BallotCount,
    Decision,
    Deployment,
    DeploymentStage,
    Event,
    EventSector,
    Meeting,
    Organisation,
    Sector,
    SectorPartner,
    TurnoutReport,
    Visit,
)
from ihs.queries.sectors import sector_status
from ihs.vocab import STAGES

FINAL_BALLOT_STATUSES = ("validated", "locked")


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max)


def sector_list(db: Engine) -> pd.DataFrame:
    """Every sector, by name (columns code, name)."""
    with db.connect() as conn:
        return pd.read_sql(select(Sector.code, Sector.name).order_by(Sector.name), conn)


def sector_profile(db: Engine, code: str, as_of: date) -> dict | None:
    """The sector's identity and where it stands: stage, dwellings, subscribers, uptake, facility."""
    stmt = (
        select(
            Sector.id,
            Sector.code,
            Sector.name,
            Sector.kind,
            Sector.qpv_code,
            Sector.notes,
            Sector.geo_source,
            Organisation.name.label("facility"),
        )
        .outerjoin(Organisation, Organisation.id == Sector.facility_id)
        .where(Sector.code == code)
    )
    with db.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    out = dict(row)
    status = sector_status(db, as_of)
    mine = status[status["code"] == code]
    keys = ("stage", "dwellings", "subscribers", "subscribers_as_of", "subscribers_source", "offer", "uptake")
    out.update(dict.fromkeys(keys))
    if len(mine):
        r = mine.iloc[0]
        for key in keys:
            value = r[key]
            out[key] = None if pd.isna(value) else (value.item() if hasattr(value, "item") else value)
    return out


def milestones(db: Engine, code: str) -> pd.DataFrame:
    """Stages of each deployment of the sector, planned and actual (pipeline order).

    Columns: deployment_id, year, stage, label, planned_start, planned_end, actual_start, actual_end.
    """
    order = case({s: i for i, s in enumerate(STAGES)}, value=DeploymentStage.stage, else_=99)
    stmt = (
        select(
            Deployment.id.label("deployment_id"),
            Deployment.year,
            DeploymentStage.stage,
            DeploymentStage.planned_start,
            DeploymentStage.planned_end,
            DeploymentStage.actual_start,
            DeploymentStage.actual_end,
        )
        .join(Deployment, Deployment.id == DeploymentStage.deployment_id)
        .join(Sector, Sector.id == Deployment.sector_id)
        .where(Sector.code == code)
        .order_by(Deployment.id, order)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df.insert(3, "label", df["stage"].map(STAGES))
    for col in ("planned_start", "planned_end", "actual_start", "actual_end"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def ballots(db: Engine, code: str, as_of: date) -> pd.DataFrame:
    """The sector's ballots opened by `as_of`, with the count (entry 1) once validated or locked.

    `voters` is the ballot-box count when known, else the latest turnout reports summed.
    Columns: ballot_id, opens_at, closes_at, status, registered, voters, yes, no, blank, void,
    outcome, turnout.
    """
    cutoff = _end_of(as_of)
    ranked = (
        select(
            TurnoutReport.ballot_id,
            TurnoutReport.voters,
            func.row_number()
            .over(
                partition_by=(TurnoutReport.ballot_id, TurnoutReport.place_id),
                order_by=(TurnoutReport.reported_at.desc(), TurnoutReport.id.desc()),
            )
            .label("rn"),
        )
        # This sector's ballots only (not all 400,000 readings at national scale).
        .where(
            TurnoutReport.reported_at <= cutoff,
            TurnoutReport.ballot_id.in_(
                select(Ballot.id).join(Sector, Sector.id == Ballot.sector_id).where(Sector.code == code)
            ),
        )
        .subquery()
    )
    reported = (
        select(ranked.c.ballot_id, func.sum(ranked.c.voters).label("reported"))
        .where(ranked.c.rn == 1)
        .group_by(ranked.c.ballot_id)
        .subquery()
    )
    final = Ballot.status.in_(FINAL_BALLOT_STATUSES)
    stmt = (
        select(
            Ballot.id.label("ballot_id"),
            Ballot.opens_at,
            Ballot.closes_at,
            Ballot.status,
            Ballot.registered,
            case((final, BallotCount.in_box), else_=reported.c.reported).label("voters"),
            case((final, BallotCount.yes)).label("yes"),
            case((final, BallotCount.no)).label("no"),
            case((final, BallotCount.blank)).label("blank"),
            case((final, BallotCount.void)).label("void"),
            case((final, Ballot.outcome)).label("outcome"),
        )
        .join(Sector, Sector.id == Ballot.sector_id)
        .outerjoin(BallotCount, (BallotCount.ballot_id == Ballot.id) & (BallotCount.entry_no == 1))
        .outerjoin(reported, reported.c.ballot_id == Ballot.id)
        .where(Sector.code == code, Ballot.opens_at <= cutoff)
        .order_by(Ballot.opens_at)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["turnout"] = (df["voters"] / df["registered"]).where(df["registered"] > 0)
    return df


def support_activity(db: Engine, code: str, as_of: date) -> pd.DataFrame:
    """Support given in the sector up to `as_of`, by kind of visit (deleted entries excluded).

    Columns: kind, entries, people_seen, doors_knocked, offers_compared, contracts_terminated,
    computers_sold, last_on.
    """
    stmt = (
        select(
            Visit.kind,
            func.count().label("entries"),
            func.sum(Visit.people_seen).label("people_seen"),
            func.sum(Visit.doors_knocked).label("doors_knocked"),
            func.sum(Visit.offers_compared).label("offers_compared"),
            func.sum(Visit.contracts_terminated).label("contracts_terminated"),
            func.sum(Visit.computers_sold).label("computers_sold"),
            func.max(Visit.occurred_on).label("last_on"),
        )
        .join(Sector, Sector.id == Visit.sector_id)
        .where(Sector.code == code, Visit.deleted_at.is_(None), Visit.occurred_on <= as_of)
        .group_by(Visit.kind)
        .order_by(Visit.kind)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["last_on"] = pd.to_datetime(df["last_on"]).dt.date
    return df


def events_by_kind(db: Engine, code: str, as_of: date) -> pd.DataFrame:
    """Events held in the sector up to `as_of`, by kind (columns kind, events, attendance, last_at)."""
    stmt = (
        select(
            Event.kind,
            func.count().label("events"),
            func.sum(Event.attendance).label("attendance"),
            func.max(Event.starts_at).label("last_at"),
        )
        .join(EventSector, EventSector.event_id == Event.id)
        .join(Sector, Sector.id == EventSector.sector_id)
        .where(Sector.code == code, Event.deleted_at.is_(None), Event.starts_at <= _end_of(as_of))
        .group_by(Event.kind)
        .order_by(func.count().desc())
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["last_at"] = pd.to_datetime(df["last_at"])
    return df


def last_information(db: Engine, code: str, as_of: date) -> dict | None:
    """The latest information action in the sector on or before `as_of` (title, subkind, starts_at, reach)."""
    stmt = (
        select(Event.title, Event.subkind, Event.starts_at, Event.reach)
        .join(EventSector, EventSector.event_id == Event.id)
        .join(Sector, Sector.id == EventSector.sector_id)
        .where(
            Sector.code == code,
            Event.kind == "information",
            Event.deleted_at.is_(None),
            Event.starts_at <= _end_of(as_of),
        )
        .order_by(Event.starts_at.desc())
        .limit(1)
    )
    with db.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["days_since"] = (as_of - out["starts_at"].date()).days
    return out


def partners(db: Engine, code: str) -> pd.DataFrame:
    """Organisations acting in the sector (columns name, kind, role)."""
    stmt = (
        select(Organisation.name, Organisation.kind, SectorPartner.role)
        .join(SectorPartner, SectorPartner.organisation_id == Organisation.id)
        .join(Sector, Sector.id == SectorPartner.sector_id)
        .where(Sector.code == code)
        .order_by(Organisation.name)
    )
    with db.connect() as conn:
        return pd.read_sql(stmt, conn)


def sector_decisions(db: Engine, code: str, as_of: date) -> pd.DataFrame:
    """Steering decisions about the sector taken by `as_of` (columns held_on, text, owner, due_on, done)."""
    stmt = (
        select(
            Meeting.held_on,
            Decision.text,
            Decision.owner,
            Decision.due_on,
            Decision.done,
        )
        .join(Sector, Sector.id == Decision.sector_id)
        .outerjoin(Meeting, Meeting.id == Decision.meeting_id)
        # Decisions of a meeting held after `as_of` were not yet taken on that date.
        .where(Sector.code == code, Meeting.held_on.is_(None) | (Meeting.held_on <= as_of))
        .order_by(Decision.created_at.desc())
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    for col in ("held_on", "due_on"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


# French column headings of the tables the sector page shows.
SUPPORT_LABELS = {
    "entries": "Saisies",
    "people_seen": "Personnes reçues",
    "doors_knocked": "Portes frappées",
    "offers_compared": "Offres comparées",
    "contracts_terminated": "Contrats résiliés",
    "computers_sold": "Ordinateurs vendus",
    "last_on": "Dernière saisie",
}
DECISION_LABELS = {
    "held_on": "Comité du",
    "text": "Décision",
    "owner": "Responsable",
    "due_on": "Échéance",
    "done": "Faite",
}
