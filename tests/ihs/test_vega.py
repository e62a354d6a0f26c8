"""ihs.ui.vega: the spec a page sends — shared look, Arrow data, and the schema check the tests keep."""

import altair as alt
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ihs.charts import CONFIG, FR_NUMBER
from ihs.ui import vega

DATA = pd.DataFrame({"mois": ["janv.", "févr."], "abonnés": [120, 135]})


def test_spec_carries_the_shared_look_and_data_as_arrow():
    spec = vega.spec(alt.Chart(DATA).mark_bar().encode(x="mois:N", y="abonnés:Q"), height=300)
    assert spec["height"] == 300
    assert spec["config"]["locale"]["number"] == FR_NUMBER
    assert spec["config"]["axis"]["labelFontSize"] == CONFIG["axis"]["labelFontSize"]
    assert "continuousWidth" not in spec["config"].get("view", {})  # not Altair's default 300 × 300
    [(name, payload)] = spec["datasets"].items()
    assert spec["data"] == {"name": name} and isinstance(payload, bytes)
    # Same data, same name: the browser keeps the chart across reruns.
    again = vega.spec(alt.Chart(DATA.copy()).mark_bar().encode(x="mois:N", y="abonnés:Q"), height=300)
    assert list(again["datasets"]) == [name]


def test_inline_values_stay_in_the_spec():
    values = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [-4.5, 48.4]}, "properties": {}}]
    spec = vega.spec(alt.Chart(alt.Data(values=values)).mark_geoshape())
    assert spec["data"] == {"values": values}


def test_the_tests_validate_every_chart():
    assert vega.VALIDATE  # set by tests/conftest.py
    bad = alt.Chart(DATA).mark_bar().encode(x=alt.X("mois:N", axis=alt.Axis(labelFontSize="grand")))
    with pytest.raises(Exception, match="grand"):
        vega.spec(bad)


def test_page_shows_the_spec():
    def page():
        import altair as alt
        import pandas as pd

        from ihs.ui import vega

        vega.show(alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q"), height=250, key="essai")

    at = AppTest.from_function(page).run()
    assert not at.exception
    [el] = at.get("vega_lite_chart")
    assert '"height": 250' in el.proto.spec and len(el.proto.datasets) == 1
