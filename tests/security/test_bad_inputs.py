"""A corpus of bad inputs over every form and import: each gets a clear French message, and
nothing is written (the session is left clean and committed; row counts do not move).

Families: negative, huge, non-numeric, dates out of range or unreadable, Unicode oddities,
empty, very long, HTML/script, formula-like text, unknown codes, broken files. The inputs are
what a user can really type or upload: text fields, numbers, dates, files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import MetaData, func, select

from ihs.ballots import enter_count, record_turnout, setup_ballot
from ihs.db import session_scope
from ihs.events import EventEntry, record_event
from ihs.imports import MAX_BYTES, ImportFileError, apply_import, check_rows
from ihs.models import Ballot, Deployment, Event, EventSector, PollingPlace, SectorPartner, TurnoutReport, User
from ihs.users import Actor
from ihs.visits import VisitEntry, record_visit, record_workshop_attendance
from tests.conftest import NOW, TODAY

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
LONG = "x" * 2001
YESTERDAY = TODAY - timedelta(days=1)

# What French messages of this app look like (and what a leaked Python error looks like).
FRENCH_MARKERS = (
    "Indiquez",
    "nombre",
    "Nombre",
    "Date",
    "date",
    "Heure",
    "obligatoire",
    "inconnu",
    "trop",
    "Texte",
    "négatif",
    "Choisissez",
    "Le ",
    "La ",
    "Les ",
    "Il ne peut",
    "Ce ",
    "Cette",
    "Secteur",
    "Colonnes",
    "fichier",
    "Fichier",
    "ligne",
    "Ligne",
    "Moins que",
    "Une correction",
    "Deux bureaux",
    "Montant",
    "montant",
    "Abonnés",
    "Mois",
    "Emménagements",
    "Thème",
    "Type",
    "Précision",
    "participation",
    "L'",
    "doit",
    "logements",
)
LEAKS = (
    "Traceback",
    "invalid literal",
    "could not convert",
    "object has no attribute",
    "NoneType",
    "Errno",
    "sqlalchemy",
)


def assert_clear_french(message: str) -> None:
    assert message and len(message) >= 10, f"message too short: {message!r}"
    assert any(marker in message for marker in FRENCH_MARKERS), f"not a French message: {message!r}"
    assert not any(leak in message for leak in LEAKS), f"a Python error leaked: {message!r}"


@dataclass
class Case:
    form: str
    values: dict
    field: str | None  # the field the message must be keyed by (None: file-level or row-level)
    tags: tuple = field(default=())


CASES: dict[str, Case] = {}


def case(name: str, form: str, field_name: str | None, **values) -> None:
    assert name not in CASES, name
    CASES[name] = Case(form, values, field_name)


# ---------------------------------------------------------------- events (Saisie des événements)
for name, value in {
    "negative": -1,
    "negative-text": "-12",
    "huge": 10**12,
    "huge-text": "99999999999999999999",
    "exponent": "1e9",
    "words": "douze",
    "decimal-comma": "12,5",
    "decimal-point": "3.7",
    "nan": "NaN",
    "infinity": "inf",
    "unicode-minus": "\u22125",
    "zero-width-space": "12\u200b",
    "emoji": "🎉",
    "html": SCRIPT,
    "formula": "=1+1",
    "formula-hyperlink": '=HYPERLINK("http://evil.example")',
    "boolean": True,
}.items():
    case(f"event-attendance-{name}", "event", "attendance", attendance=value)
case("event-reach-negative", "event", "reach", kind="information", subkind="flyer", attendance=None, reach=-300)
case("event-reach-words", "event", "reach", kind="information", subkind="flyer", attendance=None, reach="beaucoup")
for name, value in {
    "empty": "",
    "spaces": "   ",
    "none": None,
    "feb-31": "31/02/2026",
    "month-13": "01/13/2026",
    "iso-month-13": "2026-13-01",
    "too-old": "31/12/2008",
    "too-old-1900": "01/01/1900",
    "too-far": "01/01/2099",
    "words": "hier",
    "zeros": "00/00/0000",
    "formula": "=TODAY()",
    "html": IMG,
    "fullwidth-digits-garbage": "１２／１３／２０２６",
}.items():
    case(f"event-day-{name}", "event", "day", day=value)
for name, value in {"hour-25": "25:00", "minutes-61": "14:61", "words": "midi", "empty": "", "html": SCRIPT}.items():
    case(f"event-time-{name}", "event", "start_time", start_time=value)
case("event-sectors-empty", "event", "sector_ids", sector_ids=[])
case("event-sectors-unknown", "event", "sector_ids", sector_ids=[999_999])
case("event-kind-unknown", "event", "kind", kind="concert")
case("event-kind-empty", "event", "kind", kind="")
case("event-kind-html", "event", "kind", kind=SCRIPT)
case("event-subkind-missing", "event", "subkind", kind="information", subkind=None, attendance=None, reach=10)
case("event-subkind-unknown", "event", "subkind", kind="information", subkind="pigeon", attendance=None, reach=10)
case("event-notes-too-long", "event", "notes", notes=LONG)
case("event-notes-very-long", "event", "notes", notes="é" * 100_000)
case("event-place-too-long", "event", "place", place="p" * 201)
case("event-title-too-long", "event", "title", title="t" * 201)
case("event-occurrences-zero", "event", "occurrences", occurrences=0)
case("event-occurrences-too-many", "event", "occurrences", occurrences=53)
case("event-occurrences-words", "event", "occurrences", occurrences="deux")
case("event-occurrences-negative", "event", "occurrences", occurrences=-4)
case("event-every-days-zero", "event", "every_days", occurrences=3, every_days=0)
case("event-every-days-too-big", "event", "every_days", occurrences=3, every_days=400)
case(
    "event-series-beyond-two-years",
    "event",
    "occurrences",
    day=TODAY + timedelta(days=10),
    attendance=None,
    occurrences=52,
    every_days=30,
)
case("event-attendance-before-it-happened", "event", "attendance", day=TODAY + timedelta(days=10), attendance=5)
case("event-organiser-unknown", "event", "organiser_id", organiser_id=999_999)

# ---------------------------------------------------------------- visits (Visites et accompagnement)
for name, value in {
    "negative": -3,
    "huge": 10**9,
    "words": "vingt",
    "decimal": "3,5",
    "empty": "",
    "html": SCRIPT,
    "formula": "=20",
    "unicode-minus": "\u22123",
}.items():
    case(f"visit-doors-knocked-{name}", "visit", "doors_knocked", doors_knocked=value)
case("visit-doors-answered-missing", "visit", "doors_answered", doors_answered=None)
case("visit-more-answered-than-knocked", "visit", "doors_answered", doors_knocked=5, doors_answered=9)
case("visit-documents-negative", "visit", "documents_left", documents_left=-1)
case("visit-date-future", "visit", "occurred_on", occurred_on=TODAY + timedelta(days=1))
case("visit-date-too-old", "visit", "occurred_on", occurred_on="2008-12-31")
case("visit-date-unreadable", "visit", "occurred_on", occurred_on="32/12/2025")
case("visit-date-empty", "visit", "occurred_on", occurred_on="")
case("visit-date-formula", "visit", "occurred_on", occurred_on="=NOW()")
case("visit-kind-unknown", "visit", "kind", kind="teleportation")
case("visit-sector-missing", "visit", "sector_id", sector_id=None)
case("visit-sector-unknown", "visit", "sector_id", sector_id=999_999)
case("visit-notes-too-long", "visit", "notes", notes=LONG)
DROPIN = dict(kind="dropin")
case("visit-dropin-people-missing", "visit", "people_seen", **DROPIN, people_seen=None)
case("visit-dropin-people-negative", "visit", "people_seen", **DROPIN, people_seen=-2)
case("visit-dropin-topic-unknown", "visit", "topics", **DROPIN, people_seen=3, topics=["astrologie"])
case("visit-dropin-topic-html", "visit", "topics", **DROPIN, people_seen=3, topics=["abonnement", SCRIPT])
case("visit-dropin-topic-formula", "visit", "topics", **DROPIN, people_seen=3, topics="=cmd|'/C calc'!A0")
LEGAL = dict(kind="legal")
case("visit-legal-more-terminated", "visit", "contracts_terminated", **LEGAL, offers_compared=2, contracts_terminated=5)
case("visit-legal-negative", "visit", "offers_compared", **LEGAL, offers_compared=-1, contracts_terminated=0)
EQUIP = dict(kind="equipment")
case("visit-equipment-sold-words", "visit", "computers_sold", **EQUIP, computers_sold="beaucoup")
case(
    "visit-equipment-price-negative", "visit", "price_per_computer", **EQUIP, computers_sold=2, price_per_computer="-40"
)
case(
    "visit-equipment-price-words",
    "visit",
    "price_per_computer",
    **EQUIP,
    computers_sold=2,
    price_per_computer="quarante",
)
case("visit-equipment-price-nan", "visit", "price_per_computer", **EQUIP, computers_sold=2, price_per_computer="NaN")
case("visit-equipment-price-huge", "visit", "price_per_computer", **EQUIP, computers_sold=2, price_per_computer="1e400")
case(
    "visit-equipment-price-formula",
    "visit",
    "price_per_computer",
    **EQUIP,
    computers_sold=2,
    price_per_computer="=40*2",
)

# ---------------------------------------------------------------- workshop attendance
case("workshop-attendance-negative", "workshop", "attendance", attendance=-8)
case("workshop-attendance-words", "workshop", "attendance", attendance="huit")
case("workshop-attendance-empty", "workshop", "attendance", attendance="")
case(
    "workshop-returning-more-than-present", "workshop", "returning_participants", attendance=5, returning_participants=9
)
case("workshop-session-missing", "workshop", "event_id", event_id=None)
case("workshop-session-unknown", "workshop", "event_id", event_id=999_999)

# ---------------------------------------------------------------- turnout (Saisie de la participation)
for name, value in {
    "negative": -5,
    "words": "beaucoup",
    "decimal": 1.5,
    "empty": "",
    "html": SCRIPT,
    "formula": "=A1",
    "more-than-registered": 10**9,
}.items():
    case(f"turnout-voters-{name}", "turnout", "voters", voters=value)
case("turnout-less-than-before", "turnout", "voters", voters=0)
case("turnout-correction-without-reason", "turnout", "reason", voters=0, is_correction=True, reason="  ")
case("turnout-time-before-opening", "turnout", "reported_at", reported_at=NOW - timedelta(days=30))
case("turnout-time-after-closing", "turnout", "reported_at", reported_at=NOW + timedelta(days=30))
case("turnout-time-missing", "turnout", "reported_at", reported_at=None)
case("turnout-place-unknown", "turnout", "place", place_id=999_999)

# ---------------------------------------------------------------- count (Dépouillement), after closing
case("count-yes-negative", "count", "yes", yes=-1)
case("count-no-words", "count", "no", no="trente")
case("count-blank-decimal", "count", "blank", blank="2,5")
case("count-in-box-html", "count", "in_box", in_box=SCRIPT)
case("count-entry-3", "count", "entry_no", entry_no=3)

# ---------------------------------------------------------------- ballot set-up (Préparer un scrutin)
case("ballot-registered-negative", "ballot", "registered", registered=-10)
case("ballot-registered-zero", "ballot", "registered", registered=0)
case("ballot-registered-words", "ballot", "registered", registered="quatre cents")
case("ballot-registered-more-than-dwellings", "ballot", "registered", registered=10_000)
case("ballot-closes-before-opening", "ballot", "closes_at", closes_at=NOW + timedelta(days=29))
case("ballot-opens-missing", "ballot", "opens_at", opens_at=None)
case("ballot-no-place", "ballot", "places", places=[])
case("ballot-blank-places", "ballot", "places", places=[{"name": "   "}, {"name": ""}])
case("ballot-duplicate-places", "ballot", "places", places=["Maison de quartier", "maison de quartier"])
case("ballot-rule-unknown", "ballot", "rule", rule="tirage au sort")
case("ballot-quorum-over-100", "ballot", "quorum_pct", rule="quorum", quorum_pct=150)
case("ballot-quorum-words", "ballot", "quorum_pct", rule="quorum", quorum_pct="moitié")

# ---------------------------------------------------------------- imports: whole files
HEADER = "Secteur;Date;Abonnés\n"
for name, (filename, data) in {
    "empty": ("abonnes.csv", b""),
    "blank-lines": ("abonnes.csv", b"\n\n  \n"),
    "binary": ("abonnes.csv", b"\x00\x01\x02\x03" * 100),
    "broken-xlsx": ("abonnes.xlsx", b"PK\x03\x04 not really a zip"),
    "old-xls": ("abonnes.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
    "csv-named-xlsx": ("abonnes.xlsx", HEADER.encode()),
    "header-only": ("abonnes.csv", HEADER.encode()),
    "wrong-columns": ("abonnes.csv", b"a;b;c\n1;2;3\n"),
    "english-columns": ("abonnes.csv", b"foo,bar,baz\nx,y,z\n"),
    "html-header": ("abonnes.csv", f"{SCRIPT};{IMG};x\n1;2;3\n".encode()),
    "formula-header": ("abonnes.csv", b"=SUM(A1);Date;Abonnes\n1;2;3\n"),
    "too-big": ("abonnes.csv", HEADER.encode() + b"x" * (MAX_BYTES + 1)),
    "pdf": ("abonnes.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"),
}.items():
    CASES[f"import-file-{name}"] = Case("import_file", {"filename": filename, "data": data}, None)

# ---------------------------------------------------------------- imports: bad rows (subscribers)
for name, row in {
    "unknown-sector": "Atlantide;01/11/2026;12",
    "missing-sector": ";01/11/2026;12",
    "html-sector": f"{SCRIPT};01/11/2026;12",
    "formula-sector": '=HYPERLINK("http://evil.example");01/11/2026;12',
    "sql-sector": "'; DROP TABLE sector; --;01/11/2026;12",
    "date-future": "Kerourien;01/01/2030;12",
    "date-too-old": "Kerourien;01/01/1990;12",
    "date-unreadable": "Kerourien;32/13/2022;12",
    "date-missing": "Kerourien;;12",
    "date-formula": "Kerourien;=TODAY();12",
    "value-negative": "Kerourien;01/11/2026;-4",
    "value-words": "Kerourien;01/11/2026;douze",
    "value-decimal": "Kerourien;01/11/2026;1,5",
    "value-huge": "Kerourien;01/11/2026;99999999999",
    "value-missing": "Kerourien;01/11/2026;",
    "value-formula": "Kerourien;01/11/2026;=1+1",
    "value-zero-width": "Kerourien;01/11/2026;12\u200b",
    "duplicate-rows": "Kerourien;01/11/2026;12\nKerourien;01/11/2026;13",
}.items():
    CASES[f"import-row-{name}"] = Case("import_row", {"kind": "subscribers", "body": HEADER + row + "\n"}, None)
for name, row in {
    "month-13": "Kerourien;13/2022;4",
    "month-zero": "Kerourien;2022-00;4",
    "month-words": "Kerourien;bientôt;4",
    "month-future": "Kerourien;12/2031;4",
}.items():
    CASES[f"import-row-moveins-{name}"] = Case(
        "import_row", {"kind": "move_ins", "body": "Secteur;Mois;Emménagements\n" + row + "\n"}, None
    )


# ---------------------------------------------------------------- running a case


def _row_counts(engine) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in meta.sorted_tables}


def _context(engine) -> dict:
    with engine.connect() as conn:
        org = conn.execute(select(User.organisation_id).where(User.username == "partenaire")).scalar()
        sector = conn.execute(select(SectorPartner.sector_id).where(SectorPartner.organisation_id == org)).scalar()
        ballot, closes_at = conn.execute(
            select(Ballot.id, Ballot.closes_at).where(Ballot.status == "open").order_by(Ballot.id)
        ).first()
        reported = (
            conn.execute(
                select(TurnoutReport.place_id, func.max(TurnoutReport.voters))
                .where(TurnoutReport.ballot_id == ballot, TurnoutReport.voters > 0)
                .group_by(TurnoutReport.place_id)
            ).first()
            if ballot
            else None
        )
        place = reported[0] if reported else conn.execute(select(PollingPlace.id)).scalar()
        place_voters = reported[1] if reported else 0
        workshop = conn.execute(
            select(Event.id)
            .join(EventSector, EventSector.event_id == Event.id)
            .where(Event.kind == "workshop", EventSector.sector_id == sector, Event.starts_at < NOW)
            .order_by(Event.starts_at.desc())
        ).scalar()
        latest = (
            select(Deployment.sector_id, func.max(Deployment.id).label("dep")).group_by(Deployment.sector_id).subquery()
        )
        free_sector = conn.execute(
            select(latest.c.sector_id)
            .where(~select(Ballot.id).where(Ballot.deployment_id == latest.c.dep).exists())
            .order_by(latest.c.sector_id)
        ).scalar()
    return dict(
        org=org,
        sector=sector,
        ballot=ballot,
        closes_at=closes_at,
        place=place,
        place_voters=place_voters,
        workshop=workshop,
        free_sector=free_sector,
    )


def _run(form: str, values: dict, session, ctx: dict, monkeypatch):
    partner = Actor("partenaire", "partner", ctx["org"])
    landlord = Actor("bailleur", "landlord")
    if form == "event":
        base = dict(kind="dropin", sector_ids=[ctx["sector"]], day=YESTERDAY, start_time="14:00", attendance=5)
        return record_event(session, partner, EventEntry(**{**base, **values}))
    if form == "visit":
        base = dict(
            kind="door_to_door", sector_id=ctx["sector"], occurred_on=YESTERDAY, doors_knocked=20, doors_answered=8
        )
        # Door counts are ignored by the other kinds of visit: one base serves them all.
        return record_visit(session, partner, VisitEntry(**{**base, **values}))
    if form == "workshop":
        if ctx["workshop"] is None and "event_id" not in values:
            pytest.skip("no past workshop session in the partner's sectors")
        base = dict(event_id=ctx["workshop"], attendance=8)
        return record_workshop_attendance(session, partner, **{**base, **values})
    if form == "turnout":
        base = dict(ballot_id=ctx["ballot"], place_id=ctx["place"], voters=ctx["place_voters"] + 1, reported_at=NOW)
        return record_turnout(session, landlord, **{**base, **values})
    if form == "count":
        # After closing: the count is entered once the ballot is over.
        monkeypatch.setenv("IHS_TODAY", (ctx["closes_at"] + timedelta(days=1)).date().isoformat())
        base = dict(ballot_id=ctx["ballot"], entry_no=1, yes=100, no=50, blank=2, void=1, in_box=153)
        return enter_count(session, landlord, **{**base, **values})
    if form == "ballot":
        base = dict(
            sector_id=ctx["free_sector"],
            opens_at=NOW + timedelta(days=30),
            closes_at=NOW + timedelta(days=35),
            registered=250,
            places=[{"name": "Maison de quartier", "kind": "facility"}],
        )
        return setup_ballot(session, landlord, **{**base, **values})
    operator = Actor("operateur", "operator")
    if form == "import_file":
        return check_rows(session, operator, "subscribers", values["filename"], values["data"], TODAY)
    if form == "import_row":
        actor = operator if values["kind"] == "subscribers" else landlord
        preview = check_rows(session, actor, values["kind"], "fichier.csv", values["body"].encode(), TODAY)
        messages = [m for row in preview.rows for m in row.errors]
        assert messages, "every row was accepted"
        for message in messages:
            assert_clear_french(message)
        return apply_import(session, actor, preview)  # must refuse: rows with errors
    raise AssertionError(form)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gets_a_french_message_and_writes_nothing(engine, monkeypatch, name):
    c = CASES[name]
    ctx = _context(engine)
    before = _row_counts(engine)
    with session_scope("tests", engine=engine) as s:
        try:
            _run(c.form, c.values, s, ctx, monkeypatch)
        except ImportFileError as exc:
            # The corpus checks each case's outcome, whichever exception carries it.
            assert c.form == "import_file", f"unexpected file error: {exc}"  # noqa: PT017
            assert_clear_french(str(exc))
        except ValueError as exc:  # ValidationError of ihs.validation and of ihs.ballots
            errors = getattr(exc, "errors", None)
            assert isinstance(errors, dict) and errors, f"{type(exc).__name__} without field messages: {exc}"  # noqa: PT017
            if c.field is not None:
                assert c.field in errors, f"no message under {c.field!r}: {errors}"
                assert_clear_french(errors[c.field])
            for message in errors.values():
                assert_clear_french(message)
        else:
            pytest.fail(f"{name}: the bad input was accepted")
        assert not (s.new or s.dirty or s.deleted), "something was staged before the refusal"
    assert _row_counts(engine) == before


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 100


def test_every_form_base_values_are_accepted(engine, monkeypatch):
    """The corpus is meaningful only if each form accepts its base values (only the bad field fails)."""
    ctx = _context(engine)
    for form in ("event", "visit", "turnout", "ballot"):
        with session_scope("tests", engine=engine) as s:
            _run(form, {}, s, ctx, monkeypatch)
            s.rollback()
    if ctx["workshop"] is not None:
        with session_scope("tests", engine=engine) as s:
            _run("workshop", {}, s, ctx, monkeypatch)
            s.rollback()


@pytest.mark.parametrize(
    "text",
    ["avant\x00après", "\x00", "bip\x07bip", "ligne\x1bmodifiée"],
    ids=["nul-inside", "nul-only", "bell", "escape"],
)
def test_control_characters_in_text_are_refused_or_removed_never_an_error(engine, text):
    """PostgreSQL refuses NUL in text: it must become a French message (or be removed), not a crash."""
    ctx = _context(engine)
    partner = Actor("partenaire", "partner", ctx["org"])
    try:
        with session_scope("tests", engine=engine) as s:
            [event] = record_event(
                s,
                partner,
                EventEntry(kind="dropin", sector_ids=[ctx["sector"]], day=YESTERDAY, start_time="14:00", notes=text),
            )
            event_id = event.id
    except ValueError as exc:
        errors = getattr(exc, "errors", {})
        assert "notes" in errors, exc  # noqa: PT017
        assert_clear_french(errors["notes"])
        return
    with engine.connect() as conn:
        stored = conn.execute(select(Event.notes).where(Event.id == event_id)).scalar()
    assert "\x00" not in (stored or "")
