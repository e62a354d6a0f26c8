"""Awareness: how many of today's households arrived after their sector's information and ballot.

The 2019 evaluation found the scheme too little known because tenants move. For each sector
covered on `as_of` (deployed or in implementation) this module estimates the share of
households that arrived after the ballot, and ranks the sectors that need a new information round.

Newcomer share — the rule (also shown on the Sensibilisation page, the slide and the report):
one survival model. Each month a share of the households present leaves and is replaced; the
share of today's households that arrived after the ballot is 1 − the share still there.
- The period runs from the day after the sector's ballot ends to `as_of` included
  (`years` = (as_of − ballot_end) in days / 365.25).
- A month the landlord reported (`MoveIn`, one row per month, months starting after the ballot's
  last day and not after `as_of`): m move-ins among d dwellings (today's) leave 1 − m/d of the
  households in place (0 when m ≥ d). The month counts for its days up to `as_of`.
- Every other day of the period (months without a report, the rest of the ballot's month, the
  current month when not reported yet) uses the default turnover rate `r`
  (`awareness.default_turnover_rate`, 10 %/year): 1 − r stay per year, pro rata of days.
- share = 1 − Π(1 − mₜ/d) × (1 − r) ^ uncovered years. Without any report: 1 − (1 − r) ^ years
  (10 %/year: 5 years → 41 %, 13 years → 75 %); 2 move-ins a month in 100 dwellings for 32
  months → 1 − 0.98³² = 47.6 % (not 64 %: a dwelling let twice is one household, not two).
- Method: "move_ins" when every month from the one after the ballot to the one before `as_of`'s
  is reported, "default" when none is, else "mixed".

A sector needs a new information round when its newcomer share reaches
`awareness.newcomer_share_alert`, or when its last information action (event of kind
"information") is older than `awareness.max_days_since_information` days, or when it has none.
Ranking: most criteria met first, then the highest newcomer share, then the oldest action.
A falling uptake over the last 12 months is named in the reason, not counted as a criterion.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from ihs.clock import end_of_day
from ihs.formats import fr_int, fr_num, fr_pct
from ihs.models import DeploymentStage, Event, EventSector, MoveIn, Sector
from ihs.programme import get_setting
from ihs.queries.sectors import COVERED_STAGES, latest_deployment, sector_status

METHOD_LABELS = {
    "move_ins": "Emménagements du bailleur",
    "mixed": "Emménagements du bailleur + taux par défaut",
    "default": "Taux par défaut",
}


def _month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def newcomer_share(
    *,
    dwellings: int | None,
    ballot_end: date,
    as_of: date,
    rate: float,
    reports: dict[date, int] | None = None,
) -> dict:
    """The module's rule for one sector: share, method and the years each source covers.

    `reports` maps the first day of a month to the move-ins the landlord reported for it."""
    total_days = max(0, (as_of - ballot_end).days)
    years = total_days / 365.25
    end = as_of + timedelta(days=1)  # `as_of` itself is in the period
    months = {m: n for m, n in (reports or {}).items() if ballot_end < m <= as_of}
    if not months or not dwellings:
        return {"share": 1 - (1 - rate) ** years, "method": "default", "covered_years": 0.0, "default_years": years}
    stay, covered_days = 1.0, 0
    for month, moved in months.items():
        stay *= max(0.0, 1 - moved / dwellings)
        covered_days += (min(_next_month(month), end) - month).days
    uncovered = max(0, total_days - covered_days) / 365.25
    share = 1 - stay * (1 - rate) ** uncovered
    month, due = _next_month(ballot_end), _month_start(as_of)
    complete = True
    while month < due:
        if month not in months:
            complete = False
            break
        month = _next_month(month)
    return {
        "share": share,
        "method": "move_ins" if complete else "mixed",
        "covered_years": covered_days / 365.25,
        "default_years": uncovered,
    }


def _ballot_ends(as_of: date):
    """Subquery: sector_id, ballot_end (last day of the ballot of its latest deployment)."""
    ranked, _ = latest_deployment(as_of)
    return (
        select(
            ranked.c.sector_id,
            func.coalesce(DeploymentStage.actual_end, DeploymentStage.planned_end).label("ballot_end"),
        )
        .join(
            DeploymentStage,
            and_(DeploymentStage.deployment_id == ranked.c.deployment_id, DeploymentStage.stage == "ballot"),
        )
        .subquery("ballots")
    )


def _move_in_totals(monthly: pd.DataFrame) -> pd.DataFrame:
    """sector_id, move_ins (sum), move_in_first, move_in_last: the detail table's columns."""
    return (
        monthly.groupby("sector_id", as_index=False).agg(
            move_ins=("move_ins", "sum"), move_in_first=("month", "min"), move_in_last=("month", "max")
        )
        if not monthly.empty
        else pd.DataFrame(columns=["sector_id", "move_ins", "move_in_first", "move_in_last"])
    )


def _reports_by_sector(monthly: pd.DataFrame) -> dict[int, dict[date, int]]:
    """{sector_id: {first day of month: move-ins}} for `newcomer_share`."""
    if monthly.empty:
        return {}
    months = pd.to_datetime(monthly["month"]).dt.date
    out: dict[int, dict[date, int]] = {}
    for sid, month, n in zip(monthly["sector_id"], months, monthly["move_ins"], strict=True):
        out.setdefault(int(sid), {})[month] = int(n)
    return out


def awareness(db: Engine, as_of: date) -> pd.DataFrame:
    """One row per covered sector (see the module docstring for the rules).

    Columns: sector_id, code, name, dwellings, ballot_end, years_since_ballot, move_ins,
    move_in_first, move_in_last, method, method_label, covered_years, default_years,
    newcomer_share, last_information, days_since_information, uptake, uptake_year_ago,
    uptake_change, criteria, needs_round, reason.
    """
    rate = float(get_setting(db, "awareness.default_turnover_rate"))
    alert = float(get_setting(db, "awareness.newcomer_share_alert"))
    max_days = int(get_setting(db, "awareness.max_days_since_information"))
    status = sector_status(db, as_of)
    status = status[status["stage"].isin(COVERED_STAGES)]
    ballots = _ballot_ends(as_of)
    # Monthly rows, not a sum: the survival model multiplies month by month.
    moves = (
        select(MoveIn.sector_id, MoveIn.month, MoveIn.move_ins)
        .join(ballots, ballots.c.sector_id == MoveIn.sector_id)
        .where(MoveIn.month > ballots.c.ballot_end, MoveIn.month <= as_of)
    )
    info = (
        select(EventSector.sector_id, func.max(Event.starts_at).label("last_information"))
        .join(Event, Event.id == EventSector.event_id)
        .where(
            Event.kind == "information",
            Event.deleted_at.is_(None),
            Event.starts_at <= datetime.combine(as_of, time.max),
        )
        .group_by(EventSector.sector_id)
    )
    with db.connect() as conn:
        ends = pd.read_sql(select(ballots), conn)
        monthly = pd.read_sql(moves, conn)
        informed = pd.read_sql(info, conn)
    before = sector_status(db, as_of - timedelta(days=365))[["sector_id", "uptake"]]
    df = (
        status[["sector_id", "code", "name", "dwellings", "uptake"]]
        .merge(ends, on="sector_id", how="left")
        .merge(_move_in_totals(monthly), on="sector_id", how="left")
        .merge(informed, on="sector_id", how="left")
        .merge(before.rename(columns={"uptake": "uptake_year_ago"}), on="sector_id", how="left")
    )
    reports = _reports_by_sector(monthly)
    rows = []
    for r in df.to_dict("records"):
        ballot_end = pd.Timestamp(r["ballot_end"]).date() if pd.notna(r["ballot_end"]) else None
        if ballot_end is None:
            continue  # a covered sector always has a ballot; skip inconsistent data rather than guess
        first = pd.Timestamp(r["move_in_first"]).date() if pd.notna(r["move_in_first"]) else None
        last = pd.Timestamp(r["move_in_last"]).date() if pd.notna(r["move_in_last"]) else None
        est = newcomer_share(
            dwellings=None if pd.isna(r["dwellings"]) else int(r["dwellings"]),
            ballot_end=ballot_end,
            as_of=as_of,
            rate=rate,
            reports=reports.get(int(r["sector_id"])),
        )
        last_info = pd.Timestamp(r["last_information"]).date() if pd.notna(r["last_information"]) else None
        days = (as_of - last_info).days if last_info else None
        uptake = None if pd.isna(r["uptake"]) else float(r["uptake"])
        before_uptake = None if pd.isna(r["uptake_year_ago"]) else float(r["uptake_year_ago"])
        change = uptake - before_uptake if uptake is not None and before_uptake is not None else None
        share_alert = est["share"] >= alert
        stale = days is None or days > max_days
        falling = change is not None and change < 0
        parts = [f"{fr_pct(est['share'])} des ménages arrivés depuis le scrutin"]
        parts.append(
            "aucune action d'information enregistrée"
            if days is None
            else f"dernière action d'information il y a {fr_int(days)} jour{'s' if days > 1 else ''}"
        )
        if falling:
            parts.append(f"adhésion en baisse de {fr_num(-change * 100, 1)} point sur 12 mois")
        rows.append(
            {
                "sector_id": int(r["sector_id"]),
                "code": r["code"],
                "name": r["name"],
                "dwellings": None if pd.isna(r["dwellings"]) else int(r["dwellings"]),
                "ballot_end": ballot_end,
                "years_since_ballot": (as_of - ballot_end).days / 365.25,
                "move_ins": None if pd.isna(r["move_ins"]) else int(r["move_ins"]),
                "move_in_first": first,
                "move_in_last": last,
                "method": est["method"],
                "method_label": METHOD_LABELS[est["method"]],
                "covered_years": est["covered_years"],
                "default_years": est["default_years"],
                "newcomer_share": est["share"],
                "last_information": last_info,
                "days_since_information": days,
                "uptake": uptake,
                "uptake_year_ago": before_uptake,
                "uptake_change": change,
                "criteria": int(share_alert) + int(stale),
                "needs_round": share_alert or stale,
                "reason": " ; ".join(parts),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    return out.sort_values("newcomer_share", ascending=False, kind="stable").reset_index(drop=True)


def rank(df: pd.DataFrame) -> pd.DataFrame:
    """`awareness` rows that need a new information round, most urgent first, numbered (`rank`)."""
    if df.empty:
        return df
    df = df[df["needs_round"]].copy()
    df["_days"] = df["days_since_information"].fillna(10**6)
    df = df.sort_values(["criteria", "newcomer_share", "_days"], ascending=[False, False, False], kind="stable")
    df = df.drop(columns="_days").reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


def chart_rows(df: pd.DataFrame, limit: int, also: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """The `limit` sectors with the highest newcomer share (the chart's order), plus those named in
    `also` wherever they rank. A chart of every sector is unreadable at national scale (1,400 bars)."""
    if len(df) <= limit:
        return df
    top = df.sort_values("newcomer_share", ascending=False, kind="stable").head(limit)
    extra = df[df["name"].isin(also) & ~df.index.isin(top.index)]
    return pd.concat([top, extra])


def overall_share(df: pd.DataFrame) -> float | None:
    """Newcomer share over all covered sectors, weighted by dwellings."""
    known = df.dropna(subset=["dwellings"]) if not df.empty else df
    if known.empty or known["dwellings"].sum() == 0:
        return None
    return float((known["newcomer_share"] * known["dwellings"]).sum() / known["dwellings"].sum())


def last_information(db: Engine, code: str, as_of: date) -> dict | None:
    """The latest information action in the sector on or before `as_of` (title, subkind, starts_at, reach)."""
    stmt = (
        select(Event.title, Event.subkind, Event.starts_at, Event.reach)
        .join(EventSector, EventSector.event_id == Event.id)
        .join(Sector, Sector.id == EventSector.sector_id)
        .where(
            Sector.code == code,
            Event.kind == "information",
            Event.deleted_at.is_(None),
            Event.starts_at <= end_of_day(as_of),
        )
        .order_by(Event.starts_at.desc())
        .limit(1)
    )
    with db.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["days_since"] = (as_of - out["starts_at"].date()).days
    return out
