"""The partnership's own register: MoU status and data controllers, support links, strategic
partners. A CSV file or an Excel workbook (.xlsx).

Layout. Three kinds of record, with these columns (any order, any capitalisation):

===================== ========================================================================
record                columns
===================== ========================================================================
``member``            ``urn``, ``mou_signed`` (yes/no), ``mou_signed_on`` (date, optional),
                      ``data_controller`` (the person who controls access for the school's staff)
``support_link``      ``provider_urn`` (the school giving support), ``supported_urn``,
                      ``starts_on`` (date), ``ends_on`` (date, blank = open-ended), ``purpose``
``strategic_partner`` ``org`` (a short code, the login organisation of its staff), ``name``,
                      ``partner_type`` (e.g. Diocese), ``data_controller``
===================== ========================================================================

* CSV: one file may hold all three, told apart by a ``record`` column; a file holding one kind
  only may leave ``record`` out (its columns tell which kind it is).
* Excel: one sheet per kind, named ``members``, ``support_links`` and ``strategic_partners``
  (singular, spaces or hyphens also do), or any sheet with a ``record`` column. Other sheets
  (notes...) are ignored with a warning.

Dates: 2024-09-01, 01/09/2024 or a spreadsheet date. yes/no: yes, y, true, 1, signed / no, n,
false, 0, not signed.

The file is the register: each kind of record it holds replaces that whole table (a kind it does
not hold is left as it is). Schools not in the register of establishments are reported, then
skipped or loaded as asked.
"""

from __future__ import annotations

import re

from oep.data.importers.checks import (
    DATE_EXPECTED,
    DATE_PARAMS,
    bound,
    date_sql,
    quote,
)
from oep.data.importers.reading import XLSX, SourceFile, load_raw
from oep.data.importers.staging import (Plan, Staging, check_urns, require_columns,
                                       require_rows, unknown_urns)

KIND = "partnership"
LABEL = "a partnership register file"
MEMBER, SUPPORT_LINK, PARTNER = "member", "support_link", "strategic_partner"
RECORDS = {
    **{name: MEMBER for name in ("member", "members", "partnership member", "mou")},
    **{name: SUPPORT_LINK for name in ("support link", "support links", "support")},
    **{name: PARTNER for name in ("strategic partner", "strategic partners", "partner",
                                  "partners")},
}
# Each kind's columns, as its store table names them.
FIELDS = {
    MEMBER: ("urn", "mou_signed", "mou_signed_on", "data_controller"),
    SUPPORT_LINK: ("provider_urn", "supported_urn", "starts_on", "ends_on", "purpose"),
    PARTNER: ("org", "name", "partner_type", "data_controller"),
}
REQUIRED = {
    MEMBER: ("urn", "mou_signed"),
    SUPPORT_LINK: ("provider_urn", "supported_urn", "starts_on"),
    PARTNER: ("org", "name"),
}
YES = ("yes", "y", "true", "1", "signed")
NO = ("no", "n", "false", "0", "not signed")
TABLES = {MEMBER: "partnership_members", SUPPORT_LINK: "support_links",
          PARTNER: "strategic_partners"}


def detect(source: SourceFile) -> bool:
    if source.encoding == XLSX:
        return True
    sections = _sections_by_columns(source)
    return bool(sections) and ("record" in source.columns or len(sections) == 1)


def _sections_by_columns(source: SourceFile) -> list[str]:
    return [kind for kind, cols in REQUIRED.items() if source.has(*cols)]


def _record_of(name: str) -> str | None:
    """The record kind a sheet name or record value stands for ('Support links' -> support_link)."""
    return RECORDS.get(re.sub(r"[\s\-_]+", " ", name.strip().lower()))


def stage(staging: Staging) -> None:
    columns = ["record", *dict.fromkeys(c for cols in FIELDS.values() for c in cols)]
    staging.progress(f"Reading {staging.source.name}", 0.1)
    load_raw(staging.con, staging.source, columns)
    present = [c for c in columns if c in staging.source.columns]
    _ignore_other_sheets(staging)
    # Spreadsheets keep formatted but empty rows: they are not records.
    blank = " AND ".join(f"nullif(trim({quote(c)}), '') IS NULL" for c in present)
    staging.con.execute(f"DELETE FROM raw WHERE {blank}")
    staging.rows_read = staging.count("SELECT count(*) FROM raw")
    require_rows(staging)
    values = []
    if "record" in present:
        values = [r[0] for r in staging.con.execute(
            "SELECT DISTINCT record FROM raw WHERE record IS NOT NULL").fetchall()]
    staging.vocab("_record", {v: kind for v in values if (kind := _record_of(v))})
    staging.vocab("_sheet", {s: kind for s in staging.source.sheets if (kind := _record_of(s))})
    staging.con.execute(_records_sql(staging, present), _inferred(staging))
    staging.problems.find(staging.con, table="records", where="rec IS NULL", column="'record'",
                          found="record_text",
                          expected=f"expected a record kind: {MEMBER}, {SUPPORT_LINK} or {PARTNER}")
    sections = [r[0] for r in staging.con.execute(
        "SELECT DISTINCT rec FROM records WHERE rec IS NOT NULL ORDER BY 1").fetchall()]
    for section in sections:
        require_columns(staging, f"{section} records", REQUIRED[section])
    staging.progress("Checking records", 0.4)
    checks = {MEMBER: _check_members, SUPPORT_LINK: _check_links, PARTNER: _check_partners}
    for section in sections:
        checks[section](staging)
    staging.problems.raise_if_any()
    for section in (MEMBER, SUPPORT_LINK, PARTNER):
        if section in sections:
            _stage(staging, section)


def _ignore_other_sheets(staging: Staging) -> None:
    if staging.source.encoding != XLSX:
        return
    ignored = [sheet for sheet, frame in staging.source.sheets.items()
               if _record_of(sheet) is None
               and "record" not in {c.strip().lower() for c in frame.columns}]
    if ignored:
        staging.con.execute("DELETE FROM raw WHERE sheet IN (SELECT unnest($s))", {"s": ignored})
        staging.warnings.append("Sheets that are not partnership records were ignored: "
                                + ", ".join(ignored) + ".")


def _inferred(staging: Staging) -> dict[str, object]:
    """The kind of every record of a CSV without a ``record`` column, from its columns."""
    if staging.source.encoding == XLSX or "record" in staging.source.columns:
        return {"inferred": None}
    return {"inferred": _sections_by_columns(staging.source)[0]}


def _records_sql(staging: Staging, present: list[str]) -> str:
    text = {c: f"nullif(trim({quote(c)}), '')" if c in present else "NULL::VARCHAR"
            for c in ["record", *dict.fromkeys(c for cols in FIELDS.values() for c in cols)]}
    fields = ", ".join(f"{expr} AS {quote(c)}" for c, expr in text.items() if c != "record")
    return f"""
    CREATE OR REPLACE TEMP TABLE records AS
    SELECT line, sheet, {text['record']} AS record_text,
           coalesce(r.canon, CASE WHEN {text['record']} IS NULL THEN s.canon END, $inferred)
               AS rec,
           {fields}
    FROM raw
    LEFT JOIN _record r ON r.raw = lower({text['record']})
    LEFT JOIN _sheet s ON s.raw = lower(raw.sheet)
    """


def _yes_no(expr: str) -> str:
    return (f"CASE WHEN lower({expr}) IN (SELECT unnest($yes)) THEN true "
            f"WHEN lower({expr}) IN (SELECT unnest($no)) THEN false END")


def _check_date(staging: Staging, section: str, column: str, *, required: bool) -> None:
    blank = f"{quote(column)} IS NULL OR " if required else f"{quote(column)} IS NOT NULL AND "
    staging.problems.find(
        staging.con, table="records",
        where=f"rec = $rec AND ({blank}{date_sql(quote(column))} IS NULL)",
        column="$column", found=quote(column), expected=DATE_EXPECTED,
        params={**DATE_PARAMS, "rec": section, "column": column},
    )


def _check_members(staging: Staging) -> None:
    check_urns(staging, "records", {"urn": "urn"}, where="rec = $rec", params={"rec": MEMBER})
    staging.problems.find(
        staging.con, table="records", where=f"rec = $rec AND ({_yes_no('mou_signed')}) IS NULL",
        column="'mou_signed'", found="mou_signed", expected="expected yes or no",
        params={"rec": MEMBER, "yes": list(YES), "no": list(NO)},
    )
    _check_date(staging, MEMBER, "mou_signed_on", required=False)
    staging.problems.duplicates(staging.con, table="records", keys=["urn"],
                                describe="'URN ' || urn", what="member school (URN)",
                                where="rec = $rec", params={"rec": MEMBER})


def _check_links(staging: Staging) -> None:
    check_urns(staging, "records",
               {"provider_urn": "provider_urn", "supported_urn": "supported_urn"},
               where="rec = $rec", params={"rec": SUPPORT_LINK})
    _check_date(staging, SUPPORT_LINK, "starts_on", required=True)
    _check_date(staging, SUPPORT_LINK, "ends_on", required=False)
    staging.problems.find(
        staging.con, table="records",
        where=f"rec = $rec AND {date_sql('ends_on')} < {date_sql('starts_on')}",
        column="'ends_on'", found="ends_on", expected="expected an end on or after starts_on",
        params={**DATE_PARAMS, "rec": SUPPORT_LINK},
    )
    staging.problems.find(
        staging.con, table="records", where="rec = $rec AND provider_urn = supported_urn",
        column="'supported_urn'", found="supported_urn",
        expected="expected a school other than the provider", params={"rec": SUPPORT_LINK},
    )
    staging.problems.duplicates(
        staging.con, table="records", keys=["provider_urn", "supported_urn", "starts_on"],
        describe="concat_ws(', ', provider_urn || ' supports ' || supported_urn, starts_on)",
        what="support link (provider, supported school, start)", where="rec = $rec",
        params={"rec": SUPPORT_LINK})


def _check_partners(staging: Staging) -> None:
    for column, what in (("org", "the organisation's code"), ("name", "its name")):
        staging.problems.find(
            staging.con, table="records", where=f"rec = $rec AND {quote(column)} IS NULL",
            column="$column", found=quote(column), expected=f"expected {what}",
            params={"rec": PARTNER, "column": column})
    staging.problems.duplicates(staging.con, table="records", keys=["org"],
                                describe="'org ' || org", what="strategic partner (org)",
                                where="rec = $rec", params={"rec": PARTNER})


def _stage(staging: Staging, section: str) -> None:
    table = TABLES[section]
    staged = f"staged_{table}"
    select = {
        MEMBER: f"urn, {_yes_no('mou_signed')} AS mou_signed, "
                f"{date_sql('mou_signed_on')} AS mou_signed_on, data_controller",
        SUPPORT_LINK: f"provider_urn, supported_urn, {date_sql('starts_on')} AS starts_on, "
                      f"{date_sql('ends_on')} AS ends_on, purpose",
        PARTNER: "org, name, partner_type, data_controller",
    }[section]
    sql = (f"CREATE OR REPLACE TEMP TABLE {quote(staged)} AS "
           f"SELECT {select} FROM records WHERE rec = $rec ORDER BY line")
    staging.con.execute(sql, bound(sql, {**DATE_PARAMS, "rec": section, "yes": list(YES),
                                         "no": list(NO)}))
    school_columns = {MEMBER: ["urn"], SUPPORT_LINK: ["provider_urn", "supported_urn"]}
    if section in school_columns:
        unknown_urns(staging, staged, school_columns[section],
                     f"{section.replace('_', ' ')} record")
    staging.plans.append(Plan(table, staged, FIELDS[section], None))
