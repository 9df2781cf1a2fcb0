"""Pupil attendance, year to date (the DfE's daily attendance data): LA, regional and national
rows by phase, as comparators and the borough's trend.

Detected by ``overall_absence_perc`` (or ``attendance_perc`` / ``pa_perc``); ``time_period`` and
``geographic_level`` are then required. The phase column is ``school_type`` in 2024/25 files and
``education_phase`` from 2025/26. Every row is stored with time_identifier ``Year to date``: the
figures cover the year so far, whatever the file's ``time_identifier`` says; except the rows of a
weekly file (``time_identifier`` ``Week 37``, ``time_period`` the calendar year, ISO weeks), kept
as those weeks. A daily file (``attendance_date``) is refused: it has several rows per week.

Measures: overall_absence (``overall_absence_perc``), authorised_absence
(``authorised_absence_perc``), unauthorised_absence (``unauthorised_absence_perc``),
persistent_absence (``pa_perc``), enrolments (``total_enrolments``, else ``enrolments``) and the
session counts (``possible_sessions``, ``overall_absence``, ``authorised_absence``,
``unauthorised_absence``).
"""

from __future__ import annotations

from oep.data.importers import dfe
from oep.data.importers.checks import ImportFailed
from oep.data.importers.reading import SourceFile
from oep.data.importers.staging import Staging
from oep.data.schema import YEAR_TO_DATE

KIND = "attendance"
LABEL = "a year-to-date attendance file"
MEASURES = {
    "overall_absence": ("overall_absence_perc",),
    "authorised_absence": ("authorised_absence_perc",),
    "unauthorised_absence": ("unauthorised_absence_perc",),
    "persistent_absence": ("pa_perc",),
    "enrolments": ("total_enrolments", "enrolments"),
    # Session counts (the daily data names them without a suffix).
    "sessions_possible": ("possible_sessions",),
    "sessions_overall": ("overall_absence",),
    "sessions_authorised": ("authorised_absence",),
    "sessions_unauthorised": ("unauthorised_absence",),
}
COUNTS = ("enrolments", "sessions_possible", "sessions_overall", "sessions_authorised",
          "sessions_unauthorised")
SIGNATURE = ("overall_absence_perc", "attendance_perc", "pa_perc")
LAYOUT = dfe.Layout(LABEL, time_identifier=YEAR_TO_DATE, weeks=True)


def detect(source: SourceFile) -> bool:
    return source.any(*SIGNATURE)


def stage(staging: Staging) -> None:
    if staging.source.any("attendance_date"):
        raise ImportFailed(
            f"{staging.source.name}: daily figures (one row per school day, attendance_date); the "
            "store keeps weeks and the year to date: load the DfE's weekly or year-to-date "
            "attendance file instead.")
    dfe.stage_measures(staging, LAYOUT, MEASURES, SIGNATURE, alone=COUNTS)
