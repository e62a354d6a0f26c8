"""Production as shipped in deploy/ (issue #20): PostgreSQL, two app servers, nginx over HTTPS.

The app servers run the command of deploy/ihs@.service (`python -m ihs serve --port …`) with the
settings of deploy/ihs.env.example, and nginx runs deploy/nginx-ihs.conf with its ports, paths and
certificate replaced by local ones (a self-signed certificate made here). No systemd runs in the
test machine, so the processes are started by hand; everything else is the shipped files.

In Chromium, through nginx: a login, one server across reloads, a turnout report entered in a
browser whose session is on server A shown by the live screen of a browser on server B within
its 30 s refresh, server A killed and its browser carried on by server B with nothing saved
lost; then the nightly backup unit's command, whose dump restores into an empty database with
the same row count in every table.

In CI (CI=true) a missing nginx, openssl, Chromium or PostgreSQL fails the test; elsewhere it skips.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from ihs.settings import ROOT
from tests.e2e.conftest import IN_CI, VIEWPORT, _free_port, _wait_healthy
from tests.e2e.helpers import EXCEPTION, goto, login, wait_idle

pytestmark = pytest.mark.browser

DEPLOY = ROOT / "deploy"
REFRESH_SECONDS = 30  # pages/scrutin_direct.py: what the live screen promises
PASSWORDS = {
    u: f"mise-en-production-{u}-2026" for u in ("coordination", "bailleur", "operateur", "partenaire", "lecture")
}
COOKIE_KEY = "cle-de-cookie-du-test-multi-serveurs-0123456789"
PG_URL = os.environ.get("IHS_TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is missing: .ci/run installs it")
    pytest.skip(f"{what} is missing")


def _unit_command(unit: str, **values: str) -> list[str]:
    """The ExecStart of a shipped unit, with the install path replaced by this checkout's Python."""
    lines = [line for line in (DEPLOY / unit).read_text().splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1, unit
    command = lines[0].removeprefix("ExecStart=")
    assert command.startswith("/opt/ihs/.venv/bin/python "), command
    command = command.replace("/opt/ihs/.venv/bin/python", shlex.quote(sys.executable))
    for name, value in values.items():
        assert name in command, (unit, name)
        command = command.replace(name, value)
    return shlex.split(command)


def _env_file() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "ihs.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def _nginx_config(tmp: Path, https_port: int, http_port: int, servers: list[int]) -> Path:
    """deploy/nginx-ihs.conf with local ports and paths, inside a minimal nginx.conf."""
    site = (DEPLOY / "nginx-ihs.conf").read_text()
    replacements = {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "server 127.0.0.1:8501 ": f"server 127.0.0.1:{servers[0]} ",
        "server 127.0.0.1:8502 ": f"server 127.0.0.1:{servers[1]} ",
        "/etc/ssl/ihs/": f"{tmp}/ssl/",
        "/var/log/nginx/": f"{tmp}/log/",
    }
    for old, new in replacements.items():
        assert old in site, f"deploy/nginx-ihs.conf no longer has « {old} »: update this test"
        site = site.replace(old, new)
    (tmp / "log").mkdir()
    (tmp / "site.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"    {kind}_temp_path {tmp}/{kind}_temp;\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"{user}worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/log/error.log warn;\n"
        f"events {{ worker_connections 512; }}\n"
        f"http {{\n{temp}    access_log {tmp}/log/default-access.log;\n    include {tmp}/site.conf;\n}}\n"
    )
    return conf


def _certificate(tmp: Path) -> None:
    (tmp / "ssl").mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(tmp / "ssl" / "privkey.pem"), "-out", str(tmp / "ssl" / "fullchain.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


@contextmanager
def _process(command: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def _create_db(admin, name: str) -> str:
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _row_counts(url: str) -> dict[str, int]:
    from ihs.models import Base

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables
            }
            counts["alembic_version"] = conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()
    return counts


def _number(value: str) -> int:
    return int(re.sub(r"[\s\u202f\u00a0]", "", value))


def _live_voters(page: Page) -> int:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Votants / inscrits")
    return _number(metric.locator("[data-testid='stMetricValue']").inner_text().split("/")[0])


def _upstreams(access_log: Path, route: str) -> list[str]:
    """The app server of every request nginx logged for this routing cookie."""
    found = []
    for line in access_log.read_text().splitlines():
        if f"route={route} " in line:
            found.append(re.search(r"upstream=(\S+)", line).group(1))
    return found


def _probe(base: str, route: str) -> None:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(base + "/_stcore/host-config", headers={"Cookie": f"ihs_route={route}"})
    with urllib.request.urlopen(request, timeout=10, context=context) as resp:
        assert resp.status == 200


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, chromium_path) -> Iterator[dict]:
    for tool in ("nginx", "openssl", "pg_dump", "pg_restore"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            _missing(tool)
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except Exception as exc:
        admin.dispose()
        _missing(f"PostgreSQL at {PG_URL} ({type(exc).__name__})")
    tmp = tmp_path_factory.mktemp("multi")
    suffix = uuid.uuid4().hex[:8]
    names = [f"ihs_e2e_multi_{suffix}", f"ihs_e2e_restore_{suffix}"]
    url = _create_db(admin, names[0])
    try:
        yield from _deploy(tmp, url, admin, names)
    finally:
        from ihs.db import forget_engine

        forget_engine(url)
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _deploy(tmp: Path, url: str, admin, names: list[str]) -> Iterator[dict]:
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("IHS_", "STREAMLIT_"))}
    # What README's « Mise en production » does: migrate, then (here) the demo data as a stand-in
    # for a programme's data, whose demo accounts get real passwords before going live.
    for args, demo in ((["db", "upgrade"], "0"), (["demo", "load"], "1")):
        subprocess.run(
            [sys.executable, "-m", "ihs", "--url", url, *args],
            cwd=ROOT, env={**base_env, "IHS_DEMO": demo}, check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    from ihs.db import forget_engine, get_engine, session_scope
    from ihs.users import SYSTEM, reset_password

    with session_scope("installation", engine=get_engine(url)) as s:
        for username, password in PASSWORDS.items():
            reset_password(s, SYSTEM, username, password, rounds=4)
    forget_engine(url)

    env = {**base_env, **_env_file()}
    assert env["IHS_DEMO"] == "0" and env["IHS_APP_SERVERS"] == "2"
    env.update(
        IHS_DATABASE_URL=url,
        IHS_COOKIE_KEY=COOKIE_KEY,
        STREAMLIT_SERVER_COOKIE_SECRET="secret-de-session-streamlit-du-test-0123456789",
    )
    ports = [_free_port(), _free_port()]
    https_port, http_port = _free_port(), _free_port()
    _certificate(tmp)
    conf = _nginx_config(tmp, https_port, http_port, ports)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    check = subprocess.run([nginx, "-t", "-p", str(tmp), "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    with (
        _process(_unit_command("ihs@.service", **{"%i": str(ports[0])}), tmp / "server-a.log", env) as server_a,
        _process(_unit_command("ihs@.service", **{"%i": str(ports[1])}), tmp / "server-b.log", env) as server_b,
        _process([nginx, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"], tmp / "nginx.log") as proxy,
    ):
        for port, proc, log in ((ports[0], server_a, "server-a.log"), (ports[1], server_b, "server-b.log")):
            _wait_healthy(f"http://127.0.0.1:{port}", proc, tmp / log, timeout=120)
        assert proxy.poll() is None, (tmp / "nginx.log").read_text()
        yield {
            "base": f"https://127.0.0.1:{https_port}",
            "http": f"http://127.0.0.1:{http_port}",
            "servers": {f"127.0.0.1:{ports[0]}": server_a, f"127.0.0.1:{ports[1]}": server_b},
            "logs": {f"127.0.0.1:{ports[0]}": tmp / "server-a.log", f"127.0.0.1:{ports[1]}": tmp / "server-b.log"},
            "access_log": tmp / "log" / "ihs-access.log",
            "url": url,
            "env": env,
            "tmp": tmp,
            "admin": admin,
            "restore_db": names[1],
        }


def _context(browser, deployment, route: str | None = None):
    ctx = browser.new_context(viewport=VIEWPORT, locale="fr-FR", ignore_https_errors=True)
    ctx.set_default_timeout(30_000)
    if route:
        ctx.add_cookies([{"name": "ihs_route", "value": route, "url": deployment["base"]}])
    return ctx


def _route_to(deployment, server: str) -> str:
    """A routing cookie value that nginx sends to `server` (asked to nginx itself, through its log)."""
    for _ in range(40):
        route = uuid.uuid4().hex
        _probe(deployment["base"], route)
        time.sleep(0.05)  # the log line is written when the request ends
        if _upstreams(deployment["access_log"], route) == [server]:
            return route
    raise AssertionError(f"no routing key reached {server} in 40 tries: is the hash sticky at all?")


def test_two_servers_behind_nginx_https_sticky_live_failover_and_backup(browser, deployment):
    base = deployment["base"]
    # Plain HTTP only redirects to HTTPS.
    request = urllib.request.Request(deployment["http"] + "/participation")
    opener = urllib.request.build_opener(
        type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *a: None})
    )
    with pytest.raises(urllib.error.HTTPError) as redirect:
        opener.open(request, timeout=10)
    assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://")

    # Browser 1, a landlord's phone: a first visit gets its routing cookie from nginx.
    entry_ctx = _context(browser, deployment)
    screen_ctx = None
    try:
        entry = entry_ctx.new_page()
        response = entry.goto(base + "/participation", wait_until="domcontentloaded")
        headers = response.headers
        assert headers["strict-transport-security"].startswith("max-age=")
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "SAMEORIGIN"
        assert "nginx/" not in headers.get("server", "")
        wait_idle(entry)
        route_a = next(c["value"] for c in entry_ctx.cookies() if c["name"] == "ihs_route")
        assert re.fullmatch(r"[0-9a-f]{32}", route_a)
        login(entry, "bailleur", PASSWORDS["bailleur"])
        for _ in range(2):
            entry.reload(wait_until="domcontentloaded")
            wait_idle(entry)
            expect(entry.get_by_text("Connecté·e : bailleur")).to_be_visible(timeout=60_000)
        time.sleep(0.5)
        servers_a = set(_upstreams(deployment["access_log"], route_a))
        assert len(servers_a) == 1, f"one browser went to several servers: {servers_a}"
        server_a = servers_a.pop()
        server_b = next(s for s in deployment["servers"] if s != server_a)
        # The websockets closed by the reloads were logged too: the session's channel was on A.
        assert any("/_stcore/stream" in line and f"route={route_a} " in line
                   for line in deployment["access_log"].read_text().splitlines())  # fmt: skip

        # Browser 2, the shared screen, on the other server.
        route_b = _route_to(deployment, server_b)
        screen_ctx = _context(browser, deployment, route_b)
        screen = screen_ctx.new_page()
        goto(screen, base + "/scrutin_direct")
        login(screen, "lecture", PASSWORDS["lecture"])
        expect(screen.locator("[data-testid='stMetric']").filter(has_text="Votants / inscrits")).to_be_visible()
        before = _live_voters(screen)
        screen.evaluate("window.__ihsNoReload = 'still here'")
        assert set(_upstreams(deployment["access_log"], route_b)) == {server_b}

        # A turnout report entered on A, early in a minute: the live screen's reads are keyed by the
        # minute, so a refresh within the same minute shows the report through the data version
        # alone (without it, B's cache would hide it until the next minute).
        while not 2 <= datetime.now().second <= 22:
            time.sleep(0.5)
        caption = entry.get_by_text(re.compile(r"Dernier relevé de ce bureau|Pas encore de relevé")).inner_text()
        found = re.search(r"bureau : ([\d\s\u202f\u00a0]+) votants", caption)
        place_before = _number(found.group(1)) if found else 0
        added = 6
        field = entry.get_by_label(re.compile("^Votants depuis l'ouverture"))
        field.fill(str(place_before + added))
        entry.get_by_role("button", name="Enregistrer").click()
        expect(entry.get_by_text(re.compile(r"^Enregistré : "))).to_be_visible(timeout=30_000)
        saved_at = time.monotonic()
        saved_minute = datetime.now().replace(second=0, microsecond=0)

        # …is on B's live screen at its next refresh, without a reload.
        seen = before
        while time.monotonic() < saved_at + REFRESH_SECONDS + 10:
            try:
                seen = _live_voters(screen)
            except Exception:
                seen = None
            if seen == before + added:
                break
            screen.wait_for_timeout(500)
        waited = time.monotonic() - saved_at
        assert seen == before + added, f"after {waited:.0f} s server B's live screen shows {seen}, not {before + added}"
        # Its next refresh: at most 30 s, plus the version check (1 s) and the drawing.
        assert waited <= REFRESH_SECONDS + 4, (
            f"B showed A's write after {waited:.0f} s, more than its {REFRESH_SECONDS} s"
        )
        assert datetime.now().replace(second=0, microsecond=0) == saved_minute, "seen only once the minute changed"
        assert screen.evaluate("window.__ihsNoReload") == "still here"
        print(f"\nA's write on B's live screen after {waited:.1f} s")

        # Each write is one log line on the server that made it, with no password and no value.
        log_a = deployment["logs"][server_a].read_text()
        writes = [line for line in log_a.splitlines() if line.startswith("INFO ihs.db: write ")]
        assert any("user=bailleur" in line and "turnout_report:create=1" in line for line in writes), log_a[-2000:]
        for secret in (*PASSWORDS.values(), COOKIE_KEY):
            assert secret not in log_a, "a secret in the log"
        # The typed figure as a number of its own: « 33 » is also inside the server's port, 58331.
        typed = re.findall(rf"(?<!\d){place_before + added}(?!\d)", log_a)
        assert not typed, f"the typed value {place_before + added} in the log"

        # Server A dies (a crash, a kill -9): browser 1 carries on with B.
        field = entry.get_by_label(re.compile("^Votants depuis l'ouverture"))
        field.fill("12345")  # typed, not yet saved
        deployment["servers"][server_a].send_signal(signal.SIGKILL)
        os.killpg(deployment["servers"][server_a].pid, signal.SIGKILL)
        deployment["servers"][server_a].wait(timeout=10)
        died_at = time.monotonic()
        logged_in = entry.get_by_text("Connecté·e : bailleur")
        login_form = entry.get_by_label("Identifiant")
        expect(logged_in.or_(login_form).first).to_be_visible(timeout=90_000)
        # Streamlit reconnects its websocket by itself: nginx sends it to B.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            lines = [u for u in _upstreams(deployment["access_log"], route_a)]
            if server_b in lines:
                break
            time.sleep(1)
        assert server_b in _upstreams(deployment["access_log"], route_a), "browser 1 never reached server B"
        wait_idle(entry, timeout=60_000)
        # B knows nothing of the session A had; the login cookie (same IHS_COOKIE_KEY) logs the
        # browser in again by itself, and the page keeps what was typed and not yet saved.
        relogged = not logged_in.is_visible()
        if relogged:
            login(entry, "bailleur", PASSWORDS["bailleur"])  # logged out at worst
        print(f"browser 1 working on B {time.monotonic() - died_at:.1f} s after A died")
        expect(entry.get_by_label(re.compile("^Votants depuis l'ouverture"))).to_have_count(1, timeout=60_000)
        if not relogged:
            expect(entry.get_by_label(re.compile("^Votants depuis l'ouverture"))).to_have_value("12345")
        print(f"still logged in: {not relogged}")
        # Nothing saved is lost: the report saved on A is the place's last reading, read from B.
        caption = entry.get_by_text(re.compile(r"Dernier relevé de ce bureau")).inner_text()
        assert _number(re.search(r"bureau : ([\d\s\u202f\u00a0]+) votants", caption).group(1)) == place_before + added
        assert entry.locator(EXCEPTION).count() == 0
        # And the shared screen, on B all along, never noticed.
        assert screen.evaluate("window.__ihsNoReload") == "still here" and _live_voters(screen) == before + added
    finally:
        entry_ctx.close()
        if screen_ctx is not None:
            screen_ctx.close()

    # The nightly backup: the unit's own command, then a restore into an empty database.
    backups = deployment["tmp"] / "backups"
    command = _unit_command("ihs-backup.service", **{"${BACKUP_DIR}": str(backups), "${BACKUP_KEEP_DAYS}": "14"})
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=deployment["env"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    dumps = list(backups.glob("ihs-*.dump"))
    assert len(dumps) == 1 and "sauvegarde écrite" in done.stdout
    empty = _create_db(deployment["admin"], deployment["restore_db"])
    restored = subprocess.run(
        [sys.executable, "-m", "ihs", "--url", empty, "restore", str(dumps[0])],
        cwd=ROOT, env=deployment["env"], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    print(f"backup and restore in {time.monotonic() - started:.1f} s")
    source, copy = _row_counts(deployment["url"]), _row_counts(empty)
    assert copy == source
    assert source["turnout_report"] > 0 and source["audit_log"] > 0
