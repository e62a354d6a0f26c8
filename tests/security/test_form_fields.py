"""Every field of every entry form, driven with values its rules refuse: nothing is written, and the
answer is French, next to the field.

For each form: a set of valid values (the test first checks they save), then one field at a time
replaced by each bad value of its kind — a count (non-integers, negatives, a space inside, letters,
too large), a date (impossible, too old, too far ahead, unreadable), a text (one character over its
stated maximum), or empty where the field is required. A refusal must leave every table and the
audit log as they were, keep what was typed, and say why in French (issue 21).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from sqlalchemy import func, select, update

from ihs.db import session_scope
from ihs.meetings import open_meeting
from ihs.models import AuditLog, Ballot, Sector
from ihs.users import actor_for
from ihs.validation import MAX_REASON, MAX_TEXT
from tests.apptest import open_page

BAD_COUNTS = ["-1", "19,5", "13.5", "1 9", "19a", "1e3", "12,0", "99999999999", "deux"]
BAD_DATES = ["31/02/2026", "15/06/1900", "15/06/2999", "hier", "2026-13-01"]
# What Streamlit's widgets or Python say when a value reaches them unchecked.
ENGLISH = re.compile(r"\b(Error|Please|invalid|Invalid|must|field|value|range|allowed|not found|None)\b")


@dataclass(frozen=True)
class Field:
    key: str
    kind: str  # "count", "date" or "text"
    required: bool = False
    max_len: int = MAX_TEXT


@dataclass(frozen=True)
class Form:
    page: str
    role: str
    submit: str
    valid: dict[str, str]
    fields: list[Field] = field(default_factory=list)
    prepare: tuple[tuple[str, str], ...] = ()  # selectboxes outside the form, set first: (key, option)
    choose: tuple[tuple[str, str], ...] = ()  # selectboxes inside the form: (key, option)
    setup: str | None = None  # what the database needs first: "closed_ballot" or "open_meeting"


FORMS = {
    "participation": Form(
        "participation",
        "landlord",
        "FormSubmitter:participation-Enregistrer",
        {"part_votants": "30"},
        [Field("part_votants", "count", required=True), Field("part_raison", "text", max_len=MAX_REASON)],
    ),
    "participation_day": Form(
        "participation",
        "landlord",
        "FormSubmitter:participation-Enregistrer",
        {"part_votants": "30"},
        [Field("part_jour", "date")],
    ),
    "evenements": Form(
        "saisie_evenements",
        "coordinator",
        "FormSubmitter:ev-Enregistrer",
        {"ev_day": "20/11/2026", "ev_attendance": "8", "ev_occurrences_dropin": "1"},
        [
            Field("ev_day", "date", required=True),
            Field("ev_attendance", "count"),
            Field("ev_occurrences_dropin", "occurrences", required=True),
            Field("ev_place", "text", max_len=200),
            Field("ev_title", "text", max_len=200),
            Field("ev_notes", "text"),
        ],
        prepare=(("ev_kind", "dropin"),),
    ),
    "visites": Form(
        "saisie_visites",
        "coordinator",
        "FormSubmitter:vi_door_to_door-Enregistrer",
        {
            "vi_door_to_door_occurred_on": "20/11/2026",
            "vi_door_to_door_doors_knocked": "120",
            "vi_door_to_door_doors_answered": "45",
        },
        [
            Field("vi_door_to_door_occurred_on", "date", required=True),
            Field("vi_door_to_door_doors_knocked", "count", required=True),
            Field("vi_door_to_door_doors_answered", "count", required=True),
            Field("vi_door_to_door_documents_left", "count"),
            Field("vi_door_to_door_notes", "text"),
        ],
        prepare=(("vi_kind", "door_to_door"),),
    ),
    "comite": Form(
        "comite",
        "coordinator",
        "FormSubmitter:mt-Ouvrir la séance et arrêter les chiffres",
        {"mt_title": "Comité d'automne", "mt_held_on": "27/11/2026", "mt_frozen_as_of": "20/11/2026"},
        [
            Field("mt_title", "text", required=True, max_len=200),
            Field("mt_held_on", "date", required=True),
            Field("mt_frozen_as_of", "date", required=True),
        ],
    ),
    "depouillement": Form(
        "depouillement",
        "landlord",
        "FormSubmitter:comptage-Enregistrer la saisie 1",
        {"dep_yes": "42", "dep_no": "15", "dep_blank": "2", "dep_void": "1", "dep_in_box": "60"},
        [Field(f"dep_{k}", "count", required=True) for k in ("yes", "no", "blank", "void", "in_box")],
        setup="closed_ballot",
    ),
    "decision": Form(
        "comite",
        "coordinator",
        "FormSubmitter:dc-Enregistrer la décision",
        {"dc_text": "Relancer le porte-à-porte", "dc_owner": "Bailleur", "dc_due_on": "15/01/2027"},
        [
            Field("dc_text", "text", required=True, max_len=2000),
            Field("dc_owner", "text", max_len=200),
            Field("dc_due_on", "date"),
        ],
        setup="open_meeting",
    ),
    "scrutin": Form(
        "scrutin_preparer",
        "landlord",
        "FormSubmitter:preparer-Enregistrer le scrutin",
        {},
        [Field("prep_inscrits_*", "count", required=True), Field("prep_fin_*", "date", required=True)],
    ),
    "compte": Form(
        "utilisateurs",
        "coordinator",
        "FormSubmitter:us_new-Créer le compte",
        {
            "us_new_username": "mdq-essai",
            "us_new_name": "Maison de quartier (essai)",
            "us_new_password": "mot-de-passe-sur",
        },
        [
            Field("us_new_username", "text", required=True, max_len=40),
            Field("us_new_name", "text", required=True, max_len=200),
            Field("us_new_password", "text", required=True, max_len=72),
        ],
        choose=(("us_new_role", "viewer"),),
    ),
}


def _bad_values(f: Field) -> list[str]:
    # « Nombre de dates » goes from 1 to 52: 0 and 53 were answered by the widget, in English.
    values = {"count": BAD_COUNTS, "occurrences": [*BAD_COUNTS, "0", "53"], "date": BAD_DATES, "text": []}[f.kind]
    values = [*values, "x" * (f.max_len + 1)] if f.kind == "text" else list(values)
    return [*values, ""] if f.required else values


def _audit(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(AuditLog)).scalar_one()


def _setup(form: Form, engine) -> None:
    if form.setup == "closed_ballot":
        with engine.begin() as conn:
            conn.execute(update(Ballot).where(Ballot.status == "open").values(closes_at=datetime(2026, 11, 27, 0, 0)))
    elif form.setup == "open_meeting":
        with session_scope("coordination", engine=engine) as s:
            open_meeting(
                s, actor_for(engine, "coordination"), title="Comité", held_on="27/11/2026", frozen_as_of="20/11/2026"
            )


def _key(at, key: str) -> str:
    """A widget key; one ending in * is the one field whose key starts so (keys that follow a choice)."""
    if not key.endswith("*"):
        return key
    (found,) = [t.key for t in at.text_input if t.key.startswith(key[:-1])]
    return found


def _open(form: Form, engine):
    at = open_page(form.role, form.page)
    for key, option in form.prepare:
        at.selectbox(key=key).select(option).run()
    with engine.connect() as conn:
        sector = conn.execute(select(Sector.id).where(Sector.code == "bellevue-kergoat")).scalar_one()
    for picker in at.multiselect:
        if picker.key == "ev_sector_ids":
            picker.select(sector)
    for picker in at.selectbox:
        if picker.key.endswith("_sector_id"):
            picker.select(sector)
    for key, option in form.choose:
        at.selectbox(key=key).select(option)
    return at


def _fill(at, values: dict[str, str]) -> None:
    areas = {t.key for t in at.text_area}
    for key, value in values.items():
        key = _key(at, key)
        (at.text_area(key=key) if key in areas else at.text_input(key=key)).input(value)


def _messages(at) -> str:
    return " ".join(str(e.value) for e in [*at.error, *at.warning, *at.exception])


CASES = [(name, f.key, bad) for name, form in FORMS.items() for f in form.fields for bad in _bad_values(f)]


@pytest.mark.parametrize("name", list(FORMS))
def test_the_valid_values_save(app_db, name):
    """The baseline each bad value is compared with does save: a refusal below is the bad value's doing."""
    form = FORMS[name]
    _setup(form, app_db)
    at = _open(form, app_db)
    _fill(at, form.valid)
    before = _audit(app_db)
    at.button(key=form.submit).click().run()
    assert not at.exception and not at.error, _messages(at)
    assert _audit(app_db) > before


@pytest.mark.slow
@pytest.mark.parametrize(("name", "key", "bad"), CASES, ids=[f"{n}-{k}-{b[:12]!r}" for n, k, b in CASES])
def test_a_refused_value_writes_nothing_and_is_answered_in_french_next_to_its_field(app_db, name, key, bad):
    form = FORMS[name]
    _setup(form, app_db)
    at = _open(form, app_db)
    _fill(at, {**form.valid, key: bad})
    before = _audit(app_db)
    at.button(key=form.submit).click().run()
    assert not at.exception, at.exception
    assert _audit(app_db) == before, f"{key}={bad[:40]!r} was written"
    answer = _messages(at)
    assert at.error, f"{key}={bad[:40]!r}: refused without a word"
    assert not ENGLISH.search(answer), answer
    # What was typed is still there, to be corrected.
    typed = {t.key: t.value for t in [*at.text_input, *at.text_area]}
    assert typed.get(_key(at, key)) == bad
