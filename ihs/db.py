"""One engine per process and database URL; one session per user action; audit of every write."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Connection, Engine, create_engine, event, exc, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from ihs import clock
from ihs.models import AuditLog, DataVersion
from ihs.settings import DATA_DIR, get_settings

_engines: dict[str, Engine] = {}
_lock = threading.Lock()
SYSTEM_USER = "système"
log = logging.getLogger("ihs.db")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cur = dbapi_connection.cursor()
    # WAL lets the dashboards read while a partner writes; foreign keys are off by default in
    # SQLite; the busy timeout makes concurrent writers wait instead of failing at once.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# A pooled connection unused for longer than this is checked before use (see `_ping_when_idle`).
IDLE_PING_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only if it has been idle, not before every user action.

    `pool_pre_ping` costs one network round trip per action: one write in six on PostgreSQL
    (`python -m ihs bench --writes`). A connection that has been idle is the one a server restart
    or a network cut may have closed: it is pinged, and replaced if dead. One that served a few
    seconds ago is used as is; if the server went away since, that one action fails with an error
    (the form keeps what was typed) and SQLAlchemy replaces the whole pool.
    """

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _alive(dbapi_connection, record, _proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and hands out another (SQLAlchemy retries the checkout).
            raise exc.DisconnectionError(str(error)) from error


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: the configured database)."""
    url = url or get_settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            if url.startswith("sqlite"):
                DATA_DIR.mkdir(exist_ok=True)
                # hide_parameters: an error in the logs shows the SQL, never the values typed.
                engine = create_engine(
                    url, connect_args={"check_same_thread": False, "timeout": 10}, hide_parameters=True
                )
                event.listen(engine, "connect", _sqlite_pragmas)
            else:
                engine = create_engine(url, pool_size=10, max_overflow=20, hide_parameters=True)
                _ping_when_idle(engine)
            _engines[url] = engine
        return engine


_factories: dict[int, sessionmaker[Session]] = {}


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """One sessionmaker per engine (building one per user action cost ~8 % of a write)."""
    engine = engine or get_engine()
    factory = _factories.get(id(engine))
    if factory is None or factory.kw.get("bind") is not engine:
        factory = _factories[id(engine)] = sessionmaker(bind=engine, expire_on_commit=False)
    return factory


class _WriteGate:
    """At most `Settings.concurrent_writes` user actions write at once in this process; the others wait.

    Twenty partners saving at the same moment otherwise all talk to the database together, and
    queue instead for Python's lock and the server's cores: with `python -m ihs bench --writes`
    (20 writers, PostgreSQL on the same 2 cores) 285-301 writes/s without the gate, 348-363 with
    4 at a time. A thread already inside a write goes through (a write may open another).
    """

    def __init__(self, slots: int | None = None) -> None:
        self._size = slots  # None: the setting, read on first use
        self._slots: threading.BoundedSemaphore | None = None
        self._mine = threading.local()
        self._init = threading.Lock()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        depth = getattr(self._mine, "depth", 0)
        if depth == 0:
            with self._init:
                if self._slots is None:
                    self._slots = threading.BoundedSemaphore(self._size or get_settings().concurrent_writes)
            self._slots.acquire()
        self._mine.depth = depth + 1
        try:
            yield
        finally:
            self._mine.depth = depth
            if depth == 0:
                self._slots.release()


write_gate = _WriteGate()


@contextmanager
def session_scope(
    user: str | None = None, *, engine: Engine | None = None, reason: str | None = None
) -> Iterator[Session]:
    """A transaction for one user action: commits on success, rolls back on any error.

    `user` is recorded in the audit log of every row written in it. A transaction that changed
    rows also raises the data version (see `bump_data_version`) and, once committed, logs one
    line: who, which tables, how many rows — never a value.
    """
    with write_gate():
        session = session_factory(engine)()
        session.info["user"] = user or SYSTEM_USER
        if reason:
            session.info["reason"] = reason
        changes: Counter = Counter()
        try:
            with session.begin():
                yield session
                # A caller that rolled back on purpose (a dry run) leaves nothing to commit or log.
                if session.in_transaction():
                    session.flush()
                    changes = session.info.get("changes") or Counter()
                    if changes:
                        version = bump_data_version(session.connection())
        finally:
            session.close()
    if changes:
        log.info("write user=%s version=%s %s", session.info["user"], version, _changes_text(changes))


def _changes_text(changes: Counter) -> str:
    """`table:action=rows` for each table written, e.g. `turnout_report:create=1`."""
    return " ".join(f"{table}:{action}={n}" for (table, action), n in sorted(changes.items()))


_VERSION = DataVersion.__table__
_BUMP = update(_VERSION).where(_VERSION.c.id == 1).values(version=_VERSION.c.version + 1).returning(_VERSION.c.version)


def bump_data_version(conn: Connection) -> int:
    """Raise the data version inside the writing transaction; returns the new version.

    Inside, not after: a server that reads the new version is sure to read the write with it
    (PostgreSQL shows both at the commit, or neither), and transactions raise it in the order
    they commit (the row stays locked from this update, the transaction's last statement, to its
    commit). The row is created again if `demo load --reset` emptied the table.
    """
    version = conn.execute(_BUMP).scalar()
    if version is None:
        conn.execute(insert(_VERSION).values(id=1, version=1))
        version = 1
    return version


def data_version(engine: Engine) -> int:
    """The database's data version: 0 before the first write."""
    with engine.connect() as conn:
        return conn.execute(select(_VERSION.c.version).where(_VERSION.c.id == 1)).scalar() or 0


def _count(session: Session, table: str, action: str, rows: int = 1) -> None:
    changes = session.info.get("changes")
    if changes is None:
        changes = session.info["changes"] = Counter()
    changes[(table, action)] += rows


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_write(state: ORMExecuteState) -> None:
    """`session.execute(insert/update/delete(...))` changes rows the flush never sees."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        action = "insert" if state.is_insert else "update" if state.is_update else "delete"
        _count(state.session, getattr(table, "name", "?"), f"bulk-{action}")


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


# Columns whose values never go into the audit log.
_SECRET_COLUMNS = {"password_hash"}


def _changed(obj) -> tuple[dict, dict]:
    state = inspect(obj)
    before, after = {}, {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if hist.has_changes():
            secret = attr.key in _SECRET_COLUMNS
            before[attr.key] = "***" if secret else (_plain(hist.deleted[0]) if hist.deleted else None)
            after[attr.key] = "***" if secret else (_plain(hist.added[0]) if hist.added else None)
    return before, after


def _snapshot(obj) -> dict:
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _SECRET_COLUMNS:
            out[attr.key] = "***"
            continue
        value = state.dict.get(attr.key)
        out[attr.key] = value if isinstance(value, dict | list) else _plain(value)
    return out


def _pk(obj) -> str:
    ident = inspect(obj).mapper.primary_key_from_instance(obj)
    return ",".join(str(v) for v in ident if v is not None)


_AUDIT_INSERT = AuditLog.__table__.insert()  # built once: every write adds audit rows


@event.listens_for(Session, "after_flush")
def _audit_after_flush(session: Session, _flush_context) -> None:
    for obj in session.new:
        _count(session, obj.__tablename__, "create")
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            _count(session, obj.__tablename__, "update")
    for obj in session.deleted:
        _count(session, obj.__tablename__, "purge")
    if session.info.get("skip_audit"):
        return
    user = session.info.get("user", SYSTEM_USER)
    reason = session.info.get("reason")
    now = clock.now()
    # (action, row, before, after, reason) of each change, written below as one audit row each.
    changes = [("create", obj, None, _snapshot(obj), reason) for obj in session.new if not isinstance(obj, AuditLog)]
    for obj in session.dirty:
        if isinstance(obj, AuditLog) or not session.is_modified(obj, include_collections=False):
            continue
        before, after = _changed(obj)
        if after:
            action = "delete" if after.get("deleted_at") else "update"
            changes.append((action, obj, before, after, after.get("deleted_reason") or reason))
    changes += [
        ("purge", obj, _snapshot(obj), None, reason) for obj in session.deleted if not isinstance(obj, AuditLog)
    ]
    rows = [
        dict(
            at=now,
            username=user,
            action=action,
            table_name=obj.__tablename__,
            row_id=_pk(obj),
            before=before,
            after=after,
            reason=why,
        )
        for action, obj, before, after, why in changes
    ]
    if rows:
        session.connection().execute(_AUDIT_INSERT, rows)


def forget_engine(url: str) -> None:
    """Dispose and drop the engine of `url` (tests create one database per test)."""
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()
