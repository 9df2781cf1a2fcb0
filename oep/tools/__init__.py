"""Tools: the command line, the synthetic demo store, benchmarks and load tests.

May import every layer below; nothing imports it except ``app.py`` and ``oep/__main__.py``.
"""
