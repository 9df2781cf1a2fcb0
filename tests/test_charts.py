"""Figure builders: what they draw, what they leave out, and how they label it."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl
import pytest

from oep import charts
from oep.display import ENGLAND, OLDHAM, VISIBLE


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
    lambda f: charts.ranked_bars(f.rename({"area": "name"}), title="t", x_title="x", unit="%"),
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


def test_ranked_bars_first_row_on_top_and_only_the_first_few() -> None:
    ranked = pl.DataFrame({
        "name": [f"School {i}" for i in range(30)] + ["Hidden figure"],
        "value": [20.0 - i * 0.5 for i in range(30)] + [None],
        "symbol": [None] * 30 + ["c"],
        "distance": [14.0 - i * 0.5 for i in range(30)] + [None],
        "period": ["2024/25"] * 31,
    })
    figure = charts.ranked_bars(ranked, title="t", x_title="Overall absence (%)", unit="%",
                                threshold=6.0, threshold_label="good attendance", top=20)
    (bars,) = figure.data
    assert list(bars.y) == [f"School {i}" for i in range(20)]
    assert figure.layout.yaxis.autorange == "reversed"
    assert figure.layout.shapes[0].x0 == 6.0  # the threshold line
    assert "14.0 points above good attendance" in bars.customdata[0][2]
    assert "first 20 of 31" in figure.layout.title.subtitle.text
    assert set(bars.marker.color) <= set(charts.OKABE_ITO)


def test_composition_bars_stack_to_100_per_area() -> None:
    frame = pl.DataFrame({
        "area": [OLDHAM, OLDHAM, "A school", "A school"],
        "part": ["Autism", "Hearing", "Autism", "Hearing"],
        "pupils": [500.0, 100.0, None, 5.0], "share": [83.3, 16.7, None, 100.0],
        "symbol": [None, None, "c", None], "period": ["2024/25"] * 4,
    })
    figure = charts.composition_bars(frame, title="Primary need")
    assert figure.layout.barmode == "stack"
    assert tuple(figure.layout.xaxis.range) == (0, 100)
    autism = next(t for t in figure.data if t.name == "Autism")
    assert autism.x[1] is None and autism.customdata[1][1] == "c"
    assert _colours(figure) <= set(charts.OKABE_ITO)


def test_gap_bars_one_panel_per_measure_with_units() -> None:
    frame = pl.DataFrame({
        "measure_label": ["Overall absence", "Overall absence", "Suspension rate"],
        "unit": ["%", "%", "per 100"], "category": ["SEN support", "EHC plan", "EHC plan"],
        "area": [OLDHAM, OLDHAM, OLDHAM], "gap": [2.5, 4.0, 12.25],
        "period": ["2024/25"] * 3,
    })
    figure = charts.gap_bars(frame, title="Gap")
    titles = [a.text for a in figure.layout.annotations]
    assert titles == ["Overall absence", "Suspension rate"]
    assert figure.layout.yaxis.title.text == "Gap (percentage points)"
    assert figure.layout.yaxis2.title.text == "Gap (per 100 pupils)"
    assert figure.data[0].customdata[0][1] == "+2.5 percentage points"
