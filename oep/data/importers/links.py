"""Links between establishments (the GIAS ``links_edubasealldata`` CSV): predecessors and
successors, so a school's years before it became an academy stay with the school it was then.

Detected by the columns ``URN``, ``LinkURN`` and ``LinkType``; ``LinkName`` and
``LinkEstablishedDate`` are read when present. Links of the LA's establishments (either end in
``register_history``) replace the whole ``establishment_links`` table (a snapshot); others are
left out and counted.
"""

from __future__ import annotations

from oep.data.importers.checks import DATE_EXPECTED, DATE_PARAMS, date_sql, quote
from oep.data.importers.reading import SourceFile, load_raw
from oep.data.importers.staging import (Plan, Staging, check_urns, require_columns,
                                       require_rows)

KIND = "links"
LABEL = "a GIAS links file"
COLUMNS = {"urn": "urn", "link_urn": "linkurn", "link_name": "linkname",
           "link_type": "linktype", "linked_on": "linkestablisheddate"}
REQUIRED = ("urn", "link_urn", "link_type")
LINK_COLUMNS = ("urn", "link_urn", "link_name", "link_type", "linked_on")


def detect(source: SourceFile) -> bool:
    return source.has(COLUMNS["urn"], COLUMNS["link_urn"], COLUMNS["link_type"])


def stage(staging: Staging) -> None:
    require_columns(staging, LABEL, (COLUMNS[c] for c in REQUIRED))
    staging.rows_read = load_raw(staging.con, staging.source, list(COLUMNS.values()))
    require_rows(staging)
    picked = ", ".join(
        f"nullif(trim({quote(column)}), '') AS {quote(field)}" if column in staging.source.columns
        else f"NULL::VARCHAR AS {quote(field)}" for field, column in COLUMNS.items())
    staging.con.execute(
        f"CREATE OR REPLACE TEMP TABLE lnk AS SELECT line, sheet, {picked} FROM raw")
    check_urns(staging, "lnk", {"urn": COLUMNS["urn"], "link_urn": COLUMNS["link_urn"]})
    staging.problems.find(
        staging.con, table="lnk", where="link_type IS NULL", column="$column",
        found="link_type", expected="expected the kind of link (e.g. Predecessor)",
        params={"column": COLUMNS["link_type"]})
    staging.problems.find(
        staging.con, table="lnk",
        where=f"linked_on IS NOT NULL AND {date_sql('linked_on')} IS NULL",
        column="$column", found="linked_on", expected=DATE_EXPECTED,
        params={**DATE_PARAMS, "column": COLUMNS["linked_on"]})
    staging.problems.raise_if_any()
    staging.con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE staged_links AS
        SELECT DISTINCT urn, link_urn, link_name, link_type, {date_sql('linked_on')} AS linked_on
        FROM lnk
        WHERE urn IN (SELECT urn FROM register_history)
           OR link_urn IN (SELECT urn FROM register_history)
        """,
        DATE_PARAMS,
    )
    kept = staging.count("SELECT count(*) FROM staged_links")
    staging.warnings.append(f"{kept:,} links of the LA's establishments kept; "
                            f"{staging.rows_read - kept:,} other rows left out.")
    staging.plans.append(Plan("establishment_links", "staged_links", LINK_COLUMNS, None))
