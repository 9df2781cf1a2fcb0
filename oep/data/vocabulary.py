"""One vocabulary for phases and pupil groups: the DfE's many spellings mapped to one, here only.

Published files and the register spell the same thing several ways ("Pupil Referral Unit",
"pupil referral unit", "State-funded primary", "Primary"...). Importers match on lower-case,
trimmed text through these tables (as DuckDB lookup tables) and command-line options go through
``canonical_phase`` / ``canonical_pupil_group``, so one thing has one spelling in the store.
"""

from __future__ import annotations

import re

from oep.data.schema import ALL_PUPILS, EHC_PLAN, FSM, NO_SEN, SEN_SUPPORT, TOTAL_PHASE

PRIMARY = "Primary"
SECONDARY = "Secondary"
SPECIAL = "Special"
PRU = "Pupil referral unit"
# Phases a comparator file without a phase column may be declared to describe.
FILE_PHASES = (PRIMARY, SECONDARY, SPECIAL, PRU)

PHASE_VARIANTS: dict[str, str] = {
    "Total": TOTAL_PHASE, "All schools": TOTAL_PHASE,
    "State-funded primary": PRIMARY, "Primary": PRIMARY,
    "State-funded secondary": SECONDARY, "Secondary": SECONDARY,
    "State-funded special": SPECIAL, "Special": SPECIAL, "Special school": SPECIAL,
    "Special schools": SPECIAL,
    "Pupil referral unit": PRU, "Pupil referral units": PRU, "PRU": PRU,
    "State-funded AP school": PRU, "Alternative provision": PRU,
}

GROUP_VARIANTS: dict[str, str] = {
    "Total": ALL_PUPILS, "All pupils": ALL_PUPILS,
    "SEN support": SEN_SUPPORT, "SEN provision - SEN support": SEN_SUPPORT,
    "EHC plan": EHC_PLAN, "EHCP": EHC_PLAN, "Education, health and care plan": EHC_PLAN,
    "SEN provision - EHC plan": EHC_PLAN, "Statement or EHC plan": EHC_PLAN,
    "SEN with a statement or EHC plan": EHC_PLAN,
    "No SEN": NO_SEN, "No identified SEN": NO_SEN, "SEN provision - No SEN": NO_SEN,
    "FSM eligible": FSM, "FSM - eligible": FSM, "Eligible for FSM": FSM,
    "Known to be eligible for free school meals": FSM, "FSM eligible - yes": FSM,
}

NUMBERS = {"four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
           "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15}
_AGE = re.compile(r"(?:pupils\s+)?aged\s+(\d+)|(\d+|[a-z]+)[\s-]+years?[\s-]+olds?")
_YEAR = re.compile(r"(?:year|nc\s*year)?\s*(\d{1,2})")


def age_group(text: str) -> str | None:
    """'aged 4', 'four year olds', '4-year-olds' -> 'Aged 4'; anything else None."""
    found = _AGE.search(text.strip().lower())
    if found is None:
        return None
    number = found.group(1) or found.group(2)
    age = int(number) if number.isdigit() else NUMBERS.get(number)
    return f"Aged {age}" if age is not None else None


def year_group(text: str) -> str | None:
    """'4', 'Year 4', 'NC year 4' -> 'Year 4'; 'Reception' -> 'Reception'; else None."""
    lowered = text.strip().lower()
    if lowered in ("r", "reception"):
        return "Reception"
    found = _YEAR.fullmatch(lowered)
    return f"Year {int(found.group(1))}" if found else None


def canonical_phase(text: str) -> str | None:
    """The store's spelling of a phase, or None if it is not one."""
    lowered = {k.lower(): v for k, v in PHASE_VARIANTS.items()}
    return lowered.get(text.strip().lower())


def canonical_pupil_group(text: str) -> str | None:
    """The store's spelling of a pupil group (a characteristic, an age or a year group)."""
    lowered = {k.lower(): v for k, v in GROUP_VARIANTS.items()}
    return lowered.get(text.strip().lower()) or age_group(text) or year_group(text)
