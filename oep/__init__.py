"""OEP dashboard logic: store, importers, access policy, categorisation and charts.

Nothing here imports Streamlit except ``oep.ui``.
"""
