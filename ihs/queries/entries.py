"""« Mes saisies » (what a user entered) and the coordinator's audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Engine, Select, func, select

from ihs.formats import fr_eur, fr_int
from ihs.models import VISIT_FIGURES, AuditLog, Event, MoveIn, Sector, SubscriberCount, Visit
from ihs.queries.calendar import event_sector_names
from ihs.vocab import DROPIN_TOPICS, EVENT_KINDS, EVENT_SUBKINDS, VISIT_KINDS

TABLE_LABELS = {
    "event": "Événements",
    "event_series": "Séries d'événements",
    "visit": "Visites et accompagnement",
    "subscriber_count": "Abonnés",
    "move_in": "Emménagements",
    "app_user": "Utilisateurs",
}
ACTION_LABELS = {
    "create": "création",
    "update": "modification",
    "delete": "suppression",
    "purge": "effacement",
    "demo_load": "chargement de la démo",
}


def _own_entries(
    db: Engine, stmt: Select, model: type[Event] | type[Visit], day, username: str, include_deleted: bool, limit: int
) -> pd.DataFrame:
    """What « Mes saisies » lists of one kind of entry: `stmt`'s rows that `username` created, with
    their deletion (deleted_at, deleted_reason), the `limit` latest by `day` (deleted ones only
    with `include_deleted`)."""
    stmt = (
        stmt.add_columns(model.deleted_at, model.deleted_reason)
        .where(model.created_by == username)
        .order_by(day.desc(), model.id.desc())
        .limit(limit)
    )
    if not include_deleted:
        stmt = stmt.where(model.deleted_at.is_(None))
    with db.connect() as conn:
        return pd.read_sql(stmt, conn)


def my_events(db: Engine, username: str, *, include_deleted: bool = False, limit: int = 200) -> pd.DataFrame:
    """Events the user created, newest first, with their sectors' names."""
    sectors = event_sector_names()
    stmt = select(
        Event.id,
        Event.kind,
        Event.subkind,
        Event.title,
        Event.starts_at,
        Event.place,
        Event.attendance,
        Event.reach,
        Event.notes,
        Event.organiser_id,
        sectors.c.sectors,
    ).outerjoin(sectors, sectors.c.event_id == Event.id)
    df = _own_entries(db, stmt, Event, Event.starts_at, username, include_deleted, limit)
    df["what"] = [
        EVENT_SUBKINDS.get(k, {}).get(sk) or EVENT_KINDS.get(k, k)
        for k, sk in zip(df["kind"], df["subkind"], strict=True)
    ]
    return df


def _visit_figures(row) -> str:
    kind = row["kind"]
    if kind == "door_to_door":
        text = f"{fr_int(row['doors_knocked'])} portes frappées, {fr_int(row['doors_answered'])} ouvertes"
        if pd.notna(row["documents_left"]):
            text += f", {fr_int(row['documents_left'])} documents laissés"
        return text
    if kind == "dropin":
        topics = ", ".join(DROPIN_TOPICS.get(t, t) for t in (row["topics"] or "").split(",") if t)
        return f"{fr_int(row['people_seen'])} personnes reçues" + (f" ({topics})" if topics else "")
    if kind == "legal":
        return f"{fr_int(row['offers_compared'])} offres comparées, {fr_int(row['contracts_terminated'])} résiliations"
    if kind == "equipment":
        amount = fr_eur(float(row["amount_eur"])) if pd.notna(row["amount_eur"]) else "–"
        return f"{fr_int(row['computers_sold'])} ordinateurs vendus ({amount})"
    return ""


def my_visits(db: Engine, username: str, *, include_deleted: bool = False, limit: int = 200) -> pd.DataFrame:
    """Visits the user recorded, newest first, with a French summary of the figures."""
    stmt = select(
        Visit.id,
        Visit.kind,
        Visit.occurred_on,
        Visit.sector_id,
        Sector.name.label("sector"),
        *(getattr(Visit, figure) for figure in VISIT_FIGURES),
        Visit.notes,
    ).join(Sector, Sector.id == Visit.sector_id)
    df = _own_entries(db, stmt, Visit, Visit.occurred_on, username, include_deleted, limit)
    df["what"] = [VISIT_KINDS.get(k, k) for k in df["kind"]]
    df["figures"] = [_visit_figures(r) for _, r in df.iterrows()] if len(df) else []
    return df


def my_imports(db: Engine, username: str) -> pd.DataFrame:
    """Rows the user imported, by file: table, source, rows, first and last date."""
    frames = []
    for table, model, day in (
        ("subscriber_count", SubscriberCount, SubscriberCount.as_of),
        ("move_in", MoveIn, MoveIn.month),
    ):
        stmt = (
            select(
                model.source,
                func.count().label("rows"),
                func.min(day).label("first"),
                func.max(day).label("last"),
            )
            .where(model.created_by == username)
            .group_by(model.source)
            .order_by(model.source)
        )
        with db.connect() as conn:
            df = pd.read_sql(stmt, conn)
        df.insert(0, "table", TABLE_LABELS[table])
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def audit_log(
    db: Engine,
    username: str | None = None,
    table: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = 500,
) -> pd.DataFrame:
    """The audit log, newest first, filtered by user, table and date (inclusive)."""
    stmt = select(
        AuditLog.at,
        AuditLog.username,
        AuditLog.action,
        AuditLog.table_name,
        AuditLog.row_id,
        AuditLog.before,
        AuditLog.after,
        AuditLog.reason,
    ).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if username:
        stmt = stmt.where(AuditLog.username == username)
    if table:
        stmt = stmt.where(AuditLog.table_name == table)
    if start:
        stmt = stmt.where(AuditLog.at >= datetime.combine(start, time.min))
    if end:
        stmt = stmt.where(AuditLog.at < datetime.combine(end + timedelta(days=1), time.min))
    with db.connect() as conn:
        rows = conn.execute(stmt.limit(limit)).all()
    return pd.DataFrame(
        [
            {
                "at": r.at,
                "username": r.username,
                "action": r.action,
                "table_name": r.table_name,
                "row_id": r.row_id,
                "changes": _changes(r.before, r.after),
                "reason": r.reason,
            }
            for r in rows
        ],
        columns=["at", "username", "action", "table_name", "row_id", "changes", "reason"],
    )


def _short(value) -> str:
    text = "–" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _changes(before: dict | None, after: dict | None) -> str:
    """« champ : avant → après » for an update; the new values for a creation."""
    before, after = before or {}, after or {}
    if before and after:
        return " ; ".join(f"{k} : {_short(before.get(k))} → {_short(v)}" for k, v in after.items())
    values = after or before
    return " ; ".join(f"{k} : {_short(v)}" for k, v in values.items() if v not in (None, "") and k != "id")


def audit_filters(db: Engine) -> tuple[list[str], list[str]]:
    """Users and tables that appear in the audit log, for the filters."""
    with db.connect() as conn:
        users = list(conn.execute(select(AuditLog.username).distinct().order_by(AuditLog.username)).scalars())
        tables = list(conn.execute(select(AuditLog.table_name).distinct().order_by(AuditLog.table_name)).scalars())
    return users, tables
