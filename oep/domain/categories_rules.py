"""The support-category rules of the partnership agreement (docs/product.md#support-categories), as
pure functions over frames.

Frames in, findings out; no store, no access, no Streamlit. Every school is assessed at once
(``assess_frames``): each condition of each category yields, per school, finding rows with the rule
in the agreement's words, the figure, the period and the threshold, and whether the condition holds
(``True``), does not (``False``) or cannot be told because the evidence is missing (null - "not
known"). Native polars expressions throughout (no Python callbacks inside polars: they deadlock
under Streamlit's threads); DuckDB prints the figures.

How a category is suggested:

* **Intensive** if *any* Intensive condition holds (it outranks Targeted);
* **Universal** only if *all* Universal conditions hold, on evidence that is there - a condition
  that is "not known" blocks Universal - and no Targeted condition holds;
* **Targeted** otherwise (any Targeted condition, or a Universal condition not met or not known).

Thresholds come from ``data/settings.toml`` (``RuleSet.from_settings``: the general levels, and
per-phase levels where ``[by_phase.<phase>]`` sets them). Comparisons:
absence is good when *at most* the good level and inadequate when *above* the inadequate level;
progress is above national when *above* ``above_national``; "near, at or below" a level means at
most the level plus ``near_margin``.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import polars as pl

from oep.data.config import Settings
from oep.domain.periods import year_label
from oep.data.schema import (
    ACADEMIC_YEAR,
    ALL_PUPILS,
    OFSTED_GRADES,
    OVERALL_EFFECTIVENESS,
    REPORT_CARD_GRADES,
)

UNIVERSAL, TARGETED, INTENSIVE = "Universal", "Targeted", "Intensive"
CATEGORIES = (UNIVERSAL, TARGETED, INTENSIVE)

OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE = OFSTED_GRADES
GOOD_OR_BETTER = frozenset({OUTSTANDING, GOOD})
# Report cards (from November 2025) grade each area on five points and have no overall grade. A
# report card is read through its weakest area: "Expected standard" is what a good school meets,
# "Needs attention" stands where Requires improvement stood, "Urgent improvement" where Inadequate
# did. A safeguarding area is "Met" or "Not met"; "Not met" is read as Inadequate.
REPORT_CARD_BANDS: dict[str, str] = dict(
    zip(REPORT_CARD_GRADES, (OUTSTANDING, GOOD, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE))
)
SAFEGUARDING_NOT_MET = "Not met"
BAND_ORDER = {grade: rank for rank, grade in enumerate(OFSTED_GRADES)}  # worse is higher

LEADERSHIP = "Leadership and governance"
OUTWARD_LINKS = "Outward-facing links"
SELF_EVALUATION = "Self-evaluation accuracy"
TEACHING = "Quality of teaching"
EFFECTIVE, SOME_CONCERNS, NOT_EFFECTIVE = "Effective", "Some concerns", "Not effective"

OVERALL_ABSENCE, PERSISTENT_ABSENCE, PROGRESS = "overall_absence", "persistent_absence", "progress"
EVIDENCE_MEASURES = (OVERALL_ABSENCE, PERSISTENT_ABSENCE, PROGRESS)
# The attendance measures the rules read, named as their reasons name them.
RULE_ATTENDANCE_NAMES = {OVERALL_ABSENCE: "overall absence",
                         PERSISTENT_ABSENCE: "persistent absence"}

# The agreement's words for each condition.
U_OFSTED = "Ofsted Good or Outstanding and likely to stay so"
U_SECURELY_GOOD = "judged securely good by the school and the partnership"
U_PROGRESS = "progress consistently above national over the last three years"
U_LEADERSHIP = "effective leadership, governance, safeguarding and accurate self-evaluation"
U_LINKS = "effective outward links with partners"
U_ATTENDANCE = "good attendance"
T_OFSTED = "Ofsted Requires Improvement or at risk of it"
T_FRAGILITY = "fragility in attainment, progress, leadership, teaching or behaviour"
T_PROGRESS = "progress not consistently above national over three years"
T_COASTING = "attainment/progress near, at or below the coasting standard"
T_ATTENDANCE = "attendance not consistently good"
I_OFSTED = "Ofsted Serious Weaknesses or Special Measures (Inadequate) or at risk"
I_PROGRESS = "inadequate progress over three years"
I_FLOOR = "attainment/progress near, at or below the floor standard"
I_TEACHING = "insufficient good teaching"
I_LEADERSHIP = "leadership may lack capacity to improve"
I_LINKS = "no effective outward links"
I_ATTENDANCE = "inadequate attendance"

# Comparisons are made on figures rounded well below any published precision, so that a figure
# exactly at a threshold (e.g. -0.25 + 0.1) is "at" it despite binary floating point.
_PRECISION = 9


# The levels a phase may set differently (the numbers of years stay the same for every phase, so
# every school is judged over the same academic years).
PHASE_LEVELS = frozenset({
    "good_overall_absence", "inadequate_overall_absence", "good_persistent_absence",
    "inadequate_persistent_absence", "above_national", "coasting_progress", "floor_progress",
    "near_margin", "likely_to_stay_years", "current_years",
})


@dataclass(frozen=True)
class Thresholds:
    """The numbers the rules compare against (hashable, so it can be part of a cache key)."""

    good_overall_absence: float
    inadequate_overall_absence: float
    good_persistent_absence: float
    inadequate_persistent_absence: float
    attendance_years: int
    above_national: float
    coasting_progress: float
    floor_progress: float
    near_margin: float
    progress_years: int
    likely_to_stay_years: float
    current_years: float

    @classmethod
    def from_settings(cls, settings: Settings, phase: str | None = None) -> Thresholds:
        """Read the thresholds, with the phase's ``[by_phase.<phase>]`` levels where given.

        A key missing from the settings file, or an unknown key in a phase's table, is named in
        the error.
        """
        sections = {"attendance": settings.attendance, "outcomes": settings.outcomes,
                    "ofsted": settings.ofsted}
        overrides = settings.by_phase.get(phase or "", {})
        unknown = set(overrides) - PHASE_LEVELS
        if unknown:
            raise ValueError(f"settings: [by_phase.{phase}] cannot set {', '.join(sorted(unknown))}"
                             f"; it may set {', '.join(sorted(PHASE_LEVELS))}")

        def get(section: str, key: str) -> float:
            if key in overrides:
                return overrides[key]
            try:
                return sections[section][key]
            except KeyError:
                raise ValueError(f"settings: [{section}] {key} is missing") from None

        return cls(
            good_overall_absence=get("attendance", "good_overall_absence"),
            inadequate_overall_absence=get("attendance", "inadequate_overall_absence"),
            good_persistent_absence=get("attendance", "good_persistent_absence"),
            inadequate_persistent_absence=get("attendance", "inadequate_persistent_absence"),
            attendance_years=int(get("attendance", "years_considered")),
            above_national=get("outcomes", "above_national"),
            coasting_progress=get("outcomes", "coasting_progress"),
            floor_progress=get("outcomes", "floor_progress"),
            near_margin=get("outcomes", "near_margin"),
            progress_years=int(get("outcomes", "progress_years")),
            likely_to_stay_years=get("ofsted", "likely_to_stay_years"),
            current_years=get("ofsted", "current_years"),
        )

    def good_absence(self, measure: str) -> float:
        return self.good_overall_absence if measure == OVERALL_ABSENCE else (
            self.good_persistent_absence)

    def inadequate_absence(self, measure: str) -> float:
        return self.inadequate_overall_absence if measure == OVERALL_ABSENCE else (
            self.inadequate_persistent_absence)


@dataclass(frozen=True)
class RuleSet:
    """The thresholds for every phase (hashable, so it can be part of a cache key)."""

    default: Thresholds
    phases: tuple[tuple[str, Thresholds], ...] = ()

    def for_phase(self, phase: str | None) -> Thresholds:
        return dict(self.phases).get(phase or "", self.default)

    @property
    def years_read(self) -> int:
        """How many of the latest academic years of a measure any rule reads (the same for every
        phase)."""
        return max(self.default.attendance_years, self.default.progress_years)

    @classmethod
    def from_settings(cls, settings: Settings) -> RuleSet:
        return cls(
            Thresholds.from_settings(settings),
            tuple((phase, Thresholds.from_settings(settings, phase))
                  for phase in sorted(settings.by_phase)),
        )


@dataclass(frozen=True)
class Levels:
    """The thresholds of all schools at once: a school's ``levels`` column indexes ``sets``."""

    sets: tuple[Thresholds, ...]

    def each(self, level: Callable[[Thresholds], object]) -> pl.Expr:
        """``level`` read from each school's thresholds, as a column."""
        values = tuple(level(t) for t in self.sets)
        return _by_levels(values, tuple(map(type, values)))


@functools.lru_cache(maxsize=1024)
def _by_levels(values: tuple[object, ...], types: tuple[type, ...]) -> pl.Expr:
    # Made once per set of values (and their types: 0 and 0.0 are one key to a dict): a lookup
    # expression costs a fraction of a millisecond to build, and an assessment builds dozens.
    return pl.col("levels").replace_strict(dict(enumerate(values)))


# --- small helpers -------------------------------------------------------------------------------

def _num(x: float) -> str:
    return f"{x:g}"


def _pct(x: float) -> str:
    return f"{x:.1f}%"


def _score(x: float) -> str:
    return f"{x:+.2f}"


def years_before(on: date, years: float) -> date:
    """The date ``years`` years before ``on`` (whole years by the calendar, the rest in days)."""
    whole = int(years)
    try:
        shifted = on.replace(year=on.year - whole)
    except ValueError:  # 29 February
        shifted = on.replace(year=on.year - whole, day=28)
    return shifted - timedelta(days=round((years - whole) * 365.25))


def year_window(latest: int, count: int) -> list[int]:
    """The ``count`` academic years ending with ``latest`` (202425 -> [..., 202324, 202425])."""
    start = latest // 100
    return [(start - k) * 100 + (start - k + 1) % 100 for k in range(count - 1, -1, -1)]


def at_most_cut(limit: float, *, below: bool = False) -> float:
    """The largest float ``v`` with ``round(v, 9) <= round(limit, 9)`` (``<`` with ``below``).

    A figure is "at most" a level when compared at 9 decimals; rounding is monotonic, so
    ``v <= at_most_cut(level)`` is that comparison as a plain one a polars column can make.
    """
    level = round(limit, _PRECISION)
    if not math.isfinite(level):
        return level  # no float lies beyond it to search for

    def inside(v: float) -> bool:
        rounded = round(v, _PRECISION)
        return rounded < level if below else rounded <= level

    # Rounding changes half a unit of the 9th decimal away from the level: start there.
    v = level + (-0.5 if below else 0.5) * 10.0 ** -_PRECISION
    while not inside(v):
        v = math.nextafter(v, -math.inf)
    while inside(math.nextafter(v, math.inf)):
        v = math.nextafter(v, math.inf)
    return v


CATEGORY = pl.Enum(CATEGORIES)
TOPICS = pl.Enum(["ofsted", TEACHING, LEADERSHIP, SELF_EVALUATION, OUTWARD_LINKS, "attendance",
                  "progress"])
"""What evidence a finding reads (``named`` in ``_reason_order`` compares them as numbers)."""


def _day(d: pl.Expr) -> pl.Expr:
    return d.dt.strftime("%-d %B %Y")


def _lit(x: str | pl.Expr) -> pl.Expr:
    return x if isinstance(x, pl.Expr) else pl.lit(x, pl.String)


def _rows(frame: pl.LazyFrame, category: str, rule: str, topic: str | pl.Expr, holds: pl.Expr,
          evidence: str | pl.Expr, figure: str | pl.Expr, period: str | pl.Expr,
          threshold: str | pl.Expr, *, step: int = 0, sub: pl.Expr | int = 0,
          every_check: bool = True) -> pl.LazyFrame:
    """One finding per row of ``frame`` (which has ``school``); ``step`` and ``sub`` order findings
    of one condition block (a judgement's place in its block, a year's place in its window).

    Without ``every_check``, a Targeted or Intensive condition's rows are only those where it
    applies: one that does not (or is not known) is never a reason, and its texts are not made.
    """
    if not every_check and category != UNIVERSAL:
        frame = frame.filter(holds.fill_null(False))
    return frame.select(
        "school", step=pl.lit(step, pl.Int32),
        sub=pl.lit(sub, pl.Int32) if isinstance(sub, int) else sub.cast(pl.Int32),
        category=pl.lit(category).cast(CATEGORY), rule=pl.lit(rule, pl.String),
        topic=_lit(topic).cast(TOPICS),
        holds=holds.cast(pl.Boolean), evidence=_lit(evidence), figure=_lit(figure),
        period=_lit(period), threshold=_lit(threshold),
    )


# --- Ofsted --------------------------------------------------------------------------------------

GRADE_BANDS: dict[str, str] = {
    **{grade: grade for grade in OFSTED_GRADES}, **REPORT_CARD_BANDS,
    SAFEGUARDING_NOT_MET: INADEQUATE,
}
"""The band of each grade; other grades ("Met", "Not judged"...) say nothing about the band."""


def latest_inspections(inspections: pl.LazyFrame) -> pl.LazyFrame:
    """The latest readable inspection per school, with the band of the one before it.

    An inspection is a school's rows of one day and framework, read through its first overall grade
    that has a band, else through its weakest banded area (the first of equally weak ones).
    ``inspections``: urn, inspection_date, framework, area, grade (one row per inspection and
    area). Columns: urn, inspection_date, grade, band, previous_band, day (inspection_date in
    words), words (the reading in words).
    """
    overall = pl.col("area") == OVERALL_EFFECTIVENESS
    readings = (
        inspections.with_row_index("row")
        .with_columns(band=pl.col("grade").replace_strict(GRADE_BANDS, default=None,
                                                          return_dtype=pl.String))
        .filter(pl.col("band").is_not_null())
        .sort("urn", "inspection_date", "framework", ~overall,
              pl.when(overall).then(0).otherwise(-pl.col("band").replace_strict(BAND_ORDER)),
              "row")
        .unique(["urn", "inspection_date", "framework"], keep="first", maintain_order=True)
        # The rows are by school: the one before is the school's own if it has the same URN (a
        # window over the URN took a third of the inspections' time).
        .with_columns(previous_band=pl.when(pl.col("urn").eq_missing(pl.col("urn").shift(1)))
                      .then(pl.col("band").shift(1)))
        .unique("urn", keep="last", maintain_order=True)
    )
    day = _day(pl.col("inspection_date"))
    return readings.select(
        "urn", "inspection_date", "grade", "band", "previous_band", day=day,
        words=pl.when(overall | (pl.col("grade") == pl.col("band")))
        .then(pl.format("Ofsted {}, inspected {}", "grade", day))
        .otherwise(pl.format("Ofsted {} of {}: weakest area {} '{}', read as {}",
                             pl.col("framework").str.to_lowercase(), day, "area", "grade",
                             "band")),
    )


def ofsted_findings(schools: pl.LazyFrame, latest: pl.LazyFrame, levels: Levels, on: date, *,
                    every_check: bool = True) -> list[pl.LazyFrame]:
    """Universal, Targeted and Intensive conditions on the latest inspection (``latest``, from
    ``latest_inspections``) of each of ``schools``."""
    ev = schools.select("school", "levels").join(latest, on="school", how="left")
    known = pl.col("band").is_not_null()
    band = pl.col("band")
    recent = pl.col("inspection_date") >= levels.each(
        lambda t: years_before(on, t.likely_to_stay_years))
    is_current = pl.col("inspection_date") >= levels.each(
        lambda t: years_before(on, t.current_years))
    good = band.is_in(GOOD_OR_BETTER)
    # "At risk" of Inadequate: Requires improvement at two inspections running.
    twice = (band == REQUIRES_IMPROVEMENT) & (pl.col("previous_band") == REQUIRES_IMPROVEMENT)
    conditions = [
        (UNIVERSAL, U_OFSTED, good & recent, levels.each(
            lambda t: f"needs Good or Outstanding, inspected within the last "
                      f"{_num(t.likely_to_stay_years)} years")),
        (TARGETED, T_OFSTED, ((band == REQUIRES_IMPROVEMENT) & is_current) | (good & ~recent),
         levels.each(lambda t: f"Requires improvement within the last {_num(t.current_years)} "
                               f"years, or Good or Outstanding inspected more than "
                               f"{_num(t.likely_to_stay_years)} years ago")),
        (INTENSIVE, I_OFSTED, is_current & ((band == INADEQUATE) | twice.fill_null(False)),
         levels.each(lambda t: f"Inadequate, or Requires improvement at two inspections "
                               f"running, within the last {_num(t.current_years)} years")),
    ]
    return [
        _rows(ev, category, rule, "ofsted", pl.when(known).then(holds),
              pl.when(known).then("words").otherwise(pl.lit("no inspection on record")),
              pl.when(known).then("grade").otherwise(pl.lit("not known")),
              pl.when(known).then("day").otherwise(pl.lit("")),
              threshold, every_check=every_check)
        for category, rule, holds, threshold in conditions
    ]


# --- the partnership's own judgements ------------------------------------------------------------

_APPLIES_SOME, _APPLIES_NOT = f"applies when judged {SOME_CONCERNS}", (
    f"applies when judged {NOT_EFFECTIVE}")
JUDGEMENT_CONDITIONS: tuple[tuple[str, str, str, str, str], ...] = (
    (UNIVERSAL, U_SECURELY_GOOD, TEACHING, EFFECTIVE, f"needs {EFFECTIVE}"),
    (UNIVERSAL, U_LEADERSHIP, LEADERSHIP, EFFECTIVE, f"needs {EFFECTIVE}"),
    (UNIVERSAL, U_LEADERSHIP, SELF_EVALUATION, EFFECTIVE, f"needs {EFFECTIVE}"),
    (UNIVERSAL, U_LINKS, OUTWARD_LINKS, EFFECTIVE, f"needs {EFFECTIVE}"),
    (TARGETED, T_FRAGILITY, LEADERSHIP, SOME_CONCERNS, _APPLIES_SOME),
    (TARGETED, T_FRAGILITY, TEACHING, SOME_CONCERNS, _APPLIES_SOME),
    (TARGETED, T_FRAGILITY, SELF_EVALUATION, SOME_CONCERNS, _APPLIES_SOME),
    (INTENSIVE, I_TEACHING, TEACHING, NOT_EFFECTIVE, _APPLIES_NOT),
    (INTENSIVE, I_LEADERSHIP, LEADERSHIP, NOT_EFFECTIVE, _APPLIES_NOT),
    (INTENSIVE, I_LINKS, OUTWARD_LINKS, NOT_EFFECTIVE, _APPLIES_NOT),
)
"""Each condition on the partnership's latest judgement of an aspect, in the agreement's order:
category, rule, aspect, the judgement it holds on, threshold."""


def latest_judgements(judgements: pl.LazyFrame) -> pl.LazyFrame:
    """The latest judgement of each aspect of each school: urn, aspect, judgement, day (when
    judged, in words), words (the judgement in words).

    ``judgements``: urn, judged_on, aspect, judgement.
    """
    day = _day(pl.col("judged_on"))
    return judgements.sort("judged_on").group_by("urn", "aspect").last().select(
        "urn", "aspect", "judgement", day=day,
        words=pl.format("{} judged {} on {}", "aspect", "judgement", day))


def judgement_findings(schools: pl.LazyFrame, latest: pl.LazyFrame, *,
                       every_check: bool = True) -> pl.LazyFrame:
    """``JUDGEMENT_CONDITIONS`` checked for each of ``schools``, one block ordered by ``step``."""
    # Each aspect's latest judgements joined to the schools by number: a join of every school
    # and condition on the aspect's name took most of the rules' time for the judgements.
    judged = {aspect: schools.select("school").join(
        latest.filter(pl.col("aspect") == aspect).select("school", "judgement", "words", "day"),
        on="school", how="left") for aspect in dict.fromkeys(c[2] for c in JUDGEMENT_CONDITIONS)}
    known = pl.col("judgement").is_not_null()
    return pl.concat([
        _rows(judged[aspect], category, rule, aspect,
              pl.when(known).then(pl.col("judgement") == holds_when),
              pl.when(known).then("words")
              .otherwise(pl.lit(f"no partnership judgement of {aspect}")),
              pl.when(known).then("judgement").otherwise(pl.lit("not known")),
              pl.when(known).then("day").otherwise(pl.lit("")),
              threshold, step=step, every_check=every_check)
        for step, (category, rule, aspect, holds_when, threshold)
        in enumerate(JUDGEMENT_CONDITIONS)])


# --- yearly figures: attendance and progress -----------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """One measure's whole-school academic-year figures over the years the rules consider.

    The window ends with the latest year held for *any* school, so a school without that year's
    figure is "not known" rather than judged on older figures.
    """

    name: str
    topic: str
    years: pl.DataFrame
    """The window: k (0 = oldest), time_period, label."""
    grid: pl.DataFrame
    """Every school and year of the window, by school and year: school, levels, k, time_period,
    label, value (null if missing), shown (the value as the rules print it), part (the year in words
    where the figure is missing, with the published symbol)."""
    summary: pl.DataFrame
    """Per school, by school: school, levels, known_years, missing_years, figures (those known,
    shown), missing (in words)."""

    @property
    def span(self) -> str:
        labels = self.years["label"].to_list()
        if not labels:
            return ""
        return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"

    def missing(self, parts: pl.Expr) -> pl.Expr:
        """Which years have no figure, in words (``parts``: their labels joined, "" if none)."""
        return (pl.when(parts.fill_null("") == "").then(pl.lit(f"no {self.name} figures"))
                .otherwise(pl.format(f"no {self.name} figure for {{}}", parts)))

    def in_words(self, shown: pl.Expr, period: str | pl.Expr) -> pl.Expr:
        return pl.format(f"{self.name} {{}} in {{}}", shown, _lit(period))


# Polars' default engine for lazy plans, the streaming one, costs a millisecond or more per
# collect however small the frames; in memory is what eager frames use.
ENGINE = "in-memory"

# One in-memory DuckDB for the process, a cursor per call: opening a database costs ~40 ms, and
# Streamlit runs every script run in a new thread (one per thread cost each school picked that).
_FORMATTER: list[duckdb.DuckDBPyConnection] = []
_FORMATTER_LOCK = threading.Lock()


def _formatter() -> duckdb.DuckDBPyConnection:
    with _FORMATTER_LOCK:
        if not _FORMATTER:
            _FORMATTER.append(duckdb.connect())
        return _FORMATTER[0].cursor()


def _shown(rows: pl.DataFrame, formats: list[tuple[str, str]]) -> pl.DataFrame:
    """``rows`` with ``shown``: each value as Python's ``f"{value:{spec}}{suffix}"`` prints it,
    ``(spec, suffix)`` the ``m``-th of ``formats``.

    Polars cannot format a float to a given precision; DuckDB's ``format`` rounds exactly as
    Python does. Every measure in one query: a query costs milliseconds however few its rows.
    Each distinct figure is printed once (a few thousand of 216,000 rows at England scale), found
    by its own text, which tells -0.0 from 0.0 where polars' equality does not.
    """
    key = pl.col("value").cast(pl.String)
    distinct = rows.lazy().select("m", "value", key=key).unique(["m", "key"]).collect(
        engine=ENGINE)
    con = _formatter()
    try:
        con.register("figures", distinct)
        printed = con.sql(
            "SELECT m, key, format($1[m + 1], value) || $2[m + 1] AS shown FROM figures",
            params=[[f"{{:{spec}}}" for spec, _ in formats],
                    [suffix for _, suffix in formats]]).pl()
    finally:
        con.close()
    return (rows.lazy().with_columns(key=key)
            .join(printed.lazy(), on=["m", "key"], how="left", maintain_order="left")
            .drop("key").collect(engine=ENGINE))


@dataclass(frozen=True)
class Measure:
    """How the rules read one measure: its name and topic in the findings, how many years, and
    how its figures are printed (``f"{value:{spec}}{suffix}"``)."""

    key: str
    name: str
    topic: str
    years: Callable[[Thresholds], int]
    spec: str
    suffix: str = ""


YEARLY_MEASURES = (
    Measure(OVERALL_ABSENCE, "overall absence", "attendance", lambda t: t.attendance_years,
            ".1f", "%"),
    Measure(PERSISTENT_ABSENCE, "persistent absence", "attendance",
            lambda t: t.attendance_years, ".1f", "%"),
    Measure(PROGRESS, "progress", "progress", lambda t: t.progress_years, "+.2f"),
)


def latest_held(indicators: pl.DataFrame) -> dict[str, int]:
    """Each measure's latest academic year of whole-school figures among ``indicators``: where
    the rules' windows end (``Figures``)."""
    read = indicators.lazy().filter(
        (pl.col("time_identifier") == ACADEMIC_YEAR) & (pl.col("pupil_group") == ALL_PUPILS))
    return dict(read.group_by("measure").agg(pl.col("time_period").max())
                .collect(engine=ENGINE).iter_rows())


def yearly_figures(indicators: pl.DataFrame, ids: pl.DataFrame, rules: RuleSet,
                   held: Mapping[str, int] | None = None) -> dict[str, Figures]:
    """``Figures`` of each of ``YEARLY_MEASURES`` over its latest academic years held, for the
    schools in ``ids`` (urn, school, levels).

    ``indicators``: urn, time_period, time_identifier, pupil_group, measure, value, symbol; the
    whole-school academic-year rows are read. Of repeated rows for a school and year the last
    counts. ``held``: where the windows end (``latest_held`` of every school's rows), when
    ``indicators`` are some schools' only.
    """
    read = indicators.lazy().filter(
        (pl.col("time_identifier") == ACADEMIC_YEAR) & (pl.col("pupil_group") == ALL_PUPILS))
    latest = latest_held(indicators) if held is None else held
    dtype = indicators.schema["time_period"]
    labels = []
    for measure in YEARLY_MEASURES:
        held = latest.get(measure.key)
        # The numbers of years are the same for every phase.
        window = [] if held is None else year_window(int(held), measure.years(rules.default))
        labels.append(pl.DataFrame(
            {"k": range(len(window)), "time_period": window,
             "label": [year_label(y) for y in window]},
            schema={"k": pl.Int32, "time_period": dtype, "label": pl.String},
        ))
    # Every measure's window in one frame: one join finds the rows of all of them.
    windows = pl.concat([
        years.lazy().select("time_period", "k", "label",
                            measure=pl.lit(measure.key, indicators.schema["measure"]),
                            m=pl.lit(m, pl.Int32))
        for m, (measure, years) in enumerate(zip(YEARLY_MEASURES, labels))])
    symbol = pl.col("symbol")
    found = (read.join(windows, on=["measure", "time_period"], maintain_order="left")
             .join(ids.lazy().select("urn", "school"), on="urn", maintain_order="left")
             .select("m", "school", "k", "label", "value", "symbol").with_row_index("row")
             .collect(engine=ENGINE))
    # Of a school's repeated rows for a year, the last one's value and the last symbol printed
    # in place of a value count: picked by row number (aggregating the texts took 4 times longer).
    picked = found.lazy().group_by("m", "school", "k").agg(
        last=pl.col("row").last(),
        printed=pl.col("row").filter(pl.col("value").is_null() & (symbol != "")).last(),
    ).collect(engine=ENGINE)
    figures = _shown(
        found.lazy().select(pl.col("m", "school", "k", "label", "value").gather(picked["last"]),
                            symbol.gather(picked["printed"]))
        .select("m", "school", "k", "value",
                part=pl.when(symbol.is_not_null())
                .then(pl.format("{} (published as '{}')", "label", symbol))
                .otherwise("label"))
        .collect(engine=ENGINE), [(measure.spec, measure.suffix)
                                  for measure in YEARLY_MEASURES]).lazy()
    # Every school and year of a window, by school and year: the cross join's order, kept. The
    # figures are joined on one integer, a school's year's place, rather than on two columns.
    grids = pl.collect_all([
        ids.lazy().select("school", "levels").join(years.lazy(), how="cross",
                                                   maintain_order="left_right")
        .with_columns(place=_place(years.height))
        .join(figures.filter(pl.col("m") == m).select("value", "part", "shown",
                                                      place=_place(years.height)),
              on="place", how="left", maintain_order="left")
        .drop("place").with_columns(pl.col("part").fill_null(pl.col("label")))
        for m, years in enumerate(labels)
    ], engine=ENGINE)
    summaries = pl.collect_all([_summary(ids, grid, years.height)
                                for grid, years in zip(grids, labels)], engine=ENGINE)
    return {measure.key: Figures(measure.name, measure.topic, years, grid, summary)
            for measure, years, grid, summary in zip(YEARLY_MEASURES, labels, grids, summaries)}


def _place(n: int) -> pl.Expr:
    """Year ``k`` of ``school`` in a window of ``n`` years, as one integer."""
    return pl.col("school").cast(pl.Int64) * n + pl.col("k")


def _summary(ids: pl.DataFrame, grid: pl.DataFrame, n: int) -> pl.LazyFrame:
    """``Figures.summary`` from its ``grid`` of ``n`` years."""
    # Every school has one grid row per year, in order: year k of each school is every n-th row
    # from k, and a school's figures are joined across columns rather than by a group_by.
    wide = ids.lazy().select("school", "levels") if n == 0 else grid.lazy().select(
        pl.col("school").gather_every(n), pl.col("levels").gather_every(n),
        *(pl.col(column).gather_every(n, offset=k).alias(f"{column}{k}")
          for k in range(n) for column in ("value", "shown", "part")))
    known = [pl.col(f"value{k}").is_not_null() for k in range(n)]
    return wide.select(
        "school", "levels",
        known_years=pl.sum_horizontal(known) if known else pl.lit(0),
        figures=_joined([pl.col(f"shown{k}") for k in range(n)]),
        missing=_joined([pl.when(~known[k]).then(pl.col(f"part{k}")) for k in range(n)]),
    ).with_columns(missing_years=n - pl.col("known_years"))


def _joined(parts: list[pl.Expr]) -> pl.Expr:
    """The non-null ``parts`` of each row joined by commas ("" if none)."""
    return pl.concat_str(parts, separator=", ", ignore_nulls=True) if parts else pl.lit("")


def _per_school(fig: Figures, test: pl.Expr) -> pl.LazyFrame:
    """``fig.summary``, with whether any known figure of the school meets ``test``."""
    n = fig.years.height
    if n == 0:
        return fig.summary.lazy().with_columns(any_met=pl.lit(False))
    met = pl.col("value").is_not_null() & test
    # The grid holds n rows per school in the summary's order: year k of each is every n-th from k.
    return pl.concat([fig.summary.lazy(), fig.grid.lazy().select(
        any_met=pl.any_horizontal([met.gather_every(n, offset=k) for k in range(n)]))],
        how="horizontal")


def every_year(fig: Figures, category: str, rule: str, passes: pl.Expr, threshold: pl.Expr, *,
               every_check: bool = True) -> pl.LazyFrame:
    """Holds if every year's figure passes; not known if none fails but some are missing."""
    rows = _per_school(fig, ~passes)
    holds = ~pl.col("any_met")
    unknown = holds & ((pl.col("missing_years") > 0) | (pl.col("known_years") == 0))
    return _rows(rows, category, rule, fig.topic, pl.when(~unknown).then(holds),
                 pl.when(unknown).then(fig.missing(pl.col("missing")))
                 .otherwise(fig.in_words(pl.col("figures"), fig.span)),
                 pl.when(unknown).then(pl.lit("not known")).otherwise("figures"), fig.span,
                 threshold, every_check=every_check)


def any_year(fig: Figures, category: str, rule: str, fails: pl.Expr, threshold: pl.Expr, *,
             every_check: bool = True) -> pl.LazyFrame:
    """One finding per year whose figure fails; else one that does not apply (or not known)."""
    failing = fig.grid.lazy().filter(pl.col("value").is_not_null() & fails)
    rows = _per_school(fig, fails).filter(~pl.col("any_met"))
    unknown = pl.col("known_years") == 0
    return pl.concat([
        _rows(failing, category, rule, fig.topic, pl.lit(True),
              fig.in_words(pl.col("shown"), pl.col("label")), pl.col("shown"), pl.col("label"),
              threshold, sub=pl.col("k"), every_check=every_check),
        _rows(rows, category, rule, fig.topic, pl.when(~unknown).then(False),
              pl.when(unknown).then(fig.missing(pl.col("missing")))
              .otherwise(fig.in_words(pl.col("figures"), fig.span)),
              pl.when(unknown).then(pl.lit("not known")).otherwise("figures"), fig.span,
              threshold, every_check=every_check),
    ])


def latest_year(fig: Figures, category: str, rule: str, fails: pl.Expr, threshold: pl.Expr,
                note: pl.Expr = pl.lit(""), *, every_check: bool = True) -> pl.LazyFrame:
    """Holds if the latest year's figure fails the test (``note`` is added to the words when so)."""
    latest = fig.grid.lazy().filter(pl.col("k") == fig.years.height - 1)
    # The grid holds a row of every school for every year; with no year, every school is unknown.
    rows = latest if fig.years.height else fig.summary.lazy().select("school", "levels").join(
        latest.drop("levels"), on="school", how="left")
    known = pl.col("value").is_not_null()
    holds = pl.when(known).then(fails)
    return _rows(rows, category, rule, fig.topic, holds,
                 pl.when(known)
                 .then(pl.concat_str(fig.in_words(pl.col("shown"), pl.col("label")),
                                     pl.when(holds).then(note).otherwise(pl.lit(""))))
                 .otherwise(fig.missing(pl.col("part"))),
                 pl.when(known).then("shown").otherwise(pl.lit("not known")),
                 pl.when(known).then("label").otherwise(pl.lit(fig.span)), threshold,
                 every_check=every_check)


def attendance_findings(figures: dict[str, Figures], levels: Levels, *,
                        every_check: bool = True) -> list[pl.LazyFrame]:
    """Good, not consistently good and inadequate attendance, for each absence measure."""
    value = pl.col("value")
    findings: list[pl.LazyFrame] = []
    for measure in RULE_ATTENDANCE_NAMES:
        fig = figures[measure]
        is_good = value <= levels.each(lambda t: at_most_cut(t.good_absence(measure)))
        findings += [
            every_year(fig, UNIVERSAL, U_ATTENDANCE, is_good, levels.each(
                lambda t: f"good is at most {_pct(t.good_absence(measure))} every year"),
                every_check=every_check),
            any_year(fig, TARGETED, T_ATTENDANCE, ~is_good, levels.each(
                lambda t: f"good is at most {_pct(t.good_absence(measure))}"),
                every_check=every_check),
            latest_year(fig, INTENSIVE, I_ATTENDANCE,
                        ~(value <= levels.each(
                            lambda t: at_most_cut(t.inadequate_absence(measure)))),
                        levels.each(lambda t: f"inadequate is above "
                                              f"{_pct(t.inadequate_absence(measure))} in the "
                                              "latest year"), every_check=every_check),
        ]
    return findings


def progress_findings(fig: Figures, levels: Levels, *,
                      every_check: bool = True) -> list[pl.LazyFrame]:
    """Above national, coasting and floor conditions on the progress score."""
    value = pl.col("value")

    def near(level: Callable[[Thresholds], float], level_name: str) -> pl.Expr:
        at = ((value <= levels.each(lambda t: at_most_cut(level(t))))
              & (value > levels.each(lambda t: at_most_cut(level(t), below=True))))
        return (pl.when(at).then(pl.lit(f", at the {level_name} level"))
                .when(value < levels.each(level)).then(pl.lit(f", below the {level_name} level"))
                .otherwise(pl.lit(f", near the {level_name} level")))

    def margin(level_name: str, level: Callable[[Thresholds], float]) -> pl.Expr:
        return levels.each(lambda t: f"{level_name} level {_score(level(t))}; near means within "
                                     f"{_num(t.near_margin)} above it")

    def coasting(t: Thresholds) -> float:
        return t.coasting_progress

    def floor(t: Thresholds) -> float:
        return t.floor_progress

    above_national = ~(value <= levels.each(lambda t: at_most_cut(t.above_national)))
    return [
        every_year(fig, UNIVERSAL, U_PROGRESS, above_national, levels.each(
            lambda t: f"above national is above {_score(t.above_national)} every year"),
            every_check=every_check),
        any_year(fig, TARGETED, T_PROGRESS, ~above_national, levels.each(
            lambda t: f"above national is above {_score(t.above_national)}"),
            every_check=every_check),
        latest_year(fig, TARGETED, T_COASTING,
                    value <= levels.each(lambda t: at_most_cut(coasting(t) + t.near_margin)),
                    margin("coasting", coasting), near(coasting, "coasting"),
                    every_check=every_check),
        # Coasting in every year considered is inadequate progress over those years.
        every_year(fig, INTENSIVE, I_PROGRESS,
                   value <= levels.each(lambda t: at_most_cut(coasting(t))), levels.each(
                       lambda t: f"at or below the coasting level of {_score(coasting(t))} "
                                 "every year"), every_check=every_check),
        latest_year(fig, INTENSIVE, I_FLOOR,
                    value <= levels.each(lambda t: at_most_cut(floor(t) + t.near_margin)),
                    margin("floor", floor), near(floor, "floor"), every_check=every_check),
    ]


# --- putting it together -------------------------------------------------------------------------

FINDING_SCHEMA = {
    "urn": pl.String, "rank": pl.Int32, "explains": pl.Boolean, "category": pl.String,
    "rule": pl.String, "outcome": pl.String, "evidence": pl.String, "figure": pl.String,
    "period": pl.String, "threshold": pl.String, "text": pl.String,
}


def _among(key: pl.Expr, rows: pl.Expr) -> pl.Expr:
    """Whether any row with the same ``key`` meets ``rows`` (a set lookup, cheaper than a
    window)."""
    return key.is_in(key.filter(rows).implode())


def _suggested_category(category: pl.Expr, holds: pl.Expr) -> pl.Expr:
    """Intensive on any Intensive condition; Universal only on all Universal ones (on evidence that
    is there) and no Targeted one; else Targeted. Over each school's findings."""
    applies, school = holds.fill_null(False), pl.col("school")
    return (pl.when(_among(school, applies & (category == INTENSIVE))).then(pl.lit(INTENSIVE))
            .when(~_among(school, (category == UNIVERSAL) & ~applies)
                  & ~_among(school, applies & (category == TARGETED)))
            .then(pl.lit(UNIVERSAL))
            .otherwise(pl.lit(TARGETED)))


def _reason_order(suggested: pl.Expr, category: pl.Expr, holds: pl.Expr,
                  topic: pl.Expr) -> pl.Expr:
    """Where a finding stands among its school's reasons (null: not a reason).

    Universal: every Universal condition met. Otherwise: the Intensive, then the Targeted conditions
    that hold, then the Universal conditions not known, then those not met whose evidence no
    Intensive or Targeted reason already names (so one weak figure is not listed twice).
    """
    applies = holds.fill_null(False)
    universal = category == UNIVERSAL
    school_topic = pl.col("school").cast(pl.Int64) * len(TOPICS.categories) + topic.to_physical()
    named = _among(school_topic, applies & category.is_in([INTENSIVE, TARGETED]))
    return (pl.when(suggested == UNIVERSAL).then(pl.when(universal).then(0))
            .when(applies & (category == INTENSIVE)).then(1)
            .when(applies & (category == TARGETED)).then(2)
            .when(universal & holds.is_null()).then(3)
            .when(universal & ~holds & ~named).then(4))


def _outcome(category: str, holds: bool | None) -> str:
    if holds is None:
        return "not known"
    if category == UNIVERSAL:
        return "met" if holds else "not met"
    return "applies" if holds else "does not apply"


def _lead(category: str, holds: bool | None) -> str:
    """How a finding's text starts."""
    return {"not known": "not known", "not met": f"{UNIVERSAL} not met",
            "does not apply": f"{category}, does not apply"}.get(_outcome(category, holds),
                                                                 category)


@functools.cache
def _texts() -> tuple[pl.Expr, pl.Expr]:
    """The outcome in words, and the text of the finding (from its category and holds)."""
    category, holds = pl.col("category"), pl.col("holds")
    # Looked up by category and state (false, true, not known) rather than built on every row.
    states: tuple[bool | None, ...] = (False, True, None)
    key = category.to_physical().cast(pl.Int32) * 3 + (
        pl.when(holds.is_null()).then(2).otherwise(holds.cast(pl.Int32)))
    combos = [(c * 3 + s, name, state) for c, name in enumerate(CATEGORY.categories)
              for s, state in enumerate(states)]
    outcome = key.replace_strict({k: _outcome(c, h) for k, c, h in combos},
                                 return_dtype=pl.String)
    lead = key.replace_strict({k: _lead(c, h) for k, c, h in combos}, return_dtype=pl.String)
    return outcome, pl.concat_str([lead, pl.lit(": "), "rule", pl.lit(" – "), "evidence",
                                   pl.lit(" ("), "threshold", pl.lit(")")])


def _place_in_school() -> pl.Expr:
    """Each row's place among its school's rows, on rows sorted by school: a binary search for
    where the school starts, cheaper than a window over it."""
    return pl.int_range(pl.len()) - pl.col("school").search_sorted(pl.col("school"))


def _reason_key(order: pl.Expr, checked: pl.Expr) -> pl.Expr:
    """Findings sorted by school, reason order (``order``) and place among the school's findings
    (``checked``)."""
    return (pl.col("school").cast(pl.Int64) * 8 + order) * 65536 + checked


def assess_frames(
    schools: pl.DataFrame,
    inspections: pl.DataFrame,
    indicators: pl.DataFrame,
    judgements: pl.DataFrame,
    rules: RuleSet,
    on: date,
    *,
    every_check: bool = True,
    held: Mapping[str, int] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Suggested category per school, and every finding behind it.

    Returns ``(suggested, findings)``: ``suggested`` has urn, name, phase, suggested_category,
    reasons (list of reason texts, most serious first); ``findings`` has one row per condition
    checked (``FINDING_SCHEMA``), ``explains`` marking the reasons and ``rank`` their order.
    Without ``every_check`` the findings are only the reasons (no text is made for the rest).
    Every school is assessed at once; only the thresholds differ by phase. A school's findings
    depend on its own evidence and on where the windows of years end: to assess some schools as
    they are assessed among all, pass ``held``, the ``latest_held`` of every school's indicators.
    """
    # Lazy plans, each collected once: a collect costs a fixed ~0.2 ms whatever the frame size,
    # so eager steps, one collect each, would cost small frames far more than the work.
    # Schools are numbered in URN order: integer keys join and sort faster than URNs. ``levels``
    # says which of the distinct thresholds (by phase) apply to each.
    phases = schools["phase"].unique().to_list()
    sets = tuple(dict.fromkeys([rules.default, *map(rules.for_phase, phases)]))
    ids = (schools.lazy().select("urn", "phase").unique("urn", keep="first").sort("urn")
           .with_row_index("school")
           .join(pl.LazyFrame({"phase": phases,
                               "levels": [sets.index(rules.for_phase(p)) for p in phases]},
                              schema={"phase": schools.schema["phase"], "levels": pl.Int32}),
                 on="phase", how="left", nulls_equal=True, maintain_order="left")
           .collect(engine=ENGINE))
    levels = Levels(sets)
    keys = ids.lazy().select("urn", "school")
    inspected, judged = (frame.lazy() for frame in pl.collect_all([
        latest_inspections(inspections.lazy()).join(keys, on="urn"),
        latest_judgements(judgements.lazy()).join(keys, on="urn"),
    ], engine=ENGINE))
    figures = yearly_figures(indicators, ids, rules, held)
    # Without every check, the rows of a condition that does not apply are not made (``_rows``).
    in_order = [
        *ofsted_findings(ids.lazy(), inspected, levels, on, every_check=every_check),
        judgement_findings(ids.lazy(), judged, every_check=every_check),
        *attendance_findings(figures, levels, every_check=every_check),
        *progress_findings(figures[PROGRESS], levels, every_check=every_check),
    ]
    found = pl.concat([block.with_columns(block=pl.lit(b, pl.Int32))
                       for b, block in enumerate(in_order)]).collect(engine=ENGINE)
    category, holds = pl.col("category"), pl.col("holds")
    # Decided on the few columns that decide it (set-wise, in no order); the texts are moved
    # once, at the end.
    decided = (
        found.lazy().select("school", "block", "step", "sub", "category", "holds", "topic")
        .with_row_index("row")
        .with_columns(suggested_category=_suggested_category(category, holds))
        .with_columns(order=_reason_order(pl.col("suggested_category"), category, holds,
                                          pl.col("topic")))
    )
    if not every_check:  # only the reasons are ordered: every school has one at least
        decided = decided.filter(pl.col("order").is_not_null())
    order = (
        # One integer sort key: several times faster than sorting on four columns (a block holds
        # fewer than 256 steps, a window fewer than 256 years).
        decided.sort(((pl.col("school").cast(pl.Int64) * 32 + pl.col("block")) * 256
                      + pl.col("step")) * 256 + pl.col("sub"))
        .with_columns(checked=_place_in_school())
        .with_columns(key=_reason_key(pl.col("order").fill_null(7), pl.col("checked")))
        .sort("key")
        .select("row", "school", "suggested_category",
                # The reasons lead each school's findings: how many there are is where the
                # first finding that is not one would stand.
                rank=pl.when(pl.col("order").is_not_null()).then(_place_in_school())
                .otherwise(pl.col("key").search_sorted(_reason_key(pl.lit(7), pl.lit(0)))
                           - pl.col("school").search_sorted(pl.col("school")) + pl.col("checked")),
                explains=pl.col("order").is_not_null())
        .collect(engine=ENGINE)
    )
    shown = order if every_check else order.filter(pl.col("explains"))
    outcome, text = _texts()
    ranked = pl.concat(
        [found.lazy().select(pl.col("category", "rule", "holds", "evidence", "figure", "period",
                                    "threshold").gather(shown["row"])),
         shown.lazy().drop("row")],
        how="horizontal",
    ).with_columns(urn=ids["urn"].gather(shown["school"]), outcome=outcome,
                   text=text).collect(engine=ENGINE)
    per_school = (
        order.lazy().group_by("school", maintain_order=True)
        .agg(pl.col("suggested_category").first())
        .join(ranked.lazy().group_by("school").agg(reasons=pl.col("text").filter("explains")),
              on="school", how="left", maintain_order="left")
        .with_columns(pl.col("reasons").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    )
    suggested, findings = pl.collect_all([
        schools.lazy().select("urn", "name", "phase")
        .join(keys, on="urn", how="left", maintain_order="left")
        .join(per_school, on="school", how="left", maintain_order="left")
        .drop("school"),
        # Sorted by school and reason order already, which is by URN and rank.
        ranked.lazy().select(list(FINDING_SCHEMA)).cast(FINDING_SCHEMA),  # type: ignore[arg-type]
    ], engine=ENGINE)
    return suggested, findings
