"""Shared fixtures: one demo database built once per run, copied for each test.

The same demo builder (`ihs.demo.build_demo`) makes the app's demo data and these fixtures.
Domain tests run on SQLite, and on PostgreSQL too when IHS_TEST_DATABASE_URL is set; in CI
(CI=true) a missing PostgreSQL server makes those tests fail, never skip.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# tests/ihs/test_clock.py runs the time-sensitive tests again with the machine's real clock moved
# by this many days (a year ahead, a year behind): whatever the real date, the suite must pass,
# so nothing in the app may read the real calendar instead of ihs.clock.
CLOCK_SHIFT_DAYS = os.environ.get("IHS_TEST_CLOCK_SHIFT_DAYS")
if CLOCK_SHIFT_DAYS:
    import time_machine

    time_machine.travel(datetime.now(UTC) + timedelta(days=int(CLOCK_SHIFT_DAYS)), tick=True).start()

# Every test sees the same "today", so the live parts of the demo are deterministic.
TODAY = date(2026, 11, 27)
NOW = datetime.combine(TODAY, time(11, 30))
os.environ["IHS_TODAY"] = TODAY.isoformat()
os.environ.pop("IHS_DATABASE_URL", None)
os.environ.pop("IHS_PUBLIC_DASHBOARDS", None)

from ihs.db import forget_engine, get_engine, session_scope  # noqa: E402
from ihs.demo import build_demo  # noqa: E402
from ihs.migrate import upgrade  # noqa: E402
from ihs.settings import get_settings  # noqa: E402
from ihs.ui import vega  # noqa: E402

# The app draws charts without Altair's schema check (speed); the tests check every chart a page draws.
vega.VALIDATE = True

PG_URL = os.environ.get("IHS_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _build(url: str) -> None:
    upgrade(url)
    with session_scope("tests", engine=get_engine(url)) as s:
        build_demo(s, TODAY, NOW, password_rounds=4)
    forget_engine(url)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.db"
    _build(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def empty_sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.db"
    upgrade(f"sqlite:///{path}")
    forget_engine(f"sqlite:///{path}")
    return path


def _pg_admin():
    if not PG_URL:
        raise RuntimeError("IHS_TEST_DATABASE_URL is not set")
    return create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_templates():
    """Two template databases on the PostgreSQL server: demo data and empty schema."""
    admin = _pg_admin()
    suffix = uuid.uuid4().hex[:8]
    names = {"demo": f"ihs_tpl_demo_{suffix}", "empty": f"ihs_tpl_empty_{suffix}"}
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = make_url(PG_URL)
    _build(base.set(database=names["demo"]).render_as_string(hide_password=False))
    empty = base.set(database=names["empty"]).render_as_string(hide_password=False)
    upgrade(empty)
    forget_engine(empty)
    yield names
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _backends():
    params = ["sqlite"]
    if PG_URL or IN_CI:
        params.append(pytest.param("postgresql", marks=pytest.mark.postgres))
    return params


def _copy_db(request, tmp_path, kind: str) -> str:
    backend = request.param
    if backend == "sqlite":
        src = request.getfixturevalue("sqlite_template" if kind == "demo" else "empty_sqlite_template")
        dst = tmp_path / "ihs.db"
        shutil.copy(src, dst)
        return f"sqlite:///{dst}"
    if not PG_URL:
        pytest.fail("CI needs PostgreSQL: IHS_TEST_DATABASE_URL is not set")
    templates = request.getfixturevalue("pg_templates")
    name = f"ihs_t_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{templates[kind]}"'))
    admin.dispose()
    request.addfinalizer(lambda: _drop_pg(name))
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _drop_pg(name: str) -> None:
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    forget_engine(url)
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=_backends())
def db_url(request, tmp_path) -> str:
    """URL of a fresh copy of the demo database (SQLite, and PostgreSQL when configured)."""
    url = _copy_db(request, tmp_path, "demo")
    yield url
    forget_engine(url)


@pytest.fixture
def engine(db_url):
    return get_engine(db_url)


@pytest.fixture(params=_backends())
def empty_db_url(request, tmp_path) -> str:
    """URL of a migrated database with no rows."""
    url = _copy_db(request, tmp_path, "empty")
    yield url
    forget_engine(url)


@pytest.fixture
def empty_engine(empty_db_url):
    return get_engine(empty_db_url)


@pytest.fixture(params=[p for p in _backends() if p != "sqlite"])
def pg_engine(request, tmp_path):
    """An empty migrated PostgreSQL database, for what only the PostgreSQL path does (CI always has one)."""
    url = _copy_db(request, tmp_path, "empty")
    yield get_engine(url)
    forget_engine(url)


def _point_app_at(url: str, monkeypatch):
    """Point the Streamlit app (AppTest) at `url` in demo mode, with fresh caches around the test."""
    import streamlit as st

    monkeypatch.setenv("IHS_DATABASE_URL", url)
    monkeypatch.setenv("IHS_DEMO", "1")
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield get_engine(url)
    forget_engine(url)
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_db(sqlite_template, tmp_path, monkeypatch):
    """Point the Streamlit app (AppTest) at a fresh copy of the demo database (SQLite)."""
    dst = tmp_path / "app.db"
    shutil.copy(sqlite_template, dst)
    yield from _point_app_at(f"sqlite:///{dst}", monkeypatch)


@pytest.fixture(params=_backends())
def app_db_any(request, tmp_path, monkeypatch):
    """The same on a fresh copy of the demo database on each backend (SQLite, and PostgreSQL)."""
    yield from _point_app_at(_copy_db(request, tmp_path, "demo"), monkeypatch)


@pytest.fixture(params=[p for p in _backends() if p != "sqlite"])
def app_db_postgresql(request, tmp_path, monkeypatch):
    """The app (AppTest) on a PostgreSQL copy of the demo database (CI always has one)."""
    yield from _point_app_at(_copy_db(request, tmp_path, "demo"), monkeypatch)


def pytest_sessionfinish(session, exitstatus):
    """The suite ends with a large heap (engines, caches, thousands of AppTest runs); the
    interpreter's garbage collections at exit walked it for 2–3 minutes after pytest's summary
    line in CI. Nothing needs collecting once the session is over: `gc.freeze` (public API) moves
    every object out of the collector's reach, so the process exits at once."""
    gc.freeze()
