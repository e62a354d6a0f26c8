"""sector_offer: which offer each sector is on, from which date

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 18:40:00

The collective cost charged every sector at the programme's latest tariff, whatever its offer.
A sector's offer is now a dated history (`sector_offer`); a row without offer means the sector
is not charged from that date. Existing databases get one row per deployment that names an
offer, valid from the deployment's first stage date.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sector_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["offer_id"], ["offer.id"]),
        sa.ForeignKeyConstraint(["sector_id"], ["sector.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sector_id", "valid_from"),
    )
    # One row per sector and first day of a deployment that names an offer (the latest
    # deployment wins when two start the same day).
    op.execute(
        """
        INSERT INTO sector_offer (sector_id, offer_id, valid_from, source)
        SELECT d.sector_id, MAX(d.offer_id), s.first_day, 'déploiement (reprise des données)'
        FROM deployment d
        JOIN (
            SELECT deployment_id, MIN(COALESCE(actual_start, planned_start)) AS first_day
            FROM deployment_stage GROUP BY deployment_id
        ) s ON s.deployment_id = d.id
        WHERE d.offer_id IS NOT NULL AND s.first_day IS NOT NULL
        GROUP BY d.sector_id, s.first_day
        """
    )


def downgrade() -> None:
    op.drop_table("sector_offer")
