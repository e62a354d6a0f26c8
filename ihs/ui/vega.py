"""Charts on the page: an Altair chart turned into a Vega-Lite spec once, cheaply, then shown.

Public APIs only: Altair's `to_dict` and data transformers, then `st.vega_lite_chart`, which
sends each data frame of the spec's `datasets` to the browser as Arrow (as `st.altair_chart`
does). Two things make it faster than `st.altair_chart`, and either can be deleted without
changing a chart (`tests/ihs/test_vega.py` renders both ways and requires the same picture):

- no schema check at run time: `st.altair_chart` validates the whole chart against the
  Vega-Lite schema on every run, most of a dashboard's time at national scale (`python -m ihs
  bench`). The tests set `VALIDATE`, so every chart a page draws is still checked;
- a chart given as an `ihs.charts.Spec` (the map, the calendar, the live ballot…) is built by
  Altair once per shape and process (`template`): each run only attaches its data frames and
  its values (as Vega-Lite parameters). Its structure is code, like the page script Streamlit
  compiles once; what comes from the database is attached on every run.

The shared look (`ihs.charts.CONFIG`) and the height are set on the spec as plain dict keys.
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

from ihs.charts import CONFIG, Spec, height_px

# Specs whose views each have their own height (Vega's `child_height`…): they keep `height` as it is.
_COMPOSED = frozenset({"concat", "hconcat", "vconcat", "facet", "repeat"})
VALIDATE = False  # the tests turn it on: the full schema check of every chart shown
# Altair's data transformer is process-wide state: one conversion at a time.
_LOCK = threading.Lock()


def _digest(frame: pd.DataFrame) -> str:
    """A name for the frame's content: the same rows give the same name on every run, so the
    browser keeps a chart whose data did not change."""
    try:
        rows = pd.util.hash_pandas_object(frame, index=False)
    except TypeError:  # a cell holds a list or a dict
        rows = pd.util.hash_pandas_object(frame.astype(str), index=False)
    digest = hashlib.sha256(rows.to_numpy().tobytes())
    digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    return "d" + digest.hexdigest()[:20]


def _named(data: Any, datasets: dict[str, Any]) -> dict:
    """Altair data transformer: a data frame becomes a named dataset of the spec (Streamlit sends
    it as Arrow); other data (GeoJSON features) stays inline."""
    if not isinstance(data, pd.DataFrame):
        return alt.to_values(data)
    name = _digest(data)
    datasets[name] = data
    return {"name": name}


alt.data_transformers.register("ihs_named", _named)


def _to_dict(chart: alt.TopLevelMixin, check: bool) -> dict:
    datasets: dict[str, Any] = {}
    with _LOCK, alt.data_transformers.enable("ihs_named", datasets=datasets):
        out = chart.to_dict(validate=check)
    if datasets:
        out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


@functools.lru_cache(maxsize=64)
def template(build: Callable[..., alt.TopLevelMixin], shape: tuple, tables: tuple, values: tuple, check: bool) -> dict:
    """The Vega-Lite of `build(*shape)` with named datasets for `tables` and parameters for `values`.

    Shared between runs: callers copy what they change (`spec` replaces top-level keys only).
    """
    chart = build(*shape, **{t: alt.NamedData(name=t) for t in tables}, **{v: alt.ExprRef(expr=v) for v in values})
    out = _to_dict(chart, check)
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
    # This run's tables under the names the template gave them (data frames, or GeoJSON features).
    out["datasets"] = base.get("datasets", {}) | dict(chart.data)
    return out


def spec(chart: alt.TopLevelMixin | Spec, height: int = 360, title: str | None = None) -> dict:
    """The Vega-Lite spec of `chart` at `height` (and with `title`), with the shared look."""
    out = _from_template(chart) if isinstance(chart, Spec) else _to_dict(chart, VALIDATE)
    out["height"] = height  # as `.properties(height=…)` would, without its copy of the chart
    if not _COMPOSED.intersection(out):  # one view (or layers): its height follows the screen
        out["params"] = [*out.get("params", []), {"name": "height", "expr": height_px(height)}]
    if title is not None:
        out["title"] = title
    # The shared look replaces Altair's default theme (its 300 × 300 view), as st.altair_chart does.
    out["config"] = copy.deepcopy(CONFIG) | {k: v for k, v in out.get("config", {}).items() if k != "view"}
    return out


def show(
    chart: alt.TopLevelMixin | Spec, *, height: int = 360, title: str | None = None, key: str | None = None, **kwargs
):
    """Draw `chart` full width; `kwargs` go to `st.vega_lite_chart` (on_select, selection_mode…)."""
    return st.vega_lite_chart(spec(chart, height, title), width="stretch", key=key, **kwargs)
