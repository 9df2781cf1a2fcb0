"""The demo's indicators: attendance, SEN and primary needs, suspensions and exclusions, progress
and attainment, EHC plan timeliness, for every school and comparator area.

Each generator returns ``Measure``s: cells shaped (years, schools or phases, terms, groups), one
``Cells`` per level, packed by ``pack``. School figures move with England's series, the school's
strength and its own noise; the borough's (LA) rows aggregate every school from unrounded values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from oep.data.schema import (
    ACADEMIC_YEAR,
    ALL_PUPILS,
    CALENDAR_YEAR,
    LOCAL_AUTHORITY,
    NATIONAL,
    PRIMARY_NEEDS,
    PUPIL_GROUPS,
    SCHOOL,
    TOTAL_PHASE,
)
from oep.tools.demo.calibration import (
    ABSENCE_CARRY,
    ABSENCE_NOISE,
    ABSENCE_STRENGTH,
    ABSENCE_YEARLY,
    BOROUGH_ABSENCE,
    BOROUGH_PROGRESS,
    BOROUGH_SUSPENSIONS,
    FSM_RISK,
    G_ALL,
    G_EHC,
    G_FSM,
    G_NO_SEN,
    G_SEN_SUPPORT,
    GROUP_PERM_EXCL,
    GROUP_UNAUTHORISED,
    KIND_ABSENCE,
    KIND_GROUP_ABSENCE,
    KIND_GROUP_SUSPENSIONS,
    KIND_NEEDS,
    KIND_PERM_EXCL,
    KIND_SUSPENSIONS,
    KIND_UNAUTHORISED,
    LATEST_CALENDAR_YEAR,
    LEVEL_SUSPENSIONS,
    MAINSTREAM_ABSENCE,
    MAINSTREAM_SUSPENSIONS,
    NAT_ATTAINMENT_PRIMARY,
    NAT_ATTAINMENT_SECONDARY,
    NAT_EHC_PCT,
    NAT_EHCP_20WK,
    NAT_FSM_PCT,
    NAT_OVERALL,
    NAT_PERM_EXCL_RATE,
    NAT_PERSISTENT,
    NAT_PUPILS,
    NAT_SEN_SUPPORT_PCT,
    NAT_SEVERE,
    NAT_SUSPENSION_RATE,
    NAT_UNAUTHORISED_SHARE,
    NEEDS_EHC,
    NEEDS_SEN_SUPPORT,
    NURSERY,
    OUTCOME_KINDS,
    OUTCOME_PHASES,
    PARTITION,
    PERSISTENT_SLOPE,
    PHASE_ABSENCE,
    PHASE_EHC,
    PHASE_FSM,
    PHASE_PERM_EXCL,
    PHASE_PUPILS,
    PHASE_SEN_SUPPORT,
    PHASE_SUSPENSIONS,
    PHASE_UNAUTHORISED,
    PHASES,
    PRIMARY,
    PROGRESS_NOISE,
    PROGRESS_STRENGTH,
    PROGRESS_YEARLY,
    PUBLISHED_AREAS,
    SEN_PROVISIONS,
    SEVERE_SLOPE,
    SPECIAL_ABSENCE,
    SPECIAL_EHC_PCT,
    SPECIAL_SEN_SUPPORT_PCT,
    SUSPENSIONS_PER_PUPIL_SUSPENDED,
    TERM_FACTOR,
    TERM_SESSIONS,
    TERM_UNAUTHORISED,
    TERM_WEIGHT,
    TERMS_AND_YEAR,
    PublishedArea,
    series,
)
from oep.tools.demo.draws import ar1, expit, logit
from oep.tools.demo.register import Schools

# Published symbols the demo uses; code 0 = a plain number.
SYMBOL_CODES = ("c", "z", "x")
NO_SYMBOL, SYM_C, SYM_Z, SYM_X = range(4)


@dataclass(frozen=True)
class Cells:
    """Figures of one measure at one level: values (NaN where a symbol stands) and symbol codes."""

    value: np.ndarray
    symbol: np.ndarray

    @classmethod
    def of(cls, value: np.ndarray, symbol: np.ndarray | None = None) -> Cells:
        """``value`` with ``symbol`` (broadcast; none: plain numbers) standing in where set."""
        if symbol is None:
            symbol = np.zeros(value.shape, dtype=np.int8)
        symbol = np.broadcast_to(symbol, value.shape).astype(np.int8)
        return cls(np.where(symbol == NO_SYMBOL, value, np.nan), symbol)


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


def pack(cells: dict[str, dict[str, Cells]], periods: np.ndarray,
         time_identifiers: tuple[str, ...], groups: tuple[str, ...],
         phases: tuple[str, ...]) -> list[Measure]:
    """One ``Measure`` per measure name of ``cells`` (level -> measure name -> cells): the school
    level's cells, where there is one, are the schools' rows, the other levels the comparators'."""
    names = next(iter(cells.values()))
    return [
        Measure(name, periods, time_identifiers, groups, phases,
                cells[SCHOOL][name] if SCHOOL in cells else None,
                {level: by_name[name] for level, by_name in cells.items() if level != SCHOOL})
        for name in names
    ]


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
    ehc = series(NAT_EHC_PCT, year_ends)[:, None] * PHASE_EHC / 100
    ss = series(NAT_SEN_SUPPORT_PCT, year_ends)[:, None] * PHASE_SEN_SUPPORT / 100
    ehc[:, special] = SPECIAL_EHC_PCT / 100
    ss[:, special] = SPECIAL_SEN_SUPPORT_PCT / 100
    shares = np.empty((len(year_ends), len(PHASES), len(PUPIL_GROUPS)))
    shares[..., G_ALL] = 1.0
    shares[..., G_SEN_SUPPORT] = ss
    shares[..., G_EHC] = ehc
    shares[..., G_NO_SEN] = 1.0 - ss - ehc
    shares[..., G_FSM] = series(NAT_FSM_PCT, year_ends)[:, None] * PHASE_FSM / 100
    return shares


def _area_pupils(year_ends: np.ndarray, area: PublishedArea) -> np.ndarray:
    """Pupils of a published area in each phase and group, (Y, P, G)."""
    pupils = series(NAT_PUPILS, year_ends)[:, None] * PHASE_PUPILS * area.pupils
    return np.rint(pupils[..., None] * _england_group_shares(year_ends))


# --- attendance --------------------------------------------------------------------------------
def attendance(rng: np.random.Generator, sch: Schools) -> list[Measure]:
    years, n = sch.strength.shape
    kind = sch.kind
    nat = series(NAT_OVERALL, sch.year_ends)[:, None, None, None]
    nat_pa = series(NAT_PERSISTENT, sch.year_ends)[:, None, None, None] / 100
    nat_sa = series(NAT_SEVERE, sch.year_ends)[:, None, None, None] / 100
    nat_share = series(NAT_UNAUTHORISED_SHARE, sch.year_ends)[:, None, None, None]
    enrol = sch.enrol.astype(float)

    # Overall absence per school, year, term and group: national level x kind x school effect
    # (weaker schools miss more) x term pattern x group gap (small groups vary more).
    effect = np.exp(-ABSENCE_STRENGTH * sch.strength + ABSENCE_NOISE * rng.standard_normal(n)
                    + ABSENCE_YEARLY * ar1(rng, years, n, ABSENCE_CARRY))
    base = nat[..., 0, 0] * KIND_ABSENCE[kind] * BOROUGH_ABSENCE * effect
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
    persistent = 100 * expit(logit(nat_pa) + PERSISTENT_SLOPE * log_ratio
                             + rng.normal(0.0, 0.1, noise_shape))
    severe = 100 * expit(logit(nat_sa) + SEVERE_SLOPE * log_ratio
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
        cells[level] = {k: Cells.of(v, symbols[k] if level == SCHOOL else None)
                        for k, v in rounded.items()}
    return pack(cells, sch.periods, TERMS_AND_YEAR, PUPIL_GROUPS, PHASES)


def _published_absence(year_ends: np.ndarray, area: PublishedArea) -> dict[str, np.ndarray]:
    """A published area's absence, (Y, P, T, G): England's series shaped by phase, term and
    group, scaled by how the area departs from England."""
    nat = series(NAT_OVERALL, year_ends)[:, None, None, None]
    phase_group = np.stack([MAINSTREAM_ABSENCE] * 3 + [SPECIAL_ABSENCE])
    term = np.append(TERM_FACTOR, 1.0)
    overall = (nat * PHASE_ABSENCE[:, None, None] * term[:, None] * phase_group[:, None, :]
               * area.absence)
    share = (series(NAT_UNAUTHORISED_SHARE, year_ends)[:, None, None, None]
             + PHASE_UNAUTHORISED[:, None, None] + np.append(TERM_UNAUTHORISED, 0.0)[:, None]
             + GROUP_UNAUTHORISED + area.unauthorised)
    log_ratio = np.log(overall / nat)
    nat_pa = series(NAT_PERSISTENT, year_ends)[:, None, None, None] / 100
    nat_sa = series(NAT_SEVERE, year_ends)[:, None, None, None] / 100
    enrol = _area_pupils(year_ends, area)[:, :, None, :]
    return {
        "overall_absence": overall,
        "unauthorised_absence": overall * share,
        "persistent_absence": 100 * expit(logit(nat_pa) + PERSISTENT_SLOPE * log_ratio),
        "severe_absence": 100 * expit(logit(nat_sa) + SEVERE_SLOPE * log_ratio),
        "enrolments": np.broadcast_to(enrol, overall.shape),
    }


# --- SEN ---------------------------------------------------------------------------------------
def sen(rng: np.random.Generator, sch: Schools) -> tuple[list[Measure], dict[str, np.ndarray]]:
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
        cells[level] = {k: Cells.of(v.reshape(*v.shape, 1, 1)) for k, v in values.items()}
    measures = pack(cells, sch.periods, (ACADEMIC_YEAR,), (ALL_PUPILS,), PHASES)
    return measures, _needs(rng, sch)


def _needs(rng: np.random.Generator, sch: Schools) -> dict[str, np.ndarray]:
    """Pupils by provision and primary need, (Y, areas, 2, needs) per level; each school's need
    mix varies around its kind's and the counts add up to its SEN support and EHC plan totals."""
    n = len(sch.urn)
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


# --- suspensions and exclusions ------------------------------------------------------------------
def suspensions(rng: np.random.Generator, sch: Schools) -> list[Measure]:
    n = len(sch.urn)
    kind = sch.kind
    enrol = sch.enrol
    nat_rate = series(NAT_SUSPENSION_RATE, sch.year_ends)[:, None, None] / 100
    nat_pe = series(NAT_PERM_EXCL_RATE, sch.year_ends)[:, None, None] / 100
    group_susp = KIND_GROUP_SUSPENSIONS[kind]
    # Weaker schools suspend more; a school's habit persists; overdispersed counts (gamma).
    habit = np.exp(-0.45 * sch.strength + 0.25 * rng.standard_normal(n))[..., None]
    expected = (nat_rate * enrol * KIND_SUSPENSIONS[kind][:, None] * group_susp * habit
                * BOROUGH_SUSPENSIONS * rng.gamma(4.0, 0.25, enrol.shape))
    expected_pe = (nat_pe * enrol * KIND_PERM_EXCL[kind][:, None] * GROUP_PERM_EXCL
                   * np.exp(-0.5 * sch.strength)[..., None] * BOROUGH_SUSPENSIONS)
    count = np.zeros(enrol.shape, dtype=np.int64)
    suspended = np.zeros(enrol.shape, dtype=np.int64)
    perm = np.zeros(enrol.shape, dtype=np.int64)
    part = count[..., PARTITION] = rng.poisson(expected[..., PARTITION])
    # A suspended pupil has on average SUSPENSIONS_PER_PUPIL_SUSPENDED suspensions.
    suspended[..., PARTITION] = np.minimum(
        np.where(part > 0, 1 + rng.binomial(np.maximum(part - 1, 0),
                                            1 / SUSPENSIONS_PER_PUPIL_SUSPENDED), 0),
        enrol[..., PARTITION])
    perm[..., PARTITION] = np.minimum(rng.poisson(expected_pe[..., PARTITION]),
                                      enrol[..., PARTITION])
    for counts in (count, suspended, perm):
        counts[..., G_ALL] = counts[..., PARTITION].sum(-1)
    # FSM pupils are a subset of all pupils: their counts are drawn out of the school's.
    p_fsm = _fsm_part(enrol[..., G_FSM] / enrol[..., G_ALL])
    count[..., G_FSM] = rng.binomial(count[..., G_ALL], p_fsm)
    suspended[..., G_FSM] = np.clip(rng.binomial(suspended[..., G_ALL], p_fsm),
                                    count[..., G_FSM] > 0,
                                    np.minimum(count[..., G_FSM], enrol[..., G_FSM]))
    perm[..., G_FSM] = np.minimum(rng.binomial(perm[..., G_ALL], p_fsm), enrol[..., G_FSM])

    figures: dict[str, dict[str, np.ndarray]] = {
        SCHOOL: {"suspensions": count, "pupils_suspended": suspended, "perm_excl": perm,
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
        area_count = np.rint(rate * pupils)
        figures[level] = {"suspensions": area_count,
                          "pupils_suspended": np.rint(area_count / SUSPENSIONS_PER_PUPIL_SUSPENDED),
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
        cells[level] = {
            k: Cells.of(v[:, :, None, :], None if level != SCHOOL
                        else (rate_sym if k.endswith("rate") else count_sym)[:, :, None, :])
            for k, v in values.items()
        }
    return pack(cells, sch.periods, (ACADEMIC_YEAR,), PUPIL_GROUPS, PHASES)


def _fsm_part(fsm_share: np.ndarray) -> np.ndarray:
    """Share of a school's suspensions (or exclusions) that fall to its FSM-eligible pupils."""
    risk = FSM_RISK * fsm_share
    return risk / (risk + 1 - fsm_share)


# --- progress and attainment ---------------------------------------------------------------------
def outcomes(rng: np.random.Generator, sch: Schools) -> list[Measure]:
    """Progress (0 = national average) and attainment for schools with tested pupils."""
    years, n = sch.strength.shape
    primary = series(NAT_ATTAINMENT_PRIMARY, sch.year_ends)
    secondary = series(NAT_ATTAINMENT_SECONDARY, sch.year_ends)
    progress = (PROGRESS_STRENGTH * sch.strength + PROGRESS_NOISE * rng.standard_normal(n)
                + PROGRESS_YEARLY * rng.standard_normal((years, n)) + BOROUGH_PROGRESS)
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
    cells: dict[str, dict[str, Cells]] = {
        SCHOOL: {k: Cells.of(v[..., None, None], symbol[..., None, None])
                 for k, v in school.items()},
        LOCAL_AUTHORITY: {k: Cells.of(v[..., None, None], area_symbol) for k, v in la.items()},
    }
    nat_attainment = np.stack([(primary + secondary) / 2, primary, secondary], axis=1)
    for level, area in PUBLISHED_AREAS.items():
        cells[level] = {
            "progress": Cells.of(np.full((years, len(OUTCOME_PHASES), 1, 1), area.progress),
                                 area_symbol),
            "attainment": Cells.of(np.round(nat_attainment + area.attainment, 1)[..., None, None],
                                   area_symbol),
        }
    return pack(cells, sch.periods, (ACADEMIC_YEAR,), (ALL_PUPILS,), OUTCOME_PHASES)


# --- EHC plan timeliness -----------------------------------------------------------------------
def ehcp_timeliness(rng: np.random.Generator, years: int) -> list[Measure]:
    """New EHC plans issued within 20 weeks: published for areas only, by calendar year."""
    calendar = np.arange(LATEST_CALENDAR_YEAR - years + 1, LATEST_CALENDAR_YEAR + 1)
    nat = series(NAT_EHCP_20WK, calendar)
    offsets = {LOCAL_AUTHORITY: 5.0 + 10.0 * ar1(rng, years, 1, 0.5)[:, 0]}
    offsets |= {level: area.ehcp_20wk + (0.0 if level == NATIONAL else rng.normal(0, 3, years))
                for level, area in PUBLISHED_AREAS.items()}
    cells: dict[str, dict[str, Cells]] = {}
    for level, offset in offsets.items():
        excluding = np.clip(nat + offset, 5.0, 100.0)
        including = np.maximum(excluding - rng.uniform(0.5, 2.5, years), 0.0)
        cells[level] = {name: Cells.of(np.round(v, 1).reshape(years, 1, 1, 1)) for name, v in
                        (("ehcp_20wk_pct", excluding), ("ehcp_20wk_pct_inc_exc", including))}
    return pack(cells, calendar.astype(np.int32), (CALENDAR_YEAR,), (ALL_PUPILS,), (TOTAL_PHASE,))
