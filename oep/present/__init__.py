"""The presentation layer: how figures reach a person.

Owns labels, units and headline tiles (``display``), the sentences under them, plotly charts
(``charts``), GOV.UK dates and the framework pages' text (``framework``), view addresses
(``url_state``), PDF board packs (``pdf``, ``boardpack``), the warm-up of a new store version, and
the only Streamlit code in ``oep``: ``ui`` (login, page context, chart and table blocks) and
``headless`` (pages run without a browser, for tests and benchmarks). May import ``oep.data`` and
``oep.domain``; never ``oep.tools``.
"""
