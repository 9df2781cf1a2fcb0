"""The partnership's own records in the demo: who signed the MoU, support links between schools,
strategic partners, and the schools the demo users belong to."""

from __future__ import annotations

import numpy as np
import polars as pl

from oep.data.schema import OFSTED_GRADES
from oep.tools.demo.calibration import G_EHC, G_SEN_SUPPORT, PRIMARY, SECONDARY
from oep.tools.demo.draws import dates
from oep.tools.demo.indicators import Measure
from oep.tools.demo.inspections import Inspections
from oep.tools.demo.names import persons
from oep.tools.demo.register import Schools

PARTNER_ORG = "DIOCESE-DEMO"
ACTIVE_LINK = (np.datetime64("2025-09-01"), np.datetime64("2027-08-31"))
EXPIRED_LINK = (np.datetime64("2022-09-01"), np.datetime64("2024-07-31"))
SUPPORT_PURPOSES = ("Attendance", "SEND", "Leadership", "Curriculum", "Early years")
# The figures by which the demo's member heads' schools are picked as ordinary.
TYPICAL_MEASURES = frozenset({"overall_absence", "persistent_absence", "progress", "attainment",
                              "sen_support_pct", "ehc_plan_pct", "suspension_rate"})


def members(rng: np.random.Generator, sch: Schools) -> pl.DataFrame:
    """The partnership register: every school, with MoU date and data controller if signed."""
    n = len(sch.urn)
    signed_on = dates(rng, np.datetime64("2019-09-01"), np.datetime64("2025-07-15"), n)
    controllers = persons(rng, n)
    return pl.DataFrame({
        "urn": sch.urn,
        "mou_signed": sch.member,
        "mou_signed_on": [d if m else None for d, m in zip(signed_on.tolist(), sch.member)],
        "data_controller": [c if m else None for c, m in zip(controllers, sch.member)],
    }, schema_overrides={"mou_signed_on": pl.Date})


def _closest(candidates: np.ndarray, values: np.ndarray, target: float) -> int:
    return int(np.flatnonzero(candidates)[np.argmin(np.abs(values[candidates] - target))])


def atypicality(sch: Schools, measures: list[Measure]) -> np.ndarray:
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


def demo_orgs(sch: Schools, ofsted: Inspections, judged: np.ndarray,
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


def support_links(rng: np.random.Generator, sch: Schools, orgs: dict[str, int]) -> pl.DataFrame:
    """The demo's active and expired links to non-members, and member-to-member links from
    stronger to weaker schools (some current, some over, some open-ended)."""
    strength = sch.strength[-1]
    signed = np.flatnonzero(sch.member)
    ranked = signed[np.argsort(-strength[signed], kind="stable")]
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


def strategic_partners(rng: np.random.Generator) -> pl.DataFrame:
    controllers = persons(rng, 3)
    return pl.DataFrame({
        "org": [PARTNER_ORG, "CATHOLIC-DEMO", "COLLEGE-DEMO"],
        "name": ["Diocese of Pennine Vale (demo)", "Catholic Diocese of Moorland (demo)",
                 "Millstone Demo Sixth Form College"],
        "partner_type": ["Diocese", "Diocese", "College"],
        "data_controller": controllers,
    })

