"""The disengagement protocol (docs/product.md#disengagement-protocol): four levels, their actions,
and each school's record.

An LA officer or EPL records a school's level (1-4) with the date, the evidence and the actions
taken; records are append-only in the activity store and audited. A school's current level is its
latest record. Who sees what:

* LA officers, EPLs, admins and the board: every school in their scope, and the borough list of
  schools at level 2 or above;
* a school's own staff: their own school's level and history only (not other members', even though
  they may see those schools' data);
* anyone else: nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from oep.data import queries, records
from oep.data.access import Scope
from oep.data.memo import MEMO_SIZE, per_input
from oep.data.store import Store


@dataclass(frozen=True)
class Level:
    level: int
    meaning: str
    action: str


LEVELS: dict[int, Level] = {
    1: Level(1, "The leader does not engage in partnership activities.",
             "The collaborative lead makes contact."),
    2: Level(2, "Documentation (self-review, position statement, action plan) is not provided.",
             "The EPL offers support and more time; the chair of governors is informed."),
    3: Level(3, "There is no evidence of actions or their impact.",
             "The EPL, headteacher and chair of governors meet; extra support is brokered; "
             "escalation to the Director of Education or the regional schools commissioner's "
             "office."),
    4: Level(4, "Continued refusal to engage, or continued underperformance.",
             "The school is classified as disengaging: LA / RSC statutory intervention."),
}
LIST_FROM_LEVEL = 2  # the borough list shows schools at this level or above


def level_words(level: int) -> str:
    """A level as the form offers it: "2: Documentation ... is not provided." """
    return f"{level}: {LEVELS[level].meaning}"

RECORD_SCHEMA = {
    "urn": pl.String, "recorded_on": pl.Date, "level": pl.Int32, "evidence": pl.String,
    "actions": pl.String, "recorded_by": pl.String, "recorded_at": pl.Datetime("us"),
}
LIST_SCHEMA = {
    "urn": pl.String, "name": pl.String, "phase": pl.String, "level": pl.Int32,
    "recorded_on": pl.Date, "meaning": pl.String, "suggested_action": pl.String,
}


# Column labels for the history, shared by the Disengagement and School profile pages.
HISTORY_COLUMNS = {"recorded_on": "Date", "level": "Level", "evidence": "Evidence",
                   "actions": "Actions taken", "recorded_by": "Recorded by"}


class DisengagementError(ValueError):
    """A record that cannot be written; the message says why, in words for the page."""


@functools.cache  # one frame: the borough list is memoised on the frames it is made from
def levels_frame() -> pl.DataFrame:
    """The protocol as a table: level, what it means, the suggested action."""
    return pl.DataFrame(
        [{"level": lv.level, "meaning": lv.meaning, "suggested_action": lv.action}
         for lv in LEVELS.values()],
        schema={"level": pl.Int32, "meaning": pl.String, "suggested_action": pl.String},
    )


def visible_urns(scope: Scope) -> frozenset[str]:
    """Schools whose disengagement record the viewer may see."""
    if scope.can_see_disengagement_list:
        return scope.urns
    return frozenset({scope.own_urn}) & scope.urns if scope.own_urn else frozenset()


def _validate(store: Store, scope: Scope, urn: str, level: int, recorded_on: date, evidence: str,
              recorded_by: str, today: date) -> None:
    if not scope.can_record_reviews:
        raise DisengagementError("Only LA officers, Education Partnership Leaders and admins "
                                 "may record a disengagement level.")
    problem = records.school_write_problem(store, scope, urn, recorded_on, today)
    if problem:
        raise DisengagementError(problem)
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise DisengagementError(f"The level must be 1, 2, 3 or 4, not {level!r}.")
    if not evidence.strip():
        raise DisengagementError("Give the evidence for this level.")
    if not recorded_by.strip():
        raise DisengagementError("Give the name of who is recording this level.")


def record_disengagement(activity_path: records.Activity, store: Store, scope: Scope, urn: str,
                         level: int, recorded_on: date, evidence: str, actions: str,
                         recorded_by: str, *,
                         today: date | None = None) -> None:
    """Record a school's disengagement level.

    Raises ``DisengagementError`` (nothing written) for a viewer who may not record, an unknown or
    invisible URN, a level outside 1-4, a future date, or empty evidence or recorder. ``actions``
    (what has been done so far) may be empty. The record and its audit row are one transaction.
    """
    _validate(store, scope, urn, level, recorded_on, evidence, recorded_by,
              today or date.today())
    with records.activity(activity_path) as con:
        con.execute(
            "INSERT INTO disengagement_records VALUES (?, ?, ?, ?, ?, ?, ?)",
            [urn, recorded_on, level, evidence.strip(), actions.strip(), recorded_by.strip(),
             datetime.now()],
        )
        records.audit_in(con, scope.viewer.username, "disengagement_level",
                         f"{urn}: level {level} on {recorded_on.isoformat()}")


def history(activity_path: records.Activity, scope: Scope, urn: str | None = None) -> pl.DataFrame:
    """Every record the viewer may see (of school ``urn`` only, if given), oldest first
    (``RECORD_SCHEMA``)."""
    return records.read_schools(
        activity_path,
        """
        SELECT urn, recorded_on, level, evidence, actions, recorded_by, recorded_at
        FROM disengagement_records
        WHERE urn IN (SELECT unnest(CAST(? AS VARCHAR[])))
        ORDER BY recorded_on, recorded_at
        """,
        visible_urns(scope), urn, schema=RECORD_SCHEMA,
    )


def current_levels(activity_path: records.Activity, scope: Scope) -> pl.DataFrame:
    """Each visible school's latest record (``RECORD_SCHEMA``)."""
    return _latest_each(history(activity_path, scope))


@per_input(MEMO_SIZE)
def _latest_each(history: pl.DataFrame) -> pl.DataFrame:
    return history.group_by("urn", maintain_order=True).last()


def current_level(activity_path: records.Activity, scope: Scope, urn: str) -> int | None:
    """The school's current level, or None if it has no record or the viewer may not see it."""
    latest = history(activity_path, scope, urn).tail(1)
    return int(latest["level"][0]) if latest.height else None


def borough_list(activity_path: records.Activity, store: Store, scope: Scope) -> pl.DataFrame:
    """Schools whose current level is 2 or above, highest first, with the suggested action.

    Only for LA officers, EPLs, admins and the board (``PermissionError`` otherwise).
    """
    if not scope.can_see_disengagement_list:
        raise PermissionError("the disengagement list is for LA officers, EPLs and the board")
    return _listed(current_levels(activity_path, scope), queries.visible_schools(store, scope))


@per_input(MEMO_SIZE)
def _listed(levels: pl.DataFrame, schools: pl.DataFrame) -> pl.DataFrame:
    """The borough list from each school's current level: the same frame on every rerun while
    the records and the register are unchanged (its table and download are memoised on it)."""
    current = levels.filter(pl.col("level") >= LIST_FROM_LEVEL)
    if current.is_empty():
        return pl.DataFrame(schema=LIST_SCHEMA)
    names = schools.select("urn", "name", "phase")
    return (
        current.join(names, on="urn").join(levels_frame(), on="level")
        .select(*LIST_SCHEMA).cast(LIST_SCHEMA)  # type: ignore[arg-type]
        .sort(["level", "recorded_on", "name"], descending=[True, False, False])
    )
