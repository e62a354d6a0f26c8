"""Placeholder: being written."""

import streamlit as st

from ihs.ui.auth import require_page

require_page("pages/mise_en_place.py")
st.header("mise_en_place")
