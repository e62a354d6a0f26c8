"""Internet en habitat social: the domain package (no Streamlit here, except in ihs.ui)."""
