"""Start-up refusals outside demo mode (issue #20 item 2), by `python -m ihs serve` and by the page."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from ihs import production
from ihs.db import session_scope
from ihs.models import User
from ihs.settings import ROOT, Settings, get_settings
from ihs.users import SYSTEM, reset_password

KEY = "k9Xz-a-real-long-secret-for-the-cookie"


def _settings(url: str, **changes) -> Settings:
    base = Settings(database_url=url, demo=False, cookie_key=KEY, public_dashboards=False, cache_ttl=60)
    return replace(base, **changes)


def _no_demo_passwords(engine) -> None:
    """What an IT department does before going live: every demo account gets a real password."""
    with session_scope("installation", engine=engine) as s:
        for username in ("coordination", "bailleur", "operateur", "partenaire", "lecture"):
            reset_password(s, SYSTEM, username, f"un-vrai-mot-de-passe-{username}", rounds=4)


def test_a_production_configuration_starts(engine, db_url):
    _no_demo_passwords(engine)
    assert production.problems(_settings(db_url), engine) == []


def test_sqlite_with_two_app_servers_is_refused_postgresql_is_not(engine, db_url):
    _no_demo_passwords(engine)
    found = production.problems(_settings(db_url, app_servers=2), engine)
    if db_url.startswith("sqlite"):
        assert len(found) == 1 and "IHS_APP_SERVERS=2" in found[0] and "PostgreSQL" in found[0]
    else:
        assert found == []
    # Demo mode is a single laptop's business: not checked.
    assert production.problems(_settings(db_url, app_servers=2, demo=True), engine) == []


def test_no_cookie_key_is_refused(engine, db_url):
    _no_demo_passwords(engine)
    found = production.problems(_settings(db_url, cookie_key=None), engine)
    assert len(found) == 1 and "IHS_COOKIE_KEY" in found[0]


def test_demo_accounts_with_their_public_password_are_refused_until_disabled(engine, db_url):
    found = production.problems(_settings(db_url), engine)
    assert len(found) == 1 and "Comptes de démonstration" in found[0]
    assert "coordination, lecture, operateur, partenaire" in found[0]
    with engine.begin() as conn:
        conn.execute(update(User).where(User.username != "bailleur").values(active=False))
    assert "(bailleur)" in production.problems(_settings(db_url), engine)[0]
    with session_scope("installation", engine=engine) as s:
        reset_password(s, SYSTEM, "bailleur", "un-vrai-mot-de-passe-bailleur", rounds=4)
    assert production.problems(_settings(db_url), engine) == []


def test_a_database_behind_the_code_is_refused(tmp_path):
    from ihs.db import forget_engine, get_engine
    from ihs.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0010")
    try:
        found = production.problems(_settings(url), get_engine(url))
        assert len(found) == 1 and "python -m ihs db upgrade" in found[0] and "0010" in found[0]
    finally:
        forget_engine(url)


def _serve(url: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IHS_")}
    clean.update({"IHS_DEMO": "0", "IHS_COOKIE_KEY": KEY, **env})
    return subprocess.run(
        [sys.executable, "-m", "ihs", "--url", url, "serve", "--check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_serve_refuses_each_unsafe_configuration_with_exit_78(sqlite_template, tmp_path):
    """The command the systemd unit runs: exit status 78 (no restart loop), the reason in French."""
    import shutil

    from ihs.db import forget_engine, get_engine

    path = tmp_path / "ihs.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    demo = _serve(url)
    assert demo.returncode == production.EX_CONFIG, demo.stderr
    assert "Comptes de démonstration" in demo.stdout and "démarrage refusé" in demo.stderr
    _no_demo_passwords(get_engine(url))
    forget_engine(url)
    assert _serve(url).returncode == 0
    two = _serve(url, IHS_APP_SERVERS="2")
    assert two.returncode == production.EX_CONFIG and "IHS_APP_SERVERS=2" in two.stdout
    no_key = _serve(url, IHS_COOKIE_KEY="")
    assert no_key.returncode == production.EX_CONFIG and "IHS_COOKIE_KEY" in no_key.stdout
    # Each refusal is one log line on stdout (journald), and a key is never written.
    assert [line.startswith("ERROR ihs.startup: start-up refused: ") for line in two.stdout.splitlines()] == [True]
    assert KEY not in two.stdout + two.stderr


def test_the_page_refuses_demo_accounts_outside_demo_mode(app_db, monkeypatch):
    monkeypatch.setenv("IHS_DEMO", "0")
    monkeypatch.setenv("IHS_COOKIE_KEY", KEY)
    get_settings.cache_clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert any("Comptes de démonstration" in e.value for e in at.error)
    assert not at.text_input, "no login form while the demo accounts are there"
    _no_demo_passwords(app_db)
    at.run()
    assert not at.error
    assert [t.label for t in at.text_input][:2] == ["Identifiant", "Mot de passe"]


@pytest.mark.parametrize(("value", "servers"), [("3", 3), ("", 1), ("0", 1), ("deux", 1)])
def test_app_servers_setting(monkeypatch, value, servers):
    monkeypatch.setenv("IHS_APP_SERVERS", value)
    get_settings.cache_clear()
    try:
        assert get_settings().app_servers == servers
    finally:
        get_settings.cache_clear()
