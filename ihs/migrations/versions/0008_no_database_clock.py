"""no database clock: creation times come from ihs.clock, never from the database server

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00

The first schema stamped `created_at`/`entered_at` with the database's CURRENT_TIMESTAMP, which
is UTC on SQLite and the server's zone on PostgreSQL, while the app wrote local time. The app
now always supplies these values from `ihs.clock.now()` (local time of the programme, naive).
PostgreSQL: the column defaults are dropped, so a row written without a time fails loudly
instead of taking another clock. SQLite: dropping a default means copying the whole table
(millions of visits at national scale) for a default the app never lets fire; it is left.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    ("app_user", "created_at"),
    ("event", "created_at"),
    ("decision", "created_at"),
    ("visit", "created_at"),
    ("ballot_count", "entered_at"),
    ("turnout_report", "created_at"),
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, server_default=None)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in COLUMNS:
        op.alter_column(table, column, server_default=sa.text("CURRENT_TIMESTAMP"))
