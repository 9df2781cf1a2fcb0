"""Attendance shaping: aggregates over visible schools, rankings, gaps and trends."""

from __future__ import annotations

import polars as pl
import pytest

from oep.domain import areas, attendance
from oep.data.config import Settings
from oep.domain.areas import ENGLAND, OLDHAM, VISIBLE


def _school_rows(rows: list[tuple[str, str, str, float | None, float | None]],
                 period: int = 202425, term: str = "Academic year") -> pl.DataFrame:
    """(urn, name, phase, overall absence, enrolments) -> long school rows."""
    out = []
    for urn, name, phase, value, enrolments in rows:
        base = {"urn": urn, "name": name, "phase": phase, "school_type": "Community school",
                "time_period": period, "time_identifier": term, "pupil_group": "All pupils"}
        out.append({**base, "measure": "overall_absence", "value": value,
                    "symbol": None if value is not None else "c"})
        out.append({**base, "measure": "enrolments", "value": enrolments,
                    "symbol": None if enrolments is not None else "c"})
    return pl.DataFrame(out)


def test_visible_mean_weights_by_enrolments_and_leaves_out_suppressed() -> None:
    rows = _school_rows([("1", "A", "Primary", 4.0, 100.0), ("2", "B", "Primary", 10.0, 300.0),
                         ("3", "C", "Primary", None, None)])
    out = attendance.visible_mean(rows, ["time_period"])
    assert out["value"][0] == pytest.approx((4 * 100 + 10 * 300) / 400)
    assert out["schools"][0] == 2  # the suppressed school is not counted


def test_visible_mean_falls_back_to_plain_mean_without_every_weight() -> None:
    rows = _school_rows([("1", "A", "Primary", 4.0, 100.0), ("2", "B", "Primary", 10.0, None)])
    out = attendance.visible_mean(rows, ["time_period"])
    assert out["value"][0] == pytest.approx(7.0)


def test_visible_mean_of_nothing_is_empty() -> None:
    rows = _school_rows([("1", "A", "Primary", None, None)])
    assert attendance.visible_mean(rows, ["time_period"]).is_empty()


def test_rank_schools_furthest_above_threshold_first_and_suppressed_last() -> None:
    rows = _school_rows([("1", "Alpha", "Primary", 5.0, 100.0),
                         ("2", "Beta", "Primary", 9.5, 90.0),
                         ("3", "Gamma", "Primary", None, None),
                         ("4", "Delta", "Primary", 7.0, 50.0)])
    ranked = attendance.rank_schools(rows, measure="overall_absence", default=6.0)
    assert ranked["name"].to_list() == ["Beta", "Delta", "Alpha", "Gamma"]
    assert ranked["distance"].to_list()[:3] == pytest.approx([3.5, 1.0, -1.0])
    assert ranked["symbol"][3] == "c" and ranked["value"][3] is None


def test_rank_schools_against_their_own_phase_level() -> None:
    rows = _school_rows([("1", "Primary A", "Primary", 7.0, 100.0),
                         ("2", "Secondary B", "Secondary", 9.0, 100.0),
                         ("3", "Special C", "Not applicable", 10.0, 100.0),
                         ("4", "Special D", "Special", 10.5, 100.0)])  # as the page names it
    settings = Settings.from_dict({
        "suppression": {"min_count": 3}, "outcomes": {}, "ofsted": {},
        "attendance": {"good_overall_absence": 6.0},
        "by_phase": {"Secondary": {"good_overall_absence": 8.5},
                     "Not applicable": {"good_overall_absence": 11.0}}})
    default, by_phase = attendance.good_levels(settings)
    ranked = attendance.rank_schools(rows, measure="overall_absence", default=default,
                                     by_phase=tuple(sorted(by_phase.items())))
    # One level for all would put the special school first (4.0 above 6.0); its own is 11.0.
    assert ranked["name"].to_list() == ["Primary A", "Secondary B", "Special D", "Special C"]
    assert ranked["threshold"].to_list() == [6.0, 8.5, 11.0, 11.0]
    assert ranked["distance"].to_list() == pytest.approx([1.0, 0.5, -0.5, -1.0])


def test_phase_names_follow_the_published_tables() -> None:
    schools = pl.DataFrame({"phase": ["Not applicable", "Not applicable", "Primary"],
                            "school_type": ["Community special school", "Pupil referral unit",
                                            "Community school"]})
    named = attendance.with_phase_names(schools)
    assert named["phase"].to_list() == ["Special", "Pupil referral unit", "Primary"]
    assert areas.comparator_phase(["Total", "Primary", "Special"], "Special") == "Special"
    assert areas.comparator_phase(["Total", "Primary"], "Nursery") == "Total"
    assert areas.comparator_phase(["Total", "Primary"], None) == "Total"


def _labelled(area: str, group: str, value: float | None, measure: str = "overall_absence",
              term: str = "Academic year", period: int = 202425) -> dict:
    return {"area": area, "time_period": period, "time_identifier": term, "pupil_group": group,
            "measure": measure, "value": value, "symbol": None if value is not None else "c"}


def test_by_group_gap_to_all_pupils_in_the_same_area() -> None:
    rows = pl.DataFrame([
        _labelled(OLDHAM, "All pupils", 7.0), _labelled(OLDHAM, "EHC plan", 11.5),
        _labelled(ENGLAND, "All pupils", 6.5), _labelled(ENGLAND, "EHC plan", 10.0),
        _labelled("A school", "All pupils", None), _labelled("A school", "EHC plan", 9.0),
    ])
    out = attendance.by_group(rows, measure="overall_absence")
    gaps = {(a, g): gap for a, g, gap in out.select("area", "category", "gap").iter_rows()}
    assert gaps[(OLDHAM, "EHC plan")] == pytest.approx(4.5)
    assert gaps[(ENGLAND, "EHC plan")] == pytest.approx(3.5)
    assert gaps[(OLDHAM, "All pupils")] == pytest.approx(0.0)
    assert gaps[("A school", "EHC plan")] is None  # all pupils suppressed: gap unknown


def test_trend_uses_terms_in_school_year_order_when_held() -> None:
    rows = pl.DataFrame([
        _labelled(OLDHAM, "All pupils", 7.0, term=t, period=p)
        for p in (202425, 202324) for t in ("Summer term", "Autumn term", "Academic year")
    ])
    out = attendance.trend(rows, "overall_absence", "Autumn term")
    assert out["period"].to_list() == ["Autumn term 2023/24", "Summer term 2023/24",
                                       "Autumn term 2024/25", "Summer term 2024/25"]
    # Whole years stay whole years, even where one term of a year is held.
    assert attendance.trend(rows, "overall_absence", "Academic year")["period"].to_list() == [
        "2023/24", "2024/25"]


def test_trend_of_the_autumn_and_spring_terms_is_those_figures_year_by_year() -> None:
    rows = pl.DataFrame([_labelled(OLDHAM, "All pupils", 7.0, period=p, term=t)
                         for p in (202425, 202324)
                         for t in ("Autumn and spring term", "Academic year")])
    assert attendance.trend(rows, "overall_absence", "Autumn and spring term")[
        "period"].to_list() == ["Autumn and spring term 2023/24", "Autumn and spring term 2024/25"]


def test_by_phase_puts_published_and_visible_figures_side_by_side() -> None:
    published = pl.DataFrame([
        {**_labelled(OLDHAM, "All pupils", 7.3), "phase": "Total"},
        {**_labelled(OLDHAM, "All pupils", 5.9), "phase": "Primary"},
        {**_labelled(ENGLAND, "All pupils", 5.5), "phase": "Primary"},
        {**_labelled("North West", "All pupils", 5.6), "phase": "Primary"},
    ])
    visible = _school_rows([("1", "A", "Primary", 4.0, 100.0), ("2", "B", "Special", 12.0, 50.0)])
    register = pl.DataFrame({"phase": ["Primary", "Not applicable"],
                             "school_type": ["Community school", "Community special school"],
                             "schools": [40, 6]})
    out = attendance.by_phase(published, visible, areas=(OLDHAM, ENGLAND),
                              measure="overall_absence", register=register)
    cells = {(c, a): v for c, a, v in out.select("category", "area", "value").iter_rows()}
    assert cells[("All phases", OLDHAM)] == 7.3
    assert cells[("Primary", ENGLAND)] == 5.5
    assert ("Primary", "North West") not in cells
    visible = f"{VISIBLE} (n=2)"
    assert cells[("Special", visible)] == 12.0
    assert cells[("All phases", visible)] == pytest.approx((400 + 600) / 150)
    notes = dict(zip(out.filter(pl.col("area") == visible)["category"],
                     out.filter(pl.col("area") == visible)["note"]))
    assert notes["All phases"] == f"2 schools counted; {attendance.WEIGHTED}"
