"""Support activity in a year: workshops, drop-ins, legal advice, equipment (aggregated in SQL).

Soft-deleted events and visits (`deleted_at` set) never count. Only what happened on or before
`as_of` counts, so a frozen steering-committee date shows the figures of that day.
"""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import Date, Engine, and_, case, cast, extract, func, literal, select

from ihs.clock import end_of_day, year_bounds
from ihs.models import Event, EventSector, EventSeries, Sector, Visit
from ihs.queries.calendar import event_sector_names, starts_between
from ihs.vocab import DROPIN_TOPICS


def _period(year: int, as_of: date) -> tuple[date, date]:
    return date(year, 1, 1), min(date(year, 12, 31), as_of)


def _truncate(db: Engine, column, unit: str):
    """The first day of the week (Monday) or month of a date column, in the database's dialect."""
    if db.dialect.name == "postgresql":
        return cast(func.date_trunc(unit, column), Date)
    if unit == "week":
        # SQLite: back six days, then forward to the next Monday = the Monday on or before.
        return func.date(column, "-6 days", "weekday 1")
    return func.date(column, "start of month")


def _dates(df: pd.DataFrame, column: str) -> pd.DataFrame:
    df[column] = pd.to_datetime(df[column]).dt.date
    return df


def support_years(db: Engine, as_of: date) -> list[int]:
    """Years with some support activity recorded (most recent first)."""
    live = (Visit.deleted_at.is_(None), Visit.occurred_on <= as_of)
    # Two statements: min() and max() together make SQLite read the whole index (3 million rows
    # nationally); apart, each is one index seek.
    with db.connect() as conn:
        first = conn.execute(select(func.min(Visit.occurred_on)).where(*live)).scalar()
        last = conn.execute(select(func.max(Visit.occurred_on)).where(*live)).scalar()
    if first is None:
        return [as_of.year]
    first, last = pd.Timestamp(first).year, pd.Timestamp(last).year
    return list(range(max(last, as_of.year), first - 1, -1))


def _sessions_held(start: date, end: date) -> tuple:
    """Conditions of the events held from `start` to `end`: not deleted, attendance entered."""
    return (Event.deleted_at.is_(None), Event.attendance.is_not(None), *starts_between(start, end))


def workshop_sessions(db: Engine, year: int, as_of: date) -> pd.DataFrame:
    """Sessions held in `year` of every workshop cycle: attendance and returning participants.

    Columns: series_id, cycle, session_no, held_on, attendance, returning_participants, sectors.
    """
    start, end = _period(year, as_of)
    in_period = select(Event.id).where(
        Event.kind == "workshop", Event.deleted_at.is_(None), *starts_between(start, end)
    )
    # Sector names of the period's sessions only (not of all 500,000 events at national scale).
    names = event_sector_names(in_period)
    stmt = (
        select(
            EventSeries.id.label("series_id"),
            EventSeries.title.label("cycle"),
            Event.session_no,
            Event.starts_at.label("held_on"),
            Event.attendance,
            Event.returning_participants,
            names.c.sectors,
        )
        .join(Event, Event.series_id == EventSeries.id)
        .outerjoin(names, names.c.event_id == Event.id)
        .where(EventSeries.kind == "workshop", *_sessions_held(start, end))
        .order_by(EventSeries.id, Event.session_no)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    return _dates(df, "held_on")


def latest_cycles(cycles: pd.DataFrame, limit: int) -> list[int]:
    """`series_id` of the `limit` cycles started last (`workshop_cycles` rows), latest first."""
    latest = cycles.sort_values("first_session", ascending=False, kind="stable").head(limit)
    return latest["series_id"].tolist()


def workshop_cycles(db: Engine, year: int, as_of: date) -> pd.DataFrame:
    """One row per workshop cycle with sessions in `year`.

    Columns: series_id, cycle, sectors, planned_sessions, sessions_held, first_session,
    last_session, attendance_first, attendance_total, attendance_mean, returning_total,
    attendance_later (attendance of sessions after the first), returning_share
    (returning / attendance of the later sessions: how many come back).
    """
    start, end = _period(year, as_of)
    later = case((Event.session_no > 1, Event.attendance), else_=0)
    first_att = case((Event.session_no == 1, Event.attendance), else_=None)
    stmt = (
        select(
            EventSeries.id.label("series_id"),
            EventSeries.title.label("cycle"),
            EventSeries.planned_sessions,
            func.count(Event.id).label("sessions_held"),
            func.min(Event.starts_at).label("first_session"),
            func.max(Event.starts_at).label("last_session"),
            func.max(first_att).label("attendance_first"),
            func.sum(Event.attendance).label("attendance_total"),
            func.avg(Event.attendance).label("attendance_mean"),
            func.coalesce(func.sum(Event.returning_participants), 0).label("returning_total"),
            func.sum(later).label("attendance_later"),
        )
        .join(Event, Event.series_id == EventSeries.id)
        .where(EventSeries.kind == "workshop", *_sessions_held(start, end))
        .group_by(EventSeries.id, EventSeries.title, EventSeries.planned_sessions)
        .order_by(func.min(Event.starts_at))
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["returning_share"] = (df["returning_total"] / df["attendance_later"].where(df["attendance_later"] > 0)).astype(
        "Float64"
    )
    df = _dates(_dates(df, "first_session"), "last_session")
    return df


def dropins_per_week(db: Engine, year: int, as_of: date) -> pd.DataFrame:
    """Drop-in visits per week: columns week (Monday), sessions, people_seen."""
    start, end = _period(year, as_of)
    week = _truncate(db, Visit.occurred_on, "week").label("week")
    stmt = (
        select(
            week,
            func.count(Visit.id).label("sessions"),
            func.coalesce(func.sum(Visit.people_seen), 0).label("people_seen"),
        )
        .where(Visit.kind == "dropin", Visit.deleted_at.is_(None), Visit.occurred_on.between(start, end))
        .group_by(week)
        .order_by(week)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    return _dates(df, "week")


def dropin_topics(db: Engine, year: int, as_of: date) -> pd.DataFrame:
    """How many drop-in visits raised each topic: columns topic, label, visits (most frequent first).

    Topics are comma-separated codes; wrapping both sides in commas avoids matching a code
    inside another one.
    """
    start, end = _period(year, as_of)
    wrapped = literal(",") + func.coalesce(Visit.topics, "") + literal(",")
    columns = [
        func.coalesce(func.sum(case((wrapped.like(f"%,{code},%"), 1), else_=0)), 0).label(code)
        for code in DROPIN_TOPICS
    ]
    stmt = select(*columns).where(
        Visit.kind == "dropin", Visit.deleted_at.is_(None), Visit.occurred_on.between(start, end)
    )
    with db.connect() as conn:
        row = conn.execute(stmt).one()._mapping
    df = pd.DataFrame(
        [{"topic": code, "label": label, "visits": int(row[code])} for code, label in DROPIN_TOPICS.items()]
    )
    return df.sort_values("visits", ascending=False, kind="stable").reset_index(drop=True)


def monthly_support(db: Engine, year: int, as_of: date) -> pd.DataFrame:
    """Legal advice and equipment per month.

    Columns: month, offers_compared, contracts_terminated, computers_sold, amount_eur.
    """
    start, end = _period(year, as_of)
    month = _truncate(db, Visit.occurred_on, "month").label("month")

    def total(column, kind):
        return func.coalesce(func.sum(case((Visit.kind == kind, column), else_=0)), 0)

    stmt = (
        select(
            month,
            total(Visit.offers_compared, "legal").label("offers_compared"),
            total(Visit.contracts_terminated, "legal").label("contracts_terminated"),
            total(Visit.computers_sold, "equipment").label("computers_sold"),
            total(Visit.amount_eur, "equipment").label("amount_eur"),
        )
        .where(
            Visit.kind.in_(("legal", "equipment")), Visit.deleted_at.is_(None), Visit.occurred_on.between(start, end)
        )
        .group_by(month)
        .order_by(month)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["amount_eur"] = df["amount_eur"].astype(float)
    return _dates(df, "month")


def _workshops_held(start: date, end: date) -> tuple:
    """Conditions of the workshop sessions held from `start` to `end` (attendance entered, not deleted)."""
    return (Event.kind == "workshop", *_sessions_held(start, end))


def support_totals(db: Engine, year: int, as_of: date) -> dict:
    """The year's key figures, each counted in one SQL statement."""
    start, end = _period(year, as_of)
    visits = select(
        func.coalesce(func.sum(case((Visit.kind == "dropin", Visit.people_seen), else_=0)), 0).label("dropin_people"),
        func.coalesce(func.sum(case((Visit.kind == "dropin", 1), else_=0)), 0).label("dropin_sessions"),
        func.coalesce(func.sum(case((Visit.kind == "legal", Visit.offers_compared), else_=0)), 0).label(
            "offers_compared"
        ),
        func.coalesce(func.sum(case((Visit.kind == "legal", Visit.contracts_terminated), else_=0)), 0).label(
            "contracts_terminated"
        ),
        func.coalesce(func.sum(case((Visit.kind == "equipment", Visit.computers_sold), else_=0)), 0).label(
            "computers_sold"
        ),
        func.coalesce(func.sum(case((Visit.kind == "equipment", Visit.amount_eur), else_=0)), 0).label("amount_eur"),
    ).where(Visit.deleted_at.is_(None), Visit.occurred_on.between(start, end))
    workshops = select(
        func.count(func.distinct(Event.series_id)).label("workshop_cycles"),
        func.count(Event.id).label("workshop_sessions"),
        func.coalesce(func.sum(Event.attendance), 0).label("workshop_attendance"),
    ).where(*_workshops_held(start, end))
    with db.connect() as conn:
        out = dict(conn.execute(visits).one()._mapping) | dict(conn.execute(workshops).one()._mapping)
    out["amount_eur"] = float(out["amount_eur"])
    return {k: (int(v) if k != "amount_eur" else v) for k, v in out.items()}


def returning_share(cycles: pd.DataFrame) -> float | None:
    """Of the people present at the sessions after each cycle's first (`workshop_cycles`), the share
    who had come before; None when no cycle has had a second session yet (not a misleading 0 %)."""
    later = int(cycles["attendance_later"].sum())
    return float(cycles["returning_total"].sum()) / later if later else None


def termination_share(totals: dict) -> float | None:
    """Old contracts terminated per offer compared (`support_totals`); None when nothing was compared."""
    compared = totals["offers_compared"]
    return totals["contracts_terminated"] / compared if compared else None


def computers_sold(db: Engine, as_of: date) -> int:
    """Refurbished computers sold since the start, up to `as_of` (deleted entries excluded)."""
    stmt = select(func.coalesce(func.sum(Visit.computers_sold), 0)).where(
        Visit.kind == "equipment", Visit.deleted_at.is_(None), Visit.occurred_on <= as_of
    )
    with db.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def workshop_participants(db: Engine, start: date, end: date) -> int:
    """People who came to digital workshops between `start` and `end` (inclusive).

    Each session counts only the people who had not come to an earlier session of the
    cycle (attendance − returning participants), so a person is counted once per cycle.
    """
    newcomers = Event.attendance - func.coalesce(Event.returning_participants, 0)
    stmt = select(func.coalesce(func.sum(newcomers), 0)).where(*_workshops_held(start, end))
    with db.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def sector_support(db: Engine, code: str, as_of: date) -> pd.DataFrame:
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


def sector_events(db: Engine, code: str, as_of: date) -> pd.DataFrame:
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
        .where(Sector.code == code, Event.deleted_at.is_(None), Event.starts_at <= end_of_day(as_of))
        .group_by(Event.kind)
        .order_by(func.count().desc())
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["last_at"] = pd.to_datetime(df["last_at"])
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
    now = _support_counts(db, *year_bounds(year))
    before = _support_counts(db, datetime(year - 1, 1, 1), datetime.combine(date(year - 1, 12, 31), time.max))
    return pd.DataFrame(
        [{"code": c, "indicator": label, "value": now[c], "previous": before[c]} for c, label in SUPPORT_INDICATORS]
    )


def support_by_month(db: Engine, year: int) -> pd.DataFrame:
    """People reached each month of `year`: workshop participations and drop-in visitors."""
    start, end = year_bounds(year)
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
