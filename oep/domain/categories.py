"""Support categories (docs/product.md#support-categories) from the store: suggested, agreed,
explained, paired.

* ``suggestions`` / ``reasons``: the rules of ``oep.domain.categories_rules`` run over the whole
  store (once per store file, thresholds, day and suppression: below LA level they read the figures
  as the viewer sees them, with small numbers as ``c``), then cut down to the schools the viewer
  may see - categories are evaluative information, so nothing outside ``scope.urns`` ever leaves
  here;
* ``record_review`` / ``review_history``: the agreed category, written by an LA officer with a date,
  rationale and reviewer to the activity store (append-only, audited);
* ``category_table`` / ``category_counts``: what the page draws (``charts.category_counts``);
* ``pairings``: Universal schools strong where a Targeted or Intensive school is weakest.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import polars as pl

from oep.data import derived, queries, records
from oep.data.access import LA_ORG, Scope, Viewer, in_order
from oep.domain.categories_rules import (
    CATEGORIES,
    EVIDENCE_MEASURES,
    FINDING_SCHEMA,
    OVERALL_ABSENCE,
    PERSISTENT_ABSENCE,
    PROGRESS,
    UNIVERSAL,
    RuleSet,
    assess_frames,
)
from oep.data.config import Settings
from oep.domain.periods import year_label_expr
from oep.data.memo import MEMO_SIZE, per_input, shared
from oep.data.schema import ACADEMIC_YEAR, ALL_PUPILS, MEASURES
from oep.data.store import Store

# The rules read every school, whoever asks; what comes out is cut to the viewer's scope.
RULES_VIEWER = Viewer(username="oep-rules", name="Support-category rules", role="la_officer",
                      org=LA_ORG)
TOP_REASONS = 3

SUGGESTION_SCHEMA = {
    "urn": pl.String, "name": pl.String, "phase": pl.String, "suggested_category": pl.String,
    "reasons": pl.List(pl.String),
}
REVIEW_SCHEMA = {
    "urn": pl.String, "reviewed_on": pl.Date, "category": pl.String,
    "suggested_category": pl.String, "rationale": pl.String, "reviewer": pl.String,
    "recorded_at": pl.Datetime("us"),
}


# Column labels a head teacher reads, shared by the Support categories and School profile pages.
REASON_COLUMNS = {"category": "Category of the rule", "rule": "Condition (the agreement's words)",
                  "outcome": "Outcome", "evidence": "Figure and period",
                  "threshold": "Threshold"}
REVIEW_COLUMNS = {"reviewed_on": "Reviewed on", "category": "Agreed category",
                  "suggested_category": "Suggested at the time", "rationale": "Rationale",
                  "reviewer": "Reviewer"}


class ReviewError(ValueError):
    """A review that cannot be recorded; the message says why, in words for the page."""


# --- suggestions ---------------------------------------------------------------------------------

Evidence = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]


def _evidence(store: Store, rules: RuleSet, suppress_below: int | None,
              urns: tuple[str, ...] | None = None) -> Evidence:
    """What the rules read of every school, or of ``urns`` only (schools, inspections,
    indicators, judgements), from the figures as suppressed below LA level when
    ``suppress_below`` is set: a viewer's reasons never quote a figure that viewer is shown as
    ``c``."""
    schools = queries.every_school(store).select("urn", "name", "phase")
    if urns is not None:
        schools = schools.filter(pl.col("urn").is_in(list(urns)))
    indicators = queries.every_school_indicators(
        store, EVIDENCE_MEASURES, suppress_below=suppress_below,
        time_identifiers=(ACADEMIC_YEAR,), pupil_groups=(ALL_PUPILS,),
        latest_years=rules.years_read, urns=urns,
    )
    some = {"every": urns is None, "urns": list(urns or ())}
    inspections = store.frame(
        "SELECT urn, inspection_date, framework, area, grade FROM ofsted_inspections "
        "WHERE $every OR urn IN (SELECT unnest($urns))", some)
    judgements = store.frame("SELECT urn, judged_on, aspect, judgement FROM school_judgements "
                             "WHERE $every OR urn IN (SELECT unnest($urns))", some)
    return schools, inspections, indicators, judgements


# The name of the every-school assessment's files beside the store (oep.data.derived).
KEPT_AS = "assessed"


# In the shared byte budget: a threshold no viewer has asked for lately (members' while only
# officers are in) gives way to what pages use, and is read back from beside the store in
# about 0.1 s.
@shared(maxsize=4)  # both suppression thresholds of two store versions
def _assessed(store: Store, version: tuple[int, int], rules: RuleSet, on: date,
              suppress_below: int | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Suggested categories and the findings that explain them, for every school in the store
    (cut to a viewer's scope before they leave here). The explaining findings are kept (14 MB per
    threshold at England scale, ``_kept``): worked out again per school picked, they cost every
    pick about 0.1 s of CPU, seconds when a meeting picks at once. The conditions that do not
    apply are worked out when one school's every check is asked for (``_findings``). Kept beside
    the store too (``oep.data.derived``), so that a new server process reads them."""
    def work_out() -> tuple[pl.DataFrame, pl.DataFrame]:
        return _kept(*assess_frames(*_evidence(store, rules, suppress_below), rules, on,
                                    every_check=False))

    suggested, explaining = derived.frames(store, version, KEPT_AS,
                                           (rules, on, suppress_below), work_out)
    return suggested, explaining


# The explaining findings' columns with a few distinct texts each (rule, threshold: tens).
_WORDS = ("category", "rule", "outcome", "threshold")


def _kept(suggested: pl.DataFrame,
          explaining: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """An assessment as it is kept: the explaining findings without their texts, which are their
    schools' reasons already (``text`` is ``reasons[rank]``), and with ``_WORDS`` as categoricals:
    52 MB per threshold at England scale became 14 MB (``_explaining_in`` gives them back)."""
    return suggested, explaining.drop("text").with_columns(pl.col(_WORDS).cast(pl.Categorical))


# A scope of at most this many schools (a head's, a school profile's) is assessed on its own while
# the every-school assessment is not yet kept: at England scale a profile's first render waited
# 0.8 s for 24,000 schools' rules, when its own school's take milliseconds.
FEW_SCHOOLS = 8


def _assessment(store: Store, version: tuple[int, int], rules: RuleSet, on: date,
                suppress_below: int | None,
                urns: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``_assessed``, or these schools' part of it when they are few and it is not kept yet."""
    if len(urns) <= FEW_SCHOOLS and not _assessed.holds(  # type: ignore[attr-defined]
            store, version, rules, on, suppress_below) and not derived.holds(
            store, version, KEPT_AS, (rules, on, suppress_below)):
        return _assessed_few(store, version, rules, on, suppress_below, urns)
    return _assessed(store, version, rules, on, suppress_below)


def _own_evidence(store: Store, rules: RuleSet, suppress_below: int | None,
                  urns: tuple[str, ...]) -> tuple[Evidence, dict[str, int]]:
    """These schools' evidence, and where the rules' windows of years end among every school's:
    a school without the latest year's figures is "not known" for it, as among all schools."""
    held = queries.latest_school_years(store, EVIDENCE_MEASURES, ACADEMIC_YEAR, ALL_PUPILS)
    return _evidence(store, rules, suppress_below, urns), held


@shared(maxsize=64)
def _assessed_few(store: Store, version: tuple[int, int], rules: RuleSet, on: date,
                  suppress_below: int | None,
                  urns: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``_assessed`` for these schools only: a school's findings depend on its own evidence and
    where the windows end."""
    evidence, held = _own_evidence(store, rules, suppress_below, urns)
    return _kept(*assess_frames(*evidence, rules, on, every_check=False, held=held))


@shared(maxsize=64)
def _findings(store: Store, version: tuple[int, int], rules: RuleSet, on: date,
              suppress_below: int | None, urns: tuple[str, ...]) -> pl.DataFrame:
    """Every finding for these schools, the conditions that do not apply included."""
    evidence, held = _own_evidence(store, rules, suppress_below, urns)
    return assess_frames(*evidence, rules, on, held=held)[1]


def _viewers_rules(scope: Scope, settings: Settings,
                   on: date | None) -> tuple[RuleSet, date, int | None]:
    """The rules as this viewer's figures are read: suppressed below LA level."""
    suppress_below = scope.min_count
    return RuleSet.from_settings(settings), on or date.today(), suppress_below


def prepare(store: Store, settings: Settings, on: date | None = None) -> None:
    """Assess every school both as LA viewers and as members read the figures, so that the first
    page to ask finds the work done (``oep.present.warmup``)."""
    rules, day = RuleSet.from_settings(settings), on or date.today()
    for suppress_below in (None, settings.suppression_min_count):
        _assessed(store, store.version, rules, day, suppress_below)


def _visible(scope: Scope, urn: str | None) -> tuple[str, ...]:
    """The schools asked for that the viewer may see: every one, or ``urn`` if visible."""
    return in_order(scope.urns) if urn is None else tuple(sorted(scope.urns & {urn}))


def suggestions(store: Store, scope: Scope, settings: Settings, on: date | None = None, *,
                urn: str | None = None) -> pl.DataFrame:
    """The suggested category of each school the viewer may see (or of ``urn`` only, if they
    may), with its reasons (texts).

    Columns: urn, name, phase, suggested_category, reasons (list of texts, most serious first).
    """
    urns = _visible(scope, urn)
    if not urns:
        return pl.DataFrame(schema=SUGGESTION_SCHEMA)
    return _suggestions_in(store, store.version, *_viewers_rules(scope, settings, on), urns)


@shared(maxsize=64)
def _suggestions_in(store: Store, version: tuple[int, int], rules: RuleSet, on: date,
                    suppress_below: int | None, urns: tuple[str, ...]) -> pl.DataFrame:
    """One frame per scope, however many sessions show it (each keeps what its page shows)."""
    suggested, _ = _assessment(store, version, rules, on, suppress_below, urns)
    if suggested["urn"].is_in(list(urns)).all():  # an LA viewer's: the table itself, not a copy
        return suggested
    return suggested.filter(pl.col("urn").is_in(list(urns)))


def reasons(store: Store, scope: Scope, settings: Settings, urn: str | None = None, *,
            every_check: bool = False, on: date | None = None) -> pl.DataFrame:
    """The reasons behind each visible school's suggestion, one row per reason, in order.

    With ``every_check`` also the conditions that do not apply. Columns: ``FINDING_SCHEMA``
    (urn, rank, explains, category, rule, outcome, evidence, figure, period, threshold, text).
    """
    urns = _visible(scope, urn)
    if not urns:
        return pl.DataFrame(schema=FINDING_SCHEMA)
    rules = _viewers_rules(scope, settings, on)
    if every_check:
        return _findings(store, store.version, *rules, urns)
    suggested, explaining = _assessment(store, store.version, *rules, urns)
    return _explaining_in(suggested, explaining, urns)


@per_input(MEMO_SIZE)
def _explaining_in(suggested: pl.DataFrame, explaining: pl.DataFrame,
                   urns: tuple[str, ...]) -> pl.DataFrame:
    """These schools' explaining findings as ``assess_frames`` gave them (``_kept`` undone)."""
    wanted = pl.col("urn").is_in(list(urns))
    return (explaining.lazy().filter(wanted)
            .join(suggested.lazy().filter(wanted).select("urn", "reasons"), on="urn", how="left",
                  maintain_order="left")
            .with_columns(pl.col(_WORDS).cast(pl.String),
                          text=pl.col("reasons").list.get(pl.col("rank"), null_on_oob=True))
            .select(list(FINDING_SCHEMA)).collect())


# --- agreed categories: reviews in the activity store --------------------------------------------

def _validate_review(store: Store, scope: Scope, urn: str, category: str, reviewed_on: date,
                     rationale: str, reviewer: str, today: date) -> None:
    if not scope.can_record_reviews:
        raise ReviewError("Only LA officers, Education Partnership Leaders and admins may "
                          "record a review.")
    if category not in CATEGORIES:
        raise ReviewError(f"{category!r} is not a support category: choose "
                          f"{', '.join(CATEGORIES[:-1])} or {CATEGORIES[-1]}.")
    problem = records.school_write_problem(store, scope, urn, reviewed_on, today)
    if problem:
        raise ReviewError(problem)
    if not rationale.strip():
        raise ReviewError("Give the rationale for the agreed category.")
    if not reviewer.strip():
        raise ReviewError("Give the reviewer's name.")


def record_review(activity_path: records.Activity, store: Store, scope: Scope, urn: str,
                  category: str, reviewed_on: date, rationale: str, reviewer: str, *,
                  settings: Settings, today: date | None = None) -> None:
    """Record the agreed category of a school (with the suggestion of the day beside it).

    Raises ``ReviewError`` (nothing written) when the viewer may not record reviews, the category
    is not one of the three, the URN is unknown or not visible, the date is in the future, or the
    rationale or reviewer is empty. The record and its audit row are one transaction.
    """
    today = today or date.today()
    _validate_review(store, scope, urn, category, reviewed_on, rationale, reviewer, today)
    suggested = suggestions(store, scope, settings, today).filter(
        pl.col("urn") == urn)["suggested_category"]
    with records.activity(activity_path) as con:
        con.execute(
            "INSERT INTO category_reviews VALUES (?, ?, ?, ?, ?, ?, ?)",
            [urn, reviewed_on, category, suggested[0] if len(suggested) else None,
             rationale.strip(), reviewer.strip(), datetime.now()],
        )
        records.audit_in(con, scope.viewer.username, "category_review",
                         f"{urn}: agreed {category} on {reviewed_on.isoformat()}")


def review_history(activity_path: records.Activity, scope: Scope,
                   urn: str | None = None) -> pl.DataFrame:
    """Every review of the schools the viewer may see (of school ``urn`` only, if given), oldest
    first (``REVIEW_SCHEMA``)."""
    return records.read_schools(
        activity_path,
        """
        SELECT urn, reviewed_on, category, suggested_category, rationale, reviewer, recorded_at
        FROM category_reviews
        WHERE urn IN (SELECT unnest(CAST(? AS VARCHAR[])))
        ORDER BY reviewed_on, recorded_at
        """,
        scope.urns, urn, schema=REVIEW_SCHEMA,
    )


def _latest_reviews(history: pl.DataFrame) -> pl.DataFrame:
    return history.group_by("urn", maintain_order=True).last().select(
        "urn", pl.col("category").alias("agreed_category"), "reviewed_on",
        pl.col("suggested_category").alias("suggested_at_review"),
    )


def category_table(store: Store, scope: Scope, settings: Settings,
                   activity_path: records.Activity, on: date | None = None, *,
                   urn: str | None = None) -> pl.DataFrame:
    """One row per visible school (or for ``urn`` only, if visible): suggested and agreed
    category, disagreement, change, reasons.

    Columns: urn, name, phase, suggested_category, agreed_category, reviewed_on, disagrees (null
    when not reviewed), agreement (the same in words), change_since_review, top_reasons.
    """
    return _category_table(suggestions(store, scope, settings, on, urn=urn),
                           review_history(activity_path, scope, urn))


@per_input(MEMO_SIZE)
def in_phases(table: pl.DataFrame, phases: tuple[str, ...]) -> pl.DataFrame:
    """The category table's schools of these phases (every school when none is chosen)."""
    return table.filter(pl.col("phase").is_in(phases)) if phases else table


@per_input(MEMO_SIZE)
def in_categories(table: pl.DataFrame, chosen: tuple[str, ...]) -> pl.DataFrame:
    """Schools whose suggested or agreed category is one of ``chosen`` (all when none is)."""
    if not chosen:
        return table
    return table.filter(pl.col("suggested_category").is_in(chosen)
                        | pl.col("agreed_category").is_in(chosen))


def school_row(table: pl.DataFrame, urn: str | None) -> dict[str, object] | None:
    """One school's row of the category table, or None when it has none."""
    found = table.filter(pl.col("urn") == urn)
    return found.row(0, named=True) if found.height else None


@per_input(MEMO_SIZE)
def _category_table(suggested: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    table = suggested.join(_latest_reviews(history), on="urn", how="left")
    now, then = pl.col("suggested_category"), pl.col("suggested_at_review")
    disagrees = pl.col("agreed_category") != now
    return table.with_columns(
        disagrees.alias("disagrees"),
        pl.when(disagrees).then(pl.lit("Differs from suggestion"))
        .when(disagrees.not_()).then(pl.lit("Agrees")).otherwise(pl.lit("")).alias("agreement"),
        pl.when(pl.col("reviewed_on").is_null()).then(pl.lit("Not reviewed yet"))
        .when(then.is_null() | (then == now)).then(pl.lit("No change"))
        .otherwise(pl.format("Suggestion moved from {} to {}", then, now))
        .alias("change_since_review"),
        pl.col("reasons").list.head(TOP_REASONS).list.join("\n").alias("top_reasons"),
    ).select("urn", "name", "phase", "suggested_category", "agreed_category", "reviewed_on",
             "disagrees", "agreement", "change_since_review", "top_reasons").sort("name")


@per_input(MEMO_SIZE)
def category_counts(table: pl.DataFrame) -> pl.DataFrame:
    """Schools per category, suggested and agreed (a category with none shows 0)."""
    rows = []
    for label, column in (("Suggested", "suggested_category"), ("Agreed", "agreed_category")):
        for category in CATEGORIES:
            count = table.filter(pl.col(column) == category).height
            rows.append({"category": category, "kind": label, "schools": count})
    not_reviewed = table.filter(pl.col("agreed_category").is_null()).height
    rows.append({"category": "Not reviewed yet", "kind": "Agreed", "schools": not_reviewed})
    return pl.DataFrame(rows, schema={"category": pl.String, "kind": pl.String,
                                      "schools": pl.Int64})


# --- capacity: suggested school-to-school support ------------------------------------------------

# Indicator -> True when a higher value is better.
PAIRING_AREAS: dict[str, bool] = {OVERALL_ABSENCE: False, PERSISTENT_ABSENCE: False,
                                  PROGRESS: True}
PAIRING_SCHEMA = {
    "supported_urn": pl.String, "supported_name": pl.String, "phase": pl.String,
    "supported_category": pl.String, "area": pl.String, "period": pl.String,
    "supported_figure": pl.Float64, "provider_urn": pl.String, "provider_name": pl.String,
    "provider_figure": pl.Float64, "provider_percentile": pl.Float64,
}


def _standing(rows: pl.DataFrame, schools: pl.DataFrame) -> pl.DataFrame:
    """Latest figure of each pairing indicator per school of ``rows`` (the visible schools'
    figures), with its percentile (1 = best) among those of the same phase; names and phases
    from ``schools``."""
    rows = rows.filter(pl.col("value").is_not_null()).select(
        "urn", "measure", "time_period", "value").join(
        schools.select("urn", "name", "phase"), on="urn", maintain_order="left")
    latest = rows.group_by("measure").agg(pl.col("time_period").max().alias("latest"))
    rows = rows.join(latest, on="measure").filter(pl.col("time_period") == pl.col("latest"))
    better = pl.when(pl.col("measure").replace_strict(PAIRING_AREAS, return_dtype=pl.Boolean))
    goodness = better.then(pl.col("value")).otherwise(-pl.col("value"))
    return rows.with_columns(
        (goodness.rank("max").over("phase", "measure") / pl.len().over("phase", "measure"))
        .alias("percentile")
    ).select("urn", "name", "phase", "measure", "time_period", "value", "percentile")


def pairings(store: Store, scope: Scope, settings: Settings,
             on: date | None = None) -> pl.DataFrame:
    """Universal schools whose strength is a Targeted or Intensive school's weakest indicator.

    Everything is computed over the schools the viewer may see: the categories, the figures and
    the percentiles (within phase). A school's weakest area is its lowest-percentile indicator; a
    provider is a Universal school of the same phase at or above ``[capacity]
    strength_percentile`` on it, and above the school itself; at most ``providers_per_school``
    providers each, strongest first.
    """
    try:
        strength = settings.capacity["strength_percentile"]
        per_school = int(settings.capacity["providers_per_school"])
    except KeyError as exc:
        raise ValueError(f"settings: [capacity] {exc.args[0]} is missing") from None
    if scope.is_la:
        return _every_schools_pairings(store, store.version, *_viewers_rules(scope, settings, on),
                                       _visible(scope, None), strength, per_school)
    figures = queries.school_indicators(store, scope, tuple(PAIRING_AREAS),
                                        **_pairing_read(RuleSet.from_settings(settings)))
    return _pairings(suggestions(store, scope, settings, on), figures, strength, per_school)


def _pairing_read(rules: RuleSet) -> dict[str, Any]:
    return {"time_identifiers": (ACADEMIC_YEAR,), "pupil_groups": (ALL_PUPILS,),
            "latest_years": rules.years_read}


@shared(maxsize=8)
def _every_schools_pairings(store: Store, version: tuple[int, int], rules: RuleSet, on: date,
                            suppress_below: int | None, urns: tuple[str, ...], strength: float,
                            per_school: int) -> pl.DataFrame:
    """An LA viewer's pairings, among every school: kept beside the store too, as the
    assessment is (at England scale, reading every school's figures took a new process's first
    Support categories page 0.2-0.3 s)."""
    def work_out() -> tuple[pl.DataFrame]:
        # The rows the rules read, not a second copy of them.
        figures = queries.every_school_indicators(store, tuple(PAIRING_AREAS),
                                                  suppress_below=suppress_below,
                                                  **_pairing_read(rules))
        suggested = _suggestions_in(store, version, rules, on, suppress_below, urns)
        return (_pairings(suggested, figures, strength, per_school),)

    (paired,) = derived.frames(store, version, "pairings",
                               (rules, on, suppress_below, urns, strength, per_school), work_out)
    return paired


@per_input(MEMO_SIZE)
def _pairings(suggested: pl.DataFrame, figures: pl.DataFrame, strength: float,
              per_school: int) -> pl.DataFrame:
    """From shared frames, so that every session showing a scope shows (and keeps) one table."""
    categories = suggested.select("urn", "suggested_category")
    standing = _standing(figures, suggested).join(categories, on="urn")
    if standing.is_empty():
        return pl.DataFrame(schema=PAIRING_SCHEMA)
    weakest = (
        standing.filter(pl.col("suggested_category") != UNIVERSAL)
        .sort("urn", "percentile", "measure").group_by("urn", maintain_order=True).first()
    )
    strong = standing.filter(
        (pl.col("suggested_category") == UNIVERSAL) & (pl.col("percentile") >= strength)
    ).select("phase", "measure", provider_urn="urn", provider_name="name",
             provider_figure="value", provider_percentile="percentile").sort(
        ["provider_percentile", "provider_name"], descending=[True, False]
    ).group_by("phase", "measure", maintain_order=True).head(per_school)
    # Keeping only the strongest few per phase and indicator before the join gives the same
    # pairs (those above a school form a prefix of that order) without a borough-sized product.
    paired = (
        weakest.join(strong, on=["phase", "measure"])
        .filter(pl.col("provider_percentile") > pl.col("percentile"))  # stronger where it is weak
        .sort(["urn", "provider_percentile", "provider_name"], descending=[False, True, False])
        .group_by("urn", maintain_order=True).head(per_school)
    )
    return paired.select(
        pl.col("urn").alias("supported_urn"), pl.col("name").alias("supported_name"), "phase",
        pl.col("suggested_category").alias("supported_category"),
        pl.col("measure").replace_strict({m: MEASURES[m][0] for m in PAIRING_AREAS})
        .alias("area"),
        year_label_expr(pl.col("time_period")).alias("period"),
        pl.col("value").alias("supported_figure"), "provider_urn", "provider_name",
        "provider_figure", "provider_percentile",
    ).sort("supported_name", "provider_percentile", descending=[False, True])


# --- export --------------------------------------------------------------------------------------

def export_rows(store: Store, scope: Scope, settings: Settings, activity_path: records.Activity,
                on: date | None = None) -> list[dict[str, object]]:
    """Every visible school's URN, name, suggested and agreed category and reasons (structured)."""
    table = category_table(store, scope, settings, activity_path, on)
    found = reasons(store, scope, settings, on=on)
    by_urn = {
        urn: rows.sort("rank").select(
            "category", "rule", "outcome", "figure", "period", "threshold", "text").to_dicts()
        for (urn,), rows in found.group_by("urn")
    }
    return [
        {
            "urn": row["urn"], "name": row["name"], "phase": row["phase"],
            "suggested_category": row["suggested_category"],
            "agreed_category": row["agreed_category"],
            "agreed_on": row["reviewed_on"].isoformat() if row["reviewed_on"] else None,
            "reasons": by_urn.get(row["urn"], []),
        }
        for row in table.iter_rows(named=True)
    ]
