"""The DfE open-data layout shared by the statistics kinds (absence, attendance, sen, ehcp,
suspensions).

A DfE file has one row per area, period and filter combination, with the standard columns
``time_period``, ``time_identifier``, ``geographic_level`` and the area columns of each level, and
indicator columns beside them. Reading one into ``indicators`` goes in three steps, all in SQL:

1. ``stage_rows`` turns each kept row into store keys (table ``rows``), reading a CSV straight
   into it unless a breakdown's totals must be picked out first:

   * geo_level: the file's ``geographic_level`` (National, Regional, Local authority, School);
     rows at other levels (ward, constituency, ...) are skipped with a warning;
   * area_code / area_name: ``country_code``/``country_name``, ``region_code``/``region_name``,
     ``old_la_code``/``la_name``, ``school_urn``/``school_name``. Old files that name schools only
     by ``laestab`` are mapped to URNs through the register. School rows of other local
     authorities are skipped; schools not in the register are skipped or loaded as asked;
   * phase: ``education_phase``, ``school_type`` or ``phase_type_grouping`` mapped to the store's
     words (``State-funded primary`` -> ``Primary``, ...); ``Total`` when absent. School rows get
     ``Total``: a school's phase lives in the register;
   * pupil_group: the ``characteristic`` breakdown in the store's words (``oep.data.vocabulary``;
     ``Total`` -> ``All pupils``); rows for other characteristics are skipped with a warning. A
     year-group breakdown (``ncyear``) without a Total row gives groups such as ``Year 4``. A file
     with no breakdown is all pupils, unless its every row describes one sub-population (the
     kind decides, e.g. absence of pupils aged 4): then the group comes from ``--pupil-group`` or
     the ``.meta.csv`` beside the file, and without either the file is refused;
   * other breakdowns (``type_of_establishment``, ``hospital_school``, ``breakdown_topic`` ...):
     only their Total rows are kept; with no Total row the file is refused;
   * school attributes (``academy_type``, ``academy_open_date``, ``all_through``, ``trust_name``
     ...) describe the school and never reduce rows; columns of no declared role are named in a
     warning;
   * time_period: 6 digits (academic year, 202324) or 4 (calendar year) as the kind expects;
     time_identifier: the file's (``Autumn term``, ``Academic year``...) unless the kind fixes it;
     where the kind reads weeks, ``Week 37`` with a 4-digit calendar year stays as published.

2. Checks: unparseable periods, blank area codes, malformed URNs, duplicate keys.

3. ``stage_indicators`` unpivots the measure columns into ``indicators`` rows (the view
   ``staged_indicators``): a number, or a published symbol kept in ``symbol`` with a NULL value
   (never 0, never an error); a blank cell is NULL with no symbol. Anything else, percentages
   outside 0-100 and negative counts or rates are errors naming the row and column. A wide file's
   rows are also staged wide (``staged_wide``), as its part stores them (decision 0011).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from oep.data.importers.checks import ImportFailed, bound, missing_columns, quote, rows
from oep.data.importers.reading import (
    XLSX,
    csv_errors,
    load_raw,
    number_lines,
    raw_select,
)
from oep.data.importers.staging import (
    URN_PATTERN,
    Plan,
    Staging,
    period_label,
    require_columns,
    require_rows,
)
from oep.data.schema import (
    ACADEMIC_YEAR,
    ALL_PUPILS,
    AUTUMN,
    AUTUMN_SPRING,
    CALENDAR_YEAR,
    GEO_LEVELS,
    LOCAL_AUTHORITY,
    MEASURES,
    NATIONAL,
    REGIONAL,
    SCHOOL,
    SPRING,
    SUMMER,
    SYMBOLS,
    TOTAL_PHASE,
    WIDE_KEYS,
    YEAR_TO_DATE,
)
from oep.data.store import wide_columns
from oep.data.vocabulary import GROUP_VARIANTS, PHASE_VARIANTS, age_group, year_group

# Column roles of the DfE layouts. Every column a file has is one of: key or period, geography,
# school attribute (describes the school; never reduces rows), breakdown, or measure (declared by
# each kind). Anything else is reported as a column the store does not hold.
BASE_COLUMNS = ("time_period", "geographic_level")
PERIOD_COLUMNS = ("time_period", "time_identifier", "year_breakdown")
URN_COLUMNS = ("school_urn", "urn")
LAESTAB_COLUMNS = ("school_laestab", "laestab")
AREA_COLUMNS = (
    "country_code", "country_name", "region_code", "region_name", "old_la_code", "la_name",
    "school_name",
)
OTHER_GEOGRAPHY = (
    "geographic_level", "new_la_code", "estab", "ward_code", "ward_name", "pcon_code",
    "pcon_name", "lad_code", "lad_name", "opportunity_area_code", "opportunity_area_name",
    "lsip_code", "lsip_name", "english_devolved_area_code", "english_devolved_area_name",
)
SCHOOL_ATTRIBUTES = (
    "academy_type", "academy_open_date", "all_through", "trust_name", "trust", "num_schools",
    "total_num_schools", "school_postcode",
)
PHASE_COLUMNS = ("education_phase", "school_type", "phase_type_grouping")
GROUP_COLUMNS = ("characteristic",)
GROUP_LABEL_COLUMNS = ("characteristic_group",)
# Breakdowns by year group: their values become pupil groups ("Year 4") unless the file has a
# Total row, in which case only the totals are kept.
YEAR_BREAKDOWNS = ("ncyear", "nc_year", "year_group")
# Breakdowns that are not pupil groups: only their Total rows are kept.
TOTAL_FILTERS = ("breakdown_topic", "breakdown", "type_of_establishment", "hospital_school")
TOTAL_VALUES = ("total", "all pupils", "all ehc plans", "all ehc plans issued")
# The area code column each level needs.
LEVEL_CODE_COLUMN = {
    NATIONAL: "country_code", REGIONAL: "region_code", LOCAL_AUTHORITY: "old_la_code",
}
DECLARED = (*PERIOD_COLUMNS, *URN_COLUMNS, *LAESTAB_COLUMNS, *AREA_COLUMNS, *OTHER_GEOGRAPHY,
            *SCHOOL_ATTRIBUTES, *PHASE_COLUMNS, *GROUP_COLUMNS, *GROUP_LABEL_COLUMNS,
            *YEAR_BREAKDOWNS, *TOTAL_FILTERS)

GEO_VOCAB = {level: level for level in (NATIONAL, REGIONAL, LOCAL_AUTHORITY, SCHOOL)}
TIME_VOCAB = {t: t for t in (ACADEMIC_YEAR, AUTUMN, SPRING, SUMMER, AUTUMN_SPRING, CALENDAR_YEAR,
                             YEAR_TO_DATE)}
PERCENT_MEASURES = [m for m, (_, unit) in MEASURES.items() if unit == "%"]
NON_NEGATIVE_MEASURES = [m for m, (_, unit) in MEASURES.items()
                         if unit in ("pupils", "per 100", "sessions")]
SYMBOL_LIST = ", ".join(SYMBOLS)
INDICATOR_COLUMNS = ("geo_level", "area_code", "area_name", "phase", "time_period",
                     "time_identifier", "pupil_group", "measure", "value", "symbol")
INDICATOR_KEYS = ("geo_level", "area_code", "phase", "pupil_group", "time_period",
                  "time_identifier", "measure")


@dataclass(frozen=True)
class Layout:
    """How one kind reads the standard DfE columns."""

    label: str
    period_digits: int = 6
    time_identifier: str | None = None
    """Fixed time_identifier (the file's is ignored), e.g. 'Year to date' for attendance."""
    default_time_identifier: str = ACADEMIC_YEAR
    weeks: bool = False
    """Rows whose time_identifier is 'Week N' keep it, with a 4-digit calendar year as their
    time_period (ISO weeks: the daily attendance data's weekly files)."""
    extra: tuple[str, ...] = ()
    """Further text columns kept in ``rows`` and part of the row key (e.g. ``absence_type``)."""


@dataclass(frozen=True)
class Cell:
    """One measure read from one column; with ``when``, only on rows where that column has the
    given value (the long layouts)."""

    measure: str
    column: str
    when: tuple[str, str] | None = None


def require(staging: Staging, layout: Layout, *columns: str) -> None:
    require_columns(staging, layout.label, (*BASE_COLUMNS, *columns))


def require_any(staging: Staging, layout: Layout, cells: list[Cell], expected: list[str]) -> None:
    """A file of a kind must have at least one of its measure columns."""
    if not cells:
        raise ImportFailed(
            f"{staging.source.name}: missing required columns for {layout.label}: expected at "
            f"least one of {', '.join(expected)}.")


def meta_path(path: Path) -> Path:
    """Where a data file's ``.meta.csv`` companion sits: beside it, same stem."""
    return path.with_name(f"{path.name.removesuffix('.csv')}.meta.csv")


def meta_pupil_group(meta: Path) -> str | None:
    """The pupil group a ``.meta.csv`` names in its labels or hints ('... aged 4'), if any."""
    with open(meta, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            for text in (row.get("label") or "", row.get("filter_hint") or ""):
                if group := age_group(text):
                    return group
    return None


def declared_pupil_group(staging: Staging) -> bool:
    """For a file whose every row describes one sub-population: is its group known? The one
    given (``--pupil-group``), else the one its ``.meta.csv`` names (then set on ``staging``)."""
    if staging.pupil_group is not None:
        return True
    meta = meta_path(staging.source.path)
    group = meta_pupil_group(meta) if meta.is_file() else None
    if group is None:
        return False
    staging.pupil_group = group
    staging.warnings.append(f"Its rows describe one group of pupils: stored as '{group}' "
                            f"(from {meta.name}).")
    return True


def sub_population_refused(staging: Staging, why: str) -> ImportFailed:
    """The refusal for a sub-population file whose group is not known (checked after the file's
    cells, so a file with bad cells hears about those first)."""
    return ImportFailed(
        f"{staging.source.name}: its rows describe one group of pupils, not all pupils ({why}), "
        "and the file does not say which. Import it with the group it covers, e.g. --pupil-group "
        "'Aged 4' (on the admin page: 'Pupil group'), or with its .meta.csv beside it.")


def stage_measures(staging: Staging, layout: Layout, measures: dict[str, tuple[str, ...]],
                   signature: tuple[str, ...], *, alone: tuple[str, ...] = ()) -> None:
    """Stage a wide file: each measure from the first of its column names the file has.

    At least one signature measure must be there; ``alone`` names measures (such as enrolments)
    that do not make a file of this kind by themselves.
    """
    require(staging, layout)
    cells = [Cell(m, c) for m, names in measures.items()
             if (c := staging.source.first(*names)) is not None]
    require_any(staging, layout, [c for c in cells if c.measure not in alone], list(signature))
    stage_rows(staging, layout, [c.column for c in cells], checked=cells)
    stage_indicators(staging, cells)


def stage_rows(staging: Staging, layout: Layout, measure_columns: list[str], *,
               checked: list[Cell] | None = None) -> None:
    """Read the file and build the validated table ``rows`` (see the module docstring); with
    ``checked``, the cells ``stage_indicators`` will check, each row's ``suspect`` flag."""
    src = staging.source
    wanted = [*BASE_COLUMNS, "time_identifier", *AREA_COLUMNS, *URN_COLUMNS, *LAESTAB_COLUMNS,
              *PHASE_COLUMNS, *GROUP_COLUMNS, *YEAR_BREAKDOWNS, *TOTAL_FILTERS, *layout.extra,
              *measure_columns]
    _report_unread_columns(staging, [*layout.extra, *measure_columns])
    if staging.pupil_group is not None and src.any(*GROUP_COLUMNS, *YEAR_BREAKDOWNS):
        raise ImportFailed(
            f"{src.name}: the file has its own pupil groups "
            f"({src.shown(src.first(*GROUP_COLUMNS, *YEAR_BREAKDOWNS) or '')}); import it "
            "without a pupil group.")
    staging.progress(f"Reading {src.name}", 0.1)
    # A CSV with no breakdown to filter first is read once, straight into ``rows``.
    direct = src.encoding != XLSX and not src.any(*TOTAL_FILTERS, *YEAR_BREAKDOWNS)
    if not direct:
        staging.rows_read = load_raw(staging.con, src, wanted)
        require_rows(staging)
        staging.progress("Checking areas and periods", 0.3)
    _keep_totals(staging)
    if staging.source.first(*PHASE_COLUMNS) is None and staging.phase is None:
        staging.warnings.append(
            "The file has no phase column: its LA, regional and national figures are stored as "
            "all schools. If it covers one phase only (e.g. pupil referral units), import it "
            "with that phase (--phase), or it replaces the all-schools figures of its periods.")
    params = {**_params(staging, layout), "path": str(src.text_path)}
    sql = _rows_sql(staging, layout, measure_columns, f"({raw_select(src, wanted)})" if direct
                    else "raw", params, checked or [])
    # In the order of ``raw`` or of the file (no join, no ``unordered``): a CSV read straight
    # into ``rows`` is numbered from its row ids, in parallel, rather than as it streams.
    if direct:
        with csv_errors(src):
            number_lines(staging.con, "rows", sql, bound(sql, params))
        staging.rows_read = staging.count("SELECT count(*) FROM rows")
        require_rows(staging)
        staging.progress("Checking areas and periods", 0.3)
    else:
        staging.con.execute(sql, bound(sql, params))
    _skip_unheld(staging)
    _check_keys(staging, layout)
    _known_schools(staging)
    if src.first(*URN_COLUMNS) is None and src.first(*LAESTAB_COLUMNS) is not None:
        _map_laestabs(staging)
    _unknown_schools(staging)
    staging.con.execute(
        "UPDATE rows SET area_name = k.name FROM _known k "
        "WHERE rows.geo_level = $school AND rows.area_name IS NULL AND k.urn = rows.area_code",
        {"school": SCHOOL},
    )
    keys = ["geo_level", "area_code", "phase", "pupil_group", "time_period", "time_identifier",
            *layout.extra]
    staging.problems.duplicates(
        staging.con, table="rows", keys=keys, what="area, period, phase and pupil group",
        describe="concat_ws(', ', geo_level || ' ' || area_code, time_period::VARCHAR || ' ' || "
                 "time_identifier, phase, pupil_group"
                 + "".join(f", {quote(c)}" for c in layout.extra) + ")",
        where="time_period IS NOT NULL AND (area_code IS NOT NULL OR geo_level = $school)",
        params={"school": SCHOOL},
    )


def _text(staging: Staging, column: str | None) -> str:
    """SQL for the trimmed text of a raw column (NULL when blank or when the file lacks it)."""
    if column is None or column not in staging.source.columns:
        return "NULL::VARCHAR"
    return f"nullif(trim(r.{quote(column)}), '')"


def _params(staging: Staging, layout: Layout) -> dict[str, object]:
    return {
        "national": NATIONAL, "regional": REGIONAL, "la": LOCAL_AUTHORITY, "school": SCHOOL,
        "total": TOTAL_PHASE, "all": ALL_PUPILS, "digits": layout.period_digits,
        "fixed_time": layout.time_identifier, "default_time": layout.default_time_identifier,
        "file_phase": staging.phase, "file_group": staging.pupil_group or ALL_PUPILS,
        "la_code": staging.la_code,
        "weeks": layout.weeks,
    }


def _lookup(params: dict[str, object], name: str, mapping: dict[str, str],
            column: str | None) -> str:
    """SQL for the store's word for the text of the raw column ``column`` (matched lower-case and
    trimmed) in ``mapping``, NULL where it has none or the file lacks the column; the mapping
    goes into ``params``. A lookup in a short list, not a join, so that ``rows`` keeps the order
    of what it is read from.

    A cell spelled as a key is looked up as it is first: trimming and lowering every cell of a
    large file costs more than the lookup, and such a cell trims and lowers to the same key (a
    key kept only if it is ASCII, where DuckDB lowers as Python does, with nothing to trim)."""
    if column is None:
        return "NULL::VARCHAR"
    lowered = {k.strip().lower(): v for k, v in mapping.items()}
    exact = {k: lowered[k.lower()] for k in mapping if k.isascii() and k == k.strip()}
    params[f"{name}_raw"], params[f"{name}_canon"] = list(lowered), list(lowered.values())
    params[f"{name}_exact"], params[f"{name}_exact_canon"] = list(exact), list(exact.values())
    cell = f"r.{quote(column)}"
    return (f"coalesce((${name}_exact_canon::VARCHAR[])[list_position(${name}_exact::VARCHAR[], "
            f"{cell})], (${name}_canon::VARCHAR[])[list_position(${name}_raw::VARCHAR[], "
            f"lower(trim({cell})))])")


def number(column: str) -> str:
    """The column of ``rows`` holding a measure column's cells cast to numbers (NULL where a cell
    is blank or not a number)."""
    return quote(f"{column} as number")


def _rows_sql(staging: Staging, layout: Layout, measure_columns: list[str], raw: str,
              params: dict[str, object], checked: list[Cell]) -> str:
    """``rows`` from ``raw`` (a relation shaped like the table ``load_raw`` makes); the lookups'
    vocabularies go into ``params``."""
    src = staging.source

    def t(column: str | None) -> str:
        return _text(staging, column)

    urn_col, laestab_col = src.first(*URN_COLUMNS), src.first(*LAESTAB_COLUMNS)
    phase_col, group_col = src.first(*PHASE_COLUMNS), src.first(*GROUP_COLUMNS)
    year_col = src.first(*YEAR_BREAKDOWNS)
    by_laestab = urn_col is None and laestab_col is not None
    school_ref = t(urn_col) if urn_col else t(laestab_col)
    # Rows naming a school by LA and establishment number get their URN later (_map_laestabs).
    school_urn = "NULL::VARCHAR" if by_laestab else t(urn_col)
    geo = _lookup(params, "geo", GEO_VOCAB, "geographic_level")
    phase = _lookup(params, "phase", PHASE_VARIANTS, phase_col)
    time = _lookup(params, "time", TIME_VOCAB, src.first("time_identifier"))
    year = _lookup(params, "year", _year_groups(staging), year_col)
    params["symbols"] = list(SYMBOLS)
    # Without cells to check, no flag: ``stage_indicators`` then fails rather than check nothing.
    tests = " OR ".join(dict.fromkeys(_suspect(c) for c in checked))
    suspect = f",\n        {tests} AS suspect" if tests else ""
    # A checked cell's text is kept only where the checks or its symbol need it: on a flagged row,
    # or where it is no number. Elsewhere its number says it all, and each text stored costs.
    texts = "".join(f",\n        CASE WHEN suspect OR {number(c)} IS NULL THEN {quote(c)} END "
                    f"AS {quote(c)}" for c in dict.fromkeys(c.column for c in checked)) \
        if tests else ""
    base = _lookup(params, "group", GROUP_VARIANTS, group_col) if group_col else "$file_group"
    # A year group names the pupils on its own, or narrows a characteristic ("SEN support, Year 4").
    group = (f"CASE WHEN {year} IS NULL THEN {base} WHEN {base} = $all THEN {year} "
             f"ELSE {base} || ', ' || {year} END") if year_col else base
    extra = "".join(f", {t(c)} AS {quote(c)}" for c in layout.extra)
    # Each measure's text, and its cast to a number, made once here while the file is read in
    # parallel: the checks and the load read the number.
    measures = "".join(f", r.{quote(c)} AS {quote(c)}, try_cast(r.{quote(c)} AS DOUBLE) AS "
                       f"{number(c)}" for c in dict.fromkeys(measure_columns)
                       if c in src.columns)
    # The texts that give a key are trimmed only where they give none (for the messages).
    group_raw = f"r.{quote(group_col)}" if group_col else "NULL::VARCHAR"
    # An LA given exactly as this store's (``$la_code`` itself untrimmed) trims to it.
    this_la = (" AND (r.old_la_code IS DISTINCT FROM $la_code OR $la_code <> trim($la_code))"
               if "old_la_code" in src.columns else "")
    time_identifier = f"coalesce($fixed_time, {time}, {t('time_identifier')}, $default_time)"
    if layout.weeks:
        # Only for a kind that reads weeks: DuckDB trims a text used twice for every row, before
        # any CASE picks the rows needing it.
        week = (f"try_cast(regexp_extract(lower({t('time_identifier')}), '^week ([0-9]{{1,2}})$', "
                "1) AS INTEGER)")
        time_identifier = (f"CASE WHEN {week} BETWEEN 1 AND 53 THEN 'Week ' || {week} "
                           f"ELSE {time_identifier} END")
    return f"""
    CREATE OR REPLACE TEMP TABLE rows AS
    WITH keyed AS (
        SELECT r.line, r.sheet, r.geo_level, r.geographic_level AS geo_raw,
            CASE r.geo_level WHEN $national THEN {t('country_code')} WHEN $regional THEN
                {t('region_code')} WHEN $la THEN {t('old_la_code')} WHEN $school THEN {school_urn}
            END AS area_code,
            CASE r.geo_level WHEN $national THEN {t('country_name')} WHEN $regional THEN
                {t('region_name')} WHEN $la THEN {t('la_name')} WHEN $school THEN
                {t('school_name')} END AS area_name,
            {school_ref} AS school_ref,
            -- Only a school's LA is kept, and not where the file gives this store's as it is.
            CASE WHEN r.geo_level = $school{this_la} THEN
                coalesce({t('old_la_code')}, left({t(laestab_col)}, 3)) END AS row_la,
            CASE WHEN r.geo_level = $school THEN $total
                 ELSE coalesce({phase}, {t(phase_col)}, $file_phase, $total) END AS phase,
            {group} AS pupil_group, {group_raw} AS group_raw,
            {t('time_period')} AS period_raw,
            try_cast({t('time_period')} AS INTEGER) AS period_number,
            {time_identifier} AS time_identifier
            {extra}{measures}
        -- The level once per row: the keys below depend on it.
        FROM (SELECT *, {geo} AS geo_level FROM {raw} r) r
    ),
    dated AS (
    SELECT *,
        -- 202324 is 2023/24: the second year must follow the first. A week's is a calendar year.
        CASE WHEN $weeks AND starts_with(time_identifier, 'Week ')
             THEN CASE WHEN regexp_full_match(period_raw, '[0-9]{{4}}') THEN period_number END
             -- Six digits: the number's first four and last two (one cast, no substrings).
             WHEN $digits = 6 AND regexp_full_match(period_raw, '[0-9]{{6}}')
                  AND (period_number // 100 + 1) % 100 = period_number % 100
             THEN period_number
             WHEN $digits = 4 AND regexp_full_match(period_raw, '[0-9]{{4}}')
             THEN period_number END AS time_period{suspect}
    FROM keyed)
    -- The texts that gave a key are kept only where they gave none, for the messages (a string
    -- column less to store per row), and a school's LA only where it is not this store's.
    SELECT * EXCLUDE (period_number) REPLACE (
        CASE WHEN geo_level IS NULL THEN nullif(trim(geo_raw), '') END AS geo_raw,
        CASE WHEN pupil_group IS NULL THEN nullif(trim(group_raw), '') END AS group_raw,
        CASE WHEN time_period IS NULL THEN period_raw END AS period_raw,
        CASE WHEN geo_level = $school AND row_la <> $la_code THEN row_la END AS row_la{texts})
    FROM dated
    """


def _report_unread_columns(staging: Staging, read: list[str]) -> None:
    """Columns of no declared role: named in a warning, never dropped silently."""
    known = {*DECLARED, *read}
    unread = [staging.source.shown(c) for c in staging.source.columns if c not in known]
    if unread:
        shown = ", ".join(unread[:8]) + (f" and {len(unread) - 8} more" if len(unread) > 8 else "")
        staging.warnings.append(f"Columns the store does not hold, not loaded: {shown}.")


def _keep_totals(staging: Staging) -> None:
    """Keep only the Total rows of breakdown columns that have them.

    A breakdown that is not a pupil group and has no Total row cannot stand for all pupils: the
    file is refused rather than loaded as if it did.
    """
    for column in (*TOTAL_FILTERS, *YEAR_BREAKDOWNS):
        if column not in staging.source.columns:
            continue
        col = f"lower(trim({quote(column)}))"
        totals = staging.count(f"SELECT count(*) FROM raw WHERE {col} IN (SELECT unnest($v))",
                               {"v": list(TOTAL_VALUES)})
        if not totals:
            values = [r[0] for r in staging.con.execute(
                f"SELECT DISTINCT trim({quote(column)}) FROM raw WHERE {col} <> '' ORDER BY 1 "
                "LIMIT 4").fetchall()]
            if values and column in TOTAL_FILTERS:
                raise ImportFailed(
                    f"{staging.source.name}: column {staging.source.shown(column)} breaks the rows "
                    f"down ({', '.join(repr(v) for v in values)}) with no Total row; the store "
                    "keeps only a breakdown's total, so these rows cannot be loaded as all pupils.")
            continue
        not_total = f"{col} IS NULL OR {col} NOT IN (SELECT unnest($v))"
        dropped = staging.count(f"SELECT count(*) FROM raw WHERE {not_total}",
                                {"v": list(TOTAL_VALUES)})
        if dropped:
            shown = staging.source.shown(column)
            staging.skip(dropped, f"a breakdown by {shown} other than its total",
                         f"Skipped {rows(dropped)} broken down by {shown} (other than its total): "
                         "the store keeps the totals.",
                         table="raw", where=not_total, params={"v": list(TOTAL_VALUES)})


def _year_groups(staging: Staging) -> dict[str, str]:
    """A year breakdown's values (without a Total row) and their pupil groups in words."""
    column = staging.source.first(*YEAR_BREAKDOWNS)
    values = [] if column is None else [r[0] for r in staging.con.execute(
        f"SELECT DISTINCT trim({quote(column)}) FROM raw WHERE trim({quote(column)}) <> ''"
    ).fetchall()]
    return {v: year_group(v) or v for v in values if v.lower() not in TOTAL_VALUES}


def _skip_unheld(staging: Staging) -> None:
    """Drop rows at levels, for pupil groups or for local authorities this store does not keep."""
    levels = staging.con.execute(
        "SELECT coalesce(geo_raw, '(blank)'), count(*) FROM rows WHERE geo_level IS NULL "
        "GROUP BY ALL ORDER BY 1").fetchall()
    if levels:
        total = sum(n for _, n in levels)
        names = ", ".join(level for level, _ in levels)
        staging.skip(total, "a geographic level the store does not hold",
                     f"Skipped {rows(total)} at geographic levels the store does not hold "
                     f"({names}).", table="rows", where="geo_level IS NULL")
    groups = staging.con.execute(
        "SELECT coalesce(group_raw, '(blank)'), count(*) FROM rows WHERE pupil_group IS NULL "
        "GROUP BY ALL ORDER BY 2 DESC, 1").fetchall()
    if groups:
        total = sum(n for _, n in groups)
        names = ", ".join(repr(g) for g, _ in groups[:5]) + (", ..." if len(groups) > 5 else "")
        staging.skip(total, "a pupil group the store does not hold",
                     f"Skipped {rows(total)} for pupil groups the store does not hold ({names}).",
                     table="rows", where="pupil_group IS NULL")
    elsewhere = "geo_level = $school AND row_la IS NOT NULL AND row_la <> $la"
    params = {"school": SCHOOL, "la": staging.la_code}
    other_la = staging.count(f"SELECT count(*) FROM rows WHERE {elsewhere}", params)
    if other_la:
        staging.skip(other_la, "a school of another local authority",
                     f"Skipped {rows(other_la)} for schools of other local authorities "
                     f"(not {staging.la_code}).", table="rows", where=elsewhere, params=params)


def _check_keys(staging: Staging, layout: Layout) -> None:
    expected = ("expected 6 digits, an academic year such as 202324"
                if layout.period_digits == 6 else "expected 4 digits, a calendar year such as 2024")
    if layout.weeks:
        expected += " (for a week, 4 digits: the calendar year of 'Week 37')"
    staging.problems.find(staging.con, table="rows", where="time_period IS NULL",
                          column="'time_period'", found="period_raw", expected=expected)
    cases, params = [], {"school": SCHOOL}
    for i, (level, column) in enumerate(LEVEL_CODE_COLUMN.items()):
        cases.append(f"WHEN $level{i} THEN $column{i}")
        params[f"level{i}"], params[f"column{i}"] = level, column
    staging.problems.find(
        staging.con, table="rows", where="area_code IS NULL AND geo_level <> $school",
        column="CASE geo_level " + " ".join(cases) + " END", found="area_code",
        expected="expected the area's code", params=params,
    )
    urn_col = staging.source.first(*URN_COLUMNS)
    laestab_col = staging.source.first(*LAESTAB_COLUMNS)
    id_col, pattern, what = ((urn_col, URN_PATTERN, "a URN (digits only)") if urn_col else
                             (laestab_col, "[0-9]{7}", "a 7-digit LA and establishment number"))
    if id_col is None:
        if staging.count("SELECT count(*) FROM rows WHERE geo_level = $school", {"school": SCHOOL}):
            raise missing_columns(staging.source.name, layout.label, ["school_urn"],
                                  staging.source.shown)
        return
    staging.problems.find(
        staging.con, table="rows",
        where="geo_level = $school AND (school_ref IS NULL OR NOT regexp_full_match(school_ref, "
              "$pattern))",
        column="$column", found="school_ref", expected=f"expected {what}",
        params={"school": SCHOOL, "pattern": pattern, "column": id_col},
    )


def _known_schools(staging: Staging) -> None:
    """``_known`` (urn, name): the register's schools, its closed ones and linked predecessors;
    ``_holders``: who held each LA and establishment number, and when (dates NULL: always)."""
    staging.con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _known AS
        SELECT urn, name FROM establishments
        UNION ALL SELECT urn, name FROM register_history
            WHERE urn NOT IN (SELECT urn FROM establishments)
        UNION ALL SELECT link_urn, any_value(link_name) FROM establishment_links
            WHERE link_urn NOT IN (SELECT urn FROM establishments)
              AND link_urn NOT IN (SELECT urn FROM register_history)
            GROUP BY link_urn;
        CREATE OR REPLACE TEMP TABLE _holders AS
        SELECT urn, laestab, opened_on, closed_on FROM register_history WHERE laestab IS NOT NULL
        UNION ALL
        SELECT urn, laestab, NULL::DATE, NULL::DATE FROM establishments
            WHERE laestab IS NOT NULL AND urn NOT IN (SELECT urn FROM register_history);
        """
    )


def _map_laestabs(staging: Staging) -> None:
    """A school named by LA and establishment number gets the URN that held that number in the
    row's period (the register's open and close dates); where only a later holder is known, the
    predecessor the GIAS links give it; else the rows are skipped, never put on the successor."""
    params = {"school": SCHOOL}
    staging.con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _span AS
        SELECT DISTINCT time_period,
            CASE WHEN time_period >= 100000 THEN make_date(time_period // 100, 9, 1)
                 ELSE make_date(time_period, 1, 1) END AS starts,
            CASE WHEN time_period >= 100000 THEN make_date(time_period // 100 + 1, 8, 31)
                 ELSE make_date(time_period, 12, 31) END AS ends
        FROM rows WHERE time_period IS NOT NULL
        """
    )
    # The holder at the start of the period first: a year a school converted mid-way stays with
    # the school it began as.
    staging.con.execute(
        """
        UPDATE rows SET area_code = m.urn FROM (
            SELECT r.line, r.sheet, h.urn
            FROM rows r JOIN _span p USING (time_period) JOIN _holders h ON h.laestab = r.school_ref
            WHERE r.geo_level = $school
              AND coalesce(h.opened_on, DATE '0001-01-01') <= p.ends
              AND coalesce(h.closed_on, DATE '9999-12-31') >= p.starts
            QUALIFY row_number() OVER (PARTITION BY r.line, r.sheet
                                       ORDER BY h.opened_on NULLS FIRST, h.urn) = 1
        ) m
        WHERE rows.geo_level = $school AND rows.line = m.line
          AND rows.sheet IS NOT DISTINCT FROM m.sheet
        """, params)
    staging.con.execute(
        """
        UPDATE rows SET area_code = m.link_urn FROM (
            SELECT r.line, r.sheet, l.link_urn
            FROM rows r JOIN _span p USING (time_period) JOIN _holders h ON h.laestab = r.school_ref
            JOIN establishment_links l ON l.urn = h.urn AND lower(l.link_type) LIKE 'predecessor%'
            WHERE r.geo_level = $school AND r.area_code IS NULL AND h.opened_on > p.ends
            QUALIFY row_number() OVER (PARTITION BY r.line, r.sheet
                                       ORDER BY l.linked_on DESC NULLS LAST, l.link_urn) = 1
        ) m
        WHERE rows.geo_level = $school AND rows.line = m.line
          AND rows.sheet IS NOT DISTINCT FROM m.sheet
        """, params)
    earlier = """geo_level = $school AND area_code IS NULL
        AND school_ref IN (SELECT laestab FROM _holders)"""
    count = staging.count(f"SELECT count(*) FROM rows WHERE {earlier}", params)
    if count:
        refs = [r[0] for r in staging.con.execute(
            f"SELECT DISTINCT school_ref FROM rows WHERE {earlier} ORDER BY 1", params).fetchall()]
        staging.skip(count, "held by an earlier school", (
            f"Skipped {rows(count)} from before the school now holding their LA and "
            f"establishment number opened ({', '.join(refs[:5])}"
            f"{', ...' if len(refs) > 5 else ''}): they belong to an earlier school the register "
            "does not list, never to its successor. Import the register with its closed "
            "establishments, or the GIAS links file, to keep them."),
            table="rows", where=earlier, params=params)


def _unknown_schools(staging: Staging) -> None:
    """School rows whose school is not in the register: counted, then skipped or loaded.

    Rows naming a school only by an LA and establishment number that matches no register entry
    have no URN, so they are skipped either way.
    """
    unknown = """geo_level = $school AND regexp_full_match(school_ref, '[0-9]+')
        AND (area_code IS NULL OR area_code NOT IN (SELECT urn FROM _known))"""
    params = {"school": SCHOOL}
    # The references not in the register first, then the pattern: the few left, not every row.
    refs = [r[0] for r in staging.con.execute(
        "WITH unheld AS MATERIALIZED (SELECT DISTINCT school_ref FROM rows WHERE geo_level = "
        "$school AND (area_code IS NULL OR area_code NOT IN (SELECT urn FROM _known))) "
        "SELECT school_ref FROM unheld WHERE regexp_full_match(school_ref, '[0-9]+') ORDER BY 1",
        params).fetchall()]
    if not refs:
        return
    staging.unknown = refs
    count = staging.count(f"SELECT count(*) FROM rows WHERE {unknown}", params)
    shown = ", ".join(refs[:5]) + (", ..." if len(refs) > 5 else "")
    about = f"{rows(count)} for {rows(len(refs), 'school')} not in the register ({shown})"
    if not staging.load_unknown:
        staging.skip(count, "a school not in the register", f"Skipped {about}.", table="rows",
                     where=unknown, params=params)
        return
    staging.warnings.append(f"Loaded, as asked, {about}.")
    unmapped = staging.count(
        f"SELECT count(*) FROM rows WHERE {unknown} AND area_code IS NULL", params)
    if unmapped:
        staging.skip(unmapped, "a school not in the register",
                     f"Skipped {rows(unmapped)} naming a school by an LA and establishment number "
                     "the register does not know: they have no URN.", table="rows",
                     where=f"{unknown} AND area_code IS NULL", params=params)


KEY_COLUMNS = ("line", "sheet", "geo_level", "area_code", "area_name", "phase", "time_period",
               "time_identifier", "pupil_group")


def cells_view(staging: Staging, cells: list[Cell], *, source: str = "rows",
               name: str = "cells") -> None:
    """The view ``name``: one row per (row of ``source``, measure cell) with the cell's text
    (where ``stage_rows`` kept it) and its number.

    A view, not a table: the unpivoted cells (rows x measures) are scanned once, by the insert,
    so materialising them would cost more than it saves. Each row's cells are unnested side by
    side with the measures (``_cell_map``, in the same order), a cell with a condition kept only
    on rows meeting it.
    """
    staging.con.execute(
        "CREATE OR REPLACE TEMP TABLE _cell_map AS SELECT $measure AS measures, $col AS cols, "
        "$when::VARCHAR[] AS whens",
        {"measure": [c.measure for c in cells], "col": [c.column for c in cells],
         "when": [c.when[1].lower() if c.when else None for c in cells]},
    )
    when_columns = {c.when[0] for c in cells if c.when}
    assert len(when_columns) <= 1, "the long layouts filter cells on one column"
    when = f"lower(s.{quote(when_columns.pop())})" if when_columns else "NULL::VARCHAR"
    texts = ", ".join(f"s.{quote(c.column)}" for c in cells)
    numbers = ", ".join(f"s.{number(c.column)}" for c in cells)
    keys = ", ".join(f"s.{k}" for k in KEY_COLUMNS)
    staging.con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW {quote(name)} AS
        SELECT {", ".join(KEY_COLUMNS)}, measure, col, text, number FROM (
            SELECT {keys}, {when} AS when_key,
                   unnest(m.measures) AS measure, unnest(m.cols) AS col,
                   unnest(m.whens) AS when_value, unnest([{texts}]) AS text,
                   unnest([{numbers}]) AS number
            FROM {quote(source)} s, _cell_map m)
        WHERE when_value IS NULL OR when_value = when_key
        """
    )


def _suspect(cell: Cell) -> str:
    """SQL telling whether a cell of ``rows`` is not plainly fine (parameter ``$symbols``).

    A quick test made as the file is read (on the cell's number: a percentage 0-100, a finite
    number of 0 or more for counts and rates, a finite number otherwise; a blank cell or a
    published symbol as printed), so that the exact checks (``check_cells``) unpivot only the
    few suspect rows rather than every cell of the file. Anything unusual (a symbol in capitals,
    a space) is merely suspect: the exact checks accept it. The symbols are looked for only in
    the cells that are no fine number, with ``list_position``: DuckDB turns ``list_contains`` of
    a long list into a join over every row.
    """
    num = number(cell.column)
    if cell.measure in PERCENT_MEASURES:
        fine = f"{num} BETWEEN 0 AND 100"
    elif cell.measure in NON_NEGATIVE_MEASURES:
        fine = f"{num} >= 0 AND isfinite({num})"
    else:
        fine = f"isfinite({num})"
    text = quote(cell.column)
    return (f"CASE WHEN {text} IS NULL OR {fine} THEN false "
            f"ELSE list_position($symbols::VARCHAR[], {text}) IS NULL END")


def check_cells(staging: Staging, relation: str, *, counts: tuple[str, ...] = ()) -> None:
    """Problems for cells of ``relation`` (line, sheet, measure, col, text) that are not a number
    or a published symbol, percentages outside 0-100 and negative counts or rates.

    One pass collects the bad cells into a small table; the messages are built from that.
    ``counts``: further measures that must not be negative.
    """
    sql = f"""
        CREATE OR REPLACE TEMP TABLE bad_cells AS
        SELECT * FROM (
            SELECT line, sheet, measure, col, text, try_cast(trim(text) AS DOUBLE) AS num
            FROM {quote(relation)}
            WHERE coalesce(trim(text), '') <> '' AND NOT list_contains($symbols, lower(trim(text))))
        WHERE num IS NULL OR NOT isfinite(num)
           OR (list_contains($pct, measure) AND (num < 0 OR num > 100))
           OR (list_contains($counts, measure) AND num < 0)
        """
    staging.con.execute(sql, {"symbols": list(SYMBOLS), "pct": PERCENT_MEASURES,
                              "counts": [*NON_NEGATIVE_MEASURES, *counts]})
    find = staging.problems.find
    find(staging.con, table="bad_cells", where="num IS NULL OR NOT isfinite(num)", column="col",
         found="text", expected=f"expected a number or a published symbol ({SYMBOL_LIST})")
    find(staging.con, table="bad_cells", where="isfinite(num) AND (num < 0 OR num > 100) AND "
         "list_contains($pct, measure)", column="col", found="text",
         expected="expected a percentage between 0 and 100", params={"pct": PERCENT_MEASURES})
    find(staging.con, table="bad_cells", where="isfinite(num) AND num < 0 AND NOT "
         "list_contains($pct, measure)", column="col", found="text",
         expected="expected a count or rate of 0 or more", params={"pct": PERCENT_MEASURES})


def symbols_table(staging: Staging) -> None:
    """``_symbols`` (raw, canon): the published symbols, for joins in views (which take no
    parameters)."""
    staging.vocab("_symbols", {s: s for s in SYMBOLS})


def stage_indicators(staging: Staging, cells: list[Cell]) -> None:
    """Unpivot the measure cells of ``rows``, check them, and plan their load as indicators."""
    staging.progress("Checking values", 0.5)
    # The rows ``stage_rows`` flagged as it read them (``_suspect``, for these cells).
    staging.con.execute("CREATE OR REPLACE TEMP TABLE suspect_rows AS SELECT * FROM rows "
                        "WHERE suspect")
    cells_view(staging, cells, source="suspect_rows", name="suspect_cells")
    check_cells(staging, "suspect_cells")
    staging.problems.raise_if_any()
    cells_view(staging, cells)
    symbols_table(staging)
    # The cells are checked: each is blank, a finite number or a published symbol (no symbol reads
    # as a number), so the cast made on reading tells the two apart.
    staging.con.execute(
        f"""
        CREATE OR REPLACE TEMP VIEW staged_indicators AS
        SELECT geo_level, area_code, area_name, phase, time_period, time_identifier, pupil_group,
               measure, number AS value, {_symbol("text", "number")} AS symbol
        FROM cells
        """
    )
    if any(c.when for c in cells):
        plan_indicators(staging, "staged_indicators")
        return
    # A wide file (every cell of a row kept): its rows are stored wide, as read.
    assert len({c.measure for c in cells}) == len(cells), "one column per measure"
    keys = ", ".join(k for k in WIDE_KEYS if k != "source_id")
    values = "".join(
        f", {number(c.column)} AS {quote(wide_columns(c.measure)[0])}, "
        f"{_symbol(quote(c.column), number(c.column))} AS {quote(wide_columns(c.measure)[1])}"
        for c in cells)
    staging.con.execute(f"CREATE OR REPLACE TEMP VIEW staged_wide AS SELECT {keys}{values} "
                        "FROM rows")
    plan_indicators(staging, "staged_indicators", wide="staged_wide",
                    measures=tuple(c.measure for c in cells))


def _symbol(text: str, value: str) -> str:
    """SQL for the symbol of a checked cell (``value``: its cast to a number): its text where it
    is not a number, NULL if blank."""
    return f"CASE WHEN {value} IS NULL THEN nullif(lower(trim({text})), '') END"


def plan_indicators(staging: Staging, staged: str, *, wide: str | None = None,
                    measures: tuple[str, ...] = ()) -> None:
    """Plan the load of ``staged`` (shaped like ``indicators``; the same rows ``wide`` if given,
    see ``Plan``) and record what ``rows`` covers."""
    staging.plans.append(Plan("indicators", staged, INDICATOR_COLUMNS, INDICATOR_KEYS,
                              wide=wide, measures=measures))
    # Periods and levels in one pass over the rows.
    held = staging.con.execute("SELECT DISTINCT time_period, time_identifier, geo_level FROM rows "
                               "ORDER BY time_period, time_identifier").fetchall()
    staging.periods = [period_label(p, t) for p, t in dict.fromkeys((p, t) for p, t, _ in held)]
    staging.geo_levels = [g for g in GEO_LEVELS if g in {level for *_, level in held}]
