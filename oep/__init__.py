"""OEP dashboard logic, in four layers; each imports only the layers before it in this list.

* ``oep.data``: the stores and everything that reads or writes them (schema, importers, access
  scope, suppression, queries, the activity store, users);
* ``oep.domain``: what the partnership's rules say about those figures (attendance and SEND
  shaping, support categories, disengagement, the data dictionary), as pure functions over frames;
* ``oep.present``: how figures are shown (labels, tiles, charts, tables, PDF packs) and the one
  module that draws with Streamlit, ``oep.present.ui``;
* ``oep.tools``: the command line, the synthetic demo store, benchmarks and load tests.

``app.py`` and ``pages/`` sit above all four. ``tests/unit/test_layers.py`` checks the direction.
See ``docs/architecture.md``.
"""
