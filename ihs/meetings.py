"""Steering-committee meetings: the figures they freeze and the decisions they take.

Opening a meeting stores a snapshot of the key figures "as of" the frozen date, so that every
screen shows the same numbers for the whole meeting, even if someone enters back-dated data
(a late subscriber count, say) while it is open.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ihs import clock
from ihs.formats import fr_date
from ihs.models import Decision, Meeting, Sector
from ihs.queries.overview import summary
from ihs.queries.sectors import sector_status
from ihs.users import Actor, require
from ihs.validation import ValidationError, check_date

TITLE_MAX = 200
TEXT_MAX = 2000
OWNER_MAX = 200


# ---- reads


def active_freeze(db: Engine) -> date | None:
    """The "as of" date frozen by the open meeting, if a meeting is open."""
    with db.connect() as conn:
        return conn.execute(
            select(Meeting.frozen_as_of)
            .where(Meeting.is_open.is_(True), Meeting.frozen_as_of.is_not(None))
            .order_by(Meeting.id.desc())
            .limit(1)
        ).scalar_one_or_none()


def active_meeting(db: Engine) -> dict | None:
    """The open meeting (id, title, held_on, frozen_as_of), or None."""
    stmt = (
        select(Meeting.id, Meeting.title, Meeting.held_on, Meeting.frozen_as_of)
        .where(Meeting.is_open.is_(True))
        .order_by(Meeting.id.desc())
        .limit(1)
    )
    with db.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def frozen_summary(db: Engine) -> dict | None:
    """The key figures stored when the open meeting froze them (same keys as `summary`), or None.

    Pages showing key figures use it instead of `summary(db, as_of)` while a meeting is open,
    so figures entered later with an earlier date do not change what the committee discusses.
    """
    stmt = (
        select(Meeting.snapshot)
        .where(Meeting.is_open.is_(True), Meeting.frozen_as_of.is_not(None))
        .order_by(Meeting.id.desc())
        .limit(1)
    )
    with db.connect() as conn:
        snap = conn.execute(stmt).scalar_one_or_none()
    if not snap or "summary" not in snap:
        return None
    return dict(snap["summary"])


def meetings(db: Engine, limit: int = 20) -> pd.DataFrame:
    """Latest meetings first: id, held_on, title, frozen_as_of, is_open, decisions."""
    n = select(Decision.meeting_id, func.count().label("decisions")).group_by(Decision.meeting_id).subquery()
    stmt = (
        select(
            Meeting.id,
            Meeting.held_on,
            Meeting.title,
            Meeting.frozen_as_of,
            Meeting.is_open,
            func.coalesce(n.c.decisions, 0).label("decisions"),
        )
        .outerjoin(n, n.c.meeting_id == Meeting.id)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        .limit(limit)
    )
    with db.connect() as conn:
        return pd.read_sql(stmt, conn)


def decisions(
    db: Engine,
    *,
    meeting_id: int | None = None,
    before_meeting_id: int | None = None,
    sector_id: int | None = None,
    open_only: bool = False,
    taken_by: date | None = None,
) -> pd.DataFrame:
    """Decisions with their meeting and sector: id, meeting_id, held_on, meeting, sector_id, sector,
    text, owner, due_on, done. `before_meeting_id` keeps those of earlier meetings (the follow-up
    list at the next meeting); `sector_id` those about one sector (the sector page); `taken_by`
    those of meetings held by that date (and decisions recorded outside a meeting)."""
    stmt = (
        select(
            Decision.id,
            Decision.meeting_id,
            Meeting.held_on,
            Meeting.title.label("meeting"),
            Decision.sector_id,
            Sector.name.label("sector"),
            Decision.text,
            Decision.owner,
            Decision.due_on,
            Decision.done,
        )
        .outerjoin(Meeting, Meeting.id == Decision.meeting_id)
        .outerjoin(Sector, Sector.id == Decision.sector_id)
        .order_by(Decision.due_on.is_(None), Decision.due_on, Decision.id)
    )
    if meeting_id is not None:
        stmt = stmt.where(Decision.meeting_id == meeting_id)
    if before_meeting_id is not None:
        stmt = stmt.where(Decision.meeting_id < before_meeting_id)
    if sector_id is not None:
        stmt = stmt.where(Decision.sector_id == sector_id)
    if open_only:
        stmt = stmt.where(Decision.done.is_(False))
    if taken_by is not None:
        stmt = stmt.where(Meeting.held_on.is_(None) | (Meeting.held_on <= taken_by))
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    for col in ("held_on", "due_on"):
        df[col] = pd.to_datetime(df[col]).dt.date
    df["done"] = df["done"].astype(bool)
    return df


def _fr_date(value) -> str:
    return "–" if value is None or pd.isna(value) else fr_date(value)


def decisions_display(df: pd.DataFrame) -> pd.DataFrame:
    """Decisions as the pages show them: French headers and formats."""
    return pd.DataFrame(
        {
            "Échéance": [_fr_date(d) for d in df["due_on"]],
            "Décision": df["text"],
            "Secteur": df["sector"].fillna("Tout le dispositif"),
            "Responsable": df["owner"].fillna("–"),
            "Séance": [
                f"{_fr_date(d)} – {t}" if isinstance(t, str) else "–"
                for d, t in zip(df["held_on"], df["meeting"], strict=True)
            ],
            "État": df["done"].map({True: "faite", False: "à faire"}),
        }
    )


def decision_sector_choices(db: Engine) -> dict[int, str]:
    """Sector ids and names, for the decision form."""
    with db.connect() as conn:
        return dict(conn.execute(select(Sector.id, Sector.name).order_by(Sector.name)).all())


# ---- snapshot


def take_snapshot(db: Engine, as_of: date) -> dict:
    """The figures a meeting freezes: the summary and each sector's line, as plain JSON."""
    status = sector_status(db, as_of)
    sectors = [
        {
            "sector_id": int(r.sector_id),
            "code": r.code,
            "name": r.name,
            "stage": r.stage,
            "dwellings": None if pd.isna(r.dwellings) else int(r.dwellings),
            "subscribers": None if pd.isna(r.subscribers) else int(r.subscribers),
            "uptake": None if pd.isna(r.uptake) else round(float(r.uptake), 4),
        }
        for r in status.itertuples()
    ]
    return {"summary": summary(db, as_of), "sectors": sectors, "taken_at": clock.now().isoformat(timespec="seconds")}


# ---- writes


def _clean(value: str | None) -> str:
    return (value or "").strip()


def open_meeting(
    session: Session, actor: Actor, *, title: str, held_on: date | str, frozen_as_of: date | str
) -> Meeting:
    """Open a meeting and freeze the figures as of `frozen_as_of` (coordinator only)."""
    require(actor, "meetings", session)
    errors: dict[str, str] = {}
    title = _clean(title)
    if not title:
        errors["title"] = "Donnez un intitulé à la séance (par exemple « Comité de pilotage de mars »)."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"L'intitulé est trop long ({TITLE_MAX} caractères au plus)."
    today = clock.today()
    held_on = check_date(errors, "held_on", held_on, today=today, missing="Indiquez la date de la séance.")
    frozen_as_of = check_date(
        errors,
        "frozen_as_of",
        frozen_as_of,
        today=today,
        future=False,
        missing="Indiquez la date à laquelle les chiffres sont arrêtés.",
    )
    already = session.execute(select(Meeting.title).where(Meeting.is_open.is_(True)).limit(1)).scalar_one_or_none()
    if already is not None:
        errors["meeting"] = f"Une séance est déjà ouverte (« {already} ») : clôturez-la d'abord."
    if errors:
        raise ValidationError(errors)
    snapshot = take_snapshot(session.get_bind(), frozen_as_of)
    meeting = Meeting(
        title=title,
        held_on=held_on,
        frozen_as_of=frozen_as_of,
        is_open=True,
        snapshot=snapshot,
        created_by=actor.username,
    )
    session.add(meeting)
    session.flush()
    return meeting


def close_meeting(session: Session, actor: Actor, meeting_id: int) -> None:
    """Close the meeting: the dashboards go back to today's figures (the snapshot is kept)."""
    require(actor, "meetings", session)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not meeting.is_open:
        raise ValidationError({"meeting": "Cette séance n'est pas ouverte."})
    meeting.is_open = False
    session.flush()


def record_decision(
    session: Session,
    actor: Actor,
    *,
    meeting_id: int,
    text: str,
    sector_id: int | None = None,
    owner: str | None = None,
    due_on: date | str | None = None,
) -> Decision:
    """Record a decision taken at a meeting (coordinator only)."""
    require(actor, "meetings", session)
    errors: dict[str, str] = {}
    text, owner = _clean(text), _clean(owner)
    meeting = session.get(Meeting, meeting_id) if meeting_id else None
    if meeting is None:
        errors["meeting"] = "Choisissez la séance où la décision a été prise."
    if not text:
        errors["text"] = "Écrivez la décision prise."
    elif len(text) > TEXT_MAX:
        errors["text"] = f"Le texte est trop long ({TEXT_MAX} caractères au plus)."
    if len(owner) > OWNER_MAX:
        errors["owner"] = f"Le nom du responsable est trop long ({OWNER_MAX} caractères au plus)."
    if sector_id is not None and session.get(Sector, sector_id) is None:
        errors["sector"] = "Ce secteur n'existe pas."
    due_on = check_date(errors, "due_on", due_on, today=clock.today(), required=False)
    if due_on is not None and meeting is not None and due_on < meeting.held_on:
        errors["due_on"] = "L'échéance ne peut pas précéder la date de la séance."
    if errors:
        raise ValidationError(errors)
    decision = Decision(
        meeting_id=meeting_id,
        sector_id=sector_id,
        text=text,
        owner=owner or None,
        due_on=due_on,
        done=False,
        created_by=actor.username,
        created_at=clock.now(),
    )
    session.add(decision)
    session.flush()
    return decision


def set_decision_done(session: Session, actor: Actor, decision_id: int, done: bool = True) -> None:
    """Mark a decision as done (or not done again)."""
    require(actor, "meetings", session)
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise ValidationError({"decision": "Cette décision n'existe pas."})
    decision.done = done
    session.flush()


def sector_decisions(db: Engine, sector_id: int, as_of: date) -> pd.DataFrame:
    """Decisions about one sector taken by `as_of` (the sector page), open ones first by due date.

    Columns as `decisions`; a meeting held after `as_of` had not yet taken its decisions."""
    df = decisions(db, sector_id=sector_id, taken_by=as_of)
    return df.sort_values(["done", "due_on"], na_position="last", kind="stable").reset_index(drop=True)
