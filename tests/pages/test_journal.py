"""Journal des modifications: the coordinator filters the audit log by user, table and date."""

from datetime import date, time

from sqlalchemy import select

from ihs.db import session_scope
from ihs.events import delete_event, record_event, update_event
from ihs.models import Sector
from ihs.users import actor_for
from tests.apptest import open_page, texts


def _history(engine) -> int:
    partner = actor_for(engine, "partenaire")
    with engine.connect() as conn:
        sector = conn.execute(select(Sector.id).where(Sector.code == "bellevue-kergoat")).scalar_one()
    with session_scope("partenaire", engine=engine) as s:
        (ev,) = record_event(
            s, partner, kind="dropin", sector_ids=[sector], day=date(2026, 11, 20), start_time=time(14)
        )
    with session_scope("partenaire", engine=engine) as s:
        update_event(s, partner, ev.id, attendance="4")
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
    at.date_input(key="jr_start").set_value(date(2012, 1, 1))
    at.date_input(key="jr_end").set_value(date(2012, 1, 31)).run()
    assert "Aucune modification" in texts(at)


def test_password_hashes_never_appear(app_db):
    at = open_page("coordinator", "journal")
    at.selectbox(key="jr_table").select("app_user").run() if "app_user" in at.selectbox(
        key="jr_table"
    ).options else None
    assert "$2b$" not in texts(at)
    for frame in at.dataframe:
        assert "$2b$" not in frame.value.to_string()
