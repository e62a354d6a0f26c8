"""Accompagnement shows the year's support figures (same as a direct count) and says when there are none."""

from sqlalchemy import text

from ihs.formats import fr_eur, fr_int
from ihs.queries.support import support_totals
from tests.apptest import metric, open_page, texts
from tests.conftest import TODAY


def test_current_year_figures_match_the_queries_and_a_direct_count(app_db):
    at = open_page("viewer", "accompagnement")
    assert not at.exception
    totals = support_totals(app_db, TODAY.year, TODAY)
    with app_db.connect() as conn:
        sold = conn.execute(
            text(
                "SELECT SUM(computers_sold) FROM visit WHERE kind = 'equipment' AND deleted_at IS NULL "
                "AND occurred_on BETWEEN :a AND :b"
            ),
            {"a": f"{TODAY.year}-01-01", "b": TODAY.isoformat()},
        ).scalar_one()
    assert metric(at, "Ordinateurs vendus") == fr_int(sold) == fr_int(totals["computers_sold"])
    assert metric(at, "Montant encaissé") == fr_eur(40 * sold, 0)
    assert metric(at, "Cycles d'ateliers") == "1"  # the Pilier Rouge cycle under way
    assert metric(at, "Personnes reçues en permanence") == fr_int(totals["dropin_people"])
    assert metric(at, "Offres comparées") == fr_int(totals["offers_compared"])
    shown = texts(at)
    assert "Aux séances après la première" in shown
    cycles = at.dataframe[0].value
    assert cycles.iloc[0]["Cycle"] == "Ateliers numériques – Pilier Rouge (2026)"
    assert cycles.iloc[0]["Séances tenues / prévues"] == "6 / 10"
    # Only the open tab is read and drawn; each tab draws its own charts when opened.
    charts = {}
    for label in ["Ateliers numériques", "Permanences", "Accompagnement juridique", "Équipement"]:
        at.session_state["acc_onglet"] = label
        at.run()
        assert not at.exception
        charts[label] = len(at.get("vega_lite_chart"))
        labels = [b.proto.label for b in at.get("download_button")]
        assert labels.count("Télécharger (PNG)") == labels.count("Tableau (CSV)") == charts[label]
    assert charts == {"Ateliers numériques": 1, "Permanences": 2, "Accompagnement juridique": 1, "Équipement": 1}
    assert "ordinateurs reconditionnés vendus" in texts(at)


def test_a_year_without_workshops_says_so(app_db):
    at = open_page("viewer", "accompagnement")
    at.selectbox(key="acc_annee").select(2016).run()
    assert not at.exception
    assert "Aucune séance d'atelier numérique enregistrée en 2016." in texts(at)
    assert metric(at, "Cycles d'ateliers") == "0"
