"""The date the dashboards show (today, or the date frozen for a steering-committee meeting), and
dashboards that keep themselves current."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from ihs import clock
from ihs.formats import fr_date
from ihs.meetings import active_freeze
from ihs.programme import get_setting
from ihs.ui.data import read, seen_version
from ihs.ui.screen import kiosk


def as_of() -> date:
    """Every dashboard reads its figures as of this date."""
    return read(active_freeze) or clock.today()


def frozen_band() -> None:
    """What every dashboard shows first: a clear band when figures are frozen for a meeting; and
    the page keeps itself current (`keep_current`)."""
    keep_current()
    frozen = read(active_freeze)
    if frozen:
        st.info(
            f"Chiffres arrêtés au {fr_date(frozen)} pour la séance du comité de pilotage.", icon=":material/push_pin:"
        )


def keep_current() -> None:
    """Redraw the page when its figures change, without a reload: every `display.refresh_seconds`
    (setting, default 60 s) a small fragment in the sidebar compares the data version with the
    one the page was drawn at; a write anywhere (on any app server) raises it, and the page is
    drawn again with fresh reads. Nothing moves while nothing changes. The fragment says when
    the figures were last checked: « Mis à jour à HH:MM »."""
    drawn = seen_version()
    seconds = int(read(get_setting, "display.refresh_seconds"))

    @st.fragment(run_every=timedelta(seconds=seconds))
    def watch() -> None:
        if seen_version() != drawn:
            st.rerun(scope="app")
        st.caption(f"Mis à jour à {clock.now():%H:%M} (actualisation toutes les {seconds} s)")

    with st.container() if kiosk() else st.sidebar:  # a kiosk has no sidebar
        watch()
