"""What an importer produces: rows staged in DuckDB temporary tables, and how they enter the store.

An importer reads the file into ``raw``, validates it, and leaves one staged temporary table (or
view) per store table it feeds, shaped like that table (without ``source_id``). A ``Plan`` says how
the staged rows replace what the store holds: rows with the same key are deleted first (a corrected
re-issue of a period replaces it; a new period adds to the series), or the whole table is replaced
when the file is a complete snapshot (the register, the partnership's own register).

The same staging runs for a preview (on a read-only view of the store: nothing is written) and for
an import (on the new version of the store that ``oep.data.store.rebuilding`` swaps in only on
success).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb

from oep.data import catalogue
from oep.data.importers.checks import ImportFailed, Problems, missing_columns, quote, rows
from oep.data.importers.reading import SourceFile
from oep.data.schema import PART_TABLES
from oep.data.store import add_wide_indicators, replace_keyed

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Plan:
    """Staged rows for one store table and the key that decides which stored rows they replace."""

    table: str
    staged: str
    columns: tuple[str, ...]
    keys: tuple[str, ...] | None
    """Stored rows sharing these key values with a staged row are replaced; None: whole table."""
    wide: str | None = None
    """For ``indicators``: the same rows wide (a row per area, period, phase and pupil group, a
    value and a symbol column per measure: ``oep.data.store.wide_columns``), written as they
    are; ``staged`` still says which stored rows they replace."""
    measures: tuple[str, ...] = ()
    """The measures of ``wide``."""


@dataclass
class Staging:
    """One file being imported: its connection, settings, findings and staged plans."""

    con: duckdb.DuckDBPyConnection
    source: SourceFile
    la_code: str
    unknown_schools: str
    progress: Progress
    phase: str | None = None
    """The phase of a comparator file that has no phase column (None: all schools)."""
    pupil_group: str | None = None
    """The pupil group every row of a file without a breakdown describes (None: all pupils)."""
    problems: Problems = field(init=False)
    rows_read: int = 0
    plans: list[Plan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    geo_levels: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    """Rows of the file left out, by reason (row accounting: read = loaded + skipped)."""
    symbol_meanings: dict[str, str] = field(default_factory=dict)
    """What a symbol means in this publication where it differs from the DfE's current standard."""

    def __post_init__(self) -> None:
        self.problems = Problems(self.source.name, self.source.shown)

    @property
    def load_unknown(self) -> bool:
        return self.unknown_schools == "load"

    def skip(self, count: int, reason: str, warning: str, *, table: str | None = None,
             where: str = "false", params: Mapping[str, object] | None = None) -> None:
        """Account for ``count`` rows left out for ``reason``, and say so. With ``table``, the
        rows of ``table`` matching ``where`` are those rows: their lines are recorded in
        ``_fates`` (line, sheet, reason), for ``reconcile``, and they are deleted."""
        self.skipped[reason] = self.skipped.get(reason, 0) + count
        self.warnings.append(warning)
        if table is None:
            return
        self.con.execute("CREATE TEMP TABLE IF NOT EXISTS _fates (line BIGINT, sheet VARCHAR, "
                         "reason VARCHAR)")
        self.con.execute(f"INSERT INTO _fates SELECT line, sheet, $reason FROM {quote(table)} "
                         f"WHERE {where}", {**(params or {}), "reason": reason})
        self.con.execute(f"DELETE FROM {quote(table)} WHERE {where}", dict(params or {}))

    def count(self, sql: str, params: Mapping[str, object] | None = None) -> int:
        return int(self.con.execute(sql, dict(params or {})).fetchall()[0][0])

    def vocab(self, name: str, mapping: dict[str, str]) -> None:
        """A temporary lookup table ``name`` (raw, canon) matched on lower-case trimmed text."""
        lowered = {k.strip().lower(): v for k, v in mapping.items()}
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {quote(name)} AS "
            "SELECT unnest($raw::VARCHAR[]) AS raw, unnest($canon::VARCHAR[]) AS canon",
            {"raw": list(lowered), "canon": list(lowered.values())},
        )


def require_columns(staging: Staging, label: str, columns: Iterable[str]) -> None:
    """The file must have every one of ``columns``; the error names those it lacks."""
    missing = [c for c in columns if c not in staging.source.columns]
    if missing:
        raise missing_columns(staging.source.name, label, missing, staging.source.shown)


def require_rows(staging: Staging) -> None:
    """A file with a header and nothing under it is refused rather than recorded as a load."""
    if staging.rows_read == 0:
        raise ImportFailed(f"{staging.source.name}: the file has a header but no data rows.")


@contextmanager
def unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Statements in the block write their rows in no particular order: every thread appends its
    own row groups at once. For tables whose order nothing reads (the store's are sorted by their
    queries; staged rows carry their ``line``)."""
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute("RESET preserve_insertion_order")


def replaced_rows(con: duckdb.DuckDBPyConnection, plan: Plan) -> int:
    """How many stored rows the plan would delete."""
    if plan.keys is None:
        sql = f"SELECT count(*) FROM {quote(plan.table)}"
    else:
        sql = f"SELECT count(*) FROM {quote(plan.table)} t, {_keys(plan)}"
    return int(con.execute(sql).fetchall()[0][0])


def staged_rows(con: duckdb.DuckDBPyConnection, plan: Plan) -> int:
    return int(con.execute(f"SELECT count(*) FROM {quote(plan.staged)}").fetchall()[0][0])


def apply(con: duckdb.DuckDBPyConnection, plan: Plan, source_id: int) -> tuple[int, int]:
    """Delete the stored rows the plan replaces, then insert its staged rows with ``source_id``.

    Returns (rows deleted, rows inserted).
    """
    # The catalogue of what ``indicators`` holds: rows replaced are counted off where they are
    # left out (oep.data.store), rows added are counted on here.
    counted = plan.table == "indicators"
    if plan.table in PART_TABLES:
        deleted = replace_keyed(con, plan.table, plan.staged, plan.keys)
    elif plan.keys is None:
        deleted = con.execute(f"DELETE FROM {quote(plan.table)}").fetchall()[0][0]
    else:
        deleted = con.execute(
            f"DELETE FROM {quote(plan.table)} t USING {_keys(plan)}").fetchall()[0][0]
    if plan.wide is not None:
        return int(deleted), _insert_wide(con, plan, source_id)
    cols = ", ".join(quote(c) for c in plan.columns)
    with unordered(con):
        inserted = con.execute(
            f"INSERT INTO {quote(plan.table)} ({cols}, source_id) "
            f"SELECT {cols}, $source_id FROM {quote(plan.staged)}",
            {"source_id": source_id},
        ).fetchall()
        if counted:
            # Counted from the rows written (the load's only indicators in its new part), not by
            # running the staged view a second time.
            catalogue.count(con, f"SELECT * FROM {quote(plan.table)} WHERE source_id = $source_id",
                            {"source_id": source_id})
    return int(deleted), int(inserted[0][0])


def _insert_wide(con: duckdb.DuckDBPyConnection, plan: Plan, source_id: int) -> int:
    """Write a plan's wide rows into the new part; returns how many indicator rows (cells) that
    is."""
    assert plan.wide is not None
    table = add_wide_indicators(con, list(plan.measures))
    with unordered(con):
        written = con.execute(f"INSERT INTO {table} BY NAME SELECT *, $source_id AS source_id "
                              f"FROM {quote(plan.wide)}", {"source_id": source_id}).fetchall()
    catalogue.count_wide(con, table, list(plan.measures))
    return int(written[0][0]) * len(plan.measures)


def _keys(plan: Plan) -> str:
    """The staged rows matched to stored rows ``t`` on the plan's key (staged keys are unique:
    checked on reading, so a join counts each stored row once)."""
    assert plan.keys is not None
    on = " AND ".join(f"t.{quote(k)} = k.{quote(k)}" for k in plan.keys)
    return f"{quote(plan.staged)} k WHERE {on}"


def period_label(time_period: int, time_identifier: str) -> str:
    """202324 + 'Autumn term' -> '2023/24 Autumn term'; 2023 + 'Calendar year' -> '2023 ...'."""
    text = str(time_period)
    year = f"{text[:4]}/{text[4:]}" if len(text) == 6 else text
    return f"{year} {time_identifier}"


URN_PATTERN = "[0-9]{5,8}"


def check_urns(staging: Staging, table: str, columns: dict[str, str], *, where: str = "true",
               params: dict[str, object] | None = None) -> None:
    """Problems for blank or malformed URNs in ``table``, for rows matching ``where``.

    ``columns`` maps each column of ``table`` to the file's column named in messages.
    """
    for column, shown in columns.items():
        staging.problems.find(
            staging.con, table=table,
            where=f"({where}) AND ({quote(column)} IS NULL OR NOT regexp_full_match("
                  f"{quote(column)}, $pattern))",
            column="$column", found=quote(column), expected="expected a URN (digits only)",
            params={**(params or {}), "pattern": URN_PATTERN, "column": shown},
        )


def unknown_urns(staging: Staging, table: str, columns: list[str], noun: str) -> None:
    """Rows of ``table`` naming a school (in any of ``columns``) that is not in the register.

    They are counted (as ``noun``s) and listed, then deleted unless the user chose to load them.
    """
    unknown = " OR ".join(
        f"({quote(c)} IS NOT NULL AND regexp_full_match({quote(c)}, $pattern) AND {quote(c)} "
        "NOT IN (SELECT urn FROM establishments))" for c in columns)
    params = {"pattern": URN_PATTERN}
    refs = sorted({r[0] for c in columns for r in staging.con.execute(
        f"SELECT DISTINCT {quote(c)} FROM {quote(table)} WHERE {quote(c)} IS NOT NULL AND "
        f"regexp_full_match({quote(c)}, $pattern) AND {quote(c)} NOT IN "
        "(SELECT urn FROM establishments)", params).fetchall()})
    if not refs:
        return
    staging.unknown = sorted({*staging.unknown, *refs})
    count = staging.count(f"SELECT count(*) FROM {quote(table)} WHERE {unknown}", params)
    shown = ", ".join(refs[:5]) + (", ..." if len(refs) > 5 else "")
    about = f"{rows(count, noun)} for {rows(len(refs), 'school')} not in the register ({shown})"
    if staging.load_unknown:
        staging.warnings.append(f"Loaded, as asked, {about}.")
        return
    staging.con.execute(f"DELETE FROM {quote(table)} WHERE {unknown}", params)
    staging.skip(count, "a school not in the register", f"Skipped {about}.")
