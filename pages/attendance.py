"""Attendance: Oldham against England and neighbours, term by term, by phase, school and group."""

import polars as pl
import streamlit as st

from oep.data import plain, queries
from oep.domain import attendance
from oep.present import charts, display, ui
from oep.domain.attendance import ATTENDANCE_MEASURES
from oep.domain.areas import ENGLAND, OLDHAM
from oep.data.schema import ALL_PUPILS, TOTAL_PHASE
from oep.domain import areas
from oep.domain import dictionary
from oep.domain import periods

PAGE = "attendance"

ctx = ui.page_context()
st.title("Attendance")


def daily_data(published: pl.DataFrame, measure: str, group: str) -> None:
    """The daily attendance data (year to date, week by week), apart from census absence."""
    label, unit = dictionary.label_of(measure), dictionary.unit_of(measure)
    for series, what, x_title, key in (
            (attendance.year_to_date(published, measure), "year to date", "Year to date",
             "attendance_year_to_date"),
            (attendance.weekly(published, measure), "week by week", "Week", "attendance_weekly")):
        if series.is_empty():
            continue
        st.subheader(f"Daily attendance data: {what}")
        st.caption(attendance.DAILY_NOTE)
        ui.chart_block(
            ctx,
            charts.trend_lines(series, title=f"{label} ({group}), {what}: Oldham and England",
                               y_title=f"{label} ({unit})", unit=unit, x_title=x_title),
            display.long_table(series), f"{key}.csv", key=key,
            empty=f"No {what} figures for this measure.",
        )


years = queries.academic_years(ctx.store)
schools = attendance.with_phase_names(queries.visible_schools(ctx.store, ctx.scope))
published_all = areas.published_areas(
    queries.comparators(ctx.store, ATTENDANCE_MEASURES, phases=None), ctx.settings.la_code)
if not years:
    if not attendance.has_daily_data(published_all):
        st.info("The store holds no attendance figures yet.")
        st.stop()
    st.info(attendance.NO_CENSUS)
    daily_data(attendance.narrow(published_all, phase=TOTAL_PHASE, pupil_group=ALL_PUPILS),
               st.selectbox("Measure", attendance.YEAR_TO_DATE_MEASURES,
                            format_func=dictionary.label_of, key="attendance:measure"), ALL_PUPILS)
    st.stop()
names = display.school_options(schools)
phases, types = attendance.phases_and_types(schools)
groups = queries.pupil_groups(ctx.store)

cols = st.columns(6)
with cols[0]:
    year = ui.year_filter(years, page=PAGE)
with cols[1]:
    term = ui.remembered(st.selectbox, "Term", "term", page=PAGE, url="term",
                         options=queries.terms_held(ctx.store), format_func=periods.term_name)
with cols[2]:
    phase = ui.phase_filter(phases, page=PAGE)
with cols[3]:
    school_type = ui.remembered(st.selectbox, "School type", "school_type", page=PAGE,
                                url="type", options=[None, *types],
                                format_func=display.all_when_none("All types"))
with cols[4]:
    group = ui.remembered(st.selectbox, "Pupils", "pupil_group", page=PAGE, url="pupils",
                          options=groups)
with cols[5]:
    urn = ui.school_filter(ctx, names, page=PAGE)

school = display.school_record(schools, urn)
school_name = school["name"] if school else None
school_rows = (queries.school_indicators(ctx.store, ctx.scope, ATTENDANCE_MEASURES, urns=(urn,))
               if school else None)
compared = areas.comparison(published_all, phase, school)
published = attendance.narrow(compared.rows, pupil_group=group)
period = periods.period_label(year, term)

# --- headline ---------------------------------------------------------------------------------
phase_words = "All phases" if compared.phase == TOTAL_PHASE else compared.phase
st.header(plain.markdown(f"{OLDHAM}: {period} · {group} · {phase_words}"))
st.caption(plain.markdown(display.phase_note(compared.wanted, compared.phase,
                                             None if phase else school_name)))
tiles = display.headline_tiles(published, OLDHAM, ATTENDANCE_MEASURES, time_period=year,
                               time_identifier=term)
if tiles:
    ui.tile_row(tiles)
else:
    st.info(f"No published borough figures for {period} and these pupils.")
if school:
    st.header(plain.markdown(f"{school_name}: {period} · {group}"))
    school_tiles = display.headline_tiles(
        areas.combine(published, attendance.narrow(school_rows, pupil_group=group),
                        school_name),
        school_name, ATTENDANCE_MEASURES, time_period=year, time_identifier=term,
        beside=(OLDHAM, ENGLAND))
    if school_tiles:
        ui.tile_row(school_tiles)
    else:
        st.info(plain.markdown(f"No figures for {school_name} for {period} and these pupils."))

# --- trend ------------------------------------------------------------------------------------
st.header(attendance.trend_heading(term))
measure = ui.remembered(st.selectbox, "Measure", "measure", page=PAGE, url="measure",
                        options=ATTENDANCE_MEASURES, format_func=dictionary.label_of)
unit = dictionary.unit_of(measure)
rows = areas.combine(published, attendance.narrow(school_rows, pupil_group=group),
                       school_name)
trend = attendance.trend(rows, measure, term)
ui.chart_block(
    ctx,
    charts.trend_lines(trend, title=f"{dictionary.label_of(measure)} ({group}): "
                       "Oldham, England and neighbours", y_title=f"{dictionary.label_of(measure)} "
                       f"({unit})", unit=unit, x_title="Period"),
    display.long_table(trend), "attendance_trend.csv", key="attendance_trend",
    empty="No figures for this measure and these pupils.",
)

# --- daily attendance data -------------------------------------------------------------------
daily_data(published, measure, group)

# --- by phase ---------------------------------------------------------------------------------
st.header("By phase")
visible_year = attendance.filter_schools(
    queries.school_indicators(ctx.store, ctx.scope, attendance.year_measures(measure),
                              time_identifiers=(term,), pupil_groups=(group,),
                              time_periods=(year,)),
    phase=None, school_type=school_type)
phase_rows = attendance.by_phase(
    attendance.narrow(published_all, time_period=year, time_identifier=term, pupil_group=group),
    visible_year, areas=(OLDHAM, ENGLAND), measure=measure,
    register=queries.published_coverage(ctx.store, ctx.scope))
st.caption(plain.markdown(
    "Published figures for Oldham and England beside the same measure over the schools you can "
    "see" + (f" ({school_type.lower()})" if school_type else "")
    + ", computed from their published session counts where given, else weighted by pupils "
    "enrolled (each figure's note says which); suppressed figures are left out."))
ui.chart_block(
    ctx,
    charts.grouped_bars(phase_rows, title=f"{dictionary.label_of(measure)} by phase, {period}",
                        x_title="Phase", y_title=f"{dictionary.label_of(measure)} ({unit})",
                        unit=unit),
    display.long_table(phase_rows, extra={"category": "Phase", "note": "Note"}),
    "attendance_by_phase.csv", key="attendance_phase",
    empty="No figures by phase for these choices.",
)

# --- by school --------------------------------------------------------------------------------
st.header("Schools furthest from good attendance")
default_level, phase_levels = attendance.good_levels(ctx.settings)
ranked = attendance.filter_schools(
    attendance.rank_schools(visible_year, measure="overall_absence", default=default_level,
                            by_phase=tuple(sorted(phase_levels.items()))),
    phase=phase, school_type=school_type)
st.caption(plain.markdown(attendance.good_levels_note(default_level, phase_levels)))
ui.chart_block(
    ctx,
    charts.ranked_bars(ranked, title=f"Overall absence by school ({group}), {period}: "
                       "distance from the good level for its phase",
                       x_title="Points above (right) or below (left) the good level",
                       unit="%", threshold_label="the good level for its phase"),
    display.ranked_table(ranked, distance_name="Above good attendance by (points)"),
    "attendance_by_school.csv", key="attendance_school",
    empty="No schools you can see match these choices.",
)

# --- by pupil group ---------------------------------------------------------------------------
st.header("By pupil group")
group_rows = attendance.by_group(
    areas.combine(
        attendance.narrow(compared.rows, time_period=year, time_identifier=term),
        attendance.narrow(school_rows, time_period=year, time_identifier=term), school_name,
        areas=(OLDHAM, ENGLAND)),
    measure=measure)
ui.chart_block(
    ctx,
    charts.grouped_bars(group_rows, title=f"{dictionary.label_of(measure)} by pupil group, "
                        f"{period}", x_title="Pupils", y_title=f"{dictionary.label_of(measure)} "
                        f"({unit})", unit=unit, categories=groups),
    display.gap_table(group_rows, base_name="All pupils", gap_name="Gap to all pupils"),
    "attendance_by_group.csv", key="attendance_group",
    empty="No figures by pupil group for these choices.",
)
