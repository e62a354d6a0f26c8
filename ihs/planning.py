"""Planning a sector: propose the pipeline's milestones from the standard durations, check, save.

The durations are programme settings (`pipeline.*` in `ihs.programme`), never constants here:
- kickoff `pipeline.kickoff_after_days` after the validation (one day);
- information period from the day after the kickoff, `pipeline.information_days` long;
- ballot the day after the information period, `pipeline.ballot_days` long;
- implementation `pipeline.implementation_after_ballot_days` after the ballot's last day,
  `pipeline.implementation_days` long;
- workshops `pipeline.workshops_after_implementation_days` after the implementation's last day,
  one session a week for `pipeline.workshop_sessions` sessions.
All dates are inclusive (a one-day stage starts and ends the same day).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, exists, select
from sqlalchemy.orm import Session

from ihs import clock
from ihs.models import Deployment, DeploymentStage, Sector
from ihs.programme import get_setting, pipeline_stages
from ihs.users import Actor, require
from ihs.validation import ValidationError, check_date
from ihs.vocab import DEPLOYMENT_STATUSES, STAGES

# A stage's four dates, as every read of the stages returns them.
STAGE_DATES = (
    DeploymentStage.planned_start,
    DeploymentStage.planned_end,
    DeploymentStage.actual_start,
    DeploymentStage.actual_end,
)
# The stages in pipeline order, for ORDER BY (a code outside `STAGES` comes last).
PIPELINE_ORDER = case({s: i for i, s in enumerate(STAGES)}, value=DeploymentStage.stage, else_=len(STAGES))


def deployment_stage_rows(*columns) -> Select:
    """Select: every stage of every deployment with its sector: deployment_id, then `columns` (of
    the deployment or its sector), then the stage and its four dates (`STAGE_DATES`)."""
    return (
        select(Deployment.id.label("deployment_id"), *columns, DeploymentStage.stage, *STAGE_DATES)
        .select_from(Deployment)
        .join(Sector, Sector.id == Deployment.sector_id)
        .join(DeploymentStage, DeploymentStage.deployment_id == Deployment.id)
    )


# A deployment in one of these statuses is under way: a sector has at most one at a time.
ACTIVE_STATUSES = ("proposed", "information", "ballot", "implementation")
MIN_YEAR, MAX_YEAR = 2000, 2100


def stage_end(start: date, days: int) -> date:
    """The last day of a stage of `days` days that starts on `start`: dates are inclusive, so a
    7-day implementation starting on a Monday ends on the Sunday (start + days − 1)."""
    return start + timedelta(days=max(int(days), 1) - 1)


def after_ballot(db: Session | Engine, ballot_end: date) -> dict[str, tuple[date, date]]:
    """Implementation and workshops placed after a ballot whose last day is `ballot_end` (settings
    `pipeline.*`): the one rule for the planning page and for the count page's proposal."""

    def days(key: str) -> int:
        return int(get_setting(db, f"pipeline.{key}"))

    impl_start = ballot_end + timedelta(days=days("implementation_after_ballot_days"))
    impl_end = stage_end(impl_start, days("implementation_days"))
    ws_start = impl_end + timedelta(days=days("workshops_after_implementation_days"))
    # Workshops are weekly sessions: the last one is (sessions − 1) weeks after the first.
    ws_end = ws_start + timedelta(weeks=max(days("workshop_sessions"), 1) - 1)
    return {"implementation": (impl_start, impl_end), "workshops": (ws_start, ws_end)}


def propose_milestones(db: Session | Engine, validation: date) -> pd.DataFrame:
    """The standard calendar from `validation`: columns stage, label, planned_start, planned_end.

    Only the stages of this scheme (`programme.pipeline_stages`): without a ballot, what follows
    it is placed after the information period; without an operator offer, there is no
    implementation and the workshops follow the ballot (or the information period)."""

    def days(key: str) -> int:
        return int(get_setting(db, f"pipeline.{key}"))

    stages = pipeline_stages(db)
    kickoff = validation + timedelta(days=days("kickoff_after_days"))
    info_start = kickoff + timedelta(days=1)
    info_end = stage_end(info_start, days("information_days"))
    spans = {
        "validation": (validation, validation),
        "kickoff": (kickoff, kickoff),
        "information": (info_start, info_end),
    }
    last_end = info_end
    if "ballot" in stages:
        ballot_start = info_end + timedelta(days=1)
        last_end = stage_end(ballot_start, days("ballot_days"))
        spans["ballot"] = (ballot_start, last_end)
    after = after_ballot(db, last_end)
    if "implementation" in stages:
        spans.update(after)
    else:  # workshops placed after the last stage as if it were the implementation's end
        ws_start = last_end + timedelta(days=days("workshops_after_implementation_days"))
        spans["workshops"] = (ws_start, ws_start + timedelta(weeks=max(days("workshop_sessions"), 1) - 1))
    return pd.DataFrame(
        [{"stage": s, "label": STAGES[s], "planned_start": a, "planned_end": b} for s, (a, b) in spans.items()]
    )


def _as_date(value) -> date | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def validate_milestones(rows: list[dict], stages: list[str] | None = None) -> dict[str, str]:
    """French messages keyed by stage code; empty when the calendar is acceptable.

    Each stage of the scheme (`stages`, every stage of `vocab.STAGES` by default) needs a start and an end, in the years 2000–2100, the end on or after the start,
    and must not start before the previous stage ends (the pipeline is sequential).
    """
    errors: dict[str, str] = {}
    previous: tuple[str, date] | None = None
    seen = {r.get("stage") for r in rows}
    for code in stages or STAGES:
        if code not in seen:
            errors[code] = f"{STAGES[code]} : étape manquante."
    for row in rows:
        code = row.get("stage")
        label = STAGES.get(code, str(code))
        start, end = _as_date(row.get("planned_start")), _as_date(row.get("planned_end"))
        if start is None or end is None:
            errors[code] = f"{label} : indiquez une date de début et une date de fin."
            previous = None
            continue
        bad = [d for d in (start, end) if not MIN_YEAR <= d.year <= MAX_YEAR]
        if bad:
            errors[code] = f"{label} : la date {bad[0]:%d/%m/%Y} n'est pas plausible (années {MIN_YEAR} à {MAX_YEAR})."
            previous = None
            continue
        if end < start:
            errors[code] = f"{label} : la fin ({end:%d/%m/%Y}) est avant le début ({start:%d/%m/%Y})."
        elif previous is not None and start < previous[1]:
            errors[code] = (
                f"{label} : commence le {start:%d/%m/%Y}, avant la fin de l'étape précédente "
                f"« {STAGES[previous[0]]} » ({previous[1]:%d/%m/%Y}). Les étapes se suivent dans l'ordre."
            )
        previous = (code, end)
    return errors


def plannable_sectors(db: Engine) -> pd.DataFrame:
    """Sectors with no deployment under way: columns sector_id, code, name, last_status, last_status_label."""
    active = exists().where(and_(Deployment.sector_id == Sector.id, Deployment.status.in_(ACTIVE_STATUSES)))
    last = (
        select(Deployment.status)
        .where(Deployment.sector_id == Sector.id)
        .order_by(Deployment.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        select(Sector.id.label("sector_id"), Sector.code, Sector.name, last.label("last_status"))
        .where(~active)
        .order_by(Sector.name)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["last_status_label"] = df["last_status"].map(
        lambda s: DEPLOYMENT_STATUSES.get(s, "Jamais déployé") if s else "Jamais déployé"
    )
    return df


def plan_deployment(
    session: Session, actor: Actor, *, sector_id: int, milestones: list[dict], notes: str | None = None
) -> Deployment:
    """Create a proposed deployment with the planned dates of each stage (coordinator only).

    Raises `ValidationError` (nothing written) when a date or the sector is wrong.
    """
    require(actor, "deployments", session)
    stages = pipeline_stages(session)
    errors = validate_milestones(milestones, stages)
    sector = session.get(Sector, sector_id)
    if sector is None:
        errors["sector"] = "Choisissez un secteur existant."
    elif session.execute(
        select(Deployment.id).where(Deployment.sector_id == sector_id, Deployment.status.in_(ACTIVE_STATUSES))
    ).first():
        errors["sector"] = f"Le secteur « {sector.name} » a déjà un déploiement en cours."
    if errors:
        raise ValidationError(errors)
    by_stage = {r["stage"]: r for r in milestones}
    validation = _as_date(by_stage["validation"]["planned_start"])
    deployment = Deployment(sector_id=sector_id, status="proposed", year=validation.year, notes=notes or None)
    deployment.stages = [
        DeploymentStage(
            stage=code,
            planned_start=_as_date(by_stage[code]["planned_start"]),
            planned_end=_as_date(by_stage[code]["planned_end"]),
        )
        for code in stages
    ]
    # The validation is a decision already taken when the sector is planned: it is what places the
    # deployment on the dashboards (they follow actual dates).
    if validation <= clock.today():
        first = deployment.stages[0]
        first.actual_start, first.actual_end = validation, validation
    session.add(deployment)
    session.flush()
    return deployment


# Status of a deployment once a stage has actually started (the latest started stage wins).
STATUS_AFTER = {"information": "information", "ballot": "ballot", "implementation": "implementation"}


def record_stage_dates(
    session: Session, actor: Actor, deployment_id: int, *, stage, actual_start, actual_end=None
) -> DeploymentStage:
    """What actually happened: a stage's actual start (and end) dates, typed JJ/MM/AAAA, never in the
    future, the end on or after the start, not before the previous stage's actual start. The
    deployment's status follows (deployed once its last stage has ended)."""
    require(actor, "deployments", session)
    errors: dict[str, str] = {}
    deployment = session.get(Deployment, int(deployment_id)) if str(deployment_id or "").isdigit() else None
    if deployment is None:
        raise ValidationError({"deployment": "Choisissez un déploiement existant."})
    rows = {st.stage: st for st in deployment.stages}
    if stage not in rows:
        errors["stage"] = "Choisissez une étape de ce déploiement."
    today = clock.today()
    start = check_date(errors, "actual_start", actual_start, today=today, future=False)
    end = check_date(errors, "actual_end", actual_end, today=today, future=False, required=False)
    if start and end and end < start:
        errors["actual_end"] = f"La fin ({end:%d/%m/%Y}) est avant le début ({start:%d/%m/%Y})."
    if start and stage in rows:
        order = [code for code in STAGES if code in rows]
        earlier = [rows[c] for c in order[: order.index(stage)] if rows[c].actual_start]
        if earlier and start < earlier[-1].actual_start:
            errors["actual_start"] = (
                f"Commence avant l'étape précédente « {STAGES[earlier[-1].stage]} » "
                f"({earlier[-1].actual_start:%d/%m/%Y}) : les étapes se suivent."
            )
    if errors:
        raise ValidationError(errors)
    row = rows[stage]
    row.actual_start, row.actual_end = start, end
    if deployment.status not in ("rejected", "abandoned"):
        order = [code for code in STAGES if code in rows]
        started = [code for code in order if rows[code].actual_start]
        if rows[order[-1]].actual_end or (started and started[-1] == "workshops"):
            deployment.status = "deployed"  # the workshops follow the implementation: covered
        elif started:
            deployment.status = STATUS_AFTER.get(started[-1], "proposed")
    session.flush()
    return row


def deployments_under_way(db: Engine) -> pd.DataFrame:
    """Deployments not finished, with their stages in pipeline order: deployment_id, sector,
    status, stage, label, planned_start, planned_end, actual_start, actual_end."""
    stmt = (
        deployment_stage_rows(Sector.name.label("sector"), Deployment.status)
        .where(Deployment.status.in_(ACTIVE_STATUSES))
        # Pipeline order, not planned dates: a ballot set up later than planned stays in its place.
        .order_by(Sector.name, Deployment.id, PIPELINE_ORDER)
    )
    with db.connect() as conn:
        df = pd.read_sql(stmt, conn)
    df["label"] = df["stage"].map(STAGES)
    return df
