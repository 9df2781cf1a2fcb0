"""The per-school support-category engine as it was before the set-wise rewrite, kept only as the
reference that the set-wise ``oep.domain.categories_rules.assess_frames`` must equal
(tests/store/test_categories_equivalence.py).

Copied unchanged apart from its imports; not used by the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from oep.domain.categories_rules import (
    RULE_ATTENDANCE_NAMES,
    BAND_ORDER,
    EFFECTIVE,
    FINDING_SCHEMA,
    GOOD_OR_BETTER,
    I_ATTENDANCE,
    I_FLOOR,
    I_LEADERSHIP,
    I_LINKS,
    I_OFSTED,
    I_PROGRESS,
    I_TEACHING,
    INADEQUATE,
    INTENSIVE,
    LEADERSHIP,
    NOT_EFFECTIVE,
    OUTWARD_LINKS,
    OVERALL_ABSENCE,
    PERSISTENT_ABSENCE,
    PROGRESS,
    REPORT_CARD_BANDS,
    REQUIRES_IMPROVEMENT,
    SAFEGUARDING_NOT_MET,
    SELF_EVALUATION,
    SOME_CONCERNS,
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
    year_window,
    years_before,
)
from oep.domain.periods import year_label
from oep.data.schema import ACADEMIC_YEAR, ALL_PUPILS, OVERALL_EFFECTIVENESS

_PRECISION = 9


@dataclass(frozen=True)
class Finding:
    """One condition checked against one piece of evidence."""

    category: str
    """The category whose rule this is."""
    rule: str
    """The condition in the agreement's words."""
    topic: str
    """What evidence it reads (``ofsted``, ``attendance``, ``progress`` or a judgement aspect)."""
    holds: bool | None
    """True if the condition holds, False if not, None if the evidence is missing."""
    evidence: str
    """The figure and its period in words, e.g. "overall absence 6.4% in 2023/24"."""
    figure: str
    period: str
    threshold: str

    @property
    def outcome(self) -> str:
        if self.holds is None:
            return "not known"
        if self.category == UNIVERSAL:
            return "met" if self.holds else "not met"
        return "applies" if self.holds else "does not apply"

    @property
    def text(self) -> str:
        lead = {"not known": "not known", "not met": f"{UNIVERSAL} not met",
                "does not apply": f"{self.category}, does not apply"}.get(
            self.outcome, self.category)
        return f"{lead}: {self.rule} – {self.evidence} ({self.threshold})"


@dataclass(frozen=True)
class OfstedEvidence:
    """The latest inspection, read as a graded judgement (a report card by its weakest area)."""

    inspected_on: date
    framework: str
    grade: str
    """As published: the overall grade, or the weakest report-card area's grade."""
    area: str
    band: str
    """One of ``OFSTED_GRADES``."""
    previous_band: str | None = None


@dataclass(frozen=True)
class SchoolEvidence:
    """Everything the rules read about one school."""

    ofsted: OfstedEvidence | None = None
    judgements: dict[str, tuple[str, date]] = field(default_factory=dict)
    """aspect -> (latest judgement, judged on)."""
    yearly: dict[str, dict[int, float | None]] = field(default_factory=dict)
    """measure -> {academic year: value (None if missing)} over the years the rules consider."""
    symbols: dict[str, dict[int, str]] = field(default_factory=dict)
    """measure -> {academic year: published symbol} where the figure is missing."""


# --- small helpers -------------------------------------------------------------------------------

def _at_most(value: float, limit: float) -> bool:
    return round(value, _PRECISION) <= round(limit, _PRECISION)


def _num(x: float) -> str:
    return f"{x:g}"


def _pct(x: float) -> str:
    return f"{x:.1f}%"


def _score(x: float) -> str:
    return f"{x:+.2f}"


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


# --- Ofsted --------------------------------------------------------------------------------------

def _band(grade: str) -> str | None:
    if grade in BAND_ORDER:
        return grade
    if grade in REPORT_CARD_BANDS:
        return REPORT_CARD_BANDS[grade]
    if grade == SAFEGUARDING_NOT_MET:
        return INADEQUATE
    return None  # "Met", "Not judged"...: says nothing about the band


def _read_inspection(areas: list[tuple[str, str]]) -> tuple[str, str, str] | None:
    """(area, grade, band) deciding one inspection: its overall grade, else its weakest area.

    ``areas``: the inspection's (area, grade) pairs."""
    graded = [(area, grade, _band(grade)) for area, grade in areas]
    overall = [g for g in graded if g[0] == OVERALL_EFFECTIVENESS and g[2] is not None]
    if overall:
        return overall[0]
    banded = [g for g in graded if g[2] is not None]
    if not banded:
        return None
    return max(banded, key=lambda g: BAND_ORDER[g[2]])  # type: ignore[index]


def ofsted_evidence(inspections: pl.DataFrame) -> dict[str, OfstedEvidence]:
    """The latest readable inspection per school, with the band of the one before it.

    ``inspections``: urn, inspection_date, framework, area, grade (one row per inspection and area).
    """
    # One pass over plain rows: a polars group per school costs seconds at England scale.
    visits: dict[str, dict[tuple[date, str], list[tuple[str, str]]]] = {}
    ordered = inspections.sort("urn", "inspection_date", "framework", maintain_order=True)
    for urn, day, framework, area, grade in ordered.select(
        "urn", "inspection_date", "framework", "area", "grade"
    ).iter_rows():
        visits.setdefault(urn, {}).setdefault((day, framework), []).append((area, grade))
    out: dict[str, OfstedEvidence] = {}
    for urn, by_visit in visits.items():
        readings: list[tuple[date, str, tuple[str, str, str]]] = []
        for (day, framework), areas in by_visit.items():
            reading = _read_inspection(areas)
            if reading is not None:
                readings.append((day, framework, reading))
        if not readings:
            continue
        day, framework, (area, grade, band) = readings[-1]
        previous = readings[-2][2][2] if len(readings) > 1 else None
        out[str(urn)] = OfstedEvidence(day, framework, grade, area, band, previous)
    return out


def _ofsted_words(ev: OfstedEvidence) -> str:
    if ev.area == OVERALL_EFFECTIVENESS or ev.grade == ev.band:
        return f"Ofsted {ev.grade}, inspected {_day(ev.inspected_on)}"
    return (f"Ofsted {ev.framework.lower()} of {_day(ev.inspected_on)}: weakest area "
            f"{ev.area} '{ev.grade}', read as {ev.band}")


def _ofsted_finding(category: str, rule: str, ev: OfstedEvidence | None, holds: bool | None,
                    threshold: str) -> Finding:
    if ev is None:
        return Finding(category, rule, "ofsted", None, "no inspection on record", "not known", "",
                       threshold)
    return Finding(category, rule, "ofsted", holds, _ofsted_words(ev), ev.grade,
                   _day(ev.inspected_on), threshold)


def ofsted_rules(ev: OfstedEvidence | None, t: Thresholds, on: date) -> list[Finding]:
    """Universal, Targeted and Intensive conditions on the latest inspection."""
    stay, current = _num(t.likely_to_stay_years), _num(t.current_years)
    recent = ev is not None and ev.inspected_on >= years_before(on, t.likely_to_stay_years)
    is_current = ev is not None and ev.inspected_on >= years_before(on, t.current_years)
    band = ev.band if ev else None
    good = band in GOOD_OR_BETTER
    universal = None if ev is None else good and recent
    targeted = None if ev is None else (band == REQUIRES_IMPROVEMENT and is_current) or (
        good and not recent)
    # "At risk" of Inadequate: Requires improvement at two inspections running.
    intensive = None if ev is None else is_current and (
        band == INADEQUATE
        or (band == REQUIRES_IMPROVEMENT and ev.previous_band == REQUIRES_IMPROVEMENT))
    return [
        _ofsted_finding(UNIVERSAL, U_OFSTED, ev, universal,
                        f"needs Good or Outstanding, inspected within the last {stay} years"),
        _ofsted_finding(TARGETED, T_OFSTED, ev, targeted,
                        f"Requires improvement within the last {current} years, or Good or "
                        f"Outstanding inspected more than {stay} years ago"),
        _ofsted_finding(INTENSIVE, I_OFSTED, ev, intensive,
                        f"Inadequate, or Requires improvement at two inspections running, "
                        f"within the last {current} years"),
    ]


# --- the partnership's own judgements ------------------------------------------------------------

def _judgement_finding(category: str, rule: str, aspect: str,
                       judgements: dict[str, tuple[str, date]],
                       test: Callable[[str], bool], threshold: str) -> Finding:
    if aspect not in judgements:
        return Finding(category, rule, aspect, None, f"no partnership judgement of {aspect}",
                       "not known", "", threshold)
    judgement, judged_on = judgements[aspect]
    return Finding(category, rule, aspect, test(judgement),
                   f"{aspect} judged {judgement} on {_day(judged_on)}", judgement,
                   _day(judged_on), threshold)


def judgement_rules(judgements: dict[str, tuple[str, date]]) -> list[Finding]:
    """Conditions on the partnership's latest judgement of each aspect."""
    def effective(j: str) -> bool:
        return j == EFFECTIVE

    def concerns(j: str) -> bool:
        return j == SOME_CONCERNS

    def not_effective(j: str) -> bool:
        return j == NOT_EFFECTIVE

    needs = f"needs {EFFECTIVE}"
    return [
        _judgement_finding(UNIVERSAL, U_SECURELY_GOOD, TEACHING, judgements, effective, needs),
        _judgement_finding(UNIVERSAL, U_LEADERSHIP, LEADERSHIP, judgements, effective, needs),
        _judgement_finding(UNIVERSAL, U_LEADERSHIP, SELF_EVALUATION, judgements, effective, needs),
        _judgement_finding(UNIVERSAL, U_LINKS, OUTWARD_LINKS, judgements, effective, needs),
        *[
            _judgement_finding(TARGETED, T_FRAGILITY, aspect, judgements, concerns,
                               f"applies when judged {SOME_CONCERNS}")
            for aspect in (LEADERSHIP, TEACHING, SELF_EVALUATION)
        ],
        _judgement_finding(INTENSIVE, I_TEACHING, TEACHING, judgements, not_effective,
                           f"applies when judged {NOT_EFFECTIVE}"),
        _judgement_finding(INTENSIVE, I_LEADERSHIP, LEADERSHIP, judgements, not_effective,
                           f"applies when judged {NOT_EFFECTIVE}"),
        _judgement_finding(INTENSIVE, I_LINKS, OUTWARD_LINKS, judgements, not_effective,
                           f"applies when judged {NOT_EFFECTIVE}"),
    ]


# --- yearly figures: attendance and progress -----------------------------------------------------

@dataclass(frozen=True)
class Series:
    """One measure's figures over the years a rule considers (a year with no figure is missing)."""

    name: str
    topic: str
    values: dict[int, float | None]
    symbols: dict[int, str]
    fmt: Callable[[float], str]

    @property
    def years(self) -> list[int]:
        return sorted(self.values)

    @property
    def known(self) -> dict[int, float]:
        return {y: v for y, v in sorted(self.values.items()) if v is not None}

    @property
    def span(self) -> str:
        years = self.years
        if not years:
            return ""
        return year_label(years[0]) if len(years) == 1 else (
            f"{year_label(years[0])} to {year_label(years[-1])}")

    def _missing(self, years: Iterable[int]) -> str:
        parts = [year_label(y) + (f" (published as '{self.symbols[y]}')"
                                  if y in self.symbols else "") for y in years]
        return f"no {self.name} figure for {', '.join(parts)}" if parts else (
            f"no {self.name} figures")

    def _unknown(self, category: str, rule: str, years: Iterable[int], threshold: str) -> Finding:
        return Finding(category, rule, self.topic, None, self._missing(years), "not known",
                       self.span, threshold)

    def every_year(self, category: str, rule: str, passes: Callable[[float], bool],
                   threshold: str) -> Finding:
        """Holds if every year's figure passes; not known if none fails but some are missing."""
        known = self.known
        missing = [y for y in self.years if y not in known]
        if all(passes(v) for v in known.values()) and (missing or not known):
            return self._unknown(category, rule, missing, threshold)
        figures = ", ".join(self.fmt(v) for v in known.values())
        return Finding(category, rule, self.topic, all(passes(v) for v in known.values()),
                       f"{self.name} {figures} in {self.span}", figures, self.span, threshold)

    def any_year(self, category: str, rule: str, fails: Callable[[float], bool],
                 threshold: str) -> list[Finding]:
        """One finding per year whose figure fails; else one that does not apply (or not known)."""
        failing = [(y, v) for y, v in self.known.items() if fails(v)]
        if failing:
            return [Finding(category, rule, self.topic, True,
                            f"{self.name} {self.fmt(v)} in {year_label(y)}", self.fmt(v),
                            year_label(y), threshold) for y, v in failing]
        if not self.known:
            return [self._unknown(category, rule, self.years, threshold)]
        figures = ", ".join(self.fmt(v) for v in self.known.values())
        return [Finding(category, rule, self.topic, False, f"{self.name} {figures} in {self.span}",
                        figures, self.span, threshold)]

    def latest_year(self, category: str, rule: str, fails: Callable[[float], bool],
                    threshold: str, note: Callable[[float], str] = lambda v: "") -> Finding:
        """Holds if the latest year's figure fails the test."""
        if not self.values:
            return self._unknown(category, rule, [], threshold)
        latest = max(self.values)
        value = self.values[latest]
        if value is None:
            return self._unknown(category, rule, [latest], threshold)
        holds = fails(value)
        words = f"{self.name} {self.fmt(value)} in {year_label(latest)}"
        return Finding(category, rule, self.topic, holds,
                       words + (note(value) if holds else ""), self.fmt(value),
                       year_label(latest), threshold)


def _series(ev: SchoolEvidence, measure: str, name: str, topic: str,
            fmt: Callable[[float], str]) -> Series:
    return Series(name, topic, ev.yearly.get(measure, {}), ev.symbols.get(measure, {}), fmt)


def attendance_rules(ev: SchoolEvidence, t: Thresholds) -> list[Finding]:
    """Good, not consistently good and inadequate attendance, for each absence measure."""
    findings: list[Finding] = []
    for measure, name in RULE_ATTENDANCE_NAMES.items():
        series = _series(ev, measure, name, "attendance", _pct)
        good, inadequate = t.good_absence(measure), t.inadequate_absence(measure)
        findings += [
            series.every_year(UNIVERSAL, U_ATTENDANCE, lambda v: _at_most(v, good),
                              f"good is at most {_pct(good)} every year"),
            *series.any_year(TARGETED, T_ATTENDANCE, lambda v: not _at_most(v, good),
                             f"good is at most {_pct(good)}"),
            series.latest_year(INTENSIVE, I_ATTENDANCE, lambda v: not _at_most(v, inadequate),
                               f"inadequate is above {_pct(inadequate)} in the latest year"),
        ]
    return findings


def progress_rules(ev: SchoolEvidence, t: Thresholds) -> list[Finding]:
    """Above national, coasting and floor conditions on the progress score."""
    series = _series(ev, PROGRESS, "progress", "progress", _score)
    national, coasting, floor = t.above_national, t.coasting_progress, t.floor_progress

    def near(level: float, level_name: str) -> Callable[[float], str]:
        def words(v: float) -> str:
            if round(v, _PRECISION) == round(level, _PRECISION):
                return f", at the {level_name} level"
            return f", {'below' if v < level else 'near'} the {level_name} level"
        return words

    def margin(level_name: str, level: float) -> str:
        return (f"{level_name} level {_score(level)}; near means within {_num(t.near_margin)} "
                "above it")

    return [
        series.every_year(UNIVERSAL, U_PROGRESS, lambda v: not _at_most(v, national),
                          f"above national is above {_score(national)} every year"),
        *series.any_year(TARGETED, T_PROGRESS, lambda v: _at_most(v, national),
                         f"above national is above {_score(national)}"),
        series.latest_year(TARGETED, T_COASTING, lambda v: _at_most(v, coasting + t.near_margin),
                           margin("coasting", coasting), near(coasting, "coasting")),
        # Coasting in every year considered is inadequate progress over those years.
        series.every_year(INTENSIVE, I_PROGRESS, lambda v: _at_most(v, coasting),
                          f"at or below the coasting level of {_score(coasting)} every year"),
        series.latest_year(INTENSIVE, I_FLOOR, lambda v: _at_most(v, floor + t.near_margin),
                           margin("floor", floor), near(floor, "floor")),
    ]


# --- putting it together -------------------------------------------------------------------------

def assess(ev: SchoolEvidence, t: Thresholds, on: date) -> list[Finding]:
    """Every condition of every category, checked for one school."""
    return [
        *ofsted_rules(ev.ofsted, t, on),
        *judgement_rules(ev.judgements),
        *attendance_rules(ev, t),
        *progress_rules(ev, t),
    ]


def category_of(findings: list[Finding]) -> str:
    """Intensive on any Intensive condition; Universal only on all Universal ones; else Targeted."""
    if any(f.holds for f in findings if f.category == INTENSIVE):
        return INTENSIVE
    universal = [f for f in findings if f.category == UNIVERSAL]
    targeted = any(f.holds for f in findings if f.category == TARGETED)
    if universal and all(f.holds is True for f in universal) and not targeted:
        return UNIVERSAL
    return TARGETED


def explaining(findings: list[Finding], category: str) -> list[Finding]:
    """The reasons for ``category``, most serious first.

    Universal: every Universal condition met. Otherwise: the Intensive and Targeted conditions that
    hold, then the Universal conditions not known, then those not met whose evidence no Intensive
    or Targeted reason already names (so one weak figure is not listed twice).
    """
    if category == UNIVERSAL:
        return [f for f in findings if f.category == UNIVERSAL]
    applying = [f for f in findings if f.category == INTENSIVE and f.holds]
    applying += [f for f in findings if f.category == TARGETED and f.holds]
    named = {f.topic for f in applying}
    universal = [f for f in findings if f.category == UNIVERSAL]
    return (applying + [f for f in universal if f.holds is None]
            + [f for f in universal if f.holds is False and f.topic not in named])


# --- evidence from frames ------------------------------------------------------------------------

def latest_judgements(judgements: pl.DataFrame) -> dict[str, dict[str, tuple[str, date]]]:
    """urn -> aspect -> (latest judgement, date).

    ``judgements``: urn, judged_on, aspect, judgement.
    """
    latest = judgements.sort("judged_on").group_by("urn", "aspect").last()
    out: dict[str, dict[str, tuple[str, date]]] = {}
    for urn, aspect, judgement, judged_on in latest.select(
        "urn", "aspect", "judgement", "judged_on"
    ).iter_rows():
        out.setdefault(urn, {})[aspect] = (judgement, judged_on)
    return out


def yearly_evidence(
    indicators: pl.DataFrame, measure: str, years: int
) -> tuple[list[int], dict[str, dict[int, float | None]], dict[str, dict[int, str]]]:
    """Whole-school academic-year figures of one measure over the ``years`` latest years held.

    Returns ``(window, values, symbols)``. The window ends with the latest year held for *any*
    school, so a school without that year's figure is "not known" rather than judged on older
    figures. ``indicators``: urn, time_period, time_identifier, pupil_group, measure, value, symbol.
    """
    rows = indicators.filter(
        (pl.col("measure") == measure)
        & (pl.col("time_identifier") == ACADEMIC_YEAR)
        & (pl.col("pupil_group") == ALL_PUPILS)
    )
    if rows.is_empty():
        return [], {}, {}
    window = year_window(int(rows["time_period"].max()), years)  # type: ignore[arg-type]
    values: dict[str, dict[int, float | None]] = {}
    symbols: dict[str, dict[int, str]] = {}
    for urn, year, value, symbol in rows.filter(pl.col("time_period").is_in(window)).select(
        "urn", "time_period", "value", "symbol"
    ).iter_rows():
        values.setdefault(urn, {})[year] = value
        if value is None and symbol:
            symbols.setdefault(urn, {})[year] = symbol
    return window, values, symbols


def evidence_by_school(
    urns: Iterable[str],
    inspections: pl.DataFrame,
    indicators: pl.DataFrame,
    judgements: pl.DataFrame,
    t: Thresholds,
) -> dict[str, SchoolEvidence]:
    """Gather each school's evidence from the three evidence frames (``t`` gives the years)."""
    ofsted = ofsted_evidence(inspections)
    judged = latest_judgements(judgements)
    windows = {
        OVERALL_ABSENCE: t.attendance_years,
        PERSISTENT_ABSENCE: t.attendance_years,
        PROGRESS: t.progress_years,
    }
    per_measure = {m: yearly_evidence(indicators, m, n) for m, n in windows.items()}
    out: dict[str, SchoolEvidence] = {}
    for urn in urns:
        # Every year of the window is present; a year with no row is missing (None).
        yearly = {m: {y: values.get(urn, {}).get(y) for y in window}
                  for m, (window, values, _) in per_measure.items()}
        symbols = {m: symbols.get(urn, {}) for m, (_, _, symbols) in per_measure.items()}
        out[urn] = SchoolEvidence(ofsted.get(urn), judged.get(urn, {}), yearly, symbols)
    return out


def assess_per_school(
    schools: pl.DataFrame,
    inspections: pl.DataFrame,
    indicators: pl.DataFrame,
    judgements: pl.DataFrame,
    rules: RuleSet,
    on: date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Suggested category per school, and every finding behind it.

    Returns ``(suggested, findings)``: ``suggested`` has urn, name, phase, suggested_category,
    reasons (list of reason texts, most serious first); ``findings`` has one row per condition
    checked (``FINDING_SCHEMA``), ``explains`` marking the reasons and ``rank`` their order.
    """
    evidence = evidence_by_school(schools["urn"].to_list(), inspections, indicators, judgements,
                                  rules.default)
    categories: list[str] = []
    reasons: list[list[str]] = []
    rows: list[dict[str, object]] = []
    for urn, phase in schools.select("urn", "phase").iter_rows():
        findings = assess(evidence[urn], rules.for_phase(phase), on)
        category = category_of(findings)
        why = explaining(findings, category)
        categories.append(category)
        reasons.append([f.text for f in why])
        order = {id(f): i for i, f in enumerate(why)}
        for i, f in enumerate(findings):
            rank = order.get(id(f))
            rows.append({
                "urn": urn, "rank": rank if rank is not None else len(why) + i,
                "explains": rank is not None, "category": f.category, "rule": f.rule,
                "outcome": f.outcome, "evidence": f.evidence, "figure": f.figure,
                "period": f.period, "threshold": f.threshold, "text": f.text,
            })
    suggested = schools.select("urn", "name", "phase").with_columns(
        pl.Series("suggested_category", categories, dtype=pl.String),
        pl.Series("reasons", reasons, dtype=pl.List(pl.String)),
    )
    findings_frame = pl.DataFrame(rows, schema=FINDING_SCHEMA).sort("urn", "rank")
    return suggested, findings_frame
