"""What the dashboard publishes about itself: GOV.UK dates, freshness, sources, downloads' names
and sizes, tables as people read them, and the data dictionary."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from oep.domain import dictionary
from oep.data import plain
from oep.present import framework, ui
from oep.data.schema import MEASURES


def test_dates_in_govuk_style() -> None:
    assert framework.govuk_date(date(2026, 3, 23)) == "23 March 2026"
    assert framework.govuk_date(datetime(2026, 1, 5, 14, 30)) == "5 January 2026"


def test_freshness_from_the_latest_load_and_period() -> None:
    sources = pl.DataFrame({"loaded_at": [datetime(2026, 3, 23, 9), datetime(2025, 6, 1)]})
    assert framework.freshness(sources, 202526) == (
        "Data last updated on 23 March 2026; latest period: 2025/26")
    assert framework.freshness(sources.clear(), None) == "No data has been loaded yet."


def test_sources_table_says_period_covered_and_next_release() -> None:
    sources = pl.DataFrame({
        "kind": ["absence", "register"], "publication": [None, None],
        "file_name": ["absence_school.csv", "edubasealldata.csv"],
        "loaded_at": [datetime(2026, 3, 23), datetime(2026, 4, 2)],
        "first_year": [202223, None], "last_year": [202425, None],
    })
    table = framework.sources_table(sources)
    assert table.row(0) == ("Pupil absence in schools in England", "absence_school.csv",
                            "2022/23 to 2024/25", "23 March 2026",
                            "March 2027 (each March, for the school year before)")
    assert table.row(1)[2] == "No periods (a register)"
    assert table.row(1)[4].startswith("Updated daily")


def test_next_release_is_the_next_such_month_after_the_load() -> None:
    assert framework.next_expected("sen", date(2026, 3, 1)).startswith("June 2026")
    assert framework.next_expected("sen", date(2026, 6, 30)).startswith("June 2027")
    assert framework.next_expected("something new", date(2026, 1, 1)) == "not known"


def test_downloads_are_dated_and_sized() -> None:
    assert framework.dated_file_name("send_gaps.csv", date(2026, 11, 29)) == (
        "send_gaps_2026-11-29.csv")
    assert framework.file_size(640) == "640 bytes"
    assert framework.file_size(12 * 1024 + 100) == "12 KB"
    assert framework.file_size(3 * 1024 * 1024) == "3.0 MB"


def test_a_long_tables_download_size_is_an_estimate_close_to_the_file() -> None:
    rows = 3 * ui.EXACT_SIZE_ROWS + 7
    frame = pl.DataFrame({"school": [f"School {'x' * (i % 40)} {i}" for i in range(rows)],
                          "figure": [i / 7 for i in range(rows)],
                          "reasons": [["a reason, quoted"] * (i % 4) for i in range(rows)]})
    frame = frame.with_columns(pl.col("reasons").list.join("; "))
    exact = len(plain.csv_bytes(frame))
    size, is_exact = ui.csv_size(frame)
    assert not is_exact and abs(size - exact) / exact < 0.02
    assert ui.csv_size(frame.head(100)) == (len(plain.csv_bytes(frame.head(100))), True)


def test_tables_show_dates_in_words_and_blanks_as_a_dash() -> None:
    frame = pl.DataFrame({
        "gap": [1.25, None], "inspected": [date(2026, 3, 23), None],
        "school": ["A", None], "pupils": [10, 20],
    })
    shown, blanks = framework.for_people(frame)
    assert blanks
    assert shown["inspected"].to_list() == ["23 March 2026", "–"]
    assert shown["gap"].to_list() == ["1.25", "–"]
    assert shown["school"].to_list() == ["A", "–"]
    assert shown["pupils"].to_list() == [10, 20]  # no blank: stays a number, sorts as one
    assert framework.for_people(frame.drop_nulls())[1] is False


def test_every_measure_has_a_dictionary_entry_with_its_polarity() -> None:
    assert set(dictionary.DICTIONARY) == set(MEASURES)
    text = dictionary.help_text("persistent_absence")
    assert "10% or more" in text and "Source:" in text and "Lower is better" in text
    assert "green when it moved the better way" in text
    assert "green" not in dictionary.help_text("ehc_plan_pct")  # neither way is better
    assert "Higher is better" in dictionary.help_text("ehcp_20wk_pct")
    assert dictionary.table().height == len(MEASURES)
    with pytest.raises(ValueError, match="no entry for the measure 'made_up'"):
        dictionary.entry("made_up")
