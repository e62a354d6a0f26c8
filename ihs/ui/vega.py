"""Charts on the page: an Altair chart turned into a Vega-Lite spec once, cheaply, then shown.

`st.altair_chart` validates the whole chart against the Vega-Lite schema and deep-copies it on
every run; at national scale that was most of a dashboard's time (`python -m ihs bench`). Here
the chart is serialised without validation, its data frames go to the browser as Arrow tables
(as `st.altair_chart` does), and the shared look (`ihs.charts.CONFIG`) is set on the spec as a
plain dict. The tests set `VALIDATE`, so every chart a page draws is still checked.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit import dataframe_util

from ihs.charts import CONFIG

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


def spec(chart: alt.TopLevelMixin, height: int = 360) -> dict:
    """The Vega-Lite spec of `chart` at `height`, with the shared look and its data as Arrow."""
    datasets: dict[str, Any] = {}
    with _LOCK, alt.data_transformers.enable("ihs_arrow", datasets=datasets):
        out = chart.to_dict(validate=VALIDATE)
    out["height"] = height  # as `.properties(height=…)` would, without its copy of the chart
    # The shared look replaces Altair's default theme (its 300 × 300 view), as st.altair_chart does.
    out["config"] = copy.deepcopy(CONFIG) | {k: v for k, v in out.get("config", {}).items() if k != "view"}
    if datasets:
        out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


def show(chart: alt.TopLevelMixin, *, height: int = 360, key: str | None = None, **kwargs):
    """Draw `chart` full width; `kwargs` go to `st.vega_lite_chart` (on_select, selection_mode…)."""
    return st.vega_lite_chart(spec(chart, height), width="stretch", key=key, **kwargs)
