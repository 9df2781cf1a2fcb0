"""Presenting figures: symbols stay symbols, units and periods in plain words, headline tiles."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from oep.present import display
from oep.present.display import ofsted_counts
from oep.domain.areas import ENGLAND, NORTH_WEST, OLDHAM
from oep.data.schema import REPORT_CARD_LATEST
from oep.domain import areas
from oep.domain import periods


def test_figure_text_keeps_symbols_and_never_shows_zero_for_them() -> None:
    assert display.figure_text(None, "c", "%") == "c"
    assert display.figure_text(None, "low", "pupils") == "low"
    assert display.figure_text(float("nan"), "z", "%") == "z"
    assert display.figure_text(None, None, "%") == display.NO_FIGURE
    # A real zero is a figure, shown as such.
    assert display.figure_text(0.0, None, "%") == "0.0%"


@pytest.mark.parametrize(("value", "unit", "with_unit", "text"), [
    (7.06, "%", True, "7.1%"),
    (7.06, "%", False, "7.1"),
    (11.3, "per 100", True, "11.30 per 100 pupils"),
    (1234.0, "pupils", True, "1,234"),
    (1234.0, "pupils", False, "1234"),
    (-0.25, "score", True, "-0.25"),
    (0.1, "score", True, "+0.10"),
    (1.0, "schools", True, "1 school"),
    (12.0, "schools", True, "12 schools"),
])
def test_figure_text_units(value: float, unit: str, with_unit: bool, text: str) -> None:
    assert display.figure_text(value, None, unit, with_unit=with_unit) == text


def test_low_reliability_keeps_its_flag() -> None:
    assert display.figure_text(5.0, "u", "%") == "5.0% (u)"


def test_change_text() -> None:
    assert display.change_text(-0.34, "%") == "-0.3 points"
    assert display.change_text(0.2, "%") == "+0.2 points"
    assert display.change_text(1.5, "per 100") == "+1.50"
    assert display.change_text(None, "%") is None
    assert display.change_text(0.04, "%") == display.NO_CHANGE  # rounds to nothing


def test_tile_text_leaves_rate_words_to_the_label() -> None:
    assert display.tile_text(13.456, None, "per 100") == "13.46"
    assert display.tile_text(7.06, None, "%") == "7.1%"
    assert display.tile_text(None, "c", "per 100") == "c"


def test_with_figure_text_puts_symbols_in_the_text_column() -> None:
    frame = pl.DataFrame({"value": [7.1, None, None, 0.0], "symbol": [None, "c", "x", None],
                          "unit": ["%", "%", "%", "%"]})
    out = display.with_figure_text(frame)
    assert out["figure"].to_list() == ["7.1", "c", "x", "0.0"]


def test_symbol_legend_names_each_symbol_as_its_publication_defines_it() -> None:
    frame = pl.DataFrame({
        "value": [None, None, None, None, 1.0],
        "symbol": ["c", "c", "x", "x", None],
        "symbol_meaning": [None, None, "suppressed: 1 or 2 pupils", None, None]})
    assert display.symbol_legend(frame) == (
        "c = suppressed to protect confidentiality; x = not available; "
        "x = suppressed: 1 or 2 pupils")
    assert display.symbol_legend(frame.filter(pl.col("value").is_not_null())) is None


def test_periods() -> None:
    assert periods.period_label(202324, "Academic year") == "2023/24"
    assert periods.period_label(202324, "Autumn term") == "Autumn term 2023/24"
    assert periods.period_label(2024, "Calendar year") == "2024"
    orders = [periods.period_order(202324, t) for t in ("Autumn term", "Spring term",
                                                          "Summer term", "Academic year")]
    assert orders == sorted(orders)
    assert periods.period_order(202324, "Summer term") < periods.period_order(202425,
                                                                              "Autumn term")
    assert periods.previous_year(202425) == 202324
    assert periods.previous_year(200001) == 199900
    assert periods.previous_year(2024) == 2023


def _comparator(level: str, code: str, value: float, period: int = 202425) -> dict:
    return {"geo_level": level, "area_code": code, "area_name": code, "phase": "Total",
            "time_period": period, "time_identifier": "Academic year",
            "pupil_group": "All pupils", "measure": "overall_absence", "value": value,
            "symbol": None}


def test_published_areas_keep_only_oldham_its_region_england_and_neighbours() -> None:
    frame = pl.DataFrame([
        _comparator("Local authority", "353", 7.3),
        _comparator("Local authority", "354", 6.0),  # another LA in a real national file
        _comparator("Regional", "E12000002", 7.0),
        _comparator("Regional", "E12000001", 6.5),
        _comparator("National", "E92000001", 6.8),
        _comparator("Statistical neighbours", "SN353", 7.1),
    ])
    out = areas.published_areas(frame, "353")
    assert dict(zip(out["area"], out["value"])) == {
        OLDHAM: 7.3, NORTH_WEST: 7.0, ENGLAND: 6.8, areas.NEIGHBOURS_LABEL: 7.1}


def _tile_rows() -> pl.DataFrame:
    rows = []
    for area, values in ((OLDHAM, (7.5, 7.3)), (ENGLAND, (7.1, 6.8)), (NORTH_WEST, (7.2, 7.0))):
        for period, value in zip((202324, 202425), values):
            rows.append({"area": area, "time_period": period, "time_identifier": "Academic year",
                         "measure": "overall_absence", "value": value, "symbol": None})
    rows.append({"area": OLDHAM, "time_period": 202425, "time_identifier": "Academic year",
                 "measure": "severe_absence", "value": None, "symbol": "c"})
    return pl.DataFrame(rows)


def test_headline_tiles_show_change_on_last_year_and_comparators() -> None:
    tiles = display.headline_tiles(_tile_rows(), OLDHAM, ("overall_absence", "severe_absence",
                                                          "persistent_absence"),
                                   time_period=202425, time_identifier="Academic year")
    overall, severe = tiles  # no row at all for persistent absence: no tile
    assert overall.value == "7.3%"
    assert overall.change == "-0.2 points" and overall.change_since == "on 2023/24"
    assert overall.beside == ((ENGLAND, "6.8%"), (NORTH_WEST, "7.0%"))
    assert overall.note == "2024/25, change on 2023/24  \nEngland 6.8% · North West 7.0%"
    assert overall.lower_is_better is True
    assert severe.value == "c" and severe.change is None


def test_headline_tiles_take_the_latest_period_when_none_given() -> None:
    (tile,) = display.headline_tiles(_tile_rows(), OLDHAM, ("overall_absence",),
                                     time_period=None, time_identifier="Academic year")
    assert tile.period == "2024/25"


def test_long_table_has_plain_column_names_and_text_figures() -> None:
    frame = pl.DataFrame({"area": [OLDHAM, OLDHAM], "period": ["2023/24", "2024/25"],
                          "order": [2023244, 2024254], "measure": ["overall_absence"] * 2,
                          "value": [7.5, None], "symbol": [None, "c"]})
    table = display.long_table(frame)
    assert table.columns == ["Area", "Period", "Measure", "Figure", "Unit",
                             "What the symbol means"]
    assert table["Figure"].to_list() == ["7.5", "c"]
    assert table["What the symbol means"].to_list() == [
        None, "c = suppressed to protect confidentiality"]
    assert table["Measure"][0] == "Overall absence"
    assert display.long_table(frame.head(1)).columns == ["Area", "Period", "Measure", "Figure",
                                                         "Unit"]
    groups = frame.with_columns(pl.Series("pupil_group", ["All pupils", "Aged 4"]))
    assert display.long_table(groups)["Pupils"].to_list() == ["All pupils", "Aged 4"]


def test_school_options_and_key_facts() -> None:
    schools = pl.DataFrame({"urn": ["2", "1"], "name": ["Beta School", "Alpha School"]})
    assert display.school_options(schools) == {"1": "Alpha School (1)", "2": "Beta School (2)"}
    facts = dict(display.key_facts({"phase": "Primary", "school_type": "Community school",
                                    "trust": None, "pupils": 1234, "ofsted_grade": "Good",
                                    "ofsted_date": date(2023, 6, 14)}))
    assert facts["Trust"] == "Not in a trust"
    assert facts["Pupils on roll"] == "1,234"
    assert facts["Inspected on"] == "14 June 2023"
    assert dict(display.key_facts({}))["Ofsted grade"] == display.NO_GRADE


def test_ofsted_counts_follow_grade_order() -> None:
    schools = pl.DataFrame({"ofsted_grade": ["Good", None, "Outstanding", "Good"]})
    counts = display.ofsted_counts(schools, "Schools listed")
    assert counts["category"].to_list() == ["Outstanding", "Good", display.NO_GRADE]
    assert counts["value"].to_list() == [1, 2, 1]


def test_report_card_schools_are_counted_under_their_own_heading() -> None:
    schools = pl.DataFrame({"ofsted_grade": ["Good", "Good", REPORT_CARD_LATEST, None]})
    counts = ofsted_counts(schools, "Schools")
    assert dict(zip(counts["category"], counts["value"])) == {
        "Good": 2, REPORT_CARD_LATEST: 1, "No inspection held": 1}


@pytest.mark.parametrize("with_unit", [True, False])
def test_table_figures_match_tile_figures(with_unit: bool) -> None:
    # Long tables format natively in polars, tiles in Python: one figure must read the same in
    # both.
    values = [7.06, 0.35, 7.15, 2.5, -0.04, -0.25, 0.1, 1.0, 12.0, 999.5, 1234567.891, 0.0, 5.0,
              None, float("nan"), 123456789012.4]
    units = ["%", "%", "%", "pupils", "%", "score", "score", "schools", "schools", "pupils",
             "pupils", "per 100", "%", "%", "%", "pupils"]
    symbols = [None] * 12 + ["u", "c", "z", None]
    frame = pl.DataFrame({"value": values, "unit": units, "symbol": symbols})
    expected = [display.figure_text(v, s, u, with_unit=with_unit)
                for v, s, u in zip(values, symbols, units)]
    assert display.with_figure_text(frame, with_unit=with_unit)["figure"].to_list() == expected
    # A long table is formatted natively in polars.
    copies = display.NATIVE_FROM_ROWS // frame.height + 1
    long = pl.concat([frame] * copies)
    assert display.with_figure_text(long, with_unit=with_unit)["figure"].to_list() == (
        expected * copies)
    assert display.figure_text(0.35, None, "%") == "0.4%"  # halves round away from zero
    assert display.figure_text(-0.04, None, "%") == "0.0%"  # never "-0.0%"


def test_period_columns_match_period_labels() -> None:
    frame = pl.DataFrame({"time_period": [202324, 2024, 202324, 200001, 202425],
                          "time_identifier": ["Academic year", "Calendar year", "Autumn term",
                                              "Summer term", "Year to date"]})
    out = periods.with_periods(frame)
    pairs = list(frame.iter_rows())
    assert out["period"].to_list() == [periods.period_label(p, t) for p, t in pairs]
    assert out["order"].to_list() == [periods.period_order(p, t) for p, t in pairs]


def test_matching_schools_finds_by_words_and_keeps_the_choice() -> None:
    names = {"1001": "Alder Primary (1001)", "1002": "Beech Academy (1002)",
             "1003": "Alder Park Academy (1003)"}
    assert display.matching_schools(names, "", 2) == ["1001", "1002"]
    assert display.matching_schools(names, "alder academy", 10) == ["1003"]
    assert display.matching_schools(names, "1002", 10) == ["1002"]
    assert display.matching_schools(names, "alder", 10, keep=["1002", "1002"]) == [
        "1002", "1001", "1003"]
    assert display.matching_schools(names, "zzz", 10, keep=["9999"]) == []
