"""Browser end-to-end fixtures: the real app on a free port, over a fresh demo database.

The app runs as users meet it: `streamlit run app.py`, demo mode, live data around the real
now (IHS_TODAY unset, so the open ballot in Montaigne is open today). Debian's Chromium is
driven by Playwright (its own browser download does not work here). In CI a missing browser
fails these tests; elsewhere it skips them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ihs.events import EventEntry
from ihs.settings import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 720}
IN_CI = os.environ.get("CI", "").lower() == "true"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app_env(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IHS_")}
    env.update(
        IHS_DATABASE_URL=db_url,
        IHS_DEMO="1",
        # Keep Streamlit quiet and offline: no usage stats, no file watcher restarts.
        STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        STREAMLIT_SERVER_FILE_WATCHER_TYPE="none",
        STREAMLIT_SERVER_RUN_ON_SAVE="false",
    )
    return env


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"streamlit did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        message = f"Chromium is missing at {CHROMIUM} (apt-get install -y chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return str(CHROMIUM)


def _prepare_db(tmp: Path) -> tuple[str, dict[str, str]]:
    db_url = f"sqlite:///{tmp / 'ihs.db'}"
    env = _app_env(db_url)
    for args in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run(
            [sys.executable, "-m", "ihs", "--url", db_url, *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return db_url, env


def _seed_user_text(db_url: str) -> str:
    """A partner's information action whose title and notes are payloads; returns its sector code."""
    from datetime import date, timedelta

    from ihs.db import forget_engine, get_engine, session_scope
    from ihs.events import record_event
    from tests.payloads import NOTES, TITLE, partner_and_sector

    engine = get_engine(db_url)
    partner, sector_id, code = partner_and_sector(engine)
    with session_scope("partenaire", engine=engine) as s:
        record_event(
            s,
            partner,
            EventEntry(
                kind="information",
                subkind="flyer",
                sector_ids=[sector_id],
                # The app runs on the real date (IHS_TODAY is unset for it), whatever the tests' date.
                day=date.today() - timedelta(days=1),
                start_time="10:00",
                reach=120,
                title=TITLE,
                notes=NOTES,
            ),
            today=date.today(),
        )
    forget_engine(db_url)
    return code


@contextmanager
def running_app(tmp: Path, prepare: Callable[[str], None] | None = None) -> Iterator[dict]:
    """`streamlit run app.py` on a free port over a fresh demo database; stopped on exit.

    `prepare(db_url)`, if given, changes the database before the app starts (nothing is cached yet).
    """
    db_url, env = _prepare_db(tmp)
    payload_sector = _seed_user_text(db_url)
    if prepare is not None:
        prepare(db_url)
    port = _free_port()
    log = tmp / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one at the end
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield {"url": url, "db_url": db_url, "log": log, "payload_sector": payload_sector}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, browser) -> Iterator[dict]:
    """The app shared by the browser tests, warmed up by one visit of its home page.

    The warm-up pays the cold start (imports, first queries) once, and makes the first
    visit a home-page one: `test_first_visit.py` checks a fresh server on its own.
    """
    with running_app(tmp_path_factory.mktemp("e2e")) as server:
        ctx = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
        page = ctx.new_page()
        page.goto(server["url"] + "/", wait_until="domcontentloaded", timeout=120_000)
        page.get_by_label("Identifiant").first.wait_for(timeout=120_000)
        ctx.close()
        yield server


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (no cookie) at the projector size, in French."""
    ctx = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def base_url(app_server) -> str:
    return app_server["url"]


@pytest.fixture(scope="module")
def viewer(browser, app_server):
    """One browser logged in with the read-only account, shared by a module's tests, at the
    projector size (a test may resize its window, and puts it back)."""
    from tests.e2e.helpers import goto, login

    ctx = browser.new_context(viewport=VIEWPORT, locale="fr-FR")
    page = ctx.new_page()
    goto(page, app_server["url"] + "/")
    login(page, "lecture")
    yield page
    ctx.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed browser test, keep a screenshot of every open page to look at."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    browser = item.funcargs.get("browser") or getattr(item, "_browser", None)
    if browser is None:
        return
    out = Path(os.environ.get("IHS_E2E_SHOTS", "/tmp/ihs-e2e-shots"))
    out.mkdir(parents=True, exist_ok=True)
    for i, ctx in enumerate(browser.contexts):
        for j, pg in enumerate(ctx.pages):
            with contextlib.suppress(Exception):  # a page closing: nothing to keep
                pg.screenshot(path=str(out / f"{item.name}-{i}-{j}.png"))
