"""Vue d'ensemble: the programme's key figures today."""

import streamlit as st

from ihs.formats import fr_date, fr_eur, fr_int, fr_pct
from ihs.queries.overview import summary
from ihs.ui.asof import as_of, frozen_band
from ihs.ui.data import read

today = as_of()
frozen_band()
data = read(summary, today)
st.title("Internet en habitat social")
st.caption(f"Chiffres au {fr_date(today)}")
cols = st.columns(4)
cols[0].metric("Secteurs déployés", data["sectors_deployed"])
cols[1].metric("Logements couverts", fr_int(data["dwellings_covered"]))
cols[2].metric("Abonnés", fr_int(data["subscribers"]))
cols[3].metric("Taux d'adhésion", fr_pct(data["uptake"]))
st.metric("Tarif mensuel par logement", fr_eur(data["monthly_price_eur"]))
