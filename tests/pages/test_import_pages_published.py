"""Real published files on the pages (issue 9): the daily attendance data's year-to-date figures
on the Overview and the Attendance page, labelled apart from census absence."""

from __future__ import annotations

from pathlib import Path

from oep.data.importers import import_file
from tests.conftest import log_in, new_app, page_payload
from tests.pages.test_import_pages import FIXTURES, PASSWORD, real_store

DFE = FIXTURES.parent / "dfe-samples"
__all__ = ["real_store"]


def test_year_to_date_attendance_reaches_the_pages(real_store: Path) -> None:
    import_file(FIXTURES / "absence_school_wide_202324.csv", db=real_store, user="test")
    import_file(DFE / "attendance_ytd_202425_la.csv", db=real_store, user="test")
    import_file(DFE / "attendance_ytd_202526_la.csv", db=real_store, user="test")
    at = log_in(new_app(), "officer", PASSWORD)
    at.switch_page("pages/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    tiles = {(m.label, m.value) for m in at.metric}
    # Oldham's published 2025/26 year to date: overall absence 6.96%, persistent 19.9%.
    assert ("Overall absence", "7.0%") in tiles and any(
        value == "19.9%" for _, value in tiles), tiles
    assert any("Daily attendance data" in c.value for c in at.caption)
    assert b"Year to date 2025/26" in page_payload(at)

    at.switch_page("pages/attendance.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Daily attendance data: year to date" in [h.value for h in at.subheader]
    payload = page_payload(at)
    assert b"Year to date 2024/25" in payload and b"Year to date 2025/26" in payload
