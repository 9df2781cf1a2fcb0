"""Importers refuse bad files with a message naming the file, the rows and the column, and say
what was expected; the store is left byte-for-byte as it was."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from oep.data.importers import (
    ImportFailed,
    detect_kind,
    import_file,
    preview_import,
    reading,
)
from tests.store.test_importers import DFE, OPEN_OLDHAM_URNS, OWN, sha256


def refused(path: Path, db: Path, **kwargs: object) -> str:
    """Import ``path``, expect a refusal that leaves ``db`` untouched; return the message."""
    before = sha256(db)
    with pytest.raises(ImportFailed) as caught:
        import_file(path, db=db, **kwargs)  # type: ignore[arg-type]
    assert sha256(db) == before
    assert not list(db.parent.glob(f"{db.name}.tmp*"))  # no half-built copy left behind
    return str(caught.value)


@pytest.mark.parametrize(("name", "expected"), [
    ("bad_percent.csv", ["column sess_overall_percent", "percentage between 0 and 100",
                         "row 3 ('104.5')", "row 4 ('-2')"]),
    ("bad_negative.csv", ["column enrolments", "count or rate of 0 or more", "row 2 ('-5')"]),
    ("bad_number.csv", ["column sess_overall_percent", "number or a published symbol",
                        "row 2 ('n/a')", "row 4 ('nan')", "column enrolments",
                        "row 3 ('1,234')"]),
    ("bad_duplicate.csv", ["one row per area, period, phase and pupil group", "rows 2 and 4",
                           "Local authority 353"]),
    ("bad_time_period.csv", ["column time_period", "6 digits", "row 3 ('2023/24')",
                             "row 4 ('202399')"]),
    ("bad_urn.csv", ["column school_urn", "a URN (digits only)", "row 2 ('1e+05')"]),
    ("bad_missing_column.csv", ["missing required column time_period", "an absence file"]),
    ("bad_undecodable.csv", ["undecodable text in row 3, column la_name", "0x81",
                             "CSV UTF-8"]),
])
def test_each_problem_is_named(store: Path, name: str, expected: list[str]) -> None:
    message = refused(OWN / name, store)
    assert message.startswith(f"{name}: ")
    for text in expected:
        assert text in message, (text, message)


def test_several_problems_are_reported_together(store: Path) -> None:
    message = refused(OWN / "bad_number.csv", store)
    assert "2 problems found" in message
    assert "nothing was loaded" in message


def test_thousands_of_bad_rows_give_the_first_five_and_the_total(store: Path,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "many_bad.csv"
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["time_period", "time_identifier", "geographic_level", "country_code",
                      "country_name", "old_la_code", "la_name", "sess_overall_percent"])
        for i in range(5000):
            out.writerow(["202324", "Academic year", "Local authority", "E92000001", "England",
                          str(1000 + i), f"LA {i}", "150"])
    message = refused(path, store)
    assert "5,000 rows" in message and "first 5 of 5,000 shown" in message
    assert "row 2 ('150')" in message and "row 6 ('150')" in message
    assert "row 7 " not in message
    assert len(message) < 600


def test_kind_given_wrongly_says_what_the_file_looks_like(store: Path) -> None:
    message = refused(DFE / "attendance_ytd_202526_la.csv", store, kind="absence")
    assert message == ("attendance_ytd_202526_la.csv: file looks like a year-to-date attendance "
                       "file, not absence.")
    message = refused(OWN / "absence_school_wide_202324.csv", store, kind="sen")
    assert "file looks like an absence file, not sen" in message


def test_unknown_kind_and_unrecognised_files(store: Path) -> None:
    assert "unknown kind 'grades'" in refused(OWN / "bad_percent.csv", store, kind="grades")
    with pytest.raises(ImportFailed, match="its header matches none of them. Columns found: "
                                           "Indicator, Description"):
        detect_kind(DFE / "attendance_tech_guidance_la.csv")


def test_missing_file(store: Path, tmp_path: Path) -> None:
    assert "file not found" in refused(tmp_path / "nowhere.csv", store)


def test_header_only_file(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("time_period,time_identifier,geographic_level,sess_overall_percent\n")
    assert "header but no data rows" in refused(path, store)


def test_calendar_year_file_needs_four_digits(store: Path, tmp_path: Path) -> None:
    text = (DFE / "sen2_mi_ehc_plans_la.csv").read_text().splitlines()
    path = tmp_path / "ehcp_academic.csv"
    path.write_text("\n".join([text[0], "202324" + text[1][4:], *text[2:4]]) + "\n")
    message = refused(path, store)
    assert "column time_period: expected 4 digits, a calendar year such as 2024" in message
    assert "row 2 ('202324')" in message


def test_partnership_problems(store: Path) -> None:
    message = refused(OWN / "partnership_bad.csv", store)
    for text in ["column record: expected a record kind", "row 7 ('memberz')",
                 "column mou_signed: expected yes or no; 1 row: row 2 ('maybe')",
                 "column mou_signed_on: expected a date", "row 3 ('31/31/2023')",
                 "column starts_on: expected a date", "row 6 ('soon')",
                 "column ends_on: expected an end on or after starts_on; 1 row: row 5",
                 "column supported_urn: expected a school other than the provider"]:
        assert text in message, (text, message)


def test_excel_problems_name_the_sheet(store: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Members"
    sheet.append(["urn", "mou_signed"])
    sheet.append([900001, "yes"])
    sheet.append([900002, "perhaps"])
    path = tmp_path / "register.xlsx"
    book.save(path)
    assert "sheet Members row 3 ('perhaps')" in refused(path, store)


def test_ofsted_problems(store: Path, tmp_path: Path) -> None:
    path = tmp_path / "ofsted.csv"
    path.write_text("urn,inspection_date,area,grade\n"
                    "900001,2024-01-15,Overall effectiveness,Brilliant\n"
                    "900001,someday,Quality of education,Good\n"
                    "900002,2024-02-01,Vibes,Good\n"
                    "900003,2025-12-01,Inclusion,Good\n")
    message = refused(path, store)
    for text in ["column grade: expected Outstanding, Good, Requires improvement, Inadequate or "
                 "1-4; 1 row: row 2 ('Brilliant')", "column inspection_date: expected a date",
                 "row 3 ('someday')", "column area: expected an Ofsted area", "row 4 ('Vibes')",
                 "column grade: expected Exceptional, Strong standard", "row 5 ('Good')"]:
        assert text in message, (text, message)


def test_register_problems(store: Path, tmp_path: Path) -> None:
    lines = (OWN / "gias_oldham.csv").read_bytes().split(b"\r\n")
    lines[1] = lines[1].replace(b'"900001"', b'"1e+05"').replace(b'"320"', b'"lots"')
    lines[3] = lines[3].replace(b'"900003"', b'"900002"')
    path = tmp_path / "gias.csv"
    path.write_bytes(b"\r\n".join(lines))
    message = refused(path, store)
    for text in ["column URN: expected a URN (digits only); 1 row: row 2 ('1e+05')",
                 "column NumberOfPupils: expected a whole number or blank; 1 row: row 2 ('lots')",
                 "rows 3 and 4 (URN 900002)"]:
        assert text in message, (text, message)


def test_preview_refuses_as_the_import_would(store: Path) -> None:
    with pytest.raises(ImportFailed, match="percentage between 0 and 100"):
        preview_import(OWN / "bad_percent.csv", db=store)


def test_rows_of_a_file_read_in_batches_keep_their_file_row(
        store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file read in several batches by several threads (a small read buffer stands in for a
    large file) names the rows a user sees: ``rows`` keeps the file's order only while the
    statement making it has no join (a list_contains DuckDB turned into one numbered them
    wrongly)."""
    monkeypatch.setattr(reading, "CSV_OPTIONS", reading.CSV_OPTIONS.replace(
        "buffer_size = 33554432", "buffer_size = 262144"))
    path = tmp_path / "absence_many_years.csv"
    terms = ("Autumn term", "Spring term", "Summer term", "Autumn and spring term",
             "Academic year")
    groups = ("Total", "SEN support", "EHC plan", "No SEN", "FSM eligible")
    bad = {5000: "abc", 9000: "n/a", 14000: "1,5"}
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["time_period", "time_identifier", "geographic_level", "old_la_code",
                      "school_urn", "school_name", "characteristic", "sess_overall_percent"])
        row = 2
        for year in range(1964, 2024):
            for urn in sorted(OPEN_OLDHAM_URNS):
                for term in terms:
                    for group in groups:
                        out.writerow([f"{year}{(year + 1) % 100:02d}", term, "School", "353",
                                      urn, f"School {urn}", group, bad.get(row, "5.5")])
                        row += 1
    assert row - 2 == 15000
    message = refused(path, store)
    assert "3 rows: row 5000 ('abc'), row 9000 ('n/a'), row 14000 ('1,5')" in message, message
