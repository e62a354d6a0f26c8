"""Key figures of the programme on a date (the `summary` command and the home page)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, select

from ihs.models import Offer, Organisation, Tariff
from ihs.queries.sectors import COVERED_STAGES, sector_status


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
