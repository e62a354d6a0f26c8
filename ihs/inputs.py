"""Typed input of each entry form: what a partner typed, as text, before validation.

One frozen dataclass per form whose write takes its values as keyword arguments; a page fills it
with `forms.typed(form, OfferInput())` (each field from the widget keyed `<form>_<field>`) and
passes it on as `**asdict(entry)`. The checks stay in the write (`ihs.reference`, `ihs.meetings`,
`ihs.planning`, `ihs.users`), which returns French messages by field name: these names. Forms with
a richer input of their own use it directly (`events.EventEntry`, `visits.VisitEntry`,
`reference.SectorInput`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class OrganisationInput:
    """An organisation as the organisations form gives it (`reference.save_organisation`)."""

    name: str | None = None
    short_name: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class OfferInput:
    """An operator's offer (`reference.save_offer`); `operator` is an organisation id or None."""

    name: str | None = None
    operator: Any = None
    description: str | None = None


@dataclass(frozen=True)
class TariffInput:
    """A dated tariff of an offer (`reference.add_tariff`): the price as typed (« 2,16 »)."""

    valid_from: Any = None
    price: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class SectorOfferInput:
    """Which offer a sector has from a date (`reference.set_sector_offer`)."""

    sector_id: Any = None
    offer: Any = None
    valid_from: Any = None
    source: str | None = None


@dataclass(frozen=True)
class DwellingsInput:
    """A sector's dated number of dwellings (`reference.add_dwellings`), the count as typed."""

    valid_from: Any = None
    dwellings: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class ArchiveInput:
    """A sector leaving the programme (`reference.archive_sector`)."""

    archived_on: Any = None
    reason: str | None = None


@dataclass(frozen=True)
class MeetingInput:
    """A steering committee meeting being opened (`meetings.open_meeting`)."""

    title: str | None = None
    held_on: Any = None
    frozen_as_of: Any = None


@dataclass(frozen=True)
class DecisionInput:
    """A decision of the meeting (`meetings.record_decision`); no sector: the whole programme."""

    text: str | None = None
    sector_id: Any = None
    owner: str | None = None
    due_on: Any = None


@dataclass(frozen=True)
class StageDatesInput:
    """The actual dates of one stage of a deployment (`planning.record_stage_dates`)."""

    stage: str | None = None
    actual_start: Any = None
    actual_end: Any = None


@dataclass(frozen=True)
class AttendanceInput:
    """Who came to one workshop session (`visits.record_workshop_attendance`), counts as typed."""

    event_id: Any = None
    attendance: str | None = None
    returning_participants: str | None = None


@dataclass(frozen=True)
class AccountInput:
    """A new account (`users.add_user`); the password is left out of the dataclass's repr."""

    username: str | None = None
    name: str | None = None
    role: str | None = None
    organisation: Any = None
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class AccountChange:
    """A change to an existing account: its role and organisation (`users.set_role`), or a new
    password (`users.reset_password`)."""

    role: str | None = None
    organisation: Any = None
    password: str | None = field(default=None, repr=False)
