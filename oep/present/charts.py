"""Plotly figure builders: a shaped frame in, a figure out (or None when there is nothing to draw).

Every figure has a title and axis titles in plain words, uses the Okabe-Ito palette (safe for the
common forms of colour blindness) with line dashes as a second cue, and hovers show each figure
with its unit and its period. A figure the source did not publish (``value`` null, ``symbol`` such
as ``c``) is left out of the drawing - never drawn as 0 - and named in the chart's subtitle; the
table under the chart shows it as its symbol.
"""

from __future__ import annotations

import math
from html import unescape
from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from oep.present.display import figure_text, symbol_legend
from oep.domain.areas import ENGLAND, LISTED, NEIGHBOURS_LABEL, NORTH_WEST, OLDHAM, VISIBLE
from oep.data.memo import MEMO_SIZE, per_input
from oep.data.plain import html

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
    "font": {"color": "#0b0c0c", "family": '"Source Sans", "Source Sans Pro", sans-serif',
             "size": 14},
    "xaxis": _AXIS, "yaxis": _AXIS,
})
SCHOOL_STYLE = ("#D55E00", "solid")  # the selected school, whatever its name
ABOVE_COLOUR, WITHIN_COLOUR = "#D55E00", "#0072B2"
AREA_ORDER = (OLDHAM, ENGLAND, NORTH_WEST, NEIGHBOURS_LABEL, VISIBLE)
TITLE_WIDTH, SUBTITLE_WIDTH, LABEL_WIDTH, PANEL_WIDTH = 42, 50, 22, 34


def area_style(area: str) -> tuple[str, str]:
    for known, style in AREA_STYLE.items():
        if area.startswith(known):  # "Schools you can see (n=87)" keeps its colour
            return style
    return SCHOOL_STYLE


def ordered_areas(areas: Sequence[str]) -> list[str]:
    """The charts' order: the school first, then Oldham, England, the North West, neighbours."""
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


def wrap(text: str, width: int = TITLE_WIDTH) -> str:
    """Break a long title onto lines of about ``width`` characters (plotly never wraps): on a
    390-pixel phone a one-line title is cut off at both ends."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _legend_rows(traces: Sequence[dict]) -> int:
    """Rows the legend takes at its narrowest (a phone fits two entries a row); 0: no legend."""
    entries = [t for t in traces if t.get("showlegend") is not False and t.get("name")]
    if len(entries) < 2 and not any(t.get("showlegend") for t in entries):
        return 0
    return math.ceil(len(entries) / 2)


def _layout(traces: Sequence[dict], *, title: str, x_title: str, y_title: str,
            subtitle: str | None = None, summary: str = "", panel_titles: bool = False,
            xaxis: dict | None = None, yaxis: dict | None = None, **more: object) -> dict:
    """Every chart's layout for ``traces``: title, axis titles, legend, margins, height and the
    summary in words; ``xaxis``, ``yaxis`` and ``more`` add the chart's own settings."""
    title_text = wrap(html(title))
    lines = title_text.count("<br>") + 1
    # Plotly anchors a title's first line: the lines below it would push the rest off the top.
    title_spec: dict = {"text": title_text, "x": 0, "xanchor": "left", "yref": "container",
                        "y": 1, "yanchor": "top", "pad": {"t": 12 + 22 * (lines - 1)}}
    if subtitle:
        subtitle_text = wrap(html(subtitle), SUBTITLE_WIDTH)
        title_spec["subtitle"] = {"text": subtitle_text}
        lines += subtitle_text.count("<br>") + 1
    top = 30 + 24 * lines + (50 if panel_titles else 0)
    # The legend sits in the bottom margin, which grows by its rows (else they are cut off).
    legend_rows = _legend_rows(traces)
    bottom = 10 + (60 + 24 * legend_rows if legend_rows else 0)
    return {
        "template": TEMPLATE, "title": title_spec,
        "xaxis": {**(xaxis or {}), "title": {"text": html(x_title)}},
        "yaxis": {**(yaxis or {}), "title": {"text": html(y_title)}},
        # Below the plot, in the figure's own bottom margin: over the title it hid the panel
        # titles and, on a phone, the title itself.
        "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0,
                   "title": {"text": ""}, "traceorder": "normal"},
        "margin": {"t": top, "l": 10, "r": 10, "b": bottom},
        "hoverlabel": {"align": "left"},
        # The summary in words travels with the figure (escaped like every text in it, though
        # plotly draws none of it): the page shows it under the chart.
        "meta": {"summary": html(summary)},
        "height": 320 + top + bottom,
        **more,
    }


def _figure(traces: Sequence[dict], layout: dict) -> go.Figure:
    """The figure made in one go: building it up by ``update_layout`` took 30 ms a chart, most
    of the time a page spent drawing. Traces come as dicts: plotly checks each value once, where
    a trace object given to a figure is checked again."""
    return go.Figure(data=list(traces), layout=layout)


def _by_area(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Each area's rows, in the frame's order: one pass, not a filter per area."""
    return {key[0]: rows for key, rows in frame.partition_by(
        "area", as_dict=True, maintain_order=True).items()}


def summary_of(figure: go.Figure) -> str:
    """The chart in words, as its builder wrote it (``_layout``)."""
    meta = figure.layout.meta
    return unescape(str(meta.get("summary", ""))) if isinstance(meta, dict) else ""


def _sentence(parts: Sequence[str], limit: int = 12) -> str:
    shown = [p for p in parts if p][:limit]
    more = len([p for p in parts if p]) - len(shown)
    return "; ".join(shown) + (f"; and {more} more in the table" if more > 0 else "") + "."


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
    ordered = frame.sort("order", maintain_order=True)
    by_area = _by_area(ordered)
    traces = []
    for area in ordered_areas(list(by_area)):
        rows = by_area[area]
        colour, dash = area_style(area)
        traces.append(dict(
            type="scatter",
            x=rows["period"].to_list(), y=rows["value"].to_list(), name=html(area),
            mode="lines+markers", connectgaps=False,
            line={"color": colour, "dash": dash, "width": 3 if area == OLDHAM else 2},
            customdata=list(zip(rows["period"].to_list(), _hover_texts(rows, unit),
                                _notes(rows))),
            hovertemplate=f"<b>{html(area)}</b><br>%{{customdata[0]}}: %{{customdata[1]}}"
                          "%{customdata[2]}<extra></extra>",
        ))
    periods = list(dict.fromkeys(ordered["period"].to_list()))
    # Periods are categories: '2024' must not become a number axis with ticks at 2024.5.
    return _figure(traces, _layout(
        traces, title=title, x_title=x_title, y_title=y_title, subtitle=_subtitle(frame),
        summary=_trend_summary(by_area, unit),
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": periods}))


def _trend_summary(by_area: dict[str, pl.DataFrame], unit: str) -> str:
    """Each area's latest figure and the one before it (``by_area``: rows in period order)."""
    parts = []
    for area in ordered_areas(list(by_area)):
        rows = by_area[area]
        drawn = [(text, period) for text, period, value in zip(
            _hover_texts(rows, unit), rows["period"].to_list(), rows["value"].to_list())
            if value is not None]
        if not drawn:
            continue
        part = f"{area}: {drawn[-1][0]} in {drawn[-1][1]}"
        if len(drawn) > 1:
            part += f" (from {drawn[-2][0]} in {drawn[-2][1]})"
        parts.append(part)
    return _sentence(parts)


@per_input(MEMO_SIZE)
def ranked_bars(frame: pl.DataFrame, *, title: str, x_title: str, unit: str,
                threshold_label: str, top: int = 20) -> go.Figure | None:
    """Horizontal bars of each school's distance from its own threshold, the first rows of
    ``frame`` at the top (the frame arrives ranked).

    ``frame``: name, value, symbol, period, threshold (the school's own level: phases differ),
    distance (value - threshold, same unit). Bars above their threshold are coloured apart from
    those within it, and labelled with the figure and the level. Only the first ``top`` drawn
    rows are drawn; the table under the chart holds them all.
    """
    drawn = frame.filter(pl.col("distance").is_not_null()).head(top)
    if drawn.is_empty():
        return None
    distances = drawn["distance"].to_list()
    figures = _hover_texts(drawn, unit)
    levels = [figure_text(t, None, unit) for t in drawn["threshold"].to_list()]
    labels = [f"{f} (good: {level} or less)" for f, level in zip(figures, levels)]
    words = [f"{abs(d):.1f} points {'above' if d > 0 else 'below'} {threshold_label} ({level})"
             for d, level in zip(distances, levels)]
    bars = dict(
        type="bar",
        x=distances, y=[wrap(n, LABEL_WIDTH) for n in _plain(drawn["name"].to_list())],
        orientation="h", text=labels, textposition="auto",
        marker={"color": [ABOVE_COLOUR if d > 0 else WITHIN_COLOUR for d in distances]},
        customdata=list(zip(drawn["period"].to_list(), figures, words)),
        hovertemplate="<b>%{y}</b><br>%{customdata[0]}: %{customdata[1]}<br>%{customdata[2]}"
                      "<extra></extra>",
        showlegend=False,
    )
    subtitle = _subtitle(frame)
    if frame.filter(pl.col("distance").is_not_null()).height > top:
        first = f"The first {top} of {frame.height} schools; all are in the table"
        subtitle = f"{first}; {subtitle}" if subtitle else first
    above = sum(1 for d in frame["distance"].to_list() if d is not None and d > 0)
    summary = (f"{above} of {frame.height} schools are above their good level. Furthest: "
               + _sentence([f"{n} {w}" for n, w in zip(drawn["name"].to_list(), words)],
                           limit=5))
    return _figure([bars], _layout(
        [bars], title=title, x_title=x_title, y_title="", subtitle=subtitle, summary=summary,
        yaxis={"autorange": "reversed", "automargin": True},
        shapes=[{"type": "line", "x0": 0, "x1": 0, "xref": "x", "y0": 0, "y1": 1,
                 "yref": "y domain", "line": {"dash": "dash", "color": "#000000"}}],
        height=max(300, 44 * drawn.height + 160)))


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
    by_area = _by_area(frame)
    traces = []
    for area in ordered_areas(list(by_area)):
        rows = by_area[area]
        colour, _ = area_style(area)
        texts = _hover_texts(rows, unit)
        traces.append(dict(
            type="bar",
            x=_plain(rows["category"].to_list()), y=rows["value"].to_list(), name=html(area),
            marker={"color": colour}, text=texts, textposition="outside",
            customdata=list(zip(rows["period"].to_list(), texts, _notes(rows))),
            hovertemplate=f"<b>{html(area)}</b><br>%{{x}}, %{{customdata[0]}}: %{{customdata[1]}}"
                          "%{customdata[2]}<extra></extra>",
        ))
    texts = dict(zip(zip(frame["category"].to_list(), frame["area"].to_list()),
                     _hover_texts(frame, unit)))
    summary = _sentence([
        f"{category}: " + ", ".join(f"{area} {texts[(category, area)]}"
                                    for area in ordered_areas(frame["area"].to_list())
                                    if (category, area) in texts)
        for category in order])
    return _figure(traces, _layout(
        traces, title=title, x_title=x_title, y_title=y_title, subtitle=_subtitle(frame),
        summary=summary, xaxis={"categoryorder": "array", "categoryarray": _plain(order)},
        barmode="group"))


@per_input(MEMO_SIZE)
def composition_bars(frame: pl.DataFrame, *, title: str,
                     note: str | None = None) -> go.Figure | None:
    """The share of pupils with each part (e.g. primary need), one row of bars per part, one bar
    per area, each labelled with its share.

    ``frame``: area, part, pupils, share (%), symbol, period; parts in the order to show them
    (largest first). Areas keep the colours they have in every other chart (the school orange,
    Oldham blue, England black), so no colour stands for two things. Part names wrap rather than
    shrink the bars on a phone. ``note`` (the subtitle) says what was left out.
    """
    if _nothing_to_draw(frame, "share"):
        return None
    parts = frame["part"].unique(maintain_order=True).to_list()
    labels = {part: wrap(html(part), LABEL_WIDTH) for part in parts}
    by_area = _by_area(frame)
    areas = ordered_areas(list(by_area))
    traces = []
    for area in areas:
        rows = by_area[area]
        colour, _ = area_style(area)
        counts = _hover_texts(rows, "pupils", value="pupils")
        shares = _hover_texts(rows, "%", value="share")
        traces.append(dict(
            type="bar",
            x=rows["share"].to_list(), y=[labels[p] for p in rows["part"].to_list()],
            name=html(area), orientation="h", marker={"color": colour},
            text=shares, textposition="outside", cliponaxis=False,
            customdata=list(zip(rows["period"].to_list(), counts, shares)),
            hovertemplate=f"<b>{html(area)}</b><br>%{{y}}, %{{customdata[0]}}: "
                          "%{customdata[1]} pupils, %{customdata[2]}<extra></extra>",
        ))
    top = frame["share"].drop_nulls().max()
    largest = {area: _largest_shares(by_area[area]) for area in areas}
    summary = _sentence([f"{area}: " + ", ".join(largest[area]) for area in areas
                         if largest[area]])
    return _figure(traces, _layout(
        traces, title=title, x_title="Share of pupils with SEN (%)", y_title="",
        subtitle=note or _subtitle(frame, "share"), summary=f"The largest needs. {summary}",
        xaxis={"range": [0, float(top) * 1.3 + 1]},
        yaxis={"categoryorder": "array", "categoryarray": [labels[p] for p in parts],
               "autorange": "reversed", "automargin": True},
        barmode="group", bargap=0.25,
        height=max(360, len(parts) * (22 * len(areas) + 26) + 220)))


def _largest_shares(rows: pl.DataFrame, count: int = 3) -> list[str]:
    """'Autism 31.0%' for an area's ``count`` largest shares, largest first."""
    shares = [(share, part, symbol) for share, part, symbol in zip(
        rows["share"].to_list(), rows["part"].to_list(), rows["symbol"].to_list())
        if share is not None]
    shares.sort(key=lambda found: found[0], reverse=True)  # stable: ties keep the frame's order
    return [f"{part} {figure_text(share, symbol, '%')}" for share, part, symbol in shares[:count]]


GAP_DIRECTION = ("Gap = the figure for SEN pupils minus the figure for pupils with no SEN. "
                 "A bar to the right: SEN pupils miss more school or are suspended more.")


@per_input(MEMO_SIZE)
def gap_bars(frame: pl.DataFrame, *, title: str) -> go.Figure | None:
    """One panel per measure, stacked: the gap of each pupil group to its comparison group, per
    area, each bar labelled with its gap in the panel's own unit.

    ``frame``: measure_label, unit, category (the group), area, gap, period, and symbol (why a
    figure is missing); gaps in the measure's unit ('%' gaps are percentage points). A gap that
    cannot be worked out is named in the subtitle, not drawn.
    """
    if _nothing_to_draw(frame, "gap"):
        return None
    measures = frame["measure_label"].unique(maintain_order=True).to_list()
    units = {m: frame.filter(pl.col("measure_label") == m)["unit"][0] for m in measures}
    figure = make_subplots(rows=len(measures), cols=1, vertical_spacing=0.16,
                           subplot_titles=[wrap(f"{html(m)}: {_gap_axis(units[m]).lower()}",
                                                PANEL_WIDTH) for m in measures])
    areas = ordered_areas(frame["area"].to_list())
    traces = []
    for row, measure in enumerate(measures, start=1):
        panel = frame.filter(pl.col("measure_label") == measure)
        unit = units[measure]
        for area in areas:
            rows = panel.filter(pl.col("area") == area)
            if rows.is_empty():
                continue
            colour, _ = area_style(area)
            gaps = [_gap_text(g, unit) for g in rows["gap"].to_list()]
            traces.append(dict(
                type="bar",
                x=rows["gap"].to_list(), y=_plain(rows["category"].to_list()), name=html(area),
                orientation="h", legendgroup=area, showlegend=row == 1,
                marker={"color": colour}, text=[_gap_label(g, unit) for g in
                                                rows["gap"].to_list()],
                textposition="outside", cliponaxis=False,
                customdata=list(zip(rows["period"].to_list(), gaps)),
                hovertemplate=f"<b>{html(area)}</b><br>%{{y}}, %{{customdata[0]}}: "
                              "%{customdata[1]}<extra></extra>",
            ))
            figure.add_trace(traces[-1], row=row, col=1)
        figure.update_yaxes(autorange="reversed", automargin=True, row=row, col=1)
        # Each panel's own scale (units differ), room for the labels, and 0 always in view.
        gaps = panel["gap"].drop_nulls()
        low, high = min(0.0, float(gaps.min() or 0)), max(0.0, float(gaps.max() or 0))
        pad = max(high - low, 1.0) * 0.35
        figure.update_xaxes(range=[low - (pad if low < 0 else 0), high + pad], zeroline=True,
                            zerolinecolor="#000000", zerolinewidth=2, row=row, col=1)
    missing = frame.filter(pl.col("gap").is_null())
    not_drawn = [f"{c}, {a}" for c, a in zip(missing["category"].to_list(),
                                             missing["area"].to_list())]
    subtitle = GAP_DIRECTION
    if not_drawn:
        why = symbol_legend(missing, "gap")
        subtitle += (f" Not drawn (no figure{': ' + why if why else ''}): "
                     + "; ".join(not_drawn) + ".")
    parts = []
    for measure in measures:
        panel = frame.filter(pl.col("measure_label") == measure)
        for group in panel["category"].unique(maintain_order=True).to_list():
            gaps = {a: g for a, g in panel.filter(pl.col("category") == group).select(
                "area", "gap").iter_rows()}
            parts.append(f"{measure}, {group}: " + ", ".join(
                f"{area} {_gap_text(gaps[area], units[measure])}" for area in areas
                if area in gaps))
    layout = _layout(traces, title=title, x_title="", y_title="", subtitle=subtitle,
                     summary=_sentence(parts), panel_titles=True, barmode="group")
    layout["height"] = 250 * len(measures) + layout["margin"]["t"] + layout["margin"]["b"]
    return figure.update_layout(layout)


def _gap_axis(unit: str) -> str:
    return {"%": "Gap (percentage points)", "per 100": "Gap (per 100 pupils)"}.get(unit, "Gap")


NO_GAP = "no figure"


def _gap_label(gap: float | None, unit: str) -> str:
    """A bar's label: the signed gap alone, its unit being in the panel's title."""
    if gap is None:
        return ""
    return f"{gap:+.1f}" if unit == "%" else f"{gap:+.2f}"


def _gap_text(gap: float | None, unit: str) -> str:
    if gap is None:
        return NO_GAP
    if unit == "%":
        return f"{gap:+.1f} percentage points"
    if unit == "per 100":
        return f"{gap:+.2f} per 100 pupils"
    return f"{gap:+.2f}"


def category_counts(counts: pl.DataFrame) -> go.Figure | None:
    """Grouped bars: schools per support category, suggested beside agreed (patterned, so the
    two differ without colour)."""
    if counts.is_empty() or counts["schools"].sum() == 0:
        return None
    traces = []
    for kind, colour, pattern in (("Suggested", OKABE_ITO[0], ""), ("Agreed", OKABE_ITO[1], "/")):
        rows = counts.filter(pl.col("kind") == kind)
        traces.append(dict(
            type="bar",
            x=_plain(rows["category"].to_list()), y=rows["schools"].to_list(), name=kind,
            marker={"color": colour, "pattern": {"shape": pattern}},
            text=rows["schools"].to_list(), textposition="outside",
            hovertemplate=f"{kind} %{{x}}: %{{y}} schools<extra></extra>",
        ))
    summary = "; ".join(
        f"{kind}: " + ", ".join(f"{c} {n}" for c, n in counts.filter(
            pl.col("kind") == kind).select("category", "schools").iter_rows())
        for kind in ("Suggested", "Agreed")) + " schools."
    return _figure(traces, _layout(
        traces, title="Schools in each support category", x_title="Support category",
        y_title="Number of schools", summary=summary, barmode="group",
        xaxis={"categoryorder": "array", "categoryarray": _plain(counts["category"].unique(
            maintain_order=True).to_list())}))
