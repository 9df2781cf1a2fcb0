"""Disengagement: the protocol's four levels, the schools at level 2 or above, and each record."""

from datetime import date

import streamlit as st

from oep.data import plain, queries
from oep.domain import disengagement
from oep.present import display, ui

ctx = ui.page_context()
st.title("Disengagement")
if not ctx.scope.can_see_disengagement_list:
    st.error("This page is for LA officers, Education Partnership Leaders and the board.")
    st.stop()

flash = st.session_state.pop("disengagement:flash", None)
if flash:
    st.success(plain.markdown(flash))

st.header("The protocol")
st.dataframe(display.people_table(disengagement.levels_frame(), {
    "level": "Level", "meaning": "What it means", "suggested_action": "Suggested action"}),
    hide_index=True, width="stretch")

st.header(f"Schools at level {disengagement.LIST_FROM_LEVEL} or above")
ui.table_block(ctx, display.people_table(
    disengagement.borough_list(ctx.activity, ctx.store, ctx.scope),
    {"name": "School", "urn": "URN", "phase": "Phase", "level": "Current level",
     "recorded_on": "Since", "meaning": "What it means",
     "suggested_action": "Suggested action"}),
    "disengagement_list.csv", key="disengagement_list",
    empty=f"No school you can see is at level {disengagement.LIST_FROM_LEVEL} or above.")

st.header("One school")
names = display.school_options(queries.visible_schools(ctx.store, ctx.scope))
urn = ui.school_picker("School", names, "disengagement_school", default=ctx.scope.own_urn)
level = disengagement.current_level(ctx.activity, ctx.scope, urn)
if level is None:
    st.info("No disengagement level has been recorded for this school.")
else:
    step = disengagement.LEVELS[level]
    st.metric("Current level", level)
    st.markdown(f"**What it means:** {step.meaning}  \n**Suggested action:** {step.action}")

if ctx.scope.can_record_reviews:
    with st.form("record_disengagement"):
        st.markdown(f"**Record a disengagement level for {plain.markdown(names[urn])}**")
        new_level = st.selectbox(
            "Level", list(disengagement.LEVELS),
            format_func=disengagement.level_words,
            key="disengagement:level")
        recorded_on = st.date_input("Date", value=date.today(), max_value=date.today(),
                                    format="DD/MM/YYYY", key="disengagement:date")
        evidence = st.text_area("Evidence", key="disengagement:evidence")
        actions = st.text_area("Actions taken so far", key="disengagement:actions")
        recorded_by = st.text_input("Recorded by", value=ctx.viewer.name,
                                    key="disengagement:recorded_by")
        if st.form_submit_button("Record level", key="disengagement:submit"):
            try:
                disengagement.record_disengagement(
                    ctx.activity, ctx.store, ctx.scope, urn, new_level, recorded_on, evidence,
                    actions, recorded_by)
            except disengagement.DisengagementError as exc:
                st.error(plain.markdown(exc))
            else:
                st.session_state["disengagement:flash"] = (
                    f"Level {new_level} recorded for {names[urn]}.")
                for key in ("disengagement:evidence", "disengagement:actions"):
                    del st.session_state[key]  # a fresh form for the next record
                st.rerun()

st.markdown("**History**")
ui.table_block(ctx, display.people_table(
    disengagement.history(ctx.activity, ctx.scope, urn), disengagement.HISTORY_COLUMNS),
    f"disengagement_history_{urn}.csv", key="disengagement_history",
    empty="No disengagement record for this school.")
