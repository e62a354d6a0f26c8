"""Altair fast paths: the same specs, without work Altair repeats on every chart it builds.

At national scale the dashboards' time was mostly Altair's own (`python -m ihs bench`), in three
places where it redoes work whose result cannot change. Each patch keeps Altair's behaviour when
its fast case does not apply, and `tests/ihs/test_altair_fast.py` checks the specs are identical
with and without them. Applied once, on import (by `ihs.charts`). Altair is pinned in
requirements.txt: if an upgrade moves these internals, a patch is skipped (and the test says so).
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import ClassVar

import altair as alt
import pandas as pd
from altair.utils import schemapi
from altair.vegalite.v6 import api

APPLIED: list[str] = []
ORIGINALS: dict[tuple[object, str], object] = {}  # (owner, attribute) -> Altair's own, for the tests


def _replace(owner, name: str, value) -> None:
    ORIGINALS.setdefault((owner, name), owner.__dict__[name])
    setattr(owner, name, value)


def share_schema_table() -> None:
    """Build Altair's schema-to-class table once, not on every shorthand (`x="mois:N"`).

    `SchemaBase.from_dict` rebuilds it from ~600 classes on each call: 3.5 ms per shorthand
    string (the change proposed upstream in vega/altair#3547). The table depends only on the
    classes, fixed once Altair is imported.
    """
    if not hasattr(schemapi, "_FromDict"):
        return
    tables: dict = {}  # keyed by the function listing the classes (it names its own base class)

    def from_dict(cls, dct, validate=True):
        if validate:
            cls.validate(dct)
        key = cls._default_wrapper_classes.__func__
        if key not in tables:
            tables[key] = schemapi._FromDict(cls._default_wrapper_classes())
        return tables[key].from_dict(dct, cls)

    _replace(schemapi.SchemaBase, "from_dict", classmethod(from_dict))
    APPLIED.append("schema table")


def _without_params(charts) -> bool:
    return all(isinstance(c, api.Chart) and alt.utils.is_undefined(c._get("params")) for c in charts)


def skip_param_copies() -> None:
    """Layering charts that have no selection: no deep copy of every layer, twice.

    `LayerChart` copies each layer to merge its selection parameters, then again to remove
    duplicates; with no parameters anywhere both return the layers unchanged.
    """
    if not all(hasattr(api, name) for name in ("_remove_duplicate_params", "_combine_subchart_params")):
        return
    remove, combine = api._remove_duplicate_params, api._combine_subchart_params

    def remove_duplicate_params(layer):
        return list(layer) if _without_params(layer) else remove(layer)

    def combine_subchart_params(params, subcharts):
        if (alt.utils.is_undefined(params) or not params) and _without_params(subcharts):
            return alt.Undefined, list(subcharts)
        return combine(params, subcharts)

    _replace(api, "_remove_duplicate_params", remove_duplicate_params)
    _replace(api, "_combine_subchart_params", combine_subchart_params)
    APPLIED.append("param copies")


def hash_frames_by_content() -> None:
    """A layer's view name hashes its data frame's content, not its printed form.

    `Chart._compute_hash` runs on every layer that shares its data, and printed the data frame
    (`DataFrame.to_string`) to hash it: slow, and blind to rows the printout truncates.
    """
    if not hasattr(api.Chart, "_compute_hash"):
        return
    original = api.Chart._compute_hash

    def compute_hash(self) -> str:
        data = getattr(self, "data", None)
        if not isinstance(data, pd.DataFrame) or self._kwds.get("_cached_hash") is not None:
            return original(self)
        digest = hashlib.sha256(pd.util.hash_pandas_object(data, index=True).to_numpy().tobytes())
        digest.update(",".join(map(str, data.columns)).encode())
        stand_in = self.copy(deep=False)
        stand_in.data = alt.NamedData(name=digest.hexdigest())  # what the hash sees of the data
        return original(stand_in)

    _replace(api.Chart, "_compute_hash", compute_hash)
    APPLIED.append("frame hash")


class Values:
    """Inline data values (GeoJSON features) that Altair passes on as they are.

    `alt.Data(values=Values(features))`: Altair deep-copies and walks plain lists of values at
    every step of building a chart (each coordinate of the map's outlines, several times); it
    hands an object with `to_dict` (its `SchemaLike` protocol) over untouched. The spec gets
    the same list.
    """

    _schema: ClassVar[dict] = {"type": "array"}

    def __init__(self, values: list) -> None:
        self.values = values

    def to_dict(self, *args, **kwargs) -> list:
        return self.values

    def __len__(self) -> int:
        return len(self.values)


@contextmanager
def disabled():
    """Altair's own code back for the duration (the tests compare specs with and without)."""
    patched = {key: key[0].__dict__[key[1]] for key in ORIGINALS}
    for (owner, name), value in ORIGINALS.items():
        setattr(owner, name, value)
    try:
        yield
    finally:
        for (owner, name), value in patched.items():
            setattr(owner, name, value)


def apply() -> None:
    if APPLIED:
        return
    share_schema_table()
    skip_param_copies()
    hash_frames_by_content()
