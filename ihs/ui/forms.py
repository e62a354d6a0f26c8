"""Form plumbing for the entry pages: one transaction per submit, errors next to their field,
nothing typed is lost.

A page builds an `st.form(..., clear_on_submit=False)` whose widgets have keys `<form>_<field>`
(`text_field`, `count_field`, `choice_field`, `date_field`: each with its French error under it),
and gives its submit button `on_click=submit, args=(form, write, reset)`. The callback runs
before the page is drawn again, so the messages appear under the fields of that very run, and
widget values stay as typed; after a save the `reset` fields are emptied. `write(session)` reads
the typed input as one object: `typed(form, SomeInput())` (`ihs.inputs`, `EventEntry`…).
Whole forms that recur: `new_entry_form` (add a row), `dated_history` (a dated figure and its
history), `corrections` (correct or delete one's own entries).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import fields, replace
from datetime import date
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ihs.db import session_scope
from ihs.formats import fr_date
from ihs.ui.auth import current_actor
from ihs.ui.data import clear_reads, engine
from ihs.ui.widgets import labelled_table
from ihs.users import PermissionDenied
from ihs.validation import ValidationError, WarningsNotAcknowledged, check_date

log = logging.getLogger("ihs.forms")
T = TypeVar("T")

CHECK_FIELDS = "Vérifiez les champs signalés : rien n'a été enregistré."
NOT_CONFIRMED = "Rien n'a été enregistré : lisez l'avertissement ci-dessus."
CONFIRMED = "confirmed"
DB_FAILED = (
    "L'enregistrement a échoué : la base de données est occupée ou la connexion est perdue. "
    "Rien n'a été enregistré et vos saisies sont conservées : réessayez dans un instant."
)


def key(form: str, field: str) -> str:
    """The session-state key of `field` in `form`: `<form>_<field>`."""
    return f"{form}_{field}"


def value(form: str, field: str, default=None):
    """What the widget of `field` in `form` holds; `default` when the session holds none."""
    return st.session_state.get(key(form, field), default)


def typed(form: str, start: T) -> T:
    """The typed input of `form`: `start` (a frozen dataclass of the write, e.g. `EventEntry`) with
    each field the form has a widget for (key `<form>_<field>`) replaced by what was typed."""
    given = {
        f.name: st.session_state[key(form, f.name)] for f in fields(start) if key(form, f.name) in st.session_state
    }
    return replace(start, **given)


def date_field(label: str, field_key: str, default: date | None = None, *, container=None, **kwargs) -> str:
    """A date typed as JJ/MM/AAAA and checked by `ihs` (`validation.check_date`), in French.

    Not `st.date_input`: it kept its previous value when a typed date was outside its range
    (15/06/1900 was saved as today, under an English error) and turned 31/02/2024 into
    29/02/2024, so what the partner typed never reached the checks.
    """
    if field_key not in st.session_state:
        st.session_state[field_key] = fr_date(default) if default else ""
    return (container or st).text_input(label, key=field_key, placeholder="JJ/MM/AAAA", **kwargs)


def checked_date(label: str, field_key: str, default: date | None, *, today: date, container=None) -> date | None:
    """A date the page itself needs (a filter, the start of a proposal), not a form's: typed as
    JJ/MM/AAAA and checked like any date (`validation.check_date`); when it cannot be read, its
    French message goes under the field and None comes back (the page stops or waits)."""
    typed = date_field(label, field_key, default, container=container)
    problems: dict[str, str] = {}
    day = check_date(problems, field_key, typed, today=today)
    if problems:
        (container or st).error(problems[field_key])
    return day


def errors(form: str) -> dict[str, str]:
    """The French messages of `form`'s last submit, by field (empty before any, and after a success)."""
    return st.session_state.get(f"_{form}_errors", {})


def stored_error(state_key: str, field: str) -> None:
    """The French message for `field` among those a page keeps by field under `state_key` (the
    ballot pages, whose writes run in the page rather than in a submit callback)."""
    if message := st.session_state.get(state_key, {}).get(field):
        st.error(message)


def start_values(form: str, **defaults) -> None:
    """Give the widgets of `form` their first values (a stored row's, to edit it), once: what the
    user then types stays, through failed saves and reruns."""
    for field, default in defaults.items():
        st.session_state.setdefault(key(form, field), default)


def field_error(form: str, field: str) -> None:
    """The French message for `field`, right under its widget."""
    message = errors(form).get(field)
    if message:
        st.error(message)


# Count fields are text inputs (a failed write keeps exactly what was typed, and empty is not 0)
# that open the phone's numeric keyboard: each sits in a container keyed `ihs-count-…`, to which
# Streamlit gives the class `st-key-ihs-count-…`, and this script, installed once per browser tab,
# sets `inputmode` and `pattern` on their inputs, again whenever Streamlit draws one anew.
COUNT_PREFIX = "ihs-count-"
_NUMERIC_SCRIPT = """(() => {
  if (window.ihsNumericKeyboard) return;
  window.ihsNumericKeyboard = true;
  const mark = () => document.querySelectorAll('[class*="st-key-ihs-count-"] input:not([inputmode])')
    .forEach((el) => { el.setAttribute("inputmode", "numeric"); el.setAttribute("pattern", "[0-9]*"); });
  new MutationObserver(mark).observe(document.body, { subtree: true, childList: true });
  mark();
})();"""  # st-key- + COUNT_PREFIX
# The script's element is empty; without this it would take a gap under the field.
_NUMERIC_HIDE = '[data-testid="stElementContainer"]:has(script.ihs-numeric) { display: none; }'


def count_field(label: str, field_key: str, *, container=None, **kwargs) -> str:
    """A count (voters, visits, dwellings…) typed as text, which opens the numeric keyboard on a
    phone; the text as typed comes back, for `ihs` to check (« 19,5 » is refused, never dropped)."""
    with (container or st).container(key=f"{COUNT_PREFIX}{field_key}"):
        typed = st.text_input(label, key=field_key, **kwargs)
        st.html(
            f'<style>{_NUMERIC_HIDE}</style><script class="ihs-numeric">{_NUMERIC_SCRIPT}</script>',
            unsafe_allow_javascript=True,  # our own constant script, no user text in it
        )
    return typed


def text_field(form: str, field: str, label: str, *, container=None, kind: str = "input", **kwargs) -> str:
    """A text field of `form` (`kind` "input", "area", "date" or "count") with its French error right
    under it."""
    box = container or st
    if kind == "date":
        value = date_field(label, key(form, field), container=box, **kwargs)
    elif kind == "count":
        value = count_field(label, key(form, field), container=box, **kwargs)
    elif kind == "area":
        value = box.text_area(label, key=key(form, field), **kwargs)
    else:
        value = box.text_input(label, key=key(form, field), **kwargs)
    with container if container is not None else nullcontext():
        field_error(form, field)
    return value


def choice_field(
    form: str,
    field: str,
    label: str,
    choices: dict,
    current=None,
    *,
    placeholder: str = "Choisissez",
    container=None,
) -> None:
    """A choice among `choices` (value → French name) for `field` of `form`, `current` chosen at
    first (nothing when it is not among them), with its French error right under it."""
    values = list(choices)
    box = container or st
    box.selectbox(
        label,
        values,
        format_func=choices.get,
        index=values.index(current) if current in values else None,
        placeholder=placeholder,
        key=key(form, field),
    )
    with container if container is not None else nullcontext():
        field_error(form, field)


def run_write(write: Callable[[Session], str], *, reason: str | None = None) -> tuple[bool, str, dict[str, str]]:
    """Run `write(session)` in one audited transaction (`reason` goes to the audit log); (ok,
    French message, errors by field). Every page writes through here, so a refusal, a missing
    right and a busy database read the same everywhere; a write's own outcomes that are not
    failures (a warning to acknowledge, two counts that differ) are raised to the page."""
    actor = current_actor()
    try:
        with session_scope(actor.username if actor else None, engine=engine(), reason=reason) as session:
            message = write(session)
    except ValidationError as exc:
        return False, CHECK_FIELDS, exc.errors
    except PermissionDenied as exc:
        return False, str(exc), {}
    except SQLAlchemyError:
        # Database locked, connection lost…: the transaction is rolled back as a whole.
        log.exception("write failed")
        return False, DB_FAILED, {}
    clear_reads()
    return True, message, {}


def submit(form: str, write: Callable[[Session], str], reset: Iterable[str] = ()) -> None:
    """Submit-button callback: write, then store the outcome for `status`, `field_error` and
    `confirmation` (a write that warns is not saved until the user ticks the confirmation)."""
    try:
        ok, message, field_errors = run_write(write)
    except WarningsNotAcknowledged as exc:
        st.session_state[f"_{form}_warnings"] = exc.warnings
        st.session_state[f"_{form}_errors"] = {}
        st.session_state[f"_{form}_status"] = (False, NOT_CONFIRMED)
        st.session_state[key(form, CONFIRMED)] = False
        return
    st.session_state[f"_{form}_errors"] = field_errors
    st.session_state[f"_{form}_status"] = (ok, message)
    if ok:
        st.session_state.pop(f"_{form}_warnings", None)
        # A new, empty form for the next entry, shown empty on the screen too (a value set, not
        # only forgotten); on failure every value stays as typed.
        for field in (*reset, CONFIRMED):
            typed = st.session_state.get(key(form, field))
            if isinstance(typed, str):
                st.session_state[key(form, field)] = ""
            elif isinstance(typed, list):
                st.session_state[key(form, field)] = []
            elif isinstance(typed, bool):
                st.session_state[key(form, field)] = False
            else:
                st.session_state.pop(key(form, field), None)


def dated_history(
    form: str,
    history: pd.DataFrame,
    columns: dict[str, tuple[str, Callable | None]],
    write: Callable[[Session], str],
    *,
    value: tuple[str, str, str],
    labels: tuple[str, str, str],
    empty: str,
    **form_options,
) -> None:
    """A dated figure's history (a tariff's, a number of dwellings'; `columns` as `labelled_table`
    takes them) and, under it, the form that adds one (`dated_entry_form`)."""
    labelled_table(history, columns, key=f"{form}_table", empty=empty)
    dated_entry_form(form, value, write, labels=labels, **form_options)


def dated_entry_form(
    form: str,
    value: tuple[str, str, str],
    write: Callable[[Session], str],
    *,
    labels: tuple[str, str, str],
    note: str | None = None,
    errors_of: Iterable[str] = (),
) -> None:
    """A dated figure added to a history (a tariff, a number of dwellings): its start date, the
    figure (`value`: field, label, kind "input" or "count"), its source; `labels`: the date's, the
    source's and the button's. `errors_of`: other fields whose message goes above the button."""
    field, label, kind = value
    date_label, source_label, button = labels
    with st.form(form, clear_on_submit=False):
        if note:
            st.caption(note)
        text_field(form, "valid_from", date_label, kind="date")
        text_field(form, field, label, kind=kind)
        text_field(form, "source", source_label)
        for other in errors_of:
            field_error(form, other)
        st.form_submit_button(
            button,
            type="primary",
            width="stretch",
            on_click=submit,
            args=(form, write, ["valid_from", field, "source"]),
        )
    status(form)


def _add(form: str, write: Callable[[Session], str]) -> None:
    # Every widget of the form starts empty again after a save: the next row is a new one.
    submit(form, write, [k.removeprefix(f"{form}_") for k in st.session_state if k.startswith(f"{form}_")])


def new_entry_form(
    form: str, labels: tuple[str, str], draw: Callable[[str], None], write: Callable[[Session], str], *, expanded: bool
) -> None:
    """A form that adds a row (an offer, an organisation, a sector), folded under its title
    (`labels`: the title's and the button's) unless `expanded` (e.g. nothing exists yet): the
    widgets `draw(form)` makes, the button that writes (`submit`; after a save every field is
    empty again), and the outcome under it."""
    title, button = labels
    with st.expander(title, expanded=expanded):
        with st.form(form, clear_on_submit=False):
            draw(form)
            st.form_submit_button(button, type="primary", width="stretch", on_click=_add, args=(form, write))
        status(form)


def confirmation(form: str, label: str = "Enregistrer quand même") -> None:
    """Inside `form`, before its button: the warnings of its last submit and the box that
    confirms them (the write reads it with `confirmed(form)`)."""
    for message in st.session_state.get(f"_{form}_warnings", {}).values():
        st.warning(message)
    if st.session_state.get(f"_{form}_warnings"):
        st.checkbox(label, key=key(form, CONFIRMED))


def confirmed(form: str) -> bool:
    """Whether the user ticked the confirmation of `form`'s warnings."""
    return bool(value(form, CONFIRMED, False))


def status(form: str) -> None:
    """The outcome of the last submit of `form` (success, or what went wrong)."""
    outcome = st.session_state.get(f"_{form}_status")
    if outcome:
        ok, message = outcome
        (st.success if ok else st.error)(message)


# ---- corrections and soft deletes (« Mes saisies »)
# Callbacks get everything as arguments: they run at the start of the next script run.


def as_text(value) -> str:
    """A stored value as the text of an input field (empty for missing)."""
    return "" if value is None or value != value else str(value).removesuffix(".0")


def corrected_field(form: str, field: str, label: str, stored, *, kind: str = "input") -> None:
    """A field of a correction form, first showing the `stored` value (`kind` "input", "count",
    "area" or "date"), with its French error right under it."""
    if kind == "date":
        text_field(form, field, label, kind=kind, default=stored)
    else:
        text_field(form, field, label, kind=kind, value=(stored or "") if kind == "area" else as_text(stored))


def corrections(rows, label: Callable, picker: str, draw: Callable, *, update, stored, delete) -> None:
    """Correct or delete one of `rows` (a user's entries; those with a `deleted_at` are not
    offered), chosen by its `label(row)`: its correction form `<picker>_<id>`, whose fields
    `draw(form, row)` makes (see `correction_button`), then its soft delete with a reason
    (`delete_form`, `<picker>del_<id>`)."""
    live = rows[rows["deleted_at"].isna()].set_index("id")
    labels = {i: label(r) for i, r in live.iterrows()}
    chosen = st.selectbox(
        "Corriger ou supprimer",
        list(labels),
        format_func=labels.get,
        index=None,
        key=picker,
        placeholder="Choisissez une saisie",
    )
    if chosen is None:
        return
    form = f"{picker}_{chosen}"
    with st.form(form, clear_on_submit=False):
        draw(form, live.loc[chosen])
        correction_button(form, update, stored, chosen)
    status(form)
    delete_form(f"{picker}del_{chosen}", delete, chosen, picker)


def _save(form: str, update, stored, row_id: int) -> None:
    def write(session) -> str:
        update(session, current_actor(), row_id, typed(form, stored(session, row_id)))
        return "Correction enregistrée."

    submit(form, write)


def correction_button(form: str, update, stored, row_id: int) -> None:
    """Submit button of a correction form: `update(session, actor, row_id, entry)`, where `entry` is
    the stored row as its form gives it (`stored(session, row_id)`, e.g. `events.event_entry`)
    with the fields of `form` as typed."""
    st.form_submit_button(
        "Enregistrer la correction",
        type="primary",
        width="stretch",
        on_click=_save,
        args=(form, update, stored, row_id),
    )


def _remove(form: str, delete, row_id: int, picker: str) -> None:
    def write(session) -> str:
        delete(session, current_actor(), row_id, value(form, "reason"))
        return "Saisie supprimée (la raison est conservée dans le journal)."

    submit(form, write)
    ok, message = st.session_state[f"_{form}_status"]
    if ok:
        # The row leaves the list, and its form with it: the page shows `flash()` instead.
        st.session_state["_flash"] = message
        st.session_state.pop(picker, None)


def delete_form(form: str, delete, row_id: int, picker: str) -> None:
    """Soft delete with a required reason: `delete(session, actor, row_id, reason)`."""
    with st.form(form, clear_on_submit=False):
        st.text_input("Raison de la suppression", placeholder="ex. saisie en double", key=key(form, "reason"))
        field_error(form, "reason")
        st.form_submit_button("Supprimer", width="stretch", on_click=_remove, args=(form, delete, row_id, picker))
    status(form)


def flash() -> None:
    """A message left by a callback whose form is gone (e.g. the deleted row's)."""
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message)
