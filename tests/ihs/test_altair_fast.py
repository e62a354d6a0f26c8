"""The Altair fast paths change no chart: every dashboard's specs, with and without them."""

from __future__ import annotations

import json

import pytest

from ihs import altair_fast
from ihs.ui import vega
from tests.apptest import chart_data, open_page

QUERY = {"secteur": {"secteur": "kerourien"}}
DASHBOARDS = ["accueil", "carte", "calendrier", "adhesion", "accompagnement", "sensibilisation", "secteur"]


def _charts(page: str) -> list[str]:
    """Each chart's spec and rows, as text (NaN compares equal that way)."""
    vega.template.cache_clear()  # the charts drawn from a template too: built again, with or without
    at = open_page("viewer", page, query=QUERY.get(page))
    assert not at.exception
    return [
        json.dumps([json.loads(el.proto.spec), chart_data(el).to_dict("records")], sort_keys=True, default=str)
        for el in at.get("vega_lite_chart")
    ]


def test_all_fast_paths_are_applied():
    # An Altair upgrade that moved one of these internals shows here, not as a slow page.
    assert altair_fast.APPLIED == ["schema table", "param copies", "frame hash"]


@pytest.mark.parametrize("page", DASHBOARDS)
def test_each_dashboard_draws_the_same_charts_without_them(app_db, page):
    fast = _charts(page)
    with altair_fast.disabled():
        plain = _charts(page)
    assert fast and fast == plain


def test_live_screen_draws_the_same_charts_without_them(app_db):
    fast = _charts("scrutin_direct")
    with altair_fast.disabled():
        plain = _charts("scrutin_direct")
    assert len(fast) == 2 and fast == plain
