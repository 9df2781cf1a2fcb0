"""SEND: EHC plans and SEN support against Oldham and England, primary needs, gaps, timeliness."""

import streamlit as st

from oep.data import plain, queries
from oep.domain import attendance, send
from oep.present import charts, display, ui
from oep.domain.areas import ENGLAND, NORTH_WEST, OLDHAM
from oep.data.schema import ACADEMIC_YEAR, ALL_PUPILS, CALENDAR_YEAR
from oep.domain import areas
from oep.domain import dictionary
from oep.domain import periods

PAGE = "send"

ctx = ui.page_context()
st.title("SEND")

years = queries.academic_years(ctx.store)
schools = attendance.with_phase_names(queries.visible_schools(ctx.store, ctx.scope))
if not years:
    st.info("The store holds no SEND figures yet.")
    st.stop()
names = display.school_options(schools)
phases, _ = attendance.phases_and_types(schools)

cols = st.columns(3)
with cols[0]:
    year = ui.year_filter(years, page=PAGE)
with cols[1]:
    phase = ui.phase_filter(phases, page=PAGE)
with cols[2]:
    urn = ui.school_filter(ctx, names, page=PAGE)

la_code = ctx.settings.la_code
school = display.school_record(schools, urn)
school_name = school["name"] if school else None
published_all = areas.published_areas(
    queries.comparators(ctx.store, (*send.SHARE_MEASURES, *send.GAP_MEASURES), phases=None),
    la_code)
compared = areas.comparison(published_all, phase, school)
published = compared.rows
school_rows = (queries.school_indicators(ctx.store, ctx.scope,
                                         (*send.SHARE_MEASURES, *send.GAP_MEASURES),
                                         time_identifiers=(ACADEMIC_YEAR,), urns=(urn,))
               if school else None)
shares = areas.combine(attendance.narrow(published, pupil_group=ALL_PUPILS),
                         attendance.narrow(school_rows, pupil_group=ALL_PUPILS), school_name)
period = periods.year_label(year)
st.caption(plain.markdown(display.phase_note(compared.wanted, compared.phase,
                                             None if phase else school_name)))

# --- shares -----------------------------------------------------------------------------------
st.header("EHC plans and SEN support")
headline_areas = ([(school_name, (OLDHAM, ENGLAND))] if school_name else []) + [(OLDHAM,
                                                                     (ENGLAND, NORTH_WEST))]
for column, (area, beside) in zip(st.columns(2), headline_areas):
    with column:
        st.markdown(f"**{plain.markdown(area)}** (% of pupils)")
        tiles = display.headline_tiles(shares, area, send.SHARE_MEASURES, time_period=year,
                                       time_identifier=ACADEMIC_YEAR, beside=beside)
        if tiles:
            ui.tile_row(tiles, per_row=2)
        else:
            st.info(plain.markdown(f"No SEND figures for {area} in {period}."))

for measure in send.SHARE_MEASURES:
    trend = display.series(shares, measure)
    ui.chart_block(
        ctx,
        charts.trend_lines(trend, title=f"{dictionary.label_of(measure)} (% of pupils), year by "
                           "year", y_title="% of pupils", unit="%", x_title="Year"),
        display.long_table(trend), f"{measure}_trend.csv", key=f"send_{measure}",
        empty="No figures for these choices.",
    )

# --- primary needs ----------------------------------------------------------------------------
st.header("Primary type of need")
provision = ui.remembered(st.segmented_control, "Pupils", "provision", page=PAGE,
                          url="provision", options=send.PROVISIONS,
                          default=send.ALL_SEN) or send.ALL_SEN
need_rows = send.needs(
    queries.sen_needs(ctx.store, ctx.scope, urns=(urn,)) if urn else None,
    queries.sen_needs_comparators(ctx.store), la_code=la_code, time_period=year,
    provision=provision, school_label=school_name)
st.caption("Shares are of the pupils whose primary need is published; the chart groups the "
           "smaller needs, the table lists every need.")
ui.chart_block(
    ctx,
    charts.composition_bars(send.needs_for_chart(need_rows),
                            title=f"Primary type of need ({provision}), {period}",
                            note=send.suppressed_note(need_rows)),
    display.needs_table(need_rows), "primary_needs.csv", key="send_needs",
    empty=f"No primary need figures for {period}.",
)

# --- gaps -------------------------------------------------------------------------------------
st.header("SEN pupils against pupils with no SEN")
gap_rows = send.gaps(areas.combine(
    attendance.narrow(published, time_period=year, time_identifier=ACADEMIC_YEAR),
    attendance.narrow(school_rows, time_period=year), school_name, areas=(OLDHAM, ENGLAND)))
ui.chart_block(
    ctx,
    charts.gap_bars(gap_rows, title=f"Gap to pupils with no SEN, {period}"),
    display.gap_table(gap_rows, base_name="Pupils with no SEN", gap_name="Gap to no SEN"),
    "send_gaps.csv", key="send_gaps",
    empty=f"No figures for SEN pupils and their peers in {period}.",
)

# --- EHC plan timeliness ----------------------------------------------------------------------
st.header("New EHC plans issued within 20 weeks (borough)")
timeliness = display.series(areas.published_areas(
    queries.comparators(ctx.store, (send.TIMELINESS,), time_identifiers=(CALENDAR_YEAR,)),
    la_code), send.TIMELINESS)
ui.chart_block(
    ctx,
    charts.trend_lines(timeliness, title="New EHC plans issued within 20 weeks (excluding "
                       "exceptions)", y_title="% of new plans", unit="%", x_title="Calendar year"),
    display.long_table(timeliness), "ehcp_20_weeks.csv", key="send_timeliness",
    empty="The store holds no EHC plan timeliness figures.",
)
