"""The synthetic demo store: deterministic, complete, realistic and obviously fictional."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pytest

from oep.data.schema import (
    GEO_LEVELS,
    JUDGEMENT_ASPECTS,
    JUDGEMENTS,
    MEASURES,
    OFSTED_GRADES,
    PRIMARY_NEEDS,
    PUPIL_GROUPS,
    REPORT_CARD_GRADES,
    REPORT_CARD_LATEST,
    SYMBOLS,
)
from oep.data.store import connect
from oep.tools.demo import build_demo_store
from oep.tools.demo.names import REAL_OLDHAM_NAMES

TABLES = ("store_meta", "sources", "establishments", "partnership_members", "support_links",
          "strategic_partners", "school_judgements", "ofsted_inspections", "indicators",
          "sen_needs")
DATA_TABLES = TABLES[2:]


def _open(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(path)
    yield con
    con.close()


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "oep.duckdb"
    build_demo_store(path)
    return path


@pytest.fixture(scope="module")
def con(demo_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    yield from _open(demo_path)


@pytest.fixture(scope="module")
def con300(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """A larger store, for statistical properties that 100 schools show only noisily."""
    path = tmp_path_factory.mktemp("demo300") / "oep.duckdb"
    build_demo_store(path, seed=7, schools=300, years=3)
    yield from _open(path)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    return con.execute(sql, params or []).fetchone()[0]


def table_contents(path: Path) -> dict[str, list[tuple]]:
    with connect(path) as c:
        return {t: c.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def published(con: duckdb.DuckDBPyConnection, measure: str, level: str, period: int,
              *, phase: str = "Total", group: str = "All pupils",
              term: str = "Academic year") -> float:
    return scalar(con, """
        SELECT value FROM indicators WHERE measure = ? AND geo_level = ? AND time_period = ?
        AND phase = ? AND pupil_group = ? AND time_identifier = ?""",
        [measure, level, period, phase, group, term])


# --- determinism ---------------------------------------------------------------------------------
def test_same_seed_gives_identical_tables(demo_path: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.duckdb"
    build_demo_store(again)
    first, second = table_contents(demo_path), table_contents(again)
    for table in TABLES:
        assert first[table] == second[table], table


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    build_demo_store(a, seed=1, schools=40, years=2)
    build_demo_store(b, seed=2, schools=40, years=2)
    first, second = table_contents(a), table_contents(b)
    for table in DATA_TABLES:
        assert first[table] != second[table], table


def test_store_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "oep.duckdb"
    build_demo_store(path, seed=1, schools=40, years=2)
    build_demo_store(path, seed=2, schools=30, years=1)
    with duckdb.connect(str(path), read_only=True) as c:
        assert c.execute("SELECT count(*) FROM establishments").fetchone()[0] == 30
        assert c.execute("SELECT value FROM store_meta WHERE key = 'seed'").fetchone()[0] == "2"


def test_progress_is_reported_from_start_to_finish(tmp_path: Path) -> None:
    seen: list[tuple[str, float]] = []
    build_demo_store(tmp_path / "p.duckdb", schools=30, years=1,
                     progress=lambda message, done: seen.append((message, done)))
    fractions = [f for _, f in seen]
    assert 3 <= len(seen) <= 20
    assert fractions[0] == 0.0 and fractions[-1] == 1.0
    assert fractions == sorted(fractions)


def test_too_few_schools_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        build_demo_store(tmp_path / "x.duckdb", schools=5)


# --- store facts and provenance -----------------------------------------------------------------
def test_store_meta(con: duckdb.DuckDBPyConnection) -> None:
    meta = dict(rows(con, "SELECT key, value FROM store_meta"))
    assert meta["is_demo"] == "true"
    assert meta["la_code"] == "353"
    assert (meta["seed"], meta["schools"], meta["years"]) == ("353", "100", "5")
    orgs = json.loads(meta["demo_orgs"])
    assert set(orgs) == {"head_member", "senco_member", "head_nonmember", "supporter",
                         "supported", "partner"}


def test_one_fixed_source_carried_by_every_row(con: duckdb.DuckDBPyConnection) -> None:
    (source_id, kind, row_count, loaded_at, loaded_by), = rows(
        con, "SELECT source_id, kind, rows, loaded_at, loaded_by FROM sources")
    assert (kind, loaded_by) == ("demo", "demo")
    assert loaded_at.date() == date(2026, 9, 1)
    total = 0
    for table in DATA_TABLES:
        total += scalar(con, f"SELECT count(*) FROM {table}")
        assert rows(con, f"SELECT DISTINCT source_id FROM {table}") == [(source_id,)], table
    assert row_count == total


def test_indicators_are_stored_in_zone_map_order(con: duckdb.DuckDBPyConnection) -> None:
    (part,), = rows(con, "SELECT part FROM store_parts")  # the demo is one load: one part
    keys = rows(con, "SELECT measure, geo_level, time_period, area_code "
                     f"FROM part_{part}.main.indicators ORDER BY rowid")
    assert keys == sorted(keys)


# --- the register --------------------------------------------------------------------------------
def test_oldham_mix_of_schools(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "SELECT count(*) FROM establishments") == 100
    by_phase = dict(rows(con, "SELECT phase, count(*) FROM establishments GROUP BY phase"))
    assert 75 <= by_phase["Primary"] <= 90
    assert 13 <= by_phase["Secondary"] <= 15
    assert by_phase["All-through"] >= 1 and by_phase["Nursery"] >= 1
    special = scalar(con, "SELECT count(*) FROM establishments WHERE school_type IN "
                          "('Community special school', 'Academy special converter')")
    assert 5 <= special <= 7
    assert 1 <= scalar(con, "SELECT count(*) FROM establishments "
                            "WHERE school_type = 'Pupil referral unit'") <= 2
    assert set(by_phase) <= {"Primary", "Secondary", "All-through", "Nursery", "Not applicable"}


def test_mix_scales_with_the_number_of_schools(con300: duckdb.DuckDBPyConnection) -> None:
    by_phase = dict(rows(con300, "SELECT phase, count(*) FROM establishments GROUP BY phase"))
    assert sum(by_phase.values()) == 300
    assert 225 <= by_phase["Primary"] <= 270
    assert 39 <= by_phase["Secondary"] <= 45


def test_names_and_codes_are_obviously_fictional(con: duckdb.DuckDBPyConnection) -> None:
    schools = rows(con, "SELECT urn, laestab, name, trust, postcode, easting, northing, la_code "
                        "FROM establishments")
    assert len({s[2] for s in schools}) == len(schools)
    for urn, laestab, name, trust, postcode, easting, northing, la_code in schools:
        assert re.fullmatch(r"99\d{5}", urn)
        assert re.fullmatch(r"353\d{4}", laestab)
        assert la_code == "353"
        assert not set(re.findall(r"[a-z]+", name.lower())) & REAL_OLDHAM_NAMES, name
        assert trust is None or "Demo" in trust
        assert postcode.startswith("OL")
        assert 392000 <= easting <= 397000 and 402000 <= northing <= 408000


def test_most_schools_have_signed_the_mou(con: duckdb.DuckDBPyConnection) -> None:
    members = rows(con, "SELECT mou_signed, mou_signed_on, data_controller "
                        "FROM partnership_members")
    assert len(members) == 100
    non_members = [m for m in members if not m[0]]
    assert 10 <= len(non_members) <= 15
    for signed, signed_on, controller in members:
        assert (signed_on is not None and controller is not None) == signed


def test_demo_orgs_have_the_properties_of_their_roles(con: duckdb.DuckDBPyConnection) -> None:
    orgs = json.loads(scalar(con, "SELECT value FROM store_meta WHERE key = 'demo_orgs'"))
    school = {urn: (phase, signed) for urn, phase, signed in
              rows(con, "SELECT urn, phase, mou_signed FROM schools")}
    for role in ("head_member", "senco_member"):
        assert school[orgs[role]] == ("Primary", True), role
    assert school[orgs["supporter"]][1]
    assert not school[orgs["head_nonmember"]][1]
    assert not school[orgs["supported"]][1]
    assert orgs["supported"] != orgs["head_nonmember"]
    today = date.today()
    active = scalar(con, """
        SELECT count(*) FROM support_links WHERE provider_urn = ? AND supported_urn = ?
        AND starts_on <= ? AND (ends_on IS NULL OR ends_on >= ?)""",
        [orgs["supporter"], orgs["supported"], today, today])
    assert active == 1
    assert scalar(con, "SELECT count(*) FROM strategic_partners WHERE org = ?",
                  [orgs["partner"]]) == 1
    # Nobody supports the non-member head's school: its data stays its own.
    assert scalar(con, "SELECT count(*) FROM support_links WHERE supported_urn = ?",
                  [orgs["head_nonmember"]]) == 0


def test_support_links_include_expired_and_member_links(con: duckdb.DuckDBPyConnection) -> None:
    links = rows(con, """
        SELECT p.mou_signed, s.mou_signed, l.starts_on, l.ends_on
        FROM support_links l JOIN schools p ON p.urn = l.provider_urn
        JOIN schools s ON s.urn = l.supported_urn""")
    assert all(provider for provider, *_ in links)
    expired = [l for l in links if not l[1] and l[3] is not None and l[3] < date(2025, 9, 1)]
    assert expired
    assert sum(1 for l in links if l[1]) >= 3
    assert all(l[3] is None or l[2] < l[3] for l in links)


# --- indicators: shape ---------------------------------------------------------------------------
def test_every_measure_at_every_level(con: duckdb.DuckDBPyConnection) -> None:
    levels = dict(rows(con, "SELECT measure, list(DISTINCT geo_level ORDER BY geo_level) "
                            "FROM indicators GROUP BY measure"))
    assert set(levels) == set(MEASURES)
    for measure, found in levels.items():
        expected = set(GEO_LEVELS) - ({"School"} if measure.startswith("ehcp_20wk") else set())
        assert set(found) == expected, measure


def test_attendance_years_terms_groups_and_phases(con: duckdb.DuckDBPyConnection) -> None:
    periods = [p for (p,) in rows(con, "SELECT DISTINCT time_period FROM indicators "
                                       "WHERE measure = 'overall_absence' ORDER BY 1")]
    assert periods == [202122, 202223, 202324, 202425, 202526]
    terms = {t for (t,) in rows(con, "SELECT DISTINCT time_identifier FROM indicators "
                                     "WHERE measure = 'overall_absence'")}
    assert terms == {"Autumn term", "Spring term", "Summer term", "Academic year"}
    for measure in ("overall_absence", "persistent_absence", "suspension_rate", "enrolments"):
        groups = {g for (g,) in rows(con, "SELECT DISTINCT pupil_group FROM indicators "
                                          "WHERE measure = ?", [measure])}
        assert groups == set(PUPIL_GROUPS), measure
    # Each school has every year x term x group once.
    assert scalar(con, """
        SELECT count(*) FROM indicators
        WHERE measure = 'overall_absence' AND geo_level = 'School'""") == 100 * 5 * 4 * 5
    phases = {p for (p,) in rows(con, "SELECT DISTINCT phase FROM indicators "
                                      "WHERE measure = 'overall_absence' "
                                      "AND geo_level <> 'School'")}
    assert phases == {"Total", "Primary", "Secondary", "Special"}
    assert rows(con, "SELECT DISTINCT phase FROM indicators WHERE geo_level = 'School'") == [
        ("Total",)]


def test_comparator_areas_are_named(con: duckdb.DuckDBPyConnection) -> None:
    areas = set(rows(con, "SELECT DISTINCT geo_level, area_code, area_name FROM indicators "
                          "WHERE geo_level <> 'School'"))
    assert areas == {("National", "E92000001", "England"), ("Regional", "E12000002", "North West"),
                     ("Statistical neighbours", "SN353", "Statistical neighbours"),
                     ("Local authority", "353", "Oldham")}
    assert scalar(con, "SELECT count(*) FROM indicators WHERE geo_level = 'School' "
                       "AND area_name IS NOT NULL") == 0


def test_ehc_plan_timeliness_by_calendar_year(con: duckdb.DuckDBPyConnection) -> None:
    found = rows(con, "SELECT DISTINCT time_period, time_identifier FROM indicators "
                      "WHERE measure LIKE 'ehcp_20wk%' ORDER BY 1")
    assert found == [(year, "Calendar year") for year in range(2021, 2026)]
    assert published(con, "ehcp_20wk_pct", "National", 2023, term="Calendar year") == 50.3
    assert published(con, "ehcp_20wk_pct", "National", 2024, term="Calendar year") == 46.4
    for level in ("National", "Local authority"):
        exc = published(con, "ehcp_20wk_pct", level, 2025, term="Calendar year")
        inc = published(con, "ehcp_20wk_pct_inc_exc", level, 2025, term="Calendar year")
        assert 0 <= inc <= exc <= 100


# --- indicators: realism -------------------------------------------------------------------------
def test_england_rows_follow_the_published_figures(con: duckdb.DuckDBPyConnection) -> None:
    expected = {
        ("overall_absence", 202223): 7.4, ("overall_absence", 202324): 7.1,
        ("persistent_absence", 202223): 22.3, ("persistent_absence", 202526): 18.8,
        ("ehc_plan_pct", 202223): 4.3, ("ehc_plan_pct", 202324): 4.8,
        ("ehc_plan_pct", 202425): 5.3, ("sen_support_pct", 202223): 13.0,
        ("sen_support_pct", 202324): 13.6, ("sen_support_pct", 202425): 14.2,
        ("suspension_rate", 202223): 9.33, ("suspension_rate", 202324): 11.31,
        ("perm_excl_rate", 202223): 0.11, ("perm_excl_rate", 202324): 0.13,
        ("progress", 202425): 0.0,
    }
    for (measure, period), value in expected.items():
        assert published(con, measure, "National", period) == pytest.approx(value), measure
    severe = published(con, "severe_absence", "National", 202324)
    assert 1.5 <= severe <= 2.5


def test_borough_figures_are_realistic_and_better_than_england(
        con: duckdb.DuckDBPyConnection) -> None:
    # A borough where most schools are Universal misses less school than England does.
    for period in (202122, 202223, 202324, 202425, 202526):
        overall = published(con, "overall_absence", "Local authority", period)
        assert 5 <= overall <= 9
        assert 15 <= published(con, "persistent_absence", "Local authority", period) <= 28
        gap = overall - published(con, "overall_absence", "National", period)
        assert -1.6 <= gap <= -0.3


def test_borough_figures_aggregate_every_school(con: duckdb.DuckDBPyConnection) -> None:
    pupils = scalar(con, "SELECT sum(value) FROM indicators WHERE geo_level = 'School' "
                         "AND measure = 'pupils' AND time_period = 202526")
    assert published(con, "pupils", "Local authority", 202526) == pupils
    assert scalar(con, "SELECT sum(pupils) FROM establishments") == pupils
    weighted = scalar(con, """
        WITH a AS (SELECT area_code, value FROM indicators WHERE geo_level = 'School'
                   AND measure = 'overall_absence' AND pupil_group = 'All pupils'
                   AND time_identifier = 'Academic year' AND time_period = 202425),
             e AS (SELECT area_code, value FROM indicators WHERE geo_level = 'School'
                   AND measure = 'enrolments' AND pupil_group = 'All pupils'
                   AND time_identifier = 'Academic year' AND time_period = 202425)
        SELECT sum(a.value * e.value) / sum(e.value) FROM a JOIN e USING (area_code)""")
    assert published(con, "overall_absence", "Local authority", 202425) == pytest.approx(
        weighted, abs=0.1)


def test_absence_patterns(con: duckdb.DuckDBPyConnection) -> None:
    la = "Local authority"
    for group in ("SEN support", "EHC plan", "FSM eligible"):
        assert (published(con, "overall_absence", la, 202425, group=group)
                > published(con, "overall_absence", la, 202425, group="No SEN") + 1)
    assert (published(con, "overall_absence", la, 202425, term="Summer term")
            > published(con, "overall_absence", la, 202425, term="Autumn term"))
    assert (published(con, "overall_absence", la, 202425, phase="Secondary")
            > published(con, "overall_absence", la, 202425, phase="Primary"))
    assert (published(con, "suspension_rate", la, 202425, phase="Secondary")
            > 3 * published(con, "suspension_rate", la, 202425, phase="Primary"))
    mismatched = scalar(con, """
        WITH r AS (PIVOT (SELECT geo_level, area_code, phase, time_period, time_identifier,
                                 pupil_group, measure, value FROM indicators
                          WHERE measure LIKE '%authorised_absence' OR measure = 'overall_absence')
                   ON measure USING first(value))
        SELECT count(*) FROM r
        WHERE abs(overall_absence - authorised_absence - unauthorised_absence) > 1e-9""")
    assert mismatched == 0


def test_special_schools_and_prus(con: duckdb.DuckDBPyConnection) -> None:
    ehc = rows(con, """
        SELECT i.value FROM indicators i JOIN establishments e ON e.urn = i.area_code
        WHERE i.measure = 'ehc_plan_pct' AND e.school_type LIKE '%special%'""")
    assert ehc and all(v > 80 for (v,) in ehc)
    pru = rows(con, """
        SELECT i.value FROM indicators i JOIN establishments e ON e.urn = i.area_code
        WHERE i.measure = 'overall_absence' AND i.pupil_group = 'All pupils'
        AND i.time_identifier = 'Academic year' AND e.school_type = 'Pupil referral unit'""")
    assert pru and all(v > 20 for (v,) in pru)
    assert published(con, "ehc_plan_pct", "Local authority", 202526, phase="Special") > 90


def test_pupil_groups_add_up(con: duckdb.DuckDBPyConnection) -> None:
    bad = scalar(con, """
        WITH g AS (PIVOT (SELECT area_code, time_period, time_identifier, pupil_group, value
                          FROM indicators WHERE measure = 'enrolments'
                          AND geo_level = 'Local authority' AND phase = 'Total')
                   ON pupil_group USING first(value))
        SELECT count(*) FROM g
        WHERE "SEN support" + "EHC plan" + "No SEN" <> "All pupils"
           OR "FSM eligible" > "All pupils" """)
    assert bad == 0
    mismatched = scalar(con, """
        WITH n AS (SELECT area_code, time_period, sen_provision, sum(pupils) AS pupils
                   FROM sen_needs WHERE geo_level = 'School' GROUP BY ALL),
             c AS (SELECT area_code, time_period,
                          CASE measure WHEN 'sen_support' THEN 'SEN support' ELSE 'EHC plan'
                          END AS sen_provision, value
                   FROM indicators WHERE geo_level = 'School'
                   AND measure IN ('sen_support', 'ehc_plan'))
        SELECT count(*) FROM c JOIN n USING (area_code, time_period, sen_provision)
        WHERE c.value <> n.pupils""")
    assert mismatched == 0
    needs = {n for (n,) in rows(con, "SELECT DISTINCT primary_need FROM sen_needs")}
    assert needs == set(PRIMARY_NEEDS)
    assert {lvl for (lvl,) in rows(con, "SELECT DISTINCT geo_level FROM sen_needs")} >= {
        "School", "Local authority", "National"}


def test_special_schools_needs_are_complex(con: duckdb.DuckDBPyConnection) -> None:
    shares = dict(rows(con, """
        SELECT n.primary_need, sum(n.pupils) / sum(sum(n.pupils)) OVER ()
        FROM sen_needs n JOIN establishments e ON e.urn = n.area_code
        WHERE e.school_type LIKE '%special%' GROUP BY n.primary_need"""))
    complex_needs = ("Autistic Spectrum Disorder", "Severe Learning Difficulty",
                     "Profound & Multiple Learning Difficulty",
                     "Social, Emotional and Mental Health")
    assert sum(shares[n] for n in complex_needs) > 0.6


def test_weaker_schools_miss_more_and_suspend_more(con300: duckdb.DuckDBPyConnection) -> None:
    data = np.array(rows(con300, """
        PIVOT (SELECT i.area_code, i.measure, i.value FROM indicators i
               JOIN establishments e ON e.urn = i.area_code
               WHERE i.geo_level = 'School' AND e.phase = 'Primary' AND i.time_period = 202526
               AND i.pupil_group = 'All pupils' AND i.time_identifier = 'Academic year'
               AND i.measure IN ('overall_absence', 'progress', 'suspension_rate'))
        ON measure IN ('overall_absence', 'progress', 'suspension_rate') USING first(value)
        ORDER BY area_code"""))[:, 1:].astype(float)
    absence, progress, suspensions = data.T
    assert np.corrcoef(absence, progress)[0, 1] < -0.2
    high = absence > np.median(absence)
    assert progress[high].mean() < progress[~high].mean()
    assert suspensions[high].mean() > suspensions[~high].mean()


def test_ofsted_grades_follow_strength(con300: duckdb.DuckDBPyConnection) -> None:
    absence = dict(rows(con300, """
        SELECT o.grade, avg(i.value) FROM latest_ofsted o JOIN indicators i ON i.area_code = o.urn
        JOIN establishments e ON e.urn = o.urn
        WHERE e.phase = 'Primary' AND i.measure = 'overall_absence' AND i.time_period = 202526
        AND i.pupil_group = 'All pupils' AND i.time_identifier = 'Academic year'
        GROUP BY o.grade"""))
    assert absence["Outstanding"] < absence["Good"] < absence["Requires improvement"]
    counts = dict(rows(con300, "SELECT grade, count(*) FROM latest_ofsted GROUP BY grade"))
    assert max(counts, key=counts.__getitem__) == "Good"
    assert 0.5 <= counts["Good"] / sum(counts.values()) <= 0.8


# --- symbols ----------------------------------------------------------------------------------
def test_symbols_stand_in_for_values(con: duckdb.DuckDBPyConnection) -> None:
    symbols = dict(rows(con, "SELECT symbol, count(*) FROM indicators "
                             "WHERE symbol IS NOT NULL GROUP BY symbol"))
    assert set(symbols) <= set(SYMBOLS)
    assert symbols.get("c", 0) > 0 and symbols.get("z", 0) > 0
    assert scalar(con, "SELECT count(*) FROM indicators WHERE symbol IS NOT NULL "
                       "AND value IS NOT NULL") == 0
    assert scalar(con, "SELECT count(*) FROM indicators WHERE symbol IS NULL "
                       "AND value IS NULL") == 0
    # Published (termly) files suppress groups of one or two pupils; the LA's own full-year
    # figures keep them, for the app to suppress for everyone but the LA.
    suppressed = rows(con, "SELECT DISTINCT geo_level, time_identifier FROM indicators "
                           "WHERE symbol = 'c'")
    assert {level for level, _ in suppressed} == {"School"}
    assert "Academic year" not in {term for _, term in suppressed}
    assert scalar(con, """
        SELECT count(*) FROM indicators WHERE measure = 'enrolments' AND geo_level = 'School'
        AND time_identifier = 'Academic year' AND value BETWEEN 1 AND 2""") > 0
    # Not applicable: nursery and special schools' outcomes.
    outcomes = rows(con, """
        SELECT DISTINCT e.phase, i.symbol FROM indicators i
        JOIN establishments e ON e.urn = i.area_code WHERE i.measure = 'progress'""")
    assert ("Nursery", "z") in outcomes and ("Not applicable", "z") in outcomes
    assert ("Primary", None) in outcomes


# --- inspections and judgements ------------------------------------------------------------------
def test_ofsted_inspections(con: duckdb.DuckDBPyConnection) -> None:
    latest = rows(con, "SELECT grade, framework, inspection_date FROM latest_ofsted")
    assert len(latest) >= 95
    # The latest inspection is graded (to November 2025) or a report card (no overall grade).
    graded = [(g, d) for g, f, d in latest if f == "Graded"]
    carded = [(g, d) for g, f, d in latest if f == "Report card"]
    assert len(graded) + len(carded) == len(latest) and carded
    assert all(g in OFSTED_GRADES and date(2015, 1, 1) <= d <= date(2025, 11, 9)
               for g, d in graded)
    assert all(g == REPORT_CARD_LATEST and d >= date(2025, 11, 10) for g, d in carded)
    cards = rows(con, "SELECT urn, area, grade, inspection_date FROM ofsted_inspections "
                      "WHERE framework = 'Report card'")
    assert len({urn for urn, *_ in cards}) >= 3
    assert all(d >= date(2025, 11, 10) for *_, d in cards)
    for _, area, grade, _ in cards:
        allowed = ("Met", "Not met") if area == "Safeguarding" else REPORT_CARD_GRADES
        assert grade in allowed, (area, grade)


def test_partnership_judgements(con: duckdb.DuckDBPyConnection) -> None:
    judged = rows(con, "SELECT urn, judged_on, aspect, judgement FROM school_judgements")
    assert {a for _, _, a, _ in judged} == set(JUDGEMENT_ASPECTS)
    assert {j for *_, j in judged} <= set(JUDGEMENTS)
    assert all(date(2025, 9, 1) <= d <= date(2026, 9, 1) for _, d, _, _ in judged)
    schools = {urn for urn, *_ in judged}
    assert 60 <= len(schools) < 100  # most, but not all, have evidence
