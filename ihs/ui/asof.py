"""The date the dashboards show: today, or the date frozen for a steering-committee meeting."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ihs import clock
from ihs.formats import fr_date
from ihs.meetings import active_freeze
from ihs.ui.data import read


def as_of() -> date:
    """Every dashboard reads its figures as of this date."""
    return read(active_freeze) or clock.today()


def frozen_band() -> None:
    """A clear band when figures are frozen for a meeting."""
    frozen = read(active_freeze)
    if frozen:
        st.info(
            f"Chiffres arrêtés au {fr_date(frozen)} pour la séance du comité de pilotage.", icon=":material/push_pin:"
        )
