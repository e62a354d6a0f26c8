"""Subscribers and uptake over time, the cohort view, the tariff history and the collective cost."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, and_, extract, func, literal, null, select, union_all

from ihs.clock import year_end
from ihs.formats import fr_eur, fr_of
from ihs.models import (
    Ballot,
    Deployment,
    DeploymentStage,
    Offer,
    Organisation,
    Sector,
    SectorDwellings,
    SectorOffer,
    SubscriberCount,
    Tariff,
)
from ihs.queries.sectors import COVERED_STAGES, sector_status, stage_dates


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


def _month_ends(first: date, as_of: date) -> list[date]:
    """The last day of each month from `first`'s to `as_of`'s, the last one being `as_of` itself."""
    ends = pd.date_range(pd.Timestamp(first).replace(day=1), pd.Timestamp(as_of), freq="ME").date.tolist()
    return [*ends, as_of] if not ends or ends[-1] != as_of else ends


def _coverage(db: Engine, as_of: date, codes: tuple[str, ...] | None = None):
    """Each sector at each month end up to `as_of` (the last end being `as_of`): covered or not.

    Covered on a date: its latest deployment validated by then is in implementation or deployed,
    not rejected. Returns (ends, grid with sector_id, day, covered, first_count), or (None, None)
    when nothing was ever covered. `first_count`: the sector's first subscriber count.
    """
    st = stage_dates()
    started = func.coalesce(st.c.validation_actual_start, st.c.kickoff_actual_start).label("started")
    deployments = (
        select(
            Deployment.id.label("deployment_id"),
            Deployment.sector_id,
            started,
            st.c.implementation_actual_start.label("covered_from"),
            Ballot.closes_at.label("rejected_at"),
            Sector.archived_on,
        )
        .join(st, st.c.deployment_id == Deployment.id)
        .join(Sector, Sector.id == Deployment.sector_id)
        .outerjoin(Ballot, and_(Ballot.deployment_id == Deployment.id, Ballot.outcome == "rejected"))
        .where(started <= as_of)
    )
    firsts = select(SubscriberCount.sector_id, func.min(SubscriberCount.as_of).label("first_count")).where(
        SubscriberCount.as_of <= as_of
    )
    if codes:
        chosen = select(Sector.id).where(Sector.code.in_(codes))
        deployments = deployments.where(Deployment.sector_id.in_(chosen))
        firsts = firsts.where(SubscriberCount.sector_id.in_(chosen))
    with db.connect() as conn:
        deps = pd.read_sql(deployments, conn)
        firsts_df = pd.read_sql(firsts.group_by(SubscriberCount.sector_id), conn)
    for frame, col in (
        (deps, "started"),
        (deps, "covered_from"),
        (deps, "rejected_at"),
        (deps, "archived_on"),
        (firsts_df, "first_count"),
    ):
        frame[col] = pd.to_datetime(frame[col])
    if deps["covered_from"].isna().all():
        return None, None
    first = min(d for d in (deps["covered_from"].min(), firsts_df["first_count"].min()) if pd.notna(d))
    ends = _month_ends(first.date(), as_of)
    sectors = pd.unique(pd.concat([deps["sector_id"], firsts_df["sector_id"]]))
    grid = pd.DataFrame({"sector_id": sectors.repeat(len(ends)), "day": pd.to_datetime(ends * len(sectors))})
    # Each sector's deployment on a date: the highest id among those validated by then.
    deps = deps.sort_values("started")
    deps["latest_id"] = deps.groupby("sector_id")["deployment_id"].cummax()
    grid = pd.merge_asof(
        grid.sort_values("day"),
        deps[["sector_id", "started", "latest_id"]],
        left_on="day",
        right_on="started",
        by="sector_id",
    )
    grid = grid.merge(
        deps[["deployment_id", "covered_from", "rejected_at", "archived_on"]],
        left_on="latest_id",
        right_on="deployment_id",
        how="left",
    )
    day_end = grid["day"] + pd.Timedelta(days=1)
    # Archived on a date (left the programme): out of the figures from that day on.
    grid["covered"] = (
        (grid["covered_from"] <= grid["day"]) & ~(grid["rejected_at"] < day_end) & ~(grid["archived_on"] <= grid["day"])
    )
    grid = grid.merge(firsts_df, on="sector_id", how="left")
    return ends, grid[["sector_id", "day", "covered", "first_count"]]


def _with_dwellings(db: Engine, grid: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """`grid` (sector_id, day) with each sector's dwellings valid on that day (0 if none yet)."""
    stmt = select(SectorDwellings.sector_id, SectorDwellings.valid_from.label("day"), SectorDwellings.dwellings).where(
        SectorDwellings.valid_from <= as_of, SectorDwellings.sector_id.in_([int(i) for i in grid["sector_id"].unique()])
    )
    with db.connect() as conn:
        dw_df = pd.read_sql(stmt, conn)
    dw_df["day"] = pd.to_datetime(dw_df["day"])
    out = pd.merge_asof(grid.sort_values("day"), dw_df.sort_values("day"), on="day", by="sector_id")
    return out.assign(dwellings=out["dwellings"].fillna(0))


def _with_offer(db: Engine, grid: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """`grid` (sector_id, day) with `offer_id`: the offer each sector is on that day (`SectorOffer`),
    NaN when it is on none (no row yet, or a row « Aucune offre »)."""
    with db.connect() as conn:
        offers = pd.read_sql(
            select(SectorOffer.sector_id, SectorOffer.valid_from.label("day"), SectorOffer.offer_id).where(
                SectorOffer.valid_from <= as_of
            ),
            conn,
        )
    offers = offers.astype({"sector_id": "int64", "offer_id": "float64"})
    offers["day"] = pd.to_datetime(offers["day"])
    left = grid.astype({"sector_id": "int64"}).sort_values("day")
    return pd.merge_asof(left, offers.sort_values("day"), on="day", by="sector_id")


def uptake_total(db: Engine, as_of: date, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Programme totals at each month's end (at `as_of` for the current month), as `summary` counts them.

    At a date: the sectors covered then (`_coverage`) that are on an offer that day (a sector on
    no offer cannot have subscribers: counting its dwellings pulled the uptake down), each with
    its latest subscriber count on or before that date and its dwellings valid on that date. A
    month without a new count keeps the last one: adding only the sectors counted that month
    made 23 subscribers for 390 dwellings.

    Columns: month (first day), sectors, subscribers, dwellings, uptake.
    """
    columns = ["month", "sectors", "subscribers", "dwellings", "uptake"]
    ends, grid = _coverage(db, as_of, codes)
    if grid is None:
        return pd.DataFrame(columns=columns)
    grid = _with_offer(db, grid, as_of)
    grid["covered"] = grid["covered"] & grid["offer_id"].notna()
    # Subscribers at a month's end, all sectors together: the running sum of each count's change
    # since the sector's previous one (a few hundred monthly rows, not every count at national scale).
    previous = func.lag(SubscriberCount.subscribers).over(
        partition_by=SubscriberCount.sector_id, order_by=SubscriberCount.as_of
    )
    change = (SubscriberCount.subscribers - func.coalesce(previous, 0)).label("change")
    changes = select(SubscriberCount.sector_id, SubscriberCount.as_of, change).where(SubscriberCount.as_of <= as_of)
    if codes:
        changes = changes.where(SubscriberCount.sector_id.in_(select(Sector.id).where(Sector.code.in_(codes))))
    changes = changes.subquery()
    # By day, not by month: extracting the month of every count costs more than the window itself.
    daily = select(changes.c.as_of.label("day"), func.sum(changes.c.change).label("change")).group_by(changes.c.as_of)
    with db.connect() as conn:
        daily_df = pd.read_sql(daily, conn)
    # Counts of sectors not covered on a date are not the programme's: take them out again. Rare
    # (a count before implementation, a sector whose new round is not implemented yet): their
    # counts are read one by one.
    outside = grid[~grid["covered"] & (grid["first_count"] <= grid["day"])]
    if len(outside):
        wanted = [int(i) for i in outside["sector_id"].unique()]
        with db.connect() as conn:
            their = pd.read_sql(
                select(SubscriberCount.sector_id, SubscriberCount.as_of.label("day"), SubscriberCount.subscribers)
                .where(SubscriberCount.as_of <= as_of, SubscriberCount.sector_id.in_(wanted))
                .order_by(SubscriberCount.as_of),
                conn,
            )
        their["day"] = pd.to_datetime(their["day"])
        outside = pd.merge_asof(outside.sort_values("day"), their, on="day", by="sector_id")
        not_ours = outside.groupby("day")["subscribers"].sum()
    else:
        not_ours = pd.Series(dtype="float64")
    covered = _with_dwellings(db, grid[grid["covered"]], as_of)
    out = (
        covered.groupby("day")
        .agg(sectors=("sector_id", "size"), dwellings=("dwellings", "sum"))
        .reindex(pd.to_datetime(ends), fill_value=0)
    )
    daily_df["day"] = pd.to_datetime(daily_df["day"])
    running = daily_df.sort_values("day").set_index("day")["change"].cumsum()
    all_counted = running.reindex(running.index.union(out.index)).ffill().fillna(0).reindex(out.index)
    out["subscribers"] = all_counted.to_numpy() - not_ours.reindex(out.index, fill_value=0).to_numpy()
    out = out[out["sectors"] > 0]
    df = pd.DataFrame(
        {
            "month": [d.replace(day=1).date() for d in out.index],
            "sectors": out["sectors"].astype(int).to_numpy(),
            "subscribers": out["subscribers"].astype(int).to_numpy(),
            "dwellings": out["dwellings"].astype(int).to_numpy(),
        }
    )
    df["uptake"] = (df["subscribers"] / df["dwellings"]).where(df["dwellings"] > 0).astype("Float64")
    return df[columns]


def _implementation_starts():
    """Subquery: each sector's first actual implementation start (its launch), by sector."""
    return (
        select(Deployment.sector_id, func.min(DeploymentStage.actual_start).label("launched_on"))
        .join(DeploymentStage, DeploymentStage.deployment_id == Deployment.id)
        .where(DeploymentStage.stage == "implementation", DeploymentStage.actual_start.is_not(None))
        .group_by(Deployment.sector_id)
        .subquery("impl")
    )


def uptake_events(db: Engine, as_of: date, codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """What moves the programme's curves, up to `as_of`: each sector's joining (its first actual
    implementation start, when its dwellings enter the totals and the uptake drops) and each tariff
    change (every tariff but the programme's first price).

    Columns: day, kind ("join" or "tariff"), name (the sector, or the tariff's offer), price (€ a
    month, tariffs only), label (« entrée de Keredern », « tarif 1,10 € »); by day.
    """
    impl = _implementation_starts()
    joins = select(
        impl.c.launched_on.label("day"),
        literal("join").label("kind"),
        Sector.name.label("name"),
        null().label("price"),
    ).join(Sector, Sector.id == impl.c.sector_id)
    joins = joins.where(impl.c.launched_on <= as_of)
    if codes:
        joins = joins.where(Sector.code.in_(codes))
    first_price = select(func.min(Tariff.valid_from)).scalar_subquery()
    tariffs = (
        select(
            Tariff.valid_from.label("day"),
            literal("tariff").label("kind"),
            Offer.name.label("name"),
            Tariff.monthly_price_eur.label("price"),
        )
        .join(Offer, Offer.id == Tariff.offer_id)
        .where(Tariff.valid_from <= as_of, Tariff.valid_from > first_price)
    )
    both = union_all(joins, tariffs).subquery()
    with db.connect() as conn:
        df = pd.read_sql(select(both).order_by(both.c.day, both.c.kind, both.c.name), conn)
    df["day"] = pd.to_datetime(df["day"]).dt.date
    df["price"] = df["price"].astype("Float64")
    df["label"] = [
        f"entrée {fr_of(name)}" if kind == "join" else f"tarif {fr_eur(float(price))}"
        for kind, name, price in zip(df["kind"], df["name"], df["price"], strict=True)
    ]
    return df[["day", "kind", "name", "price", "label"]]


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
    """Per year: what the collective contract cost, month by month, and its annual run rate.

    A month is charged for every dwelling of the sectors covered on its last day (`as_of` for the
    current month), each at the tariff in force that day of the offer the sector is on then
    (`SectorOffer`); a sector on no offer is not charged and is counted in `sectors_without_offer`.
    `charges_eur` adds the year's months (up to `as_of`'s month for the current year).
    Separately, `run_rate_eur` is the annual rate on the year's last charged day (`on`): each
    charged sector's dwellings × its monthly tariff × 12; `monthly_price_eur` is that rate's
    price per charged dwelling and month, and `cost_per_subscriber_eur` the rate divided by the
    active subscribers of the covered sectors that day. The run rate at the end of 2014 was
    shown as the year's cost: 65,683 € for 36,016 € charged.

    Columns: year, on, months, dwellings, subscribers, monthly_price_eur, charges_eur,
    run_rate_eur, cost_per_subscriber_eur, charged_dwellings (on `on`), sectors_without_offer.
    """
    cols = [
        "year",
        "on",
        "months",
        "dwellings",
        "subscribers",
        "monthly_price_eur",
        "charges_eur",
        "run_rate_eur",
        "cost_per_subscriber_eur",
        "charged_dwellings",
        "sectors_without_offer",
    ]
    _ends, grid = _coverage(db, as_of)
    if grid is None:
        return pd.DataFrame(columns=cols)
    # Each covered sector's offer on the day, then that offer's tariff on the day.
    covered = _with_offer(db, _with_dwellings(db, grid[grid["covered"]], as_of), as_of)
    with db.connect() as conn:
        tariffs = pd.read_sql(
            select(Tariff.offer_id, Tariff.valid_from.label("day"), Tariff.monthly_price_eur).where(
                Tariff.valid_from <= as_of
            ),
            conn,
        )
    tariffs["day"] = pd.to_datetime(tariffs["day"])
    tariffs["monthly_price_eur"] = tariffs["monthly_price_eur"].astype(float)
    priced = covered.dropna(subset=["offer_id"]).astype({"offer_id": "int64"})
    priced = pd.merge_asof(
        priced.sort_values("day"), tariffs.astype({"offer_id": "int64"}).sort_values("day"), on="day", by="offer_id"
    )
    priced["charge"] = priced["dwellings"] * priced["monthly_price_eur"].fillna(0)
    totals = (
        covered.groupby("day")
        .agg(dwellings=("dwellings", "sum"), without=("offer_id", lambda o: int(o.isna().sum())))
        .join(
            priced.groupby("day").agg(
                charge=("charge", "sum"), charged=("dwellings", lambda d: d[priced.loc[d.index, "charge"] > 0].sum())
            )
        )
        .fillna({"charge": 0.0, "charged": 0})
    )
    totals = totals[totals["charge"] > 0]
    if totals.empty:
        return pd.DataFrame(columns=cols)
    subscribers = uptake_total(db, as_of)
    subscribers = pd.Series(
        subscribers["subscribers"].to_numpy(),
        index=pd.to_datetime(
            [min(e, pd.Timestamp(as_of)) for e in pd.to_datetime(subscribers["month"]) + pd.offsets.MonthEnd(0)]
        ),
    )
    totals["subscribers"] = subscribers.reindex(totals.index).fillna(0).astype(int)
    totals["year"] = totals.index.year
    totals["on"] = totals.index
    years = totals.groupby("year").agg(
        on=("on", "last"),
        months=("charge", "size"),
        dwellings=("dwellings", "last"),
        subscribers=("subscribers", "last"),
        charges_eur=("charge", "sum"),
        last_charge=("charge", "last"),
        charged=("charged", "last"),
        sectors_without_offer=("without", "last"),
    )
    years = years.reset_index()
    years["on"] = years["on"].dt.date
    years["charges_eur"] = years["charges_eur"].round(2)
    years["run_rate_eur"] = (years["last_charge"] * 12).round(2)
    years["monthly_price_eur"] = (years["last_charge"] / years["charged"]).round(4)
    per = years["run_rate_eur"] / years["subscribers"].where(years["subscribers"] > 0)
    years["cost_per_subscriber_eur"] = per.round(2).astype("Float64")
    years["sectors_without_offer"] = years["sectors_without_offer"].astype(int)
    years["charged_dwellings"] = years["charged"].astype(int)
    return years[cols]


def counted_sector_choices(db: Engine, as_of: date) -> pd.DataFrame:
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
    return df[[*cols, "uptake", "uptake_previous"]].sort_values("uptake", ascending=False).reset_index(drop=True)
