"""Figures true to the published files (issue 9): column roles, sub-populations, one vocabulary,
options as part of a load, symbols per publication, schools over time, row accounting. Real DfE
files and real-layout fixtures, loaded into real DuckDB stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest

from oep.data import queries
from oep.domain import attendance
from oep.present import display
from oep.data.importers import ImportFailed, import_file, preview_import
from oep.data.importers.reconcile import reconcile
from oep.data.store import Store
from oep.tools import cli
from tests.store.test_importers import DFE, OWN, WIDE, query, sha256, value
from tests.conftest import import_cli

EXCLUSIONS_201617 = OWN / "exclusions_school_201617.csv"
AGE4 = OWN / "absence_age4_school_202425.csv"
PRU = DFE / "absence_2term_pru_la.csv"
EXCERPT = DFE / "ees_test_absence_school_excerpt.csv"

def _reconcile_cli(path: Path, db: Path) -> int:
    """``python -m oep reconcile`` of ``path`` against ``db``; its exit status."""
    return cli.main(["reconcile", str(path), "--db", str(db)])


def test_academies_keep_their_rows(store: Path) -> None:
    """academy_type / academy_open_date describe the school: they never reduce rows."""
    report = import_file(EXCLUSIONS_201617, db=store)
    school = {"geo_level": "School", "time_period": 201617, "pupil_group": "All pupils"}
    assert value(store, area_code="900003", measure="suspensions", **school) == (48.0, None)
    assert value(store, area_code="900008", measure="suspensions", **school) == (None, "x")
    assert value(store, area_code="900001", measure="suspensions", **school) == (3.0, None)
    assert {r[0] for r in query(store, "SELECT DISTINCT area_code FROM indicators WHERE "
                                       "geo_level = 'School'")} == {"900001", "900003", "900005",
                                                                    "900008"}
    assert not any("academy_type" in w for w in report.warnings)
    # A published column the store does not hold is named, not dropped silently.
    assert any("not loaded: headcount, one_plus_fixed_rate" in w for w in report.warnings)


def test_one_spelling_for_a_phase(store: Path) -> None:
    """'Pupil Referral Unit' from a file and 'pupil referral unit' from --phase are one phase."""
    import_file(EXCLUSIONS_201617, db=store)
    import_file(PRU, db=store, phase="pupil referral unit")
    phases = {r[0] for r in query(store, "SELECT DISTINCT phase FROM indicators WHERE geo_level "
                                         "= 'Local authority'")}
    assert phases == {"Total", "Pupil referral unit"}
    assert value(store, geo_level="Local authority", area_code="353", time_period=201617,
                 phase="Pupil referral unit", measure="suspensions") == (95.0, None)


def test_a_sub_population_file_is_refused_without_its_group(store: Path) -> None:
    before = sha256(store)
    with pytest.raises(ImportFailed) as refused:
        import_file(AGE4, db=store)
    message = str(refused.value)
    assert message.startswith("absence_age4_school_202425.csv: its rows describe one group of "
                              "pupils, not all pupils")
    assert "--pupil-group 'Aged 4'" in message and ".meta.csv" in message
    assert sha256(store) == before


def test_a_sub_population_file_is_stored_under_its_group(store: Path) -> None:
    report = import_file(AGE4, db=store, pupil_group="aged 4")
    assert query(store, "SELECT DISTINCT pupil_group FROM indicators") == [("Aged 4",)]
    assert value(store, geo_level="School", area_code="900008", time_period=202425,
                 measure="overall_absence") == (7.2023, None)
    assert value(store, geo_level="School", area_code="900011", time_period=202425,
                 measure="overall_absence") == (None, "c")
    assert query(store, "SELECT options FROM sources WHERE source_id = $id",
                 {"id": report.source_id}) == [("pupil_group=Aged 4",)]


def test_a_sub_population_file_takes_its_group_from_its_meta_file(store: Path,
                                                                  tmp_path: Path) -> None:
    data = tmp_path / AGE4.name
    shutil.copyfile(AGE4, data)
    # A synthetic .meta.csv in the statistics service's layout.
    (tmp_path / "absence_age4_school_202425.meta.csv").write_text(
        "col_name,col_type,label,indicator_grouping,indicator_unit,indicator_dp,filter_hint,"
        "filter_grouping_column\n"
        "sess_overall_percent,Indicator,Overall absence rate for pupils aged 4,,%,5,,\n"
        "education_phase,Filter,School type,,,,,\n")
    report = import_file(data, db=store)
    assert any("stored as 'Aged 4'" in w for w in report.warnings)
    assert query(store, "SELECT DISTINCT pupil_group FROM indicators") == [("Aged 4",)]


def test_a_breakdown_without_a_total_becomes_pupil_groups(store: Path) -> None:
    """Rows by year group with no Total row are those year groups, never all pupils."""
    import_file(EXCERPT, db=store)
    groups = {r[0] for r in query(store, "SELECT DISTINCT pupil_group FROM indicators")}
    assert groups == {"Year 4"}
    assert value(store, geo_level="National", area_code="E92000001", phase="Total",
                 time_period=202021, measure="unauthorised_absence") == (10.0359, None)


def test_a_file_with_its_own_groups_refuses_a_pupil_group(store: Path) -> None:
    with pytest.raises(ImportFailed, match="has its own pupil groups"):
        import_file(WIDE, db=store, pupil_group="Aged 4")
    with pytest.raises(ImportFailed, match="not one the store knows"):
        import_file(AGE4, db=store, pupil_group="Tall pupils")


def test_the_same_file_with_other_options_replaces_its_load(store: Path) -> None:
    """The import's advice can be followed: re-importing with --phase replaces the load."""
    first = import_file(PRU, db=store)
    assert _la_phases(store) == {"Total"}
    preview = preview_import(PRU, db=store, phase="Pupil referral unit")
    assert any("replaces source" in w for w in preview.warnings)
    second = import_file(PRU, db=store, phase="Pupil referral unit")
    assert not second.skipped_as_duplicate
    assert second.replaces_rows == first.rows_to_load
    assert _la_phases(store) == {"Pupil referral unit"}
    assert query(store, "SELECT options FROM sources WHERE sha256 = $sha",
                 {"sha": sha256(PRU)}) == [("phase=Pupil referral unit",)]
    again = import_file(PRU, db=store, phase="Pupil Referral Unit")
    assert again.skipped_as_duplicate


def _la_phases(store: Path) -> set[str]:
    return {r[0] for r in query(store, "SELECT DISTINCT phase FROM indicators "
                                       "WHERE geo_level = 'Local authority'")}


def test_symbols_mean_what_their_publication_says(store: Path) -> None:
    """In the pre-2021 exclusions files x is a withheld count of 1 or 2 pupils; in today's
    files x is a figure not available. Each figure carries its own publication's meaning."""
    import_file(EXCLUSIONS_201617, db=store)
    import_file(OWN / "absence_school_wide_202324.csv", db=store)
    rows = queries.every_school_indicators(
        Store(store), ("suspensions", "unauthorised_absence"), suppress_below=None)
    meanings = {(r["urn"], r["measure"], r["pupil_group"]): (r["symbol"], r["symbol_meaning"])
                for r in rows.filter(pl.col("symbol") == "x").iter_rows(named=True)}
    assert meanings == {
        ("900008", "suspensions", "All pupils"): (
            "x", "suppressed: 1 or 2 pupils, or a percentage based on 1 or 2"),
        ("900001", "unauthorised_absence", "SEN support"): ("x", None),
    }
    assert display.symbol_legend(rows.filter(pl.col("symbol") == "x")) == (
        "x = not available; x = suppressed: 1 or 2 pupils, or a percentage based on 1 or 2")


@pytest.mark.parametrize(("content", "what"), [
    (b"\x1f\x8b\x08\x00" + bytes(range(256)), "a gzip archive"),
    (b"%PDF-1.7\n" + bytes(range(256)), "a PDF document"),
    (b"PK\x03\x04" + bytes(60), "a zip archive"),
    (bytes(range(256)) * 4, "binary data"),
])
def test_a_binary_file_gets_one_line(store: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str], content: bytes,
                                     what: str) -> None:
    path = tmp_path / "figures.csv"
    path.write_bytes(content)
    before = sha256(store)
    assert import_cli(path, store) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (f"error: figures.csv: not a CSV text file (it looks like {what}); "
                       "export the data as CSV and import that.")
    assert sha256(store) == before


# --- schools over time ---------------------------------------------------------------------------
HISTORY = OWN / "gias_oldham_history.csv"
LINKS = OWN / "gias_links_oldham.csv"
BY_LAESTAB = OWN / "suspensions_laestab_history.csv"


def _suspensions(db: Path) -> dict[tuple[str, int], float]:
    return {(urn, period): figure for urn, period, figure in query(
        db, "SELECT area_code, time_period, value FROM indicators WHERE geo_level = 'School' "
            "AND measure = 'suspensions'")}


def test_a_laestab_maps_to_the_school_that_held_it_then(tmp_path: Path) -> None:
    """Old Mill Primary School (closed 2015) and Old Mill Primary Academy share 3532004: the
    2013/14 figures stay with the old school, the 2016/17 ones go to the academy."""
    db = tmp_path / "oep.duckdb"
    register = import_file(HISTORY, db=db)
    assert any("1 closed ones kept as its history" in w for w in register.warnings)
    assert query(db, "SELECT urn, status, opened_on::VARCHAR, closed_on::VARCHAR FROM "
                     "register_history WHERE laestab = '3532004' ORDER BY urn") == [
        ("900009", "Closed", "1975-09-01", "2015-03-31"),
        ("900013", "Open", "2015-04-01", None)]
    report = import_file(BY_LAESTAB, db=db)
    assert _suspensions(db) == {("900009", 201314): 7.0, ("900013", 201617): 12.0,
                                ("900001", 201617): 3.0}
    assert query(db, "SELECT DISTINCT area_name FROM indicators WHERE area_code = '900009'") == \
        [("Old Mill Primary School",)]
    assert report.skipped == {}


def test_without_history_rows_stay_off_the_successor(tmp_path: Path) -> None:
    """A register listing only open schools: the academy opened in 2015, so 2013/14 is not its
    year; skipped with the reason, or kept under the predecessor the GIAS links name."""
    open_only = tmp_path / "open_only.csv"
    lines = HISTORY.read_bytes().split(b"\r\n")
    open_only.write_bytes(b"\r\n".join(line for line in lines if b'"900009"' not in line))
    db = tmp_path / "oep.duckdb"
    import_file(open_only, db=db)
    report = import_file(BY_LAESTAB, db=db)
    assert _suspensions(db) == {("900013", 201617): 12.0, ("900001", 201617): 3.0}
    assert report.skipped == {"held by an earlier school": 1}
    assert any("never to its successor" in w for w in report.warnings)
    assert report.accounting() == ("Rows of the file: 4 read, 3 kept, 1 skipped (1 for held by "
                                   "an earlier school).")

    links = import_file(LINKS, db=db)
    assert links.kind == "links" and links.rows_to_load == 2
    again = import_file(BY_LAESTAB, db=db)
    assert not again.skipped_as_duplicate
    assert again.skipped == {}
    assert _suspensions(db)[("900009", 201314)] == 7.0



# --- reconcile ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "options"), [
    ("absence_2term_pru_la.csv", {"phase": "Pupil referral unit"}),
    ("ees_test_absence_school_excerpt.csv", {}),
    ("attendance_ytd_202425_la.csv", {}),
    ("attendance_ytd_202526_la.csv", {}),
    ("sen2_mi_ehc_plans_la.csv", {}),
])
def test_every_real_sample_reconciles_fully(store: Path, name: str, options: dict[str, str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    report = import_file(DFE / name, db=store, **options)
    result = reconcile(DFE / name, db=store)
    assert result.ok, result.mismatches[:5]
    assert len(result.fates) == report.rows_read
    skipped = [fate for *_, fate in result.fates if fate != "loaded"]
    assert len(skipped) == sum(report.skipped.values())
    assert result.cells_checked == report.rows_to_load
    assert _reconcile_cli(DFE / name, store) == 0
    assert capsys.readouterr().out.strip().endswith(
        "Reconciled: every row accounted for, every cell equal to the store.")


def test_the_real_register_sample_reconciles(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Path(__file__).resolve().parents[2] / "data" / "settings.toml"
    city = tmp_path / "settings.toml"
    city.write_text(settings.read_text().replace('la_code = "353"', 'la_code = "201"'))
    monkeypatch.setenv("OEP_SETTINGS", str(city))
    sample = DFE / "gias_edubasealldata_header_2rows.csv"
    import_file(sample, db=tmp_path / "oep.duckdb")
    result = reconcile(sample, db=tmp_path / "oep.duckdb")
    assert result.ok and [fate for *_, fate in result.fates] == ["loaded", "loaded"]


@pytest.mark.parametrize(("name", "message"), [
    ("cin_outcomes_sen_la.csv", "children in need"),
    ("ees_test_absence_school_major_auto.meta.csv", ".meta.csv companion file"),
    ("attendance_tech_guidance_la.csv", "not a kind of file this dashboard imports"),
])
def test_samples_that_cannot_be_loaded_do_not_reconcile(store: Path, name: str,
                                                        message: str) -> None:
    with pytest.raises(ImportFailed, match=message):
        reconcile(DFE / name, db=store)


def test_reconcile_names_each_cell_the_store_does_not_hold(
        store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """After a corrected re-issue, the first issue no longer matches the store, cell by cell."""
    import_file(WIDE, db=store)
    import_file(OWN / "absence_school_wide_202324_revised.csv", db=store)
    assert _reconcile_cli(WIDE, store) == 1
    out = capsys.readouterr().out.splitlines()
    mismatches = [line for line in out if line.startswith("MISMATCH")]
    assert len(mismatches) == 2
    assert all(", column " in m and "the store has" in m for m in mismatches)
    assert out[-1] == "2 mismatches."
    with pytest.raises(ImportFailed, match="has not been loaded"):
        reconcile(AGE4, db=store)


# --- computed figures from counts --------------------------------------------------------------
def _with_sessions(schools: list[tuple[str, float | None, float, float | None, float | None]]
                   ) -> pl.DataFrame:
    """(urn, overall absence rate, enrolments, sessions missed, sessions possible) -> rows."""
    out = []
    for urn, rate, enrolled, missed, possible in schools:
        base = {"urn": urn, "phase": "Primary", "time_period": 202425,
                "time_identifier": "Academic year", "pupil_group": "All pupils", "symbol": None}
        for measure, figure in (("overall_absence", rate), ("enrolments", enrolled),
                                ("sessions_overall", missed), ("sessions_possible", possible)):
            if figure is not None or measure == "overall_absence":
                out.append({**base, "measure": measure, "value": figure})
    return pl.DataFrame(out)


def test_borough_rates_are_computed_from_session_counts() -> None:
    """One-decimal school rates weighted give 5.75%; their published sessions give 5.7239%."""
    rows = _with_sessions([("1", 5.8, 200.0, 7018.0, 121000.0),
                           ("2", 5.7, 200.0, 6600.0, 115800.0)])
    out = attendance.visible_mean(rows, ["time_period"])
    assert out["value"][0] == pytest.approx(100 * 13618 / 236800)
    assert out["method"][0] == attendance.FROM_SESSIONS
    weighted = attendance.visible_mean(rows.filter(pl.col("measure") != "sessions_possible"),
                                       ["time_period"])
    assert weighted["value"][0] == pytest.approx(5.75)
    assert weighted["method"][0] == attendance.WEIGHTED


def test_a_suppressed_school_adds_no_sessions() -> None:
    rows = _with_sessions([("1", 5.8, 200.0, 7018.0, 121000.0),
                           ("2", None, 4.0, 300.0, 2000.0)])
    out = attendance.visible_mean(rows, ["time_period"])
    assert out["value"][0] == pytest.approx(100 * 7018 / 121000)
    assert out["schools"][0] == 1


def test_the_page_note_says_how_a_computed_figure_was_made() -> None:
    rows = _with_sessions([("1", 5.8, 200.0, 7018.0, 121000.0)])
    published = pl.DataFrame(schema={"area": pl.String, "measure": pl.String,
                                     "phase": pl.String, "time_period": pl.Int64,
                                     "time_identifier": pl.String, "value": pl.Float64,
                                     "symbol": pl.String})
    register = pl.DataFrame({"phase": ["Primary"], "school_type": ["Community school"],
                             "schools": [40]})
    shaped = attendance.by_phase(published, rows, areas=(), measure="overall_absence",
                                 register=register)
    assert set(shaped["note"].to_list()) == {f"1 schools counted; {attendance.FROM_SESSIONS}"}


def test_session_counts_are_stored_as_published(store: Path) -> None:
    import_file(PRU, db=store, phase="Pupil referral unit")
    keys = {"geo_level": "Local authority", "area_code": "353", "time_period": 202223,
            "phase": "Pupil referral unit"}
    missed, _ = value(store, measure="sessions_overall", **keys)
    possible, _ = value(store, measure="sessions_possible", **keys)
    rate, _ = value(store, measure="overall_absence", **keys)
    assert missed is not None and possible
    assert round(100 * missed / possible, 1) == round(rate, 1)


@pytest.mark.parametrize("name", [
    "absence_school_wide_202324.csv", "absence_long_202425.csv", "sen_school_long_202425.csv",
    "sen_la_202324.csv", "ehcp_timeliness_2024.csv", "suspensions_school_202324.csv",
    "suspensions_old_201819.csv", "exclusions_school_201617.csv",
])
def test_every_layout_accounts_for_every_row(store: Path, name: str) -> None:
    """No row is lost without a reason: the long SEN layout's needs by phase and its No SEN rows
    are skipped with theirs."""
    report = import_file(OWN / name, db=store)
    result = reconcile(OWN / name, db=store)
    assert result.ok, result.mismatches[:5]
    assert len(result.fates) == report.rows_read and result.cells_checked > 0


def test_reconcile_refuses_kinds_it_does_not_cover(store: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import_file(OWN / "ofsted_graded_wide.csv", db=store)
    assert _reconcile_cli(OWN / "ofsted_graded_wide.csv", store) == 1
    assert capsys.readouterr().err.strip() == (
        "error: ofsted_graded_wide.csv: reconcile covers the register and the DfE statistics "
        "files (register, absence, attendance, sen, ehcp, suspensions); this is an Ofsted "
        "inspections file.")


def test_a_store_written_before_these_tables_still_previews_and_imports(store: Path) -> None:
    con = duckdb.connect(str(store))
    con.execute("DROP TABLE register_history; DROP TABLE establishment_links; "
                "ALTER TABLE sources DROP COLUMN options; "
                "ALTER TABLE sources DROP COLUMN symbol_meanings")
    con.close()
    preview = preview_import(EXCLUSIONS_201617, db=store)
    report = import_file(EXCLUSIONS_201617, db=store)
    assert preview.rows_to_load == report.rows_to_load > 0
    assert query(store, "SELECT count(*) FROM register_history") == [(0,)]
