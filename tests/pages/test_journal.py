"""Journal des modifications: the coordinator filters the audit log by user, table and date."""

from dataclasses import replace
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from sqlalchemy import select

from ihs.db import session_scope
from ihs.events import EventEntry, delete_event, event_entry, record_event, update_event
from ihs.models import Sector
from ihs.users import actor_for
from tests.apptest import open_page, texts


def _history(engine, day: date = date(2026, 11, 20)) -> int:
    partner = actor_for(engine, "partenaire")
    with engine.connect() as conn:
        sector = conn.execute(select(Sector.id).where(Sector.code == "bellevue-kergoat")).scalar_one()
    with session_scope("partenaire", engine=engine) as s:
        (ev,) = record_event(s, partner, EventEntry(kind="dropin", sector_ids=[sector], day=day, start_time=time(14)))
    with session_scope("partenaire", engine=engine) as s:
        update_event(s, partner, ev.id, replace(event_entry(s, ev.id), attendance="4"))
    with session_scope("partenaire", engine=engine) as s:
        delete_event(s, partner, ev.id, "Doublon")
    return ev.id


def test_create_update_delete_are_listed_with_filters(app_db):
    ev_id = _history(app_db)
    at = open_page("coordinator", "journal")
    assert not at.exception
    at.selectbox(key="jr_user").select("partenaire").run()
    at.selectbox(key="jr_table").select("event").run()
    df = at.dataframe[0].value
    assert list(df["Action"]) == ["suppression", "modification", "création"]
    assert set(df["Ligne"]) == {str(ev_id)} and set(df["Qui"]) == {"partenaire"}
    assert df.iloc[0]["Raison"] == "Doublon"
    assert "attendance : – → 4" in df.iloc[1]["Changements"]
    # A period with nothing in it.
    at.text_input(key="jr_start").input("01/01/2012")
    at.text_input(key="jr_end").input("31/01/2012").run()
    assert "Aucune modification" in texts(at)


def test_password_hashes_never_appear(app_db):
    at = open_page("coordinator", "journal")
    at.selectbox(key="jr_table").select("app_user").run() if "app_user" in at.selectbox(
        key="jr_table"
    ).options else None
    assert "$2b$" not in texts(at)
    for frame in at.dataframe:
        assert "$2b$" not in frame.value.to_string()


@pytest.mark.parametrize("pinned", ["2026-11-27", None], ids=["IHS_TODAY", "real-date"])
def test_an_entry_made_a_minute_ago_is_listed_at_its_local_time(app_db_any, monkeypatch, pinned):
    """Written at 13:14 Paris time (12:14 UTC), read a minute later: listed first, « 13:14 », on each backend."""
    monkeypatch.delenv("IHS_TIMEZONE", raising=False)
    if pinned:
        monkeypatch.setenv("IHS_TODAY", pinned)
    else:
        monkeypatch.delenv("IHS_TODAY")
    day = "27/11/2026" if pinned else "03/12/2026"
    with time_machine.travel(datetime(2026, 12, 3, 12, 14, 30, tzinfo=UTC), tick=False):
        ev_id = _history(app_db_any, day=date(2026, 11, 20))
    with time_machine.travel(datetime(2026, 12, 3, 12, 15, 30, tzinfo=UTC), tick=False):
        at = open_page("coordinator", "journal")
    assert not at.exception
    first = at.dataframe[0].value.iloc[0]
    assert (first["Quand"], first["Qui"], first["Action"], first["Ligne"]) == (
        f"{day} 13:14",
        "partenaire",
        "suppression",
        str(ev_id),
    )


def test_a_filter_date_typed_wrong_is_said_in_french(app_db):
    at = open_page("coordinator", "journal")
    at.text_input(key="jr_start").input("31/02/2026").run()
    assert "Le 31/02/2026 n'existe pas" in at.error[0].value
    assert not at.dataframe and at.text_input(key="jr_start").value == "31/02/2026"
