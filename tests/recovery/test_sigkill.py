"""A server killed with SIGKILL in the middle of writes restarts with every committed write.

Two writer processes commit one event per transaction (audited, like the app's writes) and
print each committed id; they are killed with SIGKILL mid-run, then the database is opened
afresh. SQLite runs in WAL mode (ihs.db): the log is replayed on opening. Also on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from sqlalchemy import func, select, text

from ihs.db import forget_engine, get_engine
from ihs.models import AuditLog, Event, EventSector
from ihs.settings import ROOT

TARGET_COMMITS = 60  # per writer, before the kill


def _start_writer(url: str, tag: str) -> tuple[subprocess.Popen, list[int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.recovery.writer", url, tag],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "IHS_DATABASE_URL"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ids: list[int] = []

    def read() -> None:
        for line in proc.stdout:
            ids.append(int(line))

    threading.Thread(target=read, daemon=True).start()
    return proc, ids


def test_committed_writes_survive_sigkill(db_url):
    url = db_url
    engine = get_engine(url)
    if engine.url.get_backend_name() == "sqlite":
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    forget_engine(url)

    writers = [_start_writer(url, tag) for tag in ("A", "B")]
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and any(len(ids) < TARGET_COMMITS for _, ids in writers):
        for proc, _ in writers:
            assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.05)
    for proc, _ in writers:
        proc.send_signal(signal.SIGKILL)  # no cleanup, no atexit, no final commit
    for proc, _ in writers:
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
    time.sleep(0.2)  # let the reader threads drain the pipes
    committed = sorted(i for _, ids in writers for i in ids)
    assert len(committed) >= 2 * TARGET_COMMITS, "the writers did not get far enough before the deadline"

    # A fresh engine, as the restarted server would open it.
    engine = get_engine(url)
    with engine.connect() as conn:
        if engine.url.get_backend_name() == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        present = set(conn.execute(select(Event.id).where(Event.source == "recovery-test")).scalars())
        linked = set(conn.execute(select(EventSector.event_id).where(EventSector.event_id.in_(present))).scalars())
        audited = conn.execute(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.table_name == "event", AuditLog.username.in_(["writer-A", "writer-B"]))
        ).scalar()
    missing = set(committed) - present
    assert not missing, f"{len(missing)} committed events lost: {sorted(missing)[:10]}"
    # No half transaction either: every event present has its sector link and its audit row.
    assert linked == present, "an event is present without its sector link (half a transaction)"
    assert audited == len(present)
    # At most one commit per writer can land between its COMMIT and its print.
    assert len(present - set(committed)) <= len(writers)
