"""The data layer: the indicator store and the activity store, and every read and write of them.

Owns the schema and vocabulary of the store, loading published files (``importers``), the store's
parts and atomic swaps, the viewer's scope (``access``), small-number suppression, every query a
page makes (``queries``, where the scope is applied in SQL), the activity store (``records``,
``pg``), the users (``auth``), settings (``config``), and two utilities every layer uses: caches
(``memo``) and plain text (``plain``). Imports nothing else from ``oep`` and never Streamlit.
"""
