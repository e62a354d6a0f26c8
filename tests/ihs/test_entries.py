"""« Mes saisies » and the audit log query."""

from datetime import date, time, timedelta

from sqlalchemy import select

from ihs import clock
from ihs.db import session_scope
from ihs.events import EventEntry, delete_event, record_event
from ihs.imports import apply_import, preview_import
from ihs.models import Sector
from ihs.queries.entries import audit_filters, audit_log, my_events, my_imports, my_visits
from ihs.users import actor_for
from ihs.visits import VisitEntry, record_visit
from tests.conftest import TODAY


def _sector(engine, code="bellevue-kergoat") -> int:
    with engine.connect() as conn:
        return conn.execute(select(Sector.id).where(Sector.code == code)).scalar_one()


def _seed(engine):
    partner = actor_for(engine, "partenaire")
    with session_scope("partenaire", engine=engine) as s:
        (kept,) = record_event(
            s,
            partner,
            EventEntry(kind="dropin", sector_ids=[_sector(engine)], day=TODAY, start_time=time(14), attendance=4),
        )
        (gone,) = record_event(
            s,
            partner,
            EventEntry(
                kind="information", subkind="flyer", sector_ids=[_sector(engine)], day=TODAY, start_time=time(9)
            ),
        )
        record_visit(s, partner, VisitEntry(kind="door_to_door", sector_id=_sector(engine), occurred_on=TODAY, doors_knocked=50, doors_answered=20, documents_left=50))  # fmt: skip
        ids = kept.id, gone.id
    with session_scope("partenaire", engine=engine) as s:
        delete_event(s, partner, ids[1], "Doublon")
    return ids


def test_my_entries_show_only_my_rows(engine):
    kept, gone = _seed(engine)
    events = my_events(engine, "partenaire")
    assert list(events["id"]) == [kept]
    assert events.loc[0, "what"] == "Permanence" and events.loc[0, "sectors"] == "Bellevue Kergoat"
    with_deleted = my_events(engine, "partenaire", include_deleted=True)
    assert set(with_deleted["id"]) == {kept, gone}
    assert with_deleted.set_index("id").loc[gone, "deleted_reason"] == "Doublon"
    visits = my_visits(engine, "partenaire")
    assert len(visits) == 1
    assert visits.loc[0, "figures"] == "50 portes frappées, 20 ouvertes, 50 documents laissés"
    assert my_events(engine, "bailleur").empty


def test_my_imports_by_file(engine):
    op = actor_for(engine, "operateur")
    data = "Secteur;Date;Abonnés\nKeredern;20/11/2026;200\nKerourien;20/11/2026;100\n".encode()
    with session_scope("operateur", engine=engine) as s:
        apply_import(s, op, preview_import(engine, op, "subscribers", "novembre.csv", data, today=TODAY))
    df = my_imports(engine, "operateur")
    row = df[df["source"] == "Import novembre.csv"].iloc[0]
    assert row["rows"] == 2 and row["table"] == "Abonnés"


def test_audit_log_filters(engine):
    _kept, gone = _seed(engine)
    log = audit_log(engine, username="partenaire", table="event")
    assert set(log["action"]) == {"create", "delete"}
    deleted = log[log["action"] == "delete"].iloc[0]
    assert deleted["row_id"] == str(gone) and deleted["reason"] == "Doublon"
    assert "deleted_reason : – → Doublon" in deleted["changes"]
    assert audit_log(engine, username="partenaire", table="visit")["action"].tolist() == ["create"]
    # Entries are audited at ihs.clock's "now"; a window far in the past is empty.
    assert audit_log(engine, start=date(2010, 1, 1), end=date(2010, 12, 31)).empty
    today = clock.today()
    assert len(audit_log(engine, username="partenaire", start=today - timedelta(days=1), end=today)) == 4
    users, tables = audit_filters(engine)
    assert "partenaire" in users and {"event", "visit"} <= set(tables)


def test_audit_never_shows_a_password_hash(engine):
    from ihs.users import SYSTEM, add_user, reset_password

    with session_scope("coordination", engine=engine) as s:
        add_user(s, SYSTEM, username="nina", name="Nina", role="viewer", password="mot-de-passe-1", rounds=4)
    with session_scope("coordination", engine=engine) as s:
        reset_password(s, SYSTEM, "nina", "mot-de-passe-2", rounds=4)
    text = audit_log(engine, table="app_user").to_string()
    assert "$2b$" not in text and "***" in text
