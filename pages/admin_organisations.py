"""Placeholder: being written."""

import streamlit as st

from ihs.ui.auth import require_page

require_page("pages/admin_organisations.py")
st.header("admin_organisations")
