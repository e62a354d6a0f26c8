"""The calendar's default window (under way and next), chosen in SQL, and its .ics export of the
deployments shown."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ihs.models import Deployment, DeploymentStage, Sector
from ihs.queries.calendar import calendar_items, deployments_under_way_or_next, window_statuses
from ihs.viz.calendar import items_of


def _add(engine, name: str, status: str, *stages: tuple) -> int:
    """A sector and its deployment with `stages` (stage, planned_start, planned_end, actual_start, actual_end)."""
    with Session(engine) as s:
        sector = Sector(code=name.lower().replace(" ", "-").replace("'", ""), name=name)
        dep = Deployment(sector=sector, status=status)
        dep.stages = [
            DeploymentStage(stage=st, planned_start=ps, planned_end=pe, actual_start=as_, actual_end=ae)
            for st, ps, pe, as_, ae in stages
        ]
        s.add(dep)
        s.commit()
        return dep.id


def _ids(engine, day, statuses=()):
    return [int(i) for i in deployments_under_way_or_next(engine, day, statuses)["deployment_id"]]


def test_window_holds_what_is_under_way_and_what_starts_within_a_year(empty_engine):
    e = empty_engine
    done = _add(e, "Fini", "deployed", ("ballot", date(2025, 1, 1), date(2025, 6, 30), None, None))
    running = _add(
        e,
        "En cours",
        "implementation",
        ("ballot", date(2025, 9, 1), date(2025, 9, 30), date(2025, 9, 1), date(2025, 9, 30)),
        # Planned to end in March 2026 but started late and not finished: under way up to the day shown.
        ("implementation", date(2026, 1, 1), date(2026, 3, 31), date(2026, 2, 1), None),
    )
    in_six_months = _add(e, "Dans six mois", "proposed", ("kickoff", date(2026, 6, 1), date(2026, 12, 31), None, None))
    in_two_years = _add(e, "Dans deux ans", "proposed", ("kickoff", date(2028, 1, 1), date(2028, 6, 30), None, None))
    today = _add(e, "Commence aujourd'hui", "information", ("information", date(2025, 12, 15), None, None, None))
    rejected = _add(e, "Rejeté", "rejected", ("ballot", date(2025, 11, 1), date(2026, 1, 31), None, None))

    # In the calendar's order: by first date. « Commence aujourd'hui » is a one-day planned stage.
    assert _ids(e, date(2025, 12, 15)) == [running, today, in_six_months]
    # The late implementation (planned end 31/03) is still under way on 1 May 2026.
    assert _ids(e, date(2026, 5, 1)) == [running, in_six_months]
    window = deployments_under_way_or_next(e, date(2026, 5, 1))
    assert window["deployment_last"].tolist() == [date(2026, 5, 1), date(2026, 12, 31)]
    assert window["sector_name"].tolist() == ["En cours", "Dans six mois"]
    # Nothing starts within a year: the next to start is still shown.
    assert _ids(e, date(2026, 12, 31)) == [running, in_six_months, in_two_years]
    assert _ids(e, date(2029, 1, 1)) == [running]  # the unfinished implementation runs on
    # « En cours » and « Commence aujourd'hui » start within a year.
    assert _ids(e, date(2025, 3, 1)) == [done, running, today]
    # Rejected deployments are left out unless asked for.
    assert rejected not in _ids(e, date(2026, 1, 1))
    assert _ids(e, date(2026, 1, 1), ("rejected",)) == [rejected]


def test_window_on_the_demo_data_matches_the_rows(engine):
    """Each deployment's span worked out by hand from its stages, at dates across the demo's years."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Deployment.id, Deployment.status, *(getattr(DeploymentStage, c) for c in _DATES)).join(
                DeploymentStage, DeploymentStage.deployment_id == Deployment.id
            )
        ).all()
    for day in (date(2019, 6, 1), date(2023, 12, 15), date(2026, 11, 27), date(2027, 6, 1), date(2035, 1, 1)):
        spans: dict[int, tuple[date, date]] = {}
        for dep, status, ps, pe, as_, ae in rows:
            if status in ("rejected", "abandoned"):
                continue
            starts, ends = [], []
            if ps is not None:
                starts.append(ps)
                ends.append(max(pe or ps, ps))
            if as_ is not None:
                starts.append(as_)
                ends.append(max(ae, as_) if ae is not None else max(as_, day))
            if starts:
                first, last = spans.get(dep, (min(starts), max(ends)))
                spans[dep] = (min(first, *starts), max(last, *ends))
        under_way = {d for d, (f, last) in spans.items() if f <= day <= last}
        later = {d: f for d, (f, _) in spans.items() if f > day}
        soon = {d for d, f in later.items() if f <= day + timedelta(days=365)}
        if later and not soon:
            soon = {d for d, f in later.items() if f == min(later.values())}
        got = deployments_under_way_or_next(engine, day)
        assert set(got["deployment_id"]) == under_way | soon, day
        assert {int(r.deployment_id): (r.deployment_first, r.deployment_last) for r in got.itertuples()} == {
            d: spans[d] for d in under_way | soon
        }, day
        assert list(got["deployment_first"]) == sorted(got["deployment_first"])


_DATES = ("planned_start", "planned_end", "actual_start", "actual_end")


def test_the_window_leaves_out_rejected_and_abandoned_deployments_unless_asked():
    assert "rejected" not in window_statuses(()) and "abandoned" not in window_statuses(())
    assert {"information", "ballot", "implementation", "deployed", "proposed"} <= set(window_statuses(()))
    assert window_statuses(("rejected",)) == ("rejected",)


def test_the_export_keeps_the_stages_of_the_deployments_shown_and_every_event(engine):
    day = date(2026, 11, 27)
    items = calendar_items(engine, day, None, (), 60)
    stage_uids = [i.uid for i in items if i.uid.startswith("deploiement-")]
    events = [i.uid for i in items if i.uid.startswith("evenement-")]
    some_id = int(stage_uids[0].split("-")[1])
    kept = items_of(items, [some_id])
    assert [i.uid for i in kept if i.uid.startswith("evenement-")] == events
    kept_stages = [i.uid for i in kept if i.uid.startswith("deploiement-")]
    assert kept_stages and all(uid.startswith(f"deploiement-{some_id}-") for uid in kept_stages)
    assert len(kept_stages) == sum(uid.startswith(f"deploiement-{some_id}-") for uid in stage_uids)
