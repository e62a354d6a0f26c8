"""Run Alembic from code: `upgrade(url)` is what `python -m ihs db upgrade` and `make run` call."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ihs.db import get_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """The Alembic config of `ihs/migrations`, on `url` when given (else the configured database)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Migrate the database at `url` (default: the configured one) to `revision`."""
    command.upgrade(alembic_config(url), revision)


def head_revision() -> str:
    """The latest revision of the migrations shipped with the code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str | None = None) -> str | None:
    """The revision of the database's schema; None for a database never migrated."""
    with get_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def known_revisions() -> set[str]:
    """Every revision of the shipped migrations (a backup from any other cannot be restored)."""
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
