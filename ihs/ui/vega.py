"""Charts on the page: an Altair chart turned into a Vega-Lite spec once, cheaply, then shown.

`st.altair_chart` validates the whole chart against the Vega-Lite schema and deep-copies it on
every run; at national scale that was most of a dashboard's time (`python -m ihs bench`). Here
the chart is serialised without validation, its data frames go to the browser as Arrow tables
(as `st.altair_chart` does), and the shared look (`ihs.charts.CONFIG`) is set on the spec as a
plain dict. The tests set `VALIDATE`, so every chart a page draws is still checked.

A chart given as an `ihs.charts.Spec` (the map, the calendar, the live ballot) is built by Altair
once per shape and process (`template`): each run then only attaches its data as Arrow and its
values as parameters. Its structure is code, like the page script Streamlit compiles once; what
comes from the database is attached on every run.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import threading
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from ihs.charts import CONFIG, Spec

VALIDATE = False  # the tests turn it on: the full schema check of every chart shown
# Altair's data transformer is process-wide state: one conversion at a time.
_LOCK = threading.Lock()


def _to_arrow(data: Any, datasets: dict[str, Any]) -> dict:
    """Altair data transformer: a data frame becomes a named Arrow dataset (inline values stay)."""
    if not isinstance(data, pd.DataFrame):
        return alt.utils.data.to_values(data)
    payload = dataframe_util.convert_anything_to_arrow_bytes(data)
    name = "d" + hashlib.md5(payload, usedforsecurity=False).hexdigest()[:20]  # stable across reruns
    datasets[name] = payload
    return {"name": name}


alt.data_transformers.register("ihs_arrow", _to_arrow)


@functools.lru_cache(maxsize=64)
def template(build: Callable[..., alt.TopLevelMixin], shape: tuple, tables: tuple, values: tuple, check: bool) -> dict:
    """The Vega-Lite of `build(*shape)` with named datasets for `tables` and parameters for `values`.

    Shared between runs: callers copy what they change (`spec` replaces top-level keys only).
    """
    chart = build(*shape, **{t: alt.NamedData(name=t) for t in tables}, **{v: alt.ExprRef(expr=v) for v in values})
    datasets: dict[str, Any] = {}  # data the shape itself carries (a legend's rows, say)
    with _LOCK, alt.data_transformers.enable("ihs_arrow", datasets=datasets):
        out = chart.to_dict(validate=check)
    if datasets:
        out["datasets"] = {**out.get("datasets", {}), **datasets}
    if values:
        out["params"] = [*out.get("params", []), *({"name": v, "value": None} for v in values)]
    return out


def _from_template(chart: Spec) -> dict:
    base = template(chart.build, chart.shape, tuple(chart.data), tuple(chart.values), VALIDATE)
    out = dict(base)
    if "encoding" in base:  # st.vega_lite_chart edits a top-level colour legend's title in place
        out["encoding"] = copy.deepcopy(base["encoding"])
    if chart.values:
        out["params"] = [
            {**p, "value": chart.values[p["name"]]} if p["name"] in chart.values else p for p in base["params"]
        ]
    # Tables as Arrow, GeoJSON features as they are (Streamlit leaves those in the spec for the browser).
    out["datasets"] = base.get("datasets", {}) | {
        name: dataframe_util.convert_anything_to_arrow_bytes(table) if isinstance(table, pd.DataFrame) else table
        for name, table in chart.data.items()
    }
    return out


def spec(chart: alt.TopLevelMixin | Spec, height: int = 360) -> dict:
    """The Vega-Lite spec of `chart` at `height`, with the shared look and its data as Arrow."""
    datasets: dict[str, Any] = {}
    if isinstance(chart, Spec):
        out = _from_template(chart)
    else:
        with _LOCK, alt.data_transformers.enable("ihs_arrow", datasets=datasets):
            out = chart.to_dict(validate=VALIDATE)
    out["height"] = height  # as `.properties(height=…)` would, without its copy of the chart
    # The shared look replaces Altair's default theme (its 300 × 300 view), as st.altair_chart does.
    out["config"] = copy.deepcopy(CONFIG) | {k: v for k, v in out.get("config", {}).items() if k != "view"}
    if datasets:
        out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


def show(chart: alt.TopLevelMixin | Spec, *, height: int = 360, key: str | None = None, **kwargs):
    """Draw `chart` full width; `kwargs` go to `st.vega_lite_chart` (on_select, selection_mode…)."""
    return st.vega_lite_chart(spec(chart, height), width="stretch", key=key, **kwargs)
