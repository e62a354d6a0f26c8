"""The one source of time for the whole app.

Convention: every date and time the app writes, shows or compares is the **local time of the
programme** (`IHS_TIMEZONE`, default `Europe/Paris`), stored **naive** (no zone) in the
database, on SQLite and PostgreSQL alike. Nothing reads the machine's or the database's clock
directly: not `datetime.now()`, not `date.today()`, not SQL's `now()`/`CURRENT_TIMESTAMP`
(a test greps `ihs/` and `pages/` for them). So a server whose system clock is UTC, a
PostgreSQL server in another zone and an SQLite file all agree on "now".

`IHS_TODAY=YYYY-MM-DD` pins the date for demos and tests: `today()` is that date and `now()` is
that date at the current local time of day, so an entry made a minute ago is still "today"
whatever the real calendar says.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/Paris"


class ClockError(ValueError):
    """IHS_TIMEZONE or IHS_TODAY cannot be read; the message is French and shown at start-up."""


def zone() -> ZoneInfo:
    """The programme's time zone (IHS_TIMEZONE)."""
    name = os.environ.get("IHS_TIMEZONE", "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)  # ZoneInfo keeps its own cache of zones
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ClockError(f"Fuseau horaire inconnu : IHS_TIMEZONE={name!r} (exemple attendu : Europe/Paris).") from exc


def pinned_today() -> date | None:
    """The date IHS_TODAY pins, or None."""
    value = os.environ.get("IHS_TODAY", "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ClockError(f"Date invalide : IHS_TODAY={value!r} (format attendu : AAAA-MM-JJ).") from exc


def now() -> datetime:
    """Local time of the programme, naive; on IHS_TODAY's date when that is set."""
    current = datetime.now(zone()).replace(tzinfo=None)
    pinned = pinned_today()
    if pinned is None:
        return current
    return datetime.combine(pinned, current.time())


def today() -> date:
    """Local date of the programme (IHS_TODAY when set)."""
    pinned = pinned_today()
    return pinned if pinned is not None else now().date()


def moment(day: date) -> datetime:
    """The moment a page showing `day` stands at: now (to the minute, so cached reads are shared
    within it) for today, the end of the day for another date."""
    if day == today():
        return now().replace(second=0, microsecond=0)
    return end_of_day(day)


def stamp() -> str:
    """`now()` as a file-name stamp (backups): 20261203-091500."""
    return f"{now():%Y%m%d-%H%M%S}"


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def year_end(year: int) -> date:
    """The day a year's figures are read: 31 December, or today for the year under way."""
    return min(date(year, 12, 31), today())


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """From the first moment of `year` to the end of its `year_end` day."""
    return datetime(year, 1, 1), datetime.combine(year_end(year), time.max)


def end_of_day(day: date) -> datetime:
    """The last moment of `day` (a figure "as of" a day counts everything on that day)."""
    return datetime.combine(day, time.max)
