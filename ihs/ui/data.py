"""Cached reads for the pages: one engine per process, TTL-cached `ihs` read functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from ihs.db import get_engine
from ihs.settings import get_settings

_FUNCTIONS: dict[str, Callable] = {}


@st.cache_resource(show_spinner=False)
def engine() -> Engine:
    return get_engine()


@st.cache_data(ttl=get_settings().cache_ttl, show_spinner=False, max_entries=500)
def _cached(url: str, name: str, args: tuple, kwargs: tuple) -> Any:
    return _FUNCTIONS[name](engine(), *args, **dict(kwargs))


def read(fn: Callable, *args, **kwargs) -> Any:
    """Call `fn(engine, *args, **kwargs)` through the cache. Arguments must be hashable values."""
    from ihs.ui.auth import require_gate  # every page reads: no page shows data without app.py's gate

    require_gate()
    name = f"{fn.__module__}.{fn.__qualname__}"
    _FUNCTIONS[name] = fn
    return _cached(str(engine().url), name, args, tuple(sorted(kwargs.items())))


def clear_reads() -> None:
    """After a write: every cached read may be stale, so drop them (cheap: reads aggregate in SQL)."""
    _cached.clear()
