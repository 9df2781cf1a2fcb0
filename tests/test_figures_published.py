"""Figures true to the published files, on the pages (issue 9): weekly attendance kept as weeks,
an Attendance page for a store holding only daily attendance data, and each symbol explained as
its own publication defines it. Real DfE files and real-layout fixtures in real DuckDB stores."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from oep.importers import ImportFailed, import_file
from oep.importers.reconcile import reconcile
from tests.conftest import log_in, new_app
from tests.test_import_pages import PASSWORD, real_store
from tests.test_importers import DFE, OWN, value

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
