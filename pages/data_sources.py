"""Data sources: every load in the store, its publication, period covered and the next release."""

import streamlit as st

from oep.data import queries
from oep.present import framework, ui

ctx = ui.page_context()
st.title("Data sources")
st.markdown("Every file loaded into the dashboard: the publication it comes from, the school "
            "years its figures cover, when it was loaded and when the next release is due.")
ui.table_block(ctx, framework.sources_table(queries.sources(ctx.store)), "data_sources.csv",
               key="data_sources", empty="No data has been loaded yet.")
