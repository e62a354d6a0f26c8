"""Reads for ballot week: live turnout, the curve against previous ballots, the projection, the count.

Turnout reports are cumulative per polling place, so the ballot's total at a time is the sum of
each place's latest report. The running total is computed in SQL with window functions: each
report contributes its increase over the previous report of the same place (`lag`), and a
running `sum` over time adds those increases (a correction contributes a negative increase).

Projection to the close (documented in `projection`):
- "shape": from previous ballots' average shape. At the elapsed fraction f of the current
  ballot, projected share = current share / mean share of past ballots at fraction f × mean
  final share of past ballots. Fractions (not hours) let ballots of different lengths compare.
- "linear": without usable past ballots, the rate of the last 24 hours continued to the close.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Subquery, and_, bindparam, case, func, select
from sqlalchemy.orm import Session

from ihs.ballots import (
    COUNT_FIELDS,
    COUNT_LABELS,
    COUNTED_STATUSES,
    FINISHED_STATUSES,
    Counts,
    ballot_defaults,
    latest_readings,
    outcome,
    phase_of,
    polling_started,
    propose_after_ballot,
    visible_entries,
)
from ihs.clock import end_of_day
from ihs.formats import fr_pct
from ihs.models import Ballot, BallotCount, Deployment, PollingPlace, Sector, TurnoutReport
from ihs.programme import get_setting
from ihs.vocab import BALLOT_STATUSES


def ballot_list(db: Engine, now: datetime) -> pd.DataFrame:
    """Every ballot, newest first: ballot_id, sector_id, sector_code, sector_name, opens_at, closes_at,
    registered, rule, quorum_pct, status, outcome, phase, and `label` for a choice list
    ("Kerourien – 05/06/2023 (Validé)"), made here once per cached read, not on every run."""
    df = _ballot_rows(db, now)
    if df.empty:  # a new programme: no ballot yet
        return df.assign(label=pd.Series(dtype=str))
    phases = df["phase"].map(lambda p: BALLOT_STATUSES.get(p, p))
    df["label"] = df["sector_name"] + " – " + df["opens_at"].dt.strftime("%d/%m/%Y") + " (" + phases + ")"
    return df


def _ballot_select():
    return select(
        Ballot.id.label("ballot_id"),
        Ballot.sector_id,
        Sector.code.label("sector_code"),
        Sector.name.label("sector_name"),
        Ballot.opens_at,
        Ballot.closes_at,
        Ballot.registered,
        Ballot.rule,
        Ballot.quorum_pct,
        Ballot.status,
        Ballot.outcome,
        Ballot.unlock_reason,
        Ballot.validated_by,
        Ballot.locked_by,
        Ballot.locked_at,
    ).join(Sector, Sector.id == Ballot.sector_id)


_BALLOT_DATES = ["opens_at", "closes_at", "locked_at"]


def _ballot_rows(db: Engine, now: datetime, where=None) -> pd.DataFrame:
    """`ballot_list`, or the rows that match `where`."""
    stmt = _ballot_select().order_by(Ballot.opens_at.desc(), Ballot.id.desc())
    if where is not None:
        stmt = stmt.where(where)
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn, parse_dates=_BALLOT_DATES)
    df["phase"] = [
        phase_of(s, o, c, now) for s, o, c in zip(df["status"], df["opens_at"], df["closes_at"], strict=True)
    ]
    return df


def ballot_choices(db: Engine, now: datetime) -> list[tuple[int, str]]:
    """(ballot_id, label) of every ballot, newest first, for a choice list: the labels of
    `ballot_list`, without the rest of its columns (the live screen shows only these)."""
    df = ballot_list(db, now)
    return list(zip(df["ballot_id"].astype(int).tolist(), df["label"].tolist(), strict=True))


def _is_open(now: datetime):
    """In SQL, what `_phase` calls "open": not counted yet, and `now` between opening and close."""
    return and_(Ballot.status.not_in(COUNTED_STATUSES), Ballot.opens_at <= now, Ballot.closes_at >= now)


def open_ballots(db: Engine, now: datetime) -> pd.DataFrame:
    """Ballots open now (turnout can be entered)."""
    return _ballot_rows(db, now, where=_is_open(now)).reset_index(drop=True)


def live_ballot_id(db: Engine, now: datetime, sector_code: str | None = None) -> int | None:
    """The ballot the live screen shows: the sector's latest, else the open one, else the latest started."""
    latest = select(Ballot.id).order_by(Ballot.opens_at.desc(), Ballot.id.desc()).limit(1)
    if sector_code:
        choices = [latest.join(Sector, Sector.id == Ballot.sector_id).where(Sector.code == sector_code)]
    else:
        choices = [latest.where(_is_open(now)), latest.where(Ballot.opens_at <= now)]
    with db.connect() as conn:
        for stmt in choices:
            found = conn.execute(stmt).scalar()
            if found is not None:
                return int(found)
    return None


def ballot_header(db: Engine, ballot_id: int, now: datetime) -> dict | None:
    """One ballot's row of `ballot_list` (without its label), dates as Timestamps; None if unknown.

    One row, read without pandas: the live screen reads it on every refresh, and a one-row
    DataFrame cost 5 ms on the project's machine where the row itself costs 0.1 ms.
    """
    with db.connect() as conn:
        row = conn.execute(_ballot_select().where(Ballot.id == ballot_id)).mappings().first()
    if row is None:
        return None
    header = dict(row)
    for key in _BALLOT_DATES:
        header[key] = pd.NaT if header[key] is None else pd.Timestamp(header[key])
    header["phase"] = phase_of(header["status"], header["opens_at"], header["closes_at"], now)
    return header


def turnout_by_place(db: Engine, ballot_id: int, now: datetime) -> pd.DataFrame:
    """Latest report of each place at `now`: place_id, name, voters (0 if none yet), reported_at, is_correction."""
    latest = latest_readings(now, ballot_id)
    stmt = (
        select(
            PollingPlace.id.label("place_id"),
            PollingPlace.name,
            func.coalesce(latest.c.voters, 0).label("voters"),
            latest.c.reported_at,
            latest.c.is_correction,
        )
        .outerjoin(latest, latest.c.place_id == PollingPlace.id)
        .where(PollingPlace.ballot_id == ballot_id)
        .order_by(PollingPlace.id)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn, parse_dates=["reported_at"])
    df["voters"] = df["voters"].astype(int)
    return df


CHUNK_ROWS = 20_000


def _running_totals_stmt(until: bool):
    r = TurnoutReport
    previous = func.lag(r.voters).over(partition_by=(r.ballot_id, r.place_id), order_by=(r.reported_at, r.id))
    inner = select(r.ballot_id, r.reported_at, r.id, (r.voters - func.coalesce(previous, 0)).label("delta")).where(
        r.ballot_id.in_(bindparam("ballot_ids", expanding=True))
    )
    if until:
        inner = inner.where(r.reported_at <= bindparam("until"))
    inner = inner.subquery()
    return select(
        inner.c.ballot_id,
        inner.c.reported_at,
        func.sum(inner.c.delta)
        .over(partition_by=inner.c.ballot_id, order_by=(inner.c.reported_at, inner.c.id))
        .label("voters"),
    ).order_by(inner.c.ballot_id, inner.c.reported_at, inner.c.id)


# Built once: the live screen runs it on every refresh, and building it cost more than running it.
_RUNNING_TOTALS = {until: _running_totals_stmt(until) for until in (False, True)}


def _running_totals(db: Engine, ballot_ids: list[int], until: datetime | None = None) -> pd.DataFrame:
    """ballot_id, reported_at, voters: the ballot's total after each report (SQL window functions)."""
    if not ballot_ids:
        return pd.DataFrame(columns=["ballot_id", "reported_at", "voters"])
    stmt = _RUNNING_TOTALS[until is not None]
    params = {"ballot_ids": list(ballot_ids)} | ({} if until is None else {"until": until})
    with db.connect() as conn:
        if len(ballot_ids) == 1:
            df = _fetch_totals(conn, stmt, params)
        else:
            # In chunks, streamed: nationally the finished ballots have 400,000 readings, and one
            # all-rows fetch held them all as Python objects at once (190 MB).
            chunks = pd.read_sql(
                stmt,
                conn.execution_options(stream_results=True),
                params=params,
                parse_dates=["reported_at"],
                chunksize=CHUNK_ROWS,
            )
            # (pandas yields one empty chunk when there is no row.)
            df = pd.concat([c.astype({"ballot_id": "int64", "voters": "int64"}) for c in chunks], ignore_index=True)
    return _last_per_instant(df)


def _last_per_instant(df: pd.DataFrame) -> pd.DataFrame:
    """Several reports at the same instant: keep the total after the last one (rows in query order)."""
    ids, at = df["ballot_id"].to_numpy(), df["reported_at"].to_numpy()
    keep = np.ones(len(df), dtype=bool)
    keep[:-1] = (ids[1:] != ids[:-1]) | (at[1:] != at[:-1])
    return df[keep].reset_index(drop=True)


def _rows_frame(rows, columns: dict[str, str]) -> pd.DataFrame:
    """A few fetched rows as a DataFrame, without read_sql's per-read overhead (docs/performance.md).
    `columns` names each value of a row, in order, as "int" or "date" (converted as read_sql does)."""
    out = {}
    for i, (name, kind) in enumerate(columns.items()):
        values = [r[i] for r in rows]
        out[name] = (
            np.array(values, dtype="int64") if kind == "int" else pd.to_datetime(pd.Series(values, dtype=object))
        )
    return pd.DataFrame(out)


def _fetch_totals(conn, stmt, params: dict) -> pd.DataFrame:
    """One ballot's running totals (the live screen's, on every refresh): a few thousand readings at
    most, fetched at once instead of through pandas' chunked reader."""
    return _rows_frame(conn.execute(stmt, params).all(), {"ballot_id": "int", "reported_at": "date", "voters": "int"})


# Finished ballots' running totals, computed once per process and set of finished ballots: at
# national scale the live screen compares with ~1,600 of them (400,000 readings) on every refresh.
# Keyed by the database (its URL, password hidden) and the ids of the finished ballots, which is
# enough because a ballot's readings are frozen from its count on (`record_turnout` refuses a
# counted ballot, and unlocking leaves it counted): whatever writes, servers or restores of the
# same programme's backups come later, the same finished ballots have the same readings.
_FINISHED_TOTALS: dict[tuple, pd.DataFrame] = {}  # also the previous curves built from them
_FINISHED_LOCK = threading.Lock()


def _database(db: Engine) -> str:
    """The database part of a memo key: its URL without the password."""
    return db.url.render_as_string(hide_password=True)


def _memo(key: tuple, compute, limit: int):
    """The value memoised under `key`, computed once; the memo is emptied when it reaches `limit`."""
    with _FINISHED_LOCK:
        value = _FINISHED_TOTALS.get(key)
    if value is None:
        value = compute()
        with _FINISHED_LOCK:
            if len(_FINISHED_TOTALS) >= limit:
                _FINISHED_TOTALS.clear()
            _FINISHED_TOTALS[key] = value
    return value


def _finished_totals(db: Engine, ids: list[int]) -> pd.DataFrame:
    """`_running_totals` of finished ballots, sorted by ballot then time, with their search key; memoised."""
    key = (_database(db), tuple(sorted(ids)))
    # A few databases or finished sets at most: these are the big entries.
    return _memo(key, lambda: _keyed(_running_totals(db, ids)), limit=8)


def _finished_info(db: Engine, ids: list[int]) -> pd.DataFrame:
    """`_ballot_frame` of finished ballots (their dates and registered voters no longer change), memoised."""
    key = ("info", _database(db), tuple(sorted(ids)))
    return _memo(key, lambda: _ballot_frame(db, ids), limit=32)


def _search_key(ballot_ids: pd.Series, at: pd.Series) -> np.ndarray:
    """One sortable integer per (ballot, instant): ballot id in the high bits, seconds in the low."""
    seconds = at.to_numpy(dtype="datetime64[s]").astype(np.int64)
    return ballot_ids.to_numpy(dtype=np.int64) * _KEY_SPAN + seconds


_KEY_SPAN = 1 << 36  # seconds: beyond year 4000, and ballot ids up to 2**27 stay within int64


def _keyed(totals: pd.DataFrame) -> pd.DataFrame:
    keyed = totals.assign(key=_search_key(totals["ballot_id"], totals["reported_at"]))
    return keyed.sort_values("key", kind="stable").reset_index(drop=True)


_BALLOT_FRAME = select(Ballot.id.label("ballot_id"), Ballot.opens_at, Ballot.closes_at, Ballot.registered).where(
    Ballot.id.in_(bindparam("ids", expanding=True))
)


def _ballot_frame(db: Engine, ids: list[int]) -> pd.DataFrame:
    """opens_at, closes_at, registered of the ballots `ids`, indexed by ballot_id."""
    with db.connect() as conn:
        if len(ids) != 1:
            return pd.read_sql(
                _BALLOT_FRAME, conn, params={"ids": list(ids)}, parse_dates=["opens_at", "closes_at"]
            ).set_index("ballot_id")
        # One ballot (the live screen's, on every refresh): its row without read_sql's overhead.
        rows = conn.execute(_BALLOT_FRAME, {"ids": list(ids)}).all()
    columns = {"ballot_id": "int", "opens_at": "date", "closes_at": "date", "registered": "int"}
    return _rows_frame(rows, columns).set_index("ballot_id")


def _curve(ballot_id: int, info: Mapping, totals: pd.DataFrame) -> pd.DataFrame:
    start = pd.DataFrame({"ballot_id": [ballot_id], "reported_at": [info["opens_at"]], "voters": [0]})
    df = pd.concat([start, totals], ignore_index=True)
    hours = (df["reported_at"] - info["opens_at"]).dt.total_seconds() / 3600
    return pd.DataFrame(
        {
            "reported_at": df["reported_at"],
            "elapsed_hours": hours.round(2),
            "elapsed_days": (hours / 24).round(3),
            "voters": df["voters"],
            "share": df["voters"] / info["registered"],
        }
    )


def _previous_ids_stmt():
    this = select(Ballot.opens_at).where(Ballot.id == bindparam("ballot_id")).scalar_subquery()
    return (
        select(Ballot.id)
        .where(Ballot.id != bindparam("ballot_id"), Ballot.status.in_(FINISHED_STATUSES), Ballot.closes_at <= this)
        .order_by(Ballot.id)
    )


# Built once: the live refresh asks twice a minute (projection and curves), and building this
# statement cost more than running it (docs/performance.md).
_PREVIOUS_IDS = _previous_ids_stmt()


def _previous_ids(db: Engine, ballot_id: int) -> list[int]:
    """Finished ballots closed before this one opened, by id."""
    with db.connect() as conn:
        return conn.execute(_PREVIOUS_IDS, {"ballot_id": ballot_id}).scalars().all()


def _share_at(totals: pd.DataFrame, info: pd.DataFrame, points: pd.DataFrame) -> pd.Series:
    """Share of registered of each (ballot_id, at) in `points`: the latest total at or before `at`.

    `totals` comes from `_keyed`: one binary search per point (nationally ~1,600 ballots × the
    grid against 400,000 readings, in a few milliseconds).
    """
    if totals.empty or points.empty:
        return pd.Series(0.0, index=points.index)
    keys = totals["key"].to_numpy()
    wanted = _search_key(points["ballot_id"], points["at"])
    pos = np.searchsorted(keys, wanted, side="right") - 1
    found = totals["ballot_id"].to_numpy()[pos.clip(0)] == points["ballot_id"].to_numpy()
    voters = np.where((pos >= 0) & found, totals["voters"].to_numpy()[pos.clip(0)], 0)
    registered = points["ballot_id"].map(info["registered"]).to_numpy(dtype=float)
    return pd.Series(voters / registered, index=points.index)


def previous_curves(db: Engine, ballot_id: int, step_hours: float = 2.0) -> pd.DataFrame:
    """Previous (validated) ballots at the same elapsed hours: elapsed_hours, elapsed_days, mean_share,
    min_share, max_share, ballots — on a grid up to the current ballot's length."""
    ids = _previous_ids(db, ballot_id)
    if not ids:
        return pd.DataFrame(
            columns=["elapsed_hours", "elapsed_days", "mean_share", "min_share", "max_share", "ballots"]
        )
    info = pd.concat([_finished_info(db, ids), _ballot_frame(db, [ballot_id])])
    # Finished ballots are frozen: the same ballot, length and finished set give the same curves.
    key = (
        "curves",
        _database(db),
        ballot_id,
        step_hours,
        tuple(sorted(ids)),
        info.loc[ballot_id, "opens_at"],
        info.loc[ballot_id, "closes_at"],
    )
    curves = _memo(key, lambda: _previous_curves(info, ids, ballot_id, step_hours, _finished_totals(db, ids)), limit=32)
    return curves.copy()


def _previous_curves(
    info: pd.DataFrame, ids: list[int], ballot_id: int, step_hours: float, totals: pd.DataFrame
) -> pd.DataFrame:
    length = (info.loc[ballot_id, "closes_at"] - info.loc[ballot_id, "opens_at"]).total_seconds() / 3600
    grid = [i * step_hours for i in range(int(length // step_hours) + 1)]
    if grid[-1] < length:
        grid.append(length)
    # Every previous ballot at every grid point (vectorised: ~1,600 ballots × the grid nationally).
    n = len(grid)
    points = pd.DataFrame({"ballot_id": np.repeat(ids, n), "hours": np.tile(grid, len(ids))})
    at = points["ballot_id"].map(info["opens_at"]) + pd.to_timedelta(points["hours"], unit="h")
    # Past the close of a shorter ballot, its final figure holds.
    closes = points["ballot_id"].map(info["closes_at"])
    points["at"] = at.where(at <= closes, closes)
    points["share"] = _share_at(totals, info, points)
    out = points.groupby("hours")["share"].agg(["mean", "min", "max", "count"]).reset_index()
    out.columns = ["elapsed_hours", "mean_share", "min_share", "max_share", "ballots"]
    out["elapsed_days"] = out["elapsed_hours"] / 24
    return out


def projection(db: Engine, ballot_id: int, now: datetime) -> dict:
    """Projected turnout at the close: method ("shape", "linear" or "final"), voters, share, explanation."""
    return _projection(
        db, ballot_id, now, _ballot_frame(db, [ballot_id]).loc[ballot_id], _running_totals(db, [ballot_id], until=now)
    )


def _projection(db: Engine, ballot_id: int, now: datetime, info: Mapping, totals: pd.DataFrame) -> dict:
    """`projection` from the ballot's dates and its running totals up to `now` (`_running_totals`)."""
    opens, closes, registered = info["opens_at"], info["closes_at"], int(info["registered"])
    current = totals[totals["reported_at"] <= min(now, closes)]
    voters = int(current["voters"].iloc[-1]) if len(current) else 0
    share = voters / registered
    if now >= closes:
        return {"method": "final", "voters": voters, "share": share, "explanation": "Scrutin clos : chiffre final."}
    if now <= opens:
        return {"method": "none", "voters": None, "share": None, "explanation": "Le scrutin n'est pas encore ouvert."}
    fraction = (now - opens) / (closes - opens)
    ids = _previous_ids(db, ballot_id)
    if ids and voters > 0:
        prev = _finished_info(db, ids)
        # Each previous ballot at the same fraction of its length and at its close (vectorised).
        points = pd.DataFrame({"ballot_id": np.repeat(ids, 2), "fraction": np.tile([fraction, 1.0], len(ids))})
        starts = points["ballot_id"].map(prev["opens_at"])
        points["at"] = starts + (points["ballot_id"].map(prev["closes_at"]) - starts) * points["fraction"]
        points = points[["ballot_id", "at", "fraction"]]
        points["share"] = _share_at(_finished_totals(db, ids), prev, points)
        at_same = points.loc[points["fraction"] == fraction, "share"].mean()
        final = points.loc[points["fraction"] == 1.0, "share"].mean()
        if at_same > 0:
            previous_text = f"des {len(ids)} scrutins précédents" if len(ids) > 1 else "du scrutin précédent"
            projected = min(1.0, max(share, share / at_same * final))
            return {
                "method": "shape",
                "voters": round(projected * registered),
                "share": float(projected),
                "explanation": (
                    f"D'après le rythme {previous_text} : à ce stade ({fr_pct(fraction)} de la "
                    f"durée) ils avaient {fr_pct(at_same)} de participation, et {fr_pct(final)} à la clôture."
                ),
            }
    day_before = now - timedelta(hours=24)
    base = current[current["reported_at"] <= day_before]
    base_voters = int(base["voters"].iloc[-1]) if len(base) else 0
    since = max(day_before, opens)
    rate = (voters - base_voters) / max((now - since).total_seconds() / 3600, 1e-9)
    hours_left = (closes - now).total_seconds() / 3600
    projected_voters = min(registered, round(voters + rate * hours_left))
    return {
        "method": "linear",
        "voters": projected_voters,
        "share": projected_voters / registered,
        "explanation": "Au rythme des dernières 24 heures, prolongé jusqu'à la clôture (pas de scrutin précédent comparable).",
    }


def live_turnout(db: Engine, ballot_id: int, now: datetime) -> dict:
    """The live screen's figures: voters, registered, share, last report, staleness, time left, projection,
    and what its charts draw: `curve` (the running total after each reading) and `places` (`turnout_by_place`).

    One read for the whole refresh: the running totals feed both the curve and the projection.
    """
    header = ballot_header(db, ballot_id, now)  # its dates and registered count serve the curve and projection
    places = turnout_by_place(db, ballot_id, now)
    totals = _running_totals(db, [ballot_id], until=now)
    voters = int(places["voters"].sum())
    last = places["reported_at"].max() if places["reported_at"].notna().any() else None
    last = None if last is None or pd.isna(last) else last.to_pydatetime()
    stale_after = timedelta(minutes=float(get_setting(db, "ballot.stale_after_minutes")))
    is_open = header["phase"] == "open"
    # Stale only while the polling places are open: not at night, nor just after the day's opening.
    polling_since = polling_started(header["opens_at"].to_pydatetime(), header["closes_at"].to_pydatetime(), now)
    stale = bool(is_open and polling_since and now - max(last or polling_since, polling_since) > stale_after)
    return {
        "ballot_id": ballot_id,
        "sector_name": header["sector_name"],
        "phase": header["phase"],
        "opens_at": header["opens_at"].to_pydatetime(),
        "closes_at": header["closes_at"].to_pydatetime(),
        "registered": int(header["registered"]),
        "voters": voters,
        "share": voters / header["registered"] if header["registered"] else None,
        "last_report_at": last,
        "stale": stale,
        "minutes_since_last": None if last is None else int((now - last).total_seconds() // 60),
        "time_left": max(header["closes_at"].to_pydatetime() - now, timedelta(0)) if is_open else None,
        "projection": _projection(db, ballot_id, now, header, totals),
        "curve": _curve(ballot_id, header, totals),
        "places": places,
    }


def count_entries(db: Engine, ballot_id: int) -> pd.DataFrame:
    """The count's entries: entry_no, yes, no, blank, void, in_box, entered_by, entered_at, warnings_note."""
    stmt = (
        select(
            BallotCount.entry_no,
            BallotCount.yes,
            BallotCount.no,
            BallotCount.blank,
            BallotCount.void,
            BallotCount.in_box,
            BallotCount.entered_by,
            BallotCount.entered_at,
            BallotCount.warnings_note,
        )
        .where(BallotCount.ballot_id == ballot_id)
        .order_by(BallotCount.entry_no)
    )
    with db.connect() as conn:
        return pd.read_sql(stmt, conn)


def ballot_result(db: Engine, ballot_id: int) -> dict | None:
    """The validated (or locked) result: counts (entry 1, equal to entry 2) and the outcome by the ballot's rule."""
    stmt = (
        select(
            Ballot.registered,
            Ballot.rule,
            Ballot.quorum_pct,
            Ballot.status,
            *(getattr(BallotCount, k) for k in COUNT_FIELDS),
        )
        .join(BallotCount, and_(BallotCount.ballot_id == Ballot.id, BallotCount.entry_no == 1))
        .where(Ballot.id == ballot_id, Ballot.status.in_(FINISHED_STATUSES))
    )
    with db.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None:
        return None
    counts = Counts(**{k: getattr(row, k) for k in COUNT_FIELDS})
    return {
        "counts": counts,
        "status": row.status,
        "outcome": outcome(counts, row.registered, row.rule, row.quorum_pct),
    }


def count_view(db: Engine, ballot_id: int, viewer: str) -> dict:
    """What `viewer` may see of the count's double entry (`ihs.ballots.visible_entries`).

    `entries`: who typed each saved entry and when (never its figures); `comparison`: field, label,
    entry_1, entry_2, same — only once both entries exist, else None; `own`: before that, the
    entry the viewer typed (entry_no, DataFrame of label and value), else None.
    """
    rows = count_entries(db, ballot_id).set_index("entry_no")
    entries = {int(n): {"by": r["entered_by"], "at": r["entered_at"]} for n, r in rows.iterrows()}
    visible = visible_entries({n: e["by"] for n, e in entries.items()}, viewer)
    view: dict = {"entries": entries, "comparison": None, "own": None}
    if visible == {1, 2}:
        view["comparison"] = pd.DataFrame(
            [
                {
                    "field": k,
                    "label": COUNT_LABELS[k],
                    "entry_1": int(rows.loc[1, k]),
                    "entry_2": int(rows.loc[2, k]),
                    "same": int(rows.loc[1, k]) == int(rows.loc[2, k]),
                }
                for k in COUNT_FIELDS
            ]
        )
    elif visible:
        (n,) = visible
        view["own"] = (
            n,
            pd.DataFrame([{"label": COUNT_LABELS[k], "value": int(rows.loc[n, k])} for k in COUNT_FIELDS]),
        )
    return view


def setup_candidates(db: Engine, now: datetime) -> pd.DataFrame:
    """Sectors with a deployment, and the ballot of their latest deployment if any:
    sector_id, code, name, deployment_id, ballot_id, phase, has_reports."""
    latest = select(Deployment.sector_id, func.max(Deployment.id).label("deployment_id")).group_by(Deployment.sector_id)
    latest = latest.subquery()
    reports = (
        select(TurnoutReport.ballot_id, func.count().label("reports")).group_by(TurnoutReport.ballot_id).subquery()
    )
    stmt = (
        select(
            Sector.id.label("sector_id"),
            Sector.code,
            Sector.name,
            latest.c.deployment_id,
            Ballot.id.label("ballot_id"),
            Ballot.status,
            Ballot.opens_at,
            Ballot.closes_at,
            func.coalesce(reports.c.reports, 0).label("reports"),
        )
        .join(latest, latest.c.sector_id == Sector.id)
        .outerjoin(Ballot, Ballot.deployment_id == latest.c.deployment_id)
        .outerjoin(reports, reports.c.ballot_id == Ballot.id)
        .order_by(Sector.name)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn, parse_dates=["opens_at", "closes_at"])
    df["phase"] = [
        None if pd.isna(b) else phase_of(s, o, c, now)
        for b, s, o, c in zip(df["ballot_id"], df["status"], df["opens_at"], df["closes_at"], strict=True)
    ]
    df["editable"] = df["ballot_id"].isna() | ((df["status"] == "planned") & (df["reports"] == 0))
    return df


def setup_form_values(db: Engine, sector_id: int, opens_on: date, ballot_id: int | None) -> dict:
    """What the set-up form starts from: the planned ballot's values when it opens on `opens_on`,
    else the defaults (one week, dwellings on that date, the usual polling places)."""
    with Session(db) as session:
        values = ballot_defaults(session, sector_id, opens_on)
        ballot = session.get(Ballot, ballot_id) if ballot_id else None
        if ballot is not None and ballot.opens_at.date() == opens_on:
            values.update(
                opens_at=ballot.opens_at,
                closes_at=ballot.closes_at,
                registered=ballot.registered,
                rule=ballot.rule,
                quorum_pct=ballot.quorum_pct,
                places=[{"name": p.name, "kind": p.kind} for p in sorted(ballot.places, key=lambda p: p.id)],
            )
    return values


def milestone_proposal(db: Engine, ballot_id: int) -> list[dict]:
    """Planned dates proposed for implementation and workshops after a yes vote (`propose_after_ballot`)."""
    with Session(db) as session:
        return propose_after_ballot(session, ballot_id)


def ballot_to_count(ballots: pd.DataFrame) -> int:
    """The ballot the count page opens on (`ballots` from `ballot_list`, newest first): the newest
    awaiting or in its count, else the newest closed one, else the newest."""
    pending = ballots[ballots["phase"].isin(["closed", "counted", "validated"])]
    done = ballots[ballots["phase"] != "open"]
    return int((pending if len(pending) else done if len(done) else ballots)["ballot_id"].iloc[0])


def entry_to_type(entries: dict, viewer: str) -> int:
    """The count entry (1 or 2) offered to `viewer` (`count_view(...)["entries"]`): their own if they
    typed one, else the one still to do, else the first."""
    mine = [n for n, e in entries.items() if e["by"] == viewer]
    others = [n for n, e in entries.items() if e["by"] != viewer]
    return mine[0] if mine else (3 - others[0] if len(others) == 1 else 1)


def reported_turnout(cutoff: datetime, ballots: Any) -> Subquery:
    """Subquery, one row per ballot of `ballots` (an id or a select of ids) with readings at `cutoff`:
    voters (its places' latest readings summed), places_reported, last_report."""
    latest = latest_readings(cutoff, ballots)
    return (
        select(
            latest.c.ballot_id,
            func.sum(latest.c.voters).label("voters"),
            func.count().label("places_reported"),
            func.max(latest.c.reported_at).label("last_report"),
        )
        .group_by(latest.c.ballot_id)
        .subquery("reported")
    )


def ballot_figures(reported_voters: Any) -> list:
    """A ballot's figures as columns (voters, yes, no, blank, void, outcome): the validated count
    (entry 1, which the statement must outer-join as `BallotCount`) once the ballot is finished;
    before that, `reported_voters` (the turnout so far) and no result."""
    finished = Ballot.status.in_(FINISHED_STATUSES)
    return [
        case((finished, BallotCount.in_box), else_=reported_voters).label("voters"),
        *(case((finished, getattr(BallotCount, f))).label(f) for f in ("yes", "no", "blank", "void")),
        case((finished, Ballot.outcome)).label("outcome"),
    ]


def _with_turnout(db: Engine, stmt) -> pd.DataFrame:
    """`stmt`'s ballots (with their registered and voters) and their turnout: voters / registered,
    none when nobody is registered."""
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["turnout"] = (df["voters"] / df["registered"]).where(df["registered"] > 0)
    return df


def live_ballots(db: Engine, as_of: date) -> pd.DataFrame:
    """Ballots open on `as_of`, with the live turnout up to the end of that day.

    Turnout = the latest cumulative report of each polling place, summed.
    Columns: ballot_id, code, name, opens_at, closes_at, registered, places, places_reported,
    voters, last_report, turnout.
    """
    cutoff = end_of_day(as_of)
    open_that_day = and_(Ballot.opens_at <= cutoff, Ballot.closes_at >= datetime.combine(as_of, time.min))
    # Readings of the ballots open that day only (not all 400,000 at national scale).
    reported = reported_turnout(cutoff, select(Ballot.id).where(open_that_day))
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
            func.coalesce(reported.c.places_reported, 0).label("places_reported"),
            func.coalesce(reported.c.voters, 0).label("voters"),
            reported.c.last_report,
        )
        .join(Sector, Sector.id == Ballot.sector_id)
        .outerjoin(places, places.c.ballot_id == Ballot.id)
        .outerjoin(reported, reported.c.ballot_id == Ballot.id)
        .where(open_that_day)
        .order_by(Ballot.closes_at)
    )
    return _with_turnout(db, stmt)


def sector_ballots(db: Engine, code: str, as_of: date) -> pd.DataFrame:
    """The sector's ballots opened by `as_of`, with the count (entry 1) once validated or locked.

    `voters` is the ballot-box count when known, else the latest turnout reports summed.
    Columns: ballot_id, opens_at, closes_at, status, registered, voters, yes, no, blank, void,
    outcome, turnout.
    """
    cutoff = end_of_day(as_of)
    # This sector's ballots only (not all 400,000 readings at national scale).
    reported = reported_turnout(
        cutoff, select(Ballot.id).join(Sector, Sector.id == Ballot.sector_id).where(Sector.code == code)
    )
    stmt = (
        select(
            Ballot.id.label("ballot_id"),
            Ballot.opens_at,
            Ballot.closes_at,
            Ballot.status,
            Ballot.registered,
            *ballot_figures(reported.c.voters),
        )
        .join(Sector, Sector.id == Ballot.sector_id)
        .outerjoin(BallotCount, (BallotCount.ballot_id == Ballot.id) & (BallotCount.entry_no == 1))
        .outerjoin(reported, reported.c.ballot_id == Ballot.id)
        .where(Sector.code == code, Ballot.opens_at <= cutoff)
        .order_by(Ballot.opens_at)
    )
    return _with_turnout(db, stmt)
