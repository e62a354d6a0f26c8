"""Where each sector stands on a date: stage, dwellings, subscribers, uptake (SQL-aggregated)."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from ihs.models import (
    Ballot,
    Deployment,
    DeploymentStage,
    Offer,
    Organisation,
    Sector,
    SectorDwellings,
    SectorOffer,
    SectorPartner,
    SubscriberCount,
)
from ihs.reference import in_force_since

# Stage codes shown on the dashboards, in pipeline order.
STAGE_ORDER = ["proposed", "information", "ballot", "implementation", "deployed", "rejected"]
STAGE_LABELS = {
    "proposed": "Proposé",
    "information": "Information",
    "ballot": "Scrutin",
    "implementation": "Mise en œuvre",
    "deployed": "Déployé",
    "rejected": "Rejeté",
}
# The stages whose dwellings the programme covers (implementation started, not rejected).
COVERED_STAGES = ("deployed", "implementation")
# On the map and the sector page: a sector of the programme with no deployment started yet.
NOT_STARTED = "Sans déploiement"


def in_programme(as_of: date):
    """Condition: the sector has not left the programme by `as_of` (an archived sector stays in
    the history before its archive date, and out of every figure from that date)."""
    return or_(Sector.archived_on.is_(None), Sector.archived_on > as_of)


def stage_dates():
    """Subquery: one row per deployment with the actual start/end of each stage, pivoted."""

    def col(stage: str, field: str):
        return func.max(case((DeploymentStage.stage == stage, getattr(DeploymentStage, field)))).label(
            f"{stage}_{field}"
        )

    return (
        select(
            DeploymentStage.deployment_id,
            col("validation", "actual_start"),
            col("kickoff", "actual_start"),
            col("information", "actual_start"),
            col("ballot", "actual_start"),
            col("ballot", "actual_end"),
            col("implementation", "actual_start"),
            col("implementation", "actual_end"),
            col("implementation", "planned_start"),
        )
        .group_by(DeploymentStage.deployment_id)
        .subquery("st")
    )


def latest_deployment(as_of: date):
    """Subquery: the latest deployment of each sector validated on or before `as_of`."""
    st = stage_dates()
    started = func.coalesce(st.c.validation_actual_start, st.c.kickoff_actual_start)
    ranked = (
        select(Deployment.sector_id, func.max(Deployment.id).label("deployment_id"))
        .join(st, st.c.deployment_id == Deployment.id)
        .where(started <= as_of)
        .group_by(Deployment.sector_id)
        .subquery()
    )
    return ranked, st


def sector_status(db: Engine, as_of: date) -> pd.DataFrame:
    """One row per sector in the programme on `as_of`: stage, dwellings, subscribers, uptake.

    `offer_id`/`offer`: the offer the sector is on that day (None: on no offer — its uptake is
    not computed, since nobody can subscribe, and it is left out of the programme's uptake).

    Columns: sector_id, code, name, kind, lat, lon, stage, deployed_on, dwellings,
    subscribers, subscribers_as_of, subscribers_source, offer_id, offer, uptake.
    """
    ranked, st = latest_deployment(as_of)
    rejected = (
        select(Ballot.deployment_id)
        .where(Ballot.outcome == "rejected", Ballot.closes_at <= datetime.combine(as_of, time.max))
        .subquery()
    )
    stage = case(
        (ranked.c.deployment_id.in_(select(rejected.c.deployment_id)), "rejected"),
        (st.c.implementation_actual_end < as_of, "deployed"),
        (st.c.implementation_actual_start <= as_of, "implementation"),
        (st.c.ballot_actual_start <= as_of, "ballot"),
        (st.c.information_actual_start <= as_of, "information"),
        else_="proposed",
    ).label("stage")
    # Each sector's latest dwellings and subscriber dates on `as_of`: one seek per sector in the
    # (sector_id, date) unique indexes. (Outer joins on grouped subqueries made SQLite scan them
    # once per sector: 1,600 × 1,600 rows at national scale.)
    dw_day = in_force_since(SectorDwellings.valid_from, SectorDwellings.sector_id, Sector.id, as_of)
    subs_day = in_force_since(SubscriberCount.as_of, SubscriberCount.sector_id, Sector.id, as_of)
    offer_day = in_force_since(SectorOffer.valid_from, SectorOffer.sector_id, Sector.id, as_of)
    status = (
        select(
            Sector.id.label("sector_id"),
            Sector.code,
            Sector.name,
            Sector.kind,
            Sector.lat,
            Sector.lon,
            stage,
            st.c.implementation_actual_start.label("deployed_on"),
            dw_day.label("dw_day"),
            subs_day.label("subs_day"),
            offer_day.label("offer_day"),
        )
        .join(ranked, ranked.c.sector_id == Sector.id)
        .join(st, st.c.deployment_id == ranked.c.deployment_id)
        .where(in_programme(as_of))
        .subquery("status")
    )
    stmt = (
        select(
            *(status.c[c] for c in ("sector_id", "code", "name", "kind", "lat", "lon", "stage", "deployed_on")),
            SectorDwellings.dwellings,
            SubscriberCount.subscribers,
            SubscriberCount.as_of.label("subscribers_as_of"),
            SubscriberCount.source.label("subscribers_source"),
            SectorOffer.offer_id,
            Offer.name.label("offer"),
        )
        .outerjoin(
            SectorDwellings,
            and_(SectorDwellings.sector_id == status.c.sector_id, SectorDwellings.valid_from == status.c.dw_day),
        )
        .outerjoin(
            SubscriberCount,
            and_(SubscriberCount.sector_id == status.c.sector_id, SubscriberCount.as_of == status.c.subs_day),
        )
        .outerjoin(
            SectorOffer,
            and_(SectorOffer.sector_id == status.c.sector_id, SectorOffer.valid_from == status.c.offer_day),
        )
        .outerjoin(Offer, Offer.id == SectorOffer.offer_id)
        .order_by(status.c.name)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    covered = df["stage"].isin(COVERED_STAGES)
    df.loc[~covered, "subscribers"] = pd.NA
    df["offer_id"] = df["offer_id"].astype("Int64")
    df["uptake"] = (df["subscribers"] / df["dwellings"]).where(covered & df["offer_id"].notna()).astype("Float64")
    df["deployed_on"] = pd.to_datetime(df["deployed_on"]).dt.date
    df["subscribers_as_of"] = pd.to_datetime(df["subscribers_as_of"]).dt.date
    return df


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


def sector_partners(db: Engine, code: str) -> pd.DataFrame:
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
