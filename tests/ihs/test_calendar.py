"""The calendar's screens of deployments (`deployment_pages`)."""

from datetime import date

import pandas as pd

from ihs.queries.calendar import deployment_pages


def _stages(spans: dict[int, tuple[str, date, date]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"deployment_id": i, "sector_name": n, "start": s, "end": e} for i, (n, s, e) in spans.items()]
    )


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
