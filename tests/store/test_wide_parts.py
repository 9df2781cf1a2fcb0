"""A load of a wide DfE file keeps its rows wide in its part (``indicators_wide``), and the view
``indicators`` shows them exactly as the long layout did: the same rows, types, symbols and NULLs,
through later loads that replace some of its cells, re-issues, and dropped loads.

Each test runs the same loads into two stores, one of them with every load written long (as
before wide parts), and compares what they hold.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oep.data import queries
from oep.data.importers import dfe, import_file
from oep.data.schema import WIDE_INDICATORS
from oep.data.store import Store, connect, parts_folder, wide_columns
from tests.store.test_importers import DFE, OWN, query

WIDE = OWN / "absence_school_wide_202324.csv"
REVISED = OWN / "absence_school_wide_202324_revised.csv"
# Every kind whose files can be wide, and a long-layout file (written long either way).
KIND_FILES = [
    WIDE,
    OWN / "sen_la_202324.csv",
    OWN / "suspensions_school_202324.csv",
    OWN / "exclusions_school_201617.csv",
    OWN / "ehcp_timeliness_2024.csv",
    OWN / "attendance_weekly_2022.csv",
    DFE / "attendance_ytd_202425_la.csv",
    DFE / "absence_2term_pru_la.csv",
    OWN / "absence_long_202425.csv",
    OWN / "sen_school_long_202425.csv",
]


@pytest.fixture()
def long_store(registered_store: Path, tmp_path: Path) -> Path:
    db = tmp_path / "long" / "oep.duckdb"
    db.parent.mkdir()
    shutil.copyfile(registered_store, db)
    return db


def written_long(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """``import_file`` as before wide parts: every indicator row written long."""
    plan = dfe.plan_indicators

    def long_plan(staging: Any, staged: str, **_: Any) -> None:
        plan(staging, staged)

    def load(*args: Any, **kwargs: Any) -> Any:
        with monkeypatch.context() as patched:
            patched.setattr(dfe, "plan_indicators", long_plan)
            return import_file(*args, **kwargs)

    return load


def held(db: Path) -> dict[str, Any]:
    """What a store's indicators hold, for comparison: every row (a sorted multiset), the view's
    column types, and the catalogue."""
    con = connect(db)
    try:
        return {
            "rows": sorted(con.execute("SELECT * FROM indicators").fetchall(), key=repr),
            "types": [(c, t) for c, t, *_ in con.execute("DESCRIBE indicators").fetchall()],
            "catalogue": sorted(con.execute("SELECT * FROM indicator_catalogue").fetchall(),
                                key=repr),
        }
    finally:
        con.close()


def wide_tables(db: Path) -> int:
    """How many of the store's parts hold a wide table."""
    return sum(
        query(db, f"SELECT count(*) FROM duckdb_tables() WHERE database_name = 'part_{p.stem}' "
                  "AND table_name = $t", {"t": WIDE_INDICATORS})[0][0]
        for p in parts_folder(db).iterdir())


def same_loads(store: Path, long_store: Path, monkeypatch: pytest.MonkeyPatch,
               loads: list[dict[str, Any]]) -> None:
    """Run ``loads`` (import_file's arguments) into both stores, the second written long, and
    check after each that they hold the same and report the same."""
    load_long = written_long(monkeypatch)
    for load in loads:
        wide = import_file(db=store, **load)
        long = load_long(db=long_store, **load)
        assert (wide.rows_to_load, wide.replaces_rows) == (long.rows_to_load, long.replaces_rows)
        assert held(store) == held(long_store), load


def test_every_kind_reads_as_the_long_layout(store: Path, long_store: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    same_loads(store, long_store, monkeypatch, [{"path": p} for p in KIND_FILES])
    assert wide_tables(store) == 8 and wide_tables(long_store) == 0
    rows = held(store)["rows"]
    # The view keeps symbols and blank cells as the long layout does.
    assert any(r[8] is None and r[9] is not None for r in rows)
    assert any(r[8] is None and r[9] is None for r in rows)


def test_a_reissue_replaces_a_whole_wide_load(store: Path, long_store: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    same_loads(store, long_store, monkeypatch, [{"path": WIDE}, {"path": REVISED}])
    # The first load's part is gone with all its rows, not kept as an empty copy.
    assert wide_tables(store) == 1 and len(list(parts_folder(store).iterdir())) == 1


def _some_cells(source: Path, target: Path, *, rows: int, drop: tuple[str, ...]) -> Path:
    """A correction of ``rows`` rows of ``source`` without the columns ``drop``, every figure
    changed."""
    with open(source, encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    columns = [c for c in table[0] if c not in drop]
    with open(target, "w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, columns, extrasaction="ignore")
        out.writeheader()
        for row in table[:rows]:
            out.writerow({c: ("x" if c.endswith("_percent") else row[c]) for c in columns})
    return target


def test_a_later_load_replacing_some_cells_of_a_wide_load(
        store: Path, long_store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    partial = _some_cells(WIDE, tmp_path / "absence_correction.csv", rows=6,
                          drop=("sess_authorised_percent", "enrolments_pa_50_exact_percent"))
    authorised = ("SELECT count(*) FROM indicators i JOIN sources s USING (source_id) "
                  "WHERE s.file_name = $f AND i.measure = 'authorised_absence'")
    same_loads(store, long_store, monkeypatch, [{"path": WIDE}])
    before = query(store, authorised, {"f": WIDE.name})
    same_loads(store, long_store, monkeypatch, [{"path": partial}])
    # The correction has no authorised absence: the first load keeps all of it, its rows the
    # correction partly replaced now held long in a copy of its part, the others still wide.
    assert query(store, authorised, {"f": WIDE.name}) == before
    split = [p.stem for p in parts_folder(store).iterdir()
             if query(store, f"SELECT count(*) FROM part_{p.stem}.main.indicators")[0][0]]
    assert len(split) == 1 and query(
        store, f"SELECT count(*) FROM part_{split[0]}.main.{WIDE_INDICATORS}")[0][0] > 0
    # And again, over the split part: the correction re-issued with every column.
    full = _some_cells(WIDE, tmp_path / "absence_correction_2.csv", rows=9, drop=())
    same_loads(store, long_store, monkeypatch, [{"path": full}])


def test_a_load_replacing_its_earlier_load_with_other_options(
        store: Path, long_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    same_loads(store, long_store, monkeypatch, [
        {"path": OWN / "suspensions_school_202324.csv"},
        {"path": WIDE},
        {"path": OWN / "suspensions_school_202324.csv", "unknown_schools": "load"},
    ])


def test_wide_loads_over_a_store_of_long_parts(store: Path, long_store: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    load_long = written_long(monkeypatch)
    for db in (store, long_store):
        load_long(WIDE, db=db)
    partial = _some_cells(WIDE, tmp_path / "absence_correction.csv", rows=6,
                          drop=("sess_unauthorised_percent",))
    same_loads(store, long_store, monkeypatch, [{"path": partial}, {"path": REVISED}])


def test_a_query_for_one_measure_reads_only_that_measure(store: Path) -> None:
    import_file(WIDE, db=store)
    con = connect(store)
    try:
        plan = con.execute(
            "EXPLAIN SELECT value FROM indicators WHERE list_contains($m, measure)",
            {"m": ["overall_absence"]}).fetchall()[0][1]
    finally:
        con.close()
    # One branch of the view, reading that measure's column and no other's.
    assert "value_overall_absence" in plan and "value_enrolments" not in plan


def test_the_page_queries_read_a_wide_load_as_a_long_one(
        store: Path, long_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    same_loads(store, long_store, monkeypatch, [{"path": WIDE}])
    frames = []
    for db in (store, long_store):
        reader = Store(db)
        try:
            frames.append(queries.every_school_indicators(
                reader, ("overall_absence", "enrolments"), suppress_below=10)
                .sort("urn", "time_period", "time_identifier", "pupil_group", "measure"))
        finally:
            reader.close()
    assert frames[0].height > 0 and frames[0].equals(frames[1])


def test_a_measure_name_is_checked_before_it_names_a_column() -> None:
    assert wide_columns("overall_absence") == ("value_overall_absence", "symbol_overall_absence")
    with pytest.raises(ValueError):
        wide_columns("x'; DROP TABLE sources; --")
