"""Failed logins are limited: after MAX_FAILED_LOGINS the account is locked for a while."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ihs.db import session_scope
from ihs.models import User
from ihs.users import LOCK_MINUTES, MAX_FAILED_LOGINS, credentials, record_login
from tests.conftest import NOW


def _fail(engine, username, times, now=NOW):
    until = None
    for _ in range(times):
        with session_scope(username, engine=engine) as s:
            until = record_login(s, username, ok=False, now=now)
    return until


def test_account_locks_after_too_many_failures_and_unlocks_later(engine):
    assert _fail(engine, "partenaire", MAX_FAILED_LOGINS - 1) is None
    assert _refused(engine, NOW) is False
    until = _fail(engine, "partenaire", 1)
    assert until == NOW + timedelta(minutes=LOCK_MINUTES)
    assert _refused(engine, NOW + timedelta(minutes=1)) is True  # what the login form is given
    assert _refused(engine, until + timedelta(seconds=1)) is False


def _refused(engine, now) -> bool:
    """Whether the login form refuses « partenaire » at `now`, whatever the password."""
    return credentials(engine, now)["usernames"]["partenaire"]["failed_login_attempts"] >= MAX_FAILED_LOGINS


def test_a_success_resets_the_failure_count(engine):
    _fail(engine, "bailleur", MAX_FAILED_LOGINS - 1)
    with session_scope("bailleur", engine=engine) as s:
        record_login(s, "bailleur", ok=True, now=NOW)
    assert _fail(engine, "bailleur", MAX_FAILED_LOGINS - 1) is None
    with engine.connect() as conn:
        assert conn.execute(select(User.locked_until).where(User.username == "bailleur")).scalar() is None


def test_unknown_usernames_do_not_create_rows(engine):
    with engine.connect() as conn:
        before = conn.execute(select(User.username)).scalars().all()
    assert _fail(engine, "personne", MAX_FAILED_LOGINS + 1) is None
    with engine.connect() as conn:
        assert conn.execute(select(User.username)).scalars().all() == before
