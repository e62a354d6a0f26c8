"""Planning a sector: the standard calendar from settings, French refusals, nothing written on error."""

from datetime import date

import pytest
from sqlalchemy import func, select

from ihs.db import session_scope
from ihs.models import AuditLog, Deployment, DeploymentStage, Sector
from ihs.planning import plan_deployment, plannable_sectors, propose_milestones, validate_milestones
from ihs.programme import set_setting
from ihs.users import SYSTEM, Actor, PermissionDenied
from ihs.validation import ValidationError

COORD = Actor("coordination", "coordinator")
VALIDATION = date(2027, 1, 4)


def _spans(df):
    return {r.stage: (r.planned_start, r.planned_end) for r in df.itertuples(index=False)}


def test_proposal_follows_the_default_durations(engine):
    spans = _spans(propose_milestones(engine, VALIDATION))
    assert spans == {
        "validation": (date(2027, 1, 4), date(2027, 1, 4)),
        "kickoff": (date(2027, 1, 25), date(2027, 1, 25)),  # 21 days later
        "information": (date(2027, 1, 26), date(2027, 3, 26)),  # 60 days
        "ballot": (date(2027, 3, 27), date(2027, 4, 2)),  # 7 days
        "implementation": (date(2027, 4, 23), date(2027, 4, 29)),  # 21 days after the ballot, 7 days
        "workshops": (date(2027, 5, 13), date(2027, 7, 15)),  # 14 days later, 10 weekly sessions
    }


def test_proposal_reads_the_settings(engine):
    with session_scope("tests", engine=engine) as s:
        set_setting(s, SYSTEM, "pipeline.information_days", 30)
        set_setting(s, SYSTEM, "pipeline.workshop_sessions", 4)
    spans = _spans(propose_milestones(engine, VALIDATION))
    assert spans["information"] == (date(2027, 1, 26), date(2027, 2, 24))
    ws_start, ws_end = spans["workshops"]
    assert (ws_end - ws_start).days == 21  # four weekly sessions


def _count(engine, model):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def _a_plannable(engine) -> int:
    return int(plannable_sectors(engine).iloc[0]["sector_id"])


def test_out_of_order_dates_are_refused_in_french_and_nothing_is_written(engine):
    rows = propose_milestones(engine, VALIDATION).to_dict("records")
    rows[3]["planned_start"] = date(2027, 3, 1)  # ballot starts during the information period
    before = (_count(engine, Deployment), _count(engine, DeploymentStage), _count(engine, AuditLog))
    with pytest.raises(ValidationError) as exc, session_scope("coordination", engine=engine) as s:
        plan_deployment(s, COORD, sector_id=_a_plannable(engine), milestones=rows)
    assert exc.value.errors == {
        "ballot": "Scrutin : commence le 01/03/2027, avant la fin de l'étape précédente "
        "« Période d'information » (26/03/2027). Les étapes se suivent dans l'ordre."
    }
    assert (_count(engine, Deployment), _count(engine, DeploymentStage), _count(engine, AuditLog)) == before


def test_empty_absurd_and_reversed_dates(engine):
    rows = propose_milestones(engine, VALIDATION).to_dict("records")
    rows[0]["planned_start"] = None
    rows[2]["planned_end"] = date(1999, 12, 31)
    rows[5]["planned_start"], rows[5]["planned_end"] = date(2027, 7, 15), date(2027, 5, 13)
    errors = validate_milestones(rows)
    assert errors["validation"] == "Validation : indiquez une date de début et une date de fin."
    assert errors["information"] == (
        "Période d'information : la date 31/12/1999 n'est pas plausible (années 2000 à 2100)."
    )
    assert errors["workshops"] == "Ateliers numériques : la fin (13/05/2027) est avant le début (15/07/2027)."


def test_saving_creates_a_proposed_deployment_with_its_planned_dates_audited(engine):
    sector_id = _a_plannable(engine)
    rows = propose_milestones(engine, VALIDATION).to_dict("records")
    with session_scope("coordination", engine=engine) as s:
        dep_id = plan_deployment(s, COORD, sector_id=sector_id, milestones=rows, notes="Relance").id
    with engine.connect() as conn:
        dep = conn.execute(select(Deployment).where(Deployment.id == dep_id)).one()
        stages = conn.execute(select(DeploymentStage).where(DeploymentStage.deployment_id == dep_id)).all()
        audit = conn.execute(
            select(AuditLog.username, AuditLog.action).where(
                AuditLog.table_name == "deployment", AuditLog.row_id == str(dep_id)
            )
        ).all()
    assert (dep.status, dep.year, dep.sector_id) == ("proposed", 2027, sector_id)
    assert {s.stage: (s.planned_start, s.planned_end) for s in stages} == _spans(propose_milestones(engine, VALIDATION))
    assert all(s.actual_start is None for s in stages)
    assert audit == [("coordination", "create")]
    # The sector now has a deployment under way: it can no longer be planned twice.
    assert sector_id not in set(plannable_sectors(engine)["sector_id"])
    with pytest.raises(ValidationError) as exc, session_scope("coordination", engine=engine) as s:
        plan_deployment(s, COORD, sector_id=sector_id, milestones=rows)
    assert "déjà un déploiement en cours" in exc.value.errors["sector"]


def test_only_sectors_without_a_deployment_under_way_are_plannable(engine):
    codes = set(plannable_sectors(engine)["code"])
    assert "kerourien" in codes  # deployed long ago: may start a new round
    assert not codes & {"keranroux", "montaigne", "le-bot"}  # under way now
    with engine.connect() as conn:
        assert len(codes) == conn.execute(select(func.count(Sector.id))).scalar_one() - 3


@pytest.mark.parametrize("role", ["landlord", "partner", "viewer", "operator"])
def test_only_the_coordinator_may_plan(engine, role):
    rows = propose_milestones(engine, VALIDATION).to_dict("records")
    with pytest.raises(PermissionDenied), session_scope(role, engine=engine) as s:
        plan_deployment(s, Actor(role, role), sector_id=_a_plannable(engine), milestones=rows)


def test_a_scheme_without_ballot_or_operator_offer_plans_without_those_stages(engine):
    """The next scheme may decide by the partners' validation and have no operator offer."""
    from datetime import date

    from ihs.db import session_scope
    from ihs.models import DeploymentStage
    from ihs.planning import plan_deployment, plannable_sectors, propose_milestones
    from ihs.programme import set_setting
    from ihs.users import SYSTEM

    with session_scope("coordination", engine=engine) as s:
        set_setting(s, SYSTEM, "pipeline.has_ballot", False)
        set_setting(s, SYSTEM, "pipeline.has_operator_offer", False)
    proposal = propose_milestones(engine, date(2027, 1, 4))
    assert list(proposal["stage"]) == ["validation", "kickoff", "information", "workshops"]
    # Defaults: kickoff 21 days after (25/01), information 60 days from the next day, inclusive
    # (26/01 + 59 days = 26/03), workshops 14 days after its end, 10 weekly sessions (09/04 → 11/06).
    rows = proposal.set_index("stage")
    assert rows.loc["information", "planned_end"] == date(2027, 3, 26)
    assert (rows.loc["workshops", "planned_start"], rows.loc["workshops", "planned_end"]) == (
        date(2027, 4, 9),
        date(2027, 6, 11),
    )
    sector_id = int(plannable_sectors(engine)["sector_id"].iloc[0])
    with session_scope("coordination", engine=engine) as s:
        deployment = plan_deployment(s, SYSTEM, sector_id=sector_id, milestones=proposal.to_dict("records"))
        stages = [st.stage for st in s.query(DeploymentStage).filter_by(deployment_id=deployment.id)]
        deployment_id = deployment.id
    assert sorted(stages) == ["information", "kickoff", "validation", "workshops"]
    # The calendar numbers this scheme's stages 1 to 4 and its legend has no « Scrutin »: the
    # workshops are the 4th stage, not the 6th of a pipeline with a ballot and an implementation.
    from ihs.queries.calendar import deployment_stages
    from ihs.viz.calendar import timeline_chart

    mine = deployment_stages(engine, None, (), date(2027, 1, 4), (deployment_id,))
    assert dict(zip(mine["stage"], mine["stage_no"], strict=True)) == {
        "validation": 1,
        "kickoff": 2,
        "information": 3,
        "workshops": 4,
    }
    layers = timeline_chart(mine, date(2027, 1, 4)).chart().to_dict(validate=False)["layer"]
    domains = [lay["encoding"]["color"]["scale"]["domain"] for lay in layers if "color" in lay.get("encoding", {})]
    assert domains[0] == [
        "1. Validation",
        "2. Réunion de lancement",
        "3. Période d'information",
        "4. Ateliers numériques",
    ]


def test_the_default_scheme_still_requires_its_ballot(engine):
    from datetime import date

    from ihs.planning import propose_milestones, validate_milestones

    rows = [r for r in propose_milestones(engine, date(2027, 1, 4)).to_dict("records") if r["stage"] != "ballot"]
    assert validate_milestones(rows)["ballot"] == "Scrutin : étape manquante."


def test_deployments_under_way_list_their_stages_in_pipeline_order(engine):
    """« Suivre un déploiement »: a ballot set up later than planned stays before the implementation."""
    from ihs.planning import deployments_under_way

    pipeline = ["validation", "kickoff", "information", "ballot", "implementation", "workshops"]
    running = deployments_under_way(engine)
    assert len(running)
    for _, stages in running.groupby("deployment_id"):
        shown = stages["stage"].tolist()
        assert shown == sorted(shown, key=pipeline.index), shown
    # Move one ballot's planned dates after its workshops: its row keeps its place.
    dep = int(running.loc[running["stage"] == "ballot", "deployment_id"].iloc[0])
    with session_scope("tests", engine=engine) as s:
        ballot = s.query(DeploymentStage).filter_by(deployment_id=dep, stage="ballot").one()
        ballot.planned_start = ballot.planned_end = date(2031, 1, 1)
    stages = deployments_under_way(engine).query("deployment_id == @dep")["stage"].tolist()
    assert stages == sorted(stages, key=pipeline.index) and "ballot" in stages
