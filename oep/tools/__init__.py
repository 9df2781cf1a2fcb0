"""Tools: the command line, the synthetic demo store, benchmarks and load tests.

May import every layer; only ``app.py`` (the first-run demo build) and ``oep/__main__.py`` import
it. ``loadtest`` drives a server through Streamlit's websocket messages (``streamlit.proto``), the
one use of Streamlit here, and draws nothing.
"""
