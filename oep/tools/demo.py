"""The synthetic demo store: fictional schools with realistic, correlated figures.

``build_demo_store`` writes a complete store (register, partnership records, Ofsted, every
indicator with its comparators) from one seed, so a presenter can open the dashboard with nothing
real on screen. Everything comes from ``numpy.random.default_rng(seed)`` drawn in a fixed order and
no clock is read, so the same arguments give the same rows in every table.

How the figures hang together (so pages show patterns, not noise):

* each school has a latent *strength* (standard normal, drifting a little from year to year); it
  drives absence (weaker -> more), progress and attainment, suspensions, the Ofsted grade and the
  partnership's own judgements;
* national figures follow the DfE's published England series (absence, SEN, suspensions, EHC plan
  timeliness), so school values move with the national trend plus persistent school noise;
* pupil groups are consistent: SEN support + EHC plan + no SEN = all pupils, absence and
  suspensions of "All pupils" are built from those three groups, and small groups give small
  counts. The termly absence figures stand for the DfE's published files, so groups of one or two
  pupils show ``c`` there; the full-year figures stand for the LA's own data and keep the numbers
  (the app suppresses them for everyone but the LA). Empty groups' rates are ``z``, as are figures
  that do not apply (nursery persistent absence, special schools' outcomes), and outcomes of the
  pandemic years are ``x``;
* the LA rows are the "published borough figures": enrolment-weighted aggregates over every demo
  school, computed from unrounded values, as the DfE computes them from pupil-level data.

Names are invented from made-up word parts, URNs are seven digits starting ``99`` (real URNs have
six), trusts and the diocese carry "Demo" in their names.

The whole build is vectorised (arrays of years x schools x terms x groups) and indicators are
inserted measure by measure, ordered by (measure, geo_level, time_period, area_code) so DuckDB's
zone maps can skip row groups when pages filter on those columns.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from oep.data import catalogue
from oep.data.schema import (
    ACADEMIC_YEAR,
    ALL_PUPILS,
    AUTUMN,
    CALENDAR_YEAR,
    EHC_PLAN,
    ENGLAND_CODE,
    FSM,
    JUDGEMENT_ASPECTS,
    JUDGEMENTS,
    LOCAL_AUTHORITY,
    NATIONAL,
    NEIGHBOURS,
    NEIGHBOURS_CODE,
    NO_SEN,
    NORTH_WEST_CODE,
    OFSTED_GRADES,
    OLDHAM_LA_CODE,
    OVERALL_EFFECTIVENESS,
    PRIMARY_NEEDS,
    PUPIL_GROUPS,
    REGIONAL,
    REPORT_CARD_GRADES,
    SCHOOL,
    SEN_SUPPORT,
    SPRING,
    SUMMER,
    TOTAL_PHASE,
)
from oep.data.store import add_source, rebuilding

Progress = Callable[[str, float], None]

# The demo stands at the start of the 2026/27 academic year: 2025/26 is the latest year of data.
LATEST_YEAR_END = 2026
LATEST_CALENDAR_YEAR = 2025
LOADED_AT = datetime(2026, 9, 1)
MIN_SCHOOLS = 20

PARTNER_ORG = "DIOCESE-DEMO"
ACTIVE_LINK = (np.datetime64("2025-09-01"), np.datetime64("2027-08-31"))
EXPIRED_LINK = (np.datetime64("2022-09-01"), np.datetime64("2024-07-31"))
# Graded inspections ran until early November 2025; report cards from 10 November 2025.
LAST_GRADED_DAY = np.datetime64("2025-11-07")
REPORT_CARDS_FROM = np.datetime64("2025-11-10")
REPORT_CARDS_TO = np.datetime64("2026-07-15")
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

# --- kinds of school -------------------------------------------------------------------------
PRIMARY, SECONDARY, SPECIAL, PRU, ALL_THROUGH, NURSERY = range(6)
# Oldham's mix, scaled to any number of schools (every kind at least once).
KIND_SHARE = np.array([0.79, 0.13, 0.05, 0.01, 0.01, 0.01])
# GIAS PhaseOfEducation (name) of each kind.
KIND_PHASE = ("Primary", "Secondary", "Not applicable", "Not applicable", "All-through", "Nursery")
# GIAS TypeOfEstablishment (name) with its share within each kind.
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
# Name endings by kind and type; "{}" is the invented place name.
NAME_TEMPLATES: dict[tuple[int, str], tuple[str, ...]] = {
    (PRIMARY, "Community school"): ("{} Primary School", "{} Community Primary School",
                                    "{} Infant and Nursery School"),
    (PRIMARY, "Voluntary aided school"): ("{} RC Primary School", "{} CofE Primary School"),
    (PRIMARY, "Voluntary controlled school"): ("{} CofE Primary School",),
    (PRIMARY, "Foundation school"): ("{} Primary School",),
    (PRIMARY, "Academy converter"): ("{} Primary Academy", "{} Primary School"),
    (PRIMARY, "Academy sponsor led"): ("{} Primary Academy",),
    (PRIMARY, "Free schools"): ("{} Free Primary School",),
    (SECONDARY, "Community school"): ("{} High School",),
    (SECONDARY, "Voluntary aided school"): ("{} RC High School", "{} CofE High School"),
    (SECONDARY, "Foundation school"): ("{} School",),
    (SECONDARY, "Academy converter"): ("{} Academy", "{} High School"),
    (SECONDARY, "Academy sponsor led"): ("{} Academy",),
    (SECONDARY, "Free schools"): ("{} Free School",),
    (SPECIAL, "Community special school"): ("{} Special School",),
    (SPECIAL, "Academy special converter"): ("{} Special Academy",),
    (PRU, "Pupil referral unit"): ("{} Pupil Referral Unit", "{} Learning Centre"),
    (ALL_THROUGH, "Academy sponsor led"): ("{} All-through Academy",),
    (ALL_THROUGH, "Free schools"): ("{} All-through Free School",),
    (NURSERY, "Local authority nursery school"): ("{} Nursery School",),
}
# Establishment number ranges in the LA's numbering (laestab = 353 + 4 digits).
KIND_ESTAB = ((2001, 1999), (4001, 499), (7001, 999), (1101, 99), (4501, 499), (1001, 99))
# Pupils on roll: (median, spread of the log, minimum, maximum).
KIND_PUPILS = ((320, 0.30, 90, 750), (1100, 0.25, 500, 2000), (150, 0.30, 60, 300),
               (60, 0.35, 20, 150), (1500, 0.20, 800, 2400), (90, 0.25, 40, 160))
KIND_FSM = np.array([0.28, 0.27, 0.45, 0.55, 0.30, 0.15])
# EHC plans and SEN support relative to England's all-schools share (special/PRU: own shares).
KIND_EHC = np.array([0.58, 0.52, 0.0, 3.0, 0.55, 0.50])
KIND_SEN_SUPPORT = np.array([1.05, 0.92, 0.0, 0.0, 0.95, 0.80])
PRU_SEN_SUPPORT = 0.55
SPECIAL_SEN_SUPPORT = 0.02

# --- invented names ----------------------------------------------------------------------------
STEMS = (
    "Brack", "Cawl", "Dunn", "Elsk", "Fenn", "Garr", "Harl", "Jessel", "Kell", "Lum", "Marl",
    "Nettle", "Orl", "Pell", "Quarn", "Rook", "Skel", "Tarn", "Umber", "Vell", "Wrang", "Yarr",
    "Hollin", "Brin", "Cragg", "Daw", "Elder", "Fell", "Glim", "Heathe", "Ivel", "Kest", "Lark",
    "Merl", "Nab", "Pike", "Rill", "Sorrel", "Thrush", "Wimble", "Hask", "Mosk", "Bramb", "Corr",
    "Dell", "Eskle", "Fald", "Gorse", "Hobb", "Iley", "Jorr", "Knaw", "Lidd", "Mirk", "Norl",
    "Osk", "Pren", "Quill", "Rusk", "Sedge", "Tull", "Ulla", "Vard", "Whin", "Yeld", "Zell",
    "Brem", "Cusk", "Drum", "Frith",
)
ENDINGS = (
    "brook", "bank", "beck", "by", "cliffe", "combe", "dale", "den", "edge", "field", "fold",
    "ford", "gate", "ham", "holme", "hurst", "ley", "low", "mere", "moor", "royd", "side",
    "stead", "thorpe", "ton", "well", "wick", "worth", "bridge", "cote", "croft", "garth",
    "haugh", "lea", "mead", "nook", "ridge", "rigg", "scar", "shaw", "slack", "stone", "thwaite",
    "wood", "yate",
)
QUALIFIERS = ("North", "South", "East", "West", "Upper", "Lower", "High", "Little", "Great", "Old",
              "New", "Nether", "Far", "Middle", "Over")
# Places and school names of Oldham that an invented name must never reproduce.
REAL_OLDHAM_NAMES = frozenset({
    "hollinwood", "moorside", "springhead", "greenfield", "greenacres", "northmoor", "limehurst",
    "firbank", "bealvale", "coppice", "roundthorn", "hodgeclough", "holts", "woodhouses",
    "lyndhurst", "kingsland", "thornham", "clarksfield", "westwood", "werneth", "hathershaw",
    "crompton", "royton", "shaw", "delph", "diggle", "dobcross", "uppermill", "grasscroft",
    "austerlands", "scouthead", "derker", "fittonhill", "limeside", "failsworth", "chadderton",
    "coldhurst", "glodwick", "waterhead", "watersheddings", "sholver", "heyside", "millshill",
    "firwood", "lydgate", "friezland", "denshaw", "springfield", "broadfield", "beever",
    "burnleybrow", "knowsley", "buckstones", "richmond", "rushcroft", "whitegate", "medlock",
    "stanleyroad", "horton", "hollinsbrook", "blackshaw", "alt", "lees", "saddleworth",
})
TRIPLED = re.compile(r"(.)\1\1")  # "Rill" + "lea": no name with a letter three times over
TRUST_STEMS = ("Pennine", "Moorland", "Millstone", "Gritstone", "Bracken", "Curlew", "Lapwing",
               "Kestrel", "Heather", "Spindle", "Weaver", "Beacon", "Summit", "Horizon", "Compass",
               "Lantern", "Northern Lights", "Cotton Mill", "Canal Side", "Ridgeway")
TRUST_KINDS = ("Learning Trust", "Academies Trust", "Education Trust", "Schools Trust",
               "Multi-Academy Trust")
FIRST_NAMES = ("Alex", "Sam", "Jordan", "Priya", "Imran", "Hannah", "Tom", "Aisha", "Chris",
               "Fatima", "Rachel", "Daniel", "Nadia", "Owen", "Zara", "Ruth", "Bilal", "Megan",
               "Ian", "Sadia", "Gareth", "Leanne", "Tariq", "Joanne")
SURNAMES = ("Brackworth", "Fennimore", "Harlowe", "Kestrell", "Marland", "Nettleford",
            "Pellingham", "Quarnby", "Rookwood", "Skelbrook", "Tarnside", "Vellacott",
            "Wrangham", "Yarrowby", "Glimsworth", "Larkbeck", "Sorrelby", "Thrushley")
SUPPORT_PURPOSES = ("Attendance", "SEND", "Leadership", "Curriculum", "Early years")

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
NAT_PUPILS = {2017: 8.67e6, 2018: 8.74e6, 2019: 8.82e6, 2020: 8.89e6, 2021: 8.91e6,
              2022: 8.97e6, 2023: 9.07e6, 2024: 9.09e6, 2025: 9.03e6, 2026: 8.98e6}
NAT_FSM_PCT = {2017: 14.1, 2018: 13.6, 2019: 15.4, 2020: 17.3, 2021: 20.8, 2022: 22.5,
               2023: 23.8, 2024: 24.6, 2025: 25.7, 2026: 26.2}
# Suspensions and permanent exclusions (per 100 pupils).
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
# New EHC plans issued within 20 weeks, excluding exceptions (calendar year, %).
NAT_EHCP_20WK = {2016: 55.7, 2017: 64.9, 2018: 60.1, 2019: 60.3, 2020: 58.0, 2021: 59.9,
                 2022: 49.2, 2023: 50.3, 2024: 46.4, 2025: 46.0}

# --- how schools depart from England ---------------------------------------------------------
# Oldham is somewhat worse than England on absence and suspensions.
OLDHAM_ABSENCE = 1.05
OLDHAM_SUSPENSIONS = 1.1
OLDHAM_PROGRESS = -0.05
# Absence relative to the national total, by kind of school.
KIND_ABSENCE = np.array([0.80, 1.23, 1.70, 4.60, 1.10, 1.25])
GROUP_INDEX = {group: i for i, group in enumerate(PUPIL_GROUPS)}
G_ALL, G_SEN_SUPPORT, G_EHC, G_NO_SEN, G_FSM = (
    GROUP_INDEX[g] for g in (ALL_PUPILS, SEN_SUPPORT, EHC_PLAN, NO_SEN, FSM)
)
# The three groups that partition all pupils; "All pupils" figures are built from them.
PARTITION = np.array([G_SEN_SUPPORT, G_EHC, G_NO_SEN])


def _by_group(values: dict[str, float], default: float = 1.0) -> np.ndarray:
    """A per-group array in PUPIL_GROUPS order; groups not named get ``default``."""
    return np.array([values.get(group, default) for group in PUPIL_GROUPS])


MAINSTREAM_ABSENCE = _by_group({SEN_SUPPORT: 1.40, EHC_PLAN: 1.65, NO_SEN: 0.92, FSM: 1.50})
SPECIAL_ABSENCE = _by_group({SEN_SUPPORT: 0.95, EHC_PLAN: 1.0, NO_SEN: 0.85, FSM: 1.12})
# Absence of each pupil group relative to the school's pupils, by kind (PRU: little difference).
KIND_GROUP_ABSENCE = np.stack([
    MAINSTREAM_ABSENCE, MAINSTREAM_ABSENCE, SPECIAL_ABSENCE,
    _by_group({SEN_SUPPORT: 1.0, EHC_PLAN: 1.05, NO_SEN: 0.95, FSM: 1.08}),
    MAINSTREAM_ABSENCE,
    _by_group({SEN_SUPPORT: 1.2, EHC_PLAN: 1.35, NO_SEN: 0.97, FSM: 1.25}),
])
# Unauthorised share of absence: shifts by kind, group and term (holidays in summer).
KIND_UNAUTHORISED = np.array([0.0, 0.04, -0.06, 0.20, 0.02, -0.05])
GROUP_UNAUTHORISED = _by_group({SEN_SUPPORT: 0.04, EHC_PLAN: -0.03, NO_SEN: -0.01, FSM: 0.08}, 0.0)
TERMS_AND_YEAR = (AUTUMN, SPRING, SUMMER, ACADEMIC_YEAR)
# Possible sessions (half days) per pupil in each of TERMS_AND_YEAR.
TERM_SESSIONS = np.array([140.0, 120.0, 120.0, 380.0])
TERM_WEIGHT = np.array([0.38, 0.32, 0.30])  # share of the year's sessions in each term
_RAW_TERM = np.array([0.94, 1.0, 1.08])  # autumn lowest, summer highest
TERM_FACTOR = _RAW_TERM / float(_RAW_TERM @ TERM_WEIGHT)
TERM_UNAUTHORISED = np.array([-0.01, -0.01, 0.025])
# Persistent and severe absence rise steeply with overall absence (on the logit scale).
PERSISTENT_SLOPE = 1.3
SEVERE_SLOPE = 2.0
# Suspensions relative to the national rate, by kind and group; permanent exclusions likewise.
KIND_SUSPENSIONS = np.array([0.17, 2.2, 1.15, 5.5, 1.5, 0.01])
MAINSTREAM_SUSPENSIONS = _by_group({SEN_SUPPORT: 3.0, EHC_PLAN: 2.3, NO_SEN: 0.62})
LEVEL_SUSPENSIONS = _by_group({NO_SEN: 0.8})
KIND_GROUP_SUSPENSIONS = np.stack([
    MAINSTREAM_SUSPENSIONS, MAINSTREAM_SUSPENSIONS, LEVEL_SUSPENSIONS, LEVEL_SUSPENSIONS,
    MAINSTREAM_SUSPENSIONS, MAINSTREAM_SUSPENSIONS,
])
KIND_PERM_EXCL = np.array([0.12, 2.4, 0.4, 1.5, 1.6, 0.0])
GROUP_PERM_EXCL = _by_group({SEN_SUPPORT: 3.5, EHC_PLAN: 1.5, NO_SEN: 0.55})
# FSM-eligible pupils are this many times as likely to be suspended or excluded as their peers.
FSM_RISK = 4.0
SUSPENSIONS_PER_PUPIL_SUSPENDED = 2.4
OUTCOME_KINDS = (PRIMARY, SECONDARY, ALL_THROUGH)
# The figures by which the demo's member heads' schools are picked as ordinary.
TYPICAL_MEASURES = frozenset({"overall_absence", "persistent_absence", "progress", "attainment",
                              "sen_support_pct", "ehc_plan_pct", "suspension_rate"})

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
PHASE_ABSENCE = np.array([1.0, 0.80, 1.23, 1.70])
PHASE_EHC = np.array([1.0, 0.56, 0.54, np.nan])  # special: SPECIAL_EHC_PCT
PHASE_SEN_SUPPORT = np.array([1.0, 1.04, 0.92, np.nan])  # special: SPECIAL_SEN_SUPPORT_PCT
SPECIAL_EHC_PCT = 97.5
SPECIAL_SEN_SUPPORT_PCT = 1.6
PHASE_FSM = np.array([1.0, 1.02, 0.95, 1.75])
PHASE_UNAUTHORISED = np.array([0.0, 0.0, 0.04, -0.06])
PHASE_SUSPENSIONS = np.array([1.0, 0.17, 2.2, 1.15])
PHASE_PERM_EXCL = np.array([1.0, 0.12, 2.4, 0.4])
# England's primary needs (shares of pupils with each provision).
NEEDS_SEN_SUPPORT = np.array([0.09, 0.017, 0.19, 0.003, 0.02, 0.001, 0.20, 0.25, 0.003, 0.13,
                              0.01, 0.04, 0.046])
NEEDS_EHC = np.array([0.34, 0.02, 0.08, 0.003, 0.04, 0.007, 0.17, 0.22, 0.03, 0.03, 0.01, 0.05,
                      0.0])
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

# Published symbols the demo uses; code 0 = a plain number.
SYMBOL_CODES = ("c", "z", "x")
NO_SYMBOL, SYM_C, SYM_Z, SYM_X = range(4)


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


# --- small helpers ---------------------------------------------------------------------------
def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1.0 - p))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _series(table: dict[int, float | None], ends: np.ndarray) -> np.ndarray:
    """A published series at the given year ends (NaN: not published); years outside are held."""
    first, last = min(table), max(table)
    values = [table[min(max(int(e), first), last)] for e in ends]
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _academic_period(year_end: int) -> int:
    """2026 -> 202526, the DfE's time_period for the academic year 2025/26."""
    return (year_end - 1) * 100 + year_end % 100


def _dates(rng: np.random.Generator, start: np.datetime64, end: np.datetime64,
           size: int | tuple[int, ...]) -> np.ndarray:
    days = (end - start).astype(int)
    return start + rng.integers(0, days + 1, size).astype("timedelta64[D]")


def _ar1(rng: np.random.Generator, years: int, n: int, rho: float) -> np.ndarray:
    """Standard-normal noise per school and year that carries over from one year to the next."""
    out = np.empty((years, n))
    out[0] = rng.standard_normal(n)
    for y in range(1, years):
        out[y] = rho * out[y - 1] + np.sqrt(1 - rho * rho) * rng.standard_normal(n)
    return out


def _persons(rng: np.random.Generator, n: int) -> list[str]:
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(SURNAMES), n)
    return [f"{FIRST_NAMES[f]} {SURNAMES[s]}" for f, s in zip(first, last)]


# --- the register ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Schools:
    """The demo schools and their yearly pupil numbers (index = position in URN order)."""

    urn: list[str]
    kind: np.ndarray  # (N,) one of PRIMARY..NURSERY
    member: np.ndarray  # (N,) MoU signed
    year_ends: np.ndarray  # (Y,) oldest first
    strength: np.ndarray  # (Y, N) latent quality, standard normal
    enrol: np.ndarray  # (Y, N, G) pupils in each pupil group (January census)

    @property
    def periods(self) -> np.ndarray:
        return np.array([_academic_period(int(e)) for e in self.year_ends], dtype=np.int32)

    def kind_mask(self, phase: str) -> np.ndarray:
        return np.isin(self.kind, PHASE_KINDS[phase])


def _kind_counts(n: int) -> np.ndarray:
    """Oldham's mix scaled to n schools, every kind at least once, summing to n."""
    exact = KIND_SHARE * n
    counts = np.maximum(1, np.floor(exact)).astype(int)
    order = np.argsort(-(exact - np.floor(exact)), kind="stable")
    i = 0
    while counts.sum() < n:
        counts[order[i % len(order)]] += 1
        i += 1
    counts[PRIMARY] -= counts.sum() - n
    return counts


def _places(rng: np.random.Generator) -> list[str]:
    """Unique invented place names: plain stem+ending first, qualified ones after."""
    plain = [s + e for s in STEMS for e in ENDINGS
             if (s + e).lower() not in REAL_OLDHAM_NAMES and not TRIPLED.search(s + e)]
    plain = [plain[i] for i in rng.permutation(len(plain))]
    qualified = [f"{q} {p}" for q in QUALIFIERS for p in plain]
    return plain + [qualified[i] for i in rng.permutation(len(qualified))]


def _trust_names(count: int, spare_places: list[str]) -> list[str]:
    curated = [f"{stem} Demo {TRUST_KINDS[i % len(TRUST_KINDS)]}"
               for i, stem in enumerate(TRUST_STEMS)]
    curated += [f"{stem} Demo {kind}" for kind in TRUST_KINDS for stem in TRUST_STEMS
                if f"{stem} Demo {kind}" not in curated]
    extra = [f"{place} Demo {TRUST_KINDS[i % len(TRUST_KINDS)]}"
             for i, place in enumerate(spare_places[: max(0, count - len(curated))])]
    return (curated + extra)[:count]


def _register(rng: np.random.Generator, n: int, kind: np.ndarray) -> pl.DataFrame:
    """Establishments (without pupils and source): names, types, trusts, addresses."""
    places = _places(rng)
    if n > len(places):
        raise ValueError(f"at most {len(places)} demo schools can be named")
    school_type: list[str] = []
    name: list[str] = []
    laestab: list[str] = []
    seen = np.zeros(len(KIND_PHASE), dtype=int)
    type_draw = rng.random(n)
    template_draw = rng.random(n)
    for i in range(n):
        k = int(kind[i])
        types = KIND_TYPES[k]
        cumulative = np.cumsum([share for _, share in types])
        t = types[min(int(np.searchsorted(cumulative, type_draw[i] * cumulative[-1])),
                      len(types) - 1)][0]
        templates = NAME_TEMPLATES[(k, t)]
        school_type.append(t)
        name.append(templates[int(template_draw[i] * len(templates))].format(places[i]))
        start, span = KIND_ESTAB[k]
        laestab.append(f"{OLDHAM_LA_CODE}{start + seen[k] % span:04d}")
        seen[k] += 1
    academy = np.array([t in ACADEMY_TYPES for t in school_type])
    n_trusts = max(1, int(np.ceil(academy.sum() / 8)))
    trust_names = _trust_names(n_trusts, places[n:])
    trust_of = rng.integers(0, n_trusts, n)
    district = rng.integers(1, 17, n)
    sector = rng.integers(0, 10, n)
    unit = rng.integers(0, 3, n)
    return pl.DataFrame({
        "laestab": laestab,
        "la_code": [OLDHAM_LA_CODE] * n,
        "name": name,
        "school_type": school_type,
        "phase": [KIND_PHASE[int(k)] for k in kind],
        "status": ["Open"] * n,
        "trust": [trust_names[t] if a else None for t, a in zip(trust_of, academy)],
        "postcode": [f"OL{d} {s}Z{'XYZ'[u]}" for d, s, u in zip(district, sector, unit)],
        "easting": rng.integers(392000, 397001, n).astype(np.int32),
        "northing": rng.integers(402000, 408001, n).astype(np.int32),
    })


def _make_schools(rng: np.random.Generator, n: int, years: int) -> tuple[Schools, pl.DataFrame]:
    counts = _kind_counts(n)
    kind = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    register = _register(rng, n, kind)
    urn = [f"99{10001 + i:05d}" for i in range(n)]
    year_ends = np.arange(LATEST_YEAR_END - years + 1, LATEST_YEAR_END + 1)

    # Strength: the latest year's value drifts backwards in small steps, so it persists.
    latest = rng.standard_normal(n)
    steps = rng.normal(0.0, 0.12, (years - 1, n))
    walk = np.vstack([np.cumsum(steps[::-1], axis=0)[::-1], np.zeros((1, n))])
    strength = latest[None, :] + walk

    median, spread, low, high = (np.array(col, dtype=float) for col in zip(*KIND_PUPILS))
    base = median[kind] * np.exp(spread[kind] * rng.standard_normal(n))
    trend = rng.normal(0.0, 0.015, n)
    offset = (np.arange(years) - (years - 1))[:, None]
    pupils = base[None, :] * np.exp(trend[None, :] * offset + rng.normal(0, 0.02, (years, n)))
    pupils = np.clip(np.rint(pupils), low[kind], high[kind]).astype(np.int64)

    # FSM: poorer schools tend to be weaker; shares follow England's rising trend.
    fsm_logit = _logit(KIND_FSM[kind]) - 0.35 * latest + rng.normal(0, 0.45, n)
    nat_fsm = _series(NAT_FSM_PCT, year_ends) / 100
    fsm_share = _expit(fsm_logit[None, :] + _logit(nat_fsm)[:, None] - _logit(nat_fsm[-1]))
    fsm = rng.binomial(pupils, fsm_share)

    # SEN: mainstream shares follow England's trend; special schools are almost all EHC plans.
    nat_ehc = _series(NAT_EHC_PCT, year_ends)[:, None] / 100
    nat_ss = _series(NAT_SEN_SUPPORT_PCT, year_ends)[:, None] / 100
    ehc_share = nat_ehc * KIND_EHC[kind] * np.exp(rng.normal(0, 0.35, n))
    ss_share = nat_ss * KIND_SEN_SUPPORT[kind] * np.exp(rng.normal(0, 0.25, n))
    special = kind == SPECIAL
    ehc_share[:, special] = _expit(rng.normal(3.6, 0.5, special.sum()))
    ss_share[:, special] = SPECIAL_SEN_SUPPORT
    ss_share[:, kind == PRU] = PRU_SEN_SUPPORT
    ehc_share = np.clip(ehc_share, 0.0, 0.995)
    ehc = rng.binomial(pupils, ehc_share)
    sen_support = rng.binomial(pupils - ehc, np.clip(ss_share / (1 - ehc_share), 0.0, 0.99))

    enrol = np.zeros((years, n, len(PUPIL_GROUPS)), dtype=np.int64)
    enrol[..., G_ALL] = pupils
    enrol[..., G_SEN_SUPPORT] = sen_support
    enrol[..., G_EHC] = ehc
    enrol[..., G_NO_SEN] = pupils - sen_support - ehc
    enrol[..., G_FSM] = fsm

    # Non-members: about one school in eight, academies a little more often.
    n_non = max(3, round(0.12 * n))
    weight = np.where(register["trust"].is_null().to_numpy(), 1.0, 1.5)
    non_members = rng.choice(n, n_non, replace=False, p=weight / weight.sum())
    member = np.ones(n, dtype=bool)
    member[non_members] = False

    schools = Schools(urn, kind, member, year_ends, strength, enrol)
    register = register.with_columns(
        pl.Series("urn", urn), pl.Series("pupils", pupils[-1].astype(np.int32))
    )
    return schools, register


def _members_frame(rng: np.random.Generator, sch: Schools) -> pl.DataFrame:
    """The partnership register: every school, with MoU date and data controller if signed."""
    n = len(sch.urn)
    signed_on = _dates(rng, np.datetime64("2019-09-01"), np.datetime64("2025-07-15"), n)
    controllers = _persons(rng, n)
    return pl.DataFrame({
        "urn": sch.urn,
        "mou_signed": sch.member,
        "mou_signed_on": [d if m else None for d, m in zip(signed_on.tolist(), sch.member)],
        "data_controller": [c if m else None for c, m in zip(controllers, sch.member)],
    }, schema_overrides={"mou_signed_on": pl.Date})


# --- indicators --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cells:
    """Figures of one measure at one level: values (NaN where a symbol stands) and symbol codes."""

    value: np.ndarray
    symbol: np.ndarray


def _cells(value: np.ndarray, symbol: np.ndarray | None = None) -> Cells:
    if symbol is None:
        symbol = np.zeros(value.shape, dtype=np.int8)
    symbol = np.broadcast_to(symbol, value.shape).astype(np.int8)
    return Cells(np.where(symbol == NO_SYMBOL, value, np.nan), symbol)


@dataclass(frozen=True)
class Measure:
    """One measure's rows: school cells shaped (years, schools, terms, groups) and, per comparator
    level, cells shaped (years, phases, terms, groups)."""

    name: str
    periods: np.ndarray
    time_identifiers: tuple[str, ...]
    groups: tuple[str, ...]
    phases: tuple[str, ...]
    school: Cells | None
    areas: dict[str, Cells]


def _phase_sums(values: np.ndarray, sch: Schools, phases: Sequence[str]) -> np.ndarray:
    """Sum over the schools of each comparator phase: (Y, N, ...) -> (Y, P, ...)."""
    return np.stack([values[:, sch.kind_mask(p)].sum(axis=1) for p in phases], axis=1)


def _la_rate(values: np.ndarray, weights: np.ndarray, sch: Schools,
             phases: Sequence[str]) -> np.ndarray:
    """The borough's published rate: weighted over every school of each phase."""
    total = _phase_sums(weights, sch, phases)
    return _phase_sums(values * weights, sch, phases) / np.where(total > 0, total, 1.0)


def _group_symbols(enrol: np.ndarray, published: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symbols for (counts, rates) of pupil groups with ``enrol`` pupils: where the figures come
    from a published file (``published``), a group of one or two pupils is suppressed (c), as
    the DfE does; an empty group's rates are not applicable (z)."""
    counts = np.where(published & (enrol >= 1) & (enrol <= 2), SYM_C, NO_SYMBOL).astype(np.int8)
    rates = np.where(enrol == 0, SYM_Z, counts).astype(np.int8)
    return counts, rates


def _england_group_shares(year_ends: np.ndarray) -> np.ndarray:
    """England's share of pupils in each group, (Y, P, G) over PHASES."""
    special = PHASES.index("Special")
    ehc = _series(NAT_EHC_PCT, year_ends)[:, None] * PHASE_EHC / 100
    ss = _series(NAT_SEN_SUPPORT_PCT, year_ends)[:, None] * PHASE_SEN_SUPPORT / 100
    ehc[:, special] = SPECIAL_EHC_PCT / 100
    ss[:, special] = SPECIAL_SEN_SUPPORT_PCT / 100
    shares = np.empty((len(year_ends), len(PHASES), len(PUPIL_GROUPS)))
    shares[..., G_ALL] = 1.0
    shares[..., G_SEN_SUPPORT] = ss
    shares[..., G_EHC] = ehc
    shares[..., G_NO_SEN] = 1.0 - ss - ehc
    shares[..., G_FSM] = _series(NAT_FSM_PCT, year_ends)[:, None] * PHASE_FSM / 100
    return shares


def _area_pupils(year_ends: np.ndarray, area: PublishedArea) -> np.ndarray:
    """Pupils of a published area in each phase and group, (Y, P, G)."""
    pupils = _series(NAT_PUPILS, year_ends)[:, None] * PHASE_PUPILS * area.pupils
    return np.rint(pupils[..., None] * _england_group_shares(year_ends))


def _attendance(rng: np.random.Generator, sch: Schools) -> list[Measure]:
    years, n = sch.strength.shape
    kind = sch.kind
    nat = _series(NAT_OVERALL, sch.year_ends)[:, None, None, None]
    nat_pa = _series(NAT_PERSISTENT, sch.year_ends)[:, None, None, None] / 100
    nat_sa = _series(NAT_SEVERE, sch.year_ends)[:, None, None, None] / 100
    nat_share = _series(NAT_UNAUTHORISED_SHARE, sch.year_ends)[:, None, None, None]
    enrol = sch.enrol.astype(float)

    # Overall absence per school, year, term and group: national level x kind x school effect
    # (weaker schools miss more) x term pattern x group gap (small groups vary more).
    effect = np.exp(-0.13 * sch.strength + 0.09 * rng.standard_normal(n)
                    + 0.05 * _ar1(rng, years, n, 0.6))
    base = nat[..., 0, 0] * KIND_ABSENCE[kind] * OLDHAM_ABSENCE * effect
    term = TERM_FACTOR * np.exp(rng.normal(0.0, 0.04, (years, n, len(TERM_FACTOR))))
    spread = 0.04 + 0.35 / np.sqrt(enrol + 1)
    group = KIND_GROUP_ABSENCE[kind] * np.exp(spread * rng.standard_normal(enrol.shape))
    overall_t = np.clip(base[..., None, None] * term[..., None] * group[:, :, None, :], 0.2, 95.0)
    share = np.clip(
        nat_share + KIND_UNAUTHORISED[kind][None, :, None, None]
        - 0.04 * sch.strength[..., None, None] + TERM_UNAUTHORISED[:, None] + GROUP_UNAUTHORISED
        + rng.normal(0.0, 0.03, (years, n, 1, len(PUPIL_GROUPS))),
        0.05, 0.9,
    )
    unauth_t = overall_t * share
    # The full year is the session-weighted mean of the terms.
    overall, unauth = (
        np.concatenate([t, (t * TERM_WEIGHT[:, None]).sum(2, keepdims=True)], axis=2)
        for t in (overall_t, unauth_t)
    )
    log_ratio = np.log(overall / nat)
    noise_shape = (years, n, 1, len(PUPIL_GROUPS))
    persistent = 100 * _expit(_logit(nat_pa) + PERSISTENT_SLOPE * log_ratio
                              + rng.normal(0.0, 0.1, noise_shape))
    severe = 100 * _expit(_logit(nat_sa) + SEVERE_SLOPE * log_ratio
                          + rng.normal(0.0, 0.1, noise_shape))
    weights = enrol[:, :, None, PARTITION]
    for figures in (overall, unauth, persistent, severe):
        figures[..., G_ALL] = (figures[..., PARTITION] * weights).sum(-1) / weights.sum(-1)

    # The termly figures come from the DfE's published (suppressed) files; the full year's are
    # the LA's own and keep tiny groups' numbers, which the app suppresses for other viewers.
    termly = np.array([t != ACADEMIC_YEAR for t in TERMS_AND_YEAR])[:, None]
    count_sym, rate_sym = _group_symbols(sch.enrol[:, :, None, :], termly)
    # Persistent and severe absence do not apply below compulsory school age.
    pupils_of_age = np.where((kind == NURSERY)[None, :, None, None], SYM_Z, rate_sym)
    enrol_t = np.broadcast_to(enrol[:, :, None, :], overall.shape)
    symbols = {
        "overall_absence": rate_sym, "unauthorised_absence": rate_sym,
        "authorised_absence": rate_sym, "persistent_absence": pupils_of_age,
        "severe_absence": pupils_of_age, "enrolments": count_sym,
        # Session counts give away the rate they make, so they are withheld with it.
        "sessions_possible": count_sym, "sessions_overall": rate_sym,
        "sessions_authorised": rate_sym, "sessions_unauthorised": rate_sym,
    }
    school = {"overall_absence": overall, "unauthorised_absence": unauth,
              "persistent_absence": persistent, "severe_absence": severe, "enrolments": enrol_t}
    # The borough's figures count every pupil, suppressed or not, where the measure applies.
    la = {name: _la_rate(values, enrol_t * (symbols[name] != SYM_Z), sch, PHASES)
          for name, values in school.items() if name != "enrolments"}
    la["enrolments"] = np.broadcast_to(_phase_sums(enrol, sch, PHASES)[:, :, None, :],
                                       la["overall_absence"].shape)
    areas = {LOCAL_AUTHORITY: la} | {
        level: _published_absence(sch.year_ends, area) for level, area in PUBLISHED_AREAS.items()
    }
    cells: dict[str, dict[str, Cells]] = {}
    for level, figures in [(SCHOOL, school), *areas.items()]:
        overall_r = np.round(figures["overall_absence"], 1)
        unauth_r = np.round(figures["unauthorised_absence"], 1)
        rounded = {
            "overall_absence": overall_r,
            "unauthorised_absence": unauth_r,
            "authorised_absence": np.round(overall_r - unauth_r, 1),
            "persistent_absence": np.round(figures["persistent_absence"], 1),
            "severe_absence": np.round(figures["severe_absence"], 1),
            "enrolments": np.rint(figures["enrolments"]),
        }
        # Sessions as the DfE publishes them beside the rates: possible = pupils x sessions in
        # the period; missed from the unrounded rates (so a rate computed from them is exact).
        possible = np.rint(figures["enrolments"] * TERM_SESSIONS[:, None])
        rounded |= {
            "sessions_possible": possible,
            "sessions_overall": np.rint(possible * figures["overall_absence"] / 100),
            "sessions_authorised": np.rint(possible * (figures["overall_absence"]
                                                       - figures["unauthorised_absence"]) / 100),
            "sessions_unauthorised": np.rint(possible * figures["unauthorised_absence"] / 100),
        }
        cells[level] = {k: _cells(v, symbols[k] if level == SCHOOL else None)
                        for k, v in rounded.items()}
    return [
        Measure(name, sch.periods, TERMS_AND_YEAR, PUPIL_GROUPS, PHASES, cells[SCHOOL][name],
                {level: cells[level][name] for level in areas})
        for name in cells[SCHOOL]
    ]


def _published_absence(year_ends: np.ndarray, area: PublishedArea) -> dict[str, np.ndarray]:
    """A published area's absence, (Y, P, T, G): England's series shaped by phase, term and
    group, scaled by how the area departs from England."""
    nat = _series(NAT_OVERALL, year_ends)[:, None, None, None]
    phase_group = np.stack([MAINSTREAM_ABSENCE] * 3 + [SPECIAL_ABSENCE])
    term = np.append(TERM_FACTOR, 1.0)
    overall = (nat * PHASE_ABSENCE[:, None, None] * term[:, None] * phase_group[:, None, :]
               * area.absence)
    share = (_series(NAT_UNAUTHORISED_SHARE, year_ends)[:, None, None, None]
             + PHASE_UNAUTHORISED[:, None, None] + np.append(TERM_UNAUTHORISED, 0.0)[:, None]
             + GROUP_UNAUTHORISED + area.unauthorised)
    log_ratio = np.log(overall / nat)
    nat_pa = _series(NAT_PERSISTENT, year_ends)[:, None, None, None] / 100
    nat_sa = _series(NAT_SEVERE, year_ends)[:, None, None, None] / 100
    enrol = _area_pupils(year_ends, area)[:, :, None, :]
    return {
        "overall_absence": overall,
        "unauthorised_absence": overall * share,
        "persistent_absence": 100 * _expit(_logit(nat_pa) + PERSISTENT_SLOPE * log_ratio),
        "severe_absence": 100 * _expit(_logit(nat_sa) + SEVERE_SLOPE * log_ratio),
        "enrolments": np.broadcast_to(enrol, overall.shape),
    }


def _sen(rng: np.random.Generator, sch: Schools) -> tuple[list[Measure], dict[str, np.ndarray]]:
    """SEN counts and shares per school and area, and pupils by primary need (Y, A, 2, needs)."""
    counts = {
        "pupils": sch.enrol[..., G_ALL].astype(float),
        "sen_support": sch.enrol[..., G_SEN_SUPPORT].astype(float),
        "ehc_plan": sch.enrol[..., G_EHC].astype(float),
    }
    figures: dict[str, dict[str, np.ndarray]] = {
        SCHOOL: counts,
        LOCAL_AUTHORITY: {k: _phase_sums(v, sch, PHASES) for k, v in counts.items()},
    }
    # Areas differ from England in mainstream schools; special schools are alike everywhere.
    mainstream = np.array([phase != "Special" for phase in PHASES])
    for level, area in PUBLISHED_AREAS.items():
        pupils = _area_pupils(sch.year_ends, area)
        figures[level] = {
            "pupils": pupils[..., G_ALL],
            "sen_support": np.rint(pupils[..., G_SEN_SUPPORT]
                                   * np.where(mainstream, area.sen_support, 1.0)),
            "ehc_plan": np.rint(pupils[..., G_EHC] * np.where(mainstream, area.ehc, 1.0)),
        }
    cells: dict[str, dict[str, Cells]] = {}
    for level, f in figures.items():
        values = {
            **f,
            "sen_support_pct": np.round(100 * f["sen_support"] / f["pupils"], 1),
            "ehc_plan_pct": np.round(100 * f["ehc_plan"] / f["pupils"], 1),
        }
        cells[level] = {k: _cells(v.reshape(*v.shape, 1, 1)) for k, v in values.items()}
    measures = [
        Measure(name, sch.periods, (ACADEMIC_YEAR,), (ALL_PUPILS,), PHASES, cells[SCHOOL][name],
                {level: cells[level][name] for level in figures if level != SCHOOL})
        for name in cells[SCHOOL]
    ]
    return measures, _needs(rng, sch)


def _needs(rng: np.random.Generator, sch: Schools) -> dict[str, np.ndarray]:
    """Pupils by provision and primary need, (Y, areas, 2, needs) per level; each school's need
    mix varies around its kind's and the counts add up to its SEN support and EHC plan totals."""
    years, n = sch.strength.shape
    provision_totals = sch.enrol[..., [G_SEN_SUPPORT, G_EHC]]  # (Y, N, 2)
    mix = np.empty((n, len(SEN_PROVISIONS), len(PRIMARY_NEEDS)))
    for k, kind_mix in enumerate(KIND_NEEDS):
        rows = sch.kind == k
        for p, need_mix in enumerate(kind_mix):
            draw = rng.gamma(60.0 * need_mix, size=(int(rows.sum()), len(PRIMARY_NEEDS)))
            mix[rows, p] = draw / draw.sum(axis=1, keepdims=True)
    school = rng.multinomial(provision_totals, mix[None]).astype(float)
    needs = {SCHOOL: school, LOCAL_AUTHORITY: school.sum(axis=1, keepdims=True)}
    national_mix = np.stack([NEEDS_SEN_SUPPORT, NEEDS_EHC])
    total = PHASES.index(TOTAL_PHASE)
    for level, area in PUBLISHED_AREAS.items():
        pupils = _area_pupils(sch.year_ends, area)[:, total]
        with_provision = pupils[:, [G_SEN_SUPPORT, G_EHC]] * [area.sen_support, area.ehc]
        needs[level] = np.rint(with_provision[:, None, :, None] * national_mix)
    return needs


def _suspensions(rng: np.random.Generator, sch: Schools) -> list[Measure]:
    years, n = sch.strength.shape
    kind = sch.kind
    enrol = sch.enrol
    nat_rate = _series(NAT_SUSPENSION_RATE, sch.year_ends)[:, None, None] / 100
    nat_pe = _series(NAT_PERM_EXCL_RATE, sch.year_ends)[:, None, None] / 100
    group_susp = KIND_GROUP_SUSPENSIONS[kind]
    # Weaker schools suspend more; a school's habit persists; overdispersed counts (gamma).
    habit = np.exp(-0.45 * sch.strength + 0.25 * rng.standard_normal(n))[..., None]
    expected = (nat_rate * enrol * KIND_SUSPENSIONS[kind][:, None] * group_susp * habit
                * OLDHAM_SUSPENSIONS * rng.gamma(4.0, 0.25, enrol.shape))
    expected_pe = (nat_pe * enrol * KIND_PERM_EXCL[kind][:, None] * GROUP_PERM_EXCL
                   * np.exp(-0.5 * sch.strength)[..., None] * OLDHAM_SUSPENSIONS)
    suspensions = np.zeros(enrol.shape, dtype=np.int64)
    suspended = np.zeros(enrol.shape, dtype=np.int64)
    perm = np.zeros(enrol.shape, dtype=np.int64)
    part = suspensions[..., PARTITION] = rng.poisson(expected[..., PARTITION])
    # A suspended pupil has on average SUSPENSIONS_PER_PUPIL_SUSPENDED suspensions.
    suspended[..., PARTITION] = np.minimum(
        np.where(part > 0, 1 + rng.binomial(np.maximum(part - 1, 0),
                                            1 / SUSPENSIONS_PER_PUPIL_SUSPENDED), 0),
        enrol[..., PARTITION])
    perm[..., PARTITION] = np.minimum(rng.poisson(expected_pe[..., PARTITION]),
                                      enrol[..., PARTITION])
    for counts in (suspensions, suspended, perm):
        counts[..., G_ALL] = counts[..., PARTITION].sum(-1)
    # FSM pupils are a subset of all pupils: their counts are drawn out of the school's.
    p_fsm = _fsm_part(enrol[..., G_FSM] / enrol[..., G_ALL])
    suspensions[..., G_FSM] = rng.binomial(suspensions[..., G_ALL], p_fsm)
    suspended[..., G_FSM] = np.clip(rng.binomial(suspended[..., G_ALL], p_fsm),
                                    suspensions[..., G_FSM] > 0,
                                    np.minimum(suspensions[..., G_FSM], enrol[..., G_FSM]))
    perm[..., G_FSM] = np.minimum(rng.binomial(perm[..., G_ALL], p_fsm), enrol[..., G_FSM])

    figures: dict[str, dict[str, np.ndarray]] = {
        SCHOOL: {"suspensions": suspensions, "pupils_suspended": suspended, "perm_excl": perm,
                 "enrol": enrol},
    }
    figures[LOCAL_AUTHORITY] = {k: _phase_sums(v, sch, PHASES) for k, v in figures[SCHOOL].items()}
    special = PHASES.index("Special")
    phase_group = np.stack([MAINSTREAM_SUSPENSIONS] * len(PHASES))
    phase_group[special] = LEVEL_SUSPENSIONS
    for level, area in PUBLISHED_AREAS.items():
        pupils = _area_pupils(sch.year_ends, area)
        # FSM pupils' rate relative to all pupils, from their share and relative risk.
        fsm_share = pupils[..., G_FSM] / pupils[..., G_ALL]
        fsm = _fsm_part(fsm_share) / fsm_share
        rate = nat_rate * PHASE_SUSPENSIONS[:, None] * phase_group * area.suspensions
        pe_rate = nat_pe * PHASE_PERM_EXCL[:, None] * GROUP_PERM_EXCL * area.suspensions
        rate[..., G_FSM] *= fsm
        pe_rate[..., G_FSM] *= fsm
        count = np.rint(rate * pupils)
        figures[level] = {"suspensions": count,
                          "pupils_suspended": np.rint(count / SUSPENSIONS_PER_PUPIL_SUSPENDED),
                          "perm_excl": np.rint(pe_rate * pupils), "enrol": pupils}
    count_sym, rate_sym = _group_symbols(enrol, np.zeros(enrol.shape, dtype=bool))
    cells: dict[str, dict[str, Cells]] = {}
    for level, f in figures.items():
        denominator = np.where(f["enrol"] > 0, f["enrol"], 1)
        values = {
            "suspensions": f["suspensions"].astype(float),
            "pupils_suspended": f["pupils_suspended"].astype(float),
            "perm_excl": f["perm_excl"].astype(float),
            "suspension_rate": np.round(100 * f["suspensions"] / denominator, 2),
            "perm_excl_rate": np.round(100 * f["perm_excl"] / denominator, 2),
        }
        if level == SCHOOL:
            cells[level] = {k: _cells(v[:, :, None, :], (rate_sym if k.endswith("rate")
                                                         else count_sym)[:, :, None, :])
                            for k, v in values.items()}
        else:
            cells[level] = {k: _cells(v[:, :, None, :]) for k, v in values.items()}
    return [
        Measure(name, sch.periods, (ACADEMIC_YEAR,), PUPIL_GROUPS, PHASES, cells[SCHOOL][name],
                {level: cells[level][name] for level in figures if level != SCHOOL})
        for name in cells[SCHOOL]
    ]


def _fsm_part(fsm_share: np.ndarray) -> np.ndarray:
    """Share of a school's suspensions (or exclusions) that fall to its FSM-eligible pupils."""
    risk = FSM_RISK * fsm_share
    return risk / (risk + 1 - fsm_share)


def _outcomes(rng: np.random.Generator, sch: Schools) -> list[Measure]:
    """Progress (0 = national average) and attainment for schools with tested pupils."""
    years, n = sch.strength.shape
    primary = _series(NAT_ATTAINMENT_PRIMARY, sch.year_ends)
    secondary = _series(NAT_ATTAINMENT_SECONDARY, sch.year_ends)
    # Spread like Progress 8 across a borough's schools (sd about 0.25): the floor and coasting
    # levels in settings.toml then catch the weakest tenth or so, as they do in practice.
    progress = (0.2 * sch.strength + 0.12 * rng.standard_normal(n)
                + 0.08 * rng.standard_normal((years, n)) + OLDHAM_PROGRESS)
    national = np.where((sch.kind == PRIMARY)[None, :], primary[:, None], secondary[:, None])
    fsm_share = sch.enrol[..., G_FSM] / sch.enrol[..., G_ALL]
    attainment = np.clip(national + 15 * progress - 12 * (fsm_share - 0.25)
                         + rng.normal(0.0, 3.0, (years, n)), 5.0, 99.0)
    unpublished = np.isnan(primary)[:, None]
    symbol = np.where(unpublished, SYM_X,
                      np.where(np.isin(sch.kind, OUTCOME_KINDS), NO_SYMBOL, SYM_Z)[None, :])
    weights = sch.enrol[..., G_ALL] * (symbol == NO_SYMBOL)
    school = {"progress": np.round(progress, 2), "attainment": np.round(attainment, 0)}
    la = {"progress": np.round(_la_rate(progress, weights, sch, OUTCOME_PHASES), 2),
          "attainment": np.round(_la_rate(attainment, weights, sch, OUTCOME_PHASES), 1)}
    area_symbol = np.where(np.isnan(primary), SYM_X, NO_SYMBOL)[:, None, None, None]
    areas: dict[str, dict[str, Cells]] = {
        LOCAL_AUTHORITY: {k: _cells(v[..., None, None], area_symbol) for k, v in la.items()},
    }
    nat_attainment = np.stack([(primary + secondary) / 2, primary, secondary], axis=1)
    for level, area in PUBLISHED_AREAS.items():
        areas[level] = {
            "progress": _cells(np.full((years, len(OUTCOME_PHASES), 1, 1), area.progress),
                               area_symbol),
            "attainment": _cells(np.round(nat_attainment + area.attainment, 1)[..., None, None],
                                 area_symbol),
        }
    return [
        Measure(name, sch.periods, (ACADEMIC_YEAR,), (ALL_PUPILS,), OUTCOME_PHASES,
                _cells(values[..., None, None], symbol[..., None, None]),
                {level: areas[level][name] for level in areas})
        for name, values in school.items()
    ]


def _ehcp_timeliness(rng: np.random.Generator, years: int) -> list[Measure]:
    """New EHC plans issued within 20 weeks: published for areas only, by calendar year."""
    calendar = np.arange(LATEST_CALENDAR_YEAR - years + 1, LATEST_CALENDAR_YEAR + 1)
    nat = _series(NAT_EHCP_20WK, calendar)
    offsets = {LOCAL_AUTHORITY: 5.0 + 10.0 * _ar1(rng, years, 1, 0.5)[:, 0]}
    offsets |= {level: area.ehcp_20wk + (0.0 if level == NATIONAL else rng.normal(0, 3, years))
                for level, area in PUBLISHED_AREAS.items()}
    excluding = {level: np.clip(nat + off, 5.0, 100.0) for level, off in offsets.items()}
    including = {level: np.maximum(v - rng.uniform(0.5, 2.5, years), 0.0)
                 for level, v in excluding.items()}
    return [
        Measure(name, calendar.astype(np.int32), (CALENDAR_YEAR,), (ALL_PUPILS,), (TOTAL_PHASE,),
                None, {lvl: _cells(np.round(v, 1).reshape(years, 1, 1, 1))
                       for lvl, v in series.items()})
        for name, series in (("ehcp_20wk_pct", excluding), ("ehcp_20wk_pct_inc_exc", including))
    ]


# --- inspections, judgements, links ------------------------------------------------------------
@dataclass(frozen=True)
class Inspections:
    frame: pl.DataFrame
    inspected: np.ndarray  # (N,) has a graded inspection
    grade: np.ndarray  # (N,) index into OFSTED_GRADES of the latest graded inspection
    report_card: np.ndarray  # (N,) inspected under report cards since November 2025


def _ofsted(rng: np.random.Generator, sch: Schools) -> Inspections:
    n = len(sch.urn)
    # About 15% Outstanding, 65% Good, 15% RI, 5% Inadequate: cut a noisy strength at the
    # matching quantiles of its distribution.
    score = sch.strength.mean(axis=0) + rng.normal(0.0, 0.5, n)
    cuts = np.array([1.036, -0.842, -1.645]) * np.sqrt(1.25)
    grade = np.select([score > cuts[0], score > cuts[1], score > cuts[2]], [0, 1, 2], 3)
    inspected = rng.random(n) > 0.01  # a few new schools not yet inspected
    # Weaker grades are recent (re-inspection within 30 months), Good ones within about four
    # years (the usual cycle after the pandemic delay); Outstanding ones can be old.
    window_start = np.array(["2015-01-05", "2021-09-06", "2022-09-05", "2023-09-04"],
                            dtype="datetime64[D]")[grade]
    span = (LAST_GRADED_DAY - window_start).astype(int)
    latest = window_start + (rng.random(n) * (span + 1)).astype("timedelta64[D]")
    earlier = inspected & (rng.random(n) < 0.6)
    earlier_date = latest - rng.integers(900, 1800, n).astype("timedelta64[D]")
    earlier_grade = np.clip(grade + rng.choice([-1, 0, 1], n, p=[0.2, 0.55, 0.25]), 0, 3)
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
    carded = rng.choice(np.flatnonzero(inspected), max(3, round(0.05 * n)), replace=False)
    report_card = np.isin(np.arange(n), carded)
    rc_date = _dates(rng, REPORT_CARDS_FROM, REPORT_CARDS_TO, n)
    rows: list[tuple[str, date, str, str]] = []
    for i in np.flatnonzero(report_card):
        kind = int(sch.kind[i])
        areas = list(REPORT_CARD_AREAS)
        if kind in (PRIMARY, NURSERY, ALL_THROUGH):
            areas.append(EARLY_YEARS_AREA)
        if kind in (SECONDARY, ALL_THROUGH):
            areas.append(SIXTH_FORM_AREA)
        area_score = sch.strength[-1, i] + rng.normal(0.0, 0.5, len(areas))
        grades = np.select([area_score > 1.6, area_score > 0.5, area_score > -0.9,
                            area_score > -1.8], [0, 1, 2, 3], 4)
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


def _judgements(rng: np.random.Generator, sch: Schools) -> tuple[pl.DataFrame, np.ndarray]:
    """The partnership's own judgements; some schools have none yet, some miss an aspect."""
    n = len(sch.urn)
    reviewed = rng.random(n) < 0.85
    judged_on = _dates(rng, np.datetime64("2025-12-01"), np.datetime64("2026-07-15"), n)
    score = sch.strength[-1][:, None] + rng.normal(0.0, 0.6, (n, len(JUDGEMENT_ASPECTS)))
    judgement = np.select([score > -1.1, score > -2.0], [0, 1], 2)
    present = reviewed[:, None] & (rng.random(score.shape) > 0.05)
    school, aspect = np.nonzero(present)
    frame = pl.DataFrame({
        "urn": [sch.urn[i] for i in school],
        "judged_on": judged_on[school],
        "aspect": [JUDGEMENT_ASPECTS[a] for a in aspect],
        "judgement": [JUDGEMENTS[j] for j in judgement[school, aspect]],
    })
    return frame, present.all(axis=1)


def _closest(candidates: np.ndarray, values: np.ndarray, target: float) -> int:
    return int(np.flatnonzero(candidates)[np.argmin(np.abs(values[candidates] - target))])


def _atypicality(sch: Schools, measures: list[Measure]) -> np.ndarray:
    """How far each primary school's latest figures lie from the middle of all primaries (sum of
    absolute z-scores); other schools are infinitely atypical."""
    primary = sch.kind == PRIMARY
    distance = np.zeros(len(sch.urn))
    for m in measures:
        if m.name in TYPICAL_MEASURES and m.school is not None:
            # Last period, last time identifier (the full year), first group (all pupils).
            latest = m.school.value[-1, :, -1, 0]
            centre, spread = np.nanmedian(latest[primary]), np.nanstd(latest[primary])
            distance += np.abs(latest - centre) / (spread or 1.0)
    return np.where(primary & np.isfinite(distance), distance, np.inf)


def _demo_orgs(sch: Schools, ofsted: Inspections, judged: np.ndarray,
               atypical: np.ndarray) -> dict[str, int]:
    """Schools the demo users belong to (indexes), each with the property its role needs; the
    member heads' schools are the most ordinary Good primaries with a full partnership review."""
    strength = sch.strength[-1]
    index = np.arange(len(sch.urn))
    good = ofsted.inspected & ~ofsted.report_card & (ofsted.grade == OFSTED_GRADES.index("Good"))
    ordinary = sch.member & (sch.kind == PRIMARY) & good & judged
    if not ordinary.any():
        ordinary = sch.member & (sch.kind == PRIMARY)
    head_member = _closest(ordinary, atypical, 0.0)
    # The SENCO's school has enough pupils with SEN for its SEND pages to show something.
    send = (ordinary & (index != head_member) & (sch.enrol[-1, :, G_EHC] >= 6)
            & (sch.enrol[-1, :, G_SEN_SUPPORT] >= 25))
    senco_member = _closest(send, atypical, 0.0) if send.any() else head_member
    strong = (sch.member & np.isin(sch.kind, (PRIMARY, SECONDARY)) & ofsted.inspected
              & (ofsted.grade <= 1) & ~np.isin(index, (head_member, senco_member)))
    supporter = int(np.flatnonzero(strong)[np.argmax(strength[strong])])
    non_members = ~sch.member
    plain = non_members & (sch.kind == PRIMARY)
    head_nonmember = _closest(plain if plain.any() else non_members, strength, 0.0)
    others = non_members & (index != head_nonmember)
    supported = int(np.flatnonzero(others)[np.argmin(strength[others])])
    others &= index != supported
    formerly_supported = int(np.flatnonzero(others)[np.argmin(strength[others])])
    return {"head_member": head_member, "senco_member": senco_member,
            "head_nonmember": head_nonmember, "supporter": supporter, "supported": supported,
            "formerly_supported": formerly_supported}


def _support_links(rng: np.random.Generator, sch: Schools, orgs: dict[str, int]) -> pl.DataFrame:
    """The demo's active and expired links to non-members, and member-to-member links from
    stronger to weaker schools (some current, some over, some open-ended)."""
    strength = sch.strength[-1]
    members = np.flatnonzero(sch.member)
    ranked = members[np.argsort(-strength[members], kind="stable")]
    third = max(1, len(ranked) // 3)
    strong = ranked[:third][ranked[:third] != orgs["supporter"]]
    weak = ranked[-third:]
    weak = weak[~np.isin(weak, (orgs["head_member"], orgs["senco_member"]))]
    k = max(3, round(0.04 * len(sch.urn)))
    providers = rng.choice(strong, k)
    supported = rng.choice(weak, k)
    # Links start at the start of a term and run to the end of an academic year.
    year = rng.integers(2022, 2026, k)
    term_start = np.array([0, 126, 231])[rng.integers(0, 3, k)].astype("timedelta64[D]")
    starts = np.array([f"{y}-09-01" for y in year], dtype="datetime64[D]") + term_start
    ends = np.array([f"{y + d}-08-31" for y, d in zip(year, rng.integers(1, 3, k))],
                    dtype="datetime64[D]")
    open_ended = rng.random(k) < 0.25
    purposes = rng.integers(0, len(SUPPORT_PURPOSES), k)
    first = [
        (orgs["supporter"], orgs["supported"], ACTIVE_LINK[0], ACTIVE_LINK[1], "Attendance"),
        (int(strong[0]), orgs["formerly_supported"], EXPIRED_LINK[0], EXPIRED_LINK[1],
         "Leadership"),
    ]
    rest = [(int(p), int(s), b, None if o else e, SUPPORT_PURPOSES[u])
            for p, s, b, e, o, u in zip(providers, supported, starts, ends, open_ended, purposes)]
    return pl.DataFrame(
        [(sch.urn[p], sch.urn[s], b.item(), None if e is None else e.item(), purpose)
         for p, s, b, e, purpose in first + rest],
        schema={"provider_urn": pl.String, "supported_urn": pl.String, "starts_on": pl.Date,
                "ends_on": pl.Date, "purpose": pl.String},
        orient="row",
    )


def _strategic_partners(rng: np.random.Generator) -> pl.DataFrame:
    controllers = _persons(rng, 3)
    return pl.DataFrame({
        "org": [PARTNER_ORG, "CATHOLIC-DEMO", "COLLEGE-DEMO"],
        "name": ["Diocese of Pennine Vale (demo)", "Catholic Diocese of Moorland (demo)",
                 "Millstone Demo Sixth Form College"],
        "partner_type": ["Diocese", "Diocese", "College"],
        "data_controller": controllers,
    })


# --- writing -----------------------------------------------------------------------------------
def _enum(codes: np.ndarray, categories: Sequence[str]) -> pl.Series:
    return pl.Series(codes, dtype=pl.UInt32).cat.to(pl.Enum(list(categories)))


def _axis_codes(shape: tuple[int, ...], axis: int) -> np.ndarray:
    """Position along ``axis`` of every element of an array of ``shape``, flattened in C order."""
    index = np.arange(shape[axis], dtype=np.uint32)
    index = index.reshape([-1 if i == axis else 1 for i in range(len(shape))])
    return np.broadcast_to(index, shape).ravel()


def _constant(value: str | None, n: int) -> pl.Series:
    if value is None:
        return pl.repeat(None, n, dtype=pl.String, eager=True)
    return _enum(np.zeros(n, dtype=np.uint32), [value])


def _indicator_frame(m: Measure, level: str, cells: Cells, urns: list[str],
                     source_id: int) -> pl.DataFrame:
    """Rows of one measure at one level, in (time_period, area_code) order: the cells' second
    axis is the school (school level) or the phase (comparators)."""
    shape = cells.value.shape
    n = cells.value.size
    if level == SCHOOL:
        area_code = _enum(_axis_codes(shape, 1), urns)
        phase = _constant(TOTAL_PHASE, n)
    else:
        area_code = _constant(AREA_CODES[level], n)
        phase = _enum(_axis_codes(shape, 1), m.phases)
    symbol = cells.symbol.ravel()
    return pl.DataFrame({
        "geo_level": _constant(level, n),
        "area_code": area_code,
        "area_name": _constant(AREA_NAMES.get(level), n),
        "phase": phase,
        "time_period": np.repeat(m.periods, n // len(m.periods)),
        "time_identifier": _enum(_axis_codes(shape, 2), m.time_identifiers),
        "pupil_group": _enum(_axis_codes(shape, 3), m.groups),
        "measure": _constant(m.name, n),
        "value": pl.Series(cells.value.ravel(), nan_to_null=True),
        "symbol": pl.Series(np.where(symbol > 0, symbol - 1.0, np.nan), nan_to_null=True)
        .cast(pl.UInt32).cat.to(pl.Enum(list(SYMBOL_CODES))),
        "source_id": np.full(n, source_id, dtype=np.int32),
    })


def _needs_frame(level: str, counts: np.ndarray, urns: list[str], periods: np.ndarray,
                 source_id: int) -> pl.DataFrame:
    shape = counts.shape
    n = counts.size
    area_code = (_enum(_axis_codes(shape, 1), urns) if level == SCHOOL
                 else _constant(AREA_CODES[level], n))
    return pl.DataFrame({
        "geo_level": _constant(level, n),
        "area_code": area_code,
        "time_period": np.repeat(periods, n // len(periods)),
        "sen_provision": _enum(_axis_codes(shape, 2), SEN_PROVISIONS),
        "primary_need": _enum(_axis_codes(shape, 3), PRIMARY_NEEDS),
        "pupils": counts.ravel().astype(float),
        "symbol": _constant(None, n),
        "source_id": np.full(n, source_id, dtype=np.int32),
    })


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame,
            source_id: int | None = None) -> int:
    if source_id is not None:
        frame = frame.with_columns(source_id=pl.lit(source_id, dtype=pl.Int32))
    con.register("demo_rows", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM demo_rows")
    finally:
        con.unregister("demo_rows")
    return frame.height


def build_demo_store(path: Path, *, seed: int = 353, schools: int = 100, years: int = 5,
                     progress: Progress | None = None) -> None:
    """Build a new synthetic demo store at ``path`` (replacing any file there atomically).

    The same ``seed``, ``schools`` and ``years`` give the same rows in every table. ``progress``
    is told (message, fraction done) a handful of times.
    """
    if schools < MIN_SCHOOLS:
        raise ValueError(f"a demo store needs at least {MIN_SCHOOLS} schools")
    if years < 1:
        raise ValueError("a demo store needs at least one year")

    def report(message: str, fraction: float) -> None:
        if progress is not None:
            progress(message, fraction)

    rng = np.random.default_rng(seed)
    report("Inventing the schools", 0.0)
    sch, register = _make_schools(rng, schools, years)
    members = _members_frame(rng, sch)
    report("Generating attendance", 0.05)
    measures = _attendance(rng, sch)
    report("Generating SEND, suspensions and outcomes", 0.2)
    sen_measures, needs = _sen(rng, sch)
    measures += sen_measures + _suspensions(rng, sch) + _outcomes(rng, sch)
    measures += _ehcp_timeliness(rng, years)
    ofsted = _ofsted(rng, sch)
    judgements, judged = _judgements(rng, sch)
    orgs = _demo_orgs(sch, ofsted, judged, _atypicality(sch, measures))
    links = _support_links(rng, sch, orgs)
    partners = _strategic_partners(rng)
    demo_orgs = {role: sch.urn[orgs[role]] for role in
                 ("head_member", "senco_member", "head_nonmember", "supporter", "supported")}
    demo_orgs["partner"] = PARTNER_ORG

    with rebuilding(path, fresh=True) as con:
        # Progress goes through ``progress``; DuckDB's own bar would print into the CLI's output.
        con.execute("SET enable_progress_bar = false")
        report("Writing the register", 0.3)
        fingerprint = hashlib.sha256(
            f"oep-demo seed={seed} schools={schools} years={years}".encode()).hexdigest()
        source_id = add_source(con, kind="demo", file_name=f"synthetic-demo-seed-{seed}",
                               sha256=fingerprint, rows=0, loaded_by="demo",
                               publication="Synthetic demo data (fictional schools)")
        rows = _insert(con, "establishments", register, source_id)
        rows += _insert(con, "partnership_members", members, source_id)
        rows += _insert(con, "support_links", links, source_id)
        rows += _insert(con, "strategic_partners", partners, source_id)
        rows += _insert(con, "ofsted_inspections", ofsted.frame, source_id)
        rows += _insert(con, "school_judgements", judgements, source_id)

        # Sorted by (measure, geo_level, time_period, area_code) so zone maps prune reads.
        measures.sort(key=lambda m: m.name)
        for i, m in enumerate(measures):
            if i % 5 == 0:
                report(f"Writing indicators ({i}/{len(measures)} measures)",
                       0.35 + 0.5 * i / len(measures))
            levels = {**m.areas, **({SCHOOL: m.school} if m.school is not None else {})}
            for level in sorted(levels):
                rows += _insert(con, "indicators",
                                _indicator_frame(m, level, levels[level], sch.urn, source_id))
        catalogue.count(con, "SELECT * FROM indicators")
        report("Writing pupils by primary need", 0.85)
        for level in sorted(needs):
            rows += _insert(con, "sen_needs",
                            _needs_frame(level, needs[level], sch.urn, sch.periods, source_id))

        facts = {"is_demo": "true", "la_code": OLDHAM_LA_CODE, "seed": str(seed),
                 "schools": str(schools), "years": str(years),
                 "demo_orgs": json.dumps(demo_orgs)}
        con.executemany("INSERT OR REPLACE INTO store_meta VALUES (?, ?)", list(facts.items()))
        # A fixed load time keeps the store identical from build to build.
        con.execute("UPDATE sources SET rows = ?, loaded_at = ? WHERE source_id = ?",
                    [rows, LOADED_AT, source_id])
        report("Saving the store", 0.95)
    report("Demo store ready", 1.0)
