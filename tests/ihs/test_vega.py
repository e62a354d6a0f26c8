"""ihs.ui.vega: the spec a page sends — shared look, named data, and the schema check the tests keep."""

import altair as alt
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from ihs.charts import CONFIG, FR_NUMBER
from ihs.ui import vega

DATA = pd.DataFrame({"mois": ["janv.", "févr."], "abonnés": [120, 135]})


def test_spec_carries_the_shared_look_and_its_data_frame_by_name():
    spec = vega.spec(alt.Chart(DATA).mark_bar().encode(x="mois:N", y="abonnés:Q"), height=300, title="Abonnés")
    assert spec["height"] == 300 and spec["title"] == "Abonnés"
    assert spec["config"]["locale"]["number"] == FR_NUMBER
    assert spec["config"]["axis"]["labelFontSize"] == CONFIG["axis"]["labelFontSize"]
    assert "continuousWidth" not in spec["config"].get("view", {})  # not Altair's default 300 × 300
    [(name, frame)] = spec["datasets"].items()
    assert spec["data"] == {"name": name}
    pd.testing.assert_frame_equal(frame, DATA)  # st.vega_lite_chart sends it as Arrow
    # Same data, same name: the browser keeps the chart across reruns; other data, another name.
    again = vega.spec(alt.Chart(DATA.copy()).mark_bar().encode(x="mois:N", y="abonnés:Q"), height=300)
    assert list(again["datasets"]) == [name]
    other = vega.spec(alt.Chart(DATA.assign(abonnés=[120, 136])).mark_bar().encode(x="mois:N", y="abonnés:Q"))
    assert list(other["datasets"]) != [name]


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

        chart = alt.Chart(pd.DataFrame({"x": [1, 2]})).mark_point().encode(x="x:Q")
        vega.show(chart, height=250, title="Essai", key="essai")

    at = AppTest.from_function(page).run()
    assert not at.exception
    [el] = at.get("vega_lite_chart")
    assert '"height": 250' in el.proto.spec and '"title": "Essai"' in el.proto.spec
    # The data frame left the spec for the element's Arrow datasets, under the spec's name for it.
    [dataset] = el.proto.datasets
    assert f'"name": "{dataset.name}"' in el.proto.spec and dataset.data.data


# ---- charts drawn from a template (ihs.charts.Spec) --------------------------------------------


def _png(spec: dict) -> bytes:
    """What the browser would draw from a page's spec: its datasets as rows, rendered offline."""
    import json

    import vl_convert

    from ihs.charts import _iso

    out = dict(spec)
    out["datasets"] = {
        name: alt.to_values(d)["values"] if isinstance(d, pd.DataFrame) else d
        for name, d in spec.get("datasets", {}).items()
    }
    out["width"] = 900  # the page gives the container's width
    return vl_convert.vegalite_to_png(json.dumps(out, default=_iso))


def _specs(engine) -> dict:
    """Each chart the pages draw from a template, on the demo's data (and the national map's points)."""
    from ihs import geo
    from ihs.queries.awareness import awareness
    from ihs.queries.calendar import deployment_stages
    from ihs.queries.calendar import sector_milestones as milestones
    from ihs.viz.awareness import newcomers_chart
    from ihs.viz.ballots import count_chart, places_chart, turnout_curve_chart
    from ihs.viz.calendar import timeline_chart
    from ihs.viz.map import sector_map_spec
    from ihs.viz.sector import milestones_chart
    from tests.conftest import TODAY

    data = geo.sector_map_data(engine, TODAY)
    points = geo.sector_features(pd.concat([data] * (geo.MAX_SHAPES // len(data) + 1), ignore_index=True))
    current = pd.DataFrame({"elapsed_days": [0.0, 1.5, 3.2], "share": [0.0, 0.21, 0.38]})
    previous = pd.DataFrame(
        {
            "elapsed_days": [0.0, 2.0, 4.0, 7.0],
            "mean_share": [0.0, 0.3, 0.45, 0.6],
            "min_share": [0.0, 0.2, 0.3, 0.5],
            "max_share": [0.0, 0.35, 0.55, 0.72],
        }
    )
    places = pd.DataFrame({"name": ["Maison de quartier", "Hall B"], "voters": [210, 95]})
    counts = pd.DataFrame({"label": ["Oui", "Non", "Blancs", "Nuls"], "votes": [412, 120, 8, 3]})
    return {
        "carte (contours)": sector_map_spec(geo.sector_features(data), "stage"),
        "carte (adhésion)": sector_map_spec(geo.sector_features(data), "uptake"),
        "carte (points)": sector_map_spec(points, "stage"),
        "calendrier": timeline_chart(deployment_stages(engine, None, (), TODAY), TODAY),
        "courbe": turnout_curve_chart(current, previous, {"share": 0.55}, 7.0),
        "courbe (premier scrutin)": turnout_curve_chart(current, previous.iloc[0:0], None, 7.0),
        "bureaux": places_chart(places),
        "dépouillement": count_chart(counts),
        "sensibilisation": newcomers_chart(awareness(engine, TODAY), 0.3),
        "fiche secteur": milestones_chart(milestones(engine, "kerourien")),
    }


def test_a_chart_from_its_template_draws_what_altair_draws(engine):
    # The template puts named datasets and parameters where the chart had its data and figures:
    # the picture must not change (the map's extent, the curve's scales, the calendar's order).
    for name, chart in _specs(engine).items():
        fast = vega.spec(chart, height=400)
        assert fast["datasets"] and all(isinstance(t, pd.DataFrame | list) for t in fast["datasets"].values()), name
        assert _png(fast) == _png(vega.spec(chart.chart(), height=400)), name


def test_a_template_is_built_once_per_shape(engine):
    from ihs.viz.ballots import places_chart

    vega.template.cache_clear()
    first = vega.spec(places_chart(pd.DataFrame({"name": ["A"], "voters": [3]})))
    second = vega.spec(places_chart(pd.DataFrame({"name": ["A", "B"], "voters": [3, 9]})))
    titled = vega.spec(places_chart(pd.DataFrame({"name": ["A"], "voters": [3]})), title="Votants par bureau – A")
    assert vega.template.cache_info().misses == 1
    assert [len(spec["datasets"]["places"]) for spec in (first, second)] == [1, 2]  # each run's own rows
    assert first["layer"] is second["layer"]  # the structure is shared, not rebuilt
    assert titled["title"] == "Votants par bureau – A" and "title" not in first  # a title is not part of the shape


def _legend_chart(*, rows):
    return alt.Chart(rows).mark_bar().encode(x="x:Q", color=alt.Color("c:N", legend=alt.Legend(title=None)))


def test_showing_a_chart_leaves_its_template_as_built():
    # Streamlit edits a top-level legend title in the spec it is given: not in the shared template.
    import copy

    from ihs.charts import Spec

    chart = Spec(_legend_chart, data={"rows": pd.DataFrame({"x": [1, 2], "c": ["a", "b"]})})
    built = copy.deepcopy(vega.template(_legend_chart, (), ("rows",), (), vega.VALIDATE))

    def page(chart):
        from ihs.ui import vega

        vega.show(chart, key="légende")

    at = AppTest.from_function(page, args=(chart,)).run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 1
    assert vega.template(_legend_chart, (), ("rows",), (), vega.VALIDATE) == built


def _height_at(expr: str, width: int, height: int) -> int:
    """The height expression evaluated by hand for a window `width`×`height` (`clamp`, `round`, `min`
    and `||` as Vega has them)."""
    assert "windowSize()[0] || 1280" in expr and "windowSize()[1] || 720" in expr
    expr = expr.replace("(windowSize()[0] || 1280)", str(width)).replace("(windowSize()[1] || 720)", str(height))
    return eval(expr, {"clamp": lambda v, lo, hi: max(lo, min(hi, v)), "round": lambda v: int(v + 0.5), "min": min})


def test_a_chart_keeps_its_share_of_a_larger_screen():
    """#19 item 1: a chart 300 px high at 1280×720 is 450 px high at 1920×1080 (a slide's map kept
    540 px, half of the screen); a phone, a short wide window and the PNG (no window) keep 300 px;
    at most 500 px. A spec of several views (their own heights) is left as it is."""
    spec = vega.spec(alt.Chart(DATA).mark_bar().encode(x="mois:N", y="abonnés:Q"), height=300)
    [param] = [p for p in spec["params"] if p["name"] == "height"]
    sizes = [(1280, 720), (1920, 1080), (390, 844), (1920, 720), (3840, 2160)]
    assert [_height_at(param["expr"], w, h) for w, h in sizes] == [300, 450, 300, 300, 500]
    both = alt.hconcat(alt.Chart(DATA).mark_bar().encode(x="mois:N"), alt.Chart(DATA).mark_line().encode(x="mois:N"))
    assert "params" not in vega.spec(both, height=300)
