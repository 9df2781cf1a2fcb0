"""The activity store and the users in PostgreSQL, for replicas that share them.

Chosen with ``OEP_ACTIVITY_URL=postgresql://...``. Each process keeps one connection pool per
database; the schema is created and moved forward by ``MIGRATIONS``, applied in order the first
time a process uses the database, under an advisory lock so replicas starting together apply each
one once. Never changed by hand: a new change is a new entry at the end of the list.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import polars as pl
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

URL_VARIABLE = "OEP_ACTIVITY_URL"

# Version n is MIGRATIONS[n - 1]. Append only: a database records the versions it has applied.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE audit_log (
        occurred_at TIMESTAMP NOT NULL,
        username TEXT,
        event TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX audit_log_occurred_at ON audit_log (occurred_at);
    CREATE TABLE login_attempts (
        occurred_at TIMESTAMP NOT NULL,
        username TEXT NOT NULL,
        success BOOLEAN NOT NULL,
        address TEXT
    );
    CREATE INDEX login_attempts_username ON login_attempts (username, occurred_at);
    CREATE INDEX login_attempts_address ON login_attempts (address, occurred_at);
    CREATE TABLE category_reviews (
        urn TEXT NOT NULL,
        reviewed_on DATE NOT NULL,
        category TEXT NOT NULL,
        suggested_category TEXT,
        rationale TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    );
    CREATE TABLE disengagement_records (
        urn TEXT NOT NULL,
        recorded_on DATE NOT NULL,
        level INTEGER NOT NULL,
        evidence TEXT NOT NULL,
        actions TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TIMESTAMP NOT NULL
    );
    CREATE TABLE users (
        username TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        password TEXT NOT NULL,
        role TEXT NOT NULL,
        org TEXT NOT NULL,
        disabled BOOLEAN NOT NULL DEFAULT false,
        session_version INTEGER NOT NULL DEFAULT 0
    );
    """,
    # One order for the audit log whichever replica wrote a row: the database numbers them.
    "ALTER TABLE audit_log ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY",
)

_MIGRATION_LOCK = 0x0E9_0001  # advisory lock keys: arbitrary, fixed, ours
CLAIM_LOCK = 0x0E9_0002


@dataclass(frozen=True)
class Database:
    """A PostgreSQL database, by its connection URL (which may hold a password: never shown)."""

    url: str

    def __str__(self) -> str:
        parts = conninfo_to_dict(self.url)
        return (f"PostgreSQL database {parts.get('dbname', '?')!r} at "
                f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}")

    def __repr__(self) -> str:  # tracebacks and test reports print it: no password
        return f"Database({self})"


def configured() -> Database | None:
    url = os.environ.get(URL_VARIABLE)
    if not url:
        return None
    if not url.startswith(("postgresql://", "postgres://")):
        raise ValueError(f"{URL_VARIABLE} must be a postgresql:// URL, not {url.split(':')[0]!r}")
    return Database(url)


_pools: dict[str, ConnectionPool] = {}
_pools_lock = threading.Lock()


def _pool(db: Database) -> ConnectionPool:
    with _pools_lock:
        pool = _pools.get(db.url)
        if pool is None:
            pool = ConnectionPool(db.url, min_size=1, max_size=8, open=True, timeout=30)
            try:
                with pool.connection() as con:
                    migrate(con)
            except BaseException:
                pool.close()
                raise
            _pools[db.url] = pool
        return pool


def close_pools() -> None:
    """Close every pool of this process (tests that drop their databases)."""
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


def migrate(con: psycopg.Connection) -> None:
    """Apply the migrations the database has not had, each recorded with its version."""
    with con.transaction():
        con.execute("SELECT pg_advisory_xact_lock(%s)", [_MIGRATION_LOCK])
        con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
        current = int(row[0]) if row else 0
        for version, sql in enumerate(MIGRATIONS[current:], start=current + 1):
            con.execute(sql)  # type: ignore[arg-type]
            con.execute("INSERT INTO schema_migrations (version) VALUES (%s)", [version])


class Transaction:
    """One transaction; SQL is written as for DuckDB, with ``?`` placeholders (and a parameter
    whose type the statement does not fix is cast: ``CAST(? AS VARCHAR) IS NULL``)."""

    def __init__(self, con: psycopg.Connection) -> None:
        self.con = con

    def execute(self, sql: str, params: list[Any] | None = None) -> psycopg.Cursor:
        return self.con.execute(_placeholders(sql, params), params)  # type: ignore[arg-type]


def _placeholders(sql: str, params: list[Any] | None) -> str:
    # Our statements hold no literal ?: each is a parameter. Without parameters psycopg sends the
    # text as it is, so a % is doubled only when it will be read as a placeholder's escape.
    return sql if params is None else sql.replace("%", "%%").replace("?", "%s")


@contextmanager
def transaction(db: Database) -> Iterator[Transaction]:
    with _pool(db).connection() as con, con.transaction():
        yield Transaction(con)


_DTYPES = {"text": pl.String, "varchar": pl.String, "bool": pl.Boolean, "int2": pl.Int16,
           "int4": pl.Int32, "int8": pl.Int64, "float8": pl.Float64, "date": pl.Date,
           "timestamp": pl.Datetime("us"), "numeric": pl.Float64}


def read(db: Database, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    """A query's result as a frame, typed from the columns' database types."""
    with _pool(db).connection() as con:
        cur = con.execute(_placeholders(sql, params), params)  # type: ignore[arg-type]
        columns = cur.description or []
        rows = cur.fetchall()
        types = con.adapters.types
    schema: dict[str, Any] = {}
    for column in columns:
        info = types.get(column.type_code)
        schema[column.name] = _DTYPES.get(info.name if info else "", pl.String)
    return pl.DataFrame(rows, schema=schema, orient="row")
