"""organisation.active and sector.archived_on: reference data administered in the app

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 00:10:00

An organisation that rows refer to is never deleted: it is deactivated (kept in history, no
longer offered in choices). A sector that leaves the programme is archived from a date.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("sector") as batch:
        batch.add_column(sa.Column("archived_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sector") as batch:
        batch.drop_column("archived_on")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("active")
