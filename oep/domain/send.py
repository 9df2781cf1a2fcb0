"""Shaping SEND figures for the pages: pure polars, frames in and frames out.

Shares of pupils with EHC plans and on SEN support (school vs the published Oldham and England
figures), the composition of primary types of need, the gaps of SEN pupils to pupils with no SEN,
and EHC plan timeliness. Borough figures here are always the published ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from oep.domain.areas import ENGLAND, OLDHAM, with_symbol_meaning
from oep.domain.dictionary import label_of, unit_of
from oep.domain.periods import period_label, with_periods
from oep.data.memo import MEMO_SIZE, per_input
from oep.data.schema import (
    ACADEMIC_YEAR,
    EHC_PLAN,
    ENGLAND_CODE,
    LOCAL_AUTHORITY,
    NATIONAL,
    NO_SEN,
    SEN_SUPPORT,
)

SHARE_MEASURES = ("ehc_plan_pct", "sen_support_pct")
GAP_MEASURES = ("overall_absence", "persistent_absence", "suspension_rate")
SEN_PROVISIONS = (SEN_SUPPORT, EHC_PLAN)
GAP_GROUPS = SEN_PROVISIONS
TIMELINESS = "ehcp_20wk_pct"  # excluding exceptions, the DfE's headline measure
ALL_SEN = "All pupils with SEN"
PROVISIONS = (ALL_SEN, EHC_PLAN, SEN_SUPPORT)
OTHER_NEEDS = "All other needs"
MAX_PARTS = 8  # a chart shows the largest needs and groups the rest: legible on a phone


@per_input(MEMO_SIZE)
def needs(school_needs: pl.DataFrame | None, published_needs: pl.DataFrame, *, la_code: str,
          time_period: int, provision: str, school_label: str | None) -> pl.DataFrame:
    """Pupils by primary need for the borough and England (published) and the selected school,
    with shares.

    ``school_needs``: ``queries.sen_needs`` rows of one school (or None); ``published_needs``:
    ``queries.sen_needs_comparators``. ``provision`` is EHC plan, SEN support, or ALL_SEN (their
    sum - unknown, shown as the symbol, where a part is suppressed). A share is of the pupils whose
    need is published. Returns area, part (need), pupils, share, symbol, period.
    """
    borough = published_needs.filter(
        ((pl.col("geo_level") == LOCAL_AUTHORITY) & (pl.col("area_code") == la_code))
        | ((pl.col("geo_level") == NATIONAL) & (pl.col("area_code") == ENGLAND_CODE))
    ).with_columns(pl.when(pl.col("geo_level") == NATIONAL).then(pl.lit(ENGLAND))
                   .otherwise(pl.lit(OLDHAM)).alias("area"))
    frames = [borough.select("area", "time_period", "sen_provision", "primary_need", "pupils",
                             "symbol")]
    if school_needs is not None and school_label is not None:
        frames.append(school_needs.with_columns(pl.lit(school_label).alias("area")).select(
            frames[0].columns))
    rows = pl.concat(frames, how="vertical_relaxed").filter(pl.col("time_period") == time_period)
    if provision == ALL_SEN:
        rows = rows.filter(pl.col("sen_provision").is_in(list(SEN_PROVISIONS))).group_by(
            "area", "time_period", "primary_need").agg(
            # A sum with a suppressed part is itself unknown: keep the symbol, not a low total.
            pl.when(pl.col("pupils").is_null().any()).then(None)
            .otherwise(pl.col("pupils").sum()).alias("pupils"),
            pl.col("symbol").drop_nulls().first().alias("symbol"),
        )
    else:
        rows = rows.filter(pl.col("sen_provision") == provision)
    rows = rows.with_columns(
        (pl.col("pupils") / pl.col("pupils").sum().over("area") * 100).alias("share"),
        pl.lit(period_label(time_period, ACADEMIC_YEAR)).alias("period"),
    )
    return rows.select(
        "area", pl.col("primary_need").alias("part"), "pupils", "share", "symbol", "period"
    ).sort("area", "pupils", "part", descending=[False, True, False], nulls_last=True)


@per_input(MEMO_SIZE)
def suppressed_note(frame: pl.DataFrame) -> str | None:
    """How many needs each area has suppressed (and so left out of its shares), in words."""
    counts = (frame.filter(pl.col("pupils").is_null() & pl.col("symbol").is_not_null())
              .group_by("area", maintain_order=True).len())
    if counts.is_empty():
        return None
    parts = [f"{n} at {area}" for area, n in counts.iter_rows()]
    return ("Needs suppressed to protect confidentiality (c) are left out of the shares: "
            + ", ".join(parts))


@per_input(MEMO_SIZE)
def needs_for_chart(frame: pl.DataFrame) -> pl.DataFrame:
    """The largest needs in the borough kept, the rest grouped as 'All other needs'.

    A phone has room for so many rows of bars; the table beside the chart keeps every need.
    """
    if frame.is_empty():
        return frame
    ranked = (frame.filter(pl.col("area") == OLDHAM) if OLDHAM in frame["area"] else frame)
    order = (ranked.group_by("part").agg(pl.col("pupils").sum()).sort(
        "pupils", "part", descending=[True, False])["part"].to_list())
    keep = order[:MAX_PARTS - 1] if len(order) > MAX_PARTS else order
    grouped = frame.with_columns(
        pl.when(pl.col("part").is_in(keep)).then(pl.col("part"))
        .otherwise(pl.lit(OTHER_NEEDS)).alias("part")
    ).group_by("area", "part", "period").agg(
        # A group whose parts are all suppressed has no share, not a share of 0.
        pl.when(pl.col("pupils").is_not_null().any()).then(pl.col("pupils").sum()),
        pl.when(pl.col("share").is_not_null().any()).then(pl.col("share").sum()),
        pl.when(pl.len() == 1).then(pl.col("symbol").first()).alias("symbol"),
    )
    rank = {part: i for i, part in enumerate([*keep, OTHER_NEEDS])}
    return grouped.with_columns(
        pl.col("part").replace_strict(rank, return_dtype=pl.Int64).alias("rank")
    ).sort("rank", "area").drop("rank")


@per_input(MEMO_SIZE)
def gaps(rows: pl.DataFrame, *, measures: Sequence[str] = GAP_MEASURES,
         groups: Sequence[str] = GAP_GROUPS) -> pl.DataFrame:
    """The gap of each SEN group to pupils with no SEN, per area and measure.

    ``rows``: labelled rows (area, pupil_group, measure, value, ...) for one period. Returns
    measure, measure_label, unit, category (the group), area, value, symbol, symbol_meaning,
    base (the no-SEN figure), gap, period; gap null where either figure is missing.
    """
    rows = rows.filter(pl.col("measure").is_in(list(measures)))
    base = rows.filter(pl.col("pupil_group") == NO_SEN).select(
        "area", "time_period", "time_identifier", "measure", pl.col("value").alias("base"))
    shaped = rows.filter(pl.col("pupil_group").is_in(list(groups))).join(
        base, on=["area", "time_period", "time_identifier", "measure"], how="left")
    if shaped.is_empty():
        return pl.DataFrame(schema={
            "measure": pl.String, "measure_label": pl.String, "unit": pl.String,
            "category": pl.String, "area": pl.String, "value": pl.Float64, "symbol": pl.String,
            "symbol_meaning": pl.String, "base": pl.Float64, "gap": pl.Float64,
            "period": pl.String})
    order = {m: i for i, m in enumerate(measures)}
    shaped = with_periods(with_symbol_meaning(shaped)).with_columns(
        (pl.col("value") - pl.col("base")).alias("gap"),
        pl.col("measure").replace_strict({m: label_of(m) for m in measures}).alias(
            "measure_label"),
        pl.col("measure").replace_strict({m: unit_of(m) for m in measures}).alias("unit"),
        pl.col("measure").replace_strict(order, return_dtype=pl.Int64).alias("rank"),
        pl.col("pupil_group").alias("category"),
    )
    return shaped.sort("rank", "category", "area", maintain_order=True).select(
        "measure", "measure_label", "unit", "category", "area", "value", "symbol",
        "symbol_meaning", "base", "gap", "period")
