"""The deployment calendar: stages of every deployment (planned and actual), upcoming events.

Also turns both into iCalendar items (`calendar_items`) for the `.ics` export.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Date, Engine, Select, Subquery, and_, case, func, literal, or_, select

from ihs.ballots import FINISHED_STATUSES
from ihs.clock import end_of_day, year_end
from ihs.ics import IcsEvent
from ihs.models import Ballot, BallotCount, Deployment, DeploymentStage, Event, EventSector, Sector
from ihs.planning import PIPELINE_ORDER, deployment_stage_rows
from ihs.programme import stage_numbers
from ihs.queries.ballots import ballot_figures, reported_turnout
from ihs.queries.sectors import latest_deployment, stage_dates
from ihs.vocab import DEPLOYMENT_STATUSES, EVENT_KINDS, STAGES

UID_DOMAIN = "ihs.calendrier"


def deployment_years(db: Engine) -> list[int]:
    """Years in which some stage of some deployment takes place (planned or actual)."""
    stmt = select(
        func.min(func.coalesce(DeploymentStage.actual_start, DeploymentStage.planned_start)),
        func.max(func.coalesce(DeploymentStage.actual_end, DeploymentStage.planned_end, DeploymentStage.planned_start)),
    )
    with db.connect() as conn:
        first, last = conn.execute(stmt).one()
    if first is None:
        return []
    first, last = pd.Timestamp(first).year, pd.Timestamp(last).year
    return list(range(last, first - 1, -1))


def deployment_stages(
    db: Engine,
    year: int | None = None,
    statuses: tuple[str, ...] = (),
    as_of: date | None = None,
    deployment_ids: tuple[int, ...] = (),
) -> pd.DataFrame:
    """One row per deployment stage and kind of date ("planned" / "actual") that has dates.

    An actual stage under way (started, no end yet) runs up to `as_of` (default: its planned end).

    `year` keeps the deployments with a stage (planned or actual) in that year; `statuses`
    keeps those deployment statuses (empty: all); `deployment_ids` keeps those (empty: all; a
    screen of the calendar, from `deployment_order`).
    Columns: deployment_id, sector_code, sector_name, status, status_label, stage, stage_label,
    stage_no, kind ("planned"/"actual"), kind_label, start, end (inclusive dates),
    deployment_first, deployment_last (the deployment's first and last date). Rows come in the
    calendar's order: by deployment_first, then sector name.
    """
    stmt = deployment_stage_rows(
        Sector.code.label("sector_code"), Sector.name.label("sector_name"), Deployment.status
    ).order_by(Sector.name, Deployment.id, DeploymentStage.id)
    if statuses:
        stmt = stmt.where(Deployment.status.in_(statuses))
    if deployment_ids:
        stmt = stmt.where(Deployment.id.in_(deployment_ids))
    if year is not None:
        first, last = date(year, 1, 1), date(year, 12, 31)
        start = func.coalesce(DeploymentStage.actual_start, DeploymentStage.planned_start)
        end = func.coalesce(DeploymentStage.actual_end, DeploymentStage.planned_end, start)
        in_year = (
            select(DeploymentStage.deployment_id)
            .where(
                or_(
                    and_(start <= last, end >= first),
                    and_(DeploymentStage.planned_start <= last, DeploymentStage.planned_end >= first),
                )
            )
            .distinct()
        )
        stmt = stmt.where(Deployment.id.in_(in_year))
    with db.connect() as conn:
        wide = pd.read_sql(stmt, conn)
    numbers = stage_numbers(db, set(wide["stage"]))
    rows = []
    for r in wide.itertuples(index=False):
        for kind, start, end in (
            ("planned", r.planned_start, r.planned_end),
            ("actual", r.actual_start, r.actual_end),
        ):
            if start is None or pd.isna(start):
                continue
            start = pd.Timestamp(start).date()
            end = pd.Timestamp(end).date() if end is not None and not pd.isna(end) else None
            if end is None:
                # A stage under way has a start and no end yet: show it up to `as_of`.
                end = start if kind == "planned" else max(start, as_of or pd.Timestamp(r.planned_end or start).date())
            rows.append(
                {
                    "deployment_id": r.deployment_id,
                    "sector_code": r.sector_code,
                    "sector_name": r.sector_name,
                    "status": r.status,
                    "status_label": DEPLOYMENT_STATUSES.get(r.status, r.status),
                    "stage": r.stage,
                    "stage_label": STAGES.get(r.stage, r.stage),
                    "stage_no": numbers.get(r.stage, 0),
                    "kind": kind,
                    "kind_label": "Prévu" if kind == "planned" else "Réel",
                    "start": start,
                    "end": max(end, start),
                }
            )
    columns = [
        "deployment_id", "sector_code", "sector_name", "status", "status_label", "stage", "stage_label",
        "stage_no", "kind", "kind_label", "start", "end",
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=columns)
    # Each deployment's span, and the rows in the calendar's order (first date, then sector name):
    # computed here, once per cached read, not by the page on every run.
    by_deployment = df.groupby("deployment_id")
    df["deployment_first"] = by_deployment["start"].transform("min")
    df["deployment_last"] = by_deployment["end"].transform("max")
    return df.sort_values(["deployment_first", "sector_name", "deployment_id"], kind="stable").reset_index(drop=True)


PAGE_SIZE = 20  # deployments per screen of the calendar: 20 rows fill a projector
EVENTS_SHOWN = 100  # rows of the upcoming-events table (nationally two months hold ~6,600 events)


def deployment_order(
    db: Engine, year: int | None = None, statuses: tuple[str, ...] = (), as_of: date | None = None
) -> pd.DataFrame:
    """One row per deployment of `deployment_stages`, in the calendar's order.

    Columns: deployment_id, sector_name, deployment_first, deployment_last. What the calendar needs
    to cut its screens, without carrying every stage of every deployment (nationally 2,400 rows).
    """
    stages = deployment_stages(db, year, statuses, as_of)
    columns = ["deployment_id", "sector_name", "deployment_first", "deployment_last"]
    return stages.drop_duplicates("deployment_id")[columns].reset_index(drop=True)


# The calendar's default window: what is under way and what comes next, not a calendar year.
ENDED = ("rejected", "abandoned")  # a deployment with these statuses is not under way, whatever its dates
NEXT_DAYS = 365  # deployments starting within this many days are "the next ones"


def window_statuses(statuses: tuple[str, ...]) -> tuple[str, ...]:
    """The statuses the default window reads: the user's choice, else every status but the ended ones."""
    return statuses or tuple(code for code in DEPLOYMENT_STATUSES if code not in ENDED)


def _earlier(a, b):
    """SQL: the earlier of two dates, either may be NULL (SQLite's min(a, b) and PostgreSQL's
    least(a, b) disagree on NULLs)."""
    return case((a.is_(None), b), (b.is_(None), a), (b < a, b), else_=a)


def _later(a, b):
    """SQL: the later of two dates, either may be NULL."""
    return case((a.is_(None), b), (b.is_(None), a), (b > a, b), else_=a)


def deployments_under_way_or_next(
    db: Engine, as_of: date, statuses: tuple[str, ...] = (), ahead_days: int = NEXT_DAYS
) -> pd.DataFrame:
    """The deployments the calendar opens on, in the calendar's order (as `deployment_order`):
    every one under way on `as_of` (its first date on or before, its last on or after) and those
    starting within `ahead_days` after it; when none starts that soon, the next to start (all
    those starting on that date). `statuses` as `window_statuses` (default: all but the ended).

    A deployment's span is that of `deployment_stages` rows, aggregated in SQL: from its earliest
    planned or actual start to its latest end, a stage without an end lasting its start day when
    planned, up to `as_of` when under way. Columns: deployment_id, sector_name, deployment_first,
    deployment_last (dates).
    """
    ds = DeploymentStage
    day = literal(as_of, Date)
    # A planned stage without an end is its start day; an actual one without an end runs to `as_of`.
    planned_last = case((ds.planned_end > ds.planned_start, ds.planned_end), else_=ds.planned_start)
    actual_last = case(
        (ds.actual_start.is_(None), None),
        (ds.actual_end.is_not(None), _later(ds.actual_start, ds.actual_end)),
        else_=_later(ds.actual_start, day),
    )
    spans = (
        select(
            Deployment.id.label("deployment_id"),
            Sector.name.label("sector_name"),
            func.min(_earlier(ds.planned_start, ds.actual_start)).label("first"),
            func.max(_later(planned_last, actual_last)).label("last"),
        )
        .select_from(Deployment)
        .join(Sector, Sector.id == Deployment.sector_id)
        .join(ds, ds.deployment_id == Deployment.id)
        .where(Deployment.status.in_(window_statuses(statuses)))
        .group_by(Deployment.id, Sector.name)
        .cte("spans")
    )
    next_start = select(func.min(spans.c.first)).where(spans.c.first > day).scalar_subquery()
    horizon = literal(as_of + timedelta(days=ahead_days), Date)
    stmt = (
        select(
            spans.c.deployment_id,
            spans.c.sector_name,
            spans.c.first.label("deployment_first"),
            spans.c.last.label("deployment_last"),
        )
        .where(
            or_(
                and_(spans.c.first <= day, spans.c.last >= day),
                and_(spans.c.first > day, or_(spans.c.first <= horizon, spans.c.first == next_start)),
            )
        )
        .order_by(spans.c.first, spans.c.sector_name, spans.c.deployment_id)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    for col in ("deployment_first", "deployment_last"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def deployment_pages(order: pd.DataFrame, today: date, size: int | None = None) -> tuple[list[list[int]], int]:
    """`deployment_order` cut into screens of `size` deployments (default `PAGE_SIZE`).

    Returns the deployment ids of each screen, and the screen to show first: the one with the
    first deployment not finished by `today` (the last screen when all are finished).
    """
    size = size or PAGE_SIZE
    if order.empty:
        return [], 0
    ids = [int(i) for i in order["deployment_id"]]
    pages = [ids[k : k + size] for k in range(0, len(ids), size)]
    running = [pos for pos, last in enumerate(order["deployment_last"]) if last >= today]
    default = running[0] // size if running else len(pages) - 1
    return pages, default


def starts_between(first: date, last: date) -> tuple:
    """Conditions: the event starts from `first` to `last`, both whole days."""
    return Event.starts_at >= datetime.combine(first, time.min), Event.starts_at <= datetime.combine(last, time.max)


def _window(as_of: date, days: int):
    return Event.deleted_at.is_(None), *starts_between(as_of, as_of + timedelta(days=days))


def event_sector_names(events: Select | None = None) -> Subquery:
    """Subquery: each event's sector names, comma-separated (columns event_id, sectors); only the
    events of the `events` id select when given."""
    stmt = (
        select(EventSector.event_id, func.aggregate_strings(Sector.name, ", ").label("sectors"))
        .join(Sector, Sector.id == EventSector.sector_id)
        .group_by(EventSector.event_id)
    )
    if events is not None:
        stmt = stmt.where(EventSector.event_id.in_(events))
    return stmt.subquery()


def upcoming_events(db: Engine, as_of: date, days: int = 60, limit: int | None = None) -> pd.DataFrame:
    """Events (not deleted) starting from `as_of` to `as_of + days`, with their sectors' names.

    The first `limit` of them in date order (None: all; `count_upcoming_events` says how many).
    Columns: event_id, starts_at, ends_at, kind, kind_label, title, place, sectors.
    """
    shown = select(Event.id).where(*_window(as_of, days)).order_by(Event.starts_at, Event.id).limit(limit)
    # Sector names of the events shown only (not of all 500,000 events at national scale).
    names = event_sector_names(shown)
    stmt = (
        select(
            Event.id.label("event_id"),
            Event.starts_at,
            Event.ends_at,
            Event.kind,
            Event.title,
            Event.place,
            names.c.sectors,
        )
        .outerjoin(names, names.c.event_id == Event.id)
        .where(*_window(as_of, days))
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["kind_label"] = df["kind"].map(lambda k: EVENT_KINDS.get(k, k))
    df["starts_at"] = pd.to_datetime(df["starts_at"])
    df["ends_at"] = pd.to_datetime(df["ends_at"])
    return df[["event_id", "starts_at", "ends_at", "kind", "kind_label", "title", "place", "sectors"]]


def count_upcoming_events(db: Engine, as_of: date, days: int = 60) -> int:
    """How many events (not deleted) start from `as_of` to `as_of + days`."""
    with db.connect() as conn:
        return conn.execute(select(func.count()).select_from(Event).where(*_window(as_of, days))).scalar_one()


def _fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def calendar_items(
    db: Engine, as_of: date, year: int | None = None, statuses: tuple[str, ...] = (), days: int = 60
) -> list[IcsEvent]:
    """The `.ics` content: one all-day event per stage of each deployment shown, one per upcoming event.

    A stage uses its actual dates once known, else its planned dates; the description gives both.
    UIDs are stable (deployment id + stage code; event id), so a re-import updates, never duplicates.
    """
    # Without `as_of`, a stage under way ends on its planned end: what a calendar should show.
    stages = deployment_stages(db, year, statuses)
    items: list[IcsEvent] = []
    for (dep_id, stage), group in stages.groupby(["deployment_id", "stage"], sort=False):
        by_kind = {row.kind: row for row in group.itertuples(index=False)}
        shown = by_kind.get("actual") or by_kind["planned"]
        lines = [f"Secteur : {shown.sector_name}", f"Étape : {shown.stage_no}. {shown.stage_label}"]
        if "planned" in by_kind:
            p = by_kind["planned"]
            lines.append(f"Prévu : du {_fr(p.start)} au {_fr(p.end)}")
        if "actual" in by_kind:
            a = by_kind["actual"]
            lines.append(f"Réel : du {_fr(a.start)} au {_fr(a.end)}")
        lines.append(f"Statut du déploiement : {shown.status_label}")
        items.append(
            IcsEvent(
                uid=f"deploiement-{dep_id}-{stage}@{UID_DOMAIN}",
                summary=f"{shown.sector_name} – {shown.stage_label}",
                start=shown.start,
                end=shown.end,
                description="\n".join(lines),
                categories="Déploiement",
            )
        )
    for ev in upcoming_events(db, as_of, days).itertuples(index=False):
        ends = ev.ends_at.to_pydatetime() if not pd.isna(ev.ends_at) else None
        description = ev.kind_label + (f"\nSecteurs : {ev.sectors}" if isinstance(ev.sectors, str) else "")
        items.append(
            IcsEvent(
                uid=f"evenement-{ev.event_id}@{UID_DOMAIN}",
                summary=ev.title,
                start=ev.starts_at.to_pydatetime(),
                end=ends,
                location=ev.place if isinstance(ev.place, str) else None,
                description=description,
                categories=ev.kind_label,
            )
        )
    return items


def information_sectors(db: Engine, as_of: date) -> pd.DataFrame:
    """Sectors in their information period on `as_of`, with the planned ballot start.

    Columns: code, name, dwellings, information_start, ballot_planned.
    """
    ranked, st = latest_deployment(as_of)
    stmt = (
        select(
            Sector.code,
            Sector.name,
            st.c.information_actual_start.label("information_start"),
            func.max(DeploymentStage.planned_start).label("ballot_planned"),
        )
        .join(ranked, ranked.c.sector_id == Sector.id)
        .join(st, st.c.deployment_id == ranked.c.deployment_id)
        .outerjoin(
            DeploymentStage,
            and_(DeploymentStage.deployment_id == ranked.c.deployment_id, DeploymentStage.stage == "ballot"),
        )
        .where(
            st.c.information_actual_start <= as_of,
            (st.c.ballot_actual_start.is_(None)) | (st.c.ballot_actual_start > as_of),
        )
        .group_by(Sector.code, Sector.name, st.c.information_actual_start)
        .order_by(Sector.name)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    for col in ("information_start", "ballot_planned"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def sector_milestones(db: Engine, code: str) -> pd.DataFrame:
    """Stages of each deployment of the sector, planned and actual (pipeline order).

    Columns: deployment_id, year, stage, label, planned_start, planned_end, actual_start, actual_end.
    """
    stmt = deployment_stage_rows(Deployment.year).where(Sector.code == code).order_by(Deployment.id, PIPELINE_ORDER)
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df.insert(3, "label", df["stage"].map(STAGES))
    for col in ("planned_start", "planned_end", "actual_start", "actual_end"):
        df[col] = pd.to_datetime(df[col]).dt.date
    return df


def deployments_of_year(db: Engine, year: int) -> pd.DataFrame:
    """Deployments with an information period, a ballot or an implementation in `year`.

    Columns: sector_id, sector, information_start, ballot_start, ballot_end, implementation_start,
    registered, voters, turnout, yes, no, blank, void, yes_share, outcome, ballot_status.
    Ballot figures are the validated count (entry 1) once validated, else the turnout so far.
    """
    start, end = date(year, 1, 1), year_end(year)
    cutoff = end_of_day(end)
    st = stage_dates()
    stages = {
        "information_start": st.c.information_actual_start,
        "ballot_start": st.c.ballot_actual_start,
        "ballot_end": st.c.ballot_actual_end,
        "implementation_start": st.c.implementation_actual_start,
    }
    # A finished ballot shows its count; only the others need their readings (few at national scale).
    reported = reported_turnout(
        cutoff, select(Ballot.id).where(Ballot.opens_at <= cutoff, Ballot.status.not_in(FINISHED_STATUSES))
    )
    in_year = or_(
        *(stages[c].between(start, end) for c in ("information_start", "ballot_start", "implementation_start"))
    )
    stmt = (
        select(
            Sector.id.label("sector_id"),
            Sector.name.label("sector"),
            *(column.label(name) for name, column in stages.items()),
            Ballot.registered,
            *ballot_figures(reported.c.voters),
            Ballot.status.label("ballot_status"),
        )
        .select_from(Deployment)
        .join(Sector, Sector.id == Deployment.sector_id)
        .join(st, st.c.deployment_id == Deployment.id)
        .outerjoin(Ballot, Ballot.deployment_id == Deployment.id)
        .outerjoin(BallotCount, and_(BallotCount.ballot_id == Ballot.id, BallotCount.entry_no == 1))
        .outerjoin(reported, reported.c.ballot_id == Ballot.id)
        .where(in_year)
        .order_by(func.coalesce(stages["ballot_start"], stages["information_start"]), Sector.name)
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
