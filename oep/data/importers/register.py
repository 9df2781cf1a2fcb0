"""The register of establishments (GIAS ``edubasealldata`` CSV, as downloaded from Get Information
about Schools: ~50,000 rows, 139 columns, Windows-1252).

Detected by the columns ``URN``, ``LA (code)`` and ``EstablishmentName``. Only the open
establishments (status ``Open`` or ``Open, but proposed to close``) of the configured LA are kept:
they are the borough's schools and replace the whole ``establishments`` table (the register is a
snapshot). Every establishment of the LA, closed ones included, also goes into
``register_history`` with ``OpenDate`` and ``CloseDate``, so older figures keyed by an LA and
establishment number reach the school that held it then. Columns are selected by name: ``URN``,
``LA (code)`` + ``EstablishmentNumber`` (-> laestab), ``EstablishmentName``,
``TypeOfEstablishment (name)``, ``PhaseOfEducation (name)`` (kept in GIAS's words, as the demo
does), ``EstablishmentStatus (name)``, ``NumberOfPupils``, ``Trusts (name)``, ``Postcode``,
``Easting``, ``Northing``.

When the Ofsted columns are present (``OfstedLastInsp`` and ``OfstedRating (name)``), each school's
last graded judgement becomes an ``ofsted_inspections`` row (framework ``Graded``, area ``Overall
effectiveness``; ``Serious Weaknesses`` and ``Special Measures`` are Inadequate), replacing the
row of the same school, date and area.
"""

from __future__ import annotations

from oep.data.importers import ofsted
from oep.data.importers.checks import (
    DATE_EXPECTED,
    DATE_PARAMS,
    ImportFailed,
    date_sql,
    quote,
    rows,
)
from oep.data.importers.reading import SourceFile, load_raw
from oep.data.importers.staging import (Plan, Staging, check_urns, require_columns,
                                       require_rows)
from oep.data.schema import OVERALL_EFFECTIVENESS

KIND = "register"
LABEL = "a register of establishments (GIAS) file"
COLUMNS = {
    "urn": "urn", "la_code": "la (code)", "number": "establishmentnumber",
    "name": "establishmentname", "school_type": "typeofestablishment (name)",
    "phase": "phaseofeducation (name)", "status": "establishmentstatus (name)",
    "pupils": "numberofpupils", "trust": "trusts (name)", "postcode": "postcode",
    "easting": "easting", "northing": "northing",
    "inspected_on": "ofstedlastinsp", "rating": "ofstedrating (name)",
    "opened_on": "opendate", "closed_on": "closedate",
}
REQUIRED = ("urn", "la_code", "name", "school_type", "phase", "status")
OPEN = ("open", "open, but proposed to close")
NOT_APPLICABLE = "Not applicable"
RATINGS = {
    "Outstanding": "Outstanding", "Good": "Good", "Requires improvement": "Requires improvement",
    "Inadequate": "Inadequate", "Serious Weaknesses": "Inadequate",
    "Special Measures": "Inadequate",
}
HISTORY_COLUMNS = ("urn", "laestab", "la_code", "name", "status", "opened_on", "closed_on")
ESTABLISHMENT_COLUMNS = ("urn", "laestab", "la_code", "name", "school_type", "phase", "status",
                         "trust", "pupils", "postcode", "easting", "northing")


def detect(source: SourceFile) -> bool:
    return source.has(COLUMNS["urn"], COLUMNS["la_code"], COLUMNS["name"])


def stage(staging: Staging) -> None:
    require_columns(staging, LABEL, (COLUMNS[c] for c in REQUIRED))
    staging.progress(f"Reading {staging.source.name}", 0.1)
    staging.rows_read = load_raw(staging.con, staging.source, list(COLUMNS.values()))
    require_rows(staging)
    picked = ", ".join(
        f"nullif(trim({quote(column)}), '') AS {quote(field)}" if column in staging.source.columns
        else f"NULL::VARCHAR AS {quote(field)}" for field, column in COLUMNS.items())
    staging.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE reg_all AS
        SELECT * FROM (SELECT line, sheet, {picked} FROM raw) WHERE la_code = $la
        """,
        {"la": staging.la_code},
    )
    staging.con.execute("CREATE OR REPLACE TEMP TABLE reg AS SELECT * FROM reg_all "
                        "WHERE lower(status) IN (SELECT unnest($open))", {"open": list(OPEN)})
    kept = staging.count("SELECT count(*) FROM reg")
    if not kept:
        raise ImportFailed(
            f"{staging.source.name}: no open establishments of LA {staging.la_code} among its "
            f"{staging.rows_read:,} rows; nothing was loaded. Check the file, or la_code in "
            "settings.")
    in_la = staging.count("SELECT count(*) FROM reg_all")
    staging.warnings.append(f"{kept:,} open establishments of LA {staging.la_code} kept; "
                            f"{in_la - kept:,} closed ones kept as its history.")
    if staging.rows_read > in_la:
        other = staging.rows_read - in_la
        staging.skip(other, "an establishment of another local authority",
                     f"Skipped {rows(other)} for establishments of other local authorities.",
                     table="raw", where="line NOT IN (SELECT line FROM reg_all)")
    staging.progress("Checking establishments", 0.4)
    _check(staging)
    staging.problems.raise_if_any()
    staging.con.execute(
        """
        CREATE OR REPLACE TEMP TABLE staged_establishments AS
        SELECT urn, CASE WHEN number IS NOT NULL THEN la_code || number END AS laestab, la_code,
               name, coalesce(school_type, $na) AS school_type, coalesce(phase, $na) AS phase,
               status, trust, try_cast(pupils AS INTEGER) AS pupils, postcode,
               try_cast(easting AS INTEGER) AS easting, try_cast(northing AS INTEGER) AS northing
        FROM reg ORDER BY urn
        """,
        {"na": NOT_APPLICABLE},
    )
    staging.plans.append(
        Plan("establishments", "staged_establishments", ESTABLISHMENT_COLUMNS, None))
    _stage_history(staging)
    if staging.source.has(COLUMNS["inspected_on"], COLUMNS["rating"]):
        _stage_ofsted(staging)


def _stage_history(staging: Staging) -> None:
    """Every establishment of the LA, closed ones too, with its dates: which school held an LA
    and establishment number when (``register_history``)."""
    for field in ("opened_on", "closed_on"):
        staging.problems.find(
            staging.con, table="reg_all",
            where=f"{quote(field)} IS NOT NULL AND {date_sql(quote(field))} IS NULL",
            column="$column", found=quote(field), expected=DATE_EXPECTED,
            params={**DATE_PARAMS, "column": COLUMNS[field]},
        )
    check_urns(staging, "reg_all", {"urn": COLUMNS["urn"]})
    staging.problems.duplicates(staging.con, table="reg_all", keys=["urn"],
                                describe="'URN ' || urn", what="establishment (URN)")
    staging.problems.raise_if_any()
    staging.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE staged_register_history AS
        SELECT urn, CASE WHEN number IS NOT NULL THEN la_code || number END AS laestab, la_code,
               coalesce(name, urn) AS name, coalesce(status, 'Unknown') AS status,
               {date_sql('opened_on')} AS opened_on, {date_sql('closed_on')} AS closed_on
        FROM reg_all ORDER BY urn
        """,
        DATE_PARAMS,
    )
    staging.plans.append(
        Plan("register_history", "staged_register_history", HISTORY_COLUMNS, None))


def _check(staging: Staging) -> None:
    check_urns(staging, "reg", {"urn": COLUMNS["urn"]})
    staging.problems.find(staging.con, table="reg", where="name IS NULL", column="$column",
                          found="name", expected="expected the establishment's name",
                          params={"column": COLUMNS["name"]})
    for field in ("pupils", "easting", "northing"):
        staging.problems.find(
            staging.con, table="reg",
            where=f"{quote(field)} IS NOT NULL AND try_cast({quote(field)} AS INTEGER) IS NULL",
            column="$column", found=quote(field), expected="expected a whole number or blank",
            params={"column": COLUMNS[field]},
        )
    staging.problems.duplicates(staging.con, table="reg", keys=["urn"], describe="'URN ' || urn",
                                what="establishment (URN)")


def _stage_ofsted(staging: Staging) -> None:
    staging.vocab("_rating", RATINGS)
    staging.problems.find(
        staging.con, table="reg",
        where=f"inspected_on IS NOT NULL AND rating IS NOT NULL AND {date_sql('inspected_on')} "
              "IS NULL",
        column="$column", found="inspected_on", expected=DATE_EXPECTED,
        params={**DATE_PARAMS, "column": COLUMNS["inspected_on"]},
    )
    staging.problems.raise_if_any()
    unrated = staging.con.execute(
        "SELECT DISTINCT rating FROM reg LEFT JOIN _rating r ON r.raw = lower(reg.rating) "
        "WHERE reg.rating IS NOT NULL AND r.canon IS NULL AND lower(reg.rating) <> 'null' "
        "ORDER BY 1").fetchall()
    if unrated:
        staging.warnings.append("Ofsted ratings not read as a graded judgement were left out: "
                                + ", ".join(repr(r[0]) for r in unrated) + ".")
    staging.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE staged_register_ofsted AS
        SELECT reg.urn, {date_sql('reg.inspected_on')} AS inspection_date, $graded AS framework,
               $overall AS area, r.canon AS grade
        FROM reg JOIN _rating r ON r.raw = lower(reg.rating)
        WHERE reg.inspected_on IS NOT NULL
        """,
        {**DATE_PARAMS, "graded": ofsted.GRADED, "overall": OVERALL_EFFECTIVENESS},
    )
    staging.plans.append(Plan("ofsted_inspections", "staged_register_ofsted", ofsted.COLUMNS,
                              ofsted.KEYS))
