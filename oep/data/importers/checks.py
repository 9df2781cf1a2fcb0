"""Validation shared by every importer: problems found set-wise in SQL, reported readably.

A check is a query over a staged table: the rows breaking a rule, with the column at fault and the
text found there. Problems are collected across all checks and raised together as one
``ImportFailed`` whose message names the file, each column, what was expected, and the first few
rows (as a user opening the file would number them: the header is row 1) with the total, so a file
with thousands of bad rows gives a short message, not a wall of text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb

EXAMPLES = 5
# Dates as GIAS (31-12-2024), spreadsheets (31/12/2024) and ISO (2024-12-31) write them.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S",
                "%d-%m-%Y %H:%M:%S", "%Y/%m/%d"]
DATE_EXPECTED = "expected a date such as 2024-09-01 or 01/09/2024"


def date_sql(expr: str) -> str:
    """SQL parsing the text ``expr`` as a date (NULL if it is none); needs ``DATE_PARAMS``."""
    return f"try_strptime({expr}, $date_formats)::DATE"


DATE_PARAMS: dict[str, object] = {"date_formats": DATE_FORMATS}


class ImportFailed(ValueError):
    """An import refused; the message names the file, row(s) and column, and what was expected.

    Nothing was written: the store is byte-for-byte as it was.
    """


def bound(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters ``sql`` refers to (DuckDB refuses named parameters a query does not use)."""
    used = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", sql))
    return {k: v for k, v in params.items() if k in used}


def quote(identifier: str) -> str:
    """A SQL identifier, quoted (column names come from files, so they are never trusted)."""
    return '"' + identifier.replace('"', '""') + '"'


def rows(n: int, noun: str = "row") -> str:
    """'1 row', '2,000 rows' (nouns made plural with an s)."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def where_row(sheet: str | None, line: int) -> str:
    return f"sheet {sheet} row {line}" if sheet else f"row {line}"


def _found(text: str | None) -> str:
    if text is None or not str(text).strip():
        return "blank"
    text = str(text)
    return repr(text if len(text) <= 40 else text[:37] + "...")


@dataclass(frozen=True)
class Problem:
    """One rule broken in one column (or, for duplicates, by whole rows)."""

    column: str | None
    expected: str
    examples: tuple[str, ...]
    total: int
    noun: str = "row"

    def render(self) -> str:
        subject = f"column {self.column}: " if self.column else ""
        shown = ", ".join(self.examples)
        more = f" (first {len(self.examples)} of {self.total:,} shown)" \
            if self.total > len(self.examples) else ""
        return f"- {subject}{self.expected}; {rows(self.total, self.noun)}: {shown}{more}"


class Problems:
    """Collects the problems of one file; ``raise_if_any`` turns them into one ImportFailed."""

    def __init__(self, file_name: str, shown: Callable[[str], str] = lambda c: c) -> None:
        self.file_name = file_name
        self.shown = shown
        self.items: list[Problem] = []

    def find(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        table: str,
        where: str,
        column: str,
        found: str,
        expected: str,
        params: dict[str, Any] | None = None,
    ) -> None:
        """Record the rows of ``table`` matching ``where``, grouped by the ``column`` expression.

        ``column`` evaluates to the (lower-case) column name at fault and ``found`` to the text
        found there; both are SQL expressions written by importers, values go in ``params``.
        """
        sql = f"""
            SELECT {column} AS col, sheet, line, {found} AS found,
                   count(*) OVER (PARTITION BY {column}) AS total
            FROM {quote(table)} WHERE {where}
            QUALIFY row_number() OVER (PARTITION BY {column} ORDER BY sheet NULLS FIRST, line)
                    <= $examples
            ORDER BY col, sheet NULLS FIRST, line
            """
        rows = con.execute(sql, bound(sql, {**(params or {}), "examples": EXAMPLES})).fetchall()
        by_column: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            by_column.setdefault(row[0], []).append(row)
        for col, hits in by_column.items():
            examples = tuple(f"{where_row(s, ln)} ({_found(f)})" for _, s, ln, f, _ in hits)
            self.items.append(Problem(self.shown(col), expected, examples, int(hits[0][4])))

    def duplicates(
        self,
        con: duckdb.DuckDBPyConnection,
        *,
        table: str,
        keys: list[str],
        describe: str,
        what: str,
        where: str = "true",
        params: dict[str, Any] | None = None,
    ) -> None:
        """Record groups of rows of ``table`` (matching ``where``) sharing ``keys``.

        ``describe`` is SQL text naming a group's key for the message.
        """
        key_list = ", ".join(quote(k) for k in keys)
        on = " AND ".join(f"t.{quote(k)} IS NOT DISTINCT FROM d.{quote(k)}" for k in keys)
        # Find the repeated keys first: describing every group of a large file would be slow.
        # Grouping by one hash of the key is cheaper than by its columns; only the rows whose
        # hash repeats are then grouped by the key itself: keys merely sharing a hash are not
        # reported.
        sql = f"""
            WITH t AS (SELECT * FROM {quote(table)} WHERE {where}),
            h AS (SELECT hash({key_list}) AS h FROM t GROUP BY ALL HAVING count(*) > 1),
            d AS (SELECT {key_list} FROM t WHERE hash({key_list}) IN (SELECT h FROM h)
                  GROUP BY ALL HAVING count(*) > 1)
            SELECT list(line ORDER BY sheet NULLS FIRST, line) AS lines, any_value(sheet),
                   any_value({describe}), count(*) OVER () AS total
            FROM t SEMI JOIN d ON {on} GROUP BY {key_list}
            ORDER BY min(line) LIMIT $examples
            """
        rows = con.execute(sql, bound(sql, {**(params or {}), "examples": EXAMPLES})).fetchall()
        if not rows:
            return
        examples = tuple(
            f"{'sheet ' + sheet + ' ' if sheet else ''}rows "
            f"{', '.join(str(n) for n in lines[:-1])} and {lines[-1]} ({key})"
            for lines, sheet, key, _ in rows
        )
        self.items.append(Problem(
            None, f"expected one row per {what}, found the same key on several rows",
            examples, int(rows[0][3]), noun="repeated key",
        ))

    def add(self, column: str | None, expected: str, examples: tuple[str, ...], total: int) -> None:
        self.items.append(Problem(column and self.shown(column), expected, examples, total))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        count = len(self.items)
        head = f"{self.file_name}: nothing was loaded; " + (
            "1 problem found" if count == 1 else f"{count} problems found")
        raise ImportFailed(head + ":\n" + "\n".join(p.render() for p in self.items))


def missing_columns(file_name: str, kind_label: str, missing: list[str],
                    shown: Callable[[str], str] = lambda c: c) -> ImportFailed:
    """The error for required columns a file lacks."""
    names = ", ".join(shown(c) for c in missing)
    noun = "column" if len(missing) == 1 else "columns"
    return ImportFailed(f"{file_name}: missing required {noun} {names} for {kind_label}.")
