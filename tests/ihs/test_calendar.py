"""The calendar's screens of deployments (`deployment_pages`)."""

from datetime import date

import pandas as pd

from ihs.queries.calendar import deployment_pages


def _stages(spans: dict[int, tuple[str, date, date]]) -> pd.DataFrame:
    """Rows as `deployment_stages` returns them: sorted by first date, then sector name."""
    df = pd.DataFrame(
        [
            {"deployment_id": i, "sector_name": n, "start": s, "end": e, "deployment_first": s, "deployment_last": e}
            for i, (n, s, e) in spans.items()
        ]
    )
    return df.sort_values(["deployment_first", "sector_name"], kind="stable")


def test_screens_in_date_order_and_the_first_shown_is_where_work_is_under_way():
    stages = _stages(
        {
            1: ("C", date(2026, 3, 1), date(2026, 4, 1)),
            2: ("A", date(2026, 1, 1), date(2026, 2, 1)),
            3: ("B", date(2026, 1, 1), date(2026, 12, 31)),  # same start as A: by name
            4: ("D", date(2026, 6, 1), date(2027, 1, 1)),
            5: ("E", date(2026, 9, 1), date(2026, 10, 1)),
        }
    )
    pages, first = deployment_pages(stages, date(2026, 5, 1), size=2)
    assert pages == [[2, 3], [1, 4], [5]]
    assert first == 0  # B (second row) runs until December
    pages, first = deployment_pages(stages, date(2026, 12, 31), size=2)
    assert first == 0
    pages, first = deployment_pages(stages, date(2027, 1, 1), size=2)
    assert first == 1  # only D is not finished
    assert deployment_pages(stages, date(2028, 1, 1), size=2)[1] == 2  # all finished: the last screen
    assert deployment_pages(stages.iloc[0:0], date(2026, 1, 1)) == ([], 0)


def test_upcoming_events_first_rows_and_count(engine):
    from ihs.queries.calendar import count_upcoming_events, upcoming_events
    from tests.conftest import TODAY

    every = upcoming_events(engine, TODAY, 60)
    first = upcoming_events(engine, TODAY, 60, 5)
    assert count_upcoming_events(engine, TODAY, 60) == len(every) == 16
    assert list(first["event_id"]) == list(every["event_id"].head(5))
    assert first.iloc[0]["sectors"] == "Pilier Rouge"


def test_stages_come_in_calendar_order_with_each_deployments_span(engine):
    from ihs.queries.calendar import deployment_stages
    from tests.conftest import TODAY

    stages = deployment_stages(engine, None, (), TODAY)
    firsts = stages.drop_duplicates("deployment_id")
    assert list(firsts["deployment_first"]) == sorted(firsts["deployment_first"])
    for _, rows in stages.groupby("deployment_id"):
        assert (rows["deployment_first"] == rows["start"].min()).all()
        assert (rows["deployment_last"] == rows["end"].max()).all()
