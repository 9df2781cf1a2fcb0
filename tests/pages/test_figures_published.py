"""Figures true to the published files, on the pages (issue 9): weekly attendance kept as weeks,
an Attendance page for a store holding only daily attendance data, and each symbol explained as
its own publication defines it. Real DfE files and real-layout fixtures in real DuckDB stores."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from oep.data.importers import ImportFailed, import_file
from oep.data.importers.reconcile import reconcile
from tests.conftest import log_in, new_app
from tests.pages.test_import_pages import PASSWORD, real_store
from tests.store.test_importers import DFE, OWN, value

WEEKLY = OWN / "attendance_weekly_2022.csv"
YTD = DFE / "attendance_ytd_202526_la.csv"
__all__ = ["real_store"]


def _cell(path: Path, column: str, **where: str) -> str:
    """One cell of a published file, as text, from the row matching ``where``."""
    frame = pl.read_csv(path, infer_schema=False)
    for key, wanted in where.items():
        frame = frame.filter(pl.col(key) == wanted)
    assert frame.height == 1, where
    return frame[column][0]


def test_weekly_attendance_is_kept_as_its_weeks(store: Path) -> None:
    """A weekly file's rows are those weeks (time_period the calendar year, 'Week 37'), never
    folded into the year to date."""
    report = import_file(WEEKLY, db=store)
    assert report.kind == "attendance"
    published = _cell(WEEKLY, "overall_absence_perc", time_identifier="Week 2",
                      old_la_code="353", school_type="Total")
    assert value(store, geo_level="Local authority", area_code="353", phase="Total",
                 time_period=2023, time_identifier="Week 2",
                 measure="overall_absence") == (float(published), None)
    assert reconcile(WEEKLY, db=store).ok


def test_a_daily_attendance_file_is_refused_with_its_reason(store: Path, tmp_path: Path) -> None:
    daily = tmp_path / "attendance_daily.csv"
    lines = WEEKLY.read_text().splitlines()
    daily.write_text("\n".join([lines[0] + ',"attendance_date"',
                                *(line + ",2022-09-12" for line in lines[1:])]) + "\n")
    with pytest.raises(ImportFailed, match="daily figures .* load the DfE's weekly or "
                                           "year-to-date attendance file instead"):
        import_file(daily, db=store)


def test_attendance_page_on_daily_data_alone(real_store: Path) -> None:
    """No census absence in the store: no error, the daily data shown, a note of what is
    missing; each figure is its source cell."""
    import_file(YTD, db=real_store, user="test")
    import_file(WEEKLY, db=real_store, user="test")
    at = log_in(new_app(), "officer", PASSWORD)
    at.switch_page("pages/attendance.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("no school census absence figures" in i.value for i in at.info)
    assert [h.value for h in at.subheader] == ["Daily attendance data: year to date",
                                               "Daily attendance data: week by week"]
    year_to_date, weekly = (t.value for t in at.dataframe)
    oldham = year_to_date[year_to_date["Area"] == "Oldham (published)"]
    # Oldham's published 2025/26 overall absence so far: 6.9636...%.
    assert oldham[["Period", "Figure"]].values.tolist() == [["Year to date 2025/26", "7.0"]]
    week = weekly[(weekly["Area"] == "Oldham (published)")]
    published = float(_cell(WEEKLY, "overall_absence_perc", time_identifier="Week 37",
                            old_la_code="353", school_type="Total"))
    assert week["Period"].tolist() == ["Week of 12 Sep 2022", "Week of 19 Sep 2022",
                                       "Week of 9 Jan 2023"]
    assert week["Figure"].tolist()[0] == f"{published:.1f}"


OLD_X = "x = suppressed: 1 or 2 pupils, or a percentage based on 1 or 2"


def _profile(at, urn: str):  # noqa: ANN001, ANN202 - AppTest
    at.switch_page("pages/school_profile.py")
    at.query_params["urn"] = urn
    return at.run()


def test_each_symbol_is_explained_as_its_publication_defines_it(real_store: Path) -> None:
    """The older exclusions file's x is a withheld count of 1 or 2 pupils; today's files' x, c
    and z mean not available, suppressed and not applicable: in tiles, legends and tables."""
    import_file(OWN / "exclusions_school_201617.csv", db=real_store, user="test")
    import_file(OWN / "suspensions_school_202324.csv", db=real_store, user="test")
    import_file(OWN / "absence_school_wide_202324.csv", db=real_store, user="test")
    at = log_in(new_app(), "officer", PASSWORD)

    # Kestrel Lane Primary Academy: every 2016/17 exclusions count withheld (x).
    at = _profile(at, "900008")
    assert not at.exception, [e.value for e in at.exception]
    notes = _tile_notes(at)
    assert [m.value for m in at.metric if m.label == "Suspensions per 100 pupils"] == ["x"]
    assert OLD_X in notes["Suspensions per 100 pupils"]
    assert "not available" not in " ".join(c.value for c in at.caption)

    # Brookfold Primary School, 2023/24 in today's layouts: suspensions suppressed (c).
    at = _profile(at, "900001")
    notes = _tile_notes(at)
    assert "c = suppressed to protect confidentiality" in notes["Suspensions per 100 pupils"]
    # Titles and subtitles are wrapped for phones: read them as one line.
    charts = {el.proto.spec.replace("\\u003cbr\\u003e", " ").replace("<br>", " ")
              for el in at.get("plotly_chart")}
    assert any("Not drawn: c = suppressed to protect confidentiality" in spec for spec in charts)
    suspensions = next(t.value for t in at.dataframe if "Suspension rate" in
                       set(t.value.get("Measure", [])))
    explained = dict(zip(suspensions["Period"], suspensions["What the symbol means"]))
    assert explained["2023/24"] == "c = suppressed to protect confidentiality"

    # St Benedict's: 2023/24 overall absence not applicable (z).
    at = _profile(at, "900002")
    trend = next(t.value for t in at.dataframe if "Overall absence" in
                 set(t.value.get("Measure", [])))
    row = trend[trend["Figure"] == "z"]
    assert row["What the symbol means"].tolist() == ["z = not applicable"]

    # Today's x: Brookfold's unauthorised absence of pupils on SEN support, not available.
    at.switch_page("pages/attendance.py").run()
    at.selectbox(key="widget:attendance:school").set_value("900001").run()
    at.selectbox(key="widget:attendance:measure").set_value("unauthorised_absence").run()
    assert not at.exception, [e.value for e in at.exception]
    groups = next(t.value for t in at.dataframe if "Gap to all pupils" in t.value.columns)
    sen = groups[(groups["Pupils"] == "SEN support") & (groups["Figure"] == "x")]
    assert sen["What the symbol means"].tolist() == ["x = not available"]
    assert OLD_X not in groups["What the symbol means"].dropna().tolist()


PRU = DFE / "absence_2term_pru_la.csv"
AGE4 = OWN / "absence_age4_school_202425.csv"


def test_two_term_figures_and_other_pupil_groups_reach_the_attendance_page(
        real_store: Path) -> None:
    """The PRU file's autumn-and-spring figures and the four-year-olds' absence are offered and
    shown as what they are, each equal to its source cell."""
    import_file(PRU, db=real_store, user="test", phase="Pupil referral unit")
    import_file(AGE4, db=real_store, user="test", pupil_group="Aged 4")
    at = log_in(new_app(), "officer", PASSWORD)
    at.switch_page("pages/attendance.py").run()
    assert not at.exception, [e.value for e in at.exception]
    term = at.selectbox(key="widget:attendance:term")
    assert term.options == ["Whole year", "Autumn and spring term"]
    assert at.selectbox(key="widget:attendance:pupil_group").options == ["All pupils", "Aged 4"]

    term.set_value("Autumn and spring term").run()
    at.selectbox(key="widget:attendance:phase").set_value("Pupil referral unit").run()
    at.selectbox(key="widget:attendance:year").set_value(202223).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Autumn and spring term, year by year" in [h.value for h in at.header]
    trend = at.dataframe[0].value
    oldham = trend[(trend["Area"] == "Oldham (published)")
                   & (trend["Period"] == "Autumn and spring term 2022/23")]
    published = float(_cell(PRU, "sess_overall_percent", time_period="202223",
                            old_la_code="353"))
    assert oldham["Figure"].tolist() == [f"{published:.1f}"]

    at.selectbox(key="widget:attendance:term").set_value("Academic year").run()
    at.selectbox(key="widget:attendance:phase").set_value(None).run()
    at.selectbox(key="widget:attendance:year").set_value(202425).run()
    at.selectbox(key="widget:attendance:pupil_group").set_value("Aged 4").run()
    at.selectbox(key="widget:attendance:school").set_value("900008").run()
    assert not at.exception, [e.value for e in at.exception]
    headings = [h.value for h in at.header]
    assert "Kestrel Lane Primary Academy: 2024/25 · Aged 4" in headings, headings
    assert ("Overall absence", "7.2%") in {(m.label, m.value) for m in at.metric}


def test_a_school_profile_shows_every_whole_year_beside_its_tiles(real_store: Path) -> None:
    """Fernhollow Academy has whole-year figures for 2023/24 and 2024/25 and one term: its
    chart shows both years (not the term alone), each equal to its source cell."""
    import_file(OWN / "absence_school_wide_202324.csv", db=real_store, user="test")
    import_file(OWN / "absence_long_202425.csv", db=real_store, user="test")
    at = _profile(log_in(new_app(), "officer", PASSWORD), "900003")
    assert not at.exception, [e.value for e in at.exception]
    trend = next(t.value for t in at.dataframe if "Overall absence" in
                 set(t.value.get("Measure", [])))
    school = trend[trend["Area"] == "Fernhollow Academy"]
    assert school[["Pupils", "Period", "Figure"]].values.tolist() == [
        ["All pupils", "2023/24", "9.1"], ["All pupils", "2024/25", "8.8"]]


def test_a_store_written_before_symbol_meanings_were_recorded_still_shows_its_pages(
        real_store: Path) -> None:
    import_file(OWN / "suspensions_school_202324.csv", db=real_store, user="test")
    con = duckdb.connect(str(real_store))
    con.execute("ALTER TABLE sources DROP COLUMN symbol_meanings")
    con.close()
    at = _profile(log_in(new_app(), "officer", PASSWORD), "900001")
    assert not at.exception, [e.value for e in at.exception]
    notes = _tile_notes(at)
    assert "c = suppressed to protect confidentiality" in notes["Suspensions per 100 pupils"]


def _tile_notes(at: AppTest) -> dict[str, str]:
    """Each headline tile's note by its label: the captions after the page's freshness line and
    its note on which borough figures are shown, one per tile in order."""
    captions = [c.value for c in at.caption]
    start = next(i for i, text in enumerate(captions) if "orough figures" in text) + 1
    return dict(zip((m.label for m in at.metric), captions[start:]))
