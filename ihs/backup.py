"""Backup and restore. SQLite: the online backup API (safe while the app runs).

PostgreSQL: the `pg_dump` / `pg_restore` commands to run are printed, not run.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from ihs.migrate import known_revisions
from ihs.settings import DATA_DIR


def _sqlite_path(engine: Engine) -> str | None:
    if engine.url.get_backend_name() != "sqlite":
        return None
    return engine.url.database


def backup(engine: Engine, target: Path | None = None) -> str:
    path = _sqlite_path(engine)
    if path is None:
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        name = target or f"ihs-{datetime.now():%Y%m%d-%H%M%S}.dump"
        return f"pg_dump --format=custom --file={name} '{url}'"
    target = target or DATA_DIR / "backups" / f"ihs-{datetime.now():%Y%m%d-%H%M%S}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(path)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return f"sauvegarde écrite : {target}"


def _revision_of(path: Path) -> str | None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"ce fichier n'est pas une sauvegarde IHS lisible ({exc})") from None
    finally:
        con.close()
    return row[0] if row else None


def restore(engine: Engine, source: Path) -> None:
    """Replace the database with `source`; refuses a file from an unknown (newer) schema."""
    path = _sqlite_path(engine)
    if path is None:
        raise ValueError("restauration PostgreSQL : utilisez pg_restore --clean --dbname=… FICHIER")
    if not source.exists():
        raise ValueError(f"fichier introuvable : {source}")
    revision = _revision_of(source)
    if revision not in known_revisions():
        raise ValueError(
            f"la sauvegarde vient d'une version plus récente du schéma ({revision}) : "
            "mettez l'application à jour avant de la restaurer"
        )
    engine.dispose()
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
