"""Import throughput: ``python -m oep.tools.import_bench [--rows N]``.

Generates, in a temporary folder, a register of fictional schools (LA 353) and a school-level
absence file in the DfE's wide layout with at least ``--rows`` rows (default 1,000,000: five years,
three terms and the full year, five pupil groups per school, a few suppressed cells), then times:

* ``import_file`` of the register and of the absence file into a new store (reading, validation,
  writing its part and the atomic swap included), with a per-stage breakdown; then, apart, the
  support categories that ``python -m oep import`` works out and keeps after the load
  (``oep.present.warmup.keep``);
* the baseline: ``pandas.read_csv`` of the same absence file followed by an insert of the frame into
  a DuckDB file, with no validation and no reshaping;
* the floor: the least an import into this store can do, one DuckDB statement reading the file as
  text and writing its rows, the measure cells cast, into a new file shaped like the part a wide
  file's load writes (``indicators_wide``, decision 0011), with no validation, no mapping to
  store keys and no swap.

Each is timed in wall seconds and in CPU seconds of the process (all its threads): on a machine
other work is loading, wall time follows the load of the moment, CPU time the work done.

pandas is a development dependency (requirements-dev.txt); the importers do not use it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from oep.data.importers import absence as absence_kind
from oep.data.importers import import_file
from oep.data.importers.checks import quote
from oep.data.importers.reading import CSV_OPTIONS
from oep.data.schema import TOTAL_PHASE, WIDE_INDICATORS, WIDE_KEYS
from oep.data.store import Store, wide_columns
from oep.present import warmup

YEARS = (201920, 202021, 202122, 202223, 202324)
TERMS = ("Autumn term", "Spring term", "Summer term", "Academic year")
GROUPS = ("Total", "SEN support", "EHC plan", "No SEN", "FSM eligible")
ROWS_PER_SCHOOL = len(YEARS) * len(TERMS) * len(GROUPS)
REGISTER_COLUMNS = ("URN", "LA (code)", "EstablishmentNumber", "EstablishmentName",
                    "TypeOfEstablishment (name)", "PhaseOfEducation (name)",
                    "EstablishmentStatus (name)", "NumberOfPupils")


def write_register(path: Path, schools: int) -> list[str]:
    """A register of ``schools`` open fictional primary schools of LA 353; returns their URNs."""
    urns = [str(900000 + i) for i in range(schools)]
    pl.DataFrame({
        "URN": urns,
        "LA (code)": "353",
        "EstablishmentNumber": [f"{2000 + i}" for i in range(schools)],
        "EstablishmentName": [f"Benchmark School {i}" for i in range(schools)],
        "TypeOfEstablishment (name)": "Community school",
        "PhaseOfEducation (name)": "Primary",
        "EstablishmentStatus (name)": "Open",
        "NumberOfPupils": "300",
    }).select(REGISTER_COLUMNS).write_csv(path)
    return urns


def write_absence(path: Path, urns: list[str], seed: int = 353) -> int:
    """The wide school-level absence layout, one row per school, year, term and group."""
    rng = np.random.default_rng(seed)
    n = len(urns) * ROWS_PER_SCHOOL
    school = np.repeat(np.arange(len(urns)), ROWS_PER_SCHOOL)
    within = np.tile(np.arange(ROWS_PER_SCHOOL), len(urns))
    year = within // (len(TERMS) * len(GROUPS))
    term = within // len(GROUPS) % len(TERMS)
    group = within % len(GROUPS)
    enrol = rng.integers(5, 400, n)
    overall = np.round(rng.gamma(4.0, 1.8, n).clip(0, 60), 4)
    authorised = np.round(overall * rng.uniform(0.55, 0.8, n), 4)

    def pct(values: np.ndarray) -> pl.Series:
        text = pl.Series(values.astype(str))
        # About 2% of cells suppressed, as the DfE prints small groups.
        return pl.select(pl.when(pl.Series(rng.random(n) < 0.02)).then(pl.lit("c"))
                         .otherwise(text)).to_series()

    frame = pl.DataFrame({
        "time_period": np.array(YEARS)[year].astype(str),
        "time_identifier": np.array(TERMS)[term],
        "geographic_level": "School",
        "country_code": "E92000001", "country_name": "England",
        "region_code": "E12000002", "region_name": "North West",
        "old_la_code": "353", "new_la_code": "E08000004", "la_name": "Oldham",
        "school_urn": np.array(urns)[school],
        "school_laestab": np.array([f"353{2000 + i}" for i in range(len(urns))])[school],
        "school_name": np.array([f"Benchmark School {i}" for i in range(len(urns))])[school],
        "school_type": "State-funded primary",
        "characteristic": np.array(GROUPS)[group],
        "enrolments": enrol.astype(str),
        "sess_possible": (enrol * 300).astype(str),
        "sess_overall_percent": pct(overall),
        "sess_authorised_percent": pct(authorised),
        "sess_unauthorised_percent": pct(np.round(overall - authorised, 4)),
        "enrolments_pa_10_exact_percent": pct(np.round(rng.uniform(5, 40, n), 4)),
        "enrolments_pa_50_exact_percent": pct(np.round(rng.uniform(0, 5, n), 4)),
    })
    frame.write_csv(path)
    return n


def _timed_import(path: Path, db: Path) -> tuple[float, float, dict[str, float], int]:
    """Wall and CPU seconds for import_file, wall seconds per stage, and rows loaded."""
    marks: list[tuple[str, float]] = []
    start, cpu = time.perf_counter(), time.process_time()
    report = import_file(path, db=db, user="bench",
                         progress=lambda message, _: marks.append((message, time.perf_counter())))
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    stages = {m: (marks[i + 1][1] if i + 1 < len(marks) else start + total) - t
              for i, (m, t) in enumerate(marks)}
    return total, cpu, stages, report.rows_to_load


def _pandas_baseline(path: Path, db: Path) -> tuple[float, float]:
    """Wall and CPU seconds."""
    import pandas as pd  # a development dependency, for comparison only

    start, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_csv(path)
    con = duckdb.connect(str(db))
    try:
        con.execute("SET enable_progress_bar = false")
        con.register("frame", frame)
        con.execute("CREATE TABLE absence AS SELECT * FROM frame")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return time.perf_counter() - start, time.process_time() - cpu


def _duckdb_floor(path: Path, db: Path) -> tuple[float, float]:
    """Wall and CPU seconds."""
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    columns = [(m, c) for m, c in absence_kind.WIDE.items() if c in header]
    keys = [f"{c} {t}" for c, t in WIDE_KEYS.items()]
    cells = [f"{c} {t}" for m, _ in columns
             for c, t in zip(wide_columns(m), ("DOUBLE", "VARCHAR"), strict=True)]
    values = "".join(f", try_cast({quote(c)} AS DOUBLE), NULL" for _, c in columns)
    start, cpu = time.perf_counter(), time.process_time()
    con = duckdb.connect(str(db))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"CREATE TABLE {WIDE_INDICATORS} ({', '.join(keys + cells)})")
        con.execute(
            f"INSERT INTO {WIDE_INDICATORS} SELECT geographic_level, school_urn, school_name, "
            f"$phase, time_period::INTEGER, time_identifier, characteristic, 1{values} "
            f"FROM read_csv($path, {CSV_OPTIONS})", {"phase": TOTAL_PHASE, "path": str(path)})
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return time.perf_counter() - start, time.process_time() - cpu


def _timed_keep(db: Path) -> float:
    store = Store(db)
    try:
        start = time.perf_counter()
        warmup.keep(store)
        return time.perf_counter() - start
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m oep.tools.import_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="at least this many absence rows (default 1,000,000)")
    args = parser.parse_args(argv)
    schools = -(-args.rows // ROWS_PER_SCHOOL)
    with tempfile.TemporaryDirectory(prefix="oep-bench-") as work:
        folder = Path(work)
        register, absence = folder / "register.csv", folder / "absence.csv"
        print(f"Generating {schools:,} schools and their absence rows in {folder} ...")
        urns = write_register(register, schools)
        rows = write_absence(absence, urns)
        size = absence.stat().st_size / 1e6
        print(f"absence file: {rows:,} rows, {size:,.0f} MB")

        store = folder / "oep.duckdb"
        seconds, _, _, _ = _timed_import(register, store)
        print(f"register import: {schools:,} schools in {seconds:.2f} s")
        seconds, cpu, stages, loaded = _timed_import(absence, store)
        print(f"oep import_file: {seconds:.2f} s ({cpu:.2f} s CPU) = {rows / seconds:,.0f} file "
              f"rows/s ({size / seconds:,.0f} MB/s; {loaded:,} indicator rows loaded, "
              f"{loaded / seconds:,.0f}/s), with validation and the atomic swap")
        for stage, spent in stages.items():
            print(f"    {stage:<40} {spent:6.2f} s")
        print(f"then, as `python -m oep import` does after the load, the support categories "
              f"kept for the app: {_timed_keep(store):.2f} s")
        baseline, baseline_cpu = _pandas_baseline(absence, folder / "pandas.duckdb")
        print(f"pandas.read_csv + DuckDB insert: {baseline:.2f} s ({baseline_cpu:.2f} s CPU) = "
              f"{rows / baseline:,.0f} file rows/s (no validation, no reshaping)")
        floor, floor_cpu = _duckdb_floor(absence, folder / "floor.duckdb")
        print(f"DuckDB floor (read, cast, write wide; nothing else): {floor:.2f} s "
              f"({floor_cpu:.2f} s CPU)")
        print(f"oep / pandas: {seconds / baseline:.2f} x the wall time, "
              f"{cpu / baseline_cpu:.2f} x the CPU time")
        print(f"floor / pandas: {floor / baseline:.2f} x the wall time, "
              f"{floor_cpu / baseline_cpu:.2f} x the CPU time")


if __name__ == "__main__":
    main()
