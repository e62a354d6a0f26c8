"""The tenants' ballot: setting it up, turnout reports, the double-entry count, locking, the outcome.

Integrity follows election tally tools (Abacus, Tally-Ho): the count must reconcile, be entered
twice by two people, agree before validation, and be locked by the coordinator; unlocking needs a
reason. Anonymity: only counts are stored, never who voted or how.

Write functions take the session of one user action (`ihs.db.session_scope`, which audits every
flush) and an `Actor`; they raise `ValidationError` with French messages keyed by field and write
nothing when any field is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy import BindParameter, Row, Select, Subquery, and_, bindparam, func, select
from sqlalchemy.orm import Session

from ihs import clock
from ihs.formats import fr_datetime, fr_int, fr_pct
from ihs.models import (
    Ballot,
    BallotCount,
    Deployment,
    DeploymentStage,
    Organisation,
    PollingPlace,
    Sector,
    SectorDwellings,
    TurnoutReport,
)
from ihs.planning import after_ballot
from ihs.programme import get_setting
from ihs.users import Actor, require
from ihs.validation import (
    MAX_REASON,
    ValidationError,
    WarningsNotAcknowledged,
    check_date,
    clean_text,
    parse_int,
    whole_number,
)
from ihs.vocab import ADOPTION_RULES, POLLING_PLACE_KINDS

COUNT_FIELDS = ("yes", "no", "blank", "void", "in_box")
COUNT_LABELS = {"yes": "Oui", "no": "Non", "blank": "Blancs", "void": "Nuls", "in_box": "Bulletins dans l'urne"}
# Statuses after which the count exists; before them the phase follows the clock.
COUNTED_STATUSES = ("counted", "validated", "locked")
# Statuses of a finished ballot: its count is checked and its outcome official.
FINISHED_STATUSES = ("validated", "locked")
MAX_PLACE_NAME = 200  # polling_place.name
OPENS_AT = time(9, 0)
CLOSES_AT = time(18, 0)


class CountMismatch(ValueError):
    """Entries 1 and 2 differ: `differences` lists them side by side."""

    def __init__(self, differences: list[dict]):
        super().__init__("Les deux saisies du dépouillement ne concordent pas.")
        self.differences = differences


# ---------------------------------------------------------------- parsing


def _count_value(errors: dict, key: str, value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[key] = "Indiquez un nombre entier (0 s'il n'y en a pas)."
        return None
    return parse_int(errors, key, value)


def _ballot(session: Session, ballot_id: int) -> Ballot:
    ballot = session.get(Ballot, ballot_id)
    if ballot is None:
        raise ValidationError({"ballot": "Scrutin introuvable."})
    return ballot


def phase_of(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> str:
    """planned / open / closed by the clock, then counted / validated / locked (vocab.BALLOT_STATUSES)."""
    if status in COUNTED_STATUSES:
        return status
    if now < opens_at:
        return "planned"
    return "open" if now <= closes_at else "closed"


def polling_started(opens_at: datetime, closes_at: datetime, now: datetime) -> datetime | None:
    """When today's polling began, if `now` is within a polling day's hours: a ballot of several
    days opens each day at its opening time and closes at its closing time. None outside them."""
    if not opens_at <= now <= closes_at:
        return None
    start = datetime.combine(now.date(), opens_at.time())
    return start if start <= now <= datetime.combine(now.date(), closes_at.time()) else None


def duration_text(delta: timedelta | None) -> str:
    """French short duration: "1 j 6 h", "3 h 20 min", "12 min"."""
    if delta is None:
        return "–"
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} j {hours} h"
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


# ---------------------------------------------------------------- set-up


def registered_default(session: Session, sector_id: int, on: date) -> int | None:
    """The sector's dwellings valid on `on`: one vote per dwelling."""
    return session.execute(
        select(SectorDwellings.dwellings)
        .where(SectorDwellings.sector_id == sector_id, SectorDwellings.valid_from <= on)
        .order_by(SectorDwellings.valid_from.desc())
        .limit(1)
    ).scalar_one_or_none()


def default_places(session: Session, sector_id: int) -> list[dict[str, str]]:
    """The usual polling places (domain.md): facility, landlord's office, caretakers, mairie de quartier."""
    sector = session.get(Sector, sector_id)
    facility = sector.facility.name if sector and sector.facility else "Équipement de quartier"
    landlord = None
    if sector and sector.landlord_id:
        org = session.get(Organisation, sector.landlord_id)
        landlord = org.short_name or org.name
    return [
        {"name": facility, "kind": "facility"},
        {"name": f"Agence {landlord} du secteur" if landlord else "Agence du bailleur", "kind": "landlord_office"},
        {"name": "Loge des gardiens", "kind": "caretaker"},
        {"name": "Mairie de quartier", "kind": "town_hall"},
    ]


def ballot_defaults(session: Session, sector_id: int, opens_on: date) -> dict:
    """What the set-up form starts from: one week (setting), dwellings of that date, usual places."""
    days = int(get_setting(session, "pipeline.ballot_days"))
    return {
        "opens_at": datetime.combine(opens_on, OPENS_AT),
        "closes_at": datetime.combine(opens_on + timedelta(days=max(days - 1, 0)), CLOSES_AT),
        "registered": registered_default(session, sector_id, opens_on),
        "places": default_places(session, sector_id),
        "rule": "majority_of_votes",
        "quorum_pct": None,
    }


def _clean_places(errors: dict, places: list) -> list[dict[str, str]]:
    cleaned = []
    for p in places or []:
        if isinstance(p, str):
            p = {"name": p, "kind": "other"}
        name = clean_text(errors, "places", p.get("name"), max_len=MAX_PLACE_NAME)
        if not name:
            continue
        kind = p.get("kind") if p.get("kind") in POLLING_PLACE_KINDS else "other"
        cleaned.append({"name": name, "kind": kind})
    names = [p["name"].casefold() for p in cleaned]
    if "places" in errors:
        errors["places"] = f"Nom de bureau de vote trop long : {MAX_PLACE_NAME} caractères au plus."
    elif not cleaned:
        errors["places"] = "Indiquez au moins un bureau de vote."
    elif len(set(names)) < len(names):
        errors["places"] = "Deux bureaux de vote portent le même nom."
    return cleaned


def _moment(errors: dict, key: str, value: Any) -> datetime | None:
    """A datetime, or a (day, time) pair whose day may be typed JJ/MM/AAAA, checked in French."""
    if not isinstance(value, tuple):
        return value if isinstance(value, datetime) else None
    day, at = value
    found: dict[str, str] = {}
    chosen = check_date(found, key, day, today=clock.today())
    if found:
        errors[key] = found[key]
        return None
    return datetime.combine(chosen, at) if isinstance(at, time) else None


def _ballot_to_set_up(
    session: Session, errors: dict[str, str], sector_id: int, ballot_id: int | None
) -> tuple[int | None, Ballot | None]:
    """The sector's current deployment and the ballot being edited (None for a new one); a message
    under « sector » when there is no deployment, or its ballot exists or has started."""
    deployment_id = session.execute(
        select(func.max(Deployment.id)).where(Deployment.sector_id == sector_id)
    ).scalar_one_or_none()
    if deployment_id is None:
        errors["sector"] = "Ce secteur n'a pas de déploiement : planifiez-le d'abord."
    ballot = session.get(Ballot, ballot_id) if ballot_id else None
    if ballot_id and ballot is None:
        errors["sector"] = "Scrutin introuvable."
    if ballot is not None:
        has_reports = session.execute(select(TurnoutReport.id).where(TurnoutReport.ballot_id == ballot.id).limit(1))
        if has_reports.first() or ballot.status in COUNTED_STATUSES:
            errors["sector"] = "Ce scrutin a déjà commencé : il ne peut plus être modifié."
    elif deployment_id is not None:
        existing = session.execute(select(Ballot.id).where(Ballot.deployment_id == deployment_id)).first()
        if existing:
            errors["sector"] = "Le déploiement en cours de ce secteur a déjà un scrutin."
    return deployment_id, ballot


def _opening_and_close(errors: dict[str, str], opens_at: Any, closes_at: Any) -> tuple[Any, Any]:
    """The ballot's opening and close as moments, the close after the opening."""
    opens_at = _moment(errors, "opens_at", opens_at)
    closes_at = _moment(errors, "closes_at", closes_at)
    if not isinstance(opens_at, datetime):
        errors.setdefault("opens_at", "Indiquez la date et l'heure d'ouverture.")
    if not isinstance(closes_at, datetime):
        errors.setdefault("closes_at", "Indiquez la date et l'heure de clôture.")
    elif isinstance(opens_at, datetime) and closes_at <= opens_at:
        errors["closes_at"] = "La clôture doit suivre l'ouverture."
    return opens_at, closes_at


def _registered(session: Session, errors: dict[str, str], sector_id: int, registered: Any, opens_at: Any) -> int | None:
    """The registered dwellings: a positive whole number, never more than the sector's dwellings."""
    n_registered = whole_number(registered)
    if n_registered is None or n_registered <= 0:
        errors["registered"] = (
            "Indiquez le nombre de logements inscrits : un nombre entier positif, sans virgule ni point."
        )
    elif isinstance(opens_at, datetime):
        # One vote per dwelling: never more registered than the sector has dwellings.
        dwellings = registered_default(session, sector_id, opens_at.date())
        if dwellings is not None and n_registered > dwellings:
            errors["registered"] = (
                f"Plus de logements inscrits ({fr_int(n_registered)}) que de logements dans le secteur "
                f"({fr_int(dwellings)} au {opens_at:%d/%m/%Y}) : un seul vote par logement."
            )
    return n_registered


def _rule(errors: dict[str, str], rule: str, quorum_pct: Any) -> float | None:
    """The adoption rule checked, and the quorum (a percentage) when the rule has one."""
    if rule not in ADOPTION_RULES:
        errors["rule"] = "Règle d'adoption inconnue."
    if rule != "quorum":
        return None
    try:
        pct = float(str(quorum_pct).replace(",", "."))
    except (TypeError, ValueError):
        pct = None
    if pct is None or not 0 < pct <= 100:
        errors["quorum_pct"] = "Indiquez le quorum en pourcentage des inscrits (entre 1 et 100)."
    return pct


def setup_ballot(
    session: Session,
    actor: Actor,
    *,
    sector_id: int,
    opens_at: datetime | tuple,
    closes_at: datetime | tuple,
    registered: Any,
    places: list,
    rule: str = "majority_of_votes",
    quorum_pct: Any = None,
    ballot_id: int | None = None,
) -> Ballot:
    """Create the ballot of the sector's current deployment (or edit it while no turnout is reported)."""
    require(actor, "ballots", session)
    errors: dict[str, str] = {}
    deployment_id, ballot = _ballot_to_set_up(session, errors, sector_id, ballot_id)
    opens_at, closes_at = _opening_and_close(errors, opens_at, closes_at)
    n_registered = _registered(session, errors, sector_id, registered, opens_at)
    pct = _rule(errors, rule, quorum_pct)
    cleaned = _clean_places(errors, places)
    if errors:
        raise ValidationError(errors)
    if ballot is None:
        ballot = Ballot(deployment_id=deployment_id, sector_id=sector_id, status="planned")
        session.add(ballot)
    ballot.opens_at, ballot.closes_at = opens_at, closes_at
    ballot.registered, ballot.rule, ballot.quorum_pct = n_registered, rule, pct
    ballot.count_place = cleaned[0]["name"]
    session.flush()
    for old in session.execute(select(PollingPlace).where(PollingPlace.ballot_id == ballot.id)).scalars():
        session.delete(old)
    session.add_all(PollingPlace(ballot_id=ballot.id, **p) for p in cleaned)
    _plan_stage(session, ballot.deployment_id, "ballot", opens_at.date(), closes_at.date())
    session.flush()
    return ballot


def _plan_stage(session: Session, deployment_id: int, stage: str, start: date, end: date) -> DeploymentStage:
    row = _plan_stage_row(session, deployment_id, stage)
    row.planned_start, row.planned_end = start, end
    return row


def _record_actual(
    session: Session, deployment_id: int, stage: str, start: date | None, end: date | None = None
) -> None:
    """What actually happened: the dashboards place a sector in the pipeline by its actual dates."""
    row = _plan_stage_row(session, deployment_id, stage)
    if start is not None and row.actual_start is None:
        row.actual_start = start
    if end is not None:
        row.actual_end = end


def _plan_stage_row(session: Session, deployment_id: int, stage: str) -> DeploymentStage:
    row = session.execute(
        select(DeploymentStage).where(DeploymentStage.deployment_id == deployment_id, DeploymentStage.stage == stage)
    ).scalar_one_or_none()
    if row is None:
        row = DeploymentStage(deployment_id=deployment_id, stage=stage)
        session.add(row)
    return row


# ---------------------------------------------------------------- turnout


# Which reading of a polling place counts: the latest by time, the later entry on a tie. Readings
# are cumulative, so a ballot's turnout is the sum of its places' latest readings.
LATEST_FIRST = (TurnoutReport.reported_at.desc(), TurnoutReport.id.desc())


def latest_readings(cutoff: datetime | BindParameter, ballots: Any) -> Subquery:
    """Subquery: each polling place's latest turnout reading at `cutoff`, for the ballots `ballots`
    selects (a ballot id or a select of ids). Columns: ballot_id, place_id, voters, reported_at,
    is_correction. The reads of the dashboards use it; the write side (`latest_by_place`) seeks the
    same reading place by place."""
    ballot_filter = (
        TurnoutReport.ballot_id.in_(ballots) if isinstance(ballots, Select) else TurnoutReport.ballot_id == ballots
    )
    ranked = (
        select(
            TurnoutReport.ballot_id,
            TurnoutReport.place_id,
            TurnoutReport.voters,
            TurnoutReport.reported_at,
            TurnoutReport.is_correction,
            func.row_number()
            .over(partition_by=(TurnoutReport.ballot_id, TurnoutReport.place_id), order_by=LATEST_FIRST)
            .label("rank"),
        )
        .where(ballot_filter, TurnoutReport.reported_at <= cutoff)
        .subquery()
    )
    return (
        select(ranked.c.ballot_id, ranked.c.place_id, ranked.c.voters, ranked.c.reported_at, ranked.c.is_correction)
        .where(ranked.c.rank == 1)
        .subquery("latest")
    )


def _latest_by_place_stmt(before: bool):
    conditions = [TurnoutReport.ballot_id == bindparam("ballot_id"), TurnoutReport.place_id == PollingPlace.id]
    if before:
        conditions.append(TurnoutReport.reported_at <= bindparam("before"))
    # One index seek per polling place (ix_turnout_ballot_place_time, read backwards), not a ranking
    # of the whole ballot's reports: every new report checks against these, and a busy ballot week
    # adds hundreds (measured in docs/performance.md, "writes").
    latest = (
        select(TurnoutReport.id)
        .where(*conditions)
        .order_by(*LATEST_FIRST)
        .limit(1)
        .correlate(PollingPlace)
        .scalar_subquery()
    )
    return (
        select(TurnoutReport.id, TurnoutReport.place_id, TurnoutReport.voters, TurnoutReport.reported_at)
        .join(PollingPlace, TurnoutReport.id == latest)
        .where(PollingPlace.ballot_id == bindparam("ballot_id"))
    )


# Built once, not per reading: building a statement costs as much as running it on SQLite.
_LATEST_BY_PLACE = {before: _latest_by_place_stmt(before) for before in (False, True)}
_BALLOT_AND_PLACE = (
    select(Ballot, PollingPlace.id)
    .outerjoin(PollingPlace, and_(PollingPlace.ballot_id == Ballot.id, PollingPlace.id == bindparam("place_id")))
    .where(Ballot.id == bindparam("ballot_id"))
)


def latest_by_place(session: Session, ballot_id: int, before: datetime | None = None) -> dict[int, Row]:
    """Each place's latest report (at or before `before`): the cumulative figure that counts.

    Rows with `id`, `place_id`, `voters` and `reported_at`, not ORM objects (read-only, and cheaper).
    """
    params = {"ballot_id": ballot_id} if before is None else {"ballot_id": ballot_id, "before": before}
    return {r.place_id: r for r in session.execute(_LATEST_BY_PLACE[before is not None], params)}


def reading_time(day: Any, at: time | None, now: datetime) -> datetime:
    """When a turnout reading was made: `now`, or the time `at` on `day` (typed JJ/MM/AAAA; empty: today)."""
    errors: dict[str, str] = {}
    if at is None:
        if day is not None and str(day).strip():
            errors["reported_at"] = "Indiquez aussi l'heure du relevé (ou videz le jour)."
            raise ValidationError(errors)
        return now
    chosen = check_date(errors, "reported_at", day, today=now.date(), required=False, future=False)
    if errors:
        raise ValidationError(errors)
    return datetime.combine(chosen or now.date(), at)


def _check_jump(session: Session, ballot: Ballot, n: int, previous: Row | None) -> None:
    """WarningsNotAcknowledged when the place's figure rose by more than the setting's share of the
    registered dwellings since its previous reading (or the opening)."""
    since = previous.voters if previous is not None else 0
    share = float(get_setting(session, "ballot.turnout_jump_warning_share"))
    if n - since > share * ballot.registered:
        when = f"qu'au relevé de {previous.reported_at:%H:%M}" if previous is not None else "qu'à l'ouverture"
        raise WarningsNotAcknowledged(
            {
                "voters": (
                    f"{fr_int(n)} votants : {fr_int(n - since)} de plus {when}, soit plus de {fr_pct(share)} "
                    f"des {fr_int(ballot.registered)} logements inscrits. "
                    "Vérifiez le chiffre (une virgule oubliée ?) puis confirmez."
                )
            }
        )


def record_turnout(
    session: Session,
    actor: Actor,
    ballot_id: int,
    place_id: int,
    voters: Any,
    reported_at: datetime,
    is_correction: bool = False,
    reason: str | None = None,
    jump_confirmed: bool = False,
) -> TurnoutReport:
    """Store the cumulative number of voters of one polling place (from its sign-in sheet).

    A rise since the place's previous reading (or since opening) larger than the setting
    `ballot.turnout_jump_warning_share` of the registered dwellings raises WarningsNotAcknowledged
    until `jump_confirmed`: « 19,5 » typed into a number widget arrives as 195.
    """
    require(actor, "turnout", session)
    # The ballot and the place in one read (this runs for every reading of a ballot week).
    found = session.execute(_BALLOT_AND_PLACE, {"ballot_id": ballot_id, "place_id": place_id}).first()
    if found is None:
        raise ValidationError({"ballot": "Scrutin introuvable."})
    ballot = found[0]
    errors: dict[str, str] = {}
    if found[1] is None:
        errors["place"] = "Choisissez un bureau de vote de ce scrutin."
    if ballot.status in COUNTED_STATUSES:
        errors["ballot"] = "Le dépouillement a commencé : la participation ne se saisit plus."
    if not isinstance(reported_at, datetime):
        errors["reported_at"] = "Indiquez l'heure du relevé."
    elif not ballot.opens_at <= reported_at <= ballot.closes_at:
        errors["reported_at"] = (
            f"L'heure doit être pendant le scrutin, du {fr_datetime(ballot.opens_at)} au {fr_datetime(ballot.closes_at)}."
        )
    reason = clean_text(errors, "reason", reason, max_len=MAX_REASON) or ""
    if is_correction and not reason and "reason" not in errors:
        errors["reason"] = "Une correction doit être expliquée : indiquez la raison."
    if voters is None or (isinstance(voters, str) and not voters.strip()):
        errors["voters"] = "Indiquez le nombre de votants : un nombre entier, par exemple 57."
        n = None
    else:
        n = parse_int(errors, "voters", voters)
    previous = None
    if n is not None and "place" not in errors and "reported_at" not in errors:
        latest = latest_by_place(session, ballot.id, before=reported_at)
        previous = latest.get(place_id)
        if previous is not None and n < previous.voters and not is_correction:
            errors["voters"] = (
                f"Moins que le relevé précédent de ce bureau ({fr_int(previous.voters)} à "
                f"{previous.reported_at:%H:%M} le {previous.reported_at:%d/%m}). Le nombre est cumulé depuis "
                "l'ouverture ; s'il s'agit d'une correction, cochez « Correction » et donnez la raison."
            )
        total = n + sum(r.voters for pid, r in latest.items() if pid != place_id)
        if "voters" not in errors and total > ballot.registered:
            errors["voters"] = (
                f"Le total des bureaux ({fr_int(total)}) dépasserait le nombre de logements inscrits "
                f"({fr_int(ballot.registered)}) : un seul vote par logement."
            )
    if errors:
        raise ValidationError(errors)
    if not jump_confirmed:
        _check_jump(session, ballot, n, previous)
    if is_correction:
        # The audit row of this report carries the reason too.
        session.info["reason"] = reason
    report = TurnoutReport(
        ballot_id=ballot.id,
        place_id=place_id,
        reported_at=reported_at,
        voters=n,
        is_correction=bool(is_correction),
        correction_reason=reason or None,
        created_by=actor.username,
    )
    session.add(report)
    if ballot.status == "planned":
        ballot.status = "open"
        # The first reading: the ballot has opened (its stage's actual start, for the dashboards).
        _record_actual(session, ballot.deployment_id, "ballot", ballot.opens_at.date())
    session.flush()
    return report


# ---------------------------------------------------------------- the count


@dataclass(frozen=True)
class Counts:
    """One entry of the count: yes, no, blank and void ballots, and ballots in the box."""

    yes: int
    no: int
    blank: int
    void: int
    in_box: int

    @classmethod
    def of(cls, row) -> Counts:
        """The counts of a `BallotCount` row or a dict with the same keys."""
        return cls(**{k: getattr(row, k) if not isinstance(row, dict) else row[k] for k in COUNT_FIELDS})

    @property
    def valid(self) -> int:
        """Valid votes (suffrages exprimés): yes + no."""
        return self.yes + self.no


def count_warnings(session: Session, ballot: Ballot, counts: Counts) -> dict[str, str]:
    """Unusual but possible figures: shown, and accepted only with a note."""
    warnings = {}
    last_total = sum(r.voters for r in latest_by_place(session, ballot.id).values())
    if counts.in_box != last_total:
        warnings["in_box"] = (
            f"Bulletins dans l'urne ({fr_int(counts.in_box)}) différents du dernier total de participation "
            f"({fr_int(last_total)}) : écart de {fr_int(abs(counts.in_box - last_total))}."
        )
    share = float(get_setting(session, "ballot.blank_void_warning_share"))
    if counts.in_box and (counts.blank + counts.void) / counts.in_box > share:
        warnings["blank_void"] = (
            f"Blancs et nuls : {fr_pct((counts.blank + counts.void) / counts.in_box, 1)} des bulletins "
            f"(plus de {fr_pct(share)})."
        )
    return warnings


def enter_count(
    session: Session,
    actor: Actor,
    ballot_id: int,
    entry_no: int,
    yes: Any,
    no: Any,
    blank: Any,
    void: Any,
    in_box: Any,
    acknowledged_note: str | None = None,
) -> BallotCount:
    """Entry 1 or 2 of the public count, each by a different person; a locked result is refused."""
    require(actor, "count", session)
    ballot = _ballot(session, ballot_id)
    errors: dict[str, str] = {}
    if ballot.status == "locked":
        errors["ballot"] = "Le résultat est verrouillé : la coordination doit le déverrouiller (avec une raison)."
    elif clock.now() < ballot.closes_at:
        errors["ballot"] = (
            f"Le scrutin est ouvert jusqu'au {fr_datetime(ballot.closes_at)} : on dépouille après la clôture."
        )
    if entry_no not in (1, 2):
        errors["entry_no"] = "Choisissez la saisie 1 ou la saisie 2."
    else:
        entries = {
            c.entry_no: c
            for c in session.execute(select(BallotCount).where(BallotCount.ballot_id == ballot.id)).scalars()
        }
        mine, other = entries.get(entry_no), entries.get(3 - entry_no)
        if other is not None and other.entered_by == actor.username:
            errors["entry_no"] = (
                f"Vous avez fait la saisie {other.entry_no} : la saisie {entry_no} doit être faite par une "
                "autre personne, sans regarder la première."
            )
        elif mine is not None and mine.entered_by != actor.username:
            errors["entry_no"] = f"La saisie {entry_no} a déjà été faite par {mine.entered_by}."
    values = {k: _count_value(errors, k, v) for k, v in zip(COUNT_FIELDS, (yes, no, blank, void, in_box), strict=True)}
    if not any(k in errors for k in COUNT_FIELDS):
        counts = Counts(**values)
        parts = counts.yes + counts.no + counts.blank + counts.void
        if parts != counts.in_box:
            errors["in_box"] = (
                f"Oui + non + blancs + nuls = {fr_int(parts)}, mais {fr_int(counts.in_box)} bulletins dans "
                "l'urne : recomptez."
            )
        elif counts.in_box > ballot.registered:
            errors["in_box"] = (
                f"Plus de bulletins ({fr_int(counts.in_box)}) que de logements inscrits ({fr_int(ballot.registered)})."
            )
    if errors:
        raise ValidationError(errors)
    note_errors: dict[str, str] = {}
    note = clean_text(note_errors, "note", acknowledged_note, max_len=MAX_REASON) or ""
    if note_errors:
        raise ValidationError(note_errors)
    warnings = count_warnings(session, ballot, counts)
    if warnings and not note:
        raise WarningsNotAcknowledged(warnings)
    if warnings:
        # The audit row carries why the unusual figures were confirmed.
        session.info["reason"] = note
    row = mine or BallotCount(ballot_id=ballot.id, entry_no=entry_no)
    if mine is None:
        session.add(row)
    for k, v in values.items():
        setattr(row, k, v)
    row.warnings_note = (note + " — avertissements : " + " ".join(warnings.values())) if warnings else (note or None)
    row.entered_by = actor.username
    # A change after validation re-opens the comparison: the result must be validated again.
    ballot.status = "counted"
    ballot.validated_at = ballot.validated_by = ballot.outcome = None
    session.flush()
    return row


def visible_entries(authors: dict[int, str], viewer: str) -> set[int]:
    """The count entries whose figures `viewer` may see: entry 2 is typed blind.

    `authors` maps each saved entry's number to who typed it. Once both entries exist everyone
    sees both (the comparison); before that, only the person who typed an entry sees its figures:
    whoever may type the other one, the coordinator who will validate included, sees none.
    """
    if set(authors) >= {1, 2}:
        return {1, 2}
    return {n for n, who in authors.items() if who == viewer}


def count_differences(session: Session, ballot_id: int) -> list[dict]:
    """Entries 1 and 2 side by side: field, label, entry_1, entry_2, same."""
    entries = {
        c.entry_no: c for c in session.execute(select(BallotCount).where(BallotCount.ballot_id == ballot_id)).scalars()
    }
    rows = []
    for k in COUNT_FIELDS:
        a = getattr(entries[1], k) if 1 in entries else None
        b = getattr(entries[2], k) if 2 in entries else None
        rows.append(
            {"field": k, "label": COUNT_LABELS[k], "entry_1": a, "entry_2": b, "same": a is not None and a == b}
        )
    return rows


def validate_count(session: Session, actor: Actor, ballot_id: int) -> Outcome:
    """Validate when both entries exist and agree; else raise (with the differences side by side)."""
    require(actor, "count", session)
    ballot = _ballot(session, ballot_id)
    if ballot.status == "locked":
        raise ValidationError({"ballot": "Le résultat est déjà verrouillé."})
    rows = count_differences(session, ballot.id)
    if any(r["entry_1"] is None for r in rows) or any(r["entry_2"] is None for r in rows):
        raise ValidationError({"entry_no": "Il faut les deux saisies (1 et 2) avant de valider."})
    if not all(r["same"] for r in rows):
        raise CountMismatch([r for r in rows if not r["same"]])
    counts = Counts(**{r["field"]: r["entry_1"] for r in rows})
    result = outcome(counts, ballot.registered, ballot.rule, ballot.quorum_pct)
    ballot.status = "validated"
    ballot.validated_at, ballot.validated_by = clock.now(), actor.username
    ballot.outcome = "adopted" if result.adopted else "rejected"
    _record_actual(session, ballot.deployment_id, "ballot", ballot.opens_at.date(), ballot.closes_at.date())
    deployment = session.get(Deployment, ballot.deployment_id)
    deployment.status = "ballot" if result.adopted else "rejected"
    session.flush()
    return result


def lock_result(session: Session, actor: Actor, ballot_id: int) -> Ballot:
    """The coordinator locks the validated result: no change without unlocking."""
    require(actor, "lock_ballots", session)
    ballot = _ballot(session, ballot_id)
    if ballot.status != "validated":
        raise ValidationError({"ballot": "Seul un résultat validé (deux saisies concordantes) peut être verrouillé."})
    ballot.status = "locked"
    ballot.locked_at, ballot.locked_by = clock.now(), actor.username
    session.flush()
    return ballot


def unlock_result(session: Session, actor: Actor, ballot_id: int, reason: str | None) -> Ballot:
    """Unlock with a reason (kept on the ballot and in the audit log); the count must be validated again."""
    require(actor, "lock_ballots", session)
    ballot = _ballot(session, ballot_id)
    errors: dict[str, str] = {}
    reason = clean_text(errors, "reason", reason, max_len=MAX_REASON) or ""
    if ballot.status != "locked":
        errors["ballot"] = "Ce résultat n'est pas verrouillé."
    if not reason and "reason" not in errors:
        errors["reason"] = "Indiquez pourquoi le résultat est déverrouillé."
    if errors:
        raise ValidationError(errors)
    session.info["reason"] = reason
    ballot.status = "counted"
    ballot.unlock_reason = reason
    ballot.locked_at = ballot.locked_by = None
    ballot.validated_at = ballot.validated_by = ballot.outcome = None
    session.flush()
    return ballot


# ---------------------------------------------------------------- outcome


@dataclass(frozen=True)
class Outcome:
    """The result of a ballot under its rule, with how close it was and a French explanation."""

    adopted: bool
    rule: str
    margin: int  # votes above (adopted) or below (rejected) what the rule needs
    votes_to_change: int  # smallest number of votes cast otherwise that would change the outcome
    explanation: str  # French, for the screens
    turnout: float | None
    yes_share: float | None  # yes / valid votes
    quorum_met: bool | None = None
    details: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        """« Adopté » or « Rejeté »."""
        return "Adopté" if self.adopted else "Rejeté"


def quorum_voters(registered: int, quorum_pct) -> int:
    """Voters needed for a quorum of `quorum_pct` % of `registered`, in exact decimal arithmetic.

    ceil(250 × 64.4 / 100) is 161; in floating point 250 * 64.4 / 100 is 161.00000000000003 and
    the ceiling said 162, so 161 voters "missed" a quorum they had reached.
    """
    exact = Decimal(registered) * Decimal(str(quorum_pct or 0)) / 100
    return int(exact.to_integral_value(rounding=ROUND_CEILING))


def outcome(counts: Counts | dict, registered: int, rule: str = "majority_of_votes", quorum_pct=None) -> Outcome:
    """Adopted or rejected by the ballot's rule, the margin, and how many votes would have changed it.

    `votes_to_change` is the smallest number of dwellings whose vote, cast otherwise, changes the
    outcome: a voter voting the other way, blank, or not at all, or a dwelling that did not vote
    voting (checked against a brute-force search in the tests).

    - majority_of_votes: more yes than no among valid votes (blank and void don't count). A tie is
      rejected. `margin`: yes minus no.
    - majority_of_registered: yes from more than half the registered dwellings. `margin`: the yes
      votes above (adopted: 0 when exactly at the threshold) or missing from (rejected) that half.
    - quorum: majority_of_votes, and turnout (ballots in the box) at least `quorum_pct` % of the
      registered dwellings. Missing the quorum, `margin` is the voters missing.
    """
    c = counts if isinstance(counts, Counts) else Counts.of(counts)
    turnout = c.in_box / registered if registered else None
    yes_share = c.yes / c.valid if c.valid else None
    lead = c.yes - c.no
    # Each voter who votes the other way moves the lead by 2.
    flip_if_adopted = -(-lead // 2) if lead > 0 else 0
    flip_if_rejected = (1 - lead + 1) // 2
    if rule == "majority_of_registered":
        needed = registered // 2 + 1
        adopted = c.yes >= needed
        margin = c.yes - needed if adopted else needed - c.yes
        votes = c.yes - needed + 1 if adopted else needed - c.yes
        text = f"{fr_int(c.yes)} oui pour {fr_int(needed)} nécessaires (plus de la moitié des {fr_int(registered)} inscrits)"
        return Outcome(adopted, rule, margin, votes, text, turnout, yes_share, details={"yes_needed": needed})
    if rule == "quorum":
        pct = Decimal(str(quorum_pct or 0))
        needed_voters = quorum_voters(registered, pct)
        quorum_met = c.in_box >= needed_voters
        majority = lead > 0
        adopted = quorum_met and majority
        if adopted:
            margin = lead
            # Either turn the lead, or leave the quorum (voters who would not have voted).
            votes = min(flip_if_adopted, c.in_box - needed_voters + 1)
        elif quorum_met:
            margin, votes = -lead, flip_if_rejected
        else:
            missing = needed_voters - c.in_box
            margin = missing
            # The missing voters, voting yes, then voters turning no into yes for what lead remains.
            votes = missing + max(0, (1 - lead - missing + 1) // 2)
        text = (
            f"Participation {fr_pct(turnout)} pour un quorum de {fr_pct(float(pct) / 100)} "
            f"({'atteint' if quorum_met else 'non atteint'}) ; {fr_int(c.yes)} oui, {fr_int(c.no)} non"
        )
        return Outcome(
            adopted,
            rule,
            margin,
            votes,
            text,
            turnout,
            yes_share,
            quorum_met,
            {"voters_needed": needed_voters},
        )
    adopted = lead > 0
    margin = abs(lead)
    votes = flip_if_adopted if adopted else flip_if_rejected
    text = f"{fr_int(c.yes)} oui contre {fr_int(c.no)} non parmi {fr_int(c.valid)} suffrages exprimés"
    return Outcome(adopted, "majority_of_votes", margin, votes, text, turnout, yes_share)


# ---------------------------------------------------------------- next milestones


def propose_after_ballot(session: Session, ballot_id: int) -> list[dict]:
    """After a yes vote: implementation then workshops, by the planning rule (`planning.after_ballot`)."""
    ballot = _ballot(session, ballot_id)
    spans = after_ballot(session, ballot.closes_at.date())
    return [{"stage": s, "planned_start": a, "planned_end": b} for s, (a, b) in spans.items()]


def save_milestones(session: Session, actor: Actor, ballot_id: int, milestones: list[dict]) -> list[DeploymentStage]:
    """Store the planned dates of the next stages of an adopted ballot's deployment."""
    require(actor, "ballots", session)
    ballot = _ballot(session, ballot_id)
    errors = {}
    if ballot.outcome != "adopted":
        errors["ballot"] = "Les étapes suivantes se planifient après un scrutin validé et adopté."
    today, cleaned = clock.today(), []
    for m in milestones:
        if m["stage"] not in ("implementation", "workshops"):
            errors[m["stage"]] = "Étape inconnue."
            continue
        # Dates typed JJ/MM/AAAA (or date objects): checked here, never trusted to a widget.
        found: dict[str, str] = {}
        start = check_date(found, "start", m.get("planned_start"), today=today, missing="Indiquez la date de début.")
        end = check_date(found, "end", m.get("planned_end"), today=today, missing="Indiquez la date de fin.")
        if found:
            errors[m["stage"]] = " ".join(found.values())
        elif end < start:
            errors[m["stage"]] = "La fin doit suivre le début."
        elif start < ballot.closes_at.date():
            errors[m["stage"]] = "Cette étape doit suivre la clôture du scrutin."
        else:
            cleaned.append({"stage": m["stage"], "planned_start": start, "planned_end": end})
    if errors:
        raise ValidationError(errors)
    rows = [
        _plan_stage(session, ballot.deployment_id, m["stage"], m["planned_start"], m["planned_end"]) for m in cleaned
    ]
    session.flush()
    return rows
