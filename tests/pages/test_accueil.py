"""Vue d'ensemble shows the same figures as `python -m ihs summary`."""

from ihs.formats import fr_int
from ihs.queries.overview import summary
from tests.apptest import metric, open_page
from tests.conftest import TODAY


def test_home_shows_the_summary_subscriber_total(app_db):
    at = open_page("viewer", "accueil")
    assert not at.exception
    expected = summary(app_db, TODAY)
    assert metric(at, "Abonnés") == fr_int(expected["subscribers"])
