"""data_version: a counter raised by every committed write, checked by every server's read cache

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 00:11:00

Several app servers behind nginx each keep a cache of dashboard reads. A cached read is kept
under the data version it was read at; a write raises the version in its own transaction, so
the other servers' next reads miss the cache and see it (README, « Mise en production »).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_table("data_version")
