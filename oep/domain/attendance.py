"""Shaping attendance figures for the pages: pure polars, frames in and frames out.

Two kinds of borough figure appear, never mixed up:

* published figures (the LA's own rows, England, the North West, statistical neighbours) - fixed,
  the same for every viewer; a filter can only pick among the rows the DfE published (a phase
  the LA rows carry, a pupil group), so no filter lets a viewer difference out a hidden school;
* figures computed over the schools the viewer may see (``school_indicators`` rows, after
  suppression): only published (non-null) values; absence rates from the schools' session counts
  where published (sessions missed / possible), else weighted by enrolments; labelled with the
  number of schools counted and how the figure was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import polars as pl

from oep.data.config import Settings
from oep.domain.areas import VISIBLE, with_symbol_meaning
from oep.domain.periods import WEEK, with_periods
from oep.data.memo import MEMO_SIZE, per_input
from oep.data.schema import ACADEMIC_YEAR, ALL_PUPILS, TERMS, TOTAL_PHASE, YEAR_TO_DATE
from oep.data.suppression import SUPPRESSED, one_school_apart
from oep.data.vocabulary import PRU, SPECIAL

ATTENDANCE_MEASURES = (
    "overall_absence", "authorised_absence", "unauthorised_absence", "persistent_absence",
    "severe_absence",
)
WEIGHT = "enrolments"
# What the daily attendance data (year to date) publishes.
YEAR_TO_DATE_MEASURES = ("overall_absence", "authorised_absence", "unauthorised_absence",
                         "persistent_absence")
# Absence rate -> the published count of sessions it is made of; all over SESSIONS_POSSIBLE.
SESSION_COUNTS = {"overall_absence": "sessions_overall",
                  "authorised_absence": "sessions_authorised",
                  "unauthorised_absence": "sessions_unauthorised"}
SESSIONS_POSSIBLE = "sessions_possible"
COUNTS = (WEIGHT, SESSIONS_POSSIBLE, *SESSION_COUNTS.values())
# How a computed figure was made, said beside it on the page.
FROM_SESSIONS = "computed from the schools' published session counts (sessions missed / possible)"
WEIGHTED = "mean of the schools' published rates, weighted by pupils enrolled"
PLAIN_MEAN = "plain mean of the schools' published rates"
SCHOOL_KEYS = ["urn", "time_period", "time_identifier", "pupil_group"]
ALL_PHASES = "All phases"
DAILY_NOTE = ("From the DfE's daily attendance data (collected from schools' registers every day), "
              "not the school census absence: the two are collected differently and differ.")
NO_CENSUS = ("The store holds no school census absence figures (whole years and terms, from the "
             "DfE's pupil absence files), so there are no figures by term, school or pupil group "
             "here: only the daily attendance data below, for all pupils. Load a pupil absence "
             "file for the rest.")


def counts_of(measure: str) -> tuple[str, ...]:
    """The counts a figure of ``measure`` over several schools is made of (``visible_mean``):
    enrolments, sessions possible and, for an absence rate, its sessions missed."""
    return (WEIGHT, SESSIONS_POSSIBLE, *([SESSION_COUNTS[measure]]
                                         if measure in SESSION_COUNTS else []))


def year_measures(measure: str) -> tuple[str, ...]:
    """What the Attendance page reads of every visible school for one year: the chosen
    measure, overall absence (the ranking) and the counts its figures by phase are made of
    (not the other rates' session counts: at England scale a third of the rows)."""
    return tuple(sorted({measure, "overall_absence", *counts_of(measure)}))


def phase_name() -> pl.Expr:
    """The phase people call a school by: the register says 'Not applicable' for special schools
    and pupil referral units, which the published tables call 'Special' (and the PRU its own)."""
    school_type = pl.col("school_type").str.to_lowercase()
    return (
        pl.when(school_type.str.contains("special")).then(pl.lit(SPECIAL))
        .when(school_type.str.contains("pupil referral|alternative provision"))
        .then(pl.lit(PRU))
        .otherwise(pl.col("phase"))
    )


# The register's phase of the schools ``phase_name`` renames: the settings' ``[by_phase]`` use it.
REGISTER_PHASE = {SPECIAL: "Not applicable", PRU: "Not applicable"}


@per_input(MEMO_SIZE)
def with_phase_names(frame: pl.DataFrame) -> pl.DataFrame:
    """``phase`` (and ``school_type``) columns of school rows, with phase in people's words."""
    return frame.with_columns(phase_name().alias("phase"))


@per_input(MEMO_SIZE)
def phases_and_types(schools: pl.DataFrame) -> tuple[list[str], list[str]]:
    """The phases and school types among the given schools, for filter options."""
    named = with_phase_names(schools)
    return sorted(named["phase"].unique().to_list()), sorted(
        named["school_type"].unique().to_list())


@per_input(MEMO_SIZE)
def filter_schools(rows: pl.DataFrame, *, phase: str | None,
                   school_type: str | None) -> pl.DataFrame:
    """School rows of one phase (people's words) and/or type; None leaves it free."""
    return narrow(with_phase_names(rows), phase=phase, school_type=school_type)


@overload
def narrow(frame: pl.DataFrame, **equal: object) -> pl.DataFrame: ...
@overload
def narrow(frame: None, **equal: object) -> None: ...
@per_input(MEMO_SIZE)
def narrow(frame: pl.DataFrame | None, **equal: object) -> pl.DataFrame | None:
    """Rows whose columns equal the given values (a None value leaves that column free); no
    frame (no school selected) stays None."""
    if frame is None:
        return None
    for column, value in equal.items():
        if value is not None:
            frame = frame.filter(pl.col(column) == value)
    return frame


def visible_mean(rows: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """Rates aggregated over the schools in ``rows`` (what the viewer may see).

    ``rows`` are long school rows (urn, time_period, time_identifier, pupil_group, measure, value,
    plus the ``by`` columns) and should carry ``enrolments`` and, where published, the session
    counts (``SESSION_COUNTS``). Suppressed or unpublished values (null) are left out. A group's
    absence rate is computed from the session counts (sessions missed / possible) when every
    school counted has them; else weighted by enrolments when every school has them; else the
    plain mean. Returns ``by`` + measure, value, symbol (null), schools (how many schools were
    counted) and method (how the figure was made, in words).
    """
    return _mean(_counted(rows), by)


def _counted(rows: pl.DataFrame) -> pl.DataFrame:
    """``visible_mean``'s published rates of ``rows``, each beside its school's ``weight``,
    sessions ``possible`` and sessions ``missed`` (null where not published) and whether it
    ``has_counts``: worked out once for several groupings of the same rows."""
    rates = rows.filter(~pl.col("measure").is_in(list(COUNTS)) & pl.col("value").is_not_null())
    weights = rows.filter(pl.col("measure") == WEIGHT).select(
        *SCHOOL_KEYS, pl.col("value").alias("weight"))
    possible = rows.filter(pl.col("measure") == SESSIONS_POSSIBLE).select(
        *SCHOOL_KEYS, pl.col("value").alias("possible"))
    missed = rows.filter(pl.col("measure").is_in(list(SESSION_COUNTS.values()))).select(
        *SCHOOL_KEYS,
        pl.col("measure").replace_strict({v: k for k, v in SESSION_COUNTS.items()}),
        pl.col("value").alias("missed"))
    return (rates.join(weights, on=SCHOOL_KEYS, how="left")
            .join(possible, on=SCHOOL_KEYS, how="left")
            .join(missed, on=[*SCHOOL_KEYS, "measure"], how="left")
            .with_columns(pl.col("missed").is_not_null().and_(pl.col("possible").is_not_null())
                          .alias("has_counts")))


def _mean(counted: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """``visible_mean`` of the rows ``_counted`` gave, grouped by ``by``."""
    schema = {**{c: counted.schema[c] for c in by}, "measure": pl.String, "value": pl.Float64,
              "symbol": pl.String, "schools": pl.UInt32, "method": pl.String}
    if counted.is_empty():
        return pl.DataFrame(schema=schema)
    from_sessions = (pl.col("counted") == pl.col("schools")) & (pl.col("possible") > 0)
    weighted = (pl.col("weighted") == pl.col("schools")) & (pl.col("weight") > 0)
    return (
        counted.group_by([*by, "measure"])
        .agg(
            pl.col("value").count().alias("schools"),
            pl.col("weight").count().alias("weighted"),
            (pl.col("value") * pl.col("weight")).sum().alias("product"),
            pl.col("weight").sum().alias("weight"),
            pl.col("value").mean().alias("mean"),
            pl.col("has_counts").sum().alias("counted"),
            pl.col("missed").sum().alias("missed"),
            pl.col("possible").sum().alias("possible"),
        )
        .with_columns(
            pl.when(from_sessions).then(100 * pl.col("missed") / pl.col("possible"))
            .when(weighted).then(pl.col("product") / pl.col("weight"))
            .otherwise(pl.col("mean")).alias("value"),
            pl.when(from_sessions).then(pl.lit(FROM_SESSIONS))
            .when(weighted).then(pl.lit(WEIGHTED))
            .otherwise(pl.lit(PLAIN_MEAN)).alias("method"),
            pl.lit(None, dtype=pl.String).alias("symbol"),
            pl.col("schools").cast(pl.UInt32),
        )
        .select(list(schema))
    )


@per_input(MEMO_SIZE)
def trend(rows: pl.DataFrame, measure: str, time_identifier: str) -> pl.DataFrame:
    """Series of one measure for every area in ``rows`` (labelled, one phase and pupil group):
    whole years for ``Academic year``, term by term for a term, the autumn-and-spring figures
    for those. Never years and terms on one line: they are not alike."""
    rows = rows.filter(pl.col("measure") == measure)
    wanted = list(TERMS) if time_identifier in TERMS else [time_identifier]
    return with_periods(rows.filter(pl.col("time_identifier").is_in(wanted))).sort(
        "area", "order")


def trend_heading(time_identifier: str) -> str:
    """What ``trend`` shows for a choice of term, in words."""
    if time_identifier == ACADEMIC_YEAR:
        return "Year by year"
    return "Term by term" if time_identifier in TERMS else f"{time_identifier}, year by year"


@per_input(MEMO_SIZE)
def year_to_date(rows: pl.DataFrame, measure: str) -> pl.DataFrame:
    """The daily attendance data's year-to-date series of one measure for every area in
    ``rows`` (labelled, one phase and pupil group), apart from census absence."""
    rows = rows.filter((pl.col("measure") == measure)
                       & (pl.col("time_identifier") == YEAR_TO_DATE))
    return with_periods(rows).sort("area", "order")


@per_input(MEMO_SIZE)
def weekly(rows: pl.DataFrame, measure: str) -> pl.DataFrame:
    """The daily attendance data's week-by-week series of one measure for every area in ``rows``
    (labelled, one phase and pupil group), in week order, apart from census absence."""
    rows = rows.filter((pl.col("measure") == measure)
                       & pl.col("time_identifier").str.starts_with(WEEK))
    return with_periods(rows).sort("area", "order")


def has_daily_data(rows: pl.DataFrame) -> bool:
    """Whether ``rows`` hold any figure of the daily attendance data (year to date or a week)."""
    return not rows.filter((pl.col("time_identifier") == YEAR_TO_DATE)
                           | pl.col("time_identifier").str.starts_with(WEEK)).is_empty()


def schools_per_phase(register: pl.DataFrame) -> pl.DataFrame:
    """Schools in the register per phase (people's words) and in all (ALL_PHASES): category,
    schools. ``register``: ``queries.published_coverage``."""
    named = with_phase_names(register).group_by("phase").agg(pl.col("schools").sum())
    return pl.concat([
        named.select(pl.col("phase").alias("category"), pl.col("schools").cast(pl.Int64)),
        pl.DataFrame({"category": [ALL_PHASES], "schools": [int(named["schools"].sum())]}),
    ])


@per_input(MEMO_SIZE)
def by_phase(published_all_phases: pl.DataFrame, visible_rows: pl.DataFrame, *, areas:
             Sequence[str], measure: str, register: pl.DataFrame) -> pl.DataFrame:
    """One measure by phase: published areas' phase rows and the visible schools per phase.

    ``published_all_phases``: labelled comparator rows for one period and pupil group, every
    phase; ``visible_rows``: school rows for the same period and group (with ``phase``);
    ``register``: ``queries.published_coverage``. A visible figure that counts one school fewer
    than the register holds in its phase is ``c``: beside the published figure it would give that
    school's away. Returns category (phase), area, value, symbol, symbol_meaning, period, note.
    """
    published = (
        published_all_phases.filter(pl.col("area").is_in(list(areas))
                                    & (pl.col("measure") == measure))
        .with_columns(
            pl.when(pl.col("phase") == TOTAL_PHASE).then(pl.lit(ALL_PHASES))
            .otherwise(pl.col("phase")).alias("category"),
            pl.lit("Published figure").alias("note"),
        )
    )
    # The rates beside their counts once for both groupings: half the time at England scale.
    counted = _counted(visible_rows.filter(pl.col("measure").is_in([measure,
                                                                   *counts_of(measure)])))
    per_phase = _mean(counted, ["time_period", "time_identifier", "phase"]).rename(
        {"phase": "category"})
    overall = _mean(counted, ["time_period", "time_identifier"]).with_columns(
        pl.lit(ALL_PHASES).alias("category"))
    # The legend names how many schools the aggregate covers, so it is never read as Oldham's.
    counted = int(overall["schools"].max() or 0)
    visible = one_school_apart(
        pl.concat([per_phase, overall.select(per_phase.columns)], how="vertical_relaxed"),
        schools_per_phase(register), ["category"]).with_columns(
        pl.lit(f"{VISIBLE} (n={counted})").alias("area"),
        pl.when(pl.col("symbol") == SUPPRESSED)
        .then(pl.format("{} schools counted: one fewer than the published figure covers",
                        pl.col("schools")))
        .otherwise(pl.format("{} schools counted; {}", pl.col("schools"), pl.col("method")))
        .alias("note"),
    )
    columns = ["category", "area", "time_period", "time_identifier", "measure", "value", "symbol",
               "symbol_meaning", "note"]
    both = pl.concat([with_symbol_meaning(published).select(columns),
                      with_symbol_meaning(visible).select(columns)], how="vertical_relaxed")
    return with_periods(both).drop("order").sort("category", "area", maintain_order=True)


def good_levels(settings: Settings, measure: str = "overall_absence") -> tuple[
        float, dict[str, float]]:
    """The good attendance level of ``measure`` (``good_<measure>`` in ``[attendance]``) and
    the phases whose ``[by_phase.<phase>]`` sets their own: (default, {register phase: level})."""
    key = f"good_{measure}"
    if key not in settings.attendance:
        raise ValueError(f"settings: [attendance] {key} is missing")
    return settings.attendance[key], {phase: levels[key] for phase, levels in
                                      settings.by_phase.items() if key in levels}


def good_levels_note(default: float, by_phase: dict[str, float]) -> str:
    """The levels the ranking uses, in words, as the settings give them."""
    # The register calls the phase of special schools and PRUs "Not applicable".
    words = {"Not applicable": "special schools and pupil referral units"}
    own = "; ".join(f"{level:.1f}% for {words.get(phase, phase.lower())}"
                    for phase, level in sorted(by_phase.items()))
    return (f"Good attendance is overall absence at or below {default:.1f}%"
            + (f" ({own})" if own else "") + " (the partnership's settings). Each school is "
            "ranked by how far above its own phase's level it is; schools whose figure is "
            "suppressed come last.")


@per_input(MEMO_SIZE)
def rank_schools(rows: pl.DataFrame, *, measure: str, default: float,
                 by_phase: tuple[tuple[str, float], ...] = ()) -> pl.DataFrame:
    """Schools ranked by how far their figure is above their own phase's threshold, furthest
    first: secondary and special schools have higher good levels, and one level for all would
    put them all at the top.

    ``rows``: school rows for one period and pupil group, ``phase`` as the register gives it
    (the settings' phases) or in people's words (``with_phase_names``). ``threshold``: the
    school's level; ``distance`` = value - threshold (in the measure's unit; positive is worse
    than good attendance). Schools whose figure is suppressed or not published come last, with
    their symbol.
    """
    ranked = rows.filter(pl.col("measure") == measure).with_columns(
        pl.col("phase").replace(REGISTER_PHASE)
        .replace_strict(dict(by_phase), default=default, return_dtype=pl.Float64)
        .alias("threshold"))
    ranked = ranked.with_columns((pl.col("value") - pl.col("threshold")).alias("distance"))
    return with_periods(ranked).sort(
        ["distance", "name"], descending=[True, False], nulls_last=True
    ).pipe(with_symbol_meaning).select("urn", "name", "phase", "school_type", "period", "measure",
                                       "value", "symbol", "symbol_meaning", "threshold",
                                       "distance")


@per_input(MEMO_SIZE)
def by_group(rows: pl.DataFrame, *, measure: str) -> pl.DataFrame:
    """One measure per pupil group for each area, with the gap to all pupils in the same area.

    ``rows``: labelled rows (area, pupil_group, ...) for one period. ``gap`` is null where either
    figure is missing. Returns category (pupil group), area, value, symbol, symbol_meaning, gap,
    period, note.
    """
    rows = rows.filter(pl.col("measure") == measure)
    base = rows.filter(pl.col("pupil_group") == ALL_PUPILS).select(
        "area", "time_period", "time_identifier", pl.col("value").alias("all_pupils"))
    shaped = rows.join(base, on=["area", "time_period", "time_identifier"], how="left")
    shaped = shaped.with_columns(
        (pl.col("value") - pl.col("all_pupils")).alias("gap"),
        pl.col("pupil_group").alias("category"),
    ).with_columns(
        pl.when(pl.col("pupil_group") == ALL_PUPILS).then(pl.lit(""))
        .when(pl.col("gap").is_null()).then(pl.lit("Gap to all pupils: no figure"))
        .otherwise(pl.format("Gap to all pupils: {} points",
                             pl.col("gap").round(1).cast(pl.String)))
        .alias("note"),
    )
    return with_periods(with_symbol_meaning(shaped)).select(
        "category", "area", "period", "measure", "value", "symbol", "symbol_meaning", "gap",
        "note")

