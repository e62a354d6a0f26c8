"""What app.py does first: one-line logs, and the production checks of `ihs.production`.

The checks run until they pass once per process and configuration (the demo-account check costs
a bcrypt hash per demo account left): a refused configuration shows its French message on the page, goes to the
log, and stops the run, whatever the URL.
"""

from __future__ import annotations

import logging

import streamlit as st

from ihs import logs, production
from ihs.db import get_engine
from ihs.settings import Settings, get_settings

log = logging.getLogger("ihs.startup")


_passed: set[Settings] = set()


def _problems(settings: Settings) -> list[str]:
    """Checked until they pass (a refusal fixed in the database, such as a demo account disabled,
    needs no restart), then never again in this process for these settings."""
    if settings in _passed:
        return []
    found = production.problems(settings, None if settings.demo else get_engine(settings.database_url))
    for problem in found:
        log.error("start-up refused: %s", problem.replace("\n", " "))
    if not found:
        _passed.add(settings)
    return found


def gate() -> None:
    """Logs set up; the configuration checked; if refused, the reasons on the page and stop."""
    logs.setup()
    found = _problems(get_settings())
    if found:
        for problem in found:
            st.error(problem)
        st.stop()
