"""OEP dashboard: entry point. Builds the store on first run, logs the viewer in, and offers
only the pages that viewer may open (st.navigation refuses the rest, even by URL)."""

import streamlit as st

from oep.data import plain
from oep.present import collector, page_runs, ui
from oep.tools import first_run
from oep.data.access import Kind

st.set_page_config(page_title="OEP dashboard", page_icon=":material/school:", layout="wide")

store = ui.ensure_store(first_run.build_demo)
viewer = ui.login(store)
ctx = ui.make_context(store, viewer)
ui.set_context(ctx)

overview = st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:",
                   default=True)
pages: dict[str, list] = {"Borough": [overview]}
if ctx.scope.kind is not Kind.PUBLIC:
    pages["Borough"] += [
        st.Page("pages/attendance.py", title="Attendance", icon=":material/event_available:"),
        st.Page("pages/send.py", title="SEND", icon=":material/diversity_1:"),
        st.Page("pages/categories.py", title="Support categories", icon=":material/category:"),
    ]
    pages["Schools"] = [
        st.Page("pages/school_profile.py", title="School profile", icon=":material/school:"),
    ]
if ctx.scope.can_see_disengagement_list:
    pages["Schools"].append(
        st.Page("pages/disengagement.py", title="Disengagement", icon=":material/flag:")
    )
if ctx.scope.can_manage:
    pages["Admin"] = [
        st.Page("pages/admin.py", title="Imports, users and audit", icon=":material/settings:"),
    ]

# The pages every public-sector dashboard publishes, open to everyone, logged in or not.
pages["About this dashboard"] = [
    st.Page(path, title=title, icon=icon) for path, title, icon in ui.FRAMEWORK_PAGES]

navigation = st.navigation(pages)
ui.page_title(navigation.title, ctx.viewer)
ui.demo_banner(store)
ui.view_address(store, navigation.title)
if ctx.scope.note:
    st.sidebar.warning(plain.markdown(ctx.scope.note))
ui.freshness_line(ctx)
# A few pages drawn at once, the rest in turn: each run's frames are held while it draws.
with page_runs.turn():
    navigation.run()
ui.footer()
# Frees what finished runs left in reference cycles (oep/present/collector.py).
collector.collect_now_and_then()
