"""Alembic owns the schema: it upgrades an empty database and matches the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ihs.db import get_engine
from ihs.migrate import current_revision, head_revision, upgrade
from ihs.models import Base


def test_upgrade_builds_every_table_and_autogenerate_finds_no_difference(empty_db_url):
    upgrade(empty_db_url)  # idempotent on an already-migrated database
    engine = get_engine(empty_db_url)
    assert current_revision(empty_db_url) == head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
