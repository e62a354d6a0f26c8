"""Passwords are stored as bcrypt hashes only, never in clear, never in the audit log."""

from __future__ import annotations

import bcrypt
import pytest
from sqlalchemy import select

from ihs.db import session_scope
from ihs.models import AuditLog, User
from ihs.users import DEMO_ACCOUNTS, SYSTEM, add_user, check_password, demo_password, hash_password, reset_password


def test_demo_passwords_are_bcrypt_hashes(engine):
    with engine.connect() as conn:
        users = {u.username: u.password_hash for u in conn.execute(select(User.username, User.password_hash))}
    for username, *_ in DEMO_ACCOUNTS:
        stored = users[username]
        assert stored.startswith(("$2b$", "$2a$", "$2y$")) and len(stored) == 60
        assert demo_password(username) not in stored
        assert bcrypt.checkpw(demo_password(username).encode(), stored.encode())
        assert not check_password("demo-wrong", stored)


def test_a_new_user_password_is_hashed_and_kept_out_of_the_audit_log(engine):
    secret = "Tres-Secret-42!"
    with session_scope("tests", engine=engine) as s:
        add_user(s, SYSTEM, username="nouveau", name="Nouveau", role="viewer", password=secret, rounds=4)
    with session_scope("tests", engine=engine) as s:
        reset_password(s, SYSTEM, "nouveau", "Autre-Secret-43!")
    with engine.connect() as conn:
        stored = conn.execute(select(User.password_hash).where(User.username == "nouveau")).scalar_one()
        audit = [
            (str(a.before), str(a.after))
            for a in conn.execute(select(AuditLog.before, AuditLog.after).where(AuditLog.table_name == "app_user"))
        ]
    assert stored.startswith("$2b$") and secret not in stored
    assert check_password("Autre-Secret-43!", stored)
    assert audit, "creating a user is audited"
    for before, after in audit:
        for text in (before, after):
            assert secret not in text and "Autre-Secret-43!" not in text
            assert "$2b$" not in text, "a password hash leaked into the audit log"


def test_salts_differ_for_the_same_password():
    assert hash_password("pareil-pareil", rounds=4) != hash_password("pareil-pareil", rounds=4)


@pytest.mark.parametrize(
    ("password", "message"),
    [("court", "au moins 8"), ("é" * 37, "trop long"), ("x" * 73, "trop long")],
    ids=["too-short", "accented-over-72-bytes", "over-72-bytes"],
)
def test_unusable_passwords_are_refused_in_french(password, message):
    with pytest.raises(ValueError, match=message):
        hash_password(password, rounds=4)
