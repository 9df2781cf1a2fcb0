"""The demo's numbers: England's published series, the borough's mix of schools, needs and
inspection grades, and how schools, groups, terms and areas depart from England.

Every other module of the demo draws around these; changing a figure here is how the demo is
calibrated. Arrays indexed by kind of school follow PRIMARY..NURSERY; by pupil group,
``PUPIL_GROUPS``; by comparator phase, ``PHASES``.

The target is a borough as a board would recognise it: most schools Good, so most suggested
Universal, a minority Targeted, a few Intensive (seed 353: 58, 34 and 8 of 100). The rules make
Universal demand a lot (progress above national and attendance good in each of three years, every
partnership judgement Effective), so besides England's Ofsted mix three things get it there:
absence and progress follow each school's strength closely (the schools that miss one condition
tend to miss the others, as the grades do), and the borough does a little better than England on
both (BOROUGH_ABSENCE, BOROUGH_PROGRESS).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from oep.data.schema import (
    ACADEMIC_YEAR,
    ALL_PUPILS,
    AUTUMN,
    EHC_PLAN,
    ENGLAND_CODE,
    FSM,
    LOCAL_AUTHORITY,
    NATIONAL,
    NEIGHBOURS,
    NEIGHBOURS_CODE,
    NO_SEN,
    NORTH_WEST_CODE,
    OLDHAM_LA_CODE,
    PUPIL_GROUPS,
    REGIONAL,
    SEN_SUPPORT,
    SPRING,
    SUMMER,
    TOTAL_PHASE,
)

# --- the demo's date ---------------------------------------------------------------------------
# The demo stands at the start of the 2026/27 academic year: 2025/26 is the latest year of data.
LATEST_YEAR_END = 2026
LATEST_CALENDAR_YEAR = 2025
LOADED_AT = datetime(2026, 9, 1)
MIN_SCHOOLS = 20

# --- kinds of school -------------------------------------------------------------------------
PRIMARY, SECONDARY, SPECIAL, PRU, ALL_THROUGH, NURSERY = range(6)
# Oldham's mix (GIAS, open state-funded schools), scaled to any number of schools.
KIND_SHARE = np.array([0.79, 0.13, 0.05, 0.01, 0.01, 0.01])
# GIAS PhaseOfEducation (name) of each kind.
KIND_PHASE = ("Primary", "Secondary", "Not applicable", "Not applicable", "All-through", "Nursery")
# GIAS TypeOfEstablishment (name) with its share within each kind (Oldham's mix, GIAS).
KIND_TYPES: tuple[tuple[tuple[str, float], ...], ...] = (
    (("Community school", 0.40), ("Voluntary aided school", 0.12),
     ("Voluntary controlled school", 0.04), ("Foundation school", 0.03),
     ("Academy converter", 0.28), ("Academy sponsor led", 0.10), ("Free schools", 0.03)),
    (("Community school", 0.08), ("Voluntary aided school", 0.14), ("Foundation school", 0.06),
     ("Academy converter", 0.40), ("Academy sponsor led", 0.25), ("Free schools", 0.07)),
    (("Community special school", 0.6), ("Academy special converter", 0.4)),
    (("Pupil referral unit", 1.0),),
    (("Academy sponsor led", 0.5), ("Free schools", 0.5)),
    (("Local authority nursery school", 1.0),),
)
ACADEMY_TYPES = frozenset(
    {"Academy converter", "Academy sponsor led", "Free schools", "Academy special converter"}
)
# Establishment number ranges in the LA's numbering (laestab = 353 + 4 digits): (first, span).
KIND_ESTAB = ((2001, 1999), (4001, 499), (7001, 999), (1101, 99), (4501, 499), (1001, 99))
# Pupils on roll (GIAS, Oldham): (median, spread of the log, minimum, maximum).
KIND_PUPILS = ((320, 0.30, 90, 750), (1100, 0.25, 500, 2000), (150, 0.30, 60, 300),
               (60, 0.35, 20, 150), (1500, 0.20, 800, 2400), (90, 0.25, 40, 160))
# FSM eligibility by kind in the latest year (Oldham is above England's 26%).
KIND_FSM = np.array([0.28, 0.27, 0.45, 0.55, 0.30, 0.15])
# EHC plans and SEN support relative to England's all-schools share (special/PRU: own shares).
KIND_EHC = np.array([0.58, 0.52, 0.0, 3.0, 0.55, 0.50])
KIND_SEN_SUPPORT = np.array([1.05, 0.92, 0.0, 0.0, 0.95, 0.80])
PRU_SEN_SUPPORT = 0.55
SPECIAL_SEN_SUPPORT = 0.02
# About one school in eight has not signed the MoU.
NON_MEMBER_SHARE = 0.12

# --- England's published series (key = calendar year in which the academic year ends) ------------
# Pupil absence in schools in England, state-funded, full year (%).
NAT_OVERALL = {2017: 4.7, 2018: 4.8, 2019: 4.7, 2020: 4.6, 2021: 4.7, 2022: 7.6, 2023: 7.4,
               2024: 7.1, 2025: 6.9, 2026: 6.8}
NAT_PERSISTENT = {2017: 10.8, 2018: 11.2, 2019: 10.9, 2020: 13.1, 2021: 12.1, 2022: 22.5,
                  2023: 22.3, 2024: 20.7, 2025: 20.0, 2026: 18.8}
NAT_SEVERE = {2017: 0.8, 2018: 0.8, 2019: 0.9, 2020: 1.0, 2021: 1.1, 2022: 1.7, 2023: 2.0,
              2024: 2.1, 2025: 2.2, 2026: 2.2}
NAT_UNAUTHORISED_SHARE = {2017: 0.28, 2018: 0.29, 2019: 0.30, 2020: 0.27, 2021: 0.30,
                          2022: 0.28, 2023: 0.31, 2024: 0.34, 2025: 0.33, 2026: 0.33}
# Special educational needs in England (January census, all schools).
NAT_EHC_PCT = {2017: 2.8, 2018: 2.9, 2019: 3.1, 2020: 3.3, 2021: 3.7, 2022: 4.0, 2023: 4.3,
               2024: 4.8, 2025: 5.3, 2026: 5.7}
NAT_SEN_SUPPORT_PCT = {2017: 11.6, 2018: 11.7, 2019: 11.9, 2020: 12.1, 2021: 12.2, 2022: 12.6,
                       2023: 13.0, 2024: 13.6, 2025: 14.2, 2026: 14.6}
# Schools, pupils and their characteristics (January census): pupils and FSM eligibility.
NAT_PUPILS = {2017: 8.67e6, 2018: 8.74e6, 2019: 8.82e6, 2020: 8.89e6, 2021: 8.91e6,
              2022: 8.97e6, 2023: 9.07e6, 2024: 9.09e6, 2025: 9.03e6, 2026: 8.98e6}
NAT_FSM_PCT = {2017: 14.1, 2018: 13.6, 2019: 15.4, 2020: 17.3, 2021: 20.8, 2022: 22.5,
               2023: 23.8, 2024: 24.6, 2025: 25.7, 2026: 26.2}
# Suspensions and permanent exclusions in England (per 100 pupils).
NAT_SUSPENSION_RATE = {2017: 4.76, 2018: 5.08, 2019: 5.36, 2020: 3.76, 2021: 4.25, 2022: 6.91,
                       2023: 9.33, 2024: 11.31, 2025: 11.9, 2026: 12.3}
NAT_PERM_EXCL_RATE = {2017: 0.10, 2018: 0.10, 2019: 0.10, 2020: 0.06, 2021: 0.05, 2022: 0.08,
                      2023: 0.11, 2024: 0.13, 2025: 0.13, 2026: 0.14}
# Key stage 2 (reading, writing and maths) and key stage 4 (English and maths grade 4+) expected
# standard; None: not published (no assessments in the pandemic years 2019/20 and 2020/21).
NAT_ATTAINMENT_PRIMARY = {2017: 61.0, 2018: 64.0, 2019: 65.0, 2020: None, 2021: None,
                          2022: 59.0, 2023: 59.0, 2024: 61.0, 2025: 62.0, 2026: 62.0}
NAT_ATTAINMENT_SECONDARY = {2017: 63.9, 2018: 64.2, 2019: 64.6, 2020: None, 2021: None,
                            2022: 69.0, 2023: 65.1, 2024: 65.1, 2025: 64.8, 2026: 65.0}
# Education, health and care plans: new plans issued within 20 weeks, excluding exceptions
# (calendar year, %).
NAT_EHCP_20WK = {2016: 55.7, 2017: 64.9, 2018: 60.1, 2019: 60.3, 2020: 58.0, 2021: 59.9,
                 2022: 49.2, 2023: 50.3, 2024: 46.4, 2025: 46.0}


def series(table: dict[int, float | None], ends: np.ndarray) -> np.ndarray:
    """A published series at the given year ends (NaN: not published); years outside are held."""
    first, last = min(table), max(table)
    values = [table[min(max(int(e), first), last)] for e in ends]
    return np.array([np.nan if v is None else v for v in values], dtype=float)


# --- pupil groups ------------------------------------------------------------------------------
GROUP_INDEX = {group: i for i, group in enumerate(PUPIL_GROUPS)}
G_ALL, G_SEN_SUPPORT, G_EHC, G_NO_SEN, G_FSM = (
    GROUP_INDEX[g] for g in (ALL_PUPILS, SEN_SUPPORT, EHC_PLAN, NO_SEN, FSM)
)
# The three groups that partition all pupils; "All pupils" figures are built from them.
PARTITION = np.array([G_SEN_SUPPORT, G_EHC, G_NO_SEN])


def by_group(values: dict[str, float], default: float = 1.0) -> np.ndarray:
    """A per-group array in PUPIL_GROUPS order; groups not named get ``default``."""
    return np.array([values.get(group, default) for group in PUPIL_GROUPS])


# --- absence -----------------------------------------------------------------------------------
# The demo borough is one where most schools are Good and most are Universal: the partnership's
# "good attendance" (settings.toml: primary overall absence at most 6.0% and persistent absence at
# most 17% three years running) sits near England's primary average, so such a borough misses a
# little less than England (absence relative to England's).
BOROUGH_ABSENCE = 0.87
# Suspensions relative to England's: Oldham suspends more than England does.
BOROUGH_SUSPENSIONS = 1.1
# Absence relative to England's total, by kind (England by phase, 2023/24: primary 5.5%,
# secondary 8.7%, special 12.1% of a total 7.1%).
KIND_ABSENCE = np.array([0.78, 1.23, 1.70, 4.60, 1.10, 1.25])
# A school's own absence (log scale): how much strength moves it, its lasting noise and the yearly
# noise that carries over (AR(1) with ABSENCE_CARRY). Strength dominates, so the schools that miss
# "good attendance" are mostly the weaker ones, as the Ofsted grades are.
ABSENCE_STRENGTH = 0.25
ABSENCE_NOISE = 0.05
ABSENCE_YEARLY = 0.04
ABSENCE_CARRY = 0.6
# Absence of each pupil group relative to the school's pupils (England's gaps, 2023/24).
MAINSTREAM_ABSENCE = by_group({SEN_SUPPORT: 1.40, EHC_PLAN: 1.65, NO_SEN: 0.92, FSM: 1.50})
SPECIAL_ABSENCE = by_group({SEN_SUPPORT: 0.95, EHC_PLAN: 1.0, NO_SEN: 0.85, FSM: 1.12})
# By kind (PRU: little difference between groups).
KIND_GROUP_ABSENCE = np.stack([
    MAINSTREAM_ABSENCE, MAINSTREAM_ABSENCE, SPECIAL_ABSENCE,
    by_group({SEN_SUPPORT: 1.0, EHC_PLAN: 1.05, NO_SEN: 0.95, FSM: 1.08}),
    MAINSTREAM_ABSENCE,
    by_group({SEN_SUPPORT: 1.2, EHC_PLAN: 1.35, NO_SEN: 0.97, FSM: 1.25}),
])
# Unauthorised share of absence: shifts by kind, group and term (holidays in summer).
KIND_UNAUTHORISED = np.array([0.0, 0.04, -0.06, 0.20, 0.02, -0.05])
GROUP_UNAUTHORISED = by_group({SEN_SUPPORT: 0.04, EHC_PLAN: -0.03, NO_SEN: -0.01, FSM: 0.08}, 0.0)
TERMS_AND_YEAR = (AUTUMN, SPRING, SUMMER, ACADEMIC_YEAR)
# Possible sessions (half days) per pupil in each of TERMS_AND_YEAR.
TERM_SESSIONS = np.array([140.0, 120.0, 120.0, 380.0])
TERM_WEIGHT = np.array([0.38, 0.32, 0.30])  # share of the year's sessions in each term
_RAW_TERM = np.array([0.94, 1.0, 1.08])  # autumn lowest, summer highest
TERM_FACTOR = _RAW_TERM / float(_RAW_TERM @ TERM_WEIGHT)
TERM_UNAUTHORISED = np.array([-0.01, -0.01, 0.025])
# Persistent and severe absence rise steeply with overall absence (on the logit scale); 1.6 gives
# England's persistent absence by phase (primary about 15%, secondary 26%, special 38%, AP 75%
# in 2023/24) from each phase's overall absence.
PERSISTENT_SLOPE = 1.6
SEVERE_SLOPE = 2.0

# --- suspensions and exclusions ----------------------------------------------------------------
# Relative to England's rate, by kind and group (England by phase and SEN status, 2023/24).
KIND_SUSPENSIONS = np.array([0.17, 2.2, 1.15, 5.5, 1.5, 0.01])
MAINSTREAM_SUSPENSIONS = by_group({SEN_SUPPORT: 3.0, EHC_PLAN: 2.3, NO_SEN: 0.62})
LEVEL_SUSPENSIONS = by_group({NO_SEN: 0.8})
KIND_GROUP_SUSPENSIONS = np.stack([
    MAINSTREAM_SUSPENSIONS, MAINSTREAM_SUSPENSIONS, LEVEL_SUSPENSIONS, LEVEL_SUSPENSIONS,
    MAINSTREAM_SUSPENSIONS, MAINSTREAM_SUSPENSIONS,
])
KIND_PERM_EXCL = np.array([0.12, 2.4, 0.4, 1.5, 1.6, 0.0])
GROUP_PERM_EXCL = by_group({SEN_SUPPORT: 3.5, EHC_PLAN: 1.5, NO_SEN: 0.55})
# FSM-eligible pupils are this many times as likely to be suspended or excluded as their peers.
FSM_RISK = 4.0
SUSPENSIONS_PER_PUPIL_SUSPENDED = 2.4

# --- progress and attainment -------------------------------------------------------------------
OUTCOME_KINDS = (PRIMARY, SECONDARY, ALL_THROUGH)
# Progress 8 across a borough's schools has a spread of about 0.25: strength, lasting school noise
# and yearly noise. The floor and coasting levels in settings.toml then catch the weakest tenth or
# so, as they do in practice.
PROGRESS_STRENGTH = 0.27
PROGRESS_NOISE = 0.06
PROGRESS_YEARLY = 0.04
# The borough's mean progress (England's is 0). Universal needs progress above national three
# years running, so a borough where most schools are Universal is above England on progress.
BOROUGH_PROGRESS = 0.25

# --- inspections and the partnership's judgements ----------------------------------------------
# Graded inspections ran until early November 2025; report cards from 10 November 2025.
LAST_GRADED_DAY = np.datetime64("2025-11-07")
REPORT_CARDS_FROM = np.datetime64("2025-11-10")
REPORT_CARDS_TO = np.datetime64("2026-07-15")
# Latest graded outcomes, shares of Outstanding, Good, Requires improvement, Inadequate: about
# England's (Ofsted, state-funded schools, 31 August 2025: nine in ten Good or Outstanding).
OFSTED_MIX = np.array([0.16, 0.74, 0.08, 0.02])
# The noise between a school's strength and its grade (sd, strength being standard normal).
OFSTED_NOISE = 0.4
# Earliest date of a latest inspection by grade: weaker grades are re-inspected within 30 months,
# Good and Outstanding within about four years (the usual cycle after the pandemic delay; the
# formerly exempt Outstanding schools were inspected again from 2021).
OFSTED_WINDOW_START = np.array(["2021-09-06", "2021-09-06", "2022-09-05", "2023-09-04"],
                               dtype="datetime64[D]")
NOT_INSPECTED_SHARE = 0.01  # new schools not yet inspected
# Six in ten schools show an earlier graded inspection, one grade better, the same or one grade
# worse than the latest in these shares (so few schools are Requires improvement twice running).
EARLIER_GRADE_CHANGE = (0.3, 0.55, 0.15)
# Report card evaluation areas (Ofsted, November 2025); "Safeguarding" is met / not met.
REPORT_CARD_AREAS = (
    "Inclusion",
    "Curriculum and teaching",
    "Achievement",
    "Attendance and behaviour",
    "Personal development and well-being",
    "Leadership and governance",
)
EARLY_YEARS_AREA = "Early years"
SIXTH_FORM_AREA = "Sixth form"
SAFEGUARDING_AREA = "Safeguarding"
REPORT_CARD_SHARE = 0.05  # inspected under report cards since November 2025
# Strength (plus noise per area) above which an area is Exceptional, Strong, Expected standard,
# Needs attention; most areas of the first report cards were Expected standard or Strong.
REPORT_CARD_CUTS = (1.6, 0.6, -1.3, -2.2)
REPORT_CARD_NOISE = 0.4
# The partnership's reviews: share of schools reviewed, of aspects left out of a review, and the
# strength above which an aspect is Effective, else Some concerns (Not effective below the next).
REVIEWED_SHARE = 0.95
ASPECT_MISSING_SHARE = 0.01
JUDGEMENT_NOISE = 0.4
JUDGEMENT_CUTS = (-1.6, -2.5)

# --- comparator areas ------------------------------------------------------------------------
# Comparator phases of the published tables and the kinds of school each covers.
PHASE_KINDS: dict[str, tuple[int, ...]] = {
    TOTAL_PHASE: (PRIMARY, SECONDARY, SPECIAL, PRU, ALL_THROUGH, NURSERY),
    "Primary": (PRIMARY,),
    "Secondary": (SECONDARY,),
    "Special": (SPECIAL,),
}
PHASES = tuple(PHASE_KINDS)
OUTCOME_PHASES = (TOTAL_PHASE, "Primary", "Secondary")
# England by phase, relative to the total: pupils, absence, SEN shares, FSM, suspensions.
PHASE_PUPILS = np.array([1.0, 0.52, 0.39, 0.018])
PHASE_ABSENCE = np.array([1.0, 0.78, 1.23, 1.70])
PHASE_EHC = np.array([1.0, 0.56, 0.54, np.nan])  # special: SPECIAL_EHC_PCT
PHASE_SEN_SUPPORT = np.array([1.0, 1.04, 0.92, np.nan])  # special: SPECIAL_SEN_SUPPORT_PCT
SPECIAL_EHC_PCT = 97.5
SPECIAL_SEN_SUPPORT_PCT = 1.6
PHASE_FSM = np.array([1.0, 1.02, 0.95, 1.75])
PHASE_UNAUTHORISED = np.array([0.0, 0.0, 0.04, -0.06])
PHASE_SUSPENSIONS = np.array([1.0, 0.17, 2.2, 1.15])
PHASE_PERM_EXCL = np.array([1.0, 0.12, 2.4, 0.4])


@dataclass(frozen=True)
class PublishedArea:
    """A published comparator area and how it departs from England."""

    code: str
    name: str
    pupils: float  # size relative to England
    absence: float  # absence rates relative to England
    unauthorised: float  # points added to the unauthorised share
    ehc: float
    sen_support: float
    suspensions: float
    attainment: float  # percentage points added
    progress: float  # score added
    ehcp_20wk: float  # percentage points added


PUBLISHED_AREAS = {
    NATIONAL: PublishedArea(ENGLAND_CODE, "England", 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0),
    REGIONAL: PublishedArea(NORTH_WEST_CODE, "North West", 0.125, 1.035, 0.01, 1.05, 0.98, 1.12,
                            -1.0, -0.03, -4.0),
    NEIGHBOURS: PublishedArea(NEIGHBOURS_CODE, "Statistical neighbours", 0.05, 1.055, 0.02, 1.08,
                              1.03, 1.2, -2.5, -0.07, -2.0),
}
LA_NAME = "Oldham"
AREA_NAMES = {LOCAL_AUTHORITY: LA_NAME, **{lvl: a.name for lvl, a in PUBLISHED_AREAS.items()}}
AREA_CODES = {LOCAL_AUTHORITY: OLDHAM_LA_CODE,
              **{lvl: a.code for lvl, a in PUBLISHED_AREAS.items()}}

# --- primary needs ---------------------------------------------------------------------------
# England's primary needs (shares of pupils with each provision, in PRIMARY_NEEDS order).
NEEDS_SEN_SUPPORT = np.array([0.09, 0.017, 0.19, 0.003, 0.02, 0.001, 0.20, 0.25, 0.003, 0.13,
                              0.01, 0.04, 0.046])
NEEDS_EHC = np.array([0.34, 0.02, 0.08, 0.003, 0.04, 0.007, 0.17, 0.22, 0.03, 0.03, 0.01, 0.05,
                      0.0])
# Special schools, PRUs and nurseries: their own mixes (autism, SLD/PMLD; SEMH; speech).
NEEDS_SPECIAL = np.array([0.38, 0.01, 0.07, 0.005, 0.03, 0.09, 0.15, 0.05, 0.19, 0.005, 0.005,
                          0.015, 0.0])
NEEDS_PRU_SEN_SUPPORT = np.array([0.08, 0.0, 0.07, 0.0, 0.0, 0.0, 0.65, 0.08, 0.0, 0.04, 0.0,
                                  0.04, 0.04])
NEEDS_PRU_EHC = np.array([0.20, 0.0, 0.06, 0.0, 0.0, 0.0, 0.60, 0.08, 0.0, 0.03, 0.0, 0.03, 0.0])
NEEDS_NURSERY_SEN_SUPPORT = np.array([0.15, 0.02, 0.015, 0.005, 0.04, 0.0, 0.0, 0.55, 0.0, 0.0,
                                      0.02, 0.05, 0.15])
NEEDS_NURSERY_EHC = np.array([0.35, 0.05, 0.0, 0.03, 0.10, 0.10, 0.0, 0.25, 0.07, 0.0, 0.05,
                              0.0, 0.0])
# Need mix per kind: (SEN support, EHC plan).
KIND_NEEDS = (
    (NEEDS_SEN_SUPPORT, NEEDS_EHC), (NEEDS_SEN_SUPPORT, NEEDS_EHC),
    (NEEDS_SPECIAL, NEEDS_SPECIAL), (NEEDS_PRU_SEN_SUPPORT, NEEDS_PRU_EHC),
    (NEEDS_SEN_SUPPORT, NEEDS_EHC), (NEEDS_NURSERY_SEN_SUPPORT, NEEDS_NURSERY_EHC),
)
SEN_PROVISIONS = (SEN_SUPPORT, EHC_PLAN)
