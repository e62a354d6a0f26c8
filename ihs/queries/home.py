"""The home page's figures: key figures with last year's values, what is happening now, sources."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from ihs.models import (
    Ballot,
    DeploymentStage,
    Event,
    PollingPlace,
    Sector,
    SectorDwellings,
    Tariff,
    TurnoutReport,
    Visit,
)
from ihs.queries.overview import main_offer, summary
from ihs.queries.sectors import COVERED_STAGES, _latest_deployment, sector_status


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


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
    stmt = select(func.coalesce(func.sum(newcomers), 0)).where(
        Event.kind == "workshop",
        Event.deleted_at.is_(None),
        Event.attendance.is_not(None),
        Event.starts_at >= datetime.combine(start, time.min),
        Event.starts_at <= datetime.combine(end, time.max),
    )
    with db.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def key_figures(db: Engine, as_of: date) -> dict:
    """Key figures on `as_of` and on the same day a year earlier (keys `now` and `year_ago`).

    Workshop participants count the calendar year up to that day.
    """
    out = {}
    for key, day in (("now", as_of), ("year_ago", year_before(as_of))):
        figures = summary(db, day)
        figures["computers_sold"] = computers_sold(db, day)
        figures["workshop_participants"] = workshop_participants(db, date(day.year, 1, 1), day)
        out[key] = figures
    return out


def live_ballots(db: Engine, as_of: date) -> pd.DataFrame:
    """Ballots open on `as_of`, with the live turnout up to the end of that day.

    Turnout = the latest cumulative report of each polling place, summed.
    Columns: ballot_id, code, name, opens_at, closes_at, registered, places, places_reported,
    voters, last_report, turnout.
    """
    cutoff = datetime.combine(as_of, time.max)
    ranked = (
        select(
            TurnoutReport.ballot_id,
            TurnoutReport.place_id,
            TurnoutReport.voters,
            TurnoutReport.reported_at,
            func.row_number()
            .over(
                partition_by=(TurnoutReport.ballot_id, TurnoutReport.place_id),
                order_by=(TurnoutReport.reported_at.desc(), TurnoutReport.id.desc()),
            )
            .label("rn"),
        )
        # Readings of the ballots open that day only (not all 400,000 at national scale).
        .where(
            TurnoutReport.reported_at <= cutoff,
            TurnoutReport.ballot_id.in_(
                select(Ballot.id).where(
                    Ballot.opens_at <= cutoff, Ballot.closes_at >= datetime.combine(as_of, time.min)
                )
            ),
        )
        .subquery()
    )
    latest = (
        select(
            ranked.c.ballot_id,
            func.sum(ranked.c.voters).label("voters"),
            func.count().label("places_reported"),
            func.max(ranked.c.reported_at).label("last_report"),
        )
        .where(ranked.c.rn == 1)
        .group_by(ranked.c.ballot_id)
        .subquery()
    )
    places = select(PollingPlace.ballot_id, func.count().label("places")).group_by(PollingPlace.ballot_id).subquery()
    stmt = (
        select(
            Ballot.id.label("ballot_id"),
            Sector.code,
            Sector.name,
            Ballot.opens_at,
            Ballot.closes_at,
            Ballot.registered,
            func.coalesce(places.c.places, 0).label("places"),
            func.coalesce(latest.c.places_reported, 0).label("places_reported"),
            func.coalesce(latest.c.voters, 0).label("voters"),
            latest.c.last_report,
        )
        .join(Sector, Sector.id == Ballot.sector_id)
        .outerjoin(places, places.c.ballot_id == Ballot.id)
        .outerjoin(latest, latest.c.ballot_id == Ballot.id)
        .where(Ballot.opens_at <= cutoff, Ballot.closes_at >= datetime.combine(as_of, time.min))
        .order_by(Ballot.closes_at)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["turnout"] = (df["voters"] / df["registered"]).where(df["registered"] > 0)
    return df


def information_sectors(db: Engine, as_of: date) -> pd.DataFrame:
    """Sectors in their information period on `as_of`, with the planned ballot start.

    Columns: code, name, dwellings, information_start, ballot_planned.
    """
    ranked, st = _latest_deployment(as_of)
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


def sources(db: Engine, as_of: date) -> pd.DataFrame:
    """The date and origin of each figure shown on `as_of` (columns what, source, relation, as_of)."""
    status = sector_status(db, as_of)
    covered = status[status["stage"].isin(COVERED_STAGES)]
    rows = []
    subs = covered.dropna(subset=["subscribers_as_of"])
    if len(subs):
        last = subs["subscribers_as_of"].max()
        # The source of the latest count: most sectors share it.
        source = subs.loc[subs["subscribers_as_of"] == last, "subscribers_source"].mode().iloc[0]
        rows.append({"what": "abonnés", "source": source, "relation": "du", "as_of": last})
    dw = (
        select(SectorDwellings.source, SectorDwellings.valid_from)
        .where(SectorDwellings.valid_from <= as_of)
        .order_by(SectorDwellings.valid_from.desc())
        .limit(1)
    )
    offer = main_offer(status)  # the tariff shown is the main offer's (`overview.summary`)
    tariff = (
        select(Tariff.source, Tariff.valid_from)
        .where(Tariff.valid_from <= as_of, Tariff.offer_id == offer)
        .order_by(Tariff.valid_from.desc())
        .limit(1)
    )
    ev = select(func.max(Event.starts_at)).where(
        Event.deleted_at.is_(None), Event.attendance.is_not(None), Event.starts_at <= datetime.combine(as_of, time.max)
    )
    vi = select(func.max(Visit.occurred_on)).where(Visit.deleted_at.is_(None), Visit.occurred_on <= as_of)
    with db.connect() as conn:
        d = conn.execute(dw).first()
        t = conn.execute(tariff).first()
        last_event = conn.execute(ev).scalar()
        last_visit = conn.execute(vi).scalar()
    if d:
        rows.append({"what": "logements", "source": d.source, "relation": "mis à jour le", "as_of": d.valid_from})
    if t:
        rows.append({"what": "tarif", "source": t.source, "relation": "en vigueur depuis le", "as_of": t.valid_from})
    if last_event:
        rows.append(
            {"what": "événements", "source": "saisies des partenaires", "relation": "dernière le", "as_of": last_event}
        )
    if last_visit:
        rows.append(
            {
                "what": "accompagnement",
                "source": "saisies des partenaires",
                "relation": "dernière le",
                "as_of": last_visit,
            }
        )
    df = pd.DataFrame(rows, columns=["what", "source", "relation", "as_of"])
    df["as_of"] = pd.to_datetime(df["as_of"]).dt.date
    return df


def delta_text(now, before, kind: str = "int") -> str | None:
    """A French change-since-a-year-ago for st.metric: "+390", "−0,4 pt", "+0,05 €", "stable"."""
    if now is None or before is None:
        return None
    diff = now - before
    if kind == "pct":
        diff = round(diff * 100, 1)
        text = f"{abs(diff):.1f}".replace(".", ",") + "\u00a0pt"
    elif kind == "eur":
        diff = round(diff, 2)
        text = f"{abs(diff):.2f}".replace(".", ",") + "\u00a0€"
    else:
        diff = int(round(diff))
        text = f"{abs(diff):,}".replace(",", "\u202f")
    if diff == 0:
        return "stable sur un an"
    # Streamlit reads a leading "-" as a fall (red, down arrow).
    return f"{'+' if diff > 0 else '-'}{text} en un an"
