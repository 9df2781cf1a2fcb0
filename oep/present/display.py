"""Presenting figures for people: numbers as text with their units, published symbols as themselves.

A figure the source did not print (``value`` null) is shown by its symbol (``c``, ``z``, ``x``,
``low``...), never as 0 and never as a blank that reads like one. Areas and periods get the names
a head teacher uses, and so do table columns. Headline tiles are built here too, so every page
shows "this year, change on last year, England and the North West beside it" the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice

import polars as pl

from oep.domain.dictionary import help_text
from oep.domain.areas import ENGLAND, NORTH_WEST
from oep.domain.dictionary import label_of, unit_of
from oep.domain.periods import period_label, previous_year, with_periods
from oep.data.memo import MEMO_SIZE, per_input
from oep.data.schema import (
    MEASURES,
    OFSTED_GRADES,
    REPORT_CARD_LATEST,
    TOTAL_PHASE,
)

NO_FIGURE = "no figure"
SYMBOL_MEANINGS: dict[str, str] = {
    "c": "suppressed to protect confidentiality",
    "z": "not applicable",
    "x": "not available",
    ":": "not available",
    "low": "rounds to 0 but is not 0",
    "~": "rounds to 0 but is not 0",
    "u": "low reliability",
    ".": "not available",
    "..": "not available",
}
DECIMALS: dict[str, int] = {"%": 1, "per 100": 2, "pupils": 0, "score": 2, "schools": 0}


# Plain column names for tables and downloads.
COLUMN_NAMES: dict[str, str] = {
    "urn": "URN",
    "name": "School",
    "phase": "Phase",
    "school_type": "Type of school",
    "trust": "Trust",
    "pupils": "Pupils on roll",
    "ofsted_grade": "Ofsted grade",
    "ofsted_date": "Ofsted inspection date",
    "area": "Area",
    "period": "Period",
    "pupil_group": "Pupils",
    "measure_label": "Measure",
    "unit": "Unit",
    "figure": "Figure",
    "schools": "Schools counted",
}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _rounded(value: float, decimals: int) -> int:
    """|value| x 10^decimals rounded half away from zero: the same arithmetic as
    ``_number_expr``, so a tile and a table never show one figure two ways."""
    scaled = Decimal(abs(value) * 10 ** decimals)
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def figure_text(value: float | None, symbol: str | None, unit: str, *,
                with_unit: bool = True) -> str:
    """One figure as people read it: '7.1%', '11.30 per 100', '1,234', or its symbol ('c')."""
    if _missing(value):
        return symbol or NO_FIGURE
    decimals = DECIMALS.get(unit, 1)
    scaled = _rounded(value, decimals)
    whole, fraction = divmod(scaled, 10 ** decimals)
    sign = "-" if value < 0 and scaled else ("+" if unit == "score" else "")
    grouped = with_unit and unit != "score"
    text = sign + (f"{whole:,}" if grouped else str(whole))
    if decimals:
        text += "." + str(fraction).zfill(decimals)
    if with_unit and unit == "%":
        text += "%"
    elif with_unit and unit == "per 100":
        text += " per 100 pupils"
    elif with_unit and unit == "schools":
        text += " school" if value == 1 else " schools"
    if symbol == "u":  # a figure the source flags as of low reliability keeps its flag
        text += " (u)"
    return text


NO_CHANGE = "no change"


def change_text(change: float | None, unit: str) -> str | None:
    """A change as people read it: '+0.3 points' for rates, '+12' for counts, 'no change' when it
    rounds to nothing at the figure's precision; None if unknown."""
    if _missing(change):
        return None
    decimals = DECIMALS.get(unit, 1)
    if round(change, decimals) == 0:
        return NO_CHANGE
    if unit == "%":
        return f"{change:+.{decimals}f} points"
    return f"{change:+,.{decimals}f}"


def symbol_words(symbol: str | None, meaning: str | None = None) -> str | None:
    """'x = not available': a symbol with what its publication says it means (``meaning``, from
    the load that brought the figure) or, where it says nothing of its own, the standard
    meaning."""
    if not symbol:
        return None
    words = meaning or SYMBOL_MEANINGS.get(symbol)
    return f"{symbol} = {words}" if words else None


def symbol_words_expr(frame: pl.DataFrame) -> pl.Expr:
    """``symbol_words`` as a native expression over a frame's ``symbol`` and, where it has one,
    ``symbol_meaning`` column (``queries`` adds it to every figure)."""
    symbol = pl.col("symbol")
    own = (pl.col("symbol_meaning") if "symbol_meaning" in frame.columns
           else pl.lit(None, dtype=pl.String))
    words = pl.coalesce(own, symbol.replace_strict(SYMBOL_MEANINGS, default=None,
                                                   return_dtype=pl.String))
    return pl.when(symbol.is_not_null() & words.is_not_null()).then(
        pl.format("{} = {}", symbol, words))


def symbol_legend(frame: pl.DataFrame, value: str = "value", *,
                  missing_only: bool = True) -> str | None:
    """A legend for the symbols that appear ('c = suppressed to protect confidentiality; x = ...'),
    each as its own publication defines it: the same symbol from two publications can be listed
    twice. ``missing_only``: only the symbols standing where a figure is missing."""
    if "symbol" not in frame.columns or frame.is_empty():
        return None
    rows = frame.filter(pl.col(value).is_null()) if missing_only else frame
    meanings = (rows["symbol_meaning"].to_list() if "symbol_meaning" in rows.columns
                else [None] * rows.height)
    seen = {symbol_words(symbol, meaning)
            for symbol, meaning in zip(rows["symbol"].to_list(), meanings)}
    return "; ".join(sorted(seen - {None})) or None


SYMBOL_COLUMN = "What the symbol means"


def _with_symbol_words(shaped: pl.DataFrame, names: dict[str, str]
                       ) -> tuple[pl.DataFrame, dict[str, str]]:
    """A table's rows with what each symbol in them means, as a last column when any row has
    one: in the table and its download, beside the figure it explains."""
    if "symbol" not in shaped.columns:
        return shaped, names
    shaped = shaped.with_columns(symbol_words_expr(shaped).alias("symbol_words"))
    if shaped["symbol_words"].is_null().all():
        return shaped, names
    return shaped, {**names, "symbol_words": SYMBOL_COLUMN}


def _grouped_expr(whole: pl.Expr) -> pl.Expr:
    """A non-negative integer with thousands separators: 1234567 -> '1,234,567'."""
    def three(part: pl.Expr) -> pl.Expr:
        return part.cast(pl.String).str.pad_start(3, "0")

    return (
        pl.when(whole < 1_000).then(whole.cast(pl.String))
        .when(whole < 1_000_000).then(pl.format("{},{}", whole // 1_000, three(whole % 1_000)))
        .when(whole < 1_000_000_000).then(pl.format(
            "{},{},{}", whole // 1_000_000, three(whole // 1_000 % 1_000), three(whole % 1_000)))
        .otherwise(pl.format("{},{},{},{}", whole // 1_000_000_000,
                             three(whole // 1_000_000 % 1_000), three(whole // 1_000 % 1_000),
                             three(whole % 1_000)))
    )


def _figure_texts(figures: pl.LazyFrame, with_unit: bool) -> pl.Series:
    """``figure_text`` of each row of ``figures`` (number, unit, symbol) as native polars (a
    Python callback inside polars can deadlock a threaded server): the number with its decimals,
    sign and unit words, or the symbol.

    Worked out in stages, each naming the last one's columns: written as one expression, each
    part was repeated in every branch that used it, and planning that took 10 ms for 15 rows.
    """
    value, unit, symbol = pl.col("number"), pl.col("unit"), pl.col("symbol")
    decimals, scale, scaled = pl.col("decimals"), pl.col("scale"), pl.col("scaled")
    whole, fraction = pl.col("whole"), pl.col("fraction")
    is_score = unit == "score"
    staged = (
        figures
        .with_columns(unit.replace_strict(DECIMALS, default=1, return_dtype=pl.Int64)
                      .alias("decimals"))
        .with_columns(pl.lit(10, dtype=pl.Int64).pow(decimals).alias("scale"))
        .with_columns((value.fill_nan(None).abs() * scale).round(0, mode="half_away_from_zero")
                      .cast(pl.Int64).alias("scaled"))
        .with_columns((scaled // scale).alias("whole"),
                      (scaled % scale).cast(pl.String).alias("fraction"))
    )
    sign = (pl.when((value < 0) & (scaled > 0)).then(pl.lit("-"))
            .when(is_score).then(pl.lit("+")).otherwise(pl.lit("")))
    digits = (pl.when(is_score | (not with_unit)).then(whole.cast(pl.String))
              .otherwise(_grouped_expr(whole)))
    decimal_part = (pl.when(decimals == 0).then(pl.lit(""))
                    .when(decimals == 1).then(pl.format(".{}", fraction))
                    .otherwise(pl.format(".{}", fraction.str.pad_start(2, "0"))))
    words = pl.lit("")
    if with_unit:
        words = (pl.when(unit == "%").then(pl.lit("%"))
                 .when(unit == "per 100").then(pl.lit(" per 100 pupils"))
                 .when((unit == "schools") & (value == 1)).then(pl.lit(" school"))
                 .when(unit == "schools").then(pl.lit(" schools"))
                 .otherwise(pl.lit("")))
    number = pl.col("number_text")
    return staged.with_columns(
        pl.concat_str(sign, digits, decimal_part, words).alias("number_text")
    ).select(
        pl.when(value.is_null() | value.is_nan()).then(symbol.fill_null(pl.lit(NO_FIGURE)))
        .when(symbol == "u").then(pl.format("{} (u)", number))
        .otherwise(number).alias("text")
    ).collect().to_series()


# Tables shorter than this are formatted by ``figure_text`` itself: a polars plan takes some
# milliseconds to set up whatever the table's size, Python some microseconds a row.
NATIVE_FROM_ROWS = 1000


def with_figure_text(frame: pl.DataFrame, *, unit: str | None = None, value: str = "value",
                     symbol: str = "symbol", out: str = "figure",
                     with_unit: bool = False) -> pl.DataFrame:
    """Add a text column: each figure formatted, or its published symbol where it had none.

    The unit comes from ``unit`` or, per row, from a ``unit`` column. Without units (the default)
    the text stays machine-readable for a CSV: '7.1', 'c'.
    """
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(out))
    if frame.height < NATIVE_FROM_ROWS:
        texts = [figure_text(v, s, u, with_unit=with_unit) for v, s, u in zip(
            frame[value].cast(pl.Float64).to_list(),
            frame[symbol].to_list() if symbol in frame.columns else [None] * frame.height,
            [unit] * frame.height if unit is not None else frame["unit"].to_list())]
        return frame.with_columns(pl.Series(out, texts, dtype=pl.String))
    figures = frame.lazy().select(
        pl.col(value).cast(pl.Float64).alias("number"),
        (pl.lit(unit, dtype=pl.String) if unit is not None else pl.col("unit")).alias("unit"),
        (pl.col(symbol) if symbol in frame.columns else pl.lit(None, dtype=pl.String))
        .alias("symbol"),
    )
    return frame.with_columns(_figure_texts(figures, with_unit).alias(out))


@per_input(MEMO_SIZE)
def series(rows: pl.DataFrame, measure: str) -> pl.DataFrame:
    """One measure's rows for every area, with period labels, in period order."""
    return with_periods(rows.filter(pl.col("measure") == measure)).sort(
        "area", "order", maintain_order=True)


@per_input(MEMO_SIZE)
def all_when_none(label: str) -> Callable[[str | None], str]:
    """A picker's words for its options: ``label`` for None (nothing chosen), else the option."""
    def words(option: str | None) -> str:
        return option or label
    return words


@per_input(MEMO_SIZE)
def school_options(schools: pl.DataFrame) -> dict[str, str]:
    """URN -> 'Name (URN)' for a school picker, in name order (searchable by either)."""
    ordered = schools.sort("name", "urn")
    return {u: f"{n} ({u})" for u, n in zip(ordered["urn"].to_list(), ordered["name"].to_list())}


def first_school(names: dict[str, str], own_urn: str | None) -> str:
    """The school a page opens on: the viewer's own if it is among ``names``, else the first."""
    return own_urn if own_urn in names else next(iter(names))


def matching_schools(names: dict[str, str], query: str, limit: int,
                     keep: Sequence[str] = ()) -> list[str]:
    """URNs whose 'Name (URN)' holds every word of ``query`` (any case), the first ``limit`` in
    name order, with ``keep`` (the current choice) always among them: a picker for England's
    24,000 schools sends a page of matches, not every school."""
    words = query.casefold().split()
    found = (u for u, label in names.items() if all(w in label.casefold() for w in words))
    shown = list(islice(found, limit))  # the first matches only: no need to look further
    return [u for u in dict.fromkeys(keep) if u in names and u not in shown] + shown


@per_input(MEMO_SIZE)
def school_record(schools: pl.DataFrame, urn: str | None) -> dict[str, object] | None:
    """One school's row (as a dict) among the schools given, or None."""
    rows = schools.filter(pl.col("urn") == urn) if urn else schools.clear()
    return rows.row(0, named=True) if rows.height else None


def phase_note(wanted: str | None, published: str, school_name: str | None) -> str:
    """Which schools the borough figures cover, in words, and why."""
    if wanted and published != wanted:
        return (f"The DfE publishes no borough figures for {wanted.lower()} schools: borough "
                "figures are for all phases.")
    if published == TOTAL_PHASE:
        return "Borough figures are for all phases."
    why = f", the phase of {school_name}" if school_name else ""
    return f"Borough figures are for {published.lower()} schools{why}."


@per_input(MEMO_SIZE)
def people_table(frame: pl.DataFrame, columns: dict[str, str] | Sequence[str]) -> pl.DataFrame:
    """Select and rename columns for people: a list uses COLUMN_NAMES, a dict its own names."""
    names = columns if isinstance(columns, dict) else {c: COLUMN_NAMES.get(c, c) for c in columns}
    return frame.select([pl.col(c).alias(n) for c, n in names.items()])


def _measure_words(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("measure").replace_strict({m: v[0] for m, v in MEASURES.items()},
                                         default=pl.col("measure")).alias("measure_label"),
        pl.col("measure").replace_strict({m: v[1] for m, v in MEASURES.items()},
                                         default=None, return_dtype=pl.String).alias("unit"),
    )


@per_input(MEMO_SIZE)
def long_table(frame: pl.DataFrame, extra: dict[str, str] | None = None) -> pl.DataFrame:
    """The numbers behind a chart of long figure rows, for people and for the CSV.

    Expects area, period, measure, value, symbol (and ``extra`` columns, named as given; and an
    ``order`` column for period order if there is one). Figures are text: '7.1', or the symbol.
    With a ``pupil_group`` column, each figure says which pupils it covers.
    """
    if frame.is_empty():
        return frame
    extra = extra or {}
    shaped = with_figure_text(_measure_words(frame))
    sort = [c for c in ("measure_label", *extra, "area", "order") if c in shaped.columns]
    pupils = {"pupil_group": COLUMN_NAMES["pupil_group"]} if "pupil_group" in frame.columns else {}
    names = {"area": COLUMN_NAMES["area"], **extra, **pupils, "period": "Period",
             "measure_label": "Measure", "figure": "Figure", "unit": "Unit"}
    shaped, names = _with_symbol_words(shaped, names)
    return people_table(shaped.sort(sort, maintain_order=True), names)


@per_input(MEMO_SIZE)
def ranked_table(ranked: pl.DataFrame, *, distance_name: str) -> pl.DataFrame:
    """Ranked schools for people: every school, its figure (or symbol) and its distance."""
    if ranked.is_empty():
        return ranked
    shaped = with_figure_text(_measure_words(ranked)).with_columns(
        pl.col("distance").round(1).alias("distance"))
    label = f"{label_of(ranked['measure'][0])} ({unit_of(ranked['measure'][0])})"
    return people_table(*_with_symbol_words(shaped, {
        "name": "School", "urn": "URN", "phase": "Phase", "school_type": "Type of school",
        "period": "Period", "figure": label, "threshold": "Good level for its phase",
        "distance": distance_name}))


@per_input(MEMO_SIZE)
def gap_table(frame: pl.DataFrame, *, base_name: str, gap_name: str) -> pl.DataFrame:
    """Figures per group and area with the gap to the comparison group, for people.

    Expects category (the group), area, period, measure, value, symbol, gap (and ``base`` if
    the comparison figure is shown).
    """
    if frame.is_empty():
        return frame
    shaped = with_figure_text(_measure_words(frame)).with_columns(
        pl.col("gap").round(2).alias("gap"))
    names = {"measure_label": "Measure", "category": "Pupils", "area": "Area", "period": "Period",
             "figure": "Figure", "unit": "Unit"}
    if "base" in shaped.columns:
        shaped = with_figure_text(shaped, value="base", symbol="_none", out="base_text")
        names["base_text"] = base_name
    names["gap"] = gap_name
    return people_table(*_with_symbol_words(shaped, names))


@per_input(MEMO_SIZE)
def needs_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Pupils by primary need for people: counts and shares as text, symbols kept."""
    if frame.is_empty():
        return frame
    shaped = with_figure_text(frame, unit="pupils", value="pupils", out="count")
    shaped = with_figure_text(shaped, unit="%", value="share", out="share_text")
    return people_table(*_with_symbol_words(shaped, {
        "area": "Area", "period": "Year", "part": "Primary need", "count": "Pupils",
        "share_text": "Share of pupils (%)"}))


NO_GRADE = "No inspection held"


@per_input(MEMO_SIZE)
def ofsted_counts(schools: pl.DataFrame, area: str) -> pl.DataFrame:
    """Schools per latest Ofsted grade (grade order), as bars: category, area, value, period."""
    grades = schools.with_columns(pl.col("ofsted_grade").fill_null(NO_GRADE))
    counts = dict(grades.group_by("ofsted_grade").len().iter_rows())
    categories = [g for g in (*OFSTED_GRADES, REPORT_CARD_LATEST, NO_GRADE) if g in counts]
    return pl.DataFrame({
        "category": categories,
        "area": [area] * len(categories),
        "value": [counts[g] for g in categories],
        "symbol": [None] * len(categories),
        "period": ["latest inspection"] * len(categories),
    }, schema_overrides={"symbol": pl.String, "period": pl.String})


@per_input(MEMO_SIZE)
def ofsted_table(schools: pl.DataFrame) -> pl.DataFrame:
    """Schools with their latest Ofsted judgement, for people."""
    shaped = schools.with_columns(pl.col("ofsted_grade").fill_null(NO_GRADE))
    return people_table(shaped, ["name", "urn", "phase", "school_type", "ofsted_grade",
                                 "ofsted_date"])


def key_facts(school: dict[str, object]) -> list[tuple[str, str]]:
    """A school's key facts as (label, text): phase, type, trust, pupils, Ofsted grade and date."""
    pupils = school.get("pupils")
    grade = school.get("ofsted_grade")
    inspected = school.get("ofsted_date")
    return [
        ("Phase", str(school.get("phase") or NO_FIGURE)),
        ("Type of school", str(school.get("school_type") or NO_FIGURE)),
        ("Trust", str(school.get("trust") or "Not in a trust")),
        ("Pupils on roll", f"{pupils:,}" if isinstance(pupils, int) else NO_FIGURE),
        ("Ofsted grade", str(grade) if grade else NO_GRADE),
        ("Inspected on", inspected.strftime("%d %B %Y") if hasattr(inspected, "strftime")
         else NO_FIGURE),
    ]


# Tile labels short enough for a tile; the full label is the tile's help text.
TILE_LABELS: dict[str, str] = {
    "persistent_absence": "Persistent absence",
    "ehc_plan_pct": "EHC plans",
    "sen_support_pct": "SEN support",
    "severe_absence": "Severe absence",
    "suspension_rate": "Suspensions per 100 pupils",
    "perm_excl_rate": "Permanent exclusions per 100 pupils",
    "pupils_suspended": "Pupils suspended",
    "ehcp_20wk_pct": "New EHC plans within 20 weeks",
    "ehcp_20wk_pct_inc_exc": "New EHC plans within 20 weeks (all)",
}


def tile_text(value: float | None, symbol: str | None, unit: str) -> str:
    """A figure for a tile or beside one: as ``figure_text`` but a rate per 100 pupils without
    its unit words (the tile's label carries them)."""
    return figure_text(value, symbol, unit, with_unit=unit != "per 100")


@dataclass(frozen=True)
class Tile:
    """One headline figure with the change on last year and published comparators beside it."""

    label: str
    help: str | None
    unit: str
    period: str
    value: str
    change: str | None
    change_since: str | None
    beside: tuple[tuple[str, str], ...]
    lower_is_better: bool | None
    symbol_note: str | None = None
    # The raw figures behind the texts, for the sentence under the tile (``oep.present.sentences``).
    area: str = ""
    measure: str = ""
    figure: float | None = None
    symbol: str | None = None
    previous: float | None = None
    previous_period: str | None = None
    beside_figures: tuple[tuple[str, float | None], ...] = ()

    @property
    def unchanged(self) -> bool:
        return self.change == NO_CHANGE

    @property
    def note(self) -> str:
        """The period and change basis, then the comparators: the caption under a tile."""
        when = self.period + (f", change {self.change_since}" if self.change_since else "")
        lines = [when, self.symbol_note, " · ".join(f"{area} {text}" for area, text in self.beside)]
        return "  \n".join(line for line in lines if line)


LOWER_IS_BETTER = frozenset({
    "overall_absence", "authorised_absence", "unauthorised_absence", "persistent_absence",
    "severe_absence", "suspension_rate", "perm_excl_rate", "suspensions", "perm_excl",
    "pupils_suspended",
})
HIGHER_IS_BETTER = frozenset({"ehcp_20wk_pct", "ehcp_20wk_pct_inc_exc", "progress", "attainment"})


_Figure = tuple[float | None, str | None, str | None]
"""(value, symbol, what the symbol means) of one figure."""


@per_input(MEMO_SIZE)
def _figures(frame: pl.DataFrame, time_identifier: str) -> dict[tuple[str, str, int], _Figure]:
    """Each (area, measure, period)'s first figure in a long frame with ``area``: one pass over
    the rows for a page's every tile, not a filter per figure (each was looked up three times)."""
    rows = frame.filter(pl.col("time_identifier") == time_identifier)
    meanings = (rows["symbol_meaning"].to_list() if "symbol_meaning" in rows.columns
                else [None] * rows.height)
    found: dict[tuple[str, str, int], _Figure] = {}
    for area, measure, period, value, symbol, meaning in zip(
            rows["area"].to_list(), rows["measure"].to_list(), rows["time_period"].to_list(),
            rows["value"].to_list(), rows["symbol"].to_list(), meanings):
        found.setdefault((area, measure, period), (value, symbol, symbol_words(symbol, meaning)))
    return found


@per_input(MEMO_SIZE)
def headline_tiles(frame: pl.DataFrame, area: str, measures: Sequence[str], *,
                   time_period: int | None, time_identifier: str,
                   beside: Sequence[str] = (ENGLAND, NORTH_WEST)) -> list[Tile]:
    """A tile per measure for ``area`` (a label in ``frame['area']``).

    ``frame`` is long (area, time_period, time_identifier, measure, value, symbol), already
    narrowed to one phase and pupil group. With ``time_period`` None each measure shows its latest
    period held for ``area``. A measure with no row at all for the area gets no tile.
    """
    figures = _figures(frame, time_identifier)
    tiles: list[Tile] = []
    for measure in measures:
        period = time_period
        if period is None:
            period = max((p for a, m, p in figures if a == area and m == measure
                          and p is not None), default=None)
            if period is None:
                continue
        if (area, measure, period) not in figures:
            continue
        value, symbol, meaning = figures[(area, measure, period)]
        unit = unit_of(measure)
        before = previous_year(period)
        previous = figures.get((area, measure, before), (None, None, None))[0]
        change = None if _missing(value) or _missing(previous) else value - previous
        others, other_figures = [], []
        for other in beside:
            if (other, measure, period) in figures:
                other_value, other_symbol, _ = figures[(other, measure, period)]
                others.append((other, tile_text(other_value, other_symbol, unit)))
                other_figures.append((other, None if _missing(other_value) else other_value))
        tiles.append(Tile(
            label=TILE_LABELS.get(measure, label_of(measure)),
            help=help_text(measure),
            unit=unit, period=period_label(period, time_identifier),
            value=tile_text(value, symbol, unit),
            change=change_text(change, unit),
            change_since=f"on {period_label(before, time_identifier)}" if change is not None
            else None,
            beside=tuple(others),
            lower_is_better=True if measure in LOWER_IS_BETTER
            else False if measure in HIGHER_IS_BETTER else None,
            symbol_note=meaning,
            area=area, measure=measure, figure=None if _missing(value) else value, symbol=symbol,
            previous=None if _missing(previous) else previous,
            previous_period=period_label(before, time_identifier),
            beside_figures=tuple(other_figures),
        ))
    return tiles
