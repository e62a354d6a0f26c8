"""Run the app as a given role under AppTest, and read what a page shows."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from ihs.settings import ROOT
from ihs.users import DEMO_ACCOUNTS

USER_OF_ROLE = {role: username for username, _, role, _ in DEMO_ACCOUNTS}


def app_as(role: str | None, *, query: dict | None = None, timeout: float = 30) -> AppTest:
    """The app entry point, logged in as the demo user of `role` (None: not logged in)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if role is not None:
        username = USER_OF_ROLE[role]
        at.session_state["authentication_status"] = True
        at.session_state["username"] = username
        at.session_state["name"] = username
        at.session_state["roles"] = [role]
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def open_page(role: str | None, page: str, *, query: dict | None = None, timeout: float = 30) -> AppTest:
    """Run the app, then switch to `pages/<page>.py` and run it."""
    at = app_as(role, query=query, timeout=timeout)
    at.run()
    at.switch_page(f"pages/{page}.py")
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    return at


def texts(at: AppTest) -> str:
    """Everything a user reads on the page, joined (markdown, metrics, captions, alerts…)."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts.extend(str(el.value) for el in getattr(at, kind))
    for metric in at.metric:
        parts.append(f"{metric.label}: {metric.value}")
    return "\n".join(parts)


def chart_data(element) -> pd.DataFrame:
    """The rows a chart element sends to the browser (its Arrow datasets, joined)."""
    import pyarrow as pa

    frames = [pa.ipc.open_stream(d.data.data).read_pandas() for d in element.proto.datasets]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; have {[m.label for m in at.metric]}")
