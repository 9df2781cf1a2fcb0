"""School years, terms and weeks as people name and order them: 202425 is "2024/25", the
whole year sorts after its summer term, "Week 37" of 2024 is the week of 9 Sep 2024.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from oep.data.schema import ACADEMIC_YEAR, CALENDAR_YEAR, TERMS


def year_label(time_period: int) -> str:
    """202425 -> '2024/25'; a calendar year stays as it is."""
    text = str(time_period)
    return f"{text[:4]}/{text[4:]}" if len(text) == 6 else text


def year_label_expr(time_period: pl.Expr) -> pl.Expr:
    """``year_label`` as a native expression: 202425 -> '2024/25'; 2024 stays '2024'."""
    return (
        pl.when(time_period >= 100_000)
        .then(pl.format("{}/{}", time_period // 100,
                        (time_period % 100).cast(pl.String).str.pad_start(2, "0")))
        .otherwise(time_period.cast(pl.String))
    )


WEEK = "Week "  # a week of the daily attendance data: 'Week 37' of a calendar year (ISO weeks)


def week_start_expr(time_period: pl.Expr, time_identifier: pl.Expr) -> pl.Expr:
    """The Monday an ISO week starts: week 1 is the week holding 4 January."""
    week = time_identifier.str.strip_prefix(WEEK).cast(pl.Int64, strict=False)
    jan4 = pl.date(time_period.cast(pl.Int32), 1, 4)
    return (jan4 - pl.duration(days=jan4.dt.weekday().cast(pl.Int64) - 1)
            + pl.duration(weeks=week - 1))


def period_label_expr(time_period: pl.Expr, time_identifier: pl.Expr) -> pl.Expr:
    """``period_label`` as a native expression."""
    year = year_label_expr(time_period)
    return (pl.when(time_identifier.is_in([ACADEMIC_YEAR, CALENDAR_YEAR])).then(year)
            .when(time_identifier.str.starts_with(WEEK))
            .then(pl.format("Week of {}", week_start_expr(time_period, time_identifier)
                            .dt.strftime("%-d %b %Y")))
            .otherwise(pl.format("{} {}", time_identifier, year)))


def period_order_expr(time_period: pl.Expr, time_identifier: pl.Expr) -> pl.Expr:
    """``period_order`` as a native expression."""
    rank = time_identifier.replace_strict({t: i + 1 for i, t in enumerate(TERMS)}, default=4,
                                          return_dtype=pl.Int64)
    week = time_identifier.str.strip_prefix(WEEK).cast(pl.Int64, strict=False)
    return (pl.when(time_identifier.str.starts_with(WEEK))
            .then(time_period.cast(pl.Int64) * 100 + week)
            .otherwise(time_period.cast(pl.Int64) * 10 + rank))


def period_label(time_period: int, time_identifier: str) -> str:
    """'2023/24' for a whole academic year, 'Autumn term 2023/24' for a term, '2024' for a year,
    'Week of 12 Sep 2022' for a week."""
    if time_identifier in (ACADEMIC_YEAR, CALENDAR_YEAR):
        return year_label(time_period)
    if time_identifier.startswith(WEEK):
        start = date.fromisocalendar(time_period, int(time_identifier.removeprefix(WEEK)), 1)
        return f"Week of {start.day} {start:%b %Y}"
    return f"{time_identifier} {year_label(time_period)}"


def period_order(time_period: int, time_identifier: str) -> int:
    """A sort key: terms in school-year order, the whole year after its summer term; weeks in
    order."""
    if time_identifier.startswith(WEEK):
        return time_period * 100 + int(time_identifier.removeprefix(WEEK))
    rank = TERMS.index(time_identifier) + 1 if time_identifier in TERMS else 4
    return time_period * 10 + rank


def with_periods(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``period`` (label) and ``order`` (sort key) from time_period and time_identifier."""
    if frame.is_empty():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias("period"),
                                  pl.lit(None, dtype=pl.Int64).alias("order"))
    period, identifier = pl.col("time_period"), pl.col("time_identifier")
    return frame.with_columns(period_label_expr(period, identifier).alias("period"),
                              period_order_expr(period, identifier).alias("order"))


def previous_year(time_period: int) -> int:
    """202324 -> 202223; a calendar year 2024 -> 2023."""
    if time_period >= 100000:
        start = time_period // 100 - 1
        return start * 100 + (start + 1) % 100
    return time_period - 1


def term_name(time_identifier: str) -> str:
    return "Whole year" if time_identifier == ACADEMIC_YEAR else time_identifier
