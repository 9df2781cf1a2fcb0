"""The store's catalogue of held periods and measures stays equal to a count of its figures through
every kind of load: new years, corrected reissues, re-imports with other options, a fresh demo, and
a store written before the catalogue existed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from oep.data import queries
from oep.data.importers import import_file
from oep.data.schema import ACADEMIC_YEAR, ALL_PUPILS
from oep.data.store import Store, copy_store
from tests.conftest import DemoEnv
from tests.store.test_importers import DFE, OWN, query

COUNTED = """
    SELECT source_id, geo_level, measure, time_period, time_identifier, pupil_group, count(*)
    FROM indicators GROUP BY ALL ORDER BY ALL
"""
ROW_KEY = ["urn", "time_period", "time_identifier", "pupil_group", "measure"]
CATALOGUE = """
    SELECT source_id, geo_level, measure, time_period, time_identifier, pupil_group, rows
    FROM indicator_catalogue ORDER BY ALL
"""


def assert_catalogue_matches(db: Path) -> None:
    counted = query(db, COUNTED)
    assert counted, "the store holds figures"
    assert query(db, CATALOGUE) == counted


def test_catalogue_follows_new_years_reissues_and_other_options(store: Path) -> None:
    import_file(OWN / "absence_school_wide_202324.csv", db=store)
    assert_catalogue_matches(store)
    import_file(OWN / "absence_long_202425.csv", db=store)
    assert_catalogue_matches(store)
    # A corrected reissue takes the old source's rows away.
    import_file(OWN / "absence_school_wide_202324_revised.csv", db=store)
    assert_catalogue_matches(store)
    pru = DFE / "absence_2term_pru_la.csv"
    import_file(pru, db=store)
    import_file(pru, db=store, phase="Pupil referral unit")
    assert_catalogue_matches(store)
    import_file(DFE / "attendance_ytd_202526_la.csv", db=store)
    assert_catalogue_matches(store)


def test_demo_store_catalogue_matches(demo_files: DemoEnv) -> None:
    assert_catalogue_matches(demo_files.store)


def test_a_store_written_before_the_catalogue_gets_one_at_its_next_load(store: Path) -> None:
    import_file(OWN / "absence_school_wide_202324.csv", db=store)
    with duckdb.connect(str(store)) as con:
        con.execute("DROP TABLE indicator_catalogue")
    assert _years(store) == [202324], "readers fall back to counting the figures"
    import_file(OWN / "absence_long_202425.csv", db=store)
    assert_catalogue_matches(store)
    assert _years(store) == [202425, 202324]


def _years(db: Path) -> list[int]:
    reader = Store(db)
    try:
        return queries.academic_years(reader)
    finally:
        reader.close()


def test_the_latest_years_are_the_same_rows_when_the_catalogue_names_a_later_year(
        demo_files: DemoEnv, tmp_path: Path) -> None:
    """A window of each measure's latest years is read from the catalogue's latest years on;
    where the schools' rows end earlier than the catalogue says, every year is read as before."""
    db = tmp_path / "oep.duckdb"
    copy_store(demo_files.store, db)
    measures = ("overall_absence", "progress")

    def read() -> pl.DataFrame:
        reader = Store(db)
        try:
            return queries.every_school_indicators(
                reader, measures, suppress_below=None, time_identifiers=(ACADEMIC_YEAR,),
                pupil_groups=(ALL_PUPILS,), latest_years=2).sort(ROW_KEY)
        finally:
            reader.close()

    before = read()
    assert before["time_period"].n_unique() == 2
    _catalogue_names_a_later_year(db, measures)
    assert_frame_equal(read(), before)


def _catalogue_names_a_later_year(db: Path, measures: tuple[str, ...]) -> None:
    """The catalogue names a year after each measure's latest at school level, which no row
    holds."""
    with duckdb.connect(str(db)) as con:
        con.execute("""
            INSERT INTO indicator_catalogue
            SELECT source_id, geo_level, measure, time_period + 101, time_identifier,
                   pupil_group, rows
            FROM indicator_catalogue
            WHERE geo_level = 'School' AND measure IN (SELECT unnest($measures))
            QUALIFY time_period = max(time_period) OVER (PARTITION BY measure)
            """, {"measures": list(measures)})


def test_the_schools_latest_years_are_their_rows_whatever_the_catalogue_names(
        demo_files: DemoEnv, tmp_path: Path) -> None:
    """Where the rules' windows end is read from the catalogue's latest years on; where the
    schools' rows end earlier than the catalogue says, from every year."""
    db = tmp_path / "oep.duckdb"
    copy_store(demo_files.store, db)
    measures = ("overall_absence", "progress")
    counted = dict(query(db, """
        SELECT measure, max(time_period) FROM indicators
        WHERE geo_level = 'School' AND measure IN ('overall_absence', 'progress')
          AND area_code IN (SELECT urn FROM schools)
          AND time_identifier = 'Academic year' AND pupil_group = 'All pupils'
        GROUP BY measure"""))

    def latest() -> dict[str, int]:
        reader = Store(db)
        try:
            return queries.latest_school_years(reader, measures, ACADEMIC_YEAR, ALL_PUPILS)
        finally:
            reader.close()

    assert latest() == counted and len(counted) == 2
    _catalogue_names_a_later_year(db, measures)
    assert latest() == counted
