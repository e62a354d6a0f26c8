"""An empty page: what Streamlit and app.py cost on their own (`bench.pages`)."""
