"""Small-number suppression, as in the DfE's school-level releases.

Below LA level a count of pupils under the configured minimum (and above zero) identifies pupils:
it is shown as ``c``, and so is every rate computed from such a count (a rate over a tiny group,
or a percentage of pupils that stands for a tiny number of them).

Secondary suppression (the DfE's disclosure-control practice): where the viewer can learn the total
of a set of sibling counts (a school's pupils by primary need add up to its SEN support or EHC plan
count, shown as a count or as roll x rate), one ``c`` among shown siblings is the total minus the
rest. So the next smallest sibling is suppressed too, until at least two are and together they
stand for at least ``min_count`` pupils: the total then gives away only a sum that is itself not
small.
"""

from __future__ import annotations

import polars as pl

from oep.data.schema import COUNT_MEASURES

SUPPRESSED = "c"

# Rate measure -> the count measure that is its denominator (pupils in the group).
RATE_BASE: dict[str, str] = {
    "overall_absence": "enrolments",
    "authorised_absence": "enrolments",
    "unauthorised_absence": "enrolments",
    "persistent_absence": "enrolments",
    "severe_absence": "enrolments",
    "sen_support_pct": "pupils",
    "ehc_plan_pct": "pupils",
    "attainment": "pupils",
}
# Rate measure -> the count measure that is its numerator, where the store holds it.
RATE_NUMERATOR: dict[str, str] = {
    "sen_support_pct": "sen_support",
    "ehc_plan_pct": "ehc_plan",
    "suspension_rate": "suspensions",
    "perm_excl_rate": "perm_excl",
}
# Percentages of pupils: the number of pupils they stand for is value x base / 100.
PUPIL_PERCENTAGES = frozenset({"persistent_absence", "severe_absence"})

KEYS = ["area_code", "time_period", "time_identifier", "pupil_group"]


def needed_measures(measures: tuple[str, ...]) -> tuple[str, ...]:
    """The measures a query must also fetch so that ``suppress`` can judge ``measures``."""
    extra = {RATE_BASE[m] for m in measures if m in RATE_BASE}
    extra |= {RATE_NUMERATOR[m] for m in measures if m in RATE_NUMERATOR}
    return tuple(sorted(set(measures) | extra))


def _small(count: pl.Expr, min_count: int) -> pl.Expr:
    return (count > 0) & (count < min_count)


def protect_siblings(frame: pl.DataFrame, hidden: str, value: str, siblings: list[str],
                     order: list[str], min_count: int) -> pl.DataFrame:
    """Widen the boolean column ``hidden`` so no hidden cell can be recovered from its siblings.

    Cells with the same ``siblings`` values add up to a total the viewer may know. In a set with a
    hidden cell, the smallest shown positive ``value`` (ties broken by ``order``) is hidden too,
    then the next, until two or more are hidden and they sum to ``min_count`` or more (a hidden
    cell whose value is unknown counts as 0 here, so the rule errs towards hiding). Zeros stay
    shown: hiding a 0 hides no pupil's count.
    """
    if frame.is_empty():
        return frame
    frame = frame.sort([*siblings, value, *order], nulls_last=True)
    is_hidden = pl.col(hidden)
    candidate = ~is_hidden & (pl.col(value) > 0).fill_null(False)
    hidden_cells = is_hidden.sum().over(siblings)
    hidden_sum = pl.when(is_hidden).then(pl.col(value)).otherwise(0).fill_null(0).sum().over(
        siblings)
    # Candidates in order: the j-th is hidden too if the hidden ones and the j-1 before it
    # are still short (fewer than two, or summing to less than min_count).
    rank = candidate.cast(pl.Int64).cum_sum().over(siblings)
    before = (pl.when(candidate).then(pl.col(value)).otherwise(0).cum_sum().over(siblings)
              - pl.col(value))
    short = (hidden_cells + rank - 1 < 2) | (hidden_sum + before < min_count)
    return frame.with_columns(
        (is_hidden | (candidate & (hidden_cells > 0) & short)).alias(hidden))


def suppress_needs(frame: pl.DataFrame, min_count: int) -> pl.DataFrame:
    """Pupils by primary need with small counts, and the siblings that would give them away, as
    ``c``. ``frame``: urn, time_period, sen_provision, primary_need, pupils, symbol (one row per
    need); each school's needs of one provision and year add up to its count of that provision.
    """
    primary = (_small(pl.col("pupils"), min_count) | (pl.col("symbol") == SUPPRESSED)).fill_null(
        False)
    marked = protect_siblings(
        frame.with_columns(primary.alias("_hidden")), "_hidden", "pupils",
        ["urn", "time_period", "sen_provision"], ["primary_need"], min_count)
    return marked.with_columns(
        pl.when(pl.col("_hidden")).then(None).otherwise(pl.col("pupils")).alias("pupils"),
        pl.when(pl.col("_hidden")).then(pl.lit(SUPPRESSED)).otherwise(pl.col("symbol"))
        .alias("symbol"),
    ).drop("_hidden")


def one_school_apart(computed: pl.DataFrame, published_schools: pl.DataFrame,
                     on: list[str]) -> pl.DataFrame:
    """Figures computed over the schools a viewer may see, shown beside published figures that
    cover ``published_schools`` (``on`` + ``schools``): where the computed one counts exactly one
    school fewer, published minus computed is that one school's figure, so the computed one is
    ``c``. ``computed``: ``on`` + ``schools`` (how many it counts), ``value``, ``symbol``.
    """
    covered = published_schools.select(*on, pl.col("schools").alias("_covered"))
    apart = (pl.col("_covered") - pl.col("schools")).fill_null(0) == 1
    return computed.join(covered, on=on, how="left").with_columns(
        pl.when(apart).then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(apart).then(pl.lit(SUPPRESSED)).otherwise(pl.col("symbol")).alias("symbol"),
    ).drop("_covered")


def suppress(frame: pl.DataFrame, min_count: int) -> pl.DataFrame:
    """Replace small counts, and rates built on them, by ``c`` (value null, symbol 'c').

    ``frame`` is long: KEYS + ``measure``, ``value``, ``symbol``; it must hold the base and
    numerator counts named in RATE_BASE / RATE_NUMERATOR for the rates it carries.
    """
    if frame.is_empty():
        return frame
    counts = frame.filter(pl.col("measure").is_in(list(COUNT_MEASURES))).select(
        *KEYS, pl.col("measure").alias("count_measure"), pl.col("value").alias("count")
    )
    base_map = pl.DataFrame(
        {"measure": list(RATE_BASE), "count_measure": list(RATE_BASE.values())}
    )
    numerator_map = pl.DataFrame(
        {"measure": list(RATE_NUMERATOR), "count_measure": list(RATE_NUMERATOR.values())}
    )
    with_base = frame.join(base_map, on="measure", how="left").join(
        counts.rename({"count": "base"}), on=[*KEYS, "count_measure"], how="left"
    ).drop("count_measure")
    with_counts = with_base.join(numerator_map, on="measure", how="left").join(
        counts.rename({"count": "numerator"}), on=[*KEYS, "count_measure"], how="left"
    ).drop("count_measure")
    implied = pl.when(pl.col("measure").is_in(list(PUPIL_PERCENTAGES))).then(
        (pl.col("value") * pl.col("base") / 100).round(0)
    )
    hide = (
        (pl.col("measure").is_in(list(COUNT_MEASURES)) & _small(pl.col("value"), min_count))
        | _small(pl.col("base"), min_count).fill_null(False)
        | _small(pl.col("numerator"), min_count).fill_null(False)
        | _small(implied, min_count).fill_null(False)
    )
    return with_counts.with_columns(
        pl.when(hide).then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(hide).then(pl.lit(SUPPRESSED)).otherwise(pl.col("symbol")).alias("symbol"),
    ).drop("base", "numerator")
