"""The areas a figure is shown for, and the one shape of rows every area's figures share.

Published borough figures are labelled as such, so they are never mistaken for a figure computed
over the schools a viewer may see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from oep.data.memo import MEMO_SIZE, per_input
from oep.data.schema import (
    ENGLAND_CODE,
    LOCAL_AUTHORITY,
    NATIONAL,
    NEIGHBOURS,
    NEIGHBOURS_CODE,
    NORTH_WEST_CODE,
    REGIONAL,
    TOTAL_PHASE,
)

OLDHAM = "Oldham (published)"
ENGLAND = "England"
NORTH_WEST = "North West"
NEIGHBOURS_LABEL = "Statistical neighbours"
VISIBLE = "Schools you can see"
LISTED = "Schools listed"  # schools whose name and Ofsted judgement are public to the viewer


@per_input(MEMO_SIZE)
def published_areas(comparators: pl.DataFrame, la_code: str) -> pl.DataFrame:
    """The comparator rows this dashboard shows, with an ``area`` label.

    Only the borough's own LA row, the North West, England and the borough's statistical
    neighbours are kept (a store of real data holds every LA and region).
    """
    area = (
        pl.when((pl.col("geo_level") == LOCAL_AUTHORITY) & (pl.col("area_code") == la_code))
        .then(pl.lit(OLDHAM))
        .when((pl.col("geo_level") == NATIONAL) & (pl.col("area_code") == ENGLAND_CODE))
        .then(pl.lit(ENGLAND))
        .when((pl.col("geo_level") == REGIONAL) & (pl.col("area_code") == NORTH_WEST_CODE))
        .then(pl.lit(NORTH_WEST))
        .when((pl.col("geo_level") == NEIGHBOURS) & (pl.col("area_code") == NEIGHBOURS_CODE))
        .then(pl.lit(NEIGHBOURS_LABEL))
    )
    return comparators.with_columns(area.alias("area")).filter(pl.col("area").is_not_null())


AREA_COLUMNS = ("area", "time_period", "time_identifier", "pupil_group", "measure", "value",
                "symbol")


@per_input(MEMO_SIZE)
def combine(published: pl.DataFrame, school: pl.DataFrame | None = None,
            school_label: str | None = None, *,
            areas: Sequence[str] | None = None) -> pl.DataFrame:
    """Published area rows (only ``areas`` if given), plus one school's rows labelled with
    ``school_label`` as their area."""
    if areas is not None:
        published = published.filter(pl.col("area").is_in(list(areas)))
    frames = [_area_rows(published)]
    if school is not None and school_label is not None:
        frames.append(_area_rows(school.with_columns(pl.lit(school_label).alias("area"))))
    return pl.concat(frames, how="vertical_relaxed")


def with_symbol_meaning(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with a ``symbol_meaning`` column (null where its publication gave none), so
    figures from the store and figures computed here can sit in one frame."""
    if "symbol_meaning" in frame.columns:
        return frame
    return frame.with_columns(pl.lit(None, dtype=pl.String).alias("symbol_meaning"))


def _area_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return with_symbol_meaning(frame).select(*AREA_COLUMNS, "symbol_meaning")


def comparator_phase(published_phases: Sequence[str], phase: str | None) -> str:
    """The published phase to compare with: the chosen one if the DfE publishes it, else Total."""
    return phase if phase in published_phases else TOTAL_PHASE


@dataclass(frozen=True)
class Comparison:
    """The borough's published figures to set beside a school or the viewer's schools."""

    rows: pl.DataFrame
    """Every published area's rows in ``phase``."""
    phase: str
    """The published phase compared with (``TOTAL_PHASE``: all phases)."""
    wanted: str | None
    """The phase asked for: the one chosen, else the selected school's."""


@per_input(MEMO_SIZE)
def _in_phase(published: pl.DataFrame, phase: str) -> pl.DataFrame:
    return published.filter(pl.col("phase") == phase)


def comparison(published: pl.DataFrame, phase: str | None,
               school: Mapping[str, object] | None) -> Comparison:
    """Like with like: the published rows of the chosen phase, else of the selected school's
    phase, where the DfE publishes that phase; else of all phases."""
    wanted = phase or (str(school["phase"]) if school else None)
    compared = comparator_phase(published["phase"].unique().to_list(), wanted)
    return Comparison(_in_phase(published, compared), compared, wanted)
