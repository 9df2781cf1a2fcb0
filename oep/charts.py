"""Plotly figure builders: a shaped frame in, a figure out (or None when there is nothing to draw).

Every figure has a title and axis titles in plain words, uses the Okabe-Ito palette (safe for the
common forms of colour blindness) with line dashes as a second cue, and hovers show each figure
with its unit and its period. A figure the source did not publish (``value`` null, ``symbol`` such
as ``c``) is left out of the drawing - never drawn as 0 - and named in the chart's subtitle; the
table under the chart shows it as its symbol.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from oep.display import (
    ENGLAND,
    LISTED,
    NEIGHBOURS_LABEL,
    NORTH_WEST,
    OLDHAM,
    VISIBLE,
    figure_text,
    symbol_legend,
)
from oep.memo import MEMO_SIZE, per_input
from oep.plain import html

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")
AREA_STYLE: dict[str, tuple[str, str]] = {
    # area: (colour, line dash)
    OLDHAM: ("#0072B2", "solid"),
    ENGLAND: ("#000000", "dash"),
    NORTH_WEST: ("#56B4E9", "dot"),
    NEIGHBOURS_LABEL: ("#E69F00", "dashdot"),
    VISIBLE: ("#009E73", "longdash"),
    LISTED: ("#0072B2", "solid"),
}
_GRID = "#E5E8EE"
_AXIS = {"gridcolor": _GRID, "linecolor": _GRID, "zerolinecolor": _GRID, "automargin": True}
# A light template built once: plotly's named templates are deep-copied into every figure, which
# costs more than drawing the figure itself.
TEMPLATE = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "colorway": list(OKABE_ITO),
    "font": {"color": "#262730"}, "xaxis": _AXIS, "yaxis": _AXIS,
})
SCHOOL_STYLE = ("#D55E00", "solid")  # the selected school, whatever its name
ABOVE_COLOUR, WITHIN_COLOUR = "#D55E00", "#0072B2"
AREA_ORDER = (OLDHAM, ENGLAND, NORTH_WEST, NEIGHBOURS_LABEL, VISIBLE)


def area_style(area: str) -> tuple[str, str]:
    for known, style in AREA_STYLE.items():
        if area.startswith(known):  # "Schools you can see (n=87)" keeps its colour
            return style
    return SCHOOL_STYLE


def _ordered_areas(areas: Sequence[str]) -> list[str]:
    def key(area: str) -> tuple[int, str]:
        for i, known in enumerate(AREA_ORDER):
            if area.startswith(known):
                return (i + 1, area)
        return (0, area)  # the selected school first, so it reads first in the legend

    return sorted(set(areas), key=key)


def _nothing_to_draw(frame: pl.DataFrame, value: str = "value") -> bool:
    return frame.is_empty() or frame[value].drop_nulls().is_empty()


def _subtitle(frame: pl.DataFrame, value: str = "value") -> str | None:
    """Name the published symbols that stand where a figure is missing from the drawing."""
    note = symbol_legend(frame, value)
    return f"Not drawn: {note}" if note else None


def _layout(figure: go.Figure, *, title: str, x_title: str, y_title: str,
            subtitle: str | None = None) -> go.Figure:
    title_spec: dict = {"text": html(title)}
    if subtitle:
        title_spec["subtitle"] = {"text": html(subtitle)}
    figure.update_layout(
        template=TEMPLATE, title=title_spec,
        xaxis={"title": {"text": html(x_title)}}, yaxis={"title": {"text": html(y_title)}},
        # The legend sits between the title and the plot, clear of long period labels.
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0,
                "title": {"text": ""}},
        margin={"t": 110 if subtitle else 90, "l": 10, "r": 10, "b": 10},
        hoverlabel={"align": "left"},
    )
    return figure


def _hover_texts(frame: pl.DataFrame, unit: str, value: str = "value") -> list[str]:
    symbols = frame["symbol"].to_list() if "symbol" in frame.columns else [None] * frame.height
    return [figure_text(v, s, unit) for v, s in zip(frame[value].to_list(), symbols)]


def _notes(frame: pl.DataFrame) -> list[str]:
    if "note" not in frame.columns:
        return [""] * frame.height
    return [f"<br>{html(n)}" if n else "" for n in frame["note"].to_list()]


def _plain(values: Sequence[object]) -> list[str]:
    """Names and categories from the data, as text plotly shows literally (never as HTML)."""
    return [html(v) for v in values]


@per_input(MEMO_SIZE)
def trend_lines(frame: pl.DataFrame, *, title: str, y_title: str, unit: str,
                x_title: str = "Period") -> go.Figure | None:
    """Lines over periods, one per area.

    ``frame``: area, period (label), order (sort key), value, symbol; optional note (hover).
    """
    if _nothing_to_draw(frame):
        return None
    periods = (frame.select("period", "order").unique().sort("order")["period"].to_list())
    figure = go.Figure()
    for area in _ordered_areas(frame["area"].to_list()):
        rows = frame.filter(pl.col("area") == area).sort("order")
        colour, dash = area_style(area)
        figure.add_trace(go.Scatter(
            x=rows["period"].to_list(), y=rows["value"].to_list(), name=html(area),
            mode="lines+markers", connectgaps=False,
            line={"color": colour, "dash": dash, "width": 3 if area == OLDHAM else 2},
            customdata=list(zip(rows["period"].to_list(), _hover_texts(rows, unit),
                                _notes(rows))),
            hovertemplate=f"<b>{html(area)}</b><br>%{{customdata[0]}}: %{{customdata[1]}}"
                          "%{customdata[2]}<extra></extra>",
        ))
    # Periods are categories: '2024' must not become a number axis with ticks at 2024.5.
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=periods)
    return _layout(figure, title=title, x_title=x_title, y_title=y_title,
                   subtitle=_subtitle(frame))


@per_input(MEMO_SIZE)
def ranked_bars(frame: pl.DataFrame, *, title: str, x_title: str, unit: str,
                threshold: float | None = None, threshold_label: str = "",
                top: int = 20) -> go.Figure | None:
    """Horizontal bars, the first rows of ``frame`` at the top (the frame arrives ranked).

    ``frame``: name, value, period; optional distance (from the threshold, same unit). Bars above
    the threshold are coloured apart from those within it. Only the first ``top`` drawn rows are
    drawn; the table under the chart holds them all.
    """
    drawn = frame.filter(pl.col("value").is_not_null()).head(top)
    if drawn.is_empty():
        return None
    values = drawn["value"].to_list()
    colours = [ABOVE_COLOUR if threshold is not None and v > threshold else WITHIN_COLOUR
               for v in values]
    if "distance" in drawn.columns and threshold is not None:
        distances = [f"<br>{abs(d):.1f} points {'above' if d > 0 else 'below'} {threshold_label}"
                     if d is not None else "" for d in drawn["distance"].to_list()]
    else:
        distances = [""] * drawn.height
    figure = go.Figure(go.Bar(
        x=values, y=_plain(drawn["name"].to_list()), orientation="h", marker={"color": colours},
        customdata=list(zip(drawn["period"].to_list(), _hover_texts(drawn, unit), distances)),
        hovertemplate="<b>%{y}</b><br>%{customdata[0]}: %{customdata[1]}%{customdata[2]}"
                      "<extra></extra>",
        showlegend=False,
    ))
    if threshold is not None:
        figure.add_vline(x=threshold, line_dash="dash", line_color="#000000",
                         annotation_text=threshold_label, annotation_position="top")
    figure.update_yaxes(autorange="reversed", automargin=True)
    subtitle = _subtitle(frame)
    if frame.filter(pl.col("value").is_not_null()).height > top:
        first = f"The first {top} of {frame.height} schools; all are in the table"
        subtitle = f"{first}; {subtitle}" if subtitle else first
    _layout(figure, title=title, x_title=x_title, y_title="", subtitle=subtitle)
    figure.update_layout(height=max(300, 28 * drawn.height + 140))
    return figure


@per_input(MEMO_SIZE)
def grouped_bars(frame: pl.DataFrame, *, title: str, x_title: str, y_title: str, unit: str,
                 categories: Sequence[str] | None = None) -> go.Figure | None:
    """Vertical bars per category, one colour per area.

    ``frame``: category, area, value, symbol, period; optional note (hover).
    """
    if _nothing_to_draw(frame):
        return None
    order = list(categories) if categories else frame["category"].unique(
        maintain_order=True).to_list()
    figure = go.Figure()
    for area in _ordered_areas(frame["area"].to_list()):
        rows = frame.filter(pl.col("area") == area)
        colour, _ = area_style(area)
        texts = _hover_texts(rows, unit)
        figure.add_trace(go.Bar(
            x=_plain(rows["category"].to_list()), y=rows["value"].to_list(), name=html(area),
            marker={"color": colour}, text=texts, textposition="outside",
            customdata=list(zip(rows["period"].to_list(), texts, _notes(rows))),
            hovertemplate=f"<b>{html(area)}</b><br>%{{x}}, %{{customdata[0]}}: %{{customdata[1]}}"
                          "%{customdata[2]}<extra></extra>",
        ))
    figure.update_layout(barmode="group")
    figure.update_xaxes(categoryorder="array", categoryarray=_plain(order))
    return _layout(figure, title=title, x_title=x_title, y_title=y_title,
                   subtitle=_subtitle(frame))


@per_input(MEMO_SIZE)
def composition_bars(frame: pl.DataFrame, *, title: str,
                     note: str | None = None) -> go.Figure | None:
    """100% stacked horizontal bars: the share of each part (e.g. primary need) in each area.

    ``frame``: area, part, pupils, share (%), symbol, period. At most eight parts (the palette);
    the shaping function groups the rest. ``note`` (the subtitle) says what was left out.
    """
    if _nothing_to_draw(frame, "share"):
        return None
    parts = frame["part"].unique(maintain_order=True).to_list()
    areas = _ordered_areas(frame["area"].to_list())
    figure = go.Figure()
    for i, part in enumerate(parts):
        rows = frame.filter(pl.col("part") == part)
        counts = _hover_texts(rows, "pupils", value="pupils")
        shares = _hover_texts(rows, "%", value="share")
        figure.add_trace(go.Bar(
            x=rows["share"].to_list(), y=_plain(rows["area"].to_list()), name=html(part),
            orientation="h",
            marker={"color": OKABE_ITO[i % len(OKABE_ITO)]},
            customdata=list(zip(rows["period"].to_list(), counts, shares)),
            hovertemplate=f"<b>{html(part)}</b><br>%{{y}}, %{{customdata[0]}}: %{{customdata[1]}} "
                          "pupils, %{customdata[2]}<extra></extra>",
        ))
    figure.update_layout(barmode="stack")
    figure.update_yaxes(categoryorder="array", categoryarray=_plain(areas), autorange="reversed",
                        automargin=True)
    figure.update_xaxes(range=[0, 100])
    _layout(figure, title=title, x_title="Share of pupils (%)", y_title="",
            subtitle=note or _subtitle(frame, "share"))
    figure.update_layout(height=max(320, 70 * len(areas) + 220),
                         legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top"})
    return figure


@per_input(MEMO_SIZE)
def gap_bars(frame: pl.DataFrame, *, title: str) -> go.Figure | None:
    """One panel per measure: the gap of each pupil group to its comparison group, per area.

    ``frame``: measure_label, unit, category (the group), area, gap, period; gaps in the
    measure's unit
    ('%' gaps are percentage points).
    """
    if _nothing_to_draw(frame, "gap"):
        return None
    measures = frame["measure_label"].unique(maintain_order=True).to_list()
    figure = make_subplots(rows=1, cols=len(measures), subplot_titles=_plain(measures),
                           horizontal_spacing=0.08)
    areas = _ordered_areas(frame["area"].to_list())
    for col, measure in enumerate(measures, start=1):
        panel = frame.filter(pl.col("measure_label") == measure)
        unit = panel["unit"][0]
        for area in areas:
            rows = panel.filter(pl.col("area") == area)
            if rows.is_empty():
                continue
            colour, _ = area_style(area)
            gaps = [_gap_text(g, unit) for g in rows["gap"].to_list()]
            figure.add_trace(go.Bar(
                x=_plain(rows["category"].to_list()), y=rows["gap"].to_list(), name=html(area),
                legendgroup=area, showlegend=col == 1, marker={"color": colour},
                customdata=list(zip(rows["period"].to_list(), gaps)),
                hovertemplate=f"<b>{html(area)}</b><br>%{{x}}, %{{customdata[0]}}: "
                              "%{customdata[1]}<extra></extra>",
            ), row=1, col=col)
        figure.update_yaxes(title_text=_gap_axis(unit), row=1, col=col)
    figure.update_layout(barmode="group")
    _layout(figure, title=title, x_title="", y_title=_gap_axis(frame["unit"][0]),
            subtitle=None)
    return figure


def _gap_axis(unit: str) -> str:
    return {"%": "Gap (percentage points)", "per 100": "Gap (per 100 pupils)"}.get(unit, "Gap")


def _gap_text(gap: float | None, unit: str) -> str:
    if gap is None:
        return "no figure"
    if unit == "%":
        return f"{gap:+.1f} percentage points"
    if unit == "per 100":
        return f"{gap:+.2f} per 100 pupils"
    return f"{gap:+.2f}"
