"""Abonnés et adhésion: totals, per-sector and cohort curves, tariff steps, cost per subscriber."""

import json

import pyarrow as pa

from ihs.formats import fr_int
from ihs.queries.overview import summary
from tests.apptest import metric, open_page, texts
from tests.conftest import TODAY


def _specs(at) -> list[str]:
    return [json.dumps(json.loads(el.proto.spec), ensure_ascii=False) for el in at.get("vega_lite_chart")]


def _chart_rows(at) -> list:
    """The rows behind every chart (Streamlit ships chart data as Arrow datasets)."""
    frames = []
    for el in at.get("vega_lite_chart"):
        for ds in el.proto.datasets:
            frames.append(pa.ipc.open_stream(ds.data.data).read_pandas())
    return frames


def test_totals_curves_tariff_and_cost(app_db):
    at = open_page("viewer", "adhesion")
    assert not at.exception
    assert metric(at, "Abonnés") == fr_int(summary(app_db, TODAY)["subscribers"])
    specs = _specs(at)
    assert len(specs) == 6
    joined = "\n".join(specs)
    assert "Mois depuis la mise en œuvre" in joined and "step-after" in joined
    assert "€ par abonné et par an" in joined
    page = texts(at)
    assert "× 12 =" in page and "par abonné et par an" in page


def test_sector_filter_drives_the_curves(app_db):
    at = open_page("viewer", "adhesion")
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
    assert "Aucun secteur choisi" in texts(at)
    assert len(_specs(at)) == 4  # totals, tariff and cost stay
