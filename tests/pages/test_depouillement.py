"""Dépouillement: double entry by two people, warnings with a note, differences side by side,
validation, locking and unlocking with a reason, the outcome and the next milestones."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select, update

from ihs.models import Ballot, BallotCount, DeploymentStage
from tests.apptest import metric, open_page, texts

SUBMIT = "FormSubmitter:comptage-Enregistrer la saisie {n}"


def _close(engine):
    with engine.begin() as conn:
        bid = conn.execute(select(Ballot.id).where(Ballot.status == "open")).scalar_one()
        conn.execute(update(Ballot).where(Ballot.id == bid).values(closes_at=datetime(2026, 11, 27, 0, 0)))
    return engine, bid


@pytest.fixture
def closed(app_db):
    """The demo's montaigne ballot, closed at midnight with 60 voters reported."""
    return _close(app_db)


@pytest.fixture
def closed_any(app_db_any):
    """The same, on SQLite and on PostgreSQL."""
    return _close(app_db_any)


def enter(at, n, yes, no, blank, void, in_box):
    at.radio(key="dep_saisie").set_value(n).run()
    for key, value in zip(("yes", "no", "blank", "void", "in_box"), (yes, no, blank, void, in_box), strict=True):
        at.text_input(key=f"dep_{key}").input(str(value))
    at.button(key=SUBMIT.format(n=n)).click().run()
    assert not at.exception


def status(engine, bid):
    with engine.connect() as conn:
        return conn.execute(select(Ballot.status, Ballot.outcome).where(Ballot.id == bid)).one()


def test_the_closed_ballot_is_proposed_and_parts_must_add_up(closed):
    _engine, _bid = closed
    at = open_page("landlord", "depouillement")
    assert "Clos" in at.caption[0].value  # montaigne, closed at midnight, comes first
    enter(at, 1, 42, 15, 2, 2, 60)
    assert "recomptez" in at.error[0].value
    enter(at, 1, 42, 15, 2, 1, 60)
    assert "Saisie 1 enregistrée" in at.success[0].value
    # The figures typed are cleared once saved: a second entry starts blank.
    assert at.text_input(key="dep_yes").value == ""
    # The same person cannot make the second entry.
    enter(at, 2, 42, 15, 2, 1, 60)
    assert "autre personne" in at.error[0].value


def test_warnings_need_a_note(closed):
    engine, bid = closed
    at = open_page("landlord", "depouillement")
    enter(at, 1, 40, 15, 3, 3, 61)
    assert not at.error
    warnings = " ".join(w.value for w in at.warning)
    assert "dernier total de participation (60)" in warnings and "Blancs et nuls" in warnings
    with engine.connect() as conn:
        assert conn.execute(select(BallotCount).where(BallotCount.ballot_id == bid)).first() is None
    at.text_area(key="dep_note").input("Une électrice a voté sans émarger ; 6 blancs vérifiés")
    at.button(key=SUBMIT.format(n=1)).click().run()
    assert "Saisie 1 enregistrée" in at.success[0].value
    with engine.connect() as conn:
        note = conn.execute(select(BallotCount.warnings_note).where(BallotCount.ballot_id == bid)).scalar_one()
    assert note.startswith("Une électrice")


def test_double_entry_differences_validation_lock_and_unlock(closed):
    engine, bid = closed
    landlord = open_page("landlord", "depouillement")
    enter(landlord, 1, 42, 15, 2, 1, 60)
    coord = open_page("coordinator", "depouillement")
    enter(coord, 2, 43, 14, 2, 1, 60)
    table = coord.dataframe[0].value
    assert table["Concordance"].tolist() == ["✘ différent", "✘ différent", "✔ identique", "✔ identique", "✔ identique"]
    assert table["Saisie 1"].tolist()[:2] == [42, 15] and table["Saisie 2"].tolist()[:2] == [43, 14]
    coord.button(key="dep_valider").click().run()
    assert "ne concordent pas (Oui, Non)" in coord.error[0].value
    assert status(engine, bid) == ("counted", None)
    # The second counter recounts: the entries agree, the result can be validated.
    enter(coord, 2, 42, 15, 2, 1, 60)
    coord.button(key="dep_valider").click().run()
    assert "Résultat validé" in coord.success[0].value
    assert status(engine, bid) == ("validated", "adopted")
    assert metric(coord, "Résultat") == "Adopté"
    assert metric(coord, "Écart") == "27 voix"
    assert metric(coord, "Voix qui auraient changé le résultat") == "14"
    # Only the coordinator sees the lock button.
    landlord.run()
    assert not [b for b in landlord.button if b.key == "dep_verrouiller"]
    coord.button(key="dep_verrouiller").click().run()
    assert status(engine, bid) == ("locked", "adopted")
    assert "verrouillé par coordination" in texts(coord)
    # Locked: no entry form; unlocking needs a reason.
    assert not [n for n in coord.text_input if n.key == "dep_yes"]
    coord.button(key="FormSubmitter:deverrouiller-Déverrouiller le résultat").click().run()
    assert "pourquoi" in coord.error[0].value and status(engine, bid)[0] == "locked"
    coord.text_input(key="dep_raison").input("Recomptage demandé par la commission")
    coord.button(key="FormSubmitter:deverrouiller-Déverrouiller le résultat").click().run()
    assert status(engine, bid) == ("counted", None)
    with engine.connect() as conn:
        assert conn.execute(select(Ballot.unlock_reason).where(Ballot.id == bid)).scalar_one().startswith("Recomptage")


def test_adopted_result_proposes_next_milestones(closed):
    engine, bid = closed
    enter(open_page("landlord", "depouillement"), 1, 42, 15, 2, 1, 60)
    coord = open_page("coordinator", "depouillement")
    enter(coord, 2, 42, 15, 2, 1, 60)
    coord.button(key="dep_valider").click().run()
    assert "Étapes suivantes proposées" in texts(coord)
    # The page's sections are h2 under its h1: a screen reader's list of headings skips no level.
    assert [t.value for t in coord.title] == ["Dépouillement"]
    assert [h.value for h in coord.header] == [
        "Saisies côte à côte",
        "Résultat : ADOPTÉ",
        "Étapes suivantes proposées",
    ]
    assert not coord.subheader
    starts = [t.value for t in coord.text_input if t.key.startswith(f"dep_{bid}_")]
    # Closed 27/11/2026; settings: implementation 21 days later for 7 days (18/12 to 24/12 inclusive),
    # workshops 14 days after its last day (07/01/2027), 10 weekly sessions (+ 9 weeks: 11/03/2027).
    assert starts == ["18/12/2026", "24/12/2026", "07/01/2027", "11/03/2027"]
    # A date typed that does not exist is refused next to its stage, nothing planned.
    coord.text_input(key=f"dep_{bid}_workshops_fin").input("31/02/2027")
    coord.button(key="FormSubmitter:jalons-Enregistrer ces dates prévues").click().run()
    assert "Le 31/02/2027 n'existe pas" in " ".join(e.value for e in coord.error)
    coord.text_input(key=f"dep_{bid}_workshops_fin").input("11/03/2027")
    coord.button(key="FormSubmitter:jalons-Enregistrer ces dates prévues").click().run()
    assert "Dates prévues enregistrées" in coord.success[0].value
    with engine.connect() as conn:
        planned = dict(
            conn.execute(
                select(DeploymentStage.stage, DeploymentStage.planned_start)
                .join(Ballot, Ballot.deployment_id == DeploymentStage.deployment_id)
                .where(Ballot.id == bid)
            ).all()
        )
    assert planned["implementation"] == date(2026, 12, 18) and planned["workshops"] == date(2027, 1, 7)


def test_an_open_ballot_is_not_counted_yet(app_db):
    at = open_page("landlord", "depouillement")
    sel = at.selectbox(key="dep_scrutin")
    # The demo has no ballot awaiting its count: the latest counted one (locked) is shown.
    assert "verrouillé par coordination" in texts(at)
    with app_db.connect() as conn:
        montaigne = conn.execute(select(Ballot.id).where(Ballot.status == "open")).scalar_one()
    sel.set_value(montaigne).run()
    assert "le dépouillement se fait après la clôture" in texts(at)
    assert not [n for n in at.text_input if n.key == "dep_yes"]


def _page_shows(at) -> str:
    """Every text and table cell the page shows."""
    cells = " ".join(frame.value.to_string() for frame in at.dataframe)
    fields = " ".join(str(t.value) for t in at.text_input)
    return f"{texts(at)} {cells} {fields}"


def test_the_second_entry_is_typed_blind_then_differences_are_marked(closed_any):
    _engine, _bid = closed_any
    landlord = open_page("landlord", "depouillement")
    enter(landlord, 1, 41, 16, 2, 1, 60)
    # The first typist sees their own entry, and only that.
    assert landlord.dataframe[0].value.columns.tolist() == ["Champ", "Votre saisie 1"]
    assert landlord.dataframe[0].value["Votre saisie 1"].tolist() == [41, 16, 2, 1, 60]
    # The coordinator (who may type entry 2, and will validate) sees who typed entry 1, no figure.
    coord = open_page("coordinator", "depouillement")
    shown = _page_shows(coord)
    assert "Saisie 1 enregistrée par bailleur" in shown
    assert not coord.dataframe
    # Neither 41 nor 16 anywhere, as a figure (a time of day such as 10:41 may contain them).
    assert not re.search(r"(?<![\d:/])(41|16)(?![\d:/])", shown), shown
    assert coord.radio(key="dep_saisie").value == 2  # the entry still to do
    assert "restent cachés" in shown
    enter(coord, 2, 42, 15, 2, 1, 60)
    # Both in: the comparison, the differing lines marked.
    table = coord.dataframe[0].value
    assert table["Saisie 1"].tolist() == [41, 16, 2, 1, 60] and table["Saisie 2"].tolist() == [42, 15, 2, 1, 60]
    assert table["Concordance"].tolist()[:2] == ["✘ différent", "✘ différent"]
    assert "Lignes différentes : Oui, Non" in texts(coord)


@pytest.mark.parametrize("typed", ["19,5", "13.5", "1 9", "19a", "-3", "4,0"])
def test_a_count_line_that_is_not_a_whole_number_is_refused_in_french(closed, typed):
    engine, bid = closed
    at = open_page("landlord", "depouillement")
    at.text_input(key="dep_yes").input(typed)
    for key, value in (("no", "15"), ("blank", "2"), ("void", "1"), ("in_box", "60")):
        at.text_input(key=f"dep_{key}").input(value)
    at.button(key=SUBMIT.format(n=1)).click().run()
    assert "nombre entier" in at.error[0].value or "négatif" in at.error[0].value
    assert at.text_input(key="dep_yes").value == typed  # what was typed is kept
    with engine.connect() as conn:
        assert conn.execute(select(BallotCount).where(BallotCount.ballot_id == bid)).first() is None


def test_figures_typed_in_this_browser_are_not_left_for_the_next_account(closed):
    """A shared tablet at the count: what one account typed is not in the fields for the next one."""
    at = open_page("landlord", "depouillement")
    at.text_input(key="dep_yes").input("41")
    at.text_input(key="dep_no").input("16")
    at.button(key=SUBMIT.format(n=1)).click().run()  # refused (lines missing): the figures stay
    assert [at.text_input(key=f"dep_{k}").value for k in ("yes", "no")] == ["41", "16"]
    # Another account logs in on the same browser session.
    from ihs.users import actor_for

    at.session_state["username"] = at.session_state["name"] = "coordination"
    at.session_state["roles"] = ["coordinator"]
    at.session_state["actor"] = actor_for(closed[0], "coordination")  # what app.py sets (AppTest may skip it)
    at.run()
    assert not at.exception
    assert [at.text_input(key=f"dep_{k}").value for k in ("yes", "no")] == ["", ""]


def test_a_busy_database_gets_the_french_message_and_the_count_stays_typed(closed, monkeypatch):
    """Ballot week's busiest form: a locked database is a French message, not a raw exception."""
    from sqlalchemy.exc import OperationalError

    from ihs.ui.forms import DB_FAILED

    def locked(*args, **kwargs):
        raise OperationalError("INSERT INTO ballot_count", {}, Exception("database is locked"))

    engine, bid = closed
    monkeypatch.setattr("ihs.ballots.enter_count", locked)
    at = open_page("landlord", "depouillement")
    for key, value in (("yes", "42"), ("no", "15"), ("blank", "2"), ("void", "1"), ("in_box", "60")):
        at.text_input(key=f"dep_{key}").input(value)
    at.button(key=SUBMIT.format(n=1)).click().run()
    assert not at.exception
    assert DB_FAILED in [e.value for e in at.error]
    assert at.text_input(key="dep_yes").value == "42"
    with engine.connect() as conn:
        assert conn.execute(select(BallotCount).where(BallotCount.ballot_id == bid)).first() is None
