"""Abonnés et adhésion: totals, per-sector and cohort curves, tariff steps, cost per subscriber."""

import json

import pandas as pd
import pyarrow as pa

from ihs.formats import fr_date, fr_eur, fr_int
from ihs.queries.overview import summary
from tests.apptest import metric, open_page, texts
from tests.conftest import TODAY
from tests.ihs.test_uptake import _charges_by_hand


def _specs(at) -> list[str]:
    return [json.dumps(json.loads(el.proto.spec), ensure_ascii=False) for el in at.get("vega_lite_chart")]


def _chart_rows(at) -> list:
    """The rows behind every chart (Streamlit ships chart data as Arrow datasets)."""
    frames = []
    for el in at.get("vega_lite_chart"):
        for ds in el.proto.datasets:
            frames.append(pa.ipc.open_stream(ds.data.data).read_pandas())
    return frames


TABS = ["Tous secteurs", "Par secteur", "Depuis la mise en œuvre", "Tarif et coût"]


def _open_tab(at, label: str):
    at.session_state["adhesion_onglet"] = label
    return at.run()


def test_totals_curves_tariff_and_cost(app_db):
    at = open_page("viewer", "adhesion")
    assert not at.exception
    assert metric(at, "Abonnés") == fr_int(summary(app_db, TODAY)["subscribers"])
    # Only the open tab is read and drawn: two charts per tab but the cohort one.
    per_tab = {}
    for label in TABS:
        _open_tab(at, label)
        assert not at.exception
        per_tab[label] = _specs(at)
    assert [len(per_tab[t]) for t in TABS] == [2, 1, 1, 2]
    assert "Mois depuis la mise en œuvre" in per_tab["Depuis la mise en œuvre"][0]
    assert "step-after" in per_tab["Tarif et coût"][0] and "€ par abonné et par an" in per_tab["Tarif et coût"][1]
    page = texts(at)
    # The year's charges month by month, and apart from them the run rate (issue 17), by hand.
    charges, run_rate, months = _charges_by_hand(app_db, TODAY.year, TODAY)
    assert months == TODAY.month
    assert f"Facturé du 01/01/{TODAY.year} au {fr_date(TODAY)} ({months} mois) : {fr_eur(charges, 0)}." in page
    assert f"× 12 = {fr_eur(run_rate, 0)} par an" in page and "par abonné et par an" in page


def test_sector_filter_drives_the_curves(app_db):
    at = open_page("viewer", "adhesion")
    _open_tab(at, "Par secteur")
    at.multiselect(key="adhesion_secteurs").set_value(["kerourien", "keredern"]).run()
    names = set()
    for frame in _chart_rows(at):
        if "name" in frame.columns:
            names |= set(frame["name"])
    assert {"Kerourien", "Keredern"} <= names
    assert "Pilier Rouge" not in names


def test_no_sector_chosen_says_so(app_db):
    at = open_page("viewer", "adhesion")
    at.multiselect(key="adhesion_secteurs").set_value([]).run()
    assert not at.exception
    assert len(_specs(at)) == 2  # the totals do not depend on the choice
    for label in ("Par secteur", "Depuis la mise en œuvre"):
        _open_tab(at, label)
        assert "Aucun secteur choisi" in texts(at)
        assert not _specs(at)


def test_the_uptake_curve_marks_each_sector_joining(app_db):
    """#19 item 6: the programme's uptake drops when a sector joins: each joining is on the curve.
    By hand: each sector whose implementation actually started by today, named in the chart's rows."""
    from sqlalchemy import select

    from ihs import models as m
    from ihs.db import session_scope

    with session_scope("tests", engine=app_db) as s:
        joined = set(
            s.execute(
                select(m.Sector.name)
                .join(m.Deployment, m.Deployment.sector_id == m.Sector.id)
                .join(m.DeploymentStage, m.DeploymentStage.deployment_id == m.Deployment.id)
                .where(m.DeploymentStage.stage == "implementation", m.DeploymentStage.actual_start <= TODAY)
            ).scalars()
        )
    assert len(joined) >= 12  # the public record's sectors, at least
    at = open_page("viewer", "adhesion")
    assert not at.exception
    events = [frame for frame in _chart_rows(at) if "label" in frame.columns]
    assert events, "no event on the uptake curve"
    joins = pd.concat(events).query("kind == 'join'").drop_duplicates("name")
    assert set(joins["name"]) == joined
    assert all(label.startswith("entrée d") for label in joins["label"])
