"""Imports are transactional and idempotent, never mix demo and real data, and readers keep
working while they run."""

from __future__ import annotations

from pathlib import Path

import pytest

from oep.data.importers import ImportFailed, import_file, preview_import
from oep.data.store import Store, add_source, connect, parts_folder, rebuilding
from tests.conftest import import_cli
from tests.store.test_importers import (
    DFE,
    OPEN_OLDHAM_URNS,
    OWN,
    REGISTER,
    query,
    sha256,
    value,
)

WIDE = OWN / "absence_school_wide_202324.csv"
REVISED = OWN / "absence_school_wide_202324_revised.csv"
LONG = OWN / "absence_long_202425.csv"


def _files(store: Path) -> dict[str, str]:
    """Every file of the store (the store file, the lock, its parts) with its SHA-256."""
    return {str(p.relative_to(store.parent)): sha256(p) for p in store.parent.rglob("*")
            if p.is_file()}


def test_failed_import_leaves_the_store_byte_for_byte(store: Path) -> None:
    import_file(WIDE, db=store)
    before = _files(store)
    with pytest.raises(ImportFailed):
        import_file(OWN / "bad_percent.csv", db=store)
    # Nothing changed and no half-built copy or part is left behind (the lock file is the
    # writers' queue and stays).
    assert _files(store) == before
    assert sorted(before) == ["oep.duckdb", "oep.duckdb.lock", "oep.duckdb.parts/1.duckdb"]


def test_loading_the_same_file_twice_changes_nothing(store: Path) -> None:
    first = import_file(WIDE, db=store)
    before = sha256(store)
    again = import_file(WIDE, db=store, original_name="renamed copy.csv")
    assert again.skipped_as_duplicate and again.source_id == first.source_id
    assert again.rows_to_load == 0 and "already loaded" in again.warnings[0]
    assert sha256(store) == before


def test_a_newer_year_adds_to_the_series(store: Path) -> None:
    first = import_file(WIDE, db=store)
    newer = import_file(LONG, db=store)
    assert newer.replaces_rows == 0
    periods = query(store, "SELECT time_period, count(*) FROM indicators GROUP BY 1 ORDER BY 1")
    assert periods == [(202324, first.rows_to_load), (202425, newer.rows_to_load)]


def test_a_corrected_reissue_replaces_its_period(store: Path) -> None:
    first = import_file(WIDE, db=store)
    revised = import_file(REVISED, db=store)
    assert revised.replaces_rows == first.rows_to_load == revised.rows_to_load
    assert query(store, "SELECT count(*) FROM indicators") == [(first.rows_to_load,)]
    keys = {"time_period": 202324, "time_identifier": "Academic year", "phase": "Total",
            "pupil_group": "All pupils", "measure": "overall_absence"}
    assert value(store, geo_level="School", area_code="900001", **keys) == (5.1, None)
    assert value(store, geo_level="Local authority", area_code="353", **keys) == (7.6, None)
    assert query(store, "SELECT DISTINCT source_id FROM indicators") == [(revised.source_id,)]


def test_other_breakdowns_of_the_same_period_are_kept(store: Path) -> None:
    import_file(WIDE, db=store)
    import_file(OWN / "sen_la_202324.csv", db=store)
    import_file(OWN / "suspensions_school_202324.csv", db=store)
    kinds = query(store, "SELECT s.kind, count(*) FROM indicators JOIN sources s USING "
                         "(source_id) GROUP BY 1 ORDER BY 1")
    assert [k for k, _ in kinds] == ["absence", "sen", "suspensions"]


def test_preview_writes_nothing_and_matches_the_import(store: Path) -> None:
    import_file(WIDE, db=store)
    before = sha256(store)
    preview = preview_import(REVISED, db=store)
    assert sha256(store) == before
    report = import_file(REVISED, db=store)
    for field in ("kind", "rows_read", "rows_to_load", "replaces_rows", "periods", "geo_levels",
                  "unknown_schools", "warnings"):
        assert getattr(preview, field) == getattr(report, field), field
    assert preview.sample.columns == ["geo_level", "area_code", "area_name", "phase",
                                      "time_period", "time_identifier", "pupil_group", "measure",
                                      "value", "symbol"]
    assert 0 < preview.sample.height <= 20


def test_preview_of_a_loaded_file_says_nothing_would_change(store: Path) -> None:
    import_file(WIDE, db=store)
    preview = preview_import(WIDE, db=store)
    assert preview.rows_to_load == 0 and "already loaded" in preview.warnings[0]


def test_progress_is_reported_up_to_done(store: Path) -> None:
    seen: list[tuple[str, float]] = []
    import_file(WIDE, db=store, progress=lambda message, done: seen.append((message, done)))
    fractions = [done for _, done in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert seen[-1][0] == "Done"


def test_readers_see_the_new_store_after_an_import(store: Path) -> None:
    reader = Store(store)
    try:
        assert reader.scalar("SELECT count(*) FROM indicators") == 0
        import_file(WIDE, db=store)
        assert reader.scalar("SELECT count(*) FROM indicators") == 90
    finally:
        reader.close()


def _parts(store: Path) -> dict[str, tuple[int, str]]:
    """The store's part files: name -> (inode, SHA-256)."""
    return {p.name: (p.stat().st_ino, sha256(p)) for p in parts_folder(store).iterdir()}


def test_a_load_writes_its_own_rows_and_leaves_earlier_loads_untouched(store: Path) -> None:
    import_file(WIDE, db=store)
    first = _parts(store)
    import_file(OWN / "sen_la_202324.csv", db=store)
    after = _parts(store)
    # The first load's part is the same file, unchanged; the second load added one part.
    assert len(first) == 1 and set(first) < set(after) and len(after) == 2
    assert all(after[name] == kept for name, kept in first.items())
    assert query(store, "SELECT count(*) FROM indicators") == [
        (sum(n for (n,) in query(store, "SELECT rows FROM sources WHERE kind <> 'register'")),)]


def test_a_reader_follows_loads_that_remove_the_parts_it_had_open(store: Path) -> None:
    keys = {"geo_level": "School", "area_code": "900001", "time_period": 202324,
            "time_identifier": "Academic year", "phase": "Total", "pupil_group": "All pupils",
            "measure": "overall_absence"}
    sql = "SELECT value FROM indicators WHERE " + " AND ".join(f"{k} = ?" for k in keys)
    import_file(WIDE, db=store)
    (replaced,) = _parts(store)
    reader = Store(store)
    try:
        assert reader.scalar(sql, list(keys.values())) == 4.8
        import_file(REVISED, db=store)  # replaces every row of the first load
        assert replaced not in _parts(store)
        assert reader.scalar(sql, list(keys.values())) == 5.1
    finally:
        reader.close()


def test_a_query_under_way_when_another_session_finds_a_new_version_goes_on(
        store: Path) -> None:
    """Sessions share the process's store: one that finds the store swapped opens the new
    version, and a query another session has under way on the old one (its cursor in hand, or
    its rows half read) still ends with the old version's figures."""
    import_file(WIDE, db=store)
    reader = Store(store)
    try:
        in_hand, reading = reader.cursor(), reader.cursor()
        reading.execute("SELECT value FROM indicators ORDER BY value")
        first = reading.fetchmany(10)
        import_file(LONG, db=store)
        assert reader.scalar("SELECT count(*) FROM indicators") == query(
            store, "SELECT count(*) FROM indicators")[0][0] > 90
        assert len(first + reading.fetchall()) == 90
        assert in_hand.execute("SELECT count(*) FROM indicators").fetchone() == (90,)
        in_hand.close()
        reading.close()
    finally:
        reader.close()


def test_a_first_import_into_no_store_makes_a_real_one(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    import_file(OWN / "ehcp_timeliness_2024.csv", db=db)
    assert dict(query(db, "SELECT key, value FROM store_meta"))["is_demo"] == "false"


# --- demo stores -------------------------------------------------------------------------------
@pytest.fixture()
def demo_store(tmp_path: Path) -> Path:
    """A stand-in for the synthetic demo: one fictional school, is_demo = true."""
    db = tmp_path / "demo.duckdb"
    with rebuilding(db, fresh=True) as con:
        source_id = add_source(con, kind="demo", file_name="synthetic", sha256="0", rows=1,
                               loaded_by="demo")
        con.execute("INSERT INTO establishments (urn, la_code, name, school_type, phase, status, "
                    "source_id) VALUES ('9910001', '353', 'Demo School', 'Community school', "
                    "'Primary', 'Open', $id)", {"id": source_id})
        con.execute("INSERT INTO store_meta VALUES ('is_demo', 'true')")
    return db


@pytest.mark.parametrize("path", [REGISTER, WIDE, OWN / "ehcp_timeliness_2024.csv"])
def test_a_demo_store_refuses_real_data(demo_store: Path, path: Path) -> None:
    before = sha256(demo_store)
    with pytest.raises(ImportFailed, match="holds the synthetic demo.*Start a fresh store"):
        import_file(path, db=demo_store)
    assert sha256(demo_store) == before


def test_a_register_starts_a_fresh_store_from_a_demo(demo_store: Path) -> None:
    preview = preview_import(REGISTER, db=demo_store)
    assert "starts a fresh store" in preview.warnings[0] and preview.replaces_rows == 0
    import_file(REGISTER, db=demo_store, start_fresh=True)
    assert {r[0] for r in query(demo_store, "SELECT urn FROM establishments")} == OPEN_OLDHAM_URNS
    assert dict(query(demo_store, "SELECT key, value FROM store_meta"))["is_demo"] == "false"
    assert query(demo_store, "SELECT kind FROM sources") == [("register",)]
    import_file(WIDE, db=demo_store)  # the other kinds follow into the real store


def test_only_a_register_starts_a_fresh_store(demo_store: Path) -> None:
    with pytest.raises(ImportFailed, match="a fresh store starts from the register"):
        import_file(WIDE, db=demo_store, start_fresh=True)


# --- command line ------------------------------------------------------------------------------
def test_cli_prints_a_summary_and_returns_0(store: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = import_cli(WIDE, store, user="officer")
    out, err = capsys.readouterr()
    assert code == 0
    assert "Loaded absence_school_wide_202324.csv (absence)" in out and "90 rows loaded" in out
    assert "2023/24 Academic year" in out and "999999" in out
    assert "100%" in err and "Done" in err
    assert query(store, "SELECT loaded_by FROM sources WHERE kind = 'absence'") == [("officer",)]
    assert import_cli(WIDE, store, user="officer") == 0
    assert "already loaded" in capsys.readouterr().out


def test_cli_prints_a_clear_error_and_returns_1(store: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code = import_cli(OWN / "bad_percent.csv", store)
    err = capsys.readouterr().err
    assert code == 1
    assert "error: bad_percent.csv: nothing was loaded" in err and "Traceback" not in err
    code = import_cli(WIDE, store, kind="sen")
    assert code == 1 and "looks like an absence file, not sen" in capsys.readouterr().err


def test_cli_start_fresh(demo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OEP_AUTH_FILE", str(tmp_path / "users.yaml"))  # a fresh start clears it
    assert import_cli(REGISTER, demo_store) == 1
    assert import_cli(REGISTER, demo_store, kind="register", fresh=True) == 0
    assert "10 open establishments" in capsys.readouterr().out


def test_unknown_schools_option_is_checked(store: Path) -> None:
    with pytest.raises(ValueError, match="unknown_schools"):
        import_file(WIDE, db=store, unknown_schools="maybe")



def test_a_single_phase_file_keeps_to_its_phase(store: Path) -> None:
    """The real PRU absence file has no phase column: declared as PRU figures it leaves the
    all-schools figures of the same periods alone; undeclared, the preview warns."""
    pru = DFE / "absence_2term_pru_la.csv"
    import_file(WIDE, db=store)
    before = _la_rows(store, "Total")
    preview = preview_import(pru, db=store)
    assert any("no phase column" in w for w in preview.warnings)
    import_file(pru, db=store, phase="Pupil referral unit")
    assert _la_rows(store, "Total") == before
    assert _la_rows(store, "Pupil referral unit")
    with pytest.raises(ImportFailed, match="phase must be one of"):
        import_file(pru, db=store, phase="Reception")


def _la_rows(store: Path, phase: str) -> list[tuple]:
    con = connect(store)
    try:
        return con.execute(
            "SELECT area_code, time_period, time_identifier, measure, value FROM indicators "
            "WHERE geo_level = 'Local authority' AND phase = ? ORDER BY ALL", [phase]).fetchall()
    finally:
        con.close()
