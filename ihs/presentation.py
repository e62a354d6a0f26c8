"""The slideshow of the shared screen: which slides, in which order, and when to move on.

No Streamlit here: the page keeps only two numbers in its session (the slide index and when it
was shown), and everything it decides goes through these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ihs.formats import fr_eur, fr_int, fr_pct
from ihs.meetings import ValidationError
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

# Support figures of the slide: indicator code of `ihs.queries.support.SUPPORT_INDICATORS` → short label.
SUPPORT_METRICS = {
    "workshop_attendance": "Participations ateliers",
    "dropin_people": "Reçus en permanence",
    "contracts_terminated": "Résiliations",
    "computers_sold": "Ordinateurs vendus",
}

DEFAULT_EVERY = 20
MIN_EVERY = 5
MAX_EVERY = 600


def key_figure_tiles(figures: dict) -> list[tuple[str, str]]:
    """(label, French text) of the key-figures slide, from a `summary` (or frozen snapshot) dict."""
    return [
        ("Secteurs déployés", fr_int(figures.get("sectors_deployed"))),
        ("Logements couverts", fr_int(figures.get("dwellings_covered"))),
        ("Abonnés", fr_int(figures.get("subscribers"))),
        ("Taux d'adhésion", fr_pct(figures.get("uptake"))),
        ("Secteurs en cours", fr_int(figures.get("sectors_under_way"))),
        ("Tarif mensuel", fr_eur(figures.get("monthly_price_eur"))),
    ]


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
    """The index of the slide after `index`, back to the first after the last (0 with no slides)."""
    return 0 if count <= 0 else (index + 1) % count


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


def configured_slides(db: Engine) -> list[str]:
    """The coordinator's choice and order of slides (the default order when none is stored)."""
    return parse_slides(get_setting(db, SETTING_KEY))


def save_slides(session: Session, actor: Actor, codes: list[str]) -> None:
    """Store the coordinator's choice and order of slides; French errors keyed "slides"."""
    require(actor, "settings", session)
    errors = validate_slides(list(codes))
    if errors:
        raise ValidationError(errors)
    set_setting(session, actor, SETTING_KEY, list(codes))
