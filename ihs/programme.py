"""Programme settings stored in the database, with generic defaults.

Nothing here is specific to Brest: the durations of the pipeline and the turnover rate are
settings a coordinator can change, so the same app serves the next scheme.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.orm import Session

from ihs.models import Setting
from ihs.users import Actor, require

DEFAULTS: dict[str, Any] = {
    # Pipeline durations, in days, from the landlord and city's validation (domain.md).
    "pipeline.kickoff_after_days": 21,
    "pipeline.information_days": 60,
    "pipeline.ballot_days": 7,
    "pipeline.implementation_after_ballot_days": 21,
    "pipeline.implementation_days": 7,
    "pipeline.workshops_after_implementation_days": 14,
    "pipeline.workshop_sessions": 10,
    # National figure for social housing: used where the landlord gave no move-ins.
    "awareness.default_turnover_rate": 0.10,
    # A sector whose last information action is older than this needs a new round.
    "awareness.max_days_since_information": 365,
    # A sector where at least this share of households arrived after its ballot needs a new round.
    "awareness.newcomer_share_alert": 0.5,
    # The awareness chart and list show at most this many sectors (the highest shares, the most
    # urgent); nationally ~1,400 sectors are deployed, and every one stays in the detailed table.
    "awareness.chart_max_sectors": 20,
    # The workshops chart draws at most this many cycles by default (the latest started; others on
    # request): nationally ~180 cycles a year share one chart.
    "support.chart_max_cycles": 8,
    # Ballots: blank + void above this share need an acknowledged warning.
    "ballot.blank_void_warning_share": 0.05,
    # Turnout: a rise since a polling place's previous reading larger than this share of the
    # registered dwellings asks for a confirmation (a mistyped comma makes 19,5 voters 195).
    "ballot.turnout_jump_warning_share": 0.25,
    # Imports: a subscriber count that moved by more than this share of the sector's dwellings
    # since its previous count, or move-ins in a month above this share of the dwellings (the
    # national turnover is about 10 % a year, under 1 % a month), ask for a confirmation.
    "imports.subscriber_jump_warning_share": 0.10,
    "imports.move_ins_warning_share": 0.05,
    # Live ballot screen: a report older than this many minutes is stale.
    "ballot.stale_after_minutes": 90,
    "programme.name": "Internet en habitat social",
    "presentation.slides": ["figures", "map", "calendar", "uptake", "support", "awareness", "ballot"],
}


_SETTING = select(Setting.value).where(Setting.key == bindparam("key"))  # built once: writes read settings


def get_setting(db: Session | Engine, key: str) -> Any:
    if isinstance(db, Session):
        value = db.connection().execute(_SETTING, {"key": key}).scalar_one_or_none()
    else:
        with db.connect() as conn:
            value = conn.execute(_SETTING, {"key": key}).scalar_one_or_none()
    return DEFAULTS.get(key) if value is None else value


def all_settings(db: Engine) -> dict[str, Any]:
    with db.connect() as conn:
        stored = dict(conn.execute(select(Setting.key, Setting.value)).all())
    return {**DEFAULTS, **stored}


def set_setting(session: Session, actor: Actor, key: str, value: Any) -> None:
    """Store a programme setting (coordinator only); unknown keys are refused."""
    require(actor, "settings", session)
    if key not in DEFAULTS:
        raise KeyError(f"Paramètre inconnu : {key}")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
