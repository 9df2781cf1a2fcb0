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
  school, computed from unrounded values, as the DfE computes them from pupil-level data;
* the borough looks like one at a board demo: England's Ofsted mix (nine schools in ten Good or
  Outstanding), so most schools are suggested Universal, a minority Targeted and a few Intensive
  under the partnership's rules as they stand (``calibration`` says how).

Names are invented from made-up word parts, URNs are seven digits starting ``99`` (real URNs have
six), trusts and the diocese carry "Demo" in their names.

Modules: ``calibration`` (the numbers), ``names``, ``register`` (schools and pupils),
``indicators``, ``inspections`` (Ofsted and the partnership's judgements), ``partnership`` (MoU,
support links, the demo users' schools), ``writing`` (into the store), ``draws`` (small helpers).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from oep.tools.demo import indicators, inspections, partnership
from oep.tools.demo.calibration import MIN_SCHOOLS
from oep.tools.demo.register import make_schools
from oep.tools.demo.writing import Progress, write_store

__all__ = ["build_demo_store"]


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
    sch, register = make_schools(rng, schools, years)
    members = partnership.members(rng, sch)
    report("Generating attendance", 0.05)
    measures = indicators.attendance(rng, sch)
    report("Generating SEND, suspensions and outcomes", 0.2)
    sen_measures, needs = indicators.sen(rng, sch)
    measures += sen_measures + indicators.suspensions(rng, sch) + indicators.outcomes(rng, sch)
    measures += indicators.ehcp_timeliness(rng, years)
    ofsted = inspections.ofsted(rng, sch)
    judgements, judged = inspections.judgements(rng, sch)
    orgs = partnership.demo_orgs(sch, ofsted, judged, partnership.atypicality(sch, measures))
    links = partnership.support_links(rng, sch, orgs)
    partners = partnership.strategic_partners(rng)
    demo_orgs = {role: sch.urn[orgs[role]] for role in
                 ("head_member", "senco_member", "head_nonmember", "supporter", "supported")}
    demo_orgs["partner"] = partnership.PARTNER_ORG

    write_store(
        path,
        facts={"seed": str(seed), "schools": str(schools), "years": str(years),
               "demo_orgs": json.dumps(demo_orgs)},
        tables={"establishments": register, "partnership_members": members,
                "support_links": links, "strategic_partners": partners,
                "ofsted_inspections": ofsted.frame, "school_judgements": judgements},
        measures=measures, needs=needs, urns=sch.urn, periods=sch.periods, report=report,
    )
    report("Demo store ready", 1.0)
