"""Pupil absence (DfE statistics): school, LA, regional and national rows, full year and termly.

Detected by its absence columns (``time_period`` and ``geographic_level`` are then required):
the wide shape (``sess_overall_percent``, ``sess_authorised_percent``,
``sess_unauthorised_percent``, ``enrolments_pa_10_exact_percent``,
``enrolments_pa_50_exact_percent``, ``enrolments``) or the long shape published from 2024/25
(``absence_type`` = Total pupils / Persistent absence / Severe absence, with ``enrolment_count``
and ``enrolment_percent``).

Measures: overall_absence, authorised_absence, unauthorised_absence, persistent_absence,
severe_absence, enrolments, and the session counts where published (``sess_possible``,
``sess_overall``, ``sess_authorised``, ``sess_unauthorised`` -> sessions_possible, ...).
``time_identifier`` is the file's (``Academic year``, ``Autumn term``, ``Autumn and spring
term``, ...). In the long shape, wide columns present too are read from the
``Total pupils`` rows only, where they are not repeated per absence type.
"""

from __future__ import annotations

from oep.data.importers import dfe
from oep.data.importers.reading import SourceFile
from oep.data.importers.staging import Staging

KIND = "absence"
LABEL = "an absence file"
WIDE = {
    "overall_absence": "sess_overall_percent",
    "authorised_absence": "sess_authorised_percent",
    "unauthorised_absence": "sess_unauthorised_percent",
    "persistent_absence": "enrolments_pa_10_exact_percent",
    "severe_absence": "enrolments_pa_50_exact_percent",
    "enrolments": "enrolments",
    # The session counts behind the rates: computed figures are made from these where published.
    "sessions_possible": "sess_possible",
    "sessions_overall": "sess_overall",
    "sessions_authorised": "sess_authorised",
    "sessions_unauthorised": "sess_unauthorised",
}
COUNTS = ("enrolments", "sessions_possible", "sessions_overall", "sessions_authorised",
          "sessions_unauthorised")
ABSENCE_TYPE = "absence_type"
TOTAL_PUPILS = "Total pupils"
LONG = (
    dfe.Cell("enrolments", "enrolment_count", (ABSENCE_TYPE, TOTAL_PUPILS)),
    dfe.Cell("persistent_absence", "enrolment_percent", (ABSENCE_TYPE, "Persistent absence")),
    dfe.Cell("severe_absence", "enrolment_percent", (ABSENCE_TYPE, "Severe absence")),
)
# Columns only an absence file has ("enrolments" is in many files, so it does not count).
SIGNATURE = (*(c for c in WIDE.values() if c != "enrolments"), ABSENCE_TYPE)
LAYOUT = dfe.Layout(LABEL)
LONG_LAYOUT = dfe.Layout(LABEL, extra=(ABSENCE_TYPE,))


def detect(source: SourceFile) -> bool:
    return source.any(*SIGNATURE)


# Only overall absence, with no authorised/unauthorised split: the DfE publishes this shape for a
# sub-population (pupils aged 4), never for all pupils.
SPLIT = ("sess_authorised_percent", "sess_unauthorised_percent", "sess_authorised",
         "sess_unauthorised")


def stage(staging: Staging) -> None:
    long = ABSENCE_TYPE in staging.source.columns
    unnamed_group = (not long and WIDE["overall_absence"] in staging.source.columns
                     and not staging.source.any(*SPLIT)
                     and not staging.source.any(*dfe.GROUP_COLUMNS, *dfe.YEAR_BREAKDOWNS)
                     and not dfe.declared_pupil_group(staging))
    if long:
        dfe.require(staging, LONG_LAYOUT, ABSENCE_TYPE, "enrolment_count", "enrolment_percent")
    else:
        dfe.require(staging, LAYOUT)
    only_total = (ABSENCE_TYPE, TOTAL_PUPILS) if long else None
    wide = [dfe.Cell(m, c, only_total) for m, c in WIDE.items() if c in staging.source.columns
            and not (long and m == "enrolments")]
    cells = wide + (list(LONG) if long else [])
    dfe.require_any(staging, LAYOUT, [c for c in cells if c.measure not in COUNTS],
                    list(SIGNATURE))
    dfe.stage_rows(staging, LONG_LAYOUT if long else LAYOUT, [c.column for c in cells],
                   checked=cells)
    dfe.stage_indicators(staging, cells)
    if unnamed_group:
        raise dfe.sub_population_refused(staging, "overall absence only, with no authorised "
                                                  "and unauthorised split, as the DfE publishes "
                                                  "for pupils aged 4")
