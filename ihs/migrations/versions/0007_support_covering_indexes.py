"""covering indexes for the support figures: visits and events aggregated by date and kind from the index alone

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-27 03:15:00

At national scale (3 million visits) the support dashboards and the home page's figures
aggregate visits over a year, or since the start for one kind. Both indexes skip deleted
entries (partial, `deleted_at IS NULL`, as every dashboard query filters) and carry the summed
columns, so SQLite and PostgreSQL answer from the index alone (`python -m ihs bench`).
Events (500,000): the last information action of every sector (awareness page) and the year's
workshops read one kind over a period.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
# A year of activity: support totals, drop-ins per week and their topics, advice and equipment per month.
BY_DATE = [
    "occurred_on",
    "kind",
    "people_seen",
    "offers_compared",
    "contracts_terminated",
    "computers_sold",
    "amount_eur",
    "topics",
    # Listed too, although always NULL here: SQLite reads a partial index alone only when the
    # columns of its WHERE are in it.
    "deleted_at",
]
# One kind over a period (drop-ins per week and their topics, advice and equipment per month) or
# since the start (computers sold, on the home page).
BY_KIND = ["kind", *(c for c in BY_DATE if c != "kind")]


EVENT_BY_KIND = ["kind", "starts_at", "deleted_at"]


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index("ix_visit_live_date", BY_DATE, unique=False, sqlite_where=LIVE, postgresql_where=LIVE)
        batch_op.create_index("ix_visit_live_kind", BY_KIND, unique=False, sqlite_where=LIVE, postgresql_where=LIVE)
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_live_kind", EVENT_BY_KIND, unique=False, sqlite_where=LIVE, postgresql_where=LIVE
        )


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_live_kind")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_live_kind")
        batch_op.drop_index("ix_visit_live_date")
