"""The national-scale benchmark: `python -m ihs bench` (pages) and `python -m ihs bench --writes`.

Pages: each dashboard page runs under AppTest, logged in as the shared screen (viewer), in a
fresh subprocess (so peak memory is the page's own): cold (caches cleared) and warm (cached);
its SQL floor is the page's own `ihs` read functions called directly (`READS` below); an empty
page run the same way is Streamlit's (and app.py's) own overhead. `ratio` = cold / (floor +
empty), the median over passes of each pass's own (`paired_ratio`): how much the page adds on
top of its queries and the framework.

Writes: 20 threads record visits and turnout readings through the same `ihs` write functions as
the forms, for 10 seconds, then count what reached the database. One process, as one Streamlit
server; `--processes N` spreads them over N processes, as N app servers on one database.

The database is synthetic (`ihs.synthetic`), built once per size and reused (Setting
`bench.size`); it is never a database with other data in it.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.engine import make_url

from ihs import clock
from ihs import models as m
from ihs.settings import DATA_DIR, ROOT
from ihs.visits import VisitEntry

DEFAULT_URL = f"sqlite:///{DATA_DIR / 'bench' / 'bench.db'}"
# Bump when the synthetic generator changes, so an old bench database is rebuilt.
SYNTHETIC_VERSION = 1
REPEAT = 7  # medians of 7: a page's cold run is 50-300 ms, and one busy moment must not decide
WRITERS = 20
WRITE_SECONDS = 10.0
VIEWER = "lecture"
TARGETS = {"cold_s": 1.0, "warm_s": 0.2, "ratio": 1.3, "peak_rss_mb": 400, "fragment_s": 0.05, "writes_per_s": 300}


class BenchError(RuntimeError):
    """A French message for whoever runs the benchmark."""


# ---- what each page reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """The values a page derives before reading: its date, the sector and ballot it shows."""

    db: Engine
    as_of: date
    now_minute: datetime
    sector_id: int | None
    sector_code: str | None
    ballot_id: int | None
    open_ballot_ids: tuple[int, ...] = ()


# A read: the function's "module:name" and its arguments from the context — one tuple, or a list
# of tuples when the page calls it several times (once per open ballot, say).
Call = tuple[str, Callable[[Context], tuple | list[tuple]]]


def _first_screen(c: Context) -> tuple[int, ...]:
    """The deployments of the calendar's first screen (pages/calendrier.py); () when one screen holds all."""
    from ihs.queries.calendar import deployment_order, deployment_pages

    pages, default = deployment_pages(deployment_order(c.db, _default_year(c), (), c.as_of), c.as_of)
    return tuple(pages[default]) if len(pages) > 1 else ()


def _default_year(c: Context) -> int | None:
    """The calendar's default year filter (pages/calendrier.py): this year if it has deployments."""
    from ihs.queries.calendar import deployment_years

    return c.as_of.year if c.as_of.year in deployment_years(c.db) else None


def _support_year(c: Context) -> int:
    """The support page's default year (pages/accompagnement.py): the most recent."""
    from ihs.queries.support import support_years

    return support_years(c.db, c.as_of)[0]


# Page → the `ihs` read functions it calls through `ihs.ui.data.read`, with their arguments, as
# the page does on its first display (default filters). Kept in step with pages/*.py: the bench
# reports any read a page made that is not listed here (`unlisted_reads`).
_FREEZE: Call = ("ihs.meetings:active_freeze", lambda c: ())
READS: dict[str, list[Call]] = {
    "accueil": [
        _FREEZE,
        ("ihs.reference:reference_counts", lambda c: ()),
        ("ihs.queries.overview:key_figures", lambda c: (c.as_of,)),
        ("ihs.meetings:frozen_summary", lambda c: ()),
        ("ihs.queries.ballots:live_ballots", lambda c: (c.as_of,)),
        ("ihs.queries.ballots:turnout_by_place", lambda c: [(b, clock.moment(c.as_of)) for b in c.open_ballot_ids]),
        ("ihs.queries.calendar:information_sectors", lambda c: (c.as_of,)),
        ("ihs.queries.calendar:upcoming_events", lambda c: (c.as_of, 30, 8)),
        ("ihs.queries.overview:sources", lambda c: (c.as_of,)),
    ],
    "carte": [_FREEZE, ("ihs.geo:sector_map_data", lambda c: (c.as_of,))],
    "calendrier": [
        _FREEZE,
        ("ihs.queries.calendar:deployment_years", lambda c: ()),
        ("ihs.queries.calendar:deployment_order", lambda c: (_default_year(c), (), c.as_of)),
        ("ihs.queries.calendar:deployment_stages", lambda c: (_default_year(c), (), c.as_of, _first_screen(c))),
        ("ihs.queries.calendar:upcoming_events", lambda c: (c.as_of, 60, 100)),
        ("ihs.queries.calendar:count_upcoming_events", lambda c: (c.as_of, 60)),
    ],
    "adhesion": [
        _FREEZE,
        ("ihs.queries.uptake:uptake_total", lambda c: (c.as_of,)),
        ("ihs.queries.uptake:counted_sector_choices", lambda c: (c.as_of,)),
        # the first tab (totals) draws from these; the other tabs read on click
    ],
    "accompagnement": [
        _FREEZE,
        ("ihs.queries.support:support_years", lambda c: (c.as_of,)),
        ("ihs.queries.support:support_totals", lambda c: (_support_year(c), c.as_of)),
        ("ihs.queries.support:workshop_cycles", lambda c: (_support_year(c), c.as_of)),
        ("ihs.queries.support:workshop_sessions", lambda c: (_support_year(c), c.as_of)),
        ("ihs.programme:get_setting", lambda c: [("support.chart_max_cycles",)]),
        # the first tab (workshops); the other tabs read on click
    ],
    "sensibilisation": [
        _FREEZE,
        (
            "ihs.programme:get_setting",
            lambda c: [
                ("awareness.default_turnover_rate",),
                ("awareness.chart_max_sectors",),
                ("awareness.newcomer_share_alert",),
                ("awareness.max_days_since_information",),
            ],
        ),
        ("ihs.queries.awareness:awareness", lambda c: (c.as_of,)),
    ],
    "secteur": [
        _FREEZE,
        ("ihs.queries.sectors:sector_list", lambda c: ()),
        ("ihs.queries.sectors:sector_profile", lambda c: (c.sector_code, c.as_of)),
        ("ihs.queries.ballots:sector_ballots", lambda c: (c.sector_code, c.as_of)),
        ("ihs.queries.calendar:sector_milestones", lambda c: (c.sector_code,)),  # the first tab; others on click
    ],
    "scrutin_direct": [
        ("ihs.queries.ballots:live_ballot_id", lambda c: (c.now_minute, None)),
        ("ihs.queries.ballots:ballot_choices", lambda c: (c.now_minute,)),
        ("ihs.queries.ballots:ballot_header", lambda c: (c.ballot_id, c.now_minute)),
    ],
}
# The live ballot fragment of `scrutin_direct`: what it reads on each timed rerun (an open
# ballot has no validated result yet, so it shows the polling places).
FRAGMENT_READS: list[Call] = [
    ("ihs.queries.ballots:live_turnout", lambda c: (c.ballot_id, c.now_minute)),
    ("ihs.queries.ballots:ballot_result", lambda c: (c.ballot_id,)),
    ("ihs.queries.ballots:previous_curves", lambda c: (c.ballot_id,)),
]
# Query parameters a page is opened with (a deep link, as on the shared screen).
QUERY: dict[str, Callable[[Context], dict]] = {
    "secteur": lambda c: {"secteur": c.sector_code} if c.sector_code else {},
}
PAGES = list(READS)


def _resolve(dotted: str) -> Callable:
    import importlib

    module, name = dotted.split(":")
    return getattr(importlib.import_module(module), name)


def context(engine) -> Context:
    """The date, the biggest deployed sector and the open ballot the pages will show."""
    from ihs.meetings import active_freeze

    as_of = active_freeze(engine) or clock.today()
    with engine.connect() as conn:
        sector = conn.execute(
            select(m.Sector.id, m.Sector.code)
            .join(m.SectorDwellings, m.SectorDwellings.sector_id == m.Sector.id)
            .join(m.Ballot, m.Ballot.sector_id == m.Sector.id)
            .where(m.Ballot.outcome == "adopted")
            .order_by(m.SectorDwellings.dwellings.desc(), m.Sector.id)
            .limit(1)
        ).first()
        now = clock.now()
        ballot = conn.execute(
            select(m.Ballot.id)
            .where(m.Ballot.opens_at <= now, m.Ballot.closes_at >= now)
            .order_by(m.Ballot.opens_at.desc(), m.Ballot.id.desc())
            .limit(1)
        ).scalar()
        day_start, day_end = datetime.combine(as_of, time.min), datetime.combine(as_of, time.max)
        open_ids = (
            conn.execute(select(m.Ballot.id).where(m.Ballot.opens_at <= day_end, m.Ballot.closes_at >= day_start))
            .scalars()
            .all()
        )
    return Context(
        db=engine,
        open_ballot_ids=tuple(open_ids),
        as_of=as_of,
        now_minute=clock.now().replace(second=0, microsecond=0),
        sector_id=sector.id if sector else None,
        sector_code=sector.code if sector else None,
        ballot_id=ballot,
    )


def time_reads(engine, calls: list[Call], ctx: Context) -> float:
    """Seconds to run `calls` once, uncached, one after the other (the page's SQL floor)."""
    resolved = []
    for name, args in calls:
        made = args(ctx)
        resolved += [(_resolve(name), a) for a in (made if isinstance(made, list) else [made])]
    start = _time.perf_counter()
    for fn, args in resolved:
        fn(engine, *args)
    return _time.perf_counter() - start


# ---- the bench database ---------------------------------------------------------------------------


def bench_url(args) -> str:
    """`--url` runs the bench on that database; else `--bench-url`; else data/bench/bench.db."""
    return args.url or args.bench_url or DEFAULT_URL


def _sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") else None


def _setting(conn, key: str):
    return conn.execute(select(m.Setting.value).where(m.Setting.key == key)).scalar()


def prepare(url: str, *, sectors: int, scale: float, progress: Callable[[str], None]) -> date:
    """Build the synthetic database at this size, or reuse it; returns the day it was built for."""
    from ihs.db import forget_engine, get_engine
    from ihs.migrate import upgrade

    size = {"sectors": sectors, "scale": scale, "version": SYNTHETIC_VERSION}
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    upgrade(url)
    engine = get_engine(url)
    with engine.connect() as conn:
        current = _setting(conn, "bench.size")
        built_on = _setting(conn, "bench.built_on")
        has_data = conn.execute(select(func.count()).select_from(m.Sector)).scalar_one() > 0
    if current == size and built_on:
        progress(f"Base de mesure réutilisée : {_describe(size)} ({url_label(url)})")
        return date.fromisoformat(built_on)
    if has_data and current is None:
        raise BenchError(
            f"la base {url_label(url)} contient des données qui ne viennent pas du banc d'essai : "
            "choisissez une base vide ou dédiée (--bench-url, ou --url vers une base jetable)"
        )
    if has_data:
        progress(f"Taille différente ({_describe(current)}) : reconstruction de la base de mesure")
        forget_engine(url)
        if path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            from ihs.db import session_scope
            from ihs.demo import clear_all

            with session_scope("banc d'essai", engine=get_engine(url)) as s:
                s.info["skip_audit"] = True
                clear_all(s)
        upgrade(url)
        engine = get_engine(url)
    from ihs.synthetic import build_synthetic

    today = clock.today()
    started = _time.perf_counter()
    counts = build_synthetic(engine, today, clock.now(), sectors=sectors, scale=scale, progress=progress)
    with engine.begin() as conn:
        conn.execute(
            m.Setting.__table__.insert(),
            [{"key": "bench.size", "value": size}, {"key": "bench.built_on", "value": today.isoformat()}],
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # Fresh statistics, so the planner knows the tables' sizes before the first page. On
        # PostgreSQL also the visibility map a production database gets from autovacuum: without
        # it, index-only scans read the table too (the home page's key figures took 1.0 s, not 0.3 s).
        conn.execute(text("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE"))
    progress(
        f"Base construite en {_time.perf_counter() - started:.0f} s : "
        + ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in counts.items())
    )
    return today


def _describe(size: dict | None) -> str:
    if not size:
        return "inconnue"
    return f"{size.get('sectors')} secteurs, échelle {size.get('scale')}"


def url_label(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# ---- one page, in a fresh subprocess ----------------------------------------------------------------

EMPTY_PAGE = '"""An empty page: what Streamlit and app.py cost on their own."""\n'


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 4)


def paired_ratio(cold: list[float], floor: list[float], empty: float) -> float:
    """cold / (floor + empty), pass by pass, then the median: each cold run is compared with the
    floor measured right after it. A shared machine's speed moves over seconds, and a ratio of two
    medians taken from different passes moved by ±0.25 on a 50 ms page from one run to the next."""
    return round(statistics.median(c / (f + empty) for c, f in zip(cold, floor, strict=True)), 2)


def measure_page(page: str, url: str) -> dict:
    """Time one page (run inside a fresh process by `run_page`)."""
    os.environ["IHS_DATABASE_URL"] = url
    os.environ.setdefault("IHS_DEMO", "1")
    os.environ.pop("IHS_PUBLIC_DASHBOARDS", None)
    from ihs.settings import get_settings

    get_settings.cache_clear()
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ihs.db import get_engine
    from ihs.ui import data as ui_data
    from ihs.ui import nav

    engine = get_engine(url)
    ctx = context(engine)

    # The empty page, registered like any dashboard so it goes through the same app.py.
    folder = tempfile.mkdtemp(prefix="ihs-bench-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)  # this process measures one page, then exits
    empty = Path(folder) / "bench_vide.py"
    empty.write_text(EMPTY_PAGE, encoding="utf-8")

    @dataclass(frozen=True)
    class _EmptySpec(nav.PageSpec):
        @property
        def url_path(self) -> str:
            return "bench_vide"

    nav.PAGES.append(_EmptySpec(str(empty), "Page vide", "⬜", "Banc d'essai", nav.READ))

    # Record every read the page makes, to check READS against it.
    recorded: set[str] = set()
    original = ui_data._cached

    def recording(url_, name, args, kwargs):
        recorded.add(name)
        return original(url_, name, args, kwargs)

    recording.clear = original.clear  # clear_reads() keeps working
    ui_data._cached = recording

    _share_script_cache()
    _wait_without_polling()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = VIEWER
    at.session_state["name"] = VIEWER
    at.session_state["roles"] = ["viewer"]
    at.run()

    def clear() -> None:
        st.cache_data.clear()
        st.cache_resource.clear()

    def timed_run() -> float:
        start = _time.perf_counter()
        at.run()
        return _time.perf_counter() - start

    # The empty page first: AppTest finds it only among the pages the first run registered.
    at.switch_page(str(empty))
    at.run()
    empty_cold = []
    for _ in range(REPEAT):
        clear()
        empty_cold.append(timed_run())

    at.switch_page(f"pages/{page}.py")
    for key, value in QUERY.get(page, lambda c: {})(ctx).items():
        at.query_params[key] = value
    at.run()  # imports and first compilation: not what a visitor of a running server waits for
    errors = [str(e.value) for e in at.exception]
    recorded.clear()
    # The live page runs its fragment on a full run too: its reads are part of the page's floor.
    calls = READS[page] + (FRAGMENT_READS if page == "scrutin_direct" and ctx.ballot_id is not None else [])
    # Cold run and floor in turn, so a machine that speeds up or slows down meanwhile (a shared
    # host) moves both alike instead of tilting their ratio.
    cold, floor = [], []
    for _ in range(REPEAT):
        clear()
        cold.append(timed_run())
        floor.append(time_reads(engine, calls, ctx))
    warm = [timed_run() for _ in range(REPEAT)]
    errors += [str(e.value) for e in at.exception]
    reads = sorted(recorded)
    listed = {name.replace(":", ".") for name, _ in READS[page]}
    result = {
        "page": page,
        "cold_s": _median(cold),
        "warm_s": _median(warm),
        "floor_s": _median(floor),
        "empty_s": _median(empty_cold),
    }
    result["ratio"] = paired_ratio(cold, floor, result["empty_s"])
    if page == "scrutin_direct" and ctx.ballot_id is not None:
        result.update(_measure_fragment(at, clear, engine, ctx))
        listed |= {name.replace(":", ".") for name, _ in FRAGMENT_READS}
    result["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    # Timings are wall-clock: on a shared machine, say how busy it was.
    result["load_1min"] = round(os.getloadavg()[0], 1)
    result["unlisted_reads"] = [r for r in reads if r not in listed]
    # …and the other way round: a listed read the page no longer makes would inflate the floor.
    result["unread_listed"] = sorted(listed - set(reads))
    result["errors"] = errors[:3]
    return result


def _share_script_cache() -> None:
    """One compiled-script cache for every run, as a running server has.

    AppTest makes a new `ScriptCache` per run, so each run would recompile and rewrite app.py
    and the page (about 10 ms): a cost visitors of a running server never pay.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def _wait_without_polling() -> None:
    """AppTest waits for a run by waking every millisecond to look: wait on the script thread instead.

    Each wake-up takes Python's global lock from the script thread, which made every read about
    10 % slower in the page than alone (measured: 39.2 ms against 35.9 ms for the map's read). A
    server's event loop sleeps while a script reads. The timeout and its error stay AppTest's.
    """
    from streamlit.testing.v1 import local_script_runner

    polling = local_script_runner.require_widgets_deltas

    def wait(runner, timeout: float = 3) -> None:
        thread = runner._script_thread
        if thread is not None:
            thread.join(timeout)
        if not runner.script_stopped():
            polling(runner, 0)  # AppTest's own timeout path: stop the run and raise

    local_script_runner.require_widgets_deltas = wait


def _measure_fragment(at, clear: Callable[[], None], engine, ctx: Context) -> dict:
    """The live ballot fragment alone, rerun as its timer does (AppTest has no public API for it).

    `fragment_s`: caches cleared (its reads are cached per minute, so once a minute it pays them);
    `fragment_warm_s`: cached; `fragment_floor_s`: its reads alone.
    """
    import functools

    import streamlit.testing.v1.local_script_runner as runner

    out = {"fragment_floor_s": _median([time_reads(engine, FRAGMENT_READS, ctx) for _ in range(REPEAT)])}
    try:
        fragment_ids = list(at._fragment_storage._fragments)
    except AttributeError:  # Streamlit internals moved: keep the reads-only figure
        return out
    if not fragment_ids:
        return out
    plain = runner.RerunData
    runner.RerunData = functools.partial(
        plain, fragment_id_queue=fragment_ids, is_fragment_scoped_rerun=True, is_auto_rerun=True
    )
    try:
        at.run()
        cold = []
        for _ in range(REPEAT):
            clear()
            start = _time.perf_counter()
            at.run()
            cold.append(_time.perf_counter() - start)
        warm = []
        for _ in range(REPEAT):
            start = _time.perf_counter()
            at.run()
            warm.append(_time.perf_counter() - start)
    finally:
        runner.RerunData = plain
    out["fragment_s"] = _median(cold)
    out["fragment_warm_s"] = _median(warm)
    return out


def run_page(page: str, url: str, built_on: date) -> dict:
    # Full error messages in the report (the app's config hides them from visitors).
    env = dict(os.environ, IHS_TODAY=built_on.isoformat(), IHS_DEMO="1", STREAMLIT_CLIENT_SHOW_ERROR_DETAILS="full")
    proc = subprocess.run(
        [sys.executable, "-m", "ihs.ui.bench", "page", page, url],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"page": page, "errors": tail or [f"code de sortie {proc.returncode}"]}
    return json.loads(lines[-1])


# ---- output ----------------------------------------------------------------------------------------

COLUMNS = [
    ("page", "page", "{}"),
    ("cold_s", "à froid (s)", "{:.3f}"),
    ("warm_s", "à chaud (s)", "{:.3f}"),
    ("floor_s", "SQL seul (s)", "{:.3f}"),
    ("empty_s", "page vide (s)", "{:.3f}"),
    ("ratio", "ratio", "{:.2f}"),
    ("peak_rss_mb", "mémoire max (Mo)", "{:.0f}"),
]


def _within(row: dict) -> bool:
    return all(
        row.get(k) is not None and row[k] <= TARGETS[k] for k in ("cold_s", "warm_s", "ratio", "peak_rss_mb")
    ) and not row.get("errors")


def print_table(rows: list[dict]) -> None:
    widths = [max(len(h), 16 if k == "page" else 8) for k, h, _ in COLUMNS]
    print("  ".join(h.ljust(w) for (_, h, _), w in zip(COLUMNS, widths, strict=True)) + "  objectif")
    for row in rows:
        cells = []
        for (key, _, fmt), w in zip(COLUMNS, widths, strict=True):
            value = row.get(key)
            cells.append((fmt.format(value) if value is not None else "–").ljust(w))
        print("  ".join(cells) + ("  ok" if _within(row) else "  NON"))
        for err in row.get("errors") or []:
            print(f"    erreur : {err}")
        if row.get("unlisted_reads"):
            print(f"    lectures absentes du registre READS : {', '.join(row['unlisted_reads'])}")
        if row.get("unread_listed"):
            print(f"    lectures du registre READS que la page ne fait plus : {', '.join(row['unread_listed'])}")
        if "fragment_s" in row:
            ok = row["fragment_s"] <= TARGETS["fragment_s"]
            print(
                f"    fragment en direct (relance) : {row['fragment_s'] * 1000:.0f} ms à froid, "
                f"{row['fragment_warm_s'] * 1000:.0f} ms à chaud, SQL seul {row['fragment_floor_s'] * 1000:.0f} ms"
                f"  {'ok' if ok else 'NON'}"
            )
    loads = [r["load_1min"] for r in rows if "load_1min" in r]
    if loads:
        print(f"Charge de la machine pendant la mesure (moyenne sur 1 min) : {min(loads)} à {max(loads)}")
    print(
        f"Objectifs : à froid ≤ {TARGETS['cold_s']} s, à chaud ≤ {TARGETS['warm_s']} s, "
        f"ratio ≤ {TARGETS['ratio']}, mémoire ≤ {TARGETS['peak_rss_mb']} Mo, fragment ≤ 50 ms"
    )


# ---- write load ------------------------------------------------------------------------------------


@dataclass
class WriteStats:
    ok: dict[str, int] = field(default_factory=lambda: {"visit": 0, "turnout": 0})
    errors: int = 0
    messages: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


MARK = "banc d'essai (écriture)"
PLACE_NAME = "Bureau du banc d'essai"


def _record_visit(session, actor, sector_id: int, day: date) -> None:
    """A drop-in visit, through the form's write function."""
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
            notes=MARK,
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
                        _record_visit(s, actor, sector_id, plan.day)
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
    if processes <= 1:
        loads = [_write_load(plan, list(range(writers)))]
    else:
        loads = _write_processes(plan, writers, processes)
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
            .where(m.Visit.id > mark, m.Visit.created_by.in_(users), m.Visit.notes == MARK)
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
        s.execute(delete(m.Visit).where(m.Visit.created_by.in_(users), m.Visit.notes == MARK))
        s.execute(delete(m.TurnoutReport).where(m.TurnoutReport.place_id.in_(place_ids)))
        s.execute(delete(m.PollingPlace).where(m.PollingPlace.id.in_(place_ids)))
        s.execute(delete(m.AuditLog).where(m.AuditLog.username.in_(users)))
    return result


# ---- command line ---------------------------------------------------------------------------------


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cli_bench(args, engine) -> int:
    """`python -m ihs bench`: build or reuse the synthetic database, then time pages or writes."""
    del engine  # the bench picks its own database (see `bench_url`)
    url = bench_url(args)
    if getattr(args, "processes", 1) < 1:
        print("erreur : --processes compte des processus : 1 ou plus", file=sys.stderr)
        return 2
    try:
        built_on = prepare(url, sectors=args.sectors, scale=args.scale, progress=_progress)
    except BenchError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    os.environ["IHS_TODAY"] = built_on.isoformat()  # the live ballot is live on the day it was built for
    if args.writes:
        seconds = getattr(args, "seconds", None) or WRITE_SECONDS
        processes = getattr(args, "processes", 1)
        try:
            result = run_writes(url, seconds=seconds, processes=processes)
        except BenchError as exc:
            print(f"erreur : {exc}", file=sys.stderr)
            return 2
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(
                f"Écritures ({result['backend']}, {result['writers']} rédacteurs"
                + (f" en {result['processes']} processus" if result["processes"] > 1 else "")
                + f", {result['seconds']} s) : "
                f"{result['writes_per_s']} écritures/s, {result['errors']} erreurs, {result['lost']} perdues "
                f"({result['visits']} visites, {result['turnout_reports']} relevés de participation)"
            )
            for msg in result["error_samples"]:
                print(f"    erreur : {msg}")
        ok = result["writes_per_s"] >= TARGETS["writes_per_s"] and not result["errors"] and not result["lost"]
        print(f"Objectif : ≥ {TARGETS['writes_per_s']} écritures/s, 0 erreur, 0 perdue : {'ok' if ok else 'NON'}")
        return 0
    _progress(f"Mesure de {len(PAGES)} pages ({REPEAT} passages chacune), base {url_label(url)}…")
    rows = []
    for page in PAGES:
        row = run_page(page, url, built_on)
        rows.append(row)
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        else:
            _progress(f"  {page} : {row.get('cold_s', '–')} s à froid")
    if not args.json:
        print_table(rows)
    return 0


def _main(argv: list[str]) -> int:
    """Internal entry point of the per-page subprocess: `python -m ihs.ui.bench page <page> <url>`."""
    if len(argv) != 3 or argv[0] != "page":
        print("usage : python -m ihs.ui.bench page <page> <url>", file=sys.stderr)
        return 2
    print(json.dumps(measure_page(argv[1], argv[2]), ensure_ascii=False, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
