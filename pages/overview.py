"""Overview: Oldham's published headline figures and Ofsted judgements, for everyone.

The only page a visitor who is not logged in sees, so it shows nothing school-level except the
Ofsted judgements the viewer may see (partnership members' are public).
"""

import streamlit as st

from oep.data import queries
from oep.domain import attendance
from oep.present import boardpack, charts, display, ui
from oep.present.boardpack import BOROUGH_YEARLY as YEARLY
from oep.data.schema import ACADEMIC_YEAR
from oep.domain import areas
from oep.domain import dictionary

ctx = ui.page_context()
st.title("Oldham Education Partnership")
st.caption("Oldham's published figures for all pupils in all phases, beside England, the North "
           "West and Oldham's statistical neighbours.")
ui.pack_download(ctx, "Board pack (PDF)", boardpack.borough_pack,
                 file_name="oep_borough_board_pack.pdf", key="borough_pack")

published = boardpack.borough_published(ctx.store, ctx.settings.la_code)
tiles, year_to_date = boardpack.borough_tiles(published)

st.header("Oldham at a glance")
if tiles:
    ui.tile_row(tiles, per_row=4)
else:
    st.info("The store holds no published borough figures for whole years yet.")
if year_to_date:
    st.caption("Daily attendance data, the school year so far: not the school census absence.")
    ui.tile_row(year_to_date, per_row=4)

st.header("Year by year")
measure = ui.remembered(st.selectbox, "Measure", "measure", page="overview",
                        url="measure", options=YEARLY, format_func=dictionary.label_of)
unit = dictionary.unit_of(measure)
trend = display.series(attendance.narrow(published, time_identifier=ACADEMIC_YEAR), measure)
ui.chart_block(
    ctx,
    charts.trend_lines(trend, title=f"{dictionary.label_of(measure)}: Oldham, England, the North "
                       "West and statistical neighbours", y_title=f"{dictionary.label_of(measure)} "
                       f"({unit})", unit=unit, x_title="Year"),
    display.long_table(trend), f"oldham_{measure}.csv", key="overview_trend",
    empty="No published figures for this measure.",
)

st.header("Ofsted judgements")
ofsted = queries.public_ofsted(ctx.store, ctx.scope)
counts = display.ofsted_counts(ofsted, areas.LISTED)
if not ctx.scope.urns:
    st.caption("The partnership's member schools, whose Ofsted judgements are public.")
ui.chart_block(
    ctx,
    charts.grouped_bars(counts, title="Latest graded Ofsted judgement", x_title="Grade",
                        y_title="Schools", unit="schools"),
    display.people_table(counts, {"category": "Ofsted grade", "value": "Schools"}),
    "ofsted_grades.csv", key="overview_ofsted", empty="No Ofsted judgements to show.",
)
with st.expander("Schools and their latest Ofsted judgement"):
    ui.table_block(ctx, display.ofsted_table(ofsted), "ofsted_judgements.csv",
                   key="overview_ofsted_table", empty="No Ofsted judgements to show.")

if ctx.viewer.logged_in and ctx.scope.urns:
    st.header("Your view")
    st.write(f"You can see school-level figures for {len(ctx.scope.urns)} "
             f"school{'s' if len(ctx.scope.urns) != 1 else ''}.")
    for page, label in (("pages/attendance.py", "Attendance"), ("pages/send.py", "SEND"),
                        ("pages/school_profile.py", "School profile")):
        st.page_link(page, label=label)
