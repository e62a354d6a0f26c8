"""iCalendar (RFC 5545) export, written by hand: Outlook and Thunderbird import it as is.

Kept dependency-free on purpose: the subset needed here is small (VCALENDAR with VEVENTs,
all-day and timed events) and the traps are few and well specified:
- text values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11);
- content lines are folded at 75 octets, never inside a UTF-8 character (§3.1);
- lines end with CRLF;
- all-day events use DTSTART;VALUE=DATE with an exclusive DTEND (§3.6.1);
- DTSTAMP is in UTC. Timed events are "floating" local times (no TZID): the programme is
  local, and both clients then show the time as written, with no VTIMEZONE to maintain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PRODID = "-//Internet en habitat social//Calendrier des deploiements//FR"
MAX_OCTETS = 75


@dataclass(frozen=True)
class IcsEvent:
    """One VEVENT. `start`/`end` as dates make an all-day event (`end` inclusive here)."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime | None = None
    location: str | None = None
    description: str | None = None
    categories: str | None = None


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash first, then `;`, `,` and newlines."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line at 75 octets (continuations start with a space), CRLF-joined."""
    parts: list[str] = []
    current, size = "", 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            # A continuation line begins with one space, which counts toward its 75 octets.
            current, size, limit = " ", 1, MAX_OCTETS
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _datetime(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def _utc(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.astimezone()  # naive means the server's local time
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _vevent(ev: IcsEvent, dtstamp: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{ev.uid}", f"DTSTAMP:{dtstamp}"]
    if isinstance(ev.start, datetime):
        end = ev.end if isinstance(ev.end, datetime) and ev.end > ev.start else ev.start + timedelta(hours=1)
        lines += [f"DTSTART:{_datetime(ev.start)}", f"DTEND:{_datetime(end)}"]
    else:
        last = ev.end if isinstance(ev.end, date) and ev.end >= ev.start else ev.start
        # DTEND of an all-day event is exclusive: the day after the last day.
        lines += [f"DTSTART;VALUE=DATE:{_date(ev.start)}", f"DTEND;VALUE=DATE:{_date(last + timedelta(days=1))}"]
    lines.append(f"SUMMARY:{escape_text(ev.summary)}")
    if ev.location:
        lines.append(f"LOCATION:{escape_text(ev.location)}")
    if ev.description:
        lines.append(f"DESCRIPTION:{escape_text(ev.description)}")
    if ev.categories:
        lines.append(f"CATEGORIES:{escape_text(ev.categories)}")
    lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    return lines


def build_calendar(events: Iterable[IcsEvent], *, dtstamp: datetime, name: str | None = None) -> bytes:
    """The whole VCALENDAR as UTF-8 bytes with CRLF line endings."""
    stamp = _utc(dtstamp)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    if name:
        # Non-standard but read by Outlook, Apple and Thunderbird as the calendar's name.
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for ev in events:
        lines += _vevent(ev, stamp)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
