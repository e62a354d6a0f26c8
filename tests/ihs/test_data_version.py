"""Caches across app servers (issue #20 item 3): every committed write raises the data version,
and a server's cached reads are keyed by the version it last saw, so another server's write
reaches its pages at their next refresh."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import delete, func, select

from ihs.db import data_version, session_scope
from ihs.models import DataVersion, User
from ihs.ui import data as ui_data
from ihs.users import SYSTEM, add_user


def _add(engine, username: str, password: str = "un-mot-de-passe-assez-long") -> None:
    with session_scope("coordination", engine=engine) as s:
        add_user(s, SYSTEM, username=username, name="Nouvelle personne", role="viewer", password=password, rounds=4)


def test_a_write_raises_the_version_a_read_or_a_failed_write_does_not(engine):
    start = data_version(engine)
    with session_scope("lecture", engine=engine) as s:
        s.execute(select(func.count()).select_from(User)).scalar_one()
    assert data_version(engine) == start

    def written_then_failed() -> None:
        with session_scope("coordination", engine=engine) as s:
            add_user(
                s, SYSTEM, username="annule", name="Annulé", role="viewer", password="un-mot-de-passe-long", rounds=4
            )
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        written_then_failed()
    assert data_version(engine) == start
    _add(engine, "nouveau")
    assert data_version(engine) == start + 1


def test_the_version_row_comes_back_after_a_reset(engine):
    """`demo load --reset` deletes every table's rows, this one's included."""
    with session_scope("cli", engine=engine) as s:
        s.execute(delete(DataVersion))
    assert data_version(engine) == 1  # the reset itself was a write: it made the row again
    _add(engine, "apres-reset")
    assert data_version(engine) == 2


def test_each_write_is_one_log_line_without_any_value(engine, caplog):
    caplog.set_level(logging.INFO, logger="ihs.db")
    password = "Tr3s-secret-mot-de-passe"
    _add(engine, "marie", password)
    lines = [r.getMessage() for r in caplog.records if r.name == "ihs.db"]
    assert len(lines) == 1, lines
    assert lines[0].startswith("write user=coordination version=") and "app_user:create=1" in lines[0]
    with engine.connect() as conn:
        stored = conn.execute(select(User.password_hash, User.name).where(User.username == "marie")).one()
    for secret in (password, stored.password_hash, stored.name):
        assert secret not in caplog.text


def test_another_servers_write_reaches_this_servers_cached_reads_within_the_version_check(app_db_any, monkeypatch):
    """This process is server B; a write made without B's `clear_reads` is server A's (or the CLI's)."""
    calls = []

    def users(engine) -> int:
        calls.append(1)
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(User)).scalar_one()

    clock = [1000.0]
    monkeypatch.setattr(ui_data.time, "monotonic", lambda: clock[0])
    before = ui_data.read(users)
    assert ui_data.read(users) == before and len(calls) == 1, "cached on B"
    _add(app_db_any, "ecrit-par-a")
    clock[0] += ui_data.VERSION_CHECK_SECONDS / 2
    assert ui_data.read(users) == before, "B checks the version at most once a second"
    clock[0] += ui_data.VERSION_CHECK_SECONDS
    assert ui_data.read(users) == before + 1, "B's next read after the check sees A's write"
    assert len(calls) == 2
    # Without the version in the key the TTL would have hidden it for a minute: the cache is
    # still there for an unchanged version.
    clock[0] += ui_data.VERSION_CHECK_SECONDS * 2
    assert ui_data.read(users) == before + 1 and len(calls) == 2
