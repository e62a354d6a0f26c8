"""The bench database: synthetic (`bench.synthetic`), built once per size and reused.

The size is remembered in the Setting `bench.size`; a database holding other data is refused,
never emptied.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from ihs import clock
from ihs import models as m
from ihs.settings import DATA_DIR

DEFAULT_URL = f"sqlite:///{DATA_DIR / 'bench' / 'bench.db'}"
# Bump when the synthetic generator changes, so an old bench database is rebuilt.
SYNTHETIC_VERSION = 1


class BenchError(RuntimeError):
    """A French message for whoever runs the benchmark."""


def bench_url(args) -> str:
    """`--url` runs the bench on that database; else `--bench-url`; else data/bench/bench.db."""
    return args.url or args.bench_url or DEFAULT_URL


def url_label(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_path(url: str) -> Path | None:
    u = make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") else None


def _setting(conn, key: str):
    return conn.execute(select(m.Setting.value).where(m.Setting.key == key)).scalar()


def _describe(size: dict | None) -> str:
    if not size:
        return "inconnue"
    return f"{size.get('sectors')} secteurs, échelle {size.get('scale')}"


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
    from bench.synthetic import build_synthetic

    today = clock.today()
    started = time.perf_counter()
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
        f"Base construite en {time.perf_counter() - started:.0f} s : "
        + ", ".join(f"{k} {v:,}".replace(",", " ") for k, v in counts.items())
    )
    return today
