"""The slideshow of the shared screen: which slides, in which order, and when to move on.

No Streamlit here: the page keeps only two numbers in its session (the slide index and when it
was shown), and everything it decides goes through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from ihs import clock
from ihs.meetings import ValidationError
from ihs.models import Ballot, Sector
from ihs.programme import get_setting, set_setting
from ihs.users import Actor, require

SETTING_KEY = "presentation.slides"

# Slide codes (stored in the setting) and their French titles, in the default order.
SLIDES: dict[str, str] = {
    "figures": "Chiffres clés",
    "map": "Carte des secteurs",
    "calendar": "Calendrier des déploiements",
    "uptake": "Abonnés et adhésion",
    "support": "Accompagnement",
    "awareness": "Sensibilisation",
    "ballot": "Scrutin en direct",
}
DEFAULT_SLIDES = list(SLIDES)
# Slides shown only when their condition holds (a ballot open now).
CONDITIONAL = {"ballot"}

DEFAULT_EVERY = 20
MIN_EVERY = 5
MAX_EVERY = 600


def parse_slides(value) -> list[str]:
    """Known slide codes from a stored setting, in order, without duplicates.

    Anything else (unknown codes, a damaged value) is dropped; an empty result falls back to
    the default order so a screen is never blank.
    """
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, Iterable):
        return list(DEFAULT_SLIDES)
    out: list[str] = []
    for code in value:
        if isinstance(code, str) and code in SLIDES and code not in out:
            out.append(code)
    return out or list(DEFAULT_SLIDES)


def validate_slides(codes: list[str]) -> dict[str, str]:
    """French errors for a coordinator's choice of slides (empty dict when fine)."""
    if not codes:
        return {"slides": "Choisissez au moins une diapositive."}
    unknown = [c for c in codes if c not in SLIDES]
    if unknown:
        return {"slides": f"Diapositive inconnue : {', '.join(unknown)}."}
    if len(set(codes)) != len(codes):
        return {"slides": "Chaque diapositive ne peut figurer qu'une fois."}
    if all(c in CONDITIONAL for c in codes):
        return {"slides": "Ajoutez une diapositive toujours disponible (le scrutin n'est affiché que s'il est ouvert)."}
    return {}


def available_slides(configured: list[str], *, ballot_open: bool) -> list[str]:
    """The slides to show now: the configured order, minus those whose condition fails."""
    shown = [c for c in configured if c != "ballot" or ballot_open]
    return shown or [c for c in DEFAULT_SLIDES if c not in CONDITIONAL]


def next_index(index: int, count: int) -> int:
    return 0 if count <= 0 else (index + 1) % count


def previous_index(index: int, count: int) -> int:
    return 0 if count <= 0 else (index - 1) % count


def clamp_index(index: int, count: int) -> int:
    """A stored index stays valid when the list shrinks (a ballot closes)."""
    return 0 if count <= 0 else index % count


def advance(index: int, shown_at: float, now: float, every: int, count: int) -> tuple[int, float]:
    """On a timer tick: the next slide if the current one was shown for `every` seconds.

    A small tolerance absorbs timer jitter; a tick that comes early (a rerun triggered by a
    button, a reconnect) keeps the current slide.
    """
    if now - shown_at >= every * 0.9:
        return next_index(index, count), now
    return clamp_index(index, count), shown_at


def _int(value, default: int | None) -> int | None:
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def parse_query(params: Mapping) -> tuple[int | None, int]:
    """`?slide=N` (1-based, as the screen shows it) and `?every=S` (seconds), as plain integers.

    Returns (0-based slide index or None, seconds clamped to a sane range).
    """
    slide = _int(params.get("slide"), None)
    every = _int(params.get("every"), DEFAULT_EVERY)
    index = slide - 1 if slide is not None and slide >= 1 else None
    return index, max(MIN_EVERY, min(MAX_EVERY, every))


def open_ballots(db: Engine, now: datetime | None = None) -> list[dict]:
    """Ballots open right now (status open, or within their opening hours and not yet counted)."""
    now = now or clock.now()
    stmt = (
        select(Ballot.id, Ballot.opens_at, Ballot.closes_at, Ballot.registered, Sector.name.label("sector"))
        .join(Sector, Sector.id == Ballot.sector_id)
        .where(
            or_(
                Ballot.status == "open",
                (Ballot.status == "planned") & (Ballot.opens_at <= now) & (Ballot.closes_at > now),
            )
        )
        .order_by(Ballot.opens_at)
    )
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def configured_slides(db: Engine) -> list[str]:
    """The coordinator's choice and order of slides (the default order when none is stored)."""
    return parse_slides(get_setting(db, SETTING_KEY))


def save_slides(session: Session, actor: Actor, codes: list[str]) -> None:
    """Store the coordinator's choice and order of slides; French errors keyed "slides"."""
    require(actor, "settings")
    errors = validate_slides(list(codes))
    if errors:
        raise ValidationError(errors)
    set_setting(session, SETTING_KEY, list(codes))
