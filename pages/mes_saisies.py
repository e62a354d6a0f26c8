"""Placeholder until its issue is built."""

import streamlit as st

st.info("Page en construction.")
