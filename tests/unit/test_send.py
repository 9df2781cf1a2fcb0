"""SEND shaping: primary need composition, gaps to pupils with no SEN."""

from __future__ import annotations

import polars as pl
import pytest

from oep.domain import send
from oep.domain.areas import ENGLAND, OLDHAM
from oep.data.schema import PRIMARY_NEEDS


def _published_needs(counts: dict[tuple[str, str], float], code: str = "353",
                     level: str = "Local authority", period: int = 202425) -> pl.DataFrame:
    return pl.DataFrame([
        {"geo_level": level, "area_code": code, "time_period": period, "sen_provision": p,
         "primary_need": n, "pupils": v, "symbol": None}
        for (p, n), v in counts.items()
    ], schema_overrides={"symbol": pl.String})


def _school_needs(counts: dict[tuple[str, str], float | None], period: int = 202425
                  ) -> pl.DataFrame:
    return pl.DataFrame([
        {"urn": "1", "time_period": period, "sen_provision": p, "primary_need": n, "pupils": v,
         "symbol": None if v is not None else "c", "name": "A school", "phase": "Primary"}
        for (p, n), v in counts.items()
    ], schema_overrides={"symbol": pl.String})


BOROUGH = {("EHC plan", "Autistic Spectrum Disorder"): 300.0,
           ("SEN support", "Autistic Spectrum Disorder"): 200.0,
           ("EHC plan", "Hearing Impairment"): 20.0,
           ("SEN support", "Hearing Impairment"): 80.0}


def test_needs_counts_and_shares_for_the_borough_and_the_school() -> None:
    published = pl.concat([
        _published_needs(BOROUGH),
        _published_needs({("EHC plan", "Hearing Impairment"): 999.0}, code="354"),  # another LA
        _published_needs({("EHC plan", "Hearing Impairment"): 5.0}, period=202324),
    ])
    school = _school_needs({("EHC plan", "Autistic Spectrum Disorder"): 6.0,
                            ("SEN support", "Autistic Spectrum Disorder"): 4.0,
                            ("EHC plan", "Hearing Impairment"): 10.0,
                            ("SEN support", "Hearing Impairment"): 10.0})
    out = send.needs(school, published, la_code="353", time_period=202425,
                     provision=send.ALL_SEN, school_label="A school")
    cells = {(a, p): (n, s) for a, p, n, s in out.select("area", "part", "pupils",
                                                          "share").iter_rows()}
    assert cells[(OLDHAM, "Autistic Spectrum Disorder")] == (500.0, pytest.approx(500 / 6))
    assert cells[(OLDHAM, "Hearing Impairment")] == (100.0, pytest.approx(100 / 6))
    assert cells[("A school", "Hearing Impairment")] == (20.0, pytest.approx(20 / 30 * 100))
    for area in (OLDHAM, "A school"):
        assert out.filter(pl.col("area") == area)["share"].sum() == pytest.approx(100.0)


def test_needs_one_provision() -> None:
    out = send.needs(None, _published_needs(BOROUGH), la_code="353", time_period=202425,
                     provision="EHC plan", school_label=None)
    assert dict(zip(out["part"], out["pupils"])) == {"Autistic Spectrum Disorder": 300.0,
                                                     "Hearing Impairment": 20.0}


def test_a_sum_with_a_suppressed_part_stays_suppressed() -> None:
    school = _school_needs({("EHC plan", "Hearing Impairment"): None,
                            ("SEN support", "Hearing Impairment"): 12.0,
                            ("EHC plan", "Autistic Spectrum Disorder"): 8.0,
                            ("SEN support", "Autistic Spectrum Disorder"): 0.0})
    out = send.needs(school, _published_needs(BOROUGH), la_code="353", time_period=202425,
                     provision=send.ALL_SEN, school_label="A school")
    row = out.filter((pl.col("area") == "A school")
                     & (pl.col("part") == "Hearing Impairment")).row(0, named=True)
    assert row["pupils"] is None and row["share"] is None and row["symbol"] == "c"


def test_suppressed_needs_are_counted_in_words_and_never_drawn_as_zero() -> None:
    counts = {("EHC plan", need): float(100 - i) for i, need in enumerate(PRIMARY_NEEDS)}
    school = _school_needs({("EHC plan", need): None for need in PRIMARY_NEEDS[8:]}
                           | {("EHC plan", PRIMARY_NEEDS[0]): 5.0})
    out = send.needs(school, _published_needs(counts), la_code="353", time_period=202425,
                     provision="EHC plan", school_label="A school")
    assert send.suppressed_note(out).endswith(": 5 at A school")
    chart = send.needs_for_chart(out).filter(pl.col("area") == "A school")
    other = chart.filter(pl.col("part") == send.OTHER_NEEDS).row(0, named=True)
    assert other["share"] is None and other["pupils"] is None
    assert send.suppressed_note(out.filter(pl.col("area") == OLDHAM)) is None


def test_needs_for_chart_keeps_the_largest_and_groups_the_rest() -> None:
    counts = {("EHC plan", need): float(100 - i) for i, need in enumerate(PRIMARY_NEEDS)}
    out = send.needs(None, _published_needs(counts), la_code="353", time_period=202425,
                     provision="EHC plan", school_label=None)
    chart = send.needs_for_chart(out)
    assert chart.height == send.MAX_PARTS
    assert chart["part"].to_list()[:2] == list(PRIMARY_NEEDS[:2])
    assert chart["part"][-1] == send.OTHER_NEEDS
    assert chart["pupils"].sum() == pytest.approx(out["pupils"].sum())
    assert chart["share"].sum() == pytest.approx(100.0)


def _row(area: str, group: str, measure: str, value: float | None) -> dict:
    return {"area": area, "time_period": 202425, "time_identifier": "Academic year",
            "pupil_group": group, "measure": measure, "value": value,
            "symbol": None if value is not None else "c"}


def test_gaps_to_pupils_with_no_sen() -> None:
    rows = pl.DataFrame([
        _row(OLDHAM, "No SEN", "overall_absence", 6.0),
        _row(OLDHAM, "SEN support", "overall_absence", 8.5),
        _row(OLDHAM, "EHC plan", "overall_absence", 10.0),
        _row(OLDHAM, "All pupils", "overall_absence", 7.0),
        _row(ENGLAND, "No SEN", "suspension_rate", 5.0),
        _row(ENGLAND, "EHC plan", "suspension_rate", 17.25),
        _row("A school", "No SEN", "overall_absence", None),
        _row("A school", "EHC plan", "overall_absence", 9.0),
    ])
    out = send.gaps(rows)
    gaps = {(m, c, a): g for m, c, a, g in out.select("measure", "category", "area",
                                                       "gap").iter_rows()}
    assert gaps[("overall_absence", "SEN support", OLDHAM)] == pytest.approx(2.5)
    assert gaps[("overall_absence", "EHC plan", OLDHAM)] == pytest.approx(4.0)
    assert gaps[("suspension_rate", "EHC plan", ENGLAND)] == pytest.approx(12.25)
    assert gaps[("overall_absence", "EHC plan", "A school")] is None
    assert "All pupils" not in out["category"].to_list()
    assert out["measure"].to_list()[0] == "overall_absence"  # measures in the chart's order
    assert set(out["unit"]) == {"%", "per 100"}


def test_gaps_of_nothing_are_an_empty_frame() -> None:
    empty = pl.DataFrame([_row(OLDHAM, "All pupils", "overall_absence", 7.0)])
    assert send.gaps(empty).is_empty()
