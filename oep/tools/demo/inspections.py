"""Judgements of the demo schools: Ofsted's (graded inspections to November 2025, report cards
after) and the partnership's own reviews, both following each school's strength."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

import numpy as np
import polars as pl

from oep.data.schema import (
    JUDGEMENT_ASPECTS,
    JUDGEMENTS,
    OFSTED_GRADES,
    OVERALL_EFFECTIVENESS,
    REPORT_CARD_GRADES,
)
from oep.tools.demo.calibration import (
    ALL_THROUGH,
    ASPECT_MISSING_SHARE,
    EARLIER_GRADE_CHANGE,
    EARLY_YEARS_AREA,
    JUDGEMENT_CUTS,
    JUDGEMENT_NOISE,
    LAST_GRADED_DAY,
    NOT_INSPECTED_SHARE,
    NURSERY,
    OFSTED_MIX,
    OFSTED_NOISE,
    OFSTED_WINDOW_START,
    PRIMARY,
    REPORT_CARD_AREAS,
    REPORT_CARD_CUTS,
    REPORT_CARD_NOISE,
    REPORT_CARD_SHARE,
    REPORT_CARDS_FROM,
    REPORT_CARDS_TO,
    REVIEWED_SHARE,
    SAFEGUARDING_AREA,
    SECONDARY,
    SIXTH_FORM_AREA,
)
from oep.tools.demo.draws import dates
from oep.tools.demo.register import Schools


@dataclass(frozen=True)
class Inspections:
    frame: pl.DataFrame
    inspected: np.ndarray  # (N,) has a graded inspection
    grade: np.ndarray  # (N,) index into OFSTED_GRADES of the latest graded inspection
    report_card: np.ndarray  # (N,) inspected under report cards since November 2025


def _grade_cuts(noise: float) -> np.ndarray:
    """Where to cut strength + noise (normal, variance 1 + noise^2) so that the grades come in
    the proportions of OFSTED_MIX, best first."""
    above = 1.0 - np.cumsum(OFSTED_MIX)[:-1]
    scale = float(np.sqrt(1.0 + noise * noise))
    return np.array([NormalDist().inv_cdf(p) for p in above]) * scale


def ofsted(rng: np.random.Generator, sch: Schools) -> Inspections:
    n = len(sch.urn)
    score = sch.strength.mean(axis=0) + rng.normal(0.0, OFSTED_NOISE, n)
    cuts = _grade_cuts(OFSTED_NOISE)
    grade = np.select([score > cuts[0], score > cuts[1], score > cuts[2]], [0, 1, 2], 3)
    inspected = rng.random(n) > NOT_INSPECTED_SHARE
    window_start = OFSTED_WINDOW_START[grade]
    span = (LAST_GRADED_DAY - window_start).astype(int)
    latest = window_start + (rng.random(n) * (span + 1)).astype("timedelta64[D]")
    earlier = inspected & (rng.random(n) < 0.6)
    earlier_date = latest - rng.integers(900, 1800, n).astype("timedelta64[D]")
    earlier_grade = np.clip(grade + rng.choice([-1, 0, 1], n, p=EARLIER_GRADE_CHANGE), 0, 3)
    graded_urns = [u for u, i in zip(sch.urn, inspected) if i]
    earlier_urns = [u for u, e in zip(sch.urn, earlier) if e]
    graded = pl.DataFrame({
        "urn": graded_urns + earlier_urns,
        "inspection_date": np.concatenate([latest[inspected], earlier_date[earlier]]),
        "framework": "Graded",
        "area": OVERALL_EFFECTIVENESS,
        "grade": [OFSTED_GRADES[g] for g in np.concatenate([grade[inspected],
                                                            earlier_grade[earlier]])],
    })

    # A handful were inspected under the report-card framework since November 2025.
    carded = rng.choice(np.flatnonzero(inspected), max(3, round(REPORT_CARD_SHARE * n)),
                        replace=False)
    report_card = np.isin(np.arange(n), carded)
    rc_date = dates(rng, REPORT_CARDS_FROM, REPORT_CARDS_TO, n)
    rows: list[tuple[str, date, str, str]] = []
    for i in np.flatnonzero(report_card):
        kind = int(sch.kind[i])
        areas = list(REPORT_CARD_AREAS)
        if kind in (PRIMARY, NURSERY, ALL_THROUGH):
            areas.append(EARLY_YEARS_AREA)
        if kind in (SECONDARY, ALL_THROUGH):
            areas.append(SIXTH_FORM_AREA)
        area_score = sch.strength[-1, i] + rng.normal(0.0, REPORT_CARD_NOISE, len(areas))
        grades = np.select([area_score > cut for cut in REPORT_CARD_CUTS],
                           range(len(REPORT_CARD_CUTS)), len(REPORT_CARD_CUTS))
        day = rc_date[i].item()
        rows += [(sch.urn[i], day, a, REPORT_CARD_GRADES[g]) for a, g in zip(areas, grades)]
        unsafe = sch.strength[-1, i] < -1.5 and rng.random() < 0.5
        rows.append((sch.urn[i], day, SAFEGUARDING_AREA, "Not met" if unsafe else "Met"))
    cards = pl.DataFrame(
        rows, orient="row",
        schema={"urn": pl.String, "inspection_date": pl.Date, "area": pl.String,
                "grade": pl.String},
    ).with_columns(framework=pl.lit("Report card"))
    frame = pl.concat([graded, cards.select(graded.columns)])
    return Inspections(frame, inspected, grade, report_card)


def judgements(rng: np.random.Generator, sch: Schools) -> tuple[pl.DataFrame, np.ndarray]:
    """The partnership's own judgements, and which schools have every aspect judged; some
    schools have none yet, some miss an aspect."""
    n = len(sch.urn)
    reviewed = rng.random(n) < REVIEWED_SHARE
    judged_on = dates(rng, np.datetime64("2025-12-01"), np.datetime64("2026-07-15"), n)
    score = (sch.strength[-1][:, None]
             + rng.normal(0.0, JUDGEMENT_NOISE, (n, len(JUDGEMENT_ASPECTS))))
    judgement = np.select([score > JUDGEMENT_CUTS[0], score > JUDGEMENT_CUTS[1]], [0, 1], 2)
    present = reviewed[:, None] & (rng.random(score.shape) > ASPECT_MISSING_SHARE)
    school, aspect = np.nonzero(present)
    frame = pl.DataFrame({
        "urn": [sch.urn[i] for i in school],
        "judged_on": judged_on[school],
        "aspect": [JUDGEMENT_ASPECTS[a] for a in aspect],
        "judgement": [JUDGEMENTS[j] for j in judgement[school, aspect]],
    })
    return frame, present.all(axis=1)
