"""Accompagnement shows the year's support figures (same as a direct count) and says when there are none."""

import json

from sqlalchemy import text

from ihs.db import session_scope
from ihs.formats import fr_eur, fr_int, fr_pct
from ihs.programme import set_setting
from ihs.queries.support import support_totals, workshop_cycles
from ihs.users import SYSTEM
from tests.apptest import chart_data, metric, open_page, texts
from tests.conftest import TODAY
from tests.pages.layout import kinds_in_order


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
    assert metric(at, "Reçus en permanence") == fr_int(totals["dropin_people"])
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
    assert f"**{fr_int(sold)} ordinateurs reconditionnés vendus**, {fr_eur(40 * sold, 0)} encaissés." in texts(at)
    # Each tab's chart comes right under the tabs, what it says under it (the shared screen shows
    # the whole chart above the fold).
    kinds = kinds_in_order(at)
    assert kinds[kinds.index("vega_lite_chart") - 1] == "metric"  # nothing between the figures and the chart
    assert kinds.index("vega_lite_chart") < kinds.index("markdown")
    at.session_state["acc_onglet"] = "Accompagnement juridique"
    at.run()
    compared, terminated = totals["offers_compared"], totals["contracts_terminated"]
    assert (
        f"**{fr_int(compared)} offres comparées** avec l'offre collective ; **{fr_int(terminated)} anciens "
        f"contrats résiliés** ({fr_pct(terminated / compared)} des comparaisons)."
    ) in texts(at)
    drawn = chart_data(at.get("vega_lite_chart")[0])
    assert (drawn.groupby("month")["count"].sum() > 0).all()  # only the months with either
    at.session_state["acc_onglet"] = "Permanences"
    at.run()
    # Sections are h2 under the page's h1 (no level skipped).
    assert [h.value for h in at.header] == ["Sujets abordés"] and not at.subheader


def test_a_year_without_workshops_says_so(app_db):
    at = open_page("viewer", "accompagnement")
    at.selectbox(key="acc_annee").select(2016).run()
    assert not at.exception
    assert "Aucune séance d'atelier numérique enregistrée en 2016." in texts(at)
    assert metric(at, "Cycles d'ateliers") == "0"


def test_many_cycles_draw_the_latest_started_and_any_chosen(app_db):
    # Nationally ~180 cycles a year share the chart: it draws `support.chart_max_cycles` by default.
    # The demo's three cycles of 2023 stand in for them with a limit of 2.
    with session_scope("coordination", engine=app_db) as s:
        set_setting(s, SYSTEM, "support.chart_max_cycles", 2)
    at = open_page("viewer", "accompagnement")
    at.selectbox(key="acc_annee").select(2023).run()
    assert not at.exception
    assert (
        "Par défaut, les 2 cycles commencés le plus récemment, sur 3 ; tous sont dans le tableau ci-dessous."
        in texts(at)
    )
    picker = at.multiselect[0]
    assert picker.label == "Cycles sur le graphique"
    assert [picker.format_func(v) for v in picker.value] == [
        "Ateliers numériques – Kerinou (2023)",
        "Ateliers numériques – Pilier Rouge (2023)",
    ]
    drawn = chart_data(at.get("vega_lite_chart")[0])
    # The legend keeps what tells the cycles apart, above the plot with the measures' (beside it, it
    # left a phone's plot a sliver), two cycles to a line, and the chart grows by its lines.
    assert set(drawn["label"]) == {"Kerinou (2023)", "Pilier Rouge (2023)"}
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["encoding"]["color"]["legend"]["orient"] == "top"
    assert spec["encoding"]["color"]["legend"]["columns"] == 2
    assert spec["encoding"]["strokeDash"]["legend"]["orient"] == "top"
    assert spec["height"] == 290 + 30  # the 290 px that fit under the figures, and one line of legend
    # The choice of cycles comes under the chart: the chart first on the shared screen.
    kinds = kinds_in_order(at)
    assert kinds.index("vega_lite_chart") < kinds.index("multiselect")
    assert len(at.dataframe[0].value) == 3  # the table lists every cycle
    # The third cycle is added by its title; with none chosen the chart says what to do.
    cycles = workshop_cycles(app_db, 2023, TODAY)
    picker.select(cycles.loc[cycles["cycle"] == "Ateliers numériques – Saint-Martin (2023)", "series_id"].item()).run()
    assert set(chart_data(at.get("vega_lite_chart")[0])["label"]) == {
        "Kerinou (2023)",
        "Pilier Rouge (2023)",
        "Saint-Martin (2023)",
    }
    for title in list(at.multiselect[0].value):
        at.multiselect[0].unselect(title)
    at.run()
    assert not at.get("vega_lite_chart")
    assert "Choisissez au moins un cycle à afficher sur le graphique." in texts(at)
