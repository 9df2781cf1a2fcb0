"""The activity store: the partnership's own writes, kept apart from the indicator store.

The app holds the indicator store open read-only and imports swap it, so anything the app itself
writes - the audit log, login attempts, support-category reviews, disengagement records - lives in
a second DuckDB file beside it (``<store>_activity.duckdb``, or ``OEP_ACTIVITY_DB``). Each
operation opens it and closes it again, and a process keeps it open for half a second after its
last use, so the CLI and the app can both write; one that finds the file held by another process
says so beside it (the holder lets go) and retries briefly. Tables are append-only.

With ``OEP_ACTIVITY_URL=postgresql://...`` the same tables live in PostgreSQL instead
(``oep.data.pg``), shared by every replica of the app; callers hold an ``Activity`` either way and
write the same SQL.

Reads take no lock (connections of one process share one database), and a read whose tables have
not changed since is answered from memory: the process counts its own writes per table (every
login writes the audit log and login attempts, which leaves review histories as they were), and a
change to the file it did not make itself (the CLI's) counts as a change to every table. Writes
are serialised within the process, and a process that has the file open excludes every other, so
a write transaction that reads and then inserts (the login-attempt claim) cannot interleave with
another.
"""

from __future__ import annotations

import atexit
import functools
import itertools
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from oep.data import pg
from oep.data.access import Scope, in_order
from oep.data.memo import MEMO_SIZE, OncePerKey, per_input
from oep.data.store import Store, private_folder

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
ALTER TABLE login_attempts ADD COLUMN IF NOT EXISTS address VARCHAR;
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

# Every table (ALTERs name theirs too): a query reads those whose names it holds.
TABLES = tuple(dict.fromkeys(re.findall(r"^(?:CREATE|ALTER) TABLE (?:IF NOT EXISTS )?(\w+)",
                                        ACTIVITY_DDL, flags=re.MULTILINE)))

LOCKOUT_ATTEMPTS = 5
LOCKOUT_WINDOW = timedelta(minutes=15)
# Failures from one client address (any usernames) before it is refused too: slows a password
# spray without letting one person lock out a whole office behind one address.
ADDRESS_LOCKOUT_ATTEMPTS = 20

_write_lock = threading.Lock()
_counts_lock = threading.Lock()
_eras = itertools.count()
_schema_lock = threading.Lock()
_open_lock = threading.Lock()
_ready: set[tuple[str, int]] = set()  # (path, inode) of activity files whose schema is in place
_results = OncePerKey(64)  # read()'s results, by query and the versions of its tables
# The last result of each query, whatever the version: a history re-read unchanged (after a
# change this process did not make, or a write to its table that changed none of its rows) is
# handed back as the frame already held, so that what pages build from it (tables, and their
# copies for the browser that each open page keeps) is shared rather than made again.
_LAST_RESULTS = 64
_last: OrderedDict[Hashable, pl.DataFrame] = OrderedDict()
_last_lock = threading.Lock()


Activity = Path | pg.Database  # a DuckDB file, or the PostgreSQL database replicas share
Connection = duckdb.DuckDBPyConnection | pg.Transaction


def activity_path(store: Path) -> Activity:
    """``OEP_ACTIVITY_URL`` if set, else ``OEP_ACTIVITY_DB``, else a file beside the store."""
    shared = pg.configured()
    if shared is not None:
        return shared
    explicit = os.environ.get("OEP_ACTIVITY_DB")
    return Path(explicit) if explicit else store.with_name(f"{store.stem}_activity.duckdb")


def _open(path: Path, retries: int = 50) -> duckdb.DuckDBPyConnection:
    """A connection, retrying while another process holds the file (and saying so, beside it,
    so that a process keeping the file open lets go of it)."""
    for attempt in range(retries):
        try:
            # Two threads attaching one file at the same moment make DuckDB refuse the second
            # ("unique file handle conflict"); once attached, connections share the database.
            with _open_lock:
                con = duckdb.connect(str(path))
                _keep_open(path)
        except duckdb.IOException:
            if attempt == retries - 1:
                raise
            _say_wanted(path)
            time.sleep(0.1)
        else:
            if attempt:
                _wanted(path).unlink(missing_ok=True)
            return con
    raise AssertionError("unreachable")


# The file is kept open for a moment after each use: while a connection is open, the process's
# next one takes microseconds instead of the 20-30 ms of attaching the file (at a meeting, thirty
# people logging in wrote it sixty times, 4% of the server's time). Another process that finds
# the file held says so beside it (``_wanted``), and nothing is kept while it waits.
LINGER_SECONDS = 0.5
WANTED_SECONDS = 10.0
_kept: dict[str, tuple[duckdb.DuckDBPyConnection, threading.Timer]] = {}


def _wanted(path: Path) -> Path:
    return path.with_name(f"{path.name}.wanted")


def _say_wanted(path: Path) -> None:
    try:
        _wanted(path).touch(mode=0o600)
    except OSError:  # a folder it may not write: it waits for the file to be let go as before
        pass


def _is_wanted(path: Path) -> bool:
    try:
        return time.time() - _wanted(path).stat().st_mtime < WANTED_SECONDS
    except FileNotFoundError:
        return False


def _keep_open(path: Path) -> None:
    """Keep ``path`` open for ``LINGER_SECONDS`` more, unless another process wants it (called
    under ``_open_lock``, with a connection to it open)."""
    key = str(path)
    held = _kept.pop(key, None)
    if held is not None:
        held[1].cancel()
    if _is_wanted(path):
        if held is not None:
            _closed(path, held[0])
        return
    keeper = held[0] if held is not None else duckdb.connect(key)
    timer = threading.Timer(LINGER_SECONDS, _let_go, args=(key,))
    timer.daemon = True  # a process ending closes the file itself (``_let_go_of_all``)
    timer.name = "oep-activity-linger"
    _kept[key] = (keeper, timer)
    timer.start()


def _let_go(key: str) -> None:
    with _open_lock:
        held = _kept.get(key)
        if held is None or held[1] is not threading.current_thread():  # kept for longer since
            return
        del _kept[key]
        _closed(Path(key), held[0])


@atexit.register
def _let_go_of_all() -> None:
    with _open_lock:
        for keeper, timer in _kept.values():
            timer.cancel()
            keeper.close()
        _kept.clear()


def _file_key(path: Path) -> tuple[str, int] | None:
    try:
        return (str(path), os.stat(path).st_ino)
    except FileNotFoundError:
        return None


def _private(path: Path) -> None:
    """The audit log names people and what they looked at: the file, and its ``.wal`` (which
    outlives a write while the file is kept open), are the owner's only."""
    for file in (path, Path(f"{path}.wal")):
        if file.exists():
            os.chmod(file, 0o600)


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection to the activity store; its schema is created once per process and file."""
    if _file_key(path) in _ready:
        return _open(path)
    with _schema_lock:
        private_folder(path.parent)
        con = _open(path)
        try:
            con.execute(ACTIVITY_DDL)
            _private(path)
        except BaseException:
            con.close()
            raise
        key = _file_key(path)
        if key is not None:
            _ready.add(key)
        return con


@contextmanager
def activity(target: Activity, writes: Iterable[str] = TABLES) -> Iterator[Connection]:
    """One write transaction on the activity store, writing to the tables ``writes`` only: this
    process's reads of the others are still answered from memory."""
    if isinstance(target, pg.Database):
        with pg.transaction(target) as tx:
            yield tx
        return
    with _write_lock:
        before = _version(target)
        with _duckdb_transaction(target) as con:
            yield con
        _wrote(target, before, writes)


@contextmanager
def _duckdb_transaction(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = _connect(path)
    try:
        con.execute("BEGIN TRANSACTION")
        yield con
        con.execute("COMMIT")
        _private(path)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _closed(path, con)


def _version(path: Path) -> tuple[Any, ...]:
    """Changes with every committed write: a commit lands in the ``.wal`` while another
    connection keeps the database open, and in the file itself when the last one closes."""
    versions: list[Any] = []
    for file in (path, Path(f"{path}.wal")):
        try:
            st = os.stat(file)
            versions.append((st.st_ino, st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            versions.append(None)
    return tuple(versions)


@dataclass
class _Known:
    """What this process knows of an activity file: its version when last looked at, and its
    own writes to each table since its ``era`` began (a new era whenever the file changed in a way
    this process did not make)."""
    seen: tuple[Any, ...]
    era: int
    writes: dict[str, int] = field(default_factory=dict)


_known: dict[str, _Known] = {}


@functools.cache
def _tables_in(sql: str) -> tuple[str, ...]:
    return tuple(table for table in TABLES if re.search(rf"\b{table}\b", sql))


def _tables_key(path: Path, tables: tuple[str, ...]) -> tuple[int, ...]:
    """Changes whenever one of ``tables`` may have changed."""
    version = _version(path)
    with _counts_lock:
        known = _known.get(str(path))
        if known is None or known.seen != version:  # a change this process did not make
            known = _known[str(path)] = _Known(version, next(_eras))
        return (known.era, *(known.writes.get(table, 0) for table in tables))


def _closed(path: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Close ``con``: the last connection's close writes the ``.wal`` into the file, which
    changes its version but no table."""
    before = _version(path)
    con.close()
    after = _version(path)
    if after != before:
        with _counts_lock:
            known = _known.get(str(path))
            if known is not None and known.seen == before:
                known.seen = after


def _wrote(path: Path, before: tuple[Any, ...], tables: Iterable[str]) -> None:
    """Count a write of ``tables`` that took the file from version ``before`` to its version
    now. Another process cannot write between the two: it would have to open the file, which
    takes milliseconds, in the moment between this write's close and this call."""
    after = _version(path)
    with _counts_lock:
        known = _known.get(str(path))
        if known is None or known.seen != before:  # changed meanwhile: every table read again
            _known.pop(str(path), None)
            return
        known.seen = after
        for table in tables:
            known.writes[table] = known.writes.get(table, 0) + 1


def read(target: Activity, sql: str, params: list[Any] | None = None, *,
         schema: Mapping[str, Any] | None = None) -> pl.DataFrame:
    """A query's result, cast to ``schema`` when one is given (DuckDB and PostgreSQL then give
    the same types). From a DuckDB file, only when one of the tables it names may have changed
    since the same query last ran (opening the file costs tens of milliseconds; pages re-ask on
    every rerun), and the frame kept is the typed one, so callers memoising on it share one
    frame; a file not there yet reads as empty tables and is not created."""
    return _read(target, sql, params, schema, (sql, repr(params), repr(schema)))


def _read(target: Activity, sql: str, params: list[Any] | None,
          schema: Mapping[str, Any] | None, asked: Hashable) -> pl.DataFrame:
    """``read``, with ``asked`` standing for the query, its parameters and schema."""
    if isinstance(target, pg.Database):
        return _as_before((target.url, asked), _typed(pg.read(target, sql, params), schema))
    path = target
    query_key = (str(path), asked)
    key = (_tables_key(path, _tables_in(sql)), query_key)

    def query() -> pl.DataFrame:
        if not path.exists():
            con = duckdb.connect(":memory:")
            con.execute(ACTIVITY_DDL)
            try:
                return con.sql(sql, params=params).pl()
            finally:
                con.close()
        con = _connect(path)
        try:
            return con.sql(sql, params=params).pl()
        finally:
            _closed(path, con)

    return _results.get(key, lambda: _as_before(query_key, _typed(query(), schema)))


def _as_before(query_key: Hashable, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame``, or the frame the same query gave last time if it holds the same rows."""
    with _last_lock:
        before = _last.get(query_key)
        if before is not None and before.equals(frame):
            _last.move_to_end(query_key)
            return before
        _last[query_key] = frame
        _last.move_to_end(query_key)
        while len(_last) > _LAST_RESULTS:
            _last.popitem(last=False)
    return frame


def _typed(frame: pl.DataFrame, schema: Mapping[str, Any] | None) -> pl.DataFrame:
    return frame if schema is None else frame.cast(schema)


def read_schools(target: Activity, sql: str, visible: frozenset[str], urn: str | None, *,
                 schema: Mapping[str, Any]) -> pl.DataFrame:
    """``sql``'s rows of the schools ``visible`` to the viewer, or of school ``urn`` alone (none
    if it is not visible): ``sql`` takes them as its one parameter, a ``VARCHAR[]``.

    From a DuckDB file, one school's rows are cut from the viewer's schools' rows, which are read
    once per change to the table (``read``): at a meeting, every school someone picked opened
    the file again. PostgreSQL's reads are not kept, so it is asked for the one school.
    """
    if urn is not None and urn not in visible:
        return pl.DataFrame(schema=schema)
    if urn is not None and isinstance(target, pg.Database):
        return read(target, sql, [[urn]], schema=schema)
    if not visible:
        return pl.DataFrame(schema=schema)
    # Keyed by the set itself: the repr of an officer's 24,000 URNs took milliseconds a call.
    # A list: PostgreSQL takes a list, not a tuple, as an array.
    rows = _read(target, sql, [list(in_order(visible))], schema, (sql, visible, repr(schema)))
    return rows if urn is None else _one_school(rows, urn)


@per_input(MEMO_SIZE)
def _one_school(rows: pl.DataFrame, urn: str) -> pl.DataFrame:
    """One school's rows, the same frame on every rerun while ``rows`` is (pages memoise on it)."""
    return rows.filter(pl.col("urn") == urn)


def audit(target: Activity, username: str | None, event: str, detail: str = "") -> None:
    with activity(target, writes=("audit_log",)) as con:
        audit_in(con, username, event, detail)


def audit_in(con: Connection, username: str | None, event: str, detail: str = "") -> None:
    """Audit inside an open activity transaction, so a write and its audit row land together."""
    con.execute("INSERT INTO audit_log (occurred_at, username, event, detail) VALUES (?, ?, ?, ?)",
                [datetime.now(), username, event, detail])


_RECENT_FAILURES = """
SELECT count(*) FROM login_attempts a
WHERE a.username = ? AND NOT a.success AND a.occurred_at >= ?
  AND a.occurred_at > coalesce((SELECT max(occurred_at) FROM login_attempts
                                WHERE username = ? AND success), ?)
"""
_ADDRESS_FAILURES = """
SELECT count(*) FROM login_attempts
WHERE address = ? AND NOT success AND occurred_at >= ?
"""


def claim_login_attempt(target: Activity, username: str, address: str | None,
                        now: datetime | None = None) -> bool:
    """Count an attempt before its password is checked; False (and nothing counted) when the
    username, or the client address, has used up its attempts in the lockout window.

    The attempt is written as a failure in the same transaction as the count, so parallel
    attempts cannot all pass the check; a correct password then records a success, which starts
    the username's count again. In PostgreSQL, claims from every replica take one lock in turn.
    """
    now = now or datetime.now()
    since = now - LOCKOUT_WINDOW
    with activity(target, writes=("login_attempts",)) as con:
        if isinstance(con, pg.Transaction):
            con.execute("SELECT pg_advisory_xact_lock(?)", [pg.CLAIM_LOCK])
        (failures,) = con.execute(_RECENT_FAILURES, [username, since, username,
                                                     since]).fetchone()  # type: ignore[misc]
        if failures >= LOCKOUT_ATTEMPTS:
            return False
        if address is not None:
            (from_address,) = con.execute(_ADDRESS_FAILURES,
                                          [address, since]).fetchone()  # type: ignore[misc]
            if from_address >= ADDRESS_LOCKOUT_ATTEMPTS:
                return False
        con.execute("INSERT INTO login_attempts (occurred_at, username, success, address) "
                    "VALUES (?, ?, false, ?)", [now, username, address])
    return True


def record_login_success(target: Activity, username: str, address: str | None) -> None:
    with activity(target, writes=("login_attempts", "audit_log")) as con:
        con.execute("INSERT INTO login_attempts (occurred_at, username, success, address) "
                    "VALUES (?, ?, true, ?)", [datetime.now(), username, address])
        audit_in(con, username, "login", "success")


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
