"""Small-number suppression, as in the DfE's school-level releases.

Below LA level a count of pupils under the configured minimum (and above zero) identifies pupils:
it is shown as ``c``, and so is every rate computed from such a count (a rate over a tiny group,
or a percentage of pupils that stands for a tiny number of them).
"""

from __future__ import annotations

import polars as pl

from oep.schema import COUNT_MEASURES

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
