"""Shared page pieces: banners, big figures, charts with their downloads, French tables."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from ihs.charts import Spec, style, to_json, to_png
from ihs.exports import to_csv_bytes
from ihs.ui import vega
from ihs.users import Actor

Table = pd.DataFrame | Callable[[], pd.DataFrame]


def no_data(message: str = "Aucune donnée pour ce choix.") -> None:
    """Say that there is nothing to show, instead of an empty chart or table."""
    st.info(message)


def link(page: str, label: str, icon: str | None = None) -> None:
    """A link to another page of the app; plain text when the page is run on its own (outside the
    app's navigation, as the page tests do), where Streamlit knows no other page."""
    try:
        st.page_link(page, label=label, icon=icon)
    except StreamlitAPIException:
        st.markdown(f"→ {label}")


def no_sectors(actor: Actor) -> None:
    """What an entry page shows when no sector is open to the user: who may create sectors is told
    where, anyone else to ask the coordination."""
    if actor.can("reference"):
        st.info("Aucun secteur pour l'instant : créez d'abord les secteurs du programme.")
        link("pages/admin_secteurs.py", "Administration › Secteurs", ":material/holiday_village:")
        link("pages/mise_en_place.py", "Étapes de mise en place", ":material/checklist:")
    else:
        st.info("Aucun secteur n'est rattaché à votre organisation : demandez à la coordination de l'ajouter.")


def chart(
    ch: alt.TopLevelMixin | Spec,
    data: Table,
    key: str,
    *,
    height: int = 360,
    title: str | None = None,
    alt: str | None = None,
    **kwargs,
):
    """Show a styled chart with, under it, « Télécharger (PNG) » and its table as CSV.

    `data`: the table behind the CSV, or a function that makes it (called on the click only).
    `alt`: the chart in one sentence with its key figure, for whoever cannot see it: the name a
    screen reader gives the chart (Streamlit's `alt`), and of its « Voir les données » table.
    """
    if alt:
        kwargs["alt"] = alt
    event = vega.show(ch, height=height, title=title, key=key, **kwargs)
    if vega.VALIDATE:  # the tests: the PNG download must be able to serialise this chart too
        to_json(style(ch, height=height, title=title))
    downloads(ch, data, key, height=height, title=title)
    return event


def downloads(
    ch: alt.TopLevelMixin | Spec, data: Table, key: str, *, height: int = 360, title: str | None = None
) -> None:
    """The chart as PNG and its table as CSV, each made only when its button is clicked."""
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "Télécharger (PNG)",
        data=lambda: to_png(style(ch, height=height, title=title)),
        file_name=f"{key}.png",
        mime="image/png",
        key=f"{key}_png",
    )
    right.download_button(
        "Tableau (CSV)",
        data=lambda: to_csv_bytes(data() if callable(data) else data),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"{key}_csv",
    )


def lazy_tabs(labels: list[str], key: str):
    """Tabs of which only the open one runs: draw each as `if tab.open: with tab: …`.

    Switching tab reruns the page, so a page reads and draws what its open tab shows, not all of
    them (fetch what the screen shows). `key` holds the open tab's label in session state.
    """
    return st.tabs(labels, key=key, on_change="rerun")


def table(df: pd.DataFrame, key: str | None = None, **column_config) -> None:
    """A full-width table without the index."""
    st.dataframe(df, hide_index=True, width="stretch", column_config=column_config or None, key=key)
