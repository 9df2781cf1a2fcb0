"""Figure builders: what they draw, what they leave out, and how they label it."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
import pytest

from oep.present import charts
from oep.domain.areas import ENGLAND, OLDHAM, VISIBLE


def _trend() -> pl.DataFrame:
    return pl.DataFrame({
        "area": [OLDHAM, OLDHAM, ENGLAND, ENGLAND, "A school", "A school"],
        "period": ["Autumn term 2024/25", "Spring term 2024/25"] * 3,
        "order": [2024251, 2024252] * 3,
        "value": [7.2, 7.5, 6.8, 7.0, None, 8.1],
        "symbol": [None, None, None, None, "c", None],
    })


def _colours(figure: go.Figure) -> set[str]:
    out = set()
    for trace in figure.data:
        if getattr(trace, "line", None) is not None and trace.line.color:
            out.add(trace.line.color)
        if getattr(trace, "marker", None) is not None and isinstance(trace.marker.color, str):
            out.add(trace.marker.color)
    return out


@pytest.mark.parametrize("build", [
    lambda f: charts.trend_lines(f, title="t", y_title="y", unit="%"),
    lambda f: charts.grouped_bars(f.rename({"period": "category"}).with_columns(
        pl.col("category").alias("period")), title="t", x_title="x", y_title="y", unit="%"),
    lambda f: charts.ranked_bars(f.rename({"area": "name"}).with_columns(
        pl.lit(6.0).alias("threshold"), (pl.col("value") - 6.0).alias("distance")),
        title="t", x_title="x", unit="%", threshold_label="good"),
])
def test_nothing_to_draw_gives_no_figure(
        build: Callable[[pl.DataFrame], go.Figure | None]) -> None:
    empty = _trend().clear()
    all_suppressed = _trend().with_columns(pl.lit(None, dtype=pl.Float64).alias("value"))
    assert build(empty) is None
    assert build(all_suppressed) is None


def test_other_builders_return_none_when_empty() -> None:
    assert charts.composition_bars(pl.DataFrame(schema={
        "area": pl.String, "part": pl.String, "pupils": pl.Float64, "share": pl.Float64,
        "symbol": pl.String, "period": pl.String}), title="t") is None
    assert charts.gap_bars(pl.DataFrame(schema={
        "measure_label": pl.String, "unit": pl.String, "category": pl.String,
        "area": pl.String, "gap": pl.Float64, "period": pl.String}), title="t") is None


def test_trend_lines_leave_symbols_undrawn_never_zero() -> None:
    figure = charts.trend_lines(_trend(), title="Overall absence", y_title="Overall absence (%)",
                                unit="%", x_title="Term")
    school = next(t for t in figure.data if t.name == "A school")
    assert school.y[0] is None and 0 not in school.y[:1]
    assert school.customdata[0][1] == "c"
    assert "c = suppressed" in figure.layout.title.subtitle.text
    assert figure.layout.title.text == "Overall absence"
    assert figure.layout.xaxis.title.text == "Term"
    assert figure.layout.yaxis.title.text == "Overall absence (%)"


def test_trend_lines_hover_has_unit_and_period_and_okabe_ito_colours() -> None:
    figure = charts.trend_lines(_trend(), title="t", y_title="y", unit="%")
    oldham = next(t for t in figure.data if t.name == OLDHAM)
    assert tuple(oldham.customdata[0][:2]) == ("Autumn term 2024/25", "7.2%")
    assert "%{customdata[0]}" in oldham.hovertemplate
    assert _colours(figure) <= set(charts.OKABE_ITO)
    # The selected school reads first in the legend; periods keep school-year order.
    assert figure.data[0].name == "A school"
    assert list(figure.layout.xaxis.categoryarray) == ["Autumn term 2024/25",
                                                       "Spring term 2024/25"]


def test_visible_schools_keep_their_colour_with_a_count_in_the_name() -> None:
    assert charts.area_style(f"{VISIBLE} (n=12)") == charts.AREA_STYLE[VISIBLE]
    assert charts.area_style("Any school name") == charts.SCHOOL_STYLE


def test_ranked_bars_draw_each_school_against_its_own_level() -> None:
    ranked = pl.DataFrame({
        "name": [f"School {i}" for i in range(30)] + ["Hidden figure"],
        "value": [20.0 - i * 0.5 for i in range(30)] + [None],
        "symbol": [None] * 30 + ["c"],
        "threshold": [6.0, 11.0] * 15 + [6.0],
        "period": ["2024/25"] * 31,
    }).with_columns((pl.col("value") - pl.col("threshold")).alias("distance")).sort(
        "distance", descending=True, nulls_last=True)
    figure = charts.ranked_bars(ranked, title="t", x_title="Points above the good level",
                                unit="%", threshold_label="the good level for its phase", top=20)
    (bars,) = figure.data
    assert list(bars.y) == ranked["name"].head(20).to_list()
    assert list(bars.x) == pytest.approx(ranked["distance"].head(20).to_list())
    assert bars.text[0] == "20.0% (good: 6.0% or less)"
    assert figure.layout.yaxis.autorange == "reversed"
    assert figure.layout.shapes[0].x0 == 0  # each bar is measured from its own level
    assert "14.0 points above the good level for its phase (6.0%)" in bars.customdata[0][2]
    assert "first 20 of 31" in figure.layout.title.subtitle.text
    assert set(bars.marker.color) <= set(charts.OKABE_ITO)
    assert charts.summary_of(figure).startswith("23 of 31 schools are above their good level")


def test_composition_bars_one_row_per_need_one_labelled_bar_per_area() -> None:
    frame = pl.DataFrame({
        "area": [OLDHAM, OLDHAM, "A school", "A school", ENGLAND, ENGLAND],
        "part": ["Autism", "Hearing", "Autism", "Hearing", "Autism", "Hearing"],
        "pupils": [500.0, 100.0, None, 5.0, 9000.0, 1000.0],
        "share": [83.3, 16.7, None, 100.0, 90.0, 10.0],
        "symbol": [None, None, "c", None, None, None], "period": ["2024/25"] * 6,
    })
    figure = charts.composition_bars(frame, title="Primary need")
    assert figure.layout.barmode == "group"
    assert [t.name for t in figure.data] == ["A school", OLDHAM, ENGLAND]
    school = figure.data[0]
    assert list(school.y) == ["Autism", "Hearing"] and school.x[0] is None
    assert list(school.text) == ["c", "100.0%"]  # a suppressed share is named, never 0
    # Areas keep their colours everywhere: the school's orange is never a need.
    assert [t.marker.color for t in figure.data] == [
        charts.SCHOOL_STYLE[0], charts.area_style(OLDHAM)[0], charts.area_style(ENGLAND)[0]]
    assert figure.layout.legend.y == 0 and figure.layout.legend.yref == "container"
    assert "Oldham (published): Autism 83.3%, Hearing 16.7%" in charts.summary_of(figure)


def test_gap_bars_panels_stacked_with_direction_units_and_missing_bars_named() -> None:
    frame = pl.DataFrame({
        "measure_label": ["Overall absence", "Overall absence", "Suspension rate"],
        "unit": ["%", "%", "per 100"], "category": ["SEN support", "EHC plan", "EHC plan"],
        "area": [OLDHAM, "A school", OLDHAM], "gap": [2.5, None, 12.25],
        "symbol": [None, "c", None], "period": ["2024/25"] * 3,
    })
    figure = charts.gap_bars(frame, title="Gap")
    titles = [a.text.replace("<br>", " ") for a in figure.layout.annotations]
    assert titles == ["Overall absence: gap (percentage points)",
                      "Suspension rate: gap (per 100 pupils)"]
    assert figure.layout.xaxis.domain == figure.layout.xaxis2.domain  # one above the other
    oldham = next(t for t in figure.data if t.name == OLDHAM and t.xaxis == "x")
    assert oldham.orientation == "h" and list(oldham.text) == ["+2.5"]
    assert oldham.customdata[0][1] == "+2.5 percentage points"
    subtitle = figure.layout.title.subtitle.text.replace("<br>", " ")
    assert "SEN pupils minus the figure for pupils with no SEN" in subtitle
    assert "Not drawn (no figure: c = suppressed" in subtitle and "EHC plan, A school" in subtitle
    assert "Suspension rate, EHC plan: Oldham (published) +12.25 per 100 pupils" in (
        charts.summary_of(figure))


def test_long_titles_wrap_for_a_phone_and_legends_sit_below() -> None:
    figure = charts.trend_lines(_trend(), title="Overall absence (All pupils): Oldham, England "
                                "and neighbours", y_title="y", unit="%")
    assert all(len(line) <= charts.TITLE_WIDTH
               for line in figure.layout.title.text.split("<br>"))
    assert figure.layout.legend.orientation == "h" and figure.layout.legend.y == 0
    assert figure.layout.margin.b > 60  # room for the legend under the axis


def test_summary_in_words_names_schools_as_plain_text_and_keeps_no_html_in_the_figure() -> None:
    name = 'Evil <a href="http://x">School</a>'
    figure = charts.trend_lines(_trend().with_columns(
        pl.col("area").replace("A school", name)), title="t", y_title="y", unit="%")
    assert f"{name}: 8.1% in Spring term 2024/25" in charts.summary_of(figure)
    assert "<a href" not in figure.to_json()
