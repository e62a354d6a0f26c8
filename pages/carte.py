"""Carte des secteurs: an offline map of the sectors, coloured by stage or uptake; click opens a sector."""

import pandas as pd
import streamlit as st

from ihs import geo
from ihs.formats import fr_date, fr_int, fr_pct
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import read
from ihs.ui.widgets import chart, no_data
from ihs.viz.map import SELECTION, sector_map_spec

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
)
features = geo.sector_features(data)
map_chart = sector_map_spec(features, colour_by or "stage")
event = chart(
    map_chart,
    lambda: data.drop(columns=["geometry"]),
    key="carte",
    height=480,
    on_select="rerun",
    selection_mode=SELECTION,
    alt=f"Carte des {fr_int(len(data))} secteurs, colorés selon "
    + (
        "l'étape du déploiement : "
        + ", ".join(f"{fr_int(n)} {label.lower()}" for label, n in data["stage_label"].value_counts().items())
        if colour_by != "uptake"
        else f"le taux d'adhésion, de {fr_pct(data['uptake'].min())} à {fr_pct(data['uptake'].max())}"
    )
    + " ; la liste des secteurs suit.",
)
picked = ((event or {}).get("selection") or {}).get(SELECTION) or []
if picked and picked[0].get("code"):
    st.switch_page("pages/secteur.py", query_params={"secteur": picked[0]["code"]})

shapes = (
    "Un point par secteur, de surface proportionnelle aux logements (position approximative)."
    if isinstance(features, pd.DataFrame)
    else "Contours : quartiers de veille connus ; sinon cercle au centre du secteur (position approximative), "
    "de surface proportionnelle aux logements."
)
st.caption(
    f"Situation au {fr_date(today)}. Cliquez sur un secteur pour ouvrir sa fiche. {shapes} "
    "En gris pointillé : quartiers de veille ; en gris clair : la commune de Brest."
)
st.caption(f"Fonds : commune — {geo.attribution(geo.COMMUNE)}. Quartiers de veille — {geo.attribution(geo.VEILLE)}.")

st.subheader("Tous les secteurs")
st.caption("Cochez une ligne pour ouvrir la fiche du secteur ; cliquez sur un titre de colonne pour trier.")
listing = pd.DataFrame(
    {
        "Secteur": data["name"],
        "Étape": data["stage_label"],
        "Logements": data["dwellings"],
        "Abonnés": data["subscribers"],
        "Adhésion": data["uptake"] * 100,
    }
)
picked_row = st.dataframe(
    listing,
    hide_index=True,
    width="stretch",
    key="carte_liste",
    on_select="rerun",
    selection_mode="single-row",
    column_config={
        "Logements": st.column_config.NumberColumn(format="%d"),
        "Abonnés": st.column_config.NumberColumn(format="%d"),
        "Adhésion": st.column_config.NumberColumn(format="%.0f %%"),
    },
)
rows = picked_row.selection.rows if picked_row else []
if rows:
    st.switch_page("pages/secteur.py", query_params={"secteur": data["code"].iloc[rows[0]]})
