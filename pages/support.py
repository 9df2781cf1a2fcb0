"""Support and feedback: whom to ask, about what, and how soon they answer."""

import streamlit as st

from oep.present import ui

ctx = ui.page_context()
st.title("Support and feedback")
st.markdown(f"Questions, problems and ideas about this dashboard go to "
            f"{ui.contact_line(ctx.settings)}. We reply "
            f"{ctx.settings.contact.get('response', 'as soon as we can')}.")

st.header("Getting an account")
st.markdown("Each school in the partnership names a data controller, who decides which of its "
            "staff get an account. Ask yours; council officers ask the data team.")

st.header("A figure looks wrong")
st.markdown("Tell us the page, the chart or table, the school and the period, and what you "
            "expected. Every figure comes from a published source (see Data sources); the DfE "
            "corrects its own releases, and we load the correction.")

st.header("Accessibility")
st.markdown("If you cannot use part of the dashboard, or need its content in another format, "
            "tell us. The accessibility statement lists the problems we know of.")
