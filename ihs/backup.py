"""Backup and restore of the whole database, from the admin CLI.

SQLite: the online backup API, safe while the app runs (WAL readers and writers keep going).
PostgreSQL: `pg_dump --format=custom` / `pg_restore`, with the password passed through the
environment so it never shows in a process list or a log.

A restore first checks the file's schema revision: a file written by a newer version of the
app (an Alembic revision this code does not know) is refused, since this code could not read
it correctly; a file from an older known revision is restored, then migrated to the head.
Before replacing an SQLite database, a safety copy of the current one is written beside it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from ihs import clock
from ihs.migrate import head_revision, known_revisions, upgrade
from ihs.settings import DATA_DIR


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message is French and shown as is."""


def _stamp() -> str:
    return clock.stamp()


def _sqlite_path(engine: Engine) -> str | None:
    if engine.url.get_backend_name() != "sqlite":
        return None
    return engine.url.database


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and an environment holding it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"la commande {name} est introuvable : installez le client PostgreSQL (postgresql-client)")
    return path


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(args[0]).name} a échoué : {detail[-1] if detail else 'erreur inconnue'}")
    return result


BACKUP_DIR = DATA_DIR / "backups"
# What `prune` may delete: the names `backup` gives, nothing else in the folder.
_BACKUP_NAMES = ("ihs-*.dump", "ihs-*.db")


def backup(engine: Engine, target: Path | None = None, directory: Path | None = None) -> str:
    """Write a backup of the database to `target`, or a dated file in `directory` (default:
    data/backups/); returns a French message."""
    path = _sqlite_path(engine)
    folder = Path(directory or BACKUP_DIR)
    if path is None:
        target = Path(target or folder / f"ihs-{_stamp()}.dump")
        target.parent.mkdir(parents=True, exist_ok=True)
        uri, env = _libpq(engine.url)
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", uri], env)
        return f"sauvegarde écrite : {target}"
    target = Path(target or folder / f"ihs-{_stamp()}.db")
    target.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_copy(path, str(target))
    return f"sauvegarde écrite : {target}"


def prune(directory: Path | None, keep_days: int) -> list[Path]:
    """Delete the backups in `directory` (default: data/backups/) older than `keep_days` days; returns them.

    Age is the file's modification time, the moment `backup` wrote it. Only files named as
    `backup` names them are considered: a copy put there by hand under another name stays.
    """
    if keep_days < 1:
        raise BackupError("la durée de conservation doit être d'au moins 1 jour")
    folder = Path(directory or BACKUP_DIR)
    limit = time.time() - keep_days * 86400
    old = sorted({p for pattern in _BACKUP_NAMES for p in folder.glob(pattern) if p.stat().st_mtime < limit})
    for p in old:
        p.unlink()
    return old


def _sqlite_copy(source: str, target: str) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_revision(path: Path) -> str | None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        ok = con.execute("PRAGMA quick_check").fetchone()
        if not ok or ok[0] != "ok":
            raise BackupError("ce fichier de sauvegarde est endommagé (contrôle d'intégrité SQLite en échec)")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        raise BackupError(
            "ce fichier n'est pas une sauvegarde IHS lisible (pas une base SQLite, ou sans version)"
        ) from None
    finally:
        con.close()
    return row[0] if row else None


def _pg_revision(source: Path) -> str | None:
    """The Alembic revision stored in a pg_dump custom-format file."""
    result = _run(
        [_pg_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(source)], dict(os.environ)
    )
    lines = result.stdout.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line:
            value = lines[i + 1] if i + 1 < len(lines) else "\\."
            return None if value == "\\." else value.strip()
    return None


def check_revision(revision: str | None) -> None:
    """Refuse a backup whose schema this code does not know (written by a newer version)."""
    if revision is None:
        raise BackupError("ce fichier ne contient pas de version de schéma : ce n'est pas une sauvegarde IHS")
    if revision not in known_revisions():
        raise BackupError(
            f"la sauvegarde vient d'une version plus récente du schéma ({revision}) : "
            "mettez l'application à jour avant de la restaurer"
        )


def restore(engine: Engine, source: Path) -> str:
    """Replace the database with `source`, then migrate it to the head; returns a French message.

    Refuses a missing or unreadable file and a file from an unknown (newer) schema revision,
    before touching the current database.
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"fichier introuvable : {source}")
    url = engine.url.render_as_string(hide_password=False)
    path = _sqlite_path(engine)
    if path is None:
        revision = _pg_revision(source)
        check_revision(revision)
        engine.dispose()
        uri, env = _libpq(engine.url)
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={uri}",
                str(source),
            ],
            env,
        )
        message = f"base restaurée depuis {source}"
    else:
        revision = _sqlite_revision(source)
        check_revision(revision)
        engine.dispose()
        # A restore replaces everything: keep what is there now, in case the wrong file was chosen.
        safety = None
        if Path(path).exists():
            safety = f"{path}-avant-restauration-{_stamp()}"
            _sqlite_copy(path, safety)
        _sqlite_copy(str(source), path)
        message = f"base restaurée depuis {source}" + (f" (ancienne base gardée dans {safety})" if safety else "")
    if revision != head_revision():
        upgrade(url)
        message += f" ; schéma mis à jour ({revision} → {head_revision()})"
    return message
