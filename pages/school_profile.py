"""School profile: one school the viewer may see, against Oldham and England.

Addressable as ``?urn=``; a URN the viewer may not see gets the same neutral message whether or not
such a school exists, and nothing about it.
"""

import streamlit as st

from oep.data import plain, queries
from oep.domain import attendance, categories, disengagement, send
from oep.present import boardpack, charts, display, ui
from oep.domain.attendance import ATTENDANCE_MEASURES
from oep.present.boardpack import SUSPENSION_COUNTS, SUSPENSION_RATES
from oep.domain.areas import ENGLAND, OLDHAM
from oep.data.schema import ACADEMIC_YEAR
from oep.domain import periods

PAGE = "profile"

ctx = ui.page_context()
st.title("School profile")

schools = attendance.with_phase_names(queries.visible_schools(ctx.store, ctx.scope))
if schools.is_empty():
    st.info("There are no schools whose profile you may see.")
    st.stop()
names = display.school_options(schools)

urn = ui.school_picker("School (type a name or URN to search)", names, "school", page=PAGE,
                       default=display.first_school(names, ctx.scope.own_urn))

school = display.school_record(schools, urn)
name = school["name"]
st.header(plain.markdown(name))
ui.pack_download(ctx, "School board pack (PDF)", boardpack.school_pack, urn,
                 file_name=f"oep_school_board_pack_{urn}.pdf", key="school_pack")
for column, (label, text) in zip(st.columns(6), display.key_facts(school)):
    column.markdown(f"**{plain.markdown(label)}**  \n{plain.markdown(text)}")
report_card = queries.latest_report_card(ctx.store, ctx.scope, urn)
if not report_card.is_empty():
    with st.expander("Ofsted report card: the grade for each area"):
        ui.table_block(ctx, display.people_table(report_card, {
            "area": "Area", "grade": "Grade", "inspection_date": "Inspected on"}),
            f"ofsted_report_card_{urn}.csv", key="profile_report_card")

# Compare with the borough's and England's published figures for the school's phase.
la_code = ctx.settings.la_code
rows, comparator_phase = boardpack.school_rows(ctx.store, ctx.scope, la_code, school)
st.caption(plain.markdown(display.phase_note(school["phase"], comparator_phase, name)))

# --- attendance -------------------------------------------------------------------------------
st.subheader("Attendance")
tiles = display.headline_tiles(rows, name, ATTENDANCE_MEASURES, time_period=None,
                               time_identifier=ACADEMIC_YEAR, beside=(OLDHAM, ENGLAND))
if tiles:
    ui.tile_row(tiles)
trend = attendance.trend(rows, "overall_absence", ACADEMIC_YEAR)
ui.chart_block(
    ctx,
    charts.trend_lines(trend, title=f"Overall absence year by year: {name}, Oldham and England",
                       y_title="Overall absence (%)", unit="%", x_title="Year"),
    display.long_table(trend), f"attendance_{urn}.csv", key="profile_attendance",
    empty="No attendance figures for this school.",
)

# --- SEND -------------------------------------------------------------------------------------
st.subheader("Special educational needs")
tiles = display.headline_tiles(rows, name, send.SHARE_MEASURES, time_period=None,
                               time_identifier=ACADEMIC_YEAR, beside=(OLDHAM, ENGLAND))
if tiles:
    ui.tile_row(tiles, per_row=2)
else:
    st.info("No SEND figures for this school.")
need_rows = queries.sen_needs(ctx.store, ctx.scope, urns=(urn,))
if not need_rows.is_empty():
    latest = int(need_rows["time_period"].max())
    needs = send.needs(need_rows, queries.sen_needs_comparators(ctx.store), la_code=la_code,
                       time_period=latest, provision=send.ALL_SEN, school_label=name)
    ui.chart_block(
        ctx,
        charts.composition_bars(send.needs_for_chart(needs), title=f"Primary type of need, "
                                f"pupils with SEN, {periods.year_label(latest)}",
                                note=send.suppressed_note(needs)),
        display.needs_table(needs), f"primary_needs_{urn}.csv", key="profile_needs",
        empty="No primary need figures for this school.",
    )

# --- suspensions ------------------------------------------------------------------------------
st.subheader("Suspensions and permanent exclusions")
tiles = display.headline_tiles(rows, name, SUSPENSION_RATES, time_period=None,
                               time_identifier=ACADEMIC_YEAR, beside=(OLDHAM, ENGLAND))
tiles += display.headline_tiles(rows, name, SUSPENSION_COUNTS, time_period=None,
                                time_identifier=ACADEMIC_YEAR, beside=())
if tiles:
    ui.tile_row(tiles)
else:
    st.info("No suspension figures for this school.")
suspensions = display.series(rows, "suspension_rate")
ui.chart_block(
    ctx,
    charts.trend_lines(suspensions, title=f"Suspension rate year by year: {name}, Oldham and "
                       "England", y_title="Suspensions per 100 pupils", unit="per 100",
                       x_title="Year"),
    display.long_table(suspensions), f"suspensions_{urn}.csv", key="profile_suspensions",
    empty="No suspension figures for this school.",
)

# --- support category and disengagement ---------------------------------------------------------
st.subheader("Support category")
row = categories.school_row(
    categories.category_table(ctx.store, ctx.scope, ctx.settings, ctx.activity, urn=urn), urn)
if row is None:
    st.info("No support category for this school.")
else:
    ui.category_metrics(row)
    ui.table_block(ctx, display.people_table(
        categories.reasons(ctx.store, ctx.scope, ctx.settings, urn), categories.REASON_COLUMNS),
        f"support_category_reasons_{urn}.csv", key="profile_category_reasons",
        empty="No reasons recorded for this suggestion.")
    st.markdown("**Review history**")
    ui.table_block(ctx, display.people_table(
        categories.review_history(ctx.activity, ctx.scope, urn), categories.REVIEW_COLUMNS),
        f"support_category_reviews_{urn}.csv", key="profile_category_history",
        empty="No review of this school has been recorded yet.")

level = disengagement.current_level(ctx.activity, ctx.scope, urn)
if level is not None:
    step = disengagement.LEVELS[level]
    st.subheader("Disengagement")
    st.warning(f"**Level {level}.** {step.meaning} Suggested action: {step.action}")
    ui.table_block(ctx, display.people_table(
        disengagement.history(ctx.activity, ctx.scope, urn), disengagement.HISTORY_COLUMNS),
        f"disengagement_history_{urn}.csv", key="profile_disengagement")
