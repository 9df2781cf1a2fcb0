"""``indicator_catalogue``: what the store's ``indicators`` hold, kept up to date by every load.

One row per source, area level, measure, period and pupil group with its number of rows. Pages that
ask which years or measures are held read it instead of scanning every figure (tens of millions of
rows at England scale). Loads keep it exact by counting only the rows they change: the rows a load
replaces are taken off, the rows it adds are put on, and ``compact`` folds the changes together
before the load commits, so the table stays as small as the set of periods held.
"""

from __future__ import annotations

from typing import Any

import duckdb

KEY = "source_id, geo_level, measure, time_period, time_identifier, pupil_group"


def exists(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'indicator_catalogue'"
    ).fetchall()[0][0])


def count(con: duckdb.DuckDBPyConnection, rows_sql: str, params: dict[str, Any] | None = None,
          *, sign: int = 1) -> None:
    """Add (``sign`` 1) or take off (-1) the rows that ``rows_sql`` selects from indicators; it
    must give the catalogue's key columns."""
    con.execute(
        f"INSERT INTO indicator_catalogue SELECT {KEY}, $sign * count(*) "
        f"FROM ({rows_sql}) GROUP BY ALL",
        {**(params or {}), "sign": sign},
    )


def count_wide(con: duckdb.DuckDBPyConnection, table: str, measures: list[str]) -> None:
    """Add the rows of a wide table of indicators (``oep.data.store.add_wide_indicators``): each
    of its rows is a row of every one of ``measures``."""
    con.execute(
        "INSERT INTO indicator_catalogue SELECT source_id, geo_level, measure, time_period, "
        "time_identifier, pupil_group, n FROM (SELECT source_id, geo_level, time_period, "
        f"time_identifier, pupil_group, count(*) AS n FROM {table} GROUP BY ALL), "
        "(SELECT unnest($measures::VARCHAR[]) AS measure)",
        {"measures": measures},
    )


def forget_sources(con: duckdb.DuckDBPyConnection, source_ids: list[int]) -> None:
    con.execute("DELETE FROM indicator_catalogue WHERE list_contains($ids, source_id)",
                {"ids": source_ids})


def compact(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the load's additions and removals into one row per key, dropping emptied keys."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE catalogue_compacted AS
        SELECT {KEY}, sum(rows)::BIGINT AS rows FROM indicator_catalogue
        GROUP BY ALL HAVING sum(rows) > 0
    """)
    con.execute("DELETE FROM indicator_catalogue")
    con.execute("INSERT INTO indicator_catalogue SELECT * FROM catalogue_compacted")
    con.execute("DROP TABLE catalogue_compacted")


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Count every row afresh: for a store written before the catalogue existed."""
    con.execute("DELETE FROM indicator_catalogue")
    count(con, "SELECT * FROM indicators")
