"""The set-wise rules engine (``oep.domain.categories_rules.assess_frames``) gives exactly what the
per-school engine it replaced gave (``tests.rules_reference``): the same suggestions, reasons and
findings, character for character, on the demo store and on generated schools that sit at, just
above and just below every threshold, with missing years, symbols, report cards, no inspection and
per-phase levels.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oep.data import queries
from oep.domain.categories import RULES_VIEWER
from oep.domain.categories_rules import EVIDENCE_MEASURES, RuleSet, assess_frames, years_before
from oep.data.config import load_settings
from oep.data.schema import (
    ACADEMIC_YEAR,
    ALL_PUPILS,
    JUDGEMENT_ASPECTS,
    OFSTED_GRADES,
    OVERALL_EFFECTIVENESS,
    REPORT_CARD_GRADES,
)
from oep.data.store import Store
from tests.conftest import DemoEnv
from tests.rules_reference import assess_per_school

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "data" / "settings.toml"
RULES = RuleSet.from_settings(load_settings(SETTINGS_FILE))
T = RULES.default
# Every level different for some phases, "" standing for a school with no phase.
OTHER_RULES = RuleSet(
    replace(T, attendance_years=2, progress_years=4),
    (
        ("", replace(T, attendance_years=2, progress_years=4, good_overall_absence=5.5,
                     near_margin=0.05)),
        ("Secondary", replace(T, attendance_years=2, progress_years=4, good_overall_absence=7.25,
                              inadequate_overall_absence=10.0, good_persistent_absence=20.0,
                              inadequate_persistent_absence=30.0, above_national=0.1,
                              coasting_progress=-0.3, floor_progress=-0.6, near_margin=0.15,
                              likely_to_stay_years=2.5, current_years=3)),
    ),
)
ON = date(2026, 9, 1)
LEAP_DAY = date(2028, 2, 29)


def assert_same(frames: tuple[pl.DataFrame, ...], rules: RuleSet, on: date) -> None:
    expected_suggested, expected_findings = assess_per_school(*frames, rules, on)
    suggested, findings = assess_frames(*frames, rules, on)
    assert_frame_equal(suggested, expected_suggested)
    assert_frame_equal(findings, expected_findings)
    suggested, reasons = assess_frames(*frames, rules, on, every_check=False)
    assert_frame_equal(suggested, expected_suggested)
    assert_frame_equal(reasons, expected_findings.filter(pl.col("explains")))


# --- the demo store ------------------------------------------------------------------------------

def store_frames(path: Path) -> tuple[pl.DataFrame, ...]:
    """The four evidence frames as ``oep.domain.categories._assessed`` reads them."""
    store = Store(path)
    everyone = queries.scope_for(store, RULES_VIEWER, load_settings())
    schools = queries.visible_schools(store, everyone).select("urn", "name", "phase")
    indicators = queries.school_indicators(
        store, everyone, EVIDENCE_MEASURES, time_identifiers=(ACADEMIC_YEAR,),
        pupil_groups=(ALL_PUPILS,))
    inspections = store.frame(
        "SELECT urn, inspection_date, framework, area, grade FROM ofsted_inspections")
    judgements = store.frame("SELECT urn, judged_on, aspect, judgement FROM school_judgements")
    return schools, inspections, indicators, judgements


@pytest.mark.parametrize("rules", [RULES, OTHER_RULES], ids=["settings", "other"])
@pytest.mark.parametrize("on", [date(2026, 11, 29), date(2023, 1, 31), LEAP_DAY])
def test_the_demo_store_is_assessed_as_before(demo_files: DemoEnv, rules: RuleSet,
                                              on: date) -> None:
    frames = store_frames(demo_files.store)
    assert frames[0].height > 50 and frames[2].height > 1000  # the demo, not an empty store
    assert_same(frames, rules, on)


# --- generated schools ---------------------------------------------------------------------------

YEARS = [y * 100 + (y + 1) % 100 for y in range(2019, 2026)]  # 201920 .. 202526
PHASES = ["Primary", "Secondary", "Not applicable", None, "", "Nursery"]
SYMBOLS = ["c", "x", "z", "", None]
FRAMEWORKS = ["Graded", "Report card", "Short"]
AREAS = ["Inclusion", "Achievement", "Leadership and governance", "Safeguarding",
         "Personal development"]
CARD_GRADES = [*REPORT_CARD_GRADES, "Met", "Not met", "Not judged"]
JUDGEMENTS = ["Effective", "Some concerns", "Not effective", "Under review"]


def _levels(rules: RuleSet) -> dict[str, list[float]]:
    """Figures at, a hair and a step either side of every level of every phase."""
    sets = [rules.default, *(t for _, t in rules.phases)]
    absence = [x for t in sets for x in (t.good_overall_absence, t.inadequate_overall_absence,
                                         t.good_persistent_absence,
                                         t.inadequate_persistent_absence)]
    progress = [x for t in sets for x in (t.above_national, t.coasting_progress,
                                          t.coasting_progress + t.near_margin, t.floor_progress,
                                          t.floor_progress + t.near_margin)]
    return {
        "absence": [round(x + d, 10) for x in absence for d in (-0.01, -1e-10, 0, 1e-10, 0.01)]
        + [x + 1e-12 for x in absence] + [0.05, 0.25, 0.35, 2.675, 99.95, 0.0],
        "progress": [round(x + d, 10) for x in progress for d in (-0.01, -1e-10, 0, 1e-10, 0.01)]
        + progress + [-0.0, 0.005, -0.005, 0.015, 1.125, -2.345, float("nan")],
    }


GOOD_FIGURES = {"overall_absence": [3.5, 5.9, T.good_overall_absence],
                "persistent_absence": [8.0, 16.9, T.good_persistent_absence],
                "progress": [0.01, 0.25, 1.0]}


def _value(rng: random.Random, measure: str, levels: dict[str, list[float]],
           good: bool = False) -> float:
    if good:
        return rng.choice(GOOD_FIGURES[measure])
    pool = levels["progress" if measure == "progress" else "absence"]
    if rng.random() < 0.6:
        return rng.choice(pool)
    return rng.uniform(-1.5, 1.5) if measure == "progress" else rng.uniform(0, 45)


def _visit(rng: random.Random, urn: str, day: date) -> list[dict[str, object]]:
    framework = rng.choice(FRAMEWORKS)
    rows = []
    if framework != "Report card" or rng.random() < 0.1:
        for _ in range(rng.choice([1, 1, 1, 2])):
            rows.append((OVERALL_EFFECTIVENESS, rng.choice([*OFSTED_GRADES, "Not judged"])))
    if framework == "Report card" or rng.random() < 0.3:
        rows += [(area, rng.choice(CARD_GRADES + list(OFSTED_GRADES)))
                 for area in rng.sample(AREAS, rng.randint(1, 4))]
    rng.shuffle(rows)
    return [{"urn": urn, "inspection_date": day, "framework": framework, "area": a, "grade": g}
            for a, g in rows]


def generated(seed: int, count: int, rules: RuleSet, on: date) -> tuple[pl.DataFrame, ...]:
    """``count`` schools drawn from edge cases (fixed seed), as the store shapes them."""
    rng = random.Random(seed)
    levels = _levels(rules)
    windows = [years_before(on, y) for _, t in [("", rules.default), *rules.phases]
               for y in (t.likely_to_stay_years, t.current_years)]
    days = [d + timedelta(days=k) for d in windows for k in (-1, 0, 1)]
    schools, inspections, indicators, judgements = [], [], [], []
    for i in range(count):
        urn = str(990000 + i)
        schools.append({"urn": urn, "name": f"School {i}", "phase": rng.choice(PHASES)})
        if rng.random() < 0.25:  # a school meeting, or nearly meeting, every Universal condition
            inspections.append({"urn": urn, "inspection_date": on - timedelta(days=400),
                                "framework": "Graded", "area": OVERALL_EFFECTIVENESS,
                                "grade": "Good"})
            judgements += [{"urn": urn, "judged_on": on - timedelta(days=10), "aspect": a,
                            "judgement": "Effective"} for a in JUDGEMENT_ASPECTS]
            indicators += [{"urn": urn, "time_period": y, "measure": m,
                            "time_identifier": ACADEMIC_YEAR, "pupil_group": ALL_PUPILS,
                            "value": _value(rng, m, levels, good=True), "symbol": None}
                           for m in EVIDENCE_MEASURES for y in YEARS]
            continue
        visit_days = sorted(rng.sample(days, 2) + [date(2015, 1, 1) + timedelta(days=rng.randint(
            0, 4500)) for _ in range(2)])[: rng.choice([0, 1, 1, 2, 2, 3])]
        if visit_days and rng.random() < 0.15:
            visit_days.append(visit_days[-1])  # two frameworks on one day
        for day in visit_days:
            inspections += _visit(rng, urn, day)
        for aspect in [*JUDGEMENT_ASPECTS, "Behaviour"]:
            for k in rng.sample(range(1, 40), rng.choice([0, 1, 1, 2])):
                judgements.append({"urn": urn, "judged_on": date(2023, 1, 1) + timedelta(
                    days=30 * k), "aspect": aspect, "judgement": rng.choice(JUDGEMENTS)})
        for measure in EVIDENCE_MEASURES:
            if rng.random() < 0.05:
                continue  # no figures at all for this measure
            for year in YEARS:
                draw = rng.random()
                if draw < 0.12:
                    continue  # no row for the year
                value = None if draw < 0.3 else _value(rng, measure, levels)
                symbol = rng.choice(SYMBOLS) if value is None else None
                copies = 2 if rng.random() < 0.03 else 1  # a repeated row: the last one counts
                for _ in range(copies):
                    indicators.append({"urn": urn, "time_period": year, "measure": measure,
                                       "time_identifier": ACADEMIC_YEAR,
                                       "pupil_group": ALL_PUPILS, "value": value,
                                       "symbol": symbol})
                    value = None if rng.random() < 0.5 else _value(rng, measure, levels)
                    symbol = rng.choice(SYMBOLS) if value is None else None
    # Rows the rules do not read: a term, another pupil group (both in a later year).
    indicators += [{"urn": "990000", "time_period": 202627, "measure": m, "time_identifier": ti,
                    "pupil_group": pg, "value": 1.0, "symbol": None}
                   for m in EVIDENCE_MEASURES
                   for ti, pg in (("Autumn term", ALL_PUPILS), (ACADEMIC_YEAR, "SEN support"))]
    return as_frames(schools, inspections, indicators, judgements)


def as_frames(schools: list[dict[str, object]], inspections: list[dict[str, object]],
              indicators: list[dict[str, object]],
              judgements: list[dict[str, object]]) -> tuple[pl.DataFrame, ...]:
    return (
        pl.DataFrame(schools, schema={"urn": pl.String, "name": pl.String, "phase": pl.String}),
        pl.DataFrame(inspections, schema={"urn": pl.String, "inspection_date": pl.Date,
                                          "framework": pl.String, "area": pl.String,
                                          "grade": pl.String}),
        pl.DataFrame(indicators, schema={"urn": pl.String, "time_period": pl.Int32,
                                         "time_identifier": pl.String, "pupil_group": pl.String,
                                         "measure": pl.String, "value": pl.Float64,
                                         "symbol": pl.String}),
        pl.DataFrame(judgements, schema={"urn": pl.String, "judged_on": pl.Date,
                                         "aspect": pl.String, "judgement": pl.String}),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("rules, on", [(RULES, ON), (OTHER_RULES, LEAP_DAY)],
                         ids=["settings", "other"])
def test_generated_schools_are_assessed_as_before(seed: int, rules: RuleSet, on: date) -> None:
    frames = generated(seed, 400, rules, on)
    suggested, _ = assess_per_school(*frames, rules, on)
    # The draw reaches every category.
    assert set(suggested["suggested_category"]) == {"Universal", "Targeted", "Intensive"}
    assert_same(frames, rules, on)


def test_a_store_with_no_evidence_is_assessed_as_before() -> None:
    schools = [{"urn": "1", "name": "A", "phase": "Primary"},
               {"urn": "2", "name": "B", "phase": None}]
    assert_same(as_frames(schools, [], [], []), RULES, ON)


def test_a_measure_with_no_figures_for_any_school_is_assessed_as_before() -> None:
    frames = generated(4, 60, RULES, ON)
    no_progress = frames[2].filter(pl.col("measure") != "progress")
    assert_same((frames[0], frames[1], no_progress, frames[3]), RULES, ON)


def test_no_schools_is_assessed_as_before() -> None:
    frames = generated(5, 20, RULES, ON)
    assert_same((frames[0].clear(), *frames[1:]), RULES, ON)


@pytest.mark.parametrize("rules", [RULES, OTHER_RULES], ids=["settings", "other"])
@pytest.mark.parametrize("suppress_below", [None, 10])
def test_reading_only_the_years_the_rules_use_changes_nothing(
        demo_files: DemoEnv, rules: RuleSet, suppress_below: int | None) -> None:
    """The rules read each measure's latest few years; the store is asked for just those."""
    store = Store(demo_files.store)
    schools, inspections, _, judgements = store_frames(demo_files.store)

    def read(latest_years: int | None) -> pl.DataFrame:
        return queries.every_school_indicators(
            store, EVIDENCE_MEASURES, suppress_below=suppress_below,
            time_identifiers=(ACADEMIC_YEAR,), pupil_groups=(ALL_PUPILS,),
            latest_years=latest_years)

    everything, recent = read(None), read(rules.years_read)
    assert recent.height < everything.height  # the demo holds more years than the rules read
    expected = assess_frames(schools, inspections, everything, judgements, rules, ON)
    got = assess_frames(schools, inspections, recent, judgements, rules, ON)
    assert_frame_equal(got[0], expected[0])
    assert_frame_equal(got[1], expected[1])


def test_one_schools_checks_are_its_rows_of_the_whole_assessment(demo_files: DemoEnv) -> None:
    """Every check of one school is worked out on demand from its own evidence alone: the same
    rows as the assessment of every school gives it (one school of each suggested category and
    a spread of others)."""
    from oep.domain import categories

    store = Store(demo_files.store)
    officer = queries.scope_for(store, RULES_VIEWER, load_settings())
    settings = load_settings(SETTINGS_FILE)
    everyone = categories.reasons(store, officer, settings, every_check=True, on=ON)
    suggested = categories.suggestions(store, officer, settings, on=ON)
    sample = {*suggested.unique("suggested_category", keep="first")["urn"],
              *sorted(officer.urns)[::15]}
    for urn in sorted(sample):
        one = categories.reasons(store, officer, settings, urn, every_check=True, on=ON)
        assert one.height > 0
        assert_frame_equal(one, everyone.filter(pl.col("urn") == urn))
