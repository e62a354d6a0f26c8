"""Key figures of the programme on a date (the `summary` command and the home page)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from ihs.models import Offer, Organisation, Tariff
from ihs.queries.sectors import sector_status


def current_tariff(db: Engine, as_of: date) -> dict | None:
    """The tariff in force on `as_of` (latest `valid_from`), with its offer and operator."""
    stmt = (
        select(
            Tariff.monthly_price_eur, Tariff.valid_from, Offer.name.label("offer"), Organisation.name.label("operator")
        )
        .join(Offer, Offer.id == Tariff.offer_id)
        .outerjoin(Organisation, Organisation.id == Offer.operator_id)
        .where(Tariff.valid_from <= as_of)
        .order_by(Tariff.valid_from.desc())
        .limit(1)
    )
    with db.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def summary(db: Engine, as_of: date) -> dict:
    """Sectors deployed and under way, dwellings covered, subscribers, uptake, price, on `as_of`."""
    status = sector_status(db, as_of)
    covered = status[status["stage"].isin(["deployed", "implementation"])]
    under_way = status[status["stage"].isin(["proposed", "information", "ballot"])]
    dwellings = int(covered["dwellings"].fillna(0).sum())
    subscribers = int(covered["subscribers"].fillna(0).sum())
    tariff = current_tariff(db, as_of)
    subs_dates = covered["subscribers_as_of"].dropna()
    return {
        "as_of": as_of.isoformat(),
        "sectors_deployed": int(len(covered)),
        "sectors_under_way": int(len(under_way)),
        "dwellings_covered": dwellings,
        "subscribers": subscribers,
        "subscribers_as_of": max(subs_dates).isoformat() if len(subs_dates) else None,
        "uptake": round(subscribers / dwellings, 4) if dwellings else None,
        "monthly_price_eur": float(tariff["monthly_price_eur"]) if tariff else None,
        "offer": tariff["offer"] if tariff else None,
        "operator": tariff["operator"] if tariff else None,
    }
