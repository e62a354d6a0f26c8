"""Figures of one year, for the annual report and the presentation slides (SQL-aggregated).

A year's figures are read "as of" its last day (or today, for the year under way), and compared
with the previous year's last day.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import Engine, and_, case, extract, func, or_, select, union_all

from ihs import clock
from ihs.models import (
    Ballot,
    BallotCount,
    Deployment,
    DeploymentStage,
    Event,
    Sector,
    SubscriberCount,
    TurnoutReport,
    Visit,
)
from ihs.queries.overview import summary
from ihs.queries.sectors import COVERED_STAGES, sector_status


def year_end(year: int) -> date:
    """The day a year's figures are read: 31 December, or today for the year under way."""
    return min(date(year, 12, 31), clock.today())


def _bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1), datetime.combine(year_end(year), time.max)


def years_with_data(db: Engine) -> list[int]:
    """Years from the first deployment stage (or count) to today, latest first."""
    firsts = union_all(
        select(func.min(DeploymentStage.actual_start).label("d")),
        select(func.min(SubscriberCount.as_of).label("d")),
    ).subquery()
    with db.connect() as conn:
        first = conn.execute(select(func.min(firsts.c.d))).scalar_one_or_none()
    if first is None:
        return []
    if isinstance(first, str):  # SQLite returns the ISO text of a MIN over a union
        first = date.fromisoformat(first[:10])
    return list(range(clock.today().year, first.year - 1, -1))


def has_data(db: Engine, year: int) -> bool:
    """Whether anything happened in `year`: a stage, a subscriber count, an event or a visit."""
    start, end = _bounds(year)
    checks = [
        select(DeploymentStage.id).where(DeploymentStage.actual_start.between(start.date(), end.date())).limit(1),
        select(SubscriberCount.id).where(SubscriberCount.as_of.between(start.date(), end.date())).limit(1),
        select(Event.id).where(Event.starts_at.between(start, end), Event.deleted_at.is_(None)).limit(1),
        select(Visit.id)
        .where(Visit.occurred_on.between(start.date(), end.date()), Visit.deleted_at.is_(None))
        .limit(1),
    ]
    if year > clock.today().year:
        return False
    with db.connect() as conn:
        return any(conn.execute(stmt).first() is not None for stmt in checks)


# ---- key figures


def year_figures(db: Engine, year: int) -> dict:
    """The year's summary and the previous year's, plus what happened during the year."""
    current = summary(db, year_end(year))
    previous = summary(db, date(year - 1, 12, 31))
    deps = deployments_of_year(db, year)
    # Boolean masks built as such: on a year without a deployment, an empty object-typed mask
    # would select columns, not rows (and the report crashed with KeyError: 'sector').
    started = deps.loc[[d is not None and d.year == year for d in deps["implementation_start"]]]
    ballots = deps.loc[[d is not None and d.year == year for d in deps["ballot_start"]]]
    return {
        "year": year,
        "as_of": year_end(year),
        "current": current,
        "previous": previous,
        "new_sectors": list(started["sector"]),
        "ballots": int(len(ballots)),
        "ballots_adopted": int((ballots["outcome"] == "adopted").sum()),
        "ballots_rejected": int((ballots["outcome"] == "rejected").sum()),
    }


def yearly_trend(db: Engine, year: int, first: int | None = None) -> pd.DataFrame:
    """Dwellings covered and subscribers at each year end up to `year` (one summary per year)."""
    years = years_with_data(db)
    first = first or (min(years) if years else year)
    rows = []
    for y in range(first, year + 1):
        s = summary(db, year_end(y))
        rows.append({"year": y, "dwellings": s["dwellings_covered"], "subscribers": s["subscribers"]})
    return pd.DataFrame(rows, columns=["year", "dwellings", "subscribers"])


# ---- deployments and ballots


def _stages():
    def col(stage: str, field: str):
        return func.max(case((DeploymentStage.stage == stage, getattr(DeploymentStage, f"actual_{field}")))).label(
            f"{stage}_{field}"
        )

    return (
        select(
            DeploymentStage.deployment_id,
            col("information", "start"),
            col("information", "end"),
            col("ballot", "start"),
            col("ballot", "end"),
            col("implementation", "start"),
            col("implementation", "end"),
        )
        .group_by(DeploymentStage.deployment_id)
        .subquery("stg")
    )


def _latest_turnout():
    """Subquery: voters so far per ballot (latest cumulative report of each place, summed)."""
    last = (
        select(TurnoutReport.place_id, func.max(TurnoutReport.reported_at).label("at"))
        .group_by(TurnoutReport.place_id)
        .subquery()
    )
    per_place = (
        select(TurnoutReport.ballot_id, func.max(TurnoutReport.voters).label("voters"))
        .join(last, and_(last.c.place_id == TurnoutReport.place_id, last.c.at == TurnoutReport.reported_at))
        .group_by(TurnoutReport.ballot_id, TurnoutReport.place_id)
        .subquery()
    )
    return (
        select(per_place.c.ballot_id, func.sum(per_place.c.voters).label("voters"))
        .group_by(per_place.c.ballot_id)
        .subquery("turn")
    )


def deployments_of_year(db: Engine, year: int) -> pd.DataFrame:
    """Deployments with an information period, a ballot or an implementation in `year`.

    Columns: sector_id, sector, information_start, ballot_start, ballot_end, implementation_start,
    registered, voters, turnout, yes, no, blank, void, yes_share, outcome, ballot_status.
    Ballot figures are the validated count (entry 1) once validated, else the turnout so far.
    """
    start, end = date(year, 1, 1), year_end(year)
    stg = _stages()
    turn = _latest_turnout()
    counted = Ballot.status.in_(["validated", "locked"])
    in_year = or_(
        stg.c.information_start.between(start, end),
        stg.c.ballot_start.between(start, end),
        stg.c.implementation_start.between(start, end),
    )
    stmt = (
        select(
            Sector.id.label("sector_id"),
            Sector.name.label("sector"),
            stg.c.information_start,
            stg.c.ballot_start,
            stg.c.ballot_end,
            stg.c.implementation_start,
            Ballot.registered,
            case((counted, BallotCount.in_box), else_=turn.c.voters).label("voters"),
            case((counted, BallotCount.yes)).label("yes"),
            case((counted, BallotCount.no)).label("no"),
            case((counted, BallotCount.blank)).label("blank"),
            case((counted, BallotCount.void)).label("void"),
            Ballot.outcome,
            Ballot.status.label("ballot_status"),
        )
        .select_from(Deployment)
        .join(Sector, Sector.id == Deployment.sector_id)
        .join(stg, stg.c.deployment_id == Deployment.id)
        .outerjoin(Ballot, Ballot.deployment_id == Deployment.id)
        .outerjoin(BallotCount, and_(BallotCount.ballot_id == Ballot.id, BallotCount.entry_no == 1))
        .outerjoin(turn, turn.c.ballot_id == Ballot.id)
        .where(in_year)
        .order_by(func.coalesce(stg.c.ballot_start, stg.c.information_start), Sector.name)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    for col in ("information_start", "ballot_start", "ballot_end", "implementation_start"):
        df[col] = pd.to_datetime(df[col]).dt.date
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    # Events after the year's end are not part of the year: hide later stages.
    for col in ("information_start", "ballot_start", "implementation_start"):
        df[col] = df[col].map(lambda d: d if d is not None and d <= end else None)
    df["turnout"] = (df["voters"] / df["registered"]).astype("Float64")
    expressed = df["yes"] + df["no"]
    df["yes_share"] = (df["yes"] / expressed.where(expressed > 0)).astype("Float64")
    return df


# ---- uptake


def uptake_on(db: Engine, as_of: date) -> pd.DataFrame:
    """Covered sectors on `as_of`: name, dwellings, subscribers, uptake (highest first)."""
    df = sector_status(db, as_of)
    df = df[df["stage"].isin(COVERED_STAGES)][["sector_id", "name", "dwellings", "subscribers", "uptake"]]
    return df.sort_values("uptake", ascending=False).reset_index(drop=True)


def year_uptake_by_sector(db: Engine, year: int) -> pd.DataFrame:
    """Covered sectors at the year's end: dwellings, subscribers, uptake, and last year's uptake."""
    now = sector_status(db, year_end(year))
    before = sector_status(db, date(year - 1, 12, 31))[["sector_id", "uptake", "subscribers"]]
    now = now[now["stage"].isin(COVERED_STAGES)]
    df = now.merge(before, on="sector_id", how="left", suffixes=("", "_previous"))
    cols = ["sector_id", "name", "stage", "deployed_on", "dwellings", "subscribers", "subscribers_previous"]
    return df[cols + ["uptake", "uptake_previous"]].sort_values("uptake", ascending=False).reset_index(drop=True)


# ---- support


SUPPORT_INDICATORS = [
    ("workshop_sessions", "Séances d'ateliers numériques"),
    ("workshop_attendance", "Participations aux ateliers"),
    ("dropins", "Permanences tenues"),
    ("dropin_people", "Personnes reçues en permanence"),
    ("legal", "Accompagnements juridiques"),
    ("offers_compared", "Offres comparées (CLCV, CSF)"),
    ("contracts_terminated", "Résiliations accompagnées"),
    ("computers_sold", "Ordinateurs reconditionnés vendus"),
    ("doors_knocked", "Portes frappées (porte-à-porte)"),
    ("implementation_days", "Demi-journées de mise en œuvre"),
]


def _support_counts(db: Engine, start: datetime, end: datetime) -> dict[str, int]:
    live_event = and_(Event.deleted_at.is_(None), Event.starts_at.between(start, end))
    ev = select(
        func.sum(case((Event.kind == "workshop", 1), else_=0)).label("workshop_sessions"),
        func.sum(case((Event.kind == "workshop", Event.attendance), else_=0)).label("workshop_attendance"),
        func.sum(case((Event.kind == "dropin", 1), else_=0)).label("dropins"),
        func.sum(case((Event.kind == "implementation", 1), else_=0)).label("implementation_days"),
    ).where(live_event)
    vi = select(
        func.sum(case((Visit.kind == "dropin", Visit.people_seen), else_=0)).label("dropin_people"),
        func.sum(case((Visit.kind == "legal", 1), else_=0)).label("legal"),
        func.sum(Visit.offers_compared).label("offers_compared"),
        func.sum(Visit.contracts_terminated).label("contracts_terminated"),
        func.sum(Visit.computers_sold).label("computers_sold"),
        func.sum(Visit.doors_knocked).label("doors_knocked"),
    ).where(Visit.deleted_at.is_(None), Visit.occurred_on.between(start.date(), end.date()))
    with db.connect() as conn:
        out = dict(conn.execute(ev).mappings().one())
        out.update(conn.execute(vi).mappings().one())
    return {k: int(v or 0) for k, v in out.items()}


def support_of_year(db: Engine, year: int) -> pd.DataFrame:
    """One row per support indicator: code, label, value this year, value last year."""
    now = _support_counts(db, *_bounds(year))
    before = _support_counts(db, datetime(year - 1, 1, 1), datetime.combine(date(year - 1, 12, 31), time.max))
    return pd.DataFrame(
        [{"code": c, "indicator": label, "value": now[c], "previous": before[c]} for c, label in SUPPORT_INDICATORS]
    )


def support_by_month(db: Engine, year: int) -> pd.DataFrame:
    """People reached each month of `year`: workshop participations and drop-in visitors."""
    start, end = _bounds(year)
    month_e = extract("month", Event.starts_at)
    month_v = extract("month", Visit.occurred_on)
    ws = (
        select(month_e.label("month"), func.sum(Event.attendance).label("people"))
        .where(Event.kind == "workshop", Event.deleted_at.is_(None), Event.starts_at.between(start, end))
        .group_by(month_e)
    )
    dr = (
        select(month_v.label("month"), func.sum(Visit.people_seen).label("people"))
        .where(Visit.kind == "dropin", Visit.deleted_at.is_(None), Visit.occurred_on.between(start.date(), end.date()))
        .group_by(month_v)
    )
    with db.connect() as conn:
        a = pd.read_sql(ws, conn).assign(activity="Ateliers numériques")
        b = pd.read_sql(dr, conn).assign(activity="Permanences")
    df = pd.concat([a, b], ignore_index=True)
    df["month"] = df["month"].astype(int)
    df["people"] = df["people"].fillna(0).astype(int)
    df["date"] = [date(year, m, 1) for m in df["month"]]
    return df[["date", "month", "activity", "people"]]


# ---- calendar


def stage_timeline(db: Engine, start: date, end: date) -> pd.DataFrame:
    """Stages (actual dates, else planned) overlapping [start, end]: sector, stage, start, end."""
    s_start = func.coalesce(DeploymentStage.actual_start, DeploymentStage.planned_start)
    s_end = func.coalesce(DeploymentStage.actual_end, DeploymentStage.planned_end, s_start)
    stmt = (
        select(
            Sector.name.label("sector"),
            DeploymentStage.stage,
            s_start.label("start"),
            s_end.label("end"),
            (DeploymentStage.actual_start.is_not(None)).label("actual"),
        )
        .join(Deployment, Deployment.id == DeploymentStage.deployment_id)
        .join(Sector, Sector.id == Deployment.sector_id)
        .where(s_start <= end, s_end >= start, DeploymentStage.stage.in_(["information", "ballot", "implementation"]))
        .order_by(s_start)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["start"] = pd.to_datetime(df["start"]).dt.date
    df["end"] = pd.to_datetime(df["end"]).dt.date
    return df


# ---- exports

# French names of the exportable tables (`ihs.exports.EXPORTABLE`), for the export menu.
EXPORT_LABELS = {
    "sector": "Secteurs",
    "sector_dwellings": "Logements par secteur (historique)",
    "sector_partner": "Partenaires par secteur",
    "organisation": "Organisations",
    "offer": "Offres",
    "tariff": "Tarifs",
    "sector_offer": "Offre de chaque secteur (historique)",
    "deployment": "Déploiements",
    "deployment_stage": "Étapes des déploiements",
    "ballot": "Scrutins",
    "polling_place": "Bureaux de vote",
    "turnout_report": "Relevés de participation",
    "ballot_count": "Dépouillements (double saisie)",
    "subscriber_count": "Relevés d'abonnés",
    "move_in": "Emménagements",
    "event_series": "Séries d'événements",
    "event": "Événements",
    "event_sector": "Événements par secteur",
    "visit": "Visites et accompagnement",
    "meeting": "Séances du comité de pilotage",
    "decision": "Décisions du comité de pilotage",
    "audit_log": "Journal des modifications",
}


def export_choices(tables) -> dict[str, str]:
    """Table name → French label, sorted by label; unknown tables keep their name."""
    return dict(sorted(((t, EXPORT_LABELS.get(t, t)) for t in tables), key=lambda kv: kv[1]))
