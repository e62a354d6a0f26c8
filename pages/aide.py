"""Guide d'utilisation: the partners' guide (`docs/guide.md`), for every role."""

import streamlit as st

from ihs.guide import user_guide

st.markdown(user_guide())
