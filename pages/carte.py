"""Carte des secteurs: an offline map of the sectors, numbered and coloured by stage or uptake, with the
numbered list beside it and the table under it; a click opens a sector."""

import pandas as pd
import streamlit as st

from ihs import geo
from ihs.formats import fr_date, fr_int, fr_pct
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import read
from ihs.ui.widgets import chart, no_data
from ihs.viz.map import SELECTION, sector_legend, sector_map_spec, sector_table, sector_table_csv

COLOUR_MODES = {"stage": "Étape du déploiement", "uptake": "Taux d'adhésion"}

today = as_of()
frozen_band()
st.title("Carte des secteurs")
data = read(geo.sector_map_data, today)
if data.empty:
    no_data("Aucun secteur enregistré pour l'instant : la carte est vide.")
    st.stop()

colour_by = st.segmented_control(
    "Couleur selon",
    list(COLOUR_MODES),
    format_func=COLOUR_MODES.get,
    default="stage",
    key="carte_couleur",
    required=True,
    label_visibility="collapsed",  # the choices say it; the map and its list come up 30 px
)
features = geo.sector_features(data)
map_chart = sector_map_spec(features, colour_by or "stage")
numbered = "markers" in map_chart.data  # not a map of points, nor of more sectors than a list can hold
commune = geo.commune_phrase()
on_map, beside = st.columns([3, 1]) if numbered else (st.container(), None)
with on_map:
    event = chart(
        map_chart,
        lambda: sector_table_csv(data),
        key="carte",
        height=480,
        on_select="rerun",
        selection_mode=SELECTION,
        alt=f"Carte des {fr_int(len(data))} secteurs sur {commune}"
        + (", numérotés dans l'ordre alphabétique" if numbered else "")
        + ", colorés selon "
        + (
            "l'étape du déploiement : "
            + ", ".join(f"{fr_int(n)} {label.lower()}" for label, n in data["stage_label"].value_counts().items())
            if colour_by != "uptake"
            else f"le taux d'adhésion, de {fr_pct(data['uptake'].min())} à {fr_pct(data['uptake'].max())}"
        )
        + " ; la liste des secteurs suit.",
    )
if beside is not None:
    # The numbers of the map, read from across the room: the same as in the table below. A long
    # list scrolls beside the map instead of pushing the page down.
    with beside.container(height=480 if len(data) > 20 else "content", border=False):
        st.markdown("  \n".join(sector_legend(data, map_chart.data["markers"])))
picked = ((event or {}).get("selection") or {}).get(SELECTION) or []
if picked and picked[0].get("code"):
    st.switch_page("pages/secteur.py", query_params={"secteur": picked[0]["code"]})

shapes = (
    "Un point par secteur, de surface proportionnelle aux logements (position approximative)."
    if isinstance(features, pd.DataFrame)
    else "Contours : quartiers de veille connus ; sinon cercle au centre du secteur (position approximative), "
    "de surface proportionnelle aux logements." + (" Chaque secteur porte son numéro de la liste." if numbered else "")
)
st.caption(
    f"Situation au {fr_date(today)}. Cliquez sur un secteur pour ouvrir sa fiche. {shapes} "
    f"En gris pointillé : quartiers de veille ; en gris clair : {commune}."
)
st.caption(
    f"Sources des fonds de carte : commune — {geo.attribution(geo.COMMUNE)} ; "
    f"quartiers de veille — {geo.attribution(geo.VEILLE)}."
)

st.header("Tous les secteurs")
st.caption("Cochez une ligne pour ouvrir la fiche du secteur.")
picked_row = st.dataframe(
    sector_table(data),
    hide_index=True,
    width="stretch",
    key="carte_liste",
    on_select="rerun",
    selection_mode="single-row",
)
rows = picked_row.selection.rows if picked_row else []
if rows:
    st.switch_page("pages/secteur.py", query_params={"secteur": data["code"].iloc[rows[0]]})
