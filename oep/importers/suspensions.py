"""Suspensions and permanent exclusions (DfE statistics): school, LA, regional and national rows.

Detected by exclusion columns (``time_period`` and ``geographic_level`` are then required) under
the current names (``suspension``, ``susp_rate``, ``one_plus_susp``, ``perm_excl``,
``perm_excl_rate``) or the names used before 2021 (``fixed_excl``, ``fixed_excl_rate``,
``one_plus_fixed``). Old school-level
files name schools by ``laestab`` (LA code + establishment number) instead of a URN: those are
mapped to URNs through the register. A ``characteristic`` breakdown gives pupil groups.

Measures: suspensions, suspension_rate, pupils_suspended, perm_excl, perm_excl_rate.
"""

from __future__ import annotations

from oep.importers import dfe
from oep.importers.reading import SourceFile
from oep.importers.staging import Staging

KIND = "suspensions"
LABEL = "a suspensions and exclusions file"
MEASURES = {
    "suspensions": ("suspension", "fixed_excl"),
    "suspension_rate": ("susp_rate", "fixed_excl_rate"),
    "pupils_suspended": ("one_plus_susp", "one_plus_fixed"),
    "perm_excl": ("perm_excl",),
    "perm_excl_rate": ("perm_excl_rate",),
}
SIGNATURE = tuple(c for names in MEASURES.values() for c in names)
LAYOUT = dfe.Layout(LABEL)


def detect(source: SourceFile) -> bool:
    return source.any(*SIGNATURE)


def stage(st: Staging) -> None:
    dfe.stage_measures(st, LAYOUT, MEASURES, SIGNATURE)
