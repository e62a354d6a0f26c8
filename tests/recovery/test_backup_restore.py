"""Backup then restore gives back every row; a backup from a newer schema is refused untouched.

Runs on SQLite and, when IHS_TEST_DATABASE_URL is set, on PostgreSQL (pg_dump / pg_restore).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime

import pytest
from sqlalchemy import delete, func, select, text, update

from ihs.backup import BackupError, backup, restore
from ihs.db import forget_engine, get_engine, session_scope
from ihs.migrate import head_revision
from ihs.models import Event, EventSector, Sector, Visit
from ihs.settings import ROOT
from tests.recovery.snapshot import table_rows


def _dump_name(engine) -> str:
    return "backup.db" if engine.url.get_backend_name() == "sqlite" else "backup.dump"


def _vandalise(engine) -> None:
    """Changes of every kind after the backup: insert, update, delete."""
    with session_scope("tests", engine=engine) as s:
        sector = s.execute(select(Sector).order_by(Sector.id)).scalars().first()
        event = Event(kind="dropin", title="Après la sauvegarde", starts_at=datetime(2026, 11, 27, 10), source="test")
        s.add(event)
        s.flush()
        s.add(EventSector(event_id=event.id, sector_id=sector.id))
        s.execute(update(Sector).where(Sector.id == sector.id).values(name="Renommé après la sauvegarde"))
        s.execute(delete(Visit).where(Visit.id == s.execute(select(func.min(Visit.id))).scalar_one()))


def _marker_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(Event).where(Event.title == "Après la sauvegarde")
        ).scalar()


def test_backup_then_restore_gives_back_identical_data(engine, tmp_path):
    before = table_rows(engine)
    assert sum(len(rows) for rows in before.values()) > 1000, "the demo database should be well filled"
    message = backup(engine, tmp_path / _dump_name(engine))
    assert "sauvegarde écrite" in message

    _vandalise(engine)
    assert table_rows(engine) != before

    message = restore(engine, tmp_path / _dump_name(engine))
    assert "base restaurée" in message
    after = table_rows(get_engine(engine.url.render_as_string(hide_password=False)))
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], f"table {table} differs after restore"


def test_sqlite_restore_keeps_a_safety_copy_of_the_replaced_database(sqlite_template, tmp_path):
    shutil.copy(sqlite_template, tmp_path / "ihs.db")
    engine = get_engine(f"sqlite:///{tmp_path / 'ihs.db'}")
    backup(engine, tmp_path / "backup.db")
    _vandalise(engine)
    message = restore(engine, tmp_path / "backup.db")
    copies = list(tmp_path.glob("ihs.db-avant-restauration-*"))
    assert len(copies) == 1 and str(copies[0]) in message
    copy = get_engine(f"sqlite:///{copies[0]}")
    assert _marker_count(copy) == 1  # what was replaced can still be recovered
    forget_engine(f"sqlite:///{copies[0]}")
    forget_engine(f"sqlite:///{tmp_path / 'ihs.db'}")


def _forge_newer_backup(engine, target) -> None:
    """A backup whose alembic_version is a revision this code does not know."""
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    try:
        backup(engine, target)
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()})


def test_restore_refuses_a_backup_from_a_newer_schema_and_changes_nothing(engine, tmp_path):
    target = tmp_path / _dump_name(engine)
    _forge_newer_backup(engine, target)
    _vandalise(engine)
    current = table_rows(engine)
    with pytest.raises(BackupError, match=r"version plus récente du schéma \(9999_future\)"):
        restore(engine, target)
    assert table_rows(engine) == current


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "pas une sauvegarde IHS|endommagé|pg_restore a échoué"),
        (b"this is not a database at all" * 100, "pas une sauvegarde IHS|endommagé|pg_restore a échoué"),
    ],
    ids=["empty-file", "not-a-database"],
)
def test_restore_refuses_a_file_that_is_not_a_backup(engine, tmp_path, content, message):
    bogus = tmp_path / _dump_name(engine)
    bogus.write_bytes(content)
    current = table_rows(engine)
    with pytest.raises(BackupError, match=message):
        restore(engine, bogus)
    assert table_rows(engine) == current


def test_restore_of_a_missing_file_is_a_french_error(engine, tmp_path):
    with pytest.raises(BackupError, match="fichier introuvable"):
        restore(engine, tmp_path / "nope.db")


def _cli(db_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "IHS_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "ihs", "--url", db_url, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_backup_and_restore_round_trip(db_url, engine, tmp_path):
    target = tmp_path / _dump_name(engine)
    before = table_rows(engine)
    done = _cli(db_url, "backup", "--to", str(target))
    assert done.returncode == 0, done.stderr
    assert target.exists()
    _vandalise(engine)
    engine.dispose()
    done = _cli(db_url, "restore", str(target))
    assert done.returncode == 0, done.stderr
    assert "base restaurée" in done.stdout
    if engine.url.get_backend_name() == "sqlite":
        assert "avant-restauration" in done.stdout, "the CLI says where the replaced database was kept"
    assert table_rows(engine) == before


def test_cli_restore_refuses_a_newer_schema_with_one_french_line(db_url, engine, tmp_path):
    target = tmp_path / _dump_name(engine)
    _forge_newer_backup(engine, target)
    engine.dispose()
    done = _cli(db_url, "restore", str(target))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "version plus récente du schéma" in lines[0], done.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
