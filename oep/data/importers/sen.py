"""Special educational needs (DfE statistics, January census), in either published layout.

* School-level long layout (from 2025): ``sen_provision`` and ``sen_primary_need`` filters with
  ``pupil_count``. Rows by primary need (SEN support or EHC plan) go to ``sen_needs``; the
  ``Total`` need rows give the indicators pupils (provision Total), sen_support and ehc_plan, and
  sen_support_pct / ehc_plan_pct are computed from those counts (a suppressed count leaves the
  percentage suppressed with the same symbol; a school with no pupils gives ``z``).
* LA-level layout: ``total_pupils``, ``sen_support``, ``ehc_plan``, ``sen_support_percent``,
  ``ehc_plan_percent`` (by ``phase_type_grouping``; the ``type_of_establishment`` and
  ``hospital_school`` totals are kept) -> measures pupils, sen_support, ehc_plan, sen_support_pct,
  ehc_plan_pct.

Detected by ``sen_provision`` + ``sen_primary_need`` or by ``sen_support`` + ``ehc_plan``
(``time_period`` and ``geographic_level`` are then required).
"""

from __future__ import annotations

from oep.data.importers import dfe
from oep.data.importers.reading import SourceFile
from oep.data.importers.staging import Plan, Staging
from oep.data.schema import EHC_PLAN, NO_SEN, PRIMARY_NEEDS, SEN_SUPPORT, TOTAL_PHASE

KIND = "sen"
LABEL = "a special educational needs file"
LONG_COLUMNS = ("sen_provision", "sen_primary_need", "pupil_count")
LA_MEASURES = {
    "pupils": "total_pupils",
    "sen_support": "sen_support",
    "ehc_plan": "ehc_plan",
    "sen_support_pct": "sen_support_percent",
    "ehc_plan_pct": "ehc_plan_percent",
}
TOTAL = "Total"
NEED = "_need"
NOT_APPLICABLE = "z"
# The count measures of the Total need rows, by name (a parameter each).
COUNT_PARAMS = {"pupils": "pupils", "sen_support": "sen_support", "ehc_plan": "ehc_plan"}
PROVISION_VOCAB = {
    "Total": TOTAL, "All pupils": TOTAL,
    "SEN support": SEN_SUPPORT, "SEN support / SEN without an EHC plan": SEN_SUPPORT,
    "EHC plan": EHC_PLAN, "EHCP": EHC_PLAN, "Education, health and care plan": EHC_PLAN,
    "Education, Health and Care plans": EHC_PLAN, "Statement or EHC plan": EHC_PLAN,
    "No SEN": NO_SEN, "No identified SEN": NO_SEN, "No SEN provision": NO_SEN,
}
NEED_VOCAB = {
    TOTAL: TOTAL,
    **{need: need for need in PRIMARY_NEEDS},
    "Autistic spectrum disorder": "Autistic Spectrum Disorder",
    "Profound and multiple learning difficulty": "Profound & Multiple Learning Difficulty",
    "Speech, language and communication needs": "Speech, Language and Communications needs",
    "Social, emotional and mental health": "Social, Emotional and Mental Health",
    "Other difficulty or disability": "Other Difficulty/Disability",
    "Vision impairment": "Visual Impairment",
    "No specialist assessment of type of need":
        "SEN support but no specialist assessment of type of need",
}
LONG_LAYOUT = dfe.Layout(LABEL, extra=("sen_provision", "sen_primary_need"))
LA_LAYOUT = dfe.Layout(LABEL)
NEED_COLUMNS = ("geo_level", "area_code", "time_period", "sen_provision", "primary_need",
                "pupils", "symbol")
NEED_KEYS = ("geo_level", "area_code", "time_period", "sen_provision", "primary_need")


def detect(source: SourceFile) -> bool:
    return source.has("sen_provision", "sen_primary_need") or source.has("sen_support", "ehc_plan")


def stage(staging: Staging) -> None:
    if staging.source.has("sen_provision", "sen_primary_need"):
        _stage_long(staging)
    else:
        dfe.require(staging, LA_LAYOUT, "sen_support", "ehc_plan")
        cells = [dfe.Cell(m, c) for m, c in LA_MEASURES.items() if c in staging.source.columns]
        dfe.stage_rows(staging, LA_LAYOUT, [c.column for c in cells], checked=cells)
        dfe.stage_indicators(staging, cells)


def _stage_long(staging: Staging) -> None:
    dfe.require(staging, LONG_LAYOUT, *LONG_COLUMNS)
    dfe.stage_rows(staging, LONG_LAYOUT, ["pupil_count"])
    staging.progress("Checking values", 0.5)
    staging.vocab("_provision", PROVISION_VOCAB)
    staging.vocab("_need", NEED_VOCAB)
    unknown_needs = [r[0] for r in staging.con.execute(
        "SELECT DISTINCT r.sen_primary_need FROM rows r LEFT JOIN _need n "
        "ON n.raw = lower(r.sen_primary_need) WHERE n.canon IS NULL ORDER BY 1").fetchall()]
    if unknown_needs:
        staging.warnings.append("Primary needs not in the store's list were kept as published: "
                                + ", ".join(repr(n) for n in unknown_needs if n) + ".")
    params = {"total": TOTAL, "support": SEN_SUPPORT, "ehc": EHC_PLAN, "need": NEED,
              "total_phase": TOTAL_PHASE, "col": "pupil_count", **COUNT_PARAMS}
    select = """
        SELECT * FROM (
            SELECT r.line, r.sheet, r.geo_level, r.area_code, r.area_name, r.phase,
                   r.time_period, r.time_identifier, r.pupil_group, $col AS col,
                   r.pupil_count AS text, p.canon AS sen_provision,
                   coalesce(n.canon, r.sen_primary_need) AS primary_need,
                   CASE WHEN coalesce(n.canon, r.sen_primary_need) <> $total
                            THEN CASE WHEN p.canon IN ($support, $ehc) THEN $need END
                        WHEN p.canon = $total THEN $pupils
                        WHEN p.canon = $support THEN $sen_support
                        WHEN p.canon = $ehc THEN $ehc_plan END AS measure
            FROM rows r
            LEFT JOIN _provision p ON p.raw = lower(r.sen_provision)
            LEFT JOIN _need n ON n.raw = lower(r.sen_primary_need))
        WHERE measure IS NOT NULL AND (measure <> $need OR phase = $total_phase)
    """
    staging.con.execute(f"CREATE OR REPLACE TEMP TABLE sen_cells AS {select}", params)
    _account_unstored(staging)
    dfe.check_cells(staging, "sen_cells", counts=(NEED,))
    # Different spellings of one provision or need must not give two rows for the same key.
    staging.problems.duplicates(
        staging.con, table="sen_cells",
        keys=["geo_level", "area_code", "phase", "time_period", "time_identifier", "measure",
              "sen_provision", "primary_need"],
        describe="concat_ws(', ', geo_level || ' ' || area_code, time_period, sen_provision, "
                 "primary_need)",
        what="area, period, provision and need")
    staging.problems.raise_if_any()
    dfe.symbols_table(staging)
    staging.con.execute(
        """
        CREATE OR REPLACE TEMP TABLE sen_values AS
        SELECT c.* EXCLUDE (text),
               CASE WHEN s.canon IS NULL THEN try_cast(trim(c.text) AS DOUBLE) END AS value,
               s.canon AS symbol
        FROM sen_cells c LEFT JOIN _symbols s ON s.raw = lower(trim(c.text))
        """
    )
    staging.con.execute(
        "CREATE OR REPLACE TEMP TABLE staged_needs AS SELECT geo_level, area_code, time_period, "
        "sen_provision, primary_need, value AS pupils, symbol FROM sen_values "
        "WHERE measure = $need",
        {"need": NEED},
    )
    _with_percentages(staging)
    dfe.plan_indicators(staging, "sen_counts")
    staging.plans.append(Plan("sen_needs", "staged_needs", NEED_COLUMNS, NEED_KEYS))


def _account_unstored(staging: Staging) -> None:
    """Rows whose figure the store does not keep are skipped with their reason, not lost: needs
    by phase (the store keeps a school's or area's needs over all phases) and provisions it has
    no measure for (No SEN: all pupils less those with SEN)."""
    unstored = "NOT EXISTS (SELECT 1 FROM sen_cells c WHERE c.line = rows.line AND " \
               "c.sheet IS NOT DISTINCT FROM rows.sheet)"
    by_phase = f"{unstored} AND phase <> $total_phase AND lower(sen_primary_need) <> 'total'"
    reasons = ((by_phase, "a primary need for one phase (needs are kept over all phases)"),
               (unstored, "a provision the store keeps no figure for"))
    for where, reason in reasons:
        params = {"total_phase": TOTAL_PHASE} if "$total_phase" in where else {}
        count = staging.count(f"SELECT count(*) FROM rows WHERE {where}", params)
        if count:
            shown = "row" if count == 1 else "rows"
            staging.skip(count, reason, f"Skipped {count:,} {shown} for {reason}.", table="rows",
                         where=where, params=params)


def _with_percentages(staging: Staging) -> None:
    """Table ``sen_counts``: the count cells plus sen_support_pct and ehc_plan_pct from them."""
    keys = ("geo_level", "area_code", "phase", "time_period", "time_identifier", "pupil_group")
    on = " AND ".join(f"c.{k} = p.{k}" for k in keys)
    columns = ", ".join(dfe.INDICATOR_COLUMNS)
    staging.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE sen_counts AS
        SELECT {columns} FROM sen_values WHERE measure IN ($pupils, $sen_support, $ehc_plan)
        UNION ALL
        SELECT c.geo_level, c.area_code, c.area_name, c.phase, c.time_period, c.time_identifier,
               c.pupil_group,
               CASE c.measure WHEN $sen_support THEN $sen_support_pct ELSE $ehc_plan_pct END
                   AS measure,
               CASE WHEN p.value > 0 THEN 100 * c.value / p.value END AS value,
               CASE WHEN c.symbol IS NOT NULL THEN c.symbol WHEN p.symbol IS NOT NULL THEN p.symbol
                    WHEN p.value = 0 AND c.value IS NOT NULL THEN $not_applicable END AS symbol
        FROM sen_values c JOIN sen_values p ON {on}
        WHERE c.measure IN ($sen_support, $ehc_plan) AND p.measure = $pupils
        """,
        {"not_applicable": NOT_APPLICABLE, **COUNT_PARAMS,
         "sen_support_pct": "sen_support_pct", "ehc_plan_pct": "ehc_plan_pct"},
    )
