"""Steering-committee meetings: the figures they freeze and the decisions they take."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select

from ihs.models import Meeting


def active_freeze(db: Engine) -> date | None:
    """The "as of" date frozen by the open meeting, if a meeting is open."""
    with db.connect() as conn:
        return conn.execute(
            select(Meeting.frozen_as_of)
            .where(Meeting.is_open.is_(True), Meeting.frozen_as_of.is_not(None))
            .order_by(Meeting.id.desc())
            .limit(1)
        ).scalar_one_or_none()
