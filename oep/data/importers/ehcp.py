"""EHC plans (SEN2 statistics) by LA, region and England: plans issued within 20 weeks.

Detected by the timeliness columns of either layout (``time_period`` and ``geographic_level`` are
then required): the SEN2 files to 2022 (``no_exc_20week_rate`` excludes exception cases,
``inc_exc_20week_rate`` includes them) or the newer files (``pc_plans_issued_20_weeks_ex``
excludes them, ``pc_plans_issued_within_20_weeks`` includes them; any capitalisation). Newer files
break the figures down (``breakdown_topic`` / ``breakdown``: age, need, ethnicity...): only the
all-plans rows are kept.

Measures: ehcp_20wk_pct (excluding exceptions) and ehcp_20wk_pct_inc_exc (including them), with
time_identifier ``Calendar year`` and a 4-digit time_period.
"""

from __future__ import annotations

from oep.data.importers import dfe
from oep.data.importers.reading import SourceFile
from oep.data.importers.staging import Staging
from oep.data.schema import CALENDAR_YEAR

KIND = "ehcp"
LABEL = "an EHC plan (SEN2) file"
MEASURES = {
    "ehcp_20wk_pct": ("no_exc_20week_rate", "pc_plans_issued_20_weeks_ex"),
    "ehcp_20wk_pct_inc_exc": ("inc_exc_20week_rate", "pc_plans_issued_within_20_weeks"),
}
SIGNATURE = tuple(c for names in MEASURES.values() for c in names)
LAYOUT = dfe.Layout(LABEL, period_digits=4, time_identifier=CALENDAR_YEAR)


def detect(source: SourceFile) -> bool:
    return source.any(*SIGNATURE)


def stage(staging: Staging) -> None:
    dfe.stage_measures(staging, LAYOUT, MEASURES, SIGNATURE)
