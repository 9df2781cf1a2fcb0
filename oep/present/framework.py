"""What every public-sector dashboard publishes about itself: dates in GOV.UK style, how fresh
the data is, where each source comes from and when the next is due, and the accessibility
statement's list of known problems. Pure functions over frames; ``oep/present/ui.py`` and the
framework pages draw them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from oep.domain.periods import year_label_expr
from oep.domain.periods import year_label

# When the statement was written and the dashboard last tested (the statement gives both).
STATEMENT_PREPARED = date(2026, 11, 29)
LAST_TESTED = date(2026, 11, 29)
AXE_VERSION = "4.14.1"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def govuk_date(day: date | datetime) -> str:
    """'23 March 2026': the GOV.UK style, no leading zero, month in words."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def govuk_date_expr(column: pl.Expr) -> pl.Expr:
    """``govuk_date`` as a native polars expression, for table columns of dates or times."""
    return column.dt.strftime("%-d %B %Y")


BLANK = "–"
BLANK_NOTE = ("– : no figure. The source published none for this row, or a figure it needs is "
              "missing or suppressed (its symbol, such as c, is shown where the source gave one).")


def for_people(frame: pl.DataFrame) -> tuple[pl.DataFrame, bool]:
    """A table to show: dates and times as GOV.UK dates, blanks as '–'. Returns the frame and
    whether any blank was filled (so the page can say what '–' means)."""
    columns, blanks = [], False
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        nulls = frame[name].null_count() > 0
        if dtype in (pl.Date, pl.Datetime) or isinstance(dtype, pl.Datetime):
            column = govuk_date_expr(column)
        elif nulls and dtype != pl.String:
            column = column.cast(pl.String)
        elif not nulls:
            columns.append(column)
            continue
        blanks = blanks or nulls
        columns.append(column.fill_null(BLANK).alias(name))
    return frame.select(columns), blanks


def dated_file_name(file_name: str, day: date) -> str:
    """'attendance_trend.csv' -> 'attendance_trend_2026-11-29.csv': which day's figures a saved
    file holds, sorting in date order."""
    stem, dot, extension = file_name.rpartition(".")
    return f"{stem}_{day.isoformat()}.{extension}" if dot else f"{file_name}_{day.isoformat()}"


def file_size(size: int) -> str:
    """'12 KB', '1.2 MB', '640 bytes' for a download's label."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass(frozen=True)
class Publication:
    name: str
    month: int | None  # the month the next release usually comes out; None: no fixed month
    cadence: str


PUBLICATIONS: dict[str, Publication] = {
    "register": Publication("Get Information about Schools (GIAS): establishments", None,
                            "updated daily; load again when schools open, close or change"),
    "links": Publication("Get Information about Schools (GIAS): links", None,
                         "updated daily; load with the register"),
    "absence": Publication("Pupil absence in schools in England", 3,
                           "each March, for the school year before"),
    "attendance": Publication("Pupil attendance in schools (daily data)", None,
                              "every two weeks in term time"),
    "sen": Publication("Special educational needs in England", 6, "each June"),
    "ehcp": Publication("Education, health and care plans", 6, "each June"),
    "suspensions": Publication("Suspensions and permanent exclusions in England", 7,
                               "each July, for the school year before"),
    "ofsted": Publication("Ofsted: state-funded schools inspections and outcomes", None,
                          "monthly"),
    "partnership": Publication("The partnership's own register (MoU, support links, partners)",
                               None, "when the partnership's register changes"),
    "demo": Publication("Synthetic demo data (invented, not published)", None,
                        "never: nothing real is loaded"),
}


def next_expected(kind: str, loaded: date) -> str:
    """When the next release of a source is due, in words: 'March 2027', or its cadence."""
    publication = PUBLICATIONS.get(kind)
    if publication is None:
        return "not known"
    if publication.month is None:
        return publication.cadence.capitalize()
    year = loaded.year + (1 if loaded.month >= publication.month else 0)
    return f"{MONTHS[publication.month - 1]} {year} ({publication.cadence})"


def freshness(sources: pl.DataFrame, latest_year: int | None) -> str:
    """'Data last updated on 23 March 2026; latest period: 2025/26' from ``queries.sources``."""
    if sources.is_empty():
        return "No data has been loaded yet."
    loaded = sources["loaded_at"].max()
    text = f"Data last updated on {govuk_date(loaded)}"
    return text + (f"; latest period: {year_label(latest_year)}" if latest_year else "")


def sources_table(sources: pl.DataFrame) -> pl.DataFrame:
    """Every load for people: publication, file, period covered, loaded on, next expected."""
    if sources.is_empty():
        return pl.DataFrame(schema={c: pl.String for c in (
            "Publication", "File", "Period covered", "Loaded on", "Next expected")})
    names = {kind: p.name for kind, p in PUBLICATIONS.items()}
    first, last = year_label_expr(pl.col("first_year")), year_label_expr(pl.col("last_year"))
    covered = (pl.when(pl.col("first_year").is_null()).then(pl.lit("No periods (a register)"))
               .when(pl.col("first_year") == pl.col("last_year")).then(first)
               .otherwise(pl.format("{} to {}", first, last)))
    shaped = sources.with_columns(
        pl.coalesce(pl.col("publication"), pl.col("kind").replace_strict(
            names, default=pl.col("kind"))).alias("Publication"),
        pl.col("file_name").alias("File"),
        covered.alias("Period covered"),
        govuk_date_expr(pl.col("loaded_at")).alias("Loaded on"),
        # A few rows: worked out in Python beside the frame, never as a callback inside polars.
        pl.Series("Next expected", [next_expected(kind, loaded.date()) for kind, loaded in zip(
            sources["kind"].to_list(), sources["loaded_at"].to_list())], dtype=pl.String),
    )
    return shaped.select("Publication", "File", "Period covered", "Loaded on", "Next expected")


@dataclass(frozen=True)
class KnownProblem:
    """A failure of Streamlit's own markup that the app cannot change, with its axe rule."""

    rule: str
    where: str
    problem: str
    reason: str


# The browser test's allow-list reads this list: the statement and the test name the same ones.
STREAMLIT_PROBLEMS = (
    KnownProblem("list", "[data-testid=stSidebarNav]",
                 "The page menu's list holds elements other than list items, so a screen reader "
                 "may not announce how many pages it has.",
                 "Streamlit draws the page menu; the app cannot change its markup."),
    KnownProblem("listitem", "[data-testid=stSidebarNav]",
                 "The page menu's items are not announced as a list.",
                 "Streamlit draws the page menu; the app cannot change its markup."),
    KnownProblem("target-size", "[data-testid=stDateInput]",
                 "The date picker's day buttons are smaller than 24 by 24 pixels.",
                 "Streamlit's date picker; dates can also be typed."),
)


def problems_table() -> pl.DataFrame:
    """The known problems of Streamlit's markup, for the statement."""
    return pl.DataFrame([(p.problem, p.rule, p.reason) for p in STREAMLIT_PROBLEMS],
                        schema=["Problem", "Check that finds it (axe-core rule)", "Why"],
                        orient="row")
