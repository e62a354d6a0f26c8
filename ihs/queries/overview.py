"""Key figures of the programme on a date (the `summary` command and the home page)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from ihs.models import Offer, Organisation, Tariff
from ihs.queries.sectors import sector_status


def offer_tariffs(db: Engine, as_of: date) -> dict[int, dict]:
    """Each offer's tariff in force on `as_of` (its latest `valid_from`), by offer id:
    {offer_id: {monthly_price_eur, valid_from, offer, operator}}; an offer without a tariff yet is absent."""
    latest = (
        select(Tariff.offer_id, func.max(Tariff.valid_from).label("valid_from"))
        .where(Tariff.valid_from <= as_of)
        .group_by(Tariff.offer_id)
        .subquery()
    )
    stmt = (
        select(
            Tariff.offer_id,
            Tariff.monthly_price_eur,
            Tariff.valid_from,
            Offer.name.label("offer"),
            Organisation.name.label("operator"),
        )
        .join(latest, and_(latest.c.offer_id == Tariff.offer_id, latest.c.valid_from == Tariff.valid_from))
        .join(Offer, Offer.id == Tariff.offer_id)
        .outerjoin(Organisation, Organisation.id == Offer.operator_id)
    )
    with db.connect() as conn:
        return {row["offer_id"]: dict(row) for row in conn.execute(stmt).mappings()}


def main_offer(sectors: pd.DataFrame) -> int | None:
    """The offer covering the most dwellings among `sectors` (rows with `offer_id`, `dwellings`)."""
    on_offer = sectors.dropna(subset=["offer_id"])
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
    covered = status[status["stage"].isin(["deployed", "implementation"])]
    under_way = status[status["stage"].isin(["proposed", "information", "ballot"])]
    offered = covered[covered["offer_id"].notna()]
    dwellings = int(covered["dwellings"].fillna(0).sum())
    offered_dwellings = int(offered["dwellings"].fillna(0).sum())
    subscribers = int(offered["subscribers"].fillna(0).sum())
    # Before any sector is covered, the offer the most sectors of the programme are on.
    main = main_offer(covered) if len(offered) else main_offer(status)
    tariff = offer_tariffs(db, as_of).get(main) if main is not None else None
    subs_dates = offered["subscribers_as_of"].dropna()
    return {
        "as_of": as_of.isoformat(),
        "sectors_deployed": int(len(covered)),
        "sectors_under_way": int(len(under_way)),
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
