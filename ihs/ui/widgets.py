"""Shared page pieces: banners, big figures, charts with their downloads, French tables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from ihs.charts import Spec, style, to_json, to_png
from ihs.events import entry_sector_choices
from ihs.exports import to_csv_bytes
from ihs.ui import vega
from ihs.ui.auth import require_page
from ihs.ui.data import read
from ihs.ui.nav import spec_for
from ihs.users import Actor

Table = pd.DataFrame | Callable[[], pd.DataFrame]


def page_start(page: str, intro: str | None = None) -> Actor:
    """The top of a page a role must be allowed to open: the check (`auth.require_page`), the
    page's title (h1), which is its menu title, and under it what the page is for; the actor."""
    actor = require_page(page)
    st.title(spec_for(page).title)
    if intro:
        st.caption(intro)
    return actor


def entry_sectors(actor: Actor) -> dict[int, str]:
    """The sectors `actor` may enter data for, by id (their names); when there are none, says
    what to do (`no_sectors`) and stops the page."""
    sectors = read(entry_sector_choices, actor)
    if not sectors:
        no_sectors(actor)
        st.stop()
    return {s.id: s.name for s in sectors}


def section(title: str, rows: pd.DataFrame, empty: str) -> pd.DataFrame:
    """A small part of a page under its own heading (h3, inside a page section): `empty` said
    when it has no rows; the rows, for the page to draw."""
    st.subheader(title)
    if rows.empty:
        st.write(empty)
    return rows


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


def chart_of(
    data: pd.DataFrame | None,
    draw: Callable[[pd.DataFrame], alt.Chart],
    key: str,
    *,
    title: str,
    empty: str,
    alt: Callable[[pd.DataFrame], str],
    height: int = 360,
) -> None:
    """`draw(data)` under `title`, as `chart` shows it (with `alt(data)`, its one-sentence text
    alternative); `empty` instead when there is no data (None, or no rows)."""
    if data is None or data.empty:
        no_data(empty)
        return
    chart(draw(data).properties(title=title), data, key=key, height=height, alt=alt(data))


class Download(NamedTuple):
    """One download button: `data` is bytes, or a function that makes them on the click."""

    label: str
    data: Any
    file_name: str
    mime: str
    key: str


def download_row(*buttons: Download) -> None:
    """Download buttons side by side, on the left, each as wide as its label (in a narrow column
    they go one under the other rather than cut their labels to « Télécharg… »)."""
    row = st.container(horizontal=True, wrap=True)
    for button in buttons:
        row.download_button(
            button.label, data=button.data, file_name=button.file_name, mime=button.mime, key=button.key
        )


def downloads(
    ch: alt.TopLevelMixin | Spec, data: Table, key: str, *, height: int = 360, title: str | None = None
) -> None:
    """The chart as PNG and its table as CSV, each made only when its button is clicked."""
    download_row(
        Download(
            "Télécharger (PNG)",
            lambda: to_png(style(ch, height=height, title=title)),
            f"{key}.png",
            "image/png",
            f"{key}_png",
        ),
        Download(
            "Tableau (CSV)",
            lambda: to_csv_bytes(data() if callable(data) else data),
            f"{key}.csv",
            "text/csv",
            f"{key}_csv",
        ),
    )


def lazy_tabs(labels: list[str], key: str):
    """Tabs of which only the open one runs: draw each as `if tab.open: with tab: …`.

    Switching tab reruns the page, so a page reads and draws what its open tab shows, not all of
    them (fetch what the screen shows). `key` holds the open tab's label in session state.
    """
    return st.tabs(labels, key=key, on_change="rerun")


def labelled_table(df: pd.DataFrame, columns: dict[str, tuple[str, Callable | None]], key: str, *, empty: str) -> None:
    """`df`'s `columns` as a table, each under its French label and written by its formatter
    (`fr_date`, `fr_eur`… or None: as it is); `empty` instead when `df` has no rows."""
    if df.empty:
        no_data(empty)
        return
    shown = pd.DataFrame({label: df[name].map(fmt) if fmt else df[name] for name, (label, fmt) in columns.items()})
    table(shown, key=key)


def table(df: pd.DataFrame, key: str | None = None, **column_config) -> None:
    """A full-width table without the index."""
    st.dataframe(df, hide_index=True, width="stretch", column_config=column_config or None, key=key)
