"""Key figures of the programme on a date (the `summary` command and the home page)."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import Engine, func, select, union_all

from ihs import clock
from ihs.models import DeploymentStage, Event, Offer, Organisation, SectorDwellings, SubscriberCount, Tariff, Visit
from ihs.queries.calendar import deployments_of_year
from ihs.queries.sectors import COVERED_STAGES, sector_status
from ihs.queries.support import computers_sold, workshop_participants


def offer_tariff(db: Engine, offer_id: int, as_of: date) -> dict | None:
    """The offer's tariff in force on `as_of` (its latest `valid_from`), with the offer's name and
    operator; None when it has no tariff yet."""
    stmt = (
        select(
            Tariff.monthly_price_eur, Tariff.valid_from, Offer.name.label("offer"), Organisation.name.label("operator")
        )
        .join(Offer, Offer.id == Tariff.offer_id)
        .outerjoin(Organisation, Organisation.id == Offer.operator_id)
        .where(Tariff.offer_id == offer_id, Tariff.valid_from <= as_of)
        .order_by(Tariff.valid_from.desc())
        .limit(1)
    )
    with db.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def main_offer(status: pd.DataFrame) -> int | None:
    """The offer whose tariff the key figures show (`status` from `sector_status`): the one covering
    the most dwellings of the covered sectors, or, before any is covered, of the programme's sectors."""
    covered = status[status["stage"].isin(COVERED_STAGES) & status["offer_id"].notna()]
    on_offer = covered if len(covered) else status.dropna(subset=["offer_id"])
    if on_offer.empty:
        return None
    weights = on_offer.assign(d=on_offer["dwellings"].fillna(0)).groupby("offer_id")["d"].sum()
    return int(weights.sort_values(ascending=False, kind="stable").index[0])


def summary(db: Engine, as_of: date) -> dict:
    """Sectors deployed and under way, dwellings covered, subscribers, uptake, price, on `as_of`.

    The uptake counts the covered sectors on an offer (`sectors_without_offer`: covered sectors
    on none, whose dwellings are covered but cannot subscribe). The price is the tariff of the
    offer covering the most dwellings (`offers`: how many offers the covered sectors are on).
    """
    status = sector_status(db, as_of)
    covered = status[status["stage"].isin(COVERED_STAGES)]
    under_way = status[status["stage"].isin(["proposed", "information", "ballot"])]
    offered = covered[covered["offer_id"].notna()]
    dwellings = int(covered["dwellings"].fillna(0).sum())
    offered_dwellings = int(offered["dwellings"].fillna(0).sum())
    subscribers = int(offered["subscribers"].fillna(0).sum())
    main = main_offer(status)
    tariff = offer_tariff(db, main, as_of) if main is not None else None
    subs_dates = offered["subscribers_as_of"].dropna()
    return {
        "as_of": as_of.isoformat(),
        "sectors_deployed": len(covered),
        "sectors_under_way": len(under_way),
        "dwellings_covered": dwellings,
        "subscribers": subscribers,
        "subscribers_as_of": max(subs_dates).isoformat() if len(subs_dates) else None,
        "uptake": round(subscribers / offered_dwellings, 4) if offered_dwellings else None,
        "sectors_without_offer": int(len(covered) - len(offered)),
        "offers": int(offered["offer_id"].nunique()),
        "monthly_price_eur": float(tariff["monthly_price_eur"]) if tariff else None,
        "offer": tariff["offer"] if tariff else None,
        "operator": tariff["operator"] if tariff else None,
    }


def key_figures(db: Engine, as_of: date) -> dict:
    """Key figures on `as_of` and on the same day a year earlier (keys `now` and `year_ago`).

    Workshop participants count the calendar year up to that day.
    """
    out = {}
    for key, day in (("now", as_of), ("year_ago", clock.year_before(as_of))):
        figures = summary(db, day)
        figures["computers_sold"] = computers_sold(db, day)
        figures["workshop_participants"] = workshop_participants(db, date(day.year, 1, 1), day)
        out[key] = figures
    return out


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
    start, end = clock.year_bounds(year)
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


def year_figures(db: Engine, year: int) -> dict:
    """The year's summary and the previous year's, plus what happened during the year."""
    current = summary(db, clock.year_end(year))
    previous = summary(db, date(year - 1, 12, 31))
    deps = deployments_of_year(db, year)
    # Boolean masks built as such: on a year without a deployment, an empty object-typed mask
    # would select columns, not rows (and the report crashed with KeyError: 'sector').
    started = deps.loc[[d is not None and d.year == year for d in deps["implementation_start"]]]
    ballots = deps.loc[[d is not None and d.year == year for d in deps["ballot_start"]]]
    return {
        "year": year,
        "as_of": clock.year_end(year),
        "current": current,
        "previous": previous,
        "new_sectors": list(started["sector"]),
        "ballots": len(ballots),
        "ballots_adopted": int((ballots["outcome"] == "adopted").sum()),
        "ballots_rejected": int((ballots["outcome"] == "rejected").sum()),
    }


def yearly_trend(db: Engine, year: int, first: int | None = None) -> pd.DataFrame:
    """Dwellings covered and subscribers at each year end up to `year` (one summary per year)."""
    years = years_with_data(db)
    first = first or (min(years) if years else year)
    rows = []
    for y in range(first, year + 1):
        s = summary(db, clock.year_end(y))
        rows.append({"year": y, "dwellings": s["dwellings_covered"], "subscribers": s["subscribers"]})
    return pd.DataFrame(rows, columns=["year", "dwellings", "subscribers"])
