"""Every row of every table, in primary-key order: what "identical data" means in these tests."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, select


def table_rows(engine: Engine) -> dict[str, list[tuple]]:
    """{table: rows} for every table of the live schema, alembic_version included."""
    meta = MetaData()
    meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(row) for row in conn.execute(select(table).order_by(*order))]
    return out
