"""Each dashboard page timed under AppTest, at national scale.

A page runs in a fresh subprocess (so peak memory is the page's own), logged in as the shared
screen (viewer), through app.py as a visitor's request does: cold (caches cleared) and warm
(cached), `REPEAT` times each. Its SQL floor is the page's own reads called directly: the bench
does not keep a list of them, it records the reads the page makes through `ihs.ui.data.read`
on a cold run (the `ihs.reads` log) and calls the same functions with the same arguments. An
empty page run the same way is Streamlit's (and app.py's) own overhead. `ratio` = cold /
(floor + empty), the median over passes of each pass's own (`paired_ratio`): how much the page
adds on top of its queries and the framework.

A page's fragments (the functions it decorates with `st.fragment` and calls) are timed alone
too, as their timer reruns them: the page is loaded once (`runpy`) to get each fragment and the
arguments the page gives it, then a script that only calls it is run, cold and warm.

Public APIs only (AppTest, `st.cache_data.clear`, `st.set_option`, logging, `runpy`); the empty
page is added to the app's own page registry (`ihs.ui.nav.PAGES`). AppTest compiles app.py and
the page again on every run (a server does it once): 1–3 ms a run since the app turned
Streamlit's magic off (`.streamlit/config.toml`), which counts in the empty page too.
"""

from __future__ import annotations

import ast
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from ihs import models as m
from ihs.settings import ROOT
from ihs.ui.nav import READ, PageSpec

REPEAT = 7  # medians of 7: a page's cold run is 50-300 ms, and one busy moment must not decide
VIEWER = "lecture"
EMPTY_PAGE = Path(__file__).with_name("empty_page.py")
# The dashboards a shared screen shows, in the menu's order.
PAGES = ["accueil", "carte", "calendrier", "adhesion", "accompagnement", "sensibilisation", "secteur", "scrutin_direct"]


def _deep_links(engine) -> dict[str, dict]:
    """Query parameters a page is opened with (a deep link, as on the shared screen): the sector
    page shows the biggest deployed sector."""
    with engine.connect() as conn:
        code = conn.execute(
            select(m.Sector.code)
            .join(m.SectorDwellings, m.SectorDwellings.sector_id == m.Sector.id)
            .join(m.Ballot, m.Ballot.sector_id == m.Sector.id)
            .where(m.Ballot.outcome == "adopted")
            .order_by(m.SectorDwellings.dwellings.desc(), m.Sector.id)
            .limit(1)
        ).scalar()
    return {"secteur": {"secteur": code}} if code else {}


# ---- the reads a page makes ---------------------------------------------------------------------------


Read = tuple[Callable, tuple, dict]  # an `ihs` read function and its arguments after the engine


class ReadLog(logging.Handler):
    """The reads made through `ihs.ui.data.read` that missed the cache, in order, each once."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.reads: list[Read] = []
        self._seen: set[tuple] = set()

    def emit(self, record: logging.LogRecord) -> None:
        fn, args, kwargs = record.read  # set by ihs.ui.data
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in self._seen:
            self._seen.add(key)
            self.reads.append((fn, args, kwargs))

    def names(self) -> list[str]:
        return sorted({f"{fn.__module__}.{fn.__qualname__}" for fn, _, _ in self.reads})


def recorded(run: Callable[[], object]) -> ReadLog:
    """The reads `run()` makes (run it with the caches cleared to see them all)."""
    log = logging.getLogger("ihs.reads")
    handler = ReadLog()
    level, propagate = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    try:
        run()
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        log.propagate = propagate
    return handler


def time_reads(engine, reads: list[Read]) -> float:
    """Seconds to make `reads` once, uncached, one after the other (the page's SQL floor)."""
    start = time.perf_counter()
    for fn, args, kwargs in reads:
        fn(engine, *args, **kwargs)
    return time.perf_counter() - start


# ---- the page's fragments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FragmentCall:
    """A call the page makes at its top level to one of its `st.fragment` functions."""

    name: str
    args: tuple[str, ...]  # the page's names for the arguments
    kwargs: tuple[tuple[str, str], ...] = ()


def _is_fragment_decorator(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return isinstance(target, ast.Attribute) and target.attr == "fragment"


def fragment_calls(source: str) -> list[FragmentCall]:
    """The page's top-level calls of its fragments, whose arguments are names of the page."""
    tree = ast.parse(source)
    fragments = {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(_is_fragment_decorator(d) for d in node.decorator_list)
    }
    calls = []
    for node in tree.body:
        call = node.value if isinstance(node, ast.Expr) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in fragments:
            if not all(isinstance(a, ast.Name) for a in [*call.args, *(k.value for k in call.keywords)]):
                raise ValueError(f"{call.func.id} : le banc d'essai ne sait passer que des noms de la page")
            calls.append(
                FragmentCall(
                    call.func.id,
                    tuple(a.id for a in call.args),
                    tuple((k.arg, k.value.id) for k in call.keywords),
                )
            )
    return calls


def _load_page(path: str, namespace: dict) -> None:
    """Script for AppTest: run the page and keep what it defined (its fragments, their arguments)."""
    import runpy

    namespace.update(runpy.run_path(path))


def _call_fragment(fragment, args: tuple, kwargs: dict) -> None:
    """Script for AppTest: only the fragment, as its timer reruns it."""
    fragment(*args, **kwargs)


def measure_fragment(page_path: Path, call: FragmentCall, clear: Callable[[], None], engine) -> dict:
    """`fragment_s` (caches cleared: its reads are cached per minute, so once a minute it pays
    them), `fragment_warm_s` (cached) and `fragment_floor_s` (its reads alone)."""
    from streamlit.testing.v1 import AppTest

    namespace: dict = {}
    loaded = AppTest.from_function(_load_page, args=(str(page_path), namespace), default_timeout=300).run()
    errors = [str(e.value) for e in loaded.exception]
    args = tuple(namespace[a] for a in call.args)
    kwargs = {k: namespace[v] for k, v in call.kwargs}
    at = AppTest.from_function(_call_fragment, args=(namespace[call.name], args, kwargs), default_timeout=300)
    at.run()  # the first run compiles the script
    clear()
    reads = recorded(at.run).reads
    cold, warm = [], []
    for _ in range(REPEAT):
        clear()
        start = time.perf_counter()
        at.run()
        cold.append(time.perf_counter() - start)
    for _ in range(REPEAT):
        start = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - start)
    errors += [str(e.value) for e in at.exception]
    return {
        "fragment_s": _median(cold),
        "fragment_warm_s": _median(warm),
        "fragment_floor_s": _median([time_reads(engine, reads) for _ in range(REPEAT)]),
        "fragment_reads": sorted({f"{fn.__module__}.{fn.__qualname__}" for fn, _, _ in reads}),
        "errors": errors,
    }


# ---- one page, in a fresh subprocess ------------------------------------------------------------------


@dataclass(frozen=True)
class EmptyPage(PageSpec):
    """The empty page's entry in the app's page registry: its file is bench/empty_page.py, its
    address /bench_vide (a page's address is its file name under pages/)."""

    @property
    def url_path(self) -> str:
        return "bench_vide"


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
    from ihs.ui import nav

    st.set_option("client.showErrorDetails", "full")  # whole error messages in the report
    engine = get_engine(url)
    # The empty page, registered like any dashboard so that it goes through the same app.py.
    nav.PAGES.append(EmptyPage(str(EMPTY_PAGE.relative_to(ROOT)), "Page vide", ":material/crop_square:", "", READ))
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
        start = time.perf_counter()
        at.run()
        return time.perf_counter() - start

    # The empty page first: AppTest finds it only among the pages the first run registered.
    at.switch_page(str(EMPTY_PAGE.relative_to(ROOT)))
    at.run()
    clear()
    app_reads = recorded(at.run)  # app.py's own reads count in the empty page, not in the floor
    empty_cold = []
    for _ in range(REPEAT):
        clear()
        empty_cold.append(timed_run())

    at.switch_page(f"pages/{page}.py")
    for key, value in _deep_links(engine).get(page, {}).items():
        at.query_params[key] = value
    at.run()  # imports and first compilation: not what a visitor of a running server waits for
    errors = [str(e.value) for e in at.exception]
    clear()
    log = recorded(at.run)
    reads = [r for r in log.reads if r not in app_reads.reads]
    # Cold run and floor in turn, so a machine that speeds up or slows down meanwhile (a shared
    # host) moves both alike instead of tilting their ratio.
    cold, floor = [], []
    for _ in range(REPEAT):
        clear()
        cold.append(timed_run())
        floor.append(time_reads(engine, reads))
    warm = [timed_run() for _ in range(REPEAT)]
    errors += [str(e.value) for e in at.exception]
    result = {
        "page": page,
        "cold_s": _median(cold),
        "warm_s": _median(warm),
        "floor_s": _median(floor),
        "empty_s": _median(empty_cold),
        "reads": log.names(),
    }
    result["ratio"] = paired_ratio(cold, floor, result["empty_s"])
    page_path = ROOT / "pages" / f"{page}.py"
    for call in fragment_calls(page_path.read_text(encoding="utf-8")):
        fragment = measure_fragment(page_path, call, clear, engine)
        errors += fragment.pop("errors")
        result.update(fragment)
    result["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    # Timings are wall-clock: on a shared machine, say how busy it was.
    result["load_1min"] = round(os.getloadavg()[0], 1)
    result["errors"] = errors[:3]
    return result


def run_page(page: str, url: str, built_on: date) -> dict:
    env = dict(os.environ, IHS_TODAY=built_on.isoformat(), IHS_DEMO="1")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.pages", page, url],
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


def _main(argv: list[str]) -> int:
    """Entry point of the per-page subprocess: `python -m bench.pages <page> <url>`."""
    if len(argv) != 2:
        print("usage : python -m bench.pages <page> <url>", file=sys.stderr)
        return 2
    print(json.dumps(measure_page(*argv), ensure_ascii=False, default=str), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
