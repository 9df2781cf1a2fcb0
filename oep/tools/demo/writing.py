"""Writing the demo into a new store: generated arrays become the store's long rows.

Indicators go in measure by measure, ordered by (measure, geo_level, time_period, area_code), so
DuckDB's zone maps can skip row groups when pages filter on those columns. Columns are built as
enums from array positions (no Python loop per row).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from oep.data import catalogue
from oep.data.schema import OLDHAM_LA_CODE, PRIMARY_NEEDS, SCHOOL, TOTAL_PHASE
from oep.data.store import add_source, rebuilding
from oep.tools.demo.calibration import AREA_CODES, AREA_NAMES, LOADED_AT, SEN_PROVISIONS
from oep.tools.demo.indicators import SYMBOL_CODES, Cells, Measure

Progress = Callable[[str, float], None]


def _enum(codes: np.ndarray, categories: Sequence[str]) -> pl.Series:
    return pl.Series(codes, dtype=pl.UInt32).cat.to(pl.Enum(list(categories)))


def _axis_codes(shape: tuple[int, ...], axis: int) -> np.ndarray:
    """Position along ``axis`` of every element of an array of ``shape``, flattened in C order."""
    index = np.arange(shape[axis], dtype=np.uint32)
    index = index.reshape([-1 if i == axis else 1 for i in range(len(shape))])
    return np.broadcast_to(index, shape).ravel()


def _constant(value: str | None, n: int) -> pl.Series:
    if value is None:
        return pl.repeat(None, n, dtype=pl.String, eager=True)
    return _enum(np.zeros(n, dtype=np.uint32), [value])


def _indicator_frame(m: Measure, level: str, cells: Cells, urns: list[str],
                     source_id: int) -> pl.DataFrame:
    """Rows of one measure at one level, in (time_period, area_code) order: the cells' second
    axis is the school (school level) or the phase (comparators)."""
    shape = cells.value.shape
    n = cells.value.size
    if level == SCHOOL:
        area_code = _enum(_axis_codes(shape, 1), urns)
        phase = _constant(TOTAL_PHASE, n)
    else:
        area_code = _constant(AREA_CODES[level], n)
        phase = _enum(_axis_codes(shape, 1), m.phases)
    symbol = cells.symbol.ravel()
    return pl.DataFrame({
        "geo_level": _constant(level, n),
        "area_code": area_code,
        "area_name": _constant(AREA_NAMES.get(level), n),
        "phase": phase,
        "time_period": np.repeat(m.periods, n // len(m.periods)),
        "time_identifier": _enum(_axis_codes(shape, 2), m.time_identifiers),
        "pupil_group": _enum(_axis_codes(shape, 3), m.groups),
        "measure": _constant(m.name, n),
        "value": pl.Series(cells.value.ravel(), nan_to_null=True),
        "symbol": pl.Series(np.where(symbol > 0, symbol - 1.0, np.nan), nan_to_null=True)
        .cast(pl.UInt32).cat.to(pl.Enum(list(SYMBOL_CODES))),
        "source_id": np.full(n, source_id, dtype=np.int32),
    })


def _needs_frame(level: str, counts: np.ndarray, urns: list[str], periods: np.ndarray,
                 source_id: int) -> pl.DataFrame:
    shape = counts.shape
    n = counts.size
    area_code = (_enum(_axis_codes(shape, 1), urns) if level == SCHOOL
                 else _constant(AREA_CODES[level], n))
    return pl.DataFrame({
        "geo_level": _constant(level, n),
        "area_code": area_code,
        "time_period": np.repeat(periods, n // len(periods)),
        "sen_provision": _enum(_axis_codes(shape, 2), SEN_PROVISIONS),
        "primary_need": _enum(_axis_codes(shape, 3), PRIMARY_NEEDS),
        "pupils": counts.ravel().astype(float),
        "symbol": _constant(None, n),
        "source_id": np.full(n, source_id, dtype=np.int32),
    })


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame,
            source_id: int | None = None) -> int:
    if source_id is not None:
        frame = frame.with_columns(source_id=pl.lit(source_id, dtype=pl.Int32))
    con.register("demo_rows", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM demo_rows")
    finally:
        con.unregister("demo_rows")
    return frame.height


def write_store(path: Path, *, facts: dict[str, str], tables: dict[str, pl.DataFrame],
                measures: list[Measure], needs: dict[str, np.ndarray], urns: list[str],
                periods: np.ndarray, report: Progress) -> None:
    """A new store at ``path`` (replacing any file there atomically) holding ``tables`` (table
    name -> rows), the ``measures`` and pupils by primary need, all from one demo source, and
    ``facts`` in ``store_meta``. ``facts`` names the seed and size, which identify the source."""
    with rebuilding(path, fresh=True) as con:
        # Progress goes through ``report``; DuckDB's own bar would print into the CLI's output.
        con.execute("SET enable_progress_bar = false")
        report("Writing the register", 0.3)
        fingerprint = hashlib.sha256(
            f"oep-demo seed={facts['seed']} schools={facts['schools']} years={facts['years']}"
            .encode()).hexdigest()
        source_id = add_source(con, kind="demo", file_name=f"synthetic-demo-seed-{facts['seed']}",
                               sha256=fingerprint, rows=0, loaded_by="demo",
                               publication="Synthetic demo data (fictional schools)")
        rows = sum(_insert(con, table, frame, source_id) for table, frame in tables.items())

        # Sorted by (measure, geo_level, time_period, area_code) so zone maps prune reads.
        in_order = sorted(measures, key=lambda m: m.name)
        for i, m in enumerate(in_order):
            if i % 5 == 0:
                report(f"Writing indicators ({i}/{len(in_order)} measures)",
                       0.35 + 0.5 * i / len(in_order))
            levels = {**m.areas, **({SCHOOL: m.school} if m.school is not None else {})}
            for level in sorted(levels):
                rows += _insert(con, "indicators",
                                _indicator_frame(m, level, levels[level], urns, source_id))
        catalogue.count(con, "SELECT * FROM indicators")
        report("Writing pupils by primary need", 0.85)
        for level in sorted(needs):
            rows += _insert(con, "sen_needs",
                            _needs_frame(level, needs[level], urns, periods, source_id))

        meta = {"is_demo": "true", "la_code": OLDHAM_LA_CODE, **facts}
        con.executemany("INSERT OR REPLACE INTO store_meta VALUES (?, ?)", list(meta.items()))
        # A fixed load time keeps the store identical from build to build.
        con.execute("UPDATE sources SET rows = ?, loaded_at = ? WHERE source_id = ?",
                    [rows, LOADED_AT, source_id])
        report("Saving the store", 0.95)

