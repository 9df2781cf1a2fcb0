"""The data dictionary: what each measure is, where it comes from, how it is worked out and which
way is better. Shown behind each measure's help icon and as a table in the user guide.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from oep.data.schema import MEASURES

ABSENCE = "DfE: Pupil absence in schools in England (school census)"
SEN = "DfE: Special educational needs in England (January school census)"
EHCP = "DfE: Education, health and care plans (SEN2 return)"
EXCLUSIONS = "DfE: Suspensions and permanent exclusions in England"
OUTCOMES = "DfE: Key stage performance tables"

LOWER = "Lower is better"
HIGHER = "Higher is better"
NEITHER = "Neither: it describes the pupils, it does not judge the school"


@dataclass(frozen=True)
class Entry:
    description: str
    source: str
    computed: str
    polarity: str


def _absence(what: str, sessions: str) -> Entry:
    return Entry(f"{what}, as a share of all the sessions pupils could have attended (a session "
                 "is a morning or an afternoon).", ABSENCE,
                 f"{sessions} divided by possible sessions, times 100. Over several schools: "
                 "their sessions added up, or their rates weighted by pupils enrolled.", LOWER)


DICTIONARY: dict[str, Entry] = {
    "overall_absence": _absence("Sessions missed for any reason", "Sessions missed"),
    "authorised_absence": _absence("Sessions missed with the school's permission (illness, "
                                   "appointments)", "Authorised sessions missed"),
    "unauthorised_absence": _absence("Sessions missed without the school's permission "
                                     "(unexplained, holidays in term time, lateness after "
                                     "registers close)", "Unauthorised sessions missed"),
    "persistent_absence": Entry(
        "The share of pupils who missed 10% or more of their possible sessions.", ABSENCE,
        "Pupils missing 10%+ divided by pupils enrolled, times 100.", LOWER),
    "severe_absence": Entry(
        "The share of pupils who missed half or more of their possible sessions.", ABSENCE,
        "Pupils missing 50%+ divided by pupils enrolled, times 100.", LOWER),
    "enrolments": Entry("Pupils enrolled at any time in the year.", ABSENCE,
                        "As published.", NEITHER),
    "sessions_possible": Entry("Sessions pupils could have attended.", ABSENCE,
                               "As published.", NEITHER),
    "sessions_overall": Entry("Sessions missed for any reason.", ABSENCE, "As published.", LOWER),
    "sessions_authorised": Entry("Sessions missed with permission.", ABSENCE, "As published.",
                                 LOWER),
    "sessions_unauthorised": Entry("Sessions missed without permission.", ABSENCE,
                                   "As published.", LOWER),
    "pupils": Entry("Pupils on the school's roll in January.", SEN, "As published.", NEITHER),
    "sen_support": Entry("Pupils who get special educational needs support without an "
                         "education, health and care (EHC) plan.", SEN, "As published.",
                         NEITHER),
    "ehc_plan": Entry("Pupils with an education, health and care (EHC) plan.", SEN,
                      "As published.", NEITHER),
    "sen_support_pct": Entry("The share of pupils on SEN support (no EHC plan).", SEN,
                             "Pupils on SEN support divided by pupils on roll, times 100.",
                             NEITHER),
    "ehc_plan_pct": Entry("The share of pupils with an education, health and care (EHC) plan.",
                          SEN, "Pupils with an EHC plan divided by pupils on roll, times 100.",
                          NEITHER),
    "suspensions": Entry("Suspensions (fixed-period exclusions) in the year; one pupil can have "
                         "several.", EXCLUSIONS, "As published.", LOWER),
    "suspension_rate": Entry("Suspensions for every 100 pupils.", EXCLUSIONS,
                             "Suspensions divided by pupils enrolled, times 100.", LOWER),
    "pupils_suspended": Entry("Pupils suspended at least once in the year.", EXCLUSIONS,
                              "As published.", LOWER),
    "perm_excl": Entry("Permanent exclusions in the year.", EXCLUSIONS, "As published.", LOWER),
    "perm_excl_rate": Entry("Permanent exclusions for every 100 pupils.", EXCLUSIONS,
                            "Permanent exclusions divided by pupils enrolled, times 100.", LOWER),
    "progress": Entry("How much progress pupils made compared with pupils nationally who "
                      "started from the same point; 0 is the national average.", OUTCOMES,
                      "As published (Progress 8 or the key stage 2 progress measures).", HIGHER),
    "attainment": Entry("The share of pupils meeting the expected standard.", OUTCOMES,
                        "As published.", HIGHER),
    "ehcp_20wk_pct": Entry("New EHC plans issued within the 20 weeks the law allows, leaving "
                           "out the cases the law excepts.", EHCP,
                           "Plans issued within 20 weeks divided by all new plans, times 100.",
                           HIGHER),
    "ehcp_20wk_pct_inc_exc": Entry("New EHC plans issued within 20 weeks, counting every case.",
                                   EHCP, "Plans issued within 20 weeks divided by all new plans, "
                                   "times 100.", HIGHER),
}


def entry(measure: str) -> Entry:
    try:
        return DICTIONARY[measure]
    except KeyError:
        raise ValueError(f"the data dictionary has no entry for the measure {measure!r}") from None


def help_text(measure: str) -> str:
    """'About this indicator' for a help icon: description, source, how computed, polarity."""
    item = entry(measure)
    colours = ("\n\nThe change on last year under a headline figure is green when it moved the "
               "better way and red when it moved the worse way."
               if item.polarity in (LOWER, HIGHER) else "")
    return (f"**{MEASURES[measure][0]}.** {item.description}\n\n**Source:** {item.source}\n\n"
            f"**How it is worked out:** {item.computed}\n\n**Is higher better?** "
            f"{item.polarity}{colours}")


def table() -> pl.DataFrame:
    """Every measure of the dictionary, for the user guide."""
    return pl.DataFrame(
        [(MEASURES[m][0], e.description, e.source, e.computed, e.polarity)
         for m, e in DICTIONARY.items()],
        schema=["Measure", "What it is", "Source", "How it is worked out", "Is higher better?"],
        orient="row")


def unit_of(measure: str) -> str:
    return MEASURES[measure][1]


def label_of(measure: str) -> str:
    return MEASURES[measure][0]
