"""The support-category rules (docs/product.md#support-categories) on hand-made frames: every
condition of every category
at, just above and just below its threshold, missing evidence, precedence, and thresholds read from
the settings file.

Each test starts from one school that meets every Universal condition and changes one thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from oep.domain.categories_rules import (
    I_ATTENDANCE,
    I_FLOOR,
    I_LEADERSHIP,
    I_LINKS,
    I_OFSTED,
    I_PROGRESS,
    I_TEACHING,
    INTENSIVE,
    LEADERSHIP,
    OUTWARD_LINKS,
    SELF_EVALUATION,
    T_ATTENDANCE,
    T_COASTING,
    T_FRAGILITY,
    T_OFSTED,
    T_PROGRESS,
    TARGETED,
    TEACHING,
    U_ATTENDANCE,
    U_LEADERSHIP,
    U_LINKS,
    U_OFSTED,
    U_PROGRESS,
    U_SECURELY_GOOD,
    UNIVERSAL,
    RuleSet,
    Thresholds,
    assess_frames,
    latest_held,
    year_window,
    years_before,
)
from oep.data.config import load_settings
from oep.data.schema import ACADEMIC_YEAR, ALL_PUPILS, JUDGEMENT_ASPECTS, OVERALL_EFFECTIVENESS

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "data" / "settings.toml"
ON = date(2026, 9, 1)
YEARS = (202324, 202425, 202526)
RULES = RuleSet.from_settings(load_settings(SETTINGS_FILE))
T = RULES.default


@dataclass(frozen=True)
class School:
    """One school's evidence; the defaults meet every Universal condition."""

    phase: str = "Primary"
    inspections: tuple[tuple[date, str, str, str], ...] = (
        (date(2024, 1, 10), "Graded", OVERALL_EFFECTIVENESS, "Good"),
    )
    judgements: dict[str, str] = field(
        default_factory=lambda: dict.fromkeys(JUDGEMENT_ASPECTS, "Effective"))
    overall_absence: tuple[float | None, ...] = (5.0, 5.0, 5.0)
    persistent_absence: tuple[float | None, ...] = (10.0, 10.0, 10.0)
    progress: tuple[float | None, ...] = (0.3, 0.3, 0.3)
    symbols: dict[tuple[str, int], str] = field(default_factory=dict)


GOOD = School()


def frames(schools: dict[str, School]) -> tuple[pl.DataFrame, ...]:
    """The four evidence frames, shaped as the store gives them."""
    names = pl.DataFrame({"urn": list(schools), "name": [f"School {u}" for u in schools],
                          "phase": [s.phase for s in schools.values()]})
    inspections = pl.DataFrame(
        [{"urn": u, "inspection_date": d, "framework": f, "area": a, "grade": g}
         for u, s in schools.items() for d, f, a, g in s.inspections],
        schema={"urn": pl.String, "inspection_date": pl.Date, "framework": pl.String,
                "area": pl.String, "grade": pl.String},
    )
    rows = []
    for u, s in schools.items():
        for measure in ("overall_absence", "persistent_absence", "progress"):
            for year, value in zip(YEARS, getattr(s, measure)):
                symbol = s.symbols.get((measure, year))
                if value is None and symbol is None:
                    continue  # no row at all
                rows.append({"urn": u, "time_period": year, "time_identifier": ACADEMIC_YEAR,
                             "pupil_group": ALL_PUPILS, "measure": measure, "value": value,
                             "symbol": symbol})
    indicators = pl.DataFrame(rows, schema={
        "urn": pl.String, "time_period": pl.Int32, "time_identifier": pl.String,
        "pupil_group": pl.String, "measure": pl.String, "value": pl.Float64,
        "symbol": pl.String})
    judgements = pl.DataFrame(
        [{"urn": u, "judged_on": date(2026, 3, 1), "aspect": a, "judgement": j}
         for u, s in schools.items() for a, j in s.judgements.items()],
        schema={"urn": pl.String, "judged_on": pl.Date, "aspect": pl.String,
                "judgement": pl.String},
    )
    return names, inspections, indicators, judgements


@dataclass(frozen=True)
class Result:
    category: str
    findings: pl.DataFrame
    reasons: list[str]

    def outcome(self, rule: str) -> set[str]:
        """The outcomes of every finding of ``rule``."""
        return set(self.findings.filter(pl.col("rule") == rule)["outcome"].to_list())

    def applies(self, rule: str) -> bool:
        return "applies" in self.outcome(rule) or "met" in self.outcome(rule)


_RESULTS: dict[tuple[str, RuleSet, date], Result] = {}


def assess(schools: list[School], rules: RuleSet = RULES, on: date = ON) -> None:
    """Assess ``schools`` in one call beside a complete school (so the store holds every year of
    ``YEARS``, as a real store would), and keep each one's result for ``suggest``.

    A school's findings depend on its own evidence and the window of years only (the complete
    school's, for every case; the store tier holds the engine to a reference that assesses one
    school at a time), and a call costs tens of milliseconds however few the schools: so the
    module's cases are assessed together (``cases``).
    """
    numbered = {str(k): school for k, school in
                enumerate({repr(school): school for school in schools}.values(), start=1)}
    suggested, findings = assess_frames(*frames({"0": GOOD, **numbered}), rules, on)
    by_urn = findings.partition_by("urn", as_dict=True)
    for row in suggested.iter_rows(named=True):
        if row["urn"] in numbered:
            _RESULTS[repr(numbered[row["urn"]]), rules, on] = Result(
                row["suggested_category"], by_urn[(row["urn"],)], row["reasons"])


def suggest(school: School, rules: RuleSet = RULES, on: date = ON) -> Result:
    """The suggestion for ``school``: assessed with the module's cases, or alone if not one."""
    if (repr(school), rules, on) not in _RESULTS:
        assess([school], rules, on)
    return _RESULTS[repr(school), rules, on]


@pytest.fixture(scope="module", autouse=True)
def _cases_assessed_together() -> None:
    assess(cases())


def at_and_either_side(level: float, step: float = 0.01) -> list[float]:
    return [round(level - step, 6), level, round(level + step, 6)]


def with_year(values: tuple[float | None, ...], index: int,
              value: float) -> tuple[float | None, ...]:
    """``values`` with the figure of year ``index`` replaced by ``value``."""
    return tuple(value if i == index else v for i, v in enumerate(values))


# --- the baseline --------------------------------------------------------------------------------

def test_a_school_meeting_every_condition_is_universal_with_every_condition_as_reason() -> None:
    result = suggest(GOOD)
    assert result.category == UNIVERSAL
    for rule in (U_OFSTED, U_SECURELY_GOOD, U_PROGRESS, U_LEADERSHIP, U_LINKS, U_ATTENDANCE):
        assert result.outcome(rule) == {"met"}, rule
        assert any(rule in r for r in result.reasons)


# --- Ofsted --------------------------------------------------------------------------------------

def _graded(grade: str, on: date = date(2024, 1, 10),
            previous: str | None = None) -> tuple[tuple[date, str, str, str], ...]:
    latest = (on, "Graded", OVERALL_EFFECTIVENESS, grade)
    if previous is None:
        return (latest,)
    return ((on - timedelta(days=3 * 365), "Graded", OVERALL_EFFECTIVENESS, previous), latest)


@pytest.mark.parametrize("grade, category", [
    ("Outstanding", UNIVERSAL), ("Good", UNIVERSAL), ("Requires improvement", TARGETED),
    ("Inadequate", INTENSIVE),
])
def test_ofsted_grade(grade: str, category: str) -> None:
    result = suggest(replace(GOOD, inspections=_graded(grade)))
    assert result.category == category
    assert result.applies(T_OFSTED) == (grade == "Requires improvement")
    assert result.applies(I_OFSTED) == (grade == "Inadequate")


@pytest.mark.parametrize("days, universal", [(-1, False), (0, True), (1, True)])
def test_good_is_likely_to_stay_so_only_within_the_window(days: int, universal: bool) -> None:
    """Good inspected exactly ``likely_to_stay_years`` ago counts; a day earlier is at risk."""
    inspected = years_before(ON, T.likely_to_stay_years) + timedelta(days=days)
    result = suggest(replace(GOOD, inspections=_graded("Good", inspected)))
    assert result.category == (UNIVERSAL if universal else TARGETED)
    assert result.applies(T_OFSTED) is not universal  # "at risk of it"
    if not universal:
        assert any("more than 5 years ago" in r for r in result.reasons)


@pytest.mark.parametrize("days, current", [(-1, False), (0, True), (1, True)])
def test_requires_improvement_counts_within_the_current_window(days: int, current: bool) -> None:
    inspected = years_before(ON, T.current_years) + timedelta(days=days)
    result = suggest(replace(GOOD, inspections=_graded("Requires improvement", inspected)))
    assert result.category == TARGETED  # not Good either way
    assert result.applies(T_OFSTED) is current


@pytest.mark.parametrize("days, current", [(-1, False), (0, True), (1, True)])
def test_inadequate_counts_within_the_current_window(days: int, current: bool) -> None:
    inspected = years_before(ON, T.current_years) + timedelta(days=days)
    result = suggest(replace(GOOD, inspections=_graded("Inadequate", inspected)))
    assert result.category == (INTENSIVE if current else TARGETED)


@pytest.mark.parametrize("previous, category", [
    ("Requires improvement", INTENSIVE), ("Good", TARGETED), ("Inadequate", TARGETED),
])
def test_requires_improvement_twice_running_is_at_risk_of_inadequate(previous: str,
                                                                      category: str) -> None:
    result = suggest(replace(GOOD, inspections=_graded("Requires improvement",
                                                       previous=previous)))
    assert result.category == category


def _report_card(*grades: tuple[str, str]) -> tuple[tuple[date, str, str, str], ...]:
    return tuple((date(2026, 1, 20), "Report card", area, grade) for area, grade in grades)


def _card_after_inadequate(grades: tuple[tuple[str, str], ...]) -> School:
    # A report card after a graded Inadequate replaces it: the latest inspection counts.
    earlier = _graded("Inadequate", date(2022, 5, 1))
    return replace(GOOD, inspections=earlier + _report_card(*grades))


REPORT_CARDS = [
    ((("Inclusion", "Expected standard"), ("Achievement", "Strong standard"),
      ("Safeguarding", "Met")), UNIVERSAL),
    ((("Inclusion", "Expected standard"), ("Achievement", "Needs attention"),
      ("Safeguarding", "Met")), TARGETED),
    ((("Inclusion", "Exceptional"), ("Leadership and governance", "Urgent improvement"),
      ("Safeguarding", "Met")), INTENSIVE),
    ((("Inclusion", "Exceptional"), ("Safeguarding", "Not met")), INTENSIVE),
]


@pytest.mark.parametrize("grades, category", REPORT_CARDS)
def test_report_cards_are_read_through_their_weakest_area(
        grades: tuple[tuple[str, str], ...], category: str) -> None:
    result = suggest(_card_after_inadequate(grades))
    assert result.category == category
    if category != UNIVERSAL:
        assert any("report card of 20 January 2026: weakest area" in r for r in result.reasons)


def test_no_inspection_is_not_known_and_never_universal() -> None:
    result = suggest(replace(GOOD, inspections=()))
    assert result.category == TARGETED
    assert result.outcome(U_OFSTED) == {"not known"}
    assert any(r.startswith(f"not known: {U_OFSTED}") for r in result.reasons)


# --- the partnership's own judgements ------------------------------------------------------------

UNIVERSAL_ASPECT = {TEACHING: U_SECURELY_GOOD, LEADERSHIP: U_LEADERSHIP,
                    SELF_EVALUATION: U_LEADERSHIP, OUTWARD_LINKS: U_LINKS}
INTENSIVE_ASPECT = {TEACHING: I_TEACHING, LEADERSHIP: I_LEADERSHIP, OUTWARD_LINKS: I_LINKS}


def _judged(aspect: str, judgement: str | None) -> School:
    judgements = dict(GOOD.judgements)
    if judgement is None:
        del judgements[aspect]
    else:
        judgements[aspect] = judgement
    return replace(GOOD, judgements=judgements)


@pytest.mark.parametrize("aspect", JUDGEMENT_ASPECTS)
def test_some_concerns_blocks_universal(aspect: str) -> None:
    result = suggest(_judged(aspect, "Some concerns"))
    assert result.category == TARGETED
    assert result.outcome(UNIVERSAL_ASPECT[aspect]) >= {"not met"}
    fragility = aspect in (TEACHING, LEADERSHIP, SELF_EVALUATION)
    assert any(T_FRAGILITY in r and aspect in r for r in result.reasons) is fragility
    if not fragility:  # nothing Targeted names it, so the unmet Universal condition is the reason
        assert any(r.startswith(f"Universal not met: {U_LINKS}") for r in result.reasons)


@pytest.mark.parametrize("aspect", JUDGEMENT_ASPECTS)
def test_not_effective(aspect: str) -> None:
    result = suggest(_judged(aspect, "Not effective"))
    if aspect in INTENSIVE_ASPECT:
        assert result.category == INTENSIVE
        assert result.applies(INTENSIVE_ASPECT[aspect])
    else:  # inaccurate self-evaluation is not an Intensive condition of the agreement
        assert result.category == TARGETED
        assert any(r.startswith(f"Universal not met: {U_LEADERSHIP}") for r in result.reasons)


@pytest.mark.parametrize("aspect", JUDGEMENT_ASPECTS)
def test_no_judgement_is_not_known_and_never_universal(aspect: str) -> None:
    result = suggest(_judged(aspect, None))
    assert result.category == TARGETED
    assert any(r.startswith("not known:") and aspect in r for r in result.reasons)


def test_the_latest_judgement_of_an_aspect_counts() -> None:
    names, inspections, indicators, judgements = frames({"1": GOOD})
    older = pl.DataFrame({"urn": ["1"], "judged_on": [date(2025, 3, 1)], "aspect": [TEACHING],
                          "judgement": ["Not effective"]})
    suggested, _ = assess_frames(names, inspections, indicators,
                                 pl.concat([older, judgements]), RULES, ON)
    assert suggested["suggested_category"][0] == UNIVERSAL


# --- attendance ----------------------------------------------------------------------------------

GOOD_ATTENDANCE = [
    ("overall_absence", T.good_overall_absence), ("persistent_absence", T.good_persistent_absence),
]
INADEQUATE_ATTENDANCE = [
    ("overall_absence", T.inadequate_overall_absence),
    ("persistent_absence", T.inadequate_persistent_absence),
]


@pytest.mark.parametrize("measure, good", GOOD_ATTENDANCE)
@pytest.mark.parametrize("year_index", [0, 2])
def test_good_attendance_every_year(measure: str, good: float, year_index: int) -> None:
    """At the good level is good; a little above it in any one year is not."""
    base = getattr(GOOD, measure)
    below, at, above = at_and_either_side(good)
    for value, universal in ((below, True), (at, True), (above, False)):
        result = suggest(replace(GOOD, **{measure: with_year(base, year_index, value)}))
        assert result.category == (UNIVERSAL if universal else TARGETED), value
        assert result.applies(T_ATTENDANCE) is not universal
        if not universal:
            name = measure.replace("_", " ")
            assert (f"Targeted: {T_ATTENDANCE} – {name} {above:.1f}% in "
                    f"{year_label(YEARS[year_index])} (good is at most {good:.1f}%)"
                    in result.reasons)
            # The unmet Universal condition is not listed twice.
            assert not any(r.startswith(f"Universal not met: {U_ATTENDANCE}")
                           for r in result.reasons)


@pytest.mark.parametrize("measure, inadequate", INADEQUATE_ATTENDANCE)
def test_inadequate_attendance_in_the_latest_year(measure: str, inadequate: float) -> None:
    base = getattr(GOOD, measure)
    below, at, above = at_and_either_side(inadequate)
    for value, intensive in ((below, False), (at, False), (above, True)):
        result = suggest(replace(GOOD, **{measure: (*base[:2], value)}))
        assert result.category == (INTENSIVE if intensive else TARGETED), value
        assert result.applies(I_ATTENDANCE) is intensive
    # An inadequate year before the latest is Targeted ("not consistently good"), not Intensive.
    result = suggest(replace(GOOD, **{measure: (above, *base[1:])}))
    assert result.category == TARGETED


def test_missing_attendance_is_not_known_and_never_universal() -> None:
    result = suggest(replace(GOOD, overall_absence=(5.0, 5.0, None)))
    assert result.category == TARGETED
    assert "not known: good attendance – no overall absence figure for 2025/26 (good is at " \
           "most 6.0% every year)" in result.reasons


def test_a_suppressed_figure_is_not_known_and_names_its_symbol() -> None:
    result = suggest(replace(GOOD, persistent_absence=(10.0, None, 10.0),
                             symbols={("persistent_absence", 202425): "c"}))
    assert result.category == TARGETED
    assert any("no persistent absence figure for 2024/25 (published as 'c')" in r
               for r in result.reasons)


def test_the_window_ends_with_the_latest_year_held_for_any_school() -> None:
    """A school whose latest figures are missing is not judged on older years."""
    stale = replace(GOOD, overall_absence=(5.0, 5.0, None), persistent_absence=(10.0, 10.0, None),
                    progress=(0.3, 0.3, None))
    suggested, findings = assess_frames(*frames({"1": GOOD, "2": stale}), RULES, ON)
    assert suggested["suggested_category"].to_list() == [UNIVERSAL, TARGETED]
    unknown = findings.filter((pl.col("urn") == "2") & (pl.col("outcome") == "not known"))
    assert set(unknown["rule"].to_list()) >= {U_ATTENDANCE, U_PROGRESS}



def test_a_school_assessed_alone_keeps_the_window_of_every_school() -> None:
    """A school profile assesses its school alone, given where every school's windows end
    (``held``): a school without the latest year's figures is then judged as among all, not on
    its own older years (it would be Intensive on 2024/25's figures)."""
    gap = replace(GOOD, overall_absence=(5.0, 20.0, None), persistent_absence=(10.0, 40.0, None),
                  progress=(0.3, -3.0, None))
    every = frames({"1": GOOD, "2": gap})
    among_all = assess_frames(*every, RULES, ON)
    alone = assess_frames(*(frame.filter(pl.col("urn") == "2") for frame in every), RULES, ON,
                          held=latest_held(every[2]))
    assert alone[0]["suggested_category"].to_list() == [TARGETED]
    assert alone[0].equals(among_all[0].filter(pl.col("urn") == "2"))
    assert alone[1].equals(among_all[1].filter(pl.col("urn") == "2"))

# --- progress ------------------------------------------------------------------------------------

@pytest.mark.parametrize("year_index", [0, 1, 2])
def test_progress_consistently_above_national(year_index: int) -> None:
    below, at, above = at_and_either_side(T.above_national)
    for value, universal in ((below, False), (at, False), (above, True)):
        result = suggest(replace(GOOD, progress=with_year(GOOD.progress, year_index, value)))
        assert result.category == (UNIVERSAL if universal else TARGETED), value
        assert result.applies(T_PROGRESS) is not universal


def coasting_cases() -> tuple[tuple[float, bool, str | None], ...]:
    """Latest progress figures about the coasting level: whether near, at or below it, and which."""
    near = T.coasting_progress + T.near_margin
    below_near, at_near, above_near = at_and_either_side(near)
    return ((above_near, False, None), (at_near, True, "near"),
            (below_near, True, "near"), (T.coasting_progress, True, "at"),
            (T.coasting_progress - 0.01, True, "below"))


def test_coasting_standard_near_at_or_below() -> None:
    for value, applies, position in coasting_cases():
        result = suggest(replace(GOOD, progress=(0.3, 0.3, value)))
        assert result.applies(T_COASTING) is applies, value
        assert result.category == TARGETED  # above the floor, and not coasting every year
        if position:
            assert any(f"{position} the coasting level" in r for r in result.reasons)


def test_floor_standard_near_at_or_below() -> None:
    near = T.floor_progress + T.near_margin
    below, at, above = at_and_either_side(near)
    for value, intensive in ((above, False), (at, True), (below, True)):
        result = suggest(replace(GOOD, progress=(0.3, 0.3, value)))
        assert result.applies(I_FLOOR) is intensive, value
        assert result.category == (INTENSIVE if intensive else TARGETED), value


@pytest.mark.parametrize("year_index", [0, 1, 2])
def test_inadequate_progress_means_coasting_every_year(year_index: int) -> None:
    coasting = T.coasting_progress
    below, at, above = at_and_either_side(coasting)
    for value, intensive in ((below, True), (at, True), (above, False)):
        result = suggest(replace(GOOD, progress=with_year((coasting,) * 3, year_index, value)))
        assert result.applies(I_PROGRESS) is intensive, (year_index, value)
        # -0.24 latest is near the coasting level but far from the floor: Targeted.
        assert result.category == (INTENSIVE if intensive else TARGETED), (year_index, value)


def test_no_progress_scores_is_not_known_and_never_universal() -> None:
    """E.g. a special school: no published progress, so never Universal on the rules alone."""
    result = suggest(replace(GOOD, progress=(None, None, None)))
    assert result.category == TARGETED
    assert result.outcome(U_PROGRESS) == {"not known"}
    assert result.outcome(I_FLOOR) == {"not known"}


# --- missing evidence, precedence, wording -------------------------------------------------------

MISSING = [
    {"inspections": ()},
    {"judgements": {}},
    {"overall_absence": (None, None, None)},
    {"persistent_absence": (5.0, None, 5.0)},
    {"progress": (0.3, None, 0.3)},
]


@pytest.mark.parametrize("missing", MISSING)
def test_never_universal_on_missing_evidence(missing: dict) -> None:
    result = suggest(replace(GOOD, **missing))
    assert result.category == TARGETED
    assert any(r.startswith("not known: ") for r in result.reasons)


def test_intensive_outranks_targeted_and_leads_the_reasons() -> None:
    school = replace(GOOD, inspections=_graded("Requires improvement"),
                     judgements={**GOOD.judgements, LEADERSHIP: "Not effective"},
                     overall_absence=(6.5, 6.5, 6.5))
    result = suggest(school)
    assert result.category == INTENSIVE
    assert result.applies(T_OFSTED) and result.applies(T_ATTENDANCE)
    kinds = [r.split(":")[0] for r in result.reasons]
    assert kinds[0] == INTENSIVE and TARGETED in kinds
    assert kinds.index(TARGETED) > max(i for i, k in enumerate(kinds) if k == INTENSIVE)


def test_each_reason_names_rule_figure_period_and_threshold() -> None:
    result = suggest(replace(GOOD, overall_absence=(5.0, 6.4, 5.0)))
    row = result.findings.filter(pl.col("explains")).row(0, named=True)
    assert (row["category"], row["rule"], row["figure"], row["period"], row["threshold"]) == (
        TARGETED, T_ATTENDANCE, "6.4%", "2024/25", "good is at most 6.0%")
    assert row["text"] == ("Targeted: attendance not consistently good – overall absence 6.4% "
                           "in 2024/25 (good is at most 6.0%)")


# --- thresholds come from the settings file ------------------------------------------------------

def _settings_with(tmp_path: Path, old: str, new: str) -> RuleSet:
    text = SETTINGS_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "settings.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return RuleSet.from_settings(load_settings(path))


@pytest.mark.parametrize("old, new, school, before, after", [
    ("good_overall_absence = 6.0", "good_overall_absence = 4.5", GOOD, UNIVERSAL, TARGETED),
    ("inadequate_persistent_absence = 27.0", "inadequate_persistent_absence = 9.5", GOOD,
     UNIVERSAL, INTENSIVE),
    ("above_national = 0.0", "above_national = 0.35", GOOD, UNIVERSAL, TARGETED),
    ("floor_progress = -0.5", "floor_progress = 0.25", GOOD, UNIVERSAL, INTENSIVE),
    ("likely_to_stay_years = 5", "likely_to_stay_years = 2", GOOD, UNIVERSAL, TARGETED),
    ("years_considered = 3", "years_considered = 1",
     replace(GOOD, overall_absence=(7.0, 5.0, 5.0)), TARGETED, UNIVERSAL),
])
def test_changing_a_threshold_in_the_settings_changes_the_suggestion(
        tmp_path: Path, old: str, new: str, school: School, before: str, after: str) -> None:
    assert suggest(school).category == before
    assert suggest(school, _settings_with(tmp_path, old, new)).category == after


SECONDARY_LEVELS = replace(GOOD, overall_absence=(8.0, 8.0, 8.0), persistent_absence=(20.0,) * 3)
"""Good attendance by the secondary levels only."""


def test_phase_levels_apply_to_that_phase_only(tmp_path: Path) -> None:
    school = SECONDARY_LEVELS
    assert suggest(replace(school, phase="Primary")).category == TARGETED
    assert suggest(replace(school, phase="Secondary")).category == UNIVERSAL
    stricter = _settings_with(tmp_path, "[by_phase.Secondary]\ngood_overall_absence = 8.5",
                              "[by_phase.Secondary]\ngood_overall_absence = 7.5")
    assert suggest(replace(school, phase="Secondary"), stricter).category == TARGETED


def test_a_missing_or_unknown_setting_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    missing.write_text(SETTINGS_FILE.read_text(encoding="utf-8").replace(
        "progress_years = 3\n", ""), encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[outcomes\] progress_years is missing"):
        RuleSet.from_settings(load_settings(missing))
    with pytest.raises(ValueError, match="cannot set years_considered"):
        _settings_with(tmp_path, "[by_phase.Secondary]\n",
                       "[by_phase.Secondary]\nyears_considered = 2\n")


# --- small helpers -------------------------------------------------------------------------------

def year_label(period: int) -> str:
    return f"{str(period)[:4]}/{str(period)[4:]}"


def test_year_window_and_years_before() -> None:
    assert year_window(202526, 3) == [202324, 202425, 202526]
    assert year_window(200001, 2) == [199900, 200001]
    assert years_before(date(2028, 2, 29), 4) == date(2024, 2, 29)
    assert years_before(date(2028, 2, 29), 1) == date(2027, 2, 28)
    assert Thresholds.from_settings(load_settings(SETTINGS_FILE)) == T


# --- the cases assessed together -----------------------------------------------------------------

def cases() -> list[School]:
    """The schools the tests above ask ``suggest`` about with the shipped rules and day."""
    likely, current = (years_before(ON, T.likely_to_stay_years),
                       years_before(ON, T.current_years))
    days = [timedelta(days=d) for d in (-1, 0, 1)]
    return [
        GOOD,
        *(replace(GOOD, inspections=_graded(grade)) for grade in
          ("Outstanding", "Good", "Requires improvement", "Inadequate")),
        *(replace(GOOD, inspections=_graded("Good", likely + d)) for d in days),
        *(replace(GOOD, inspections=_graded(grade, current + d))
          for grade in ("Requires improvement", "Inadequate") for d in days),
        *(replace(GOOD, inspections=_graded("Requires improvement", previous=previous))
          for previous in ("Requires improvement", "Good", "Inadequate")),
        *(_card_after_inadequate(grades) for grades, _ in REPORT_CARDS),
        *(_judged(aspect, judgement) for aspect in JUDGEMENT_ASPECTS
          for judgement in ("Some concerns", "Not effective", None)),
        *(replace(GOOD, **{measure: with_year(getattr(GOOD, measure), k, value)})
          for measure, good in GOOD_ATTENDANCE for k in (0, 2)
          for value in at_and_either_side(good)),
        *(replace(GOOD, **{measure: (*getattr(GOOD, measure)[:2], value)})
          for measure, inadequate in INADEQUATE_ATTENDANCE
          for value in at_and_either_side(inadequate)),
        *(replace(GOOD, **{measure: (at_and_either_side(inadequate)[2],
                                     *getattr(GOOD, measure)[1:])})
          for measure, inadequate in INADEQUATE_ATTENDANCE),
        replace(GOOD, overall_absence=(5.0, 5.0, None)),
        replace(GOOD, persistent_absence=(10.0, None, 10.0),
                symbols={("persistent_absence", 202425): "c"}),
        *(replace(GOOD, progress=with_year(GOOD.progress, k, value)) for k in (0, 1, 2)
          for value in at_and_either_side(T.above_national)),
        *(replace(GOOD, progress=(0.3, 0.3, value)) for value, _, _ in coasting_cases()),
        *(replace(GOOD, progress=(0.3, 0.3, value))
          for value in at_and_either_side(T.floor_progress + T.near_margin)),
        *(replace(GOOD, progress=with_year((T.coasting_progress,) * 3, k, value))
          for k in (0, 1, 2) for value in at_and_either_side(T.coasting_progress)),
        replace(GOOD, progress=(None, None, None)),
        *(replace(GOOD, **missing) for missing in MISSING),
        replace(GOOD, overall_absence=(5.0, 6.4, 5.0)),
        replace(GOOD, overall_absence=(7.0, 5.0, 5.0)),
        *(replace(SECONDARY_LEVELS, phase=phase) for phase in ("Primary", "Secondary")),
    ]
