"""Importers, end to end: each kind of file into a real DuckDB store, read back with SQL.

Fixtures: tests/fixtures/dfe-samples (real DfE files) and tests/fixtures/importers (small files in
the same layouts, fictional schools of LA 353); see tests/fixtures/README.md. The shared helpers
and fixtures here are imported by the other test_importers_* modules.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb
import pytest

from oep.data.importers import ImportFailed, detect_kind, import_file, preview_import
from oep.data.schema import PUPIL_GROUPS, SYMBOLS
from oep.data.store import connect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OWN = FIXTURES / "importers"
DFE = FIXTURES / "dfe-samples"
REGISTER = OWN / "gias_oldham.csv"
OPEN_OLDHAM_URNS = {"900001", "900002", "900003", "900004", "900005", "900006", "900007",
                    "900008", "900011", "900012"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(db: Path, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    con = connect(db)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def value(db: Path, **keys: Any) -> tuple[Any, Any]:
    """(value, symbol) of the one indicator row matching ``keys``."""
    where = " AND ".join(f"{k} = ${k}" for k in keys)
    rows = query(db, f"SELECT value, symbol FROM indicators WHERE {where}", keys)
    assert len(rows) == 1, (keys, rows)
    return rows[0]


# --- register ----------------------------------------------------------------------------------
def test_register_keeps_the_open_establishments_of_the_la(registered_store: Path) -> None:
    db = registered_store
    urns = {r[0] for r in query(db, "SELECT urn FROM establishments")}
    assert urns == OPEN_OLDHAM_URNS  # closed 900009 and Rochdale's 900010 left out
    row = query(db, "SELECT laestab, la_code, name, school_type, phase, status, trust, pupils, "
                    "postcode, easting, northing FROM establishments WHERE urn = '900003'")[0]
    assert row == ("3534001", "353", "Fernhollow Academy", "Academy converter", "Secondary",
                   "Open", "Fernhollow Learning Trust (fictional)", 1100, "OL4 9ZC", 395000,
                   405100)
    # Windows-1252 text decoded: an accent and a curly apostrophe.
    assert query(db, "SELECT name FROM establishments WHERE urn = '900002'")[0][0] == \
        "St Bénédict’s RC Primary School"
    assert query(db, "SELECT phase, trust FROM establishments WHERE urn = '900004'")[0] == \
        ("Not applicable", None)
    assert query(db, "SELECT status FROM establishments WHERE urn = '900007'")[0][0] == \
        "Open, but proposed to close"


def test_register_brings_its_ofsted_judgements(registered_store: Path) -> None:
    rows = dict(query(registered_store, "SELECT urn, grade FROM ofsted_inspections"))
    assert rows["900005"] == "Inadequate"  # GIAS "Serious Weaknesses"
    assert rows["900002"] == "Outstanding"
    assert "900006" not in rows  # never inspected
    assert query(registered_store, "SELECT DISTINCT framework, area FROM ofsted_inspections") \
        == [("Graded", "Overall effectiveness")]
    assert query(registered_store, "SELECT inspection_date::VARCHAR FROM ofsted_inspections "
                                    "WHERE urn = '900001'") == [("2019-03-12",)]


@pytest.mark.parametrize(("name", "kind"), [
    ("gias_oldham.csv", "register"), ("absence_school_wide_202324.csv", "absence"),
    ("absence_long_202425.csv", "absence"), ("sen_school_long_202425.csv", "sen"),
    ("sen_la_202324.csv", "sen"), ("ehcp_timeliness_2024.csv", "ehcp"),
    ("suspensions_school_202324.csv", "suspensions"),
    ("suspensions_old_201819.csv", "suspensions"), ("ofsted_graded_wide.csv", "ofsted"),
    ("ofsted_report_cards.csv", "ofsted"), ("partnership_register.csv", "partnership"),
    ("partnership_register.xlsx", "partnership"),
])
def test_kind_is_detected_from_the_header(name: str, kind: str) -> None:
    assert detect_kind(OWN / name) == kind


def test_register_makes_a_real_store_and_records_the_load(registered_store: Path) -> None:
    meta = dict(query(registered_store, "SELECT key, value FROM store_meta"))
    assert meta["is_demo"] == "false" and meta["la_code"] == "353"
    preview = preview_import(REGISTER, db=registered_store)
    assert any("read as Windows-1252" in w for w in preview.warnings)
    assert query(registered_store, "SELECT kind, file_name, sha256, loaded_by, rows FROM sources") \
        == [("register", "gias_oldham.csv", sha256(REGISTER), "tests", 30)]  # 11 history rows


def test_real_gias_sample_loads_for_its_own_la(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    sample = DFE / "gias_edubasealldata_header_2rows.csv"
    with pytest.raises(ImportFailed, match="no open establishments of LA 353"):
        import_file(sample, db=tmp_path / "a.duckdb")
    settings = Path(__file__).resolve().parents[2] / "data" / "settings.toml"
    city = tmp_path / "settings.toml"
    city.write_text(settings.read_text().replace('la_code = "353"', 'la_code = "201"'))
    monkeypatch.setenv("OEP_SETTINGS", str(city))
    report = import_file(sample, db=tmp_path / "b.duckdb")
    assert report.rows_to_load == 5  # two schools, their history rows, one Ofsted judgement
    assert query(tmp_path / "b.duckdb", "SELECT urn, name FROM establishments ORDER BY urn") == \
        [("100000", "The Aldgate School"), ("100001", "City of London School for Girls")]


# --- absence -----------------------------------------------------------------------------------
WIDE = OWN / "absence_school_wide_202324.csv"


def test_absence_wide_layout_with_levels_terms_and_breakdown(store: Path) -> None:
    report = import_file(WIDE, db=store)
    assert report.kind == "absence"
    assert report.geo_levels == ["School", "Local authority", "Regional", "National"]
    assert report.periods == ["2023/24 Academic year", "2023/24 Autumn term"]
    year = {"time_period": 202324, "time_identifier": "Academic year"}
    assert value(store, geo_level="National", area_code="E92000001", phase="Total",
                 pupil_group="All pupils", measure="overall_absence", **year) == (7.1, None)
    assert value(store, geo_level="National", area_code="E92000001", phase="Primary",
                 pupil_group="All pupils", measure="persistent_absence", **year) == (15.0, None)
    assert value(store, geo_level="Regional", area_code="E12000002", phase="Total",
                 pupil_group="All pupils", measure="severe_absence", **year) == (2.6, None)
    assert value(store, geo_level="Local authority", area_code="353", phase="Total",
                 pupil_group="FSM eligible", measure="overall_absence", **year) == (10.5, None)
    assert value(store, geo_level="Local authority", area_code="353", phase="Total",
                 pupil_group="All pupils", measure="overall_absence",
                 time_period=202324, time_identifier="Autumn term") == (6.6, None)
    assert value(store, geo_level="School", area_code="900003", phase="Total",
                 pupil_group="All pupils", measure="enrolments",
                 time_period=202324, time_identifier="Autumn term") == (1095.0, None)
    # Every group read is one of the store's; 'Gender female' is skipped with a warning.
    groups = {r[0] for r in query(store, "SELECT DISTINCT pupil_group FROM indicators")}
    assert groups == set(PUPIL_GROUPS)
    assert any("'Gender female'" in w for w in report.warnings)
    names = dict(query(store, "SELECT DISTINCT area_code, area_name FROM indicators"))
    assert names["900002"] == "St Bénédict’s RC Primary School" and names["353"] == "Oldham"


def test_utf16_files_are_read(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "absence_utf16.csv"
    path.write_bytes(WIDE.read_bytes().decode("utf-8-sig").encode("utf-16"))
    report = import_file(path, db=store)
    assert report.rows_to_load == 90
    assert any("read as UTF-16" in w for w in report.warnings)


def test_absence_skips_unknown_and_other_la_schools(store: Path) -> None:
    report = import_file(WIDE, db=store)
    assert report.unknown_schools == ["999999"]
    assert any("1 school not in the register (999999)" in w for w in report.warnings)
    assert any("other local authorities" in w for w in report.warnings)
    schools = {r[0] for r in query(store, "SELECT DISTINCT area_code FROM indicators "
                                          "WHERE geo_level = 'School'")}
    assert schools == {"900001", "900002", "900003"}


def test_unknown_schools_can_be_loaded_on_request(store: Path) -> None:
    report = import_file(WIDE, db=store, unknown_schools="load")
    assert report.unknown_schools == ["999999"]
    assert value(store, geo_level="School", area_code="999999", measure="overall_absence",
                 pupil_group="All pupils", time_period=202324) == (5.0, None)
    assert query(store, "SELECT DISTINCT area_name FROM indicators WHERE area_code = '999999'") \
        == [("Unregistered School",)]


def test_every_published_symbol_is_kept_with_no_value(store: Path) -> None:
    import_file(WIDE, db=store)
    symbols = {r[0] for r in query(store, "SELECT DISTINCT symbol FROM indicators "
                                          "WHERE symbol IS NOT NULL")}
    assert symbols == set(SYMBOLS)
    assert query(store, "SELECT count(*) FROM indicators WHERE symbol IS NOT NULL "
                        "AND value IS NOT NULL") == [(0,)]
    school = {"geo_level": "School", "time_period": 202324, "time_identifier": "Academic year"}
    assert value(store, area_code="900002", pupil_group="All pupils", measure="overall_absence",
                 **school) == (None, "z")
    assert value(store, area_code="900001", pupil_group="SEN support",
                 measure="authorised_absence", **school) == (None, "low")
    # A blank cell is a missing figure without a symbol, never 0.
    assert value(store, area_code="900003", pupil_group="All pupils", measure="severe_absence",
                 **school) == (None, None)


def test_no_published_symbol_reads_as_a_number() -> None:
    # The import tells a symbol from a number by whether the cell casts (oep.data.importers.dfe).
    casts = duckdb.connect().execute("SELECT try_cast(unnest($s) AS DOUBLE)",
                                     {"s": [*SYMBOLS, *(s.upper() for s in SYMBOLS)]}).fetchall()
    assert casts == [(None,)] * 2 * len(SYMBOLS)


def test_absence_long_shape_2024_25(store: Path) -> None:
    report = import_file(OWN / "absence_long_202425.csv", db=store)
    assert report.periods == ["2024/25 Academic year"]
    keys = {"time_period": 202425, "time_identifier": "Academic year", "pupil_group": "All pupils"}
    la = {"geo_level": "Local authority", "area_code": "353", "phase": "Total", **keys}
    assert value(store, measure="enrolments", **la) == (38200.0, None)
    assert value(store, measure="persistent_absence", **la)[0] == pytest.approx(20.68, abs=0.01)
    assert value(store, measure="severe_absence", **la)[0] == pytest.approx(2.62, abs=0.01)
    # The wide column repeated on every absence type is read once, from 'Total pupils'.
    assert value(store, measure="overall_absence", **la) == (7.2, None)
    assert value(store, geo_level="School", area_code="900001", measure="severe_absence",
                 **keys) == (None, "c")
    assert value(store, geo_level="Local authority", area_code="353", phase="Primary",
                 measure="overall_absence", **keys) == (5.6, None)


# --- attendance --------------------------------------------------------------------------------
def test_attendance_year_to_date_files_of_both_years(store: Path) -> None:
    older = import_file(DFE / "attendance_ytd_202425_la.csv", db=store)
    newer = import_file(DFE / "attendance_ytd_202526_la.csv", db=store)
    assert older.periods == ["2024/25 Year to date"] and newer.periods == ["2025/26 Year to date"]
    ytd = {"time_identifier": "Year to date", "pupil_group": "All pupils", "phase": "Total"}
    oldham = value(store, geo_level="Local authority", area_code="353", time_period=202526,
                   measure="overall_absence", **ytd)
    england = value(store, geo_level="National", area_code="E92000001", time_period=202526,
                    measure="overall_absence", **ytd)
    assert round(oldham[0], 2) == 6.96 and round(england[0], 2) == 6.88
    assert round(value(store, geo_level="Local authority", area_code="353", time_period=202526,
                       measure="persistent_absence", **ytd)[0], 1) == 19.9
    assert value(store, geo_level="Local authority", area_code="353", time_period=202526,
                 measure="enrolments", **ytd) == (38401.0, None)
    # school_type (2024/25) and education_phase (2025/26) both give the phase.
    phases = query(store, "SELECT time_period, list(DISTINCT phase ORDER BY phase) FROM indicators "
                          "WHERE time_identifier = 'Year to date' GROUP BY 1 ORDER BY 1")
    assert phases == [(202425, ["Primary", "Secondary", "Special", "Total"]),
                      (202526, ["Primary", "Secondary", "Special", "Total"])]


# --- SEN ---------------------------------------------------------------------------------------
def test_sen_school_level_long_layout(store: Path) -> None:
    report = import_file(OWN / "sen_school_long_202425.csv", db=store)
    assert report.kind == "sen"
    needs = query(store, "SELECT sen_provision, primary_need, pupils, symbol FROM sen_needs "
                         "WHERE area_code = '900001' ORDER BY 1, 2")
    assert needs == [
        ("EHC plan", "Autistic Spectrum Disorder", None, "c"),
        ("SEN support", "Autistic Spectrum Disorder", 10.0, None),
        ("SEN support", "Social, Emotional and Mental Health", 12.0, None),
        ("SEN support", "Speech, Language and Communications needs", 18.0, None),
    ]
    # The LA's need rows come from its Total phase only (no duplicates from the primary rows).
    assert query(store, "SELECT count(*) FROM sen_needs WHERE area_code = '353'") == [(2,)]
    school = {"geo_level": "School", "area_code": "900001", "time_period": 202425}
    assert value(store, measure="pupils", **school) == (320.0, None)
    assert value(store, measure="sen_support_pct", **school) == (12.5, None)
    assert value(store, measure="ehc_plan", **school) == (None, "c")
    assert value(store, measure="ehc_plan_pct", **school) == (None, "c")  # suppressed stays so
    special = {"geo_level": "School", "area_code": "900004", "time_period": 202425}
    assert value(store, measure="ehc_plan_pct", **special)[0] == pytest.approx(98.571, abs=0.001)
    assert value(store, measure="sen_support_pct", **special) == (0.0, None)


def test_sen_la_level_layout(store: Path) -> None:
    report = import_file(OWN / "sen_la_202324.csv", db=store)
    assert len([w for w in report.warnings if "store keeps the totals" in w]) == 2
    la = {"geo_level": "Local authority", "area_code": "353", "time_period": 202324}
    assert value(store, measure="ehc_plan_pct", phase="Total", **la) == (5.0, None)
    assert value(store, measure="sen_support_pct", phase="Special", **la) == (None, "x")
    assert value(store, geo_level="National", area_code="E92000001", time_period=202324,
                 phase="Total", measure="pupils") == (9086000.0, None)


# --- EHC plans ---------------------------------------------------------------------------------
def test_ehcp_sen2_sample_layout(store: Path) -> None:
    report = import_file(DFE / "sen2_mi_ehc_plans_la.csv", db=store)
    assert report.kind == "ehcp"
    assert report.periods[0] == "2014 Calendar year" and report.periods[-1] == "2022 Calendar year"
    assert query(store, "SELECT DISTINCT time_identifier FROM indicators") == [("Calendar year",)]
    assert value(store, geo_level="Local authority", area_code="382", time_period=2014,
                 measure="ehcp_20wk_pct") == (85.7, None)
    assert value(store, geo_level="Local authority", area_code="384", time_period=2014,
                 measure="ehcp_20wk_pct") == (None, "z")


def test_ehcp_newer_layout_keeps_all_plans_rows(store: Path) -> None:
    report = import_file(OWN / "ehcp_timeliness_2024.csv", db=store)
    assert any("breakdown_topic" in w for w in report.warnings)
    nat = {"geo_level": "National", "area_code": "E92000001", "time_period": 2024}
    assert value(store, measure="ehcp_20wk_pct", **nat) == (46.4, None)
    assert value(store, measure="ehcp_20wk_pct_inc_exc", **nat) == (46.0, None)
    assert value(store, geo_level="Local authority", area_code="353", time_period=2024,
                 measure="ehcp_20wk_pct") == (None, "c")


# --- suspensions -------------------------------------------------------------------------------
def test_suspensions_current_names(store: Path) -> None:
    import_file(OWN / "suspensions_school_202324.csv", db=store)
    school = {"geo_level": "School", "area_code": "900003", "time_period": 202324}
    assert value(store, measure="suspensions", **school) == (310.0, None)
    assert value(store, measure="suspension_rate", **school) == (28.18, None)
    assert value(store, measure="pupils_suspended", **school) == (120.0, None)
    assert value(store, measure="perm_excl_rate", **school) == (0.36, None)
    assert value(store, geo_level="School", area_code="900001", time_period=202324,
                 measure="suspensions") == (None, "c")
    assert value(store, geo_level="Local authority", area_code="353", time_period=202324,
                 phase="Secondary", measure="suspension_rate") == (27.3, None)


def test_suspensions_pre_2021_names_and_laestab(store: Path) -> None:
    report = import_file(OWN / "suspensions_old_201819.csv", db=store)
    assert report.unknown_schools == ["3539999"]
    school = {"geo_level": "School", "area_code": "900003", "time_period": 201819}
    assert value(store, measure="suspensions", **school) == (250.0, None)  # fixed_excl
    assert value(store, measure="suspension_rate", **school) == (23.81, None)
    assert value(store, measure="pupils_suspended", **school) == (110.0, None)
    assert query(store, "SELECT DISTINCT area_name FROM indicators WHERE area_code = '900001'") \
        == [("Brookfold Primary School",)]  # the name comes from the register


# --- Ofsted ------------------------------------------------------------------------------------
def test_ofsted_graded_file_of_its_own(store: Path) -> None:
    report = import_file(OWN / "ofsted_graded_wide.csv", db=store)
    assert report.kind == "ofsted" and report.unknown_schools == ["999998"]
    rows = dict(query(store, "SELECT area, grade FROM ofsted_inspections WHERE urn = '900012' "
                             "AND inspection_date = DATE '2023-02-01'"))
    assert rows == {"Overall effectiveness": "Inadequate", "Quality of education": "Inadequate",
                    "Behaviour and attitudes": "Inadequate",
                    "Personal development": "Requires improvement",
                    "Leadership and management": "Inadequate", "Safeguarding": "Not met"}
    # The same inspection as the register's replaces it rather than doubling it.
    assert report.replaces_rows == 1
    assert query(store, "SELECT count(*) FROM ofsted_inspections WHERE urn = '900011' AND "
                        "area = 'Overall effectiveness' AND inspection_date > DATE '2024-01-01'") \
        == [(0,)]  # "NULL" means not judged


def test_ofsted_report_cards(store: Path) -> None:
    import_file(OWN / "ofsted_report_cards.csv", db=store)
    rows = query(store, "SELECT framework, area, grade FROM ofsted_inspections "
                        "WHERE urn = '900008' AND inspection_date = DATE '2025-12-01' ORDER BY 2")
    assert {r[0] for r in rows} == {"Report card"}
    assert ("Report card", "Safeguarding", "Met") in rows
    assert ("Report card", "Attendance and behaviour", "Needs attention") in rows


# --- partnership -------------------------------------------------------------------------------
def test_partnership_register_csv(store: Path) -> None:
    report = import_file(OWN / "partnership_register.csv", db=store)
    assert report.unknown_schools == ["999999"]
    assert query(store, "SELECT urn, mou_signed, mou_signed_on::VARCHAR, data_controller "
                        "FROM partnership_members ORDER BY urn") == [
        ("900001", True, "2023-09-01", "Ada Fictional"),
        ("900002", True, "2023-10-01", "Ben Madeup"),
        ("900003", False, None, None),
        ("900004", True, "2024-01-15", "Cleo Invented"),
    ]
    assert query(store, "SELECT provider_urn, supported_urn, starts_on::VARCHAR, "
                        "ends_on::VARCHAR, purpose FROM support_links ORDER BY 1") == [
        ("900001", "900012", "2025-01-06", None, "Leadership"),
        ("900002", "900003", "2024-09-01", "2025-08-31", "Attendance"),
    ]
    assert query(store, "SELECT * EXCLUDE (source_id) FROM strategic_partners") == [
        ("DIOCESE-FICT", "Diocese of Fictionshire (fictional)", "Diocese", "Eve Notreal")]
    assert query(store, "SELECT count(*) FROM schools WHERE mou_signed") == [(3,)]


def test_partnership_register_excel_replaces_the_csv(store: Path) -> None:
    import_file(OWN / "partnership_register.csv", db=store)
    report = import_file(OWN / "partnership_register.xlsx", db=store)
    assert report.replaces_rows == 7 and report.rows_to_load == 5
    assert any("Notes" in w for w in report.warnings)
    assert query(store, "SELECT urn, mou_signed, mou_signed_on::VARCHAR FROM partnership_members "
                        "ORDER BY urn") == [("900001", True, "2023-09-01"),
                                            ("900002", False, None), ("900008", True, "2024-03-04")]
    assert query(store, "SELECT provider_urn, supported_urn, starts_on::VARCHAR, ends_on "
                        "FROM support_links") == [("900001", "900002", "2025-09-01", None)]


# --- the real DfE samples ----------------------------------------------------------------------
@pytest.mark.parametrize(("name", "kind", "levels"), [
    ("absence_2term_pru_la.csv", "absence", ["Local authority", "Regional", "National"]),
    ("ees_test_absence_school_excerpt.csv", "absence", ["Local authority", "Regional",
                                                        "National"]),
    ("attendance_ytd_202425_la.csv", "attendance", ["Local authority", "Regional", "National"]),
    ("attendance_ytd_202526_la.csv", "attendance", ["Local authority", "Regional", "National"]),
    ("sen2_mi_ehc_plans_la.csv", "ehcp", ["Local authority", "Regional", "National"]),
])
def test_real_dfe_samples_load(store: Path, name: str, kind: str, levels: list[str]) -> None:
    path = DFE / name
    assert detect_kind(path) == kind
    preview = preview_import(path, db=store)
    report = import_file(path, db=store)
    assert report.kind == kind and report.geo_levels == levels
    assert report.rows_to_load == preview.rows_to_load > 0
    stored = query(store, "SELECT count(*) FROM indicators WHERE source_id = $id",
                   {"id": report.source_id})
    assert stored == [(report.rows_to_load,)]


def test_real_pru_sample_reads_z_as_a_symbol(store: Path) -> None:
    import_file(DFE / "absence_2term_pru_la.csv", db=store)
    assert value(store, geo_level="Local authority", area_code="353", time_period=201314,
                 measure="severe_absence") == (None, "z")
    assert query(store, "SELECT DISTINCT time_identifier FROM indicators") == \
        [("Autumn and spring term",)]


def test_real_school_level_sample_skips_what_the_store_does_not_hold(store: Path) -> None:
    report = import_file(DFE / "ees_test_absence_school_excerpt.csv", db=store)
    assert any("(Ward)" in w for w in report.warnings)
    assert any("other local authorities" in w for w in report.warnings)
    # The combined LA row is kept as published.
    assert query(store, "SELECT DISTINCT area_name FROM indicators WHERE area_code = '314 / 318'") \
        == [("Kingston upon Thames / Richmond upon Thames",)]


@pytest.mark.parametrize(("name", "message"), [
    ("cin_outcomes_sen_la.csv", "children in need"),
    ("ees_test_absence_school_major_auto.meta.csv", ".meta.csv companion file"),
    ("attendance_tech_guidance_la.csv", "not a kind of file this dashboard imports"),
])
def test_real_samples_that_are_not_loadable_data_say_why(store: Path, name: str,
                                                         message: str) -> None:
    before = sha256(store)
    with pytest.raises(ImportFailed, match=message):
        import_file(DFE / name, db=store)
    assert sha256(store) == before


def test_benchmark_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from oep.tools import import_bench

    import_bench.main(["--rows", "2000"])
    out = capsys.readouterr().out
    assert "absence file: 2,000 rows" in out
    assert "oep import_file" in out and "pandas.read_csv + DuckDB insert" in out
    assert "oep / pandas:" in out
