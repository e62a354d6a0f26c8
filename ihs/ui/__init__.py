"""The only part of `ihs` that imports Streamlit: shared widgets, cache wrappers, the login gate."""
