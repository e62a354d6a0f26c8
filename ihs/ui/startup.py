"""What app.py does first: one-line logs, and the production checks of `ihs.production`.

The checks run until they pass once per process and configuration (the demo-account check costs
a bcrypt hash per demo account left): a refused configuration shows its French message on the page, goes to the
log, and stops the run, whatever the URL.
"""

from __future__ import annotations

import logging

import streamlit as st
import streamlit.logger as st_logger

from ihs import logs, production
from ihs.db import get_engine
from ihs.settings import Settings, get_settings

log = logging.getLogger("ihs.startup")
_PATCHED = "_ihs_one_line"


def _streamlit_one_line() -> None:
    """Streamlit's loggers do not propagate: each has its own console handler, made again when its
    config is (re)loaded. Make the existing ones one-line on stdout, and every one it makes later."""
    for logger in list(st_logger._loggers.values()):
        handler = getattr(logger, "streamlit_console_handler", None)
        if handler is not None and not isinstance(handler.formatter, logs.OneLineFormatter):
            logs.one_line(handler, st_logger.DEFAULT_LOG_MESSAGE)
    if not getattr(st_logger.setup_formatter, _PATCHED, False):
        original = st_logger.setup_formatter

        def setup_formatter(logger: logging.Logger) -> None:
            original(logger)
            logs.one_line(logger.streamlit_console_handler, st_logger.DEFAULT_LOG_MESSAGE)

        setattr(setup_formatter, _PATCHED, True)
        st_logger.setup_formatter = setup_formatter


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
    _streamlit_one_line()
    found = _problems(get_settings())
    if found:
        for problem in found:
            st.error(problem)
        st.stop()
