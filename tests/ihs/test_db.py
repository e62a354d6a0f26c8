"""Integrity and audit: foreign keys are enforced; every write leaves an audit entry."""

from datetime import date

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from ihs import models as m
from ihs.db import session_scope


def test_foreign_keys_are_enforced(engine):
    def orphan_move_in() -> None:
        with session_scope("tests", engine=engine) as s:
            s.add(m.MoveIn(sector_id=999_999, month=date(2024, 1, 1), move_ins=3, source="test"))

    with pytest.raises(IntegrityError):
        orphan_move_in()


def test_create_update_delete_are_audited_with_before_and_after(engine):
    with session_scope("alice", engine=engine) as s:
        sector_id = s.execute(select(m.Sector.id).where(m.Sector.code == "keredern")).scalar_one()
        move = m.MoveIn(sector_id=sector_id, month=date(2031, 1, 1), move_ins=4, source="test")
        s.add(move)
        s.flush()
        move_id = move.id
    with session_scope("bob", engine=engine) as s:
        s.get(m.MoveIn, move_id).move_ins = 6
    with session_scope("carol", engine=engine, reason="doublon") as s:
        s.delete(s.get(m.MoveIn, move_id))
    with engine.connect() as conn:
        rows = conn.execute(
            select(m.AuditLog.username, m.AuditLog.action, m.AuditLog.before, m.AuditLog.after, m.AuditLog.reason)
            .where(m.AuditLog.table_name == "move_in", m.AuditLog.row_id == str(move_id))
            .order_by(m.AuditLog.id)
        ).all()
    assert [(r.username, r.action) for r in rows] == [("alice", "create"), ("bob", "update"), ("carol", "purge")]
    assert rows[0].after["move_ins"] == 4
    assert rows[1].before == {"move_ins": 4} and rows[1].after == {"move_ins": 6}
    assert rows[2].before["move_ins"] == 6 and rows[2].reason == "doublon"


def test_password_hashes_never_reach_the_audit_log(engine):
    from ihs.users import SYSTEM, add_user

    with session_scope("tests", engine=engine) as s:
        add_user(s, SYSTEM, username="nouvelle", name="Nouvelle", role="viewer", password="un-long-secret", rounds=4)
    with engine.connect() as conn:
        after = conn.execute(select(m.AuditLog.after).where(m.AuditLog.table_name == "app_user")).scalars().all()
    assert after and all(a["password_hash"] == "***" for a in after)


def test_writes_beyond_the_gate_wait_their_turn_and_all_land(engine, monkeypatch):
    # Six partners saving at once, two at a time: every move-in is written, never more than two together.
    import threading
    import time

    from ihs import db

    monkeypatch.setattr(db, "write_gate", db._WriteGate(slots=2))
    with session_scope("tests", engine=engine) as s:
        sector_id = s.execute(select(m.Sector.id).where(m.Sector.code == "keredern")).scalar_one()
    inside, most, lock = 0, 0, threading.Lock()

    def save(k: int) -> None:
        nonlocal inside, most
        with session_scope(f"partenaire-{k}", engine=engine) as s:
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            s.add(m.MoveIn(sector_id=sector_id, month=date(2040, k + 1, 1), move_ins=k, source="test"))
            with lock:
                inside -= 1

    threads = [threading.Thread(target=save, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 2
    with session_scope("tests", engine=engine) as s:
        months = s.execute(select(m.MoveIn.month).where(m.MoveIn.month >= date(2040, 1, 1))).scalars().all()
    assert sorted(months) == [date(2040, k + 1, 1) for k in range(6)]


def test_a_write_inside_a_write_goes_through_the_gate(engine, monkeypatch):
    # One slot, and a write that opens another (as a meeting's snapshot does): no deadlock.
    from ihs import db

    monkeypatch.setattr(db, "write_gate", db._WriteGate(slots=1))
    with session_scope("tests", engine=engine), session_scope("tests", engine=engine) as inner:
        assert inner.execute(select(m.Sector.id).limit(1)).scalar_one()


# ---- PostgreSQL connections: checked when idle, not before every action -------------------------


def _add_organisation(engine, name: str) -> None:
    with session_scope("tests", engine=engine) as s:
        s.add(m.Organisation(name=name, kind="facility"))


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _kill_backend(engine, pid: int) -> None:
    admin = create_engine(engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    admin.dispose()


def _organisations(engine) -> list[str]:
    with engine.connect() as conn:
        return conn.execute(select(m.Organisation.name).order_by(m.Organisation.name)).scalars().all()


def test_a_connection_in_use_is_not_pinged_an_idle_one_is(pg_engine, monkeypatch):
    from ihs import db

    pings = []
    real_ping = pg_engine.dialect.do_ping
    monkeypatch.setattr(pg_engine.dialect, "do_ping", lambda conn: pings.append(1) or real_ping(conn))
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 60)
    for k in range(3):
        _add_organisation(pg_engine, f"Association {k}")
    assert pings == []  # the same pooled connection, used a moment ago: no extra round trip
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0)
    _add_organisation(pg_engine, "Association 3")
    assert pings == [1]
    assert _organisations(pg_engine) == [f"Association {k}" for k in range(4)]


def test_an_idle_connection_the_server_closed_is_replaced_and_the_write_lands(pg_engine, monkeypatch):
    from ihs import db

    _add_organisation(pg_engine, "Avant la coupure")
    pid = _backend_pid(pg_engine)
    _kill_backend(pg_engine, pid)  # a server restart or a network cut while the pool was idle
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0)
    _add_organisation(pg_engine, "Après la coupure")
    assert _backend_pid(pg_engine) != pid
    assert _organisations(pg_engine) == ["Après la coupure", "Avant la coupure"]


def test_a_connection_closed_while_busy_fails_one_action_then_the_pool_recovers(pg_engine, monkeypatch):
    # The trade-off of not pinging busy connections: one action gets an error (the form keeps
    # what was typed), nothing half-written, and the next one works.
    from ihs import db

    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 60)
    _add_organisation(pg_engine, "Avant la coupure")
    _kill_backend(pg_engine, _backend_pid(pg_engine))
    with pytest.raises(OperationalError):
        _add_organisation(pg_engine, "Pendant la coupure")
    _add_organisation(pg_engine, "Après la coupure")
    assert _organisations(pg_engine) == ["Après la coupure", "Avant la coupure"]
