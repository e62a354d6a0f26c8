"""entries by author: visits and events indexed by who entered them and when

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 08:00:00

A partner's new visit or event is compared with what the same person saved in the last minutes
(a second tap on a phone must not count twice), and « Mes saisies » lists one person's entries:
both read by author and time, which without an index meant reading every visit (3 million at
national scale).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_visit_author", "visit", ["created_by", "created_at"])
    op.create_index("ix_event_author", "event", ["created_by", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_event_author", table_name="event")
    op.drop_index("ix_visit_author", table_name="visit")
