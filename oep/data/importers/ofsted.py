"""Ofsted inspection outcomes, when they come in a file of their own rather than in the register.

Detected by a URN column (``URN``, ``urn`` or ``school_urn``) and an inspection date column
(``inspection_date``, ``Inspection date`` or ``Inspection start date``), without ``time_period``.
Two layouts, column names in any capitalisation:

* long, one row per inspection and area: ``urn, inspection_date, area, grade`` and optionally
  ``framework`` (``Graded`` or ``Report card``);
* wide, one row per inspection, as Ofsted's management information files: one column per area.
  Graded areas (to November 2025): ``Overall effectiveness``, ``Quality of education``,
  ``Behaviour and attitudes``, ``Personal development``, ``Effectiveness of leadership and
  management``, ``Early years provision (where applicable)``, ``Sixth form provision (where
  applicable)``; report card areas (from November 2025): ``Inclusion``, ``Curriculum and
  teaching``, ``Achievement``, ``Attendance and behaviour``, ``Personal development and
  well-being``, ``Leadership and governance``, ``Early years``, ``Sixth form``; and
  ``Safeguarding`` (or ``Safeguarding is effective?``).

Grades: graded areas take Outstanding / Good / Requires improvement / Inadequate or 1-4 (Serious
weaknesses and Special measures are Inadequate); report card areas take Exceptional / Strong
standard / Expected standard / Needs attention / Urgent improvement; Safeguarding takes Met / Not
met (or Yes / No). Cells such as blank, ``NULL``, ``Not applicable`` or ``9`` mean "not judged"
and give no row. The framework of a Safeguarding row is that of the inspection's other areas.

Each (URN, inspection date, area) replaces the stored row with the same key.
"""

from __future__ import annotations

from oep.data.importers.checks import (
    DATE_EXPECTED,
    DATE_PARAMS,
    bound,
    date_sql,
    missing_columns,
    quote,
)
from oep.data.importers.reading import SourceFile, load_raw
from oep.data.importers.staging import Plan, Staging, check_urns, require_rows, unknown_urns
from oep.data.schema import OFSTED_GRADES, OVERALL_EFFECTIVENESS, REPORT_CARD_GRADES

KIND = "ofsted"
LABEL = "an Ofsted inspections file"
GRADED = "Graded"
REPORT_CARD = "Report card"
SAFEGUARDING = "Safeguarding"
MET, NOT_MET = "Met", "Not met"
COLUMNS = ("urn", "inspection_date", "framework", "area", "grade")
KEYS = ("urn", "inspection_date", "area")
URN_COLUMNS = ("urn", "school_urn")
DATE_COLUMNS = ("inspection_date", "inspection date", "inspection start date",
                "inspection_start_date")
# Column (lower case) -> (stored area, the kind of grade it takes).
AREAS: dict[str, tuple[str, str]] = {
    "overall effectiveness": (OVERALL_EFFECTIVENESS, GRADED),
    "quality of education": ("Quality of education", GRADED),
    "behaviour and attitudes": ("Behaviour and attitudes", GRADED),
    "personal development": ("Personal development", GRADED),
    "effectiveness of leadership and management": ("Leadership and management", GRADED),
    "leadership and management": ("Leadership and management", GRADED),
    "early years provision (where applicable)": ("Early years provision", GRADED),
    "early years provision": ("Early years provision", GRADED),
    "sixth form provision (where applicable)": ("Sixth form provision", GRADED),
    "sixth form provision": ("Sixth form provision", GRADED),
    "inclusion": ("Inclusion", REPORT_CARD),
    "curriculum and teaching": ("Curriculum and teaching", REPORT_CARD),
    "achievement": ("Achievement", REPORT_CARD),
    "attendance and behaviour": ("Attendance and behaviour", REPORT_CARD),
    "personal development and well-being": ("Personal development and well-being", REPORT_CARD),
    "leadership and governance": ("Leadership and governance", REPORT_CARD),
    "early years": ("Early years", REPORT_CARD),
    "sixth form": ("Sixth form", REPORT_CARD),
    "safeguarding": (SAFEGUARDING, SAFEGUARDING),
    "safeguarding is effective?": (SAFEGUARDING, SAFEGUARDING),
}
# (kind of grade | text) -> stored grade.
GRADES = {
    **{f"{GRADED}|{g}": g for g in OFSTED_GRADES},
    **{f"{GRADED}|{i}": g for i, g in enumerate(OFSTED_GRADES, start=1)},
    f"{GRADED}|Serious weaknesses": "Inadequate", f"{GRADED}|Special measures": "Inadequate",
    **{f"{REPORT_CARD}|{g}": g for g in REPORT_CARD_GRADES},
    f"{SAFEGUARDING}|{MET}": MET, f"{SAFEGUARDING}|Yes": MET,
    f"{SAFEGUARDING}|{NOT_MET}": NOT_MET, f"{SAFEGUARDING}|No": NOT_MET,
}
FRAMEWORKS = {GRADED: GRADED, "Graded inspection": GRADED, REPORT_CARD: REPORT_CARD,
              "Report cards": REPORT_CARD}
NOT_JUDGED = ("null", "not applicable", "n/a", "na", "9", "not judged", "not graded")
EXPECTED_GRADE = {
    GRADED: f"expected {', '.join(OFSTED_GRADES)} or 1-4",
    REPORT_CARD: f"expected {', '.join(REPORT_CARD_GRADES)}",
    SAFEGUARDING: f"expected {MET} or {NOT_MET}",
}


def detect(source: SourceFile) -> bool:
    return (source.any(*URN_COLUMNS) and source.any(*DATE_COLUMNS)
            and "time_period" not in source.columns)


def stage(staging: Staging) -> None:
    src = staging.source
    urn_col, date_col = src.first(*URN_COLUMNS), src.first(*DATE_COLUMNS)
    long = src.has("area", "grade")
    areas = [c for c in AREAS if c in src.columns]
    if urn_col is None or date_col is None or not (long or areas):
        missing = [c for c, ok in (("urn", urn_col), ("inspection_date", date_col),
                                   ("area and grade (or one column per area)", long or areas))
                   if not ok]
        raise missing_columns(src.name, LABEL, missing, src.shown)
    staging.progress(f"Reading {src.name}", 0.1)
    staging.rows_read = load_raw(staging.con, src,
                                 [urn_col, date_col, "area", "grade", "framework", *areas])
    require_rows(staging)
    staging.vocab("_area", {c: a for c, (a, _) in AREAS.items()})
    staging.vocab("_area_kind", {c: k for c, (_, k) in AREAS.items()})
    staging.vocab("_grade", GRADES)
    staging.vocab("_framework", FRAMEWORKS)
    staging.progress("Checking inspections", 0.4)
    sql = _cells_sql(staging, urn_col, date_col, long, areas)
    staging.con.execute(sql, bound(sql, {"not_judged": list(NOT_JUDGED),
                                         "safeguarding": SAFEGUARDING,
                                         **DATE_PARAMS, **_area_params(areas)}))
    _check(staging, urn_col, date_col)
    staging.problems.raise_if_any()
    unknown_urns(staging, "ofsted_cells", ["urn"], "inspection judgement")
    staging.con.execute(
        """
        CREATE OR REPLACE TEMP TABLE staged_ofsted AS
        SELECT urn, inspection_date,
               coalesce(framework, area_framework, CASE WHEN bool_or(area_framework =
                   $report_card) OVER (PARTITION BY urn, inspection_date) THEN $report_card
                   ELSE $graded END) AS framework,
               area, grade
        FROM ofsted_cells ORDER BY urn, inspection_date, area
        """,
        {"report_card": REPORT_CARD, "graded": GRADED},
    )
    staging.plans.append(Plan("ofsted_inspections", "staged_ofsted", COLUMNS, KEYS))


def _area_params(areas: list[str]) -> dict[str, str]:
    return {f"a{i}": column for i, column in enumerate(areas)}


def _cells_sql(staging: Staging, urn_col: str, date_col: str, long: bool, areas: list[str]) -> str:
    """One row per inspection and judged area: (line, sheet, urn, inspected, area, grade...)."""
    urn, day = f"nullif(trim({quote(urn_col)}), '')", f"nullif(trim({quote(date_col)}), '')"
    if long:
        framework = ("nullif(trim(framework), '')" if "framework" in staging.source.columns
                     else "NULL::VARCHAR")
        cells = (f"SELECT line, sheet, {urn} AS urn, {day} AS inspected, "
                 "lower(trim(area)) AS area_key, trim(area) AS area_text, 'area' AS area_col, "
                 f"nullif(trim(grade), '') AS grade_text, 'grade' AS grade_col, "
                 f"{framework} AS framework_text FROM raw")
    else:
        cells = " UNION ALL ".join(
            f"SELECT line, sheet, {urn} AS urn, {day} AS inspected, $a{i} AS area_key, "
            f"$a{i} AS area_text, $a{i} AS area_col, nullif(trim({quote(c)}), '') AS grade_text,"
            f" $a{i} AS grade_col, NULL::VARCHAR AS framework_text FROM raw"
            for i, c in enumerate(areas))
    return f"""
    CREATE OR REPLACE TEMP TABLE ofsted_cells AS
    SELECT c.*, {date_sql('c.inspected')} AS inspection_date, a.canon AS area,
           k.canon AS area_kind,
           CASE WHEN k.canon <> $safeguarding THEN k.canon END AS area_framework,
           f.canon AS framework, g.canon AS grade
    FROM ({cells}) c
    LEFT JOIN _area a ON a.raw = c.area_key
    LEFT JOIN _area_kind k ON k.raw = c.area_key
    LEFT JOIN _framework f ON f.raw = lower(c.framework_text)
    LEFT JOIN _grade g ON g.raw = lower(k.canon || '|' || c.grade_text)
    WHERE c.grade_text IS NOT NULL AND lower(c.grade_text) NOT IN (SELECT unnest($not_judged))
    """


def _check(staging: Staging, urn_col: str, date_col: str) -> None:
    check_urns(staging, "ofsted_cells", {"urn": urn_col})
    find = staging.problems.find
    find(staging.con, table="ofsted_cells", where="inspection_date IS NULL", column="$column",
         found="inspected", expected=DATE_EXPECTED, params={"column": date_col})
    find(staging.con, table="ofsted_cells", where="area IS NULL", column="area_col",
         found="area_text", expected="expected an Ofsted area: "
         + ", ".join(sorted({a for a, _ in AREAS.values()})))
    for kind, expected in EXPECTED_GRADE.items():
        find(staging.con, table="ofsted_cells", where="area_kind = $kind AND grade IS NULL",
             column="grade_col", found="grade_text", expected=expected, params={"kind": kind})
    find(staging.con, table="ofsted_cells",
         where="framework_text IS NOT NULL AND framework IS NULL", column="'framework'",
         found="framework_text", expected=f"expected {GRADED} or {REPORT_CARD}")
    staging.problems.duplicates(staging.con, table="ofsted_cells",
                                keys=["urn", "inspection_date", "area"],
                                describe="concat_ws(', ', 'URN ' || urn, inspection_date, area)",
                                what="inspection and area", where="inspection_date IS NOT NULL")

