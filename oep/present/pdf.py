"""A board pack as a PDF: headings, paragraphs, tables, and charts drawn as vector graphics with
their numbers in a table beside them.

Everything is real text in an embedded font (searchable, copyable, read aloud by a screen
reader), never a picture of a page. Drawn with ReportLab (pure Python, no browser): a pack is made
in the server process on a click. Each page carries the demo banner when the store is synthetic,
and a footer with the pack's title, the date the data was last loaded and "page N of M".
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl
import reportlab
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from oep.present.charts import OKABE_ITO, area_style

# Bitstream Vera ships inside ReportLab: a font with the curly quotes and accents of school names
# in it, embedded in the file, so nothing depends on the fonts of the machine.
_FONTS = Path(reportlab.__file__).parent / "fonts"
FONT, BOLD = "OEP-Vera", "OEP-Vera-Bold"
pdfmetrics.registerFont(TTFont(FONT, str(_FONTS / "Vera.ttf")))
pdfmetrics.registerFont(TTFont(BOLD, str(_FONTS / "VeraBd.ttf")))

PAGE = landscape(A4)
MARGIN = 14 * mm
INK = colors.HexColor("#262730")
GRID = colors.HexColor("#D5D9E0")
BANNER_FILL = colors.HexColor("#FFF4D6")
BANNER_EDGE = colors.HexColor("#E69F00")
# plotly's dash names (``charts.AREA_STYLE``) as PDF dash patterns, so a line is told apart by its
# pattern as well as its colour.
DASHES: dict[str, list[float] | None] = {
    "solid": None, "dash": [5, 3], "dot": [1, 2], "dashdot": [5, 2, 1, 2],
    "longdash": [8, 3], "longdashdot": [8, 2, 1, 2],
}
BAR_COLOURS = OKABE_ITO  # colour-blind safe; the table beside names every figure

_STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=18, leading=22, textColor=INK,
                            spaceAfter=4),
    "h1": ParagraphStyle("h1", fontName=BOLD, fontSize=14, leading=17, textColor=INK,
                         spaceBefore=8, spaceAfter=4),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=11, leading=14, textColor=INK,
                         spaceBefore=6, spaceAfter=3),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK,
                           alignment=TA_LEFT),
    "note": ParagraphStyle("note", fontName=FONT, fontSize=7.5, leading=9.5,
                           textColor=colors.HexColor("#4A4F5C")),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=7.5, leading=9, textColor=INK),
    "head": ParagraphStyle("head", fontName=BOLD, fontSize=7.5, leading=9, textColor=INK),
}


def _text(value: object) -> str:
    """Text from the data as ReportLab's paragraph markup shows it literally (no tags)."""
    return (str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


@dataclass(frozen=True)
class Chart:
    """A chart's drawing instructions: one value per category for each series (None: no figure,
    left out and named in the table beside it, never drawn as 0)."""

    kind: Literal["lines", "bars"]
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    y_title: str


@dataclass(frozen=True)
class Block:
    """One part of a pack: a heading, words, a chart with its table beside it or a table alone,
    and notes (period, source, symbols) under them."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    chart: Chart | None = None
    table: pl.DataFrame | None = None
    notes: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pack:
    title: str
    lines: tuple[str, ...]
    blocks: tuple[Block, ...]
    footer: str
    banner: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


# --- charts --------------------------------------------------------------------------------------

def _nice_range(low: float, high: float, *, from_zero: bool) -> tuple[float, float, float]:
    """An axis (bottom, top, step) around the figures with 4-6 round gridlines; bars start at 0,
    lines hug their figures so a change reads."""
    low = 0.0 if from_zero else min(low, high)
    high = max(high, low)
    span = high - low or abs(high) or 1.0
    raw = span / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    bottom = 0.0 if from_zero else step * math.floor(low / step + 1e-9)
    top = step * math.ceil(high / step - 1e-9)
    if top <= bottom:
        top = bottom + step
    return bottom, top, step


def _tick(value: float, step: float) -> str:
    decimals = 0
    while decimals < 3 and abs(step * 10 ** decimals - round(step * 10 ** decimals)) > 1e-9:
        decimals += 1
    return f"{value:,.{decimals}f}"


def chart_drawing(chart: Chart, width: float, height: float) -> Drawing:
    """The chart as vector shapes: a legend, the axis title, gridlines, one line or bar set per
    series."""
    drawing = Drawing(width, height)
    values = [v for _, vs in chart.series for v in vs if v is not None]
    low, top, step = _nice_range(min(values, default=0.0), max(values, default=0.0),
                                 from_zero=chart.kind == "bars")
    legend_rows = math.ceil(len(chart.series) / 2)
    left, right, bottom = 42.0, 8.0, 16.0
    title_y = height - legend_rows * 11 - 10
    plot_top = title_y - 8
    plot_h, plot_w = plot_top - bottom, width - left - right
    for index, (name, _) in enumerate(chart.series):
        colour, dash = _style(chart.kind, name, index)
        x = (index % 2) * width / 2
        y = height - 8 - (index // 2) * 11
        if chart.kind == "lines":
            drawing.add(Line(x, y + 2.5, x + 16, y + 2.5, strokeColor=colour, strokeWidth=1.4,
                             strokeDashArray=DASHES.get(dash)))
        else:
            drawing.add(Rect(x + 4, y, 8, 6, fillColor=colour, strokeColor=INK, strokeWidth=0.3))
        drawing.add(String(x + 20, y, name[:60], fontName=FONT, fontSize=7, fillColor=INK))
    drawing.add(String(0, title_y, chart.y_title, fontName=BOLD, fontSize=7, fillColor=INK))
    ticks = int(round((top - low) / step))
    for i in range(ticks + 1):
        y = bottom + plot_h * i / ticks
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(String(left - 4, y - 2.5, _tick(low + step * i, step), fontName=FONT,
                           fontSize=6.5, textAnchor="end", fillColor=INK))
    n = max(len(chart.categories), 1)
    slot = plot_w / n
    labels = [c[:28] for c in chart.categories]
    # Every k-th category is named, k as small as keeps the names apart.
    widest = max((pdfmetrics.stringWidth(c, FONT, 6.5) for c in labels), default=0.0)
    label_every = max(1, math.ceil((widest + 4) / slot))
    for i, category in enumerate(labels):
        if i % label_every == 0:
            drawing.add(String(left + slot * (i + 0.5), bottom - 10, category, fontName=FONT,
                               fontSize=6.5, textAnchor="middle", fillColor=INK))

    def y_of(value: float) -> float:
        return bottom + plot_h * (value - low) / (top - low)

    for index, (name, series) in enumerate(chart.series):
        colour, dash = _style(chart.kind, name, index)
        if chart.kind == "lines":
            run: list[float] = []
            for i, value in enumerate([*series, None]):
                if value is not None:
                    x, y = left + slot * (i + 0.5), y_of(value)
                    run += [x, y]
                    drawing.add(Circle(x, y, 1.6, fillColor=colour, strokeColor=colour))
                elif run:
                    if len(run) > 2:
                        drawing.add(PolyLine(run, strokeColor=colour, strokeWidth=1.4,
                                             strokeDashArray=DASHES.get(dash)))
                    run = []
        else:
            width_each = slot * 0.8 / len(chart.series)
            for i, value in enumerate(series):
                if value is None:
                    continue
                x = left + slot * (i + 0.1) + width_each * index
                drawing.add(Rect(x, bottom, width_each * 0.92, y_of(value) - bottom,
                                 fillColor=colour, strokeColor=INK, strokeWidth=0.3))
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=INK, strokeWidth=0.6))
    return drawing


def _style(kind: str, name: str, index: int) -> tuple[Any, str]:
    if kind == "lines":
        colour, dash = area_style(name)
        return colors.HexColor(colour), dash
    return colors.HexColor(BAR_COLOURS[index % len(BAR_COLOURS)]), "solid"


# --- tables and pages ----------------------------------------------------------------------------

def table_flowable(frame: pl.DataFrame, width: float) -> Table:
    """A table with a header row that repeats on each page; every cell is wrapped text."""
    header = [Paragraph(_text(c), _STYLES["head"]) for c in frame.columns]
    rows = [[Paragraph("" if v is None else _text(v), _STYLES["cell"]) for v in row]
            for row in frame.iter_rows()]
    table = Table([header, *rows], colWidths=[width / max(frame.width, 1)] * frame.width,
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    return table


def _block(block: Block, width: float) -> list[Flowable]:
    parts: list[Flowable] = [Paragraph(_text(block.heading), _STYLES["h2"])]
    parts += [Paragraph(_text(p), _STYLES["body"]) for p in block.paragraphs]
    parts += [Paragraph("\u2022 " + _text(b), _STYLES["body"]) for b in block.bullets]
    if block.chart is not None and block.table is not None and not block.table.is_empty():
        chart_w = width * 0.56
        side = Table([[chart_drawing(block.chart, chart_w - 8, 150),
                       table_flowable(block.table, width - chart_w)]],
                     colWidths=[chart_w, width - chart_w])
        side.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        parts.append(side)
    elif block.table is not None and not block.table.is_empty():
        parts.append(table_flowable(block.table, width))
    parts += [Paragraph(_text(n), _STYLES["note"]) for n in block.notes]
    parts.append(Spacer(1, 6))
    return [KeepTogether(parts)] if block.chart is not None else parts


def _page_canvas(pack: Pack) -> type[Canvas]:
    class PackCanvas(Canvas):
        """Draws the banner and footer on every page once the page count is known."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            w, h = PAGE
            if pack.banner:
                self.setFillColor(BANNER_FILL)
                self.setStrokeColor(BANNER_EDGE)
                self.rect(MARGIN, h - MARGIN + 1, w - 2 * MARGIN, 14, fill=1, stroke=1)
                self.setFillColor(INK)
                self.setFont(BOLD, 8)
                self.drawString(MARGIN + 5, h - MARGIN + 5, pack.banner)
            self.setFont(FONT, 7)
            self.setFillColor(INK)
            self.drawString(MARGIN, MARGIN - 16, pack.footer)
            self.drawRightString(w - MARGIN, MARGIN - 16, f"Page {number} of {total}")

    return PackCanvas


def render(pack: Pack) -> bytes:
    """The pack as PDF bytes."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN + 20, bottomMargin=MARGIN, title=pack.title,
                            author="Oldham Education Partnership dashboard",
                            subject=pack.meta.get("subject", ""), lang="en-GB")
    width = PAGE[0] - 2 * MARGIN
    story: list[Flowable] = [Paragraph(_text(pack.title), _STYLES["title"])]
    story += [Paragraph(_text(line), _STYLES["body"]) for line in pack.lines]
    story.append(Spacer(1, 6))
    for block in pack.blocks:
        story += _block(block, width)
    doc.build(story, canvasmaker=_page_canvas(pack))
    return out.getvalue()


def wide(frame: pl.DataFrame, *, index: str, columns: str, values: str,
         order: Sequence[str] | None = None) -> pl.DataFrame:
    """A long frame of text figures as a grid (one row per ``index``, one column per
    ``columns``), in ``order`` where given: the table beside a chart."""
    grid = frame.pivot(on=columns, index=index, values=values, aggregate_function="first",
                       maintain_order=True)
    names = [c for c in (order or grid.columns) if c in grid.columns and c != index]
    return grid.select(index, *names)
