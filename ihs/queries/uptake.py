"""Subscribers and uptake over time, the cohort view, the tariff history and the collective cost."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, and_, extract, func, select

from ihs.models import (
    Deployment,
    DeploymentStage,
    Offer,
    Organisation,
    Sector,
    SectorDwellings,
    SubscriberCount,
    Tariff,
)
from ihs.queries.overview import summary


def _dwellings_on(day_col):
    """Scalar subquery: the sector's dwellings valid on the date in `day_col` (correlated)."""
    return (
        select(SectorDwellings.dwellings)
        .where(SectorDwellings.sector_id == SubscriberCount.sector_id, SectorDwellings.valid_from <= day_col)
        .order_by(SectorDwellings.valid_from.desc())
        .limit(1)
        .scalar_subquery()
    )


def _monthly_counts(as_of: date, codes: tuple[str, ...] | None):
    """Subquery: each sector's last subscriber count of each month, up to `as_of`."""
    year = extract("year", SubscriberCount.as_of)
    month = extract("month", SubscriberCount.as_of)
    last = select(SubscriberCount.sector_id, func.max(SubscriberCount.as_of).label("as_of")).where(
        SubscriberCount.as_of <= as_of
    )
    if codes:
        last = last.join(Sector, Sector.id == SubscriberCount.sector_id).where(Sector.code.in_(codes))
    last = last.group_by(SubscriberCount.sector_id, year, month).subquery()
    return (
        select(
            SubscriberCount.sector_id,
            SubscriberCount.as_of,
            SubscriberCount.subscribers,
            _dwellings_on(SubscriberCount.as_of).label("dwellings"),
        )
        .join(last, and_(last.c.sector_id == SubscriberCount.sector_id, last.c.as_of == SubscriberCount.as_of))
        .subquery("monthly")
    )


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    df["month"] = pd.to_datetime(dict(year=df.pop("year"), month=df.pop("month"), day=1)).dt.date
    df["uptake"] = (df["subscribers"] / df["dwellings"]).where(df["dwellings"] > 0).astype("Float64")
    return df


def uptake_by_sector(db: Engine, as_of: date, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per sector and month (last count of the month): subscribers, dwellings, uptake.

    Columns: code, name, month, subscribers, dwellings, uptake.
    """
    mc = _monthly_counts(as_of, codes)
    stmt = (
        select(
            Sector.code,
            Sector.name,
            extract("year", mc.c.as_of).label("year"),
            extract("month", mc.c.as_of).label("month"),
            mc.c.subscribers,
            mc.c.dwellings,
        )
        .join(Sector, Sector.id == mc.c.sector_id)
        .order_by(Sector.name, mc.c.as_of)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    return _finish(df)[["code", "name", "month", "subscribers", "dwellings", "uptake"]]


def uptake_total(db: Engine, as_of: date, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Programme total per month (sectors with a count that month): subscribers, dwellings, uptake.

    Columns: month, sectors, subscribers, dwellings, uptake.
    """
    mc = _monthly_counts(as_of, codes)
    year = extract("year", mc.c.as_of).label("year")
    month = extract("month", mc.c.as_of).label("month")
    stmt = (
        select(
            year,
            month,
            func.count().label("sectors"),
            func.sum(mc.c.subscribers).label("subscribers"),
            func.sum(mc.c.dwellings).label("dwellings"),
        )
        .group_by(year, month)
        .order_by(year, month)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    return _finish(df)[["month", "sectors", "subscribers", "dwellings", "uptake"]]


def _implementation_starts():
    """Subquery: each sector's first actual implementation start (its launch), by sector."""
    return (
        select(Deployment.sector_id, func.min(DeploymentStage.actual_start).label("launched_on"))
        .join(DeploymentStage, DeploymentStage.deployment_id == Deployment.id)
        .where(DeploymentStage.stage == "implementation", DeploymentStage.actual_start.is_not(None))
        .group_by(Deployment.sector_id)
        .subquery("impl")
    )


def cohort(
    db: Engine, as_of: date, codes: tuple[str, ...] | None = None, max_months: int | None = None
) -> pd.DataFrame:
    """Uptake against months since implementation, so sectors launched years apart compare fairly.

    Month 0 is the month implementation started; each sector's last count of each month counts.
    Columns: code, name, launched_on, months_since, subscribers, dwellings, uptake.
    """
    mc = _monthly_counts(as_of, codes)
    impl = _implementation_starts()
    months_since = (
        (extract("year", mc.c.as_of) - extract("year", impl.c.launched_on)) * 12
        + extract("month", mc.c.as_of)
        - extract("month", impl.c.launched_on)
    ).label("months_since")
    stmt = (
        select(
            Sector.code,
            Sector.name,
            impl.c.launched_on,
            months_since,
            mc.c.subscribers,
            mc.c.dwellings,
        )
        .join(Sector, Sector.id == mc.c.sector_id)
        .join(impl, impl.c.sector_id == mc.c.sector_id)
        .where(mc.c.as_of >= impl.c.launched_on)
        .order_by(Sector.name, mc.c.as_of)
    )
    if max_months is not None:
        stmt = stmt.where(months_since <= max_months)
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["launched_on"] = pd.to_datetime(df["launched_on"]).dt.date
    df["months_since"] = df["months_since"].astype(int)
    df["uptake"] = (df["subscribers"] / df["dwellings"]).where(df["dwellings"] > 0).astype("Float64")
    return df


def tariff_history(db: Engine, as_of: date) -> pd.DataFrame:
    """Tariffs in force up to `as_of`, with a last row at `as_of` so a step chart reaches today.

    Columns: valid_from, monthly_price_eur, offer, operator, source.
    """
    stmt = (
        select(
            Tariff.valid_from,
            Tariff.monthly_price_eur,
            Offer.name.label("offer"),
            Organisation.name.label("operator"),
            Tariff.source,
        )
        .join(Offer, Offer.id == Tariff.offer_id)
        .outerjoin(Organisation, Organisation.id == Offer.operator_id)
        .where(Tariff.valid_from <= as_of)
        .order_by(Tariff.valid_from)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["valid_from"] = pd.to_datetime(df["valid_from"]).dt.date
    df["monthly_price_eur"] = df["monthly_price_eur"].astype(float)
    if len(df) and df["valid_from"].iloc[-1] < as_of:
        last = df.iloc[-1].copy()
        last["valid_from"] = as_of
        df = pd.concat([df, last.to_frame().T], ignore_index=True)
    return df


def collective_cost(db: Engine, as_of: date) -> pd.DataFrame:
    """Per year (at 31 December, or `as_of` for the current year): what the collective contract costs.

    Annual cost = dwellings covered × monthly tariff × 12; divided by the subscribers it is the
    cost per active subscriber per year. Columns: year, on, dwellings, subscribers,
    monthly_price_eur, annual_cost_eur, cost_per_subscriber_eur.
    """
    with db.connect() as conn:
        first = conn.execute(
            select(func.min(DeploymentStage.actual_start)).where(DeploymentStage.stage == "implementation")
        ).scalar()
    rows = []
    if first is not None:
        for year in range(first.year, as_of.year + 1):
            day = min(date(year, 12, 31), as_of)
            s = summary(db, day)
            if not s["dwellings_covered"] or s["monthly_price_eur"] is None:
                continue
            cost = s["dwellings_covered"] * s["monthly_price_eur"] * 12
            rows.append(
                {
                    "year": year,
                    "on": day,
                    "dwellings": s["dwellings_covered"],
                    "subscribers": s["subscribers"],
                    "monthly_price_eur": s["monthly_price_eur"],
                    "annual_cost_eur": round(cost, 2),
                    "cost_per_subscriber_eur": round(cost / s["subscribers"], 2) if s["subscribers"] else None,
                }
            )
    cols = ["year", "on", "dwellings", "subscribers", "monthly_price_eur", "annual_cost_eur", "cost_per_subscriber_eur"]
    return pd.DataFrame(rows, columns=cols)


def sector_choices(db: Engine, as_of: date) -> pd.DataFrame:
    """Sectors that have subscriber counts up to `as_of`, for a filter (columns code, name, launched_on)."""
    impl = _implementation_starts()
    stmt = (
        select(Sector.code, Sector.name, impl.c.launched_on)
        .outerjoin(impl, impl.c.sector_id == Sector.id)
        .where(Sector.id.in_(select(SubscriberCount.sector_id).where(SubscriberCount.as_of <= as_of)))
        .order_by(Sector.name)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["launched_on"] = pd.to_datetime(df["launched_on"]).dt.date
    return df
