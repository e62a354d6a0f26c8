"""Cached reads for the pages: one engine per process, TTL-cached `ihs` read functions.

Several app servers may share one database (PostgreSQL behind nginx), each with its own cache.
A read is cached under the database's data version (`ihs.db.data_version`), which every
committed write raises: once a server sees the new version, none of its cached reads from
before the write is used again. The version is read at most once every VERSION_CHECK_SECONDS
per server, so a write made anywhere reaches every page at its next refresh that starts at
least that long after the write. The TTL stays as a bound for changes made outside the app
(a restore, SQL typed by hand).

Each read that misses the cache is logged at DEBUG level on `ihs.reads` (its name and time; the
function and its arguments in the record's `read`): the benchmark derives a page's reads from it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from ihs.db import data_version, get_engine
from ihs.settings import get_settings

_FUNCTIONS: dict[str, Callable] = {}
# One query a second per server, not one per read (a page makes ten to twenty reads).
VERSION_CHECK_SECONDS = 1.0
_versions: dict[str, tuple[float, int]] = {}
_versions_lock = threading.Lock()
log = logging.getLogger("ihs.reads")


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    """The engine of the configured database, one per process (`st.cache_resource`)."""
    return get_engine()


@st.cache_data(ttl=get_settings().cache_ttl, show_spinner=False, max_entries=500)
def _cached(source: str, name: str, args: tuple, kwargs: tuple) -> Any:
    fn = _FUNCTIONS[name]
    start = time.perf_counter()
    result = fn(engine(), *args, **dict(kwargs))
    log.debug("%s : %.1f ms", name, (time.perf_counter() - start) * 1000, extra={"read": (fn, args, dict(kwargs))})
    return result


def read(fn: Callable, *args, **kwargs) -> Any:
    """Call `fn(engine, *args, **kwargs)` through the cache. Arguments must be hashable values."""
    from ihs.ui.auth import require_gate  # every page reads: no page shows data without app.py's gate

    require_gate()
    name = f"{fn.__module__}.{fn.__qualname__}"
    _FUNCTIONS[name] = fn
    return _cached(cache_key(), name, args, tuple(sorted(kwargs.items())))


def cache_key() -> str:
    """The cache key of the data: the database's URL and the data version this server last saw."""
    return f"{engine().url}@{seen_version()}"


def seen_version() -> int:
    """The data version this server last saw (read again at most once every VERSION_CHECK_SECONDS)."""
    db = engine()
    url = str(db.url)
    now = time.monotonic()
    with _versions_lock:
        seen = _versions.get(url)
    if seen is None or now - seen[0] >= VERSION_CHECK_SECONDS:
        seen = (now, data_version(db))
        with _versions_lock:
            _versions[url] = seen
    return seen[1]


def clear_reads() -> None:
    """After a write: every cached read may be stale, so drop them (cheap: reads aggregate in SQL)."""
    _versions.clear()  # this server sees its own write at once, not a second later
    _cached.clear()
