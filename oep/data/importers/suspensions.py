"""Suspensions and permanent exclusions (DfE statistics): school, LA, regional and national rows.

Detected by exclusion columns (``time_period`` and ``geographic_level`` are then required) under
the current names (``suspension``, ``susp_rate``, ``one_plus_susp``, ``perm_excl``,
``perm_excl_rate``) or the names used before 2021 (``fixed_excl``, ``fixed_excl_rate``,
``one_plus_fixed``). Old school-level
files name schools by ``laestab`` (LA code + establishment number) instead of a URN: those are
mapped to URNs through the register. A ``characteristic`` breakdown gives pupil groups. The
symbols of the older files mean what their publication said (``OLD_SYMBOLS``), recorded with the
load.

Measures: suspensions, suspension_rate, pupils_suspended, perm_excl, perm_excl_rate.
"""

from __future__ import annotations

from oep.data.importers import dfe
from oep.data.importers.reading import SourceFile
from oep.data.importers.staging import Staging

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


# What the symbols of the pre-2021 publications mean (their data guidance): there, x marks a
# count of 1 or 2 pupils withheld, not a figure that is unavailable.
OLD_NAMES = ("fixed_excl", "fixed_excl_rate", "one_plus_fixed")
OLD_SYMBOLS = {"x": "suppressed: 1 or 2 pupils, or a percentage based on 1 or 2",
               ":": "not applicable"}


def stage(staging: Staging) -> None:
    if staging.source.any(*OLD_NAMES):
        staging.symbol_meanings.update(OLD_SYMBOLS)
    dfe.stage_measures(staging, LAYOUT, MEASURES, SIGNATURE)
