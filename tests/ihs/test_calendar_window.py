"""The calendar's default window (under way and next) and its .ics export of the deployments shown."""

from datetime import date

import pandas as pd

from ihs.queries.calendar import calendar_items
from ihs.viz.calendar import current_and_next, items_of, window_statuses


def _order(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["deployment_id", "sector_name", "deployment_first", "deployment_last"])


def test_window_holds_what_is_under_way_and_what_starts_within_a_year():
    order = _order(
        (1, "Fini", date(2025, 1, 1), date(2025, 6, 30)),
        (2, "En cours", date(2025, 9, 1), date(2026, 3, 31)),
        (3, "Dans six mois", date(2026, 6, 1), date(2026, 12, 31)),
        (4, "Dans deux ans", date(2028, 1, 1), date(2028, 6, 30)),
        (5, "Commence aujourd'hui", date(2025, 12, 15), date(2026, 6, 30)),
    )
    assert current_and_next(order, date(2025, 12, 15)) == [2, 3, 5]
    # Nothing starts within a year: the next to start is still shown.
    assert current_and_next(order, date(2026, 12, 31)) == [3, 4]
    assert current_and_next(order, date(2029, 1, 1)) == []
    assert current_and_next(order.iloc[0:0], date(2025, 1, 1)) == []


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
