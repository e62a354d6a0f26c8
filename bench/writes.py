"""The write load: `python -m ihs bench --writes`.

20 threads record visits and turnout readings through the same `ihs` write functions as the
forms, for 10 seconds, then count what reached the database. One process, as one Streamlit
server; `--processes N` spreads them over N processes, as N app servers on one database.
"""

from __future__ import annotations

import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, select

from bench.base import BenchError
from ihs import clock
from ihs import models as m
from ihs.visits import VisitEntry

WRITERS = 20
WRITE_SECONDS = 10.0


@dataclass
class WriteStats:
    ok: dict[str, int] = field(default_factory=lambda: {"visit": 0, "turnout": 0})
    errors: int = 0
    messages: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


MARK = "banc d'essai (écriture)"
PLACE_NAME = "Bureau du banc d'essai"


def _record_visit(session, actor, sector_id: int, day: date, n: int) -> None:
    """A drop-in visit, through the form's write function. Each one's notes differ (`n`), so the
    form's check against the same visit saved twice runs and lets it through, as for a partner's
    next visit."""
    from ihs.visits import record_visit

    record_visit(
        session,
        actor,
        VisitEntry(
            kind="dropin",
            sector_id=sector_id,
            occurred_on=day,
            people_seen=3,
            topics=["abonnement", "equipement"],
            notes=f"{MARK} n° {n}",
        ),
    )


def _record_turnout(session, actor, ballot_id: int, place_id: int, voters: int, at: datetime) -> None:
    """A cumulative turnout reading, through the ballot-week form's write function."""
    from ihs.ballots import record_turnout

    record_turnout(session, actor, ballot_id=ballot_id, place_id=place_id, voters=voters, reported_at=at)


def _write_targets(engine, writers: int) -> tuple[list[int], int, list[int], int]:
    """Deployed sectors to record visits in; an open ballot with one new polling place per writer."""
    from ihs.db import session_scope

    with engine.connect() as conn:
        sectors = (
            conn.execute(
                select(m.Ballot.sector_id).where(m.Ballot.outcome == "adopted").order_by(m.Ballot.id).limit(writers)
            )
            .scalars()
            .all()
        )
        ballot = conn.execute(
            select(m.Ballot.id, m.Ballot.registered).where(m.Ballot.status == "open").order_by(m.Ballot.id).limit(1)
        ).first()
    if not sectors or ballot is None:
        raise BenchError("la base de mesure n'a ni secteur déployé ni scrutin ouvert")
    with session_scope("banc d'essai", engine=engine) as s:
        s.info["skip_audit"] = True
        # An interrupted run leaves its polling places and readings: they would count towards the
        # ballot's total (one vote per dwelling) and make this run's readings fail.
        left = select(m.PollingPlace.id).where(m.PollingPlace.name.like(f"{PLACE_NAME}%"))
        s.execute(delete(m.TurnoutReport).where(m.TurnoutReport.place_id.in_(left)))
        s.execute(delete(m.PollingPlace).where(m.PollingPlace.name.like(f"{PLACE_NAME}%")))
        places = [m.PollingPlace(ballot_id=ballot.id, name=f"{PLACE_NAME} {k + 1}") for k in range(writers)]
        s.add_all(places)
        s.flush()
        place_ids = [p.id for p in places]
    return sectors, ballot.id, place_ids, ballot.registered


@dataclass(frozen=True)
class WritePlan:
    """What every writer needs, in a form a child process can receive."""

    url: str
    sectors: tuple[int, ...]
    ballot_id: int
    place_ids: tuple[int, ...]
    cap: int  # readings stay plausible: never more voters than dwellings
    day: date
    seconds: float


def _write_load(plan: WritePlan, ks: list[int], before_start: Callable[[], object] | None = None) -> dict:
    """Writers `ks`, one thread each, alternate a visit and a turnout reading for `plan.seconds`."""
    from ihs.db import get_engine, session_scope
    from ihs.users import Actor

    engine = get_engine(plan.url)
    stats = WriteStats()
    start_gate = threading.Barrier(len(ks) + 1)
    deadline = [0.0]

    def writer(k: int) -> None:
        actor = Actor(f"banc-{k:02d}", "landlord")
        sector_id, place_id = plan.sectors[k % len(plan.sectors)], plan.place_ids[k]
        voters, n = 0, 0
        start_gate.wait()
        while _time.perf_counter() < deadline[0]:
            n += 1
            kind = "visit" if n % 2 else "turnout"
            try:
                with session_scope(actor.username, engine=engine) as s:
                    if kind == "visit":
                        _record_visit(s, actor, sector_id, plan.day, n)
                    else:
                        voters = min(plan.cap, voters + 1)
                        _record_turnout(s, actor, plan.ballot_id, place_id, voters, clock.now())
                with stats.lock:
                    stats.ok[kind] += 1
            except Exception as exc:  # an error is what we measure: count it, keep writing
                with stats.lock:
                    stats.errors += 1
                    if len(stats.messages) < 5:
                        stats.messages.append(f"{type(exc).__name__}: {exc}"[:300])

    threads = [threading.Thread(target=writer, args=(k,), daemon=True) for k in ks]
    for t in threads:
        t.start()
    if before_start is not None:
        before_start()  # the other processes are ready too
    deadline[0] = _time.perf_counter() + plan.seconds
    start_gate.wait()
    started = _time.perf_counter()
    for t in threads:
        t.join()
    return {
        "ok": stats.ok,
        "errors": stats.errors,
        "messages": stats.messages,
        "elapsed": _time.perf_counter() - started,
    }


def _write_process(plan: WritePlan, ks: list[int], barrier, results) -> None:
    """Entry point of one app process of `--processes N` (spawned: no connection is inherited)."""
    try:
        results.put(_write_load(plan, ks, before_start=barrier.wait))
    except BaseException as exc:
        barrier.abort()
        results.put({"failed": f"{type(exc).__name__}: {exc}"})


def _write_processes(plan: WritePlan, writers: int, processes: int) -> list[dict]:
    """The writers spread over `processes` processes, as several app servers on one database."""
    import multiprocessing
    import queue as _queue

    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_write_process, args=(plan, list(range(p, writers, processes)), barrier, results))
        for p in range(processes)
    ]
    for proc in procs:
        proc.start()
    try:
        barrier.wait(timeout=300)  # each process imports the app and connects first
        loads = [results.get(timeout=plan.seconds + 300) for _ in procs]
    except (threading.BrokenBarrierError, _queue.Empty) as exc:
        failed = []
        while not results.empty():
            failed.append(results.get().get("failed", ""))
        raise BenchError(f"un processus d'écriture n'a pas démarré : {'; '.join(failed) or exc!r}") from exc
    finally:
        for proc in procs:
            proc.join(timeout=60)
            if proc.is_alive():
                proc.kill()
    failed = [r["failed"] for r in loads if "failed" in r]
    if failed:
        raise BenchError(f"un processus d'écriture a échoué : {'; '.join(failed)}")
    return loads


def run_writes(url: str, *, seconds: float = WRITE_SECONDS, writers: int = WRITERS, processes: int = 1) -> dict:
    """`writers` writers (threads, over `processes` processes) write for `seconds`; counts what landed."""
    from ihs.db import get_engine, session_scope

    engine = get_engine(url)
    sectors, ballot_id, place_ids, registered = _write_targets(engine, writers)
    with engine.connect() as conn:
        # Rows this run wrote are above this mark (left-overs of an interrupted run are not).
        mark = conn.execute(select(func.coalesce(func.max(m.Visit.id), 0))).scalar_one()
    plan = WritePlan(
        url=url,
        sectors=tuple(sectors),
        ballot_id=ballot_id,
        place_ids=tuple(place_ids),
        cap=max(1, registered // (2 * writers)),
        day=clock.today(),
        seconds=seconds,
    )
    loads = [_write_load(plan, list(range(writers)))] if processes <= 1 else _write_processes(plan, writers, processes)
    stats = WriteStats()
    for load in loads:
        for kind, n in load["ok"].items():
            stats.ok[kind] += n
        stats.errors += load["errors"]
        stats.messages.extend(load["messages"])
    elapsed = max(load["elapsed"] for load in loads)
    users = [f"banc-{k:02d}" for k in range(writers)]
    with engine.connect() as conn:
        visits = conn.execute(
            select(func.count())
            .select_from(m.Visit)
            .where(m.Visit.id > mark, m.Visit.created_by.in_(users), m.Visit.notes.startswith(MARK))
        ).scalar_one()
        readings = conn.execute(
            select(func.count()).select_from(m.TurnoutReport).where(m.TurnoutReport.place_id.in_(place_ids))
        ).scalar_one()
    written = stats.ok["visit"] + stats.ok["turnout"]
    result = {
        "backend": engine.dialect.name,
        "writers": writers,
        "processes": len(loads),
        "writes_by_process": [sum(load["ok"].values()) for load in loads],
        "seconds": round(elapsed, 2),
        "writes": written,
        "writes_per_s": round(written / elapsed, 1),
        "visits": stats.ok["visit"],
        "turnout_reports": stats.ok["turnout"],
        "errors": stats.errors,
        "lost": written - visits - readings,
        "error_samples": stats.messages[:5],
    }
    # Leave the bench database as it was, for the page timings.
    with session_scope("banc d'essai", engine=engine) as s:
        s.info["skip_audit"] = True
        s.execute(delete(m.Visit).where(m.Visit.created_by.in_(users), m.Visit.notes.startswith(MARK)))
        s.execute(delete(m.TurnoutReport).where(m.TurnoutReport.place_id.in_(place_ids)))
        s.execute(delete(m.PollingPlace).where(m.PollingPlace.id.in_(place_ids)))
        s.execute(delete(m.AuditLog).where(m.AuditLog.username.in_(users)))
    return result
