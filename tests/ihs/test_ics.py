"""The iCalendar export follows RFC 5545 and holds every milestone of a sector."""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from ihs.ics import IcsEvent, build_calendar, escape_text, fold
from ihs.models import Deployment, DeploymentStage, Sector
from ihs.queries.calendar import calendar_items
from ihs.vocab import STAGES
from tests.conftest import NOW, TODAY


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def parse_ics(data: bytes) -> tuple[dict, list[dict]]:
    """A small RFC 5545 reader: (calendar properties, list of VEVENT property dicts).

    Property names keep their parameters ("DTSTART;VALUE=DATE"); TEXT values are unescaped.
    """
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical), "bare LF or CR inside a line"
    assert all(len(line.encode("utf-8")) <= 75 for line in physical), "line longer than 75 octets"
    lines: list[str] = []
    for line in physical:
        if line.startswith((" ", "\t")):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    calendar: dict = {}
    events: list[dict] = []
    current: dict | None = None
    stack: list[str] = []
    for line in lines:
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                current = {}
            continue
        if name == "END":
            assert stack.pop() == value
            if value == "VEVENT":
                events.append(current)
                current = None
            continue
        target = current if current is not None else calendar
        target[name] = unescape(value)
    assert not stack
    return calendar, events


def test_escape_and_fold():
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    line = "DESCRIPTION:" + "é" * 80  # two octets each: never split inside a character
    folded = fold(line).split("\r\n")
    assert len(folded) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(folded)) == line


def test_calendar_structure_and_all_day_dates():
    events = [
        IcsEvent(
            uid="a@x",
            summary="Réunion ; bilan, suite",
            start=date(2026, 12, 1),
            end=date(2026, 12, 3),
            location="Maison de quartier, salle 2",
            description="ligne 1\nligne 2 \\ fin",
        ),
        IcsEvent(uid="b@x", summary="Atelier", start=datetime(2026, 12, 4, 10), end=datetime(2026, 12, 4, 12)),
    ]
    data = build_calendar(events, dtstamp=datetime(2026, 11, 27, 11, 30))
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    cal, parsed = parse_ics(data)
    assert cal["VERSION"] == "2.0"
    assert cal["CALSCALE"] == "GREGORIAN" and cal["METHOD"] == "PUBLISH" and cal["PRODID"]
    first, second = parsed
    assert first["SUMMARY"] == "Réunion ; bilan, suite"
    assert first["LOCATION"] == "Maison de quartier, salle 2"
    assert first["DESCRIPTION"] == "ligne 1\nligne 2 \\ fin"
    assert first["DTSTART;VALUE=DATE"] == "20261201"
    assert first["DTEND;VALUE=DATE"] == "20261204"  # exclusive end: the day after the last day
    assert first["DTSTAMP"].endswith("Z") and len(first["DTSTAMP"]) == 16
    assert second["DTSTART"] == "20261204T100000" and second["DTEND"] == "20261204T120000"


def test_export_holds_each_milestone_of_a_sector(engine):
    """Every stage of Montaigne's deployment (ballot open now) is in the .ics, with its dates."""
    with engine.connect() as conn:
        dep_id = conn.execute(
            select(Deployment.id).join(Sector, Sector.id == Deployment.sector_id).where(Sector.code == "montaigne")
        ).scalar_one()
        stages = conn.execute(select(DeploymentStage).where(DeploymentStage.deployment_id == dep_id)).all()
    assert {s.stage for s in stages} == set(STAGES)
    data = build_calendar(calendar_items(engine, TODAY, TODAY.year), dtstamp=NOW)
    _, events = parse_ics(data)
    uids = [e["UID"] for e in events]
    assert len(uids) == len(set(uids)), "UIDs must be unique"
    by_uid = {e["UID"]: e for e in events}
    for s in stages:
        ev = by_uid[f"deploiement-{dep_id}-{s.stage}@ihs.calendrier"]
        start = s.actual_start or s.planned_start
        end = s.actual_end or s.planned_end
        assert ev["SUMMARY"] == f"Montaigne – {STAGES[s.stage]}"
        assert ev["DTSTART;VALUE=DATE"] == start.strftime("%Y%m%d")
        assert ev["DTEND;VALUE=DATE"] == (end + timedelta(days=1)).strftime("%Y%m%d")
        assert f"Prévu : du {s.planned_start:%d/%m/%Y} au {s.planned_end:%d/%m/%Y}" in ev["DESCRIPTION"]
    # Upcoming events of the next 60 days are there too, with their place.
    workshop = [e for e in events if e["SUMMARY"].startswith("Atelier numérique 6/10 – Pilier Rouge")]
    assert workshop and workshop[0]["LOCATION"] == "Maison de quartier du Pilier Rouge (démo)"


def test_uids_are_stable_between_exports(engine):
    first = [i.uid for i in calendar_items(engine, TODAY, TODAY.year)]
    second = [i.uid for i in calendar_items(engine, TODAY, TODAY.year)]
    assert first == second
