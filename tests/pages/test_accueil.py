"""Vue d'ensemble shows the same figures as `python -m ihs summary`, their change, and what is on now."""

from datetime import date

from ihs.formats import fr_int, fr_pct
from ihs.queries.overview import summary
from tests.apptest import metric, open_page, texts
from tests.conftest import TODAY


def test_home_shows_the_summary_subscriber_total(app_db):
    at = open_page("viewer", "accueil")
    assert not at.exception
    expected = summary(app_db, TODAY)
    assert metric(at, "Abonnés") == fr_int(expected["subscribers"])


def test_key_figures_with_their_change_over_a_year(app_db):
    at = open_page("viewer", "accueil")
    now, before = summary(app_db, TODAY), summary(app_db, date(2025, 11, 27))
    assert metric(at, "Logements couverts") == fr_int(now["dwellings_covered"])
    assert metric(at, "Secteurs déployés") == str(now["sectors_deployed"])
    assert metric(at, "Taux d'adhésion") == fr_pct(now["uptake"])
    assert metric(at, "Tarif mensuel") == "1,24\u00a0€"
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Abonnés"] == f"+{fr_int(now['subscribers'] - before['subscribers'])} en un an"
    assert deltas["Tarif mensuel"] == "stable sur un an"
    assert metric(at, "Ordinateurs vendus") != "0"


def test_now_happening_and_sources(app_db):
    at = open_page("viewer", "accueil")
    page = texts(at)
    assert "Participation – Montaigne" in page
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas["Participation – Montaigne"].endswith("votants sur 420 logements")
    assert "Keranroux" in page  # information period
    assert "Atelier numérique" in page  # the cycle under way, in the coming 30 days
    assert "abonnés : démo (illustratif), du 27/11/2026" in page
    assert "tarif : public : 1,24 € au 1er janvier 2023, en vigueur depuis le 01/01/2023" in page
