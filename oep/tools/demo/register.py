"""The demo's schools: the register (names, types, trusts, addresses), pupils by group and year,
membership of the partnership, and each school's latent strength."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from oep.data.schema import OLDHAM_LA_CODE, PUPIL_GROUPS
from oep.tools.demo.calibration import (
    ACADEMY_TYPES,
    G_ALL,
    G_EHC,
    G_FSM,
    G_NO_SEN,
    G_SEN_SUPPORT,
    KIND_EHC,
    KIND_ESTAB,
    KIND_FSM,
    KIND_PHASE,
    KIND_PUPILS,
    KIND_SEN_SUPPORT,
    KIND_SHARE,
    KIND_TYPES,
    LATEST_YEAR_END,
    NAT_EHC_PCT,
    NAT_FSM_PCT,
    NAT_SEN_SUPPORT_PCT,
    NON_MEMBER_SHARE,
    PHASE_KINDS,
    PRIMARY,
    PRU,
    PRU_SEN_SUPPORT,
    SPECIAL,
    SPECIAL_SEN_SUPPORT,
    series,
)
from oep.tools.demo.draws import academic_period, expit, logit
from oep.tools.demo.names import NAME_TEMPLATES, places, trust_names


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
        return np.array([academic_period(int(e)) for e in self.year_ends], dtype=np.int32)

    def kind_mask(self, phase: str) -> np.ndarray:
        return np.isin(self.kind, PHASE_KINDS[phase])


def kind_counts(n: int) -> np.ndarray:
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


def _establishments(rng: np.random.Generator, n: int, kind: np.ndarray) -> pl.DataFrame:
    """Establishments (without pupils and source): names, types, trusts, addresses."""
    place_names = places(rng)
    if n > len(place_names):
        raise ValueError(f"at most {len(place_names)} demo schools can be named")
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
        name.append(templates[int(template_draw[i] * len(templates))].format(place_names[i]))
        start, span = KIND_ESTAB[k]
        laestab.append(f"{OLDHAM_LA_CODE}{start + seen[k] % span:04d}")
        seen[k] += 1
    academy = np.array([t in ACADEMY_TYPES for t in school_type])
    n_trusts = max(1, int(np.ceil(academy.sum() / 8)))
    trusts = trust_names(n_trusts, place_names[n:])
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
        "trust": [trusts[t] if a else None for t, a in zip(trust_of, academy)],
        "postcode": [f"OL{d} {s}Z{'XYZ'[u]}" for d, s, u in zip(district, sector, unit)],
        "easting": rng.integers(392000, 397001, n).astype(np.int32),
        "northing": rng.integers(402000, 408001, n).astype(np.int32),
    })


def make_schools(rng: np.random.Generator, n: int, years: int) -> tuple[Schools, pl.DataFrame]:
    """The schools and the register's rows (with pupils on roll in the latest year)."""
    counts = kind_counts(n)
    kind = rng.permutation(np.repeat(np.arange(len(counts)), counts))
    register = _establishments(rng, n, kind)
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
    fsm_logit = logit(KIND_FSM[kind]) - 0.35 * latest + rng.normal(0, 0.45, n)
    nat_fsm = series(NAT_FSM_PCT, year_ends) / 100
    fsm_share = expit(fsm_logit[None, :] + logit(nat_fsm)[:, None] - logit(nat_fsm[-1]))
    fsm = rng.binomial(pupils, fsm_share)

    # SEN: mainstream shares follow England's trend; special schools are almost all EHC plans.
    nat_ehc = series(NAT_EHC_PCT, year_ends)[:, None] / 100
    nat_ss = series(NAT_SEN_SUPPORT_PCT, year_ends)[:, None] / 100
    ehc_share = nat_ehc * KIND_EHC[kind] * np.exp(rng.normal(0, 0.35, n))
    ss_share = nat_ss * KIND_SEN_SUPPORT[kind] * np.exp(rng.normal(0, 0.25, n))
    special = kind == SPECIAL
    ehc_share[:, special] = expit(rng.normal(3.6, 0.5, special.sum()))
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

    # Non-members: academies a little more often.
    n_non = max(3, round(NON_MEMBER_SHARE * n))
    weight = np.where(register["trust"].is_null().to_numpy(), 1.0, 1.5)
    non_members = rng.choice(n, n_non, replace=False, p=weight / weight.sum())
    member = np.ones(n, dtype=bool)
    member[non_members] = False

    schools = Schools(urn, kind, member, year_ends, strength, enrol)
    register = register.with_columns(
        pl.Series("urn", urn), pl.Series("pupils", pupils[-1].astype(np.int32))
    )
    return schools, register
