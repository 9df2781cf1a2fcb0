"""The activity store: the partnership's own writes, kept apart from the indicator store.

The app holds the indicator store open read-only and imports swap it, so anything the app itself
writes - the audit log, login attempts, support-category reviews, disengagement records - lives in
a second DuckDB file beside it (``<store>_activity.duckdb``, or ``OEP_ACTIVITY_DB``). Each
operation opens it, works in one transaction and closes it again, so the CLI and the app can
both write; a writer that finds the file busy retries briefly. Tables are append-only.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from oep.access import Scope
from oep.store import Store

ACTIVITY_DDL = """
CREATE TABLE IF NOT EXISTS audit_log (
    occurred_at TIMESTAMP NOT NULL,
    username VARCHAR,
    event VARCHAR NOT NULL,
    detail VARCHAR
);
CREATE TABLE IF NOT EXISTS login_attempts (
    occurred_at TIMESTAMP NOT NULL,
    username VARCHAR NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS category_reviews (
    urn VARCHAR NOT NULL,
    reviewed_on DATE NOT NULL,
    category VARCHAR NOT NULL,
    suggested_category VARCHAR,
    rationale VARCHAR NOT NULL,
    reviewer VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS disengagement_records (
    urn VARCHAR NOT NULL,
    recorded_on DATE NOT NULL,
    level INTEGER NOT NULL,
    evidence VARCHAR NOT NULL,
    actions VARCHAR NOT NULL,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
"""

LOCKOUT_ATTEMPTS = 5
LOCKOUT_WINDOW = timedelta(minutes=15)

_lock = threading.Lock()


def activity_path(store: Path) -> Path:
    explicit = os.environ.get("OEP_ACTIVITY_DB")
    return Path(explicit) if explicit else store.with_name(f"{store.stem}_activity.duckdb")


@contextmanager
def activity(path: Path, *, retries: int = 50) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction on the activity store; retries while another process holds the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        for attempt in range(retries):
            try:
                con = duckdb.connect(str(path))
                break
            except duckdb.IOException:
                if attempt == retries - 1:
                    raise
                time.sleep(0.1)
        try:
            con.execute(ACTIVITY_DDL)
            con.execute("BEGIN TRANSACTION")
        except BaseException:
            con.close()
            raise
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()


def read(path: Path, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    with activity(path) as con:
        return con.sql(sql, params=params).pl()


def audit(path: Path, username: str | None, event: str, detail: str = "") -> None:
    with activity(path) as con:
        audit_in(con, username, event, detail)


def audit_in(con: duckdb.DuckDBPyConnection, username: str | None, event: str,
             detail: str = "") -> None:
    """Audit inside an open activity transaction, so a write and its audit row land together."""
    con.execute(
        "INSERT INTO audit_log VALUES (?, ?, ?, ?)", [datetime.now(), username, event, detail]
    )


def record_login_attempt(path: Path, username: str, success: bool) -> None:
    with activity(path) as con:
        con.execute(
            "INSERT INTO login_attempts VALUES (?, ?, ?)", [datetime.now(), username, success]
        )


def recent_failures(path: Path, now: datetime | None = None) -> dict[str, list[datetime]]:
    """Failed attempts per username since their last success, within the lockout window."""
    now = now or datetime.now()
    frame = read(
        path,
        """
        WITH last_ok AS (
            SELECT username, max(occurred_at) AS occurred_at FROM login_attempts
            WHERE success GROUP BY username
        )
        SELECT a.username, a.occurred_at FROM login_attempts a LEFT JOIN last_ok o USING (username)
        WHERE NOT a.success AND a.occurred_at >= ?
          AND (o.occurred_at IS NULL OR a.occurred_at > o.occurred_at)
        ORDER BY a.occurred_at
        """,
        [now - LOCKOUT_WINDOW],
    )
    out: dict[str, list[datetime]] = {}
    for username, at in frame.iter_rows():
        out.setdefault(username, []).append(at)
    return out


def school_write_problem(store: Store, scope: Scope, urn: str, on: date, today: date) -> str | None:
    """What stops a record about school ``urn`` dated ``on`` (unknown, not visible, future date),
    in words for the page; None if nothing does. Shared by reviews and disengagement records."""
    if not store.scalar("SELECT count(*) FROM schools WHERE urn = ?", [urn]):
        return f"There is no school with URN {urn!r} in the store."
    if urn not in scope.urns:
        return f"School {urn} is not available to you."
    if on > today:
        return f"The date {on:%d %B %Y} is in the future."
    return None
