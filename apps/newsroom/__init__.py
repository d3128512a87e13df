"""Helpers of the Streamlit newsroom dashboard: model loading, upload parsing, shared state, rendering."""
