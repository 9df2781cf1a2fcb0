"""Where the store lives, how it is read, and how it is replaced.

The store is a small DuckDB file (``oep.duckdb``: the register, the partnership's tables, the
loads, ...) and, in the folder beside it (``oep.duckdb.parts/``), part files holding the rows of
the tables that grow with every load (``schema.PART_TABLES``: ``indicators``, ``sen_needs``). The
store file lists its parts (``store_parts``) and reads them through views of those names, so a
query sees one set of tables. A part file is never written after the load that made it.

The app holds the store open read-only (one connection per process, a cursor per query). A load
never writes into a file a reader may have open: it copies the small store file, writes its rows
into one new part file, and swaps the copy in with an atomic rename. Rows of an earlier part that
the load replaces are deleted in a byte copy of that part, listed in its place. So a load costs
its own rows plus the parts it replaces rows of, never a copy of the whole store. Readers keep the
old version until their next query and never see half a load; a failed load leaves the store file
byte-for-byte untouched and removes the parts it made.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from oep.data import catalogue
from oep.data.config import DATA_DIR
from oep.data.schema import (
    DDL,
    PART_DDL,
    PART_TABLES,
    SCHEMA_VERSION,
    WIDE_INDICATORS,
    WIDE_KEYS,
)


def store_path() -> Path:
    return Path(os.environ.get("OEP_DB") or DATA_DIR / "oep.duckdb")


def private_folder(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by the owner only; an existing folder is
    left as its owner set it."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    written_before_catalogue = not catalogue.exists(con)
    con.execute(DDL)
    if written_before_catalogue:
        catalogue.rebuild(con)
    con.execute(
        "INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
    )


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM store_meta").fetchall())


def add_source(
    con: duckdb.DuckDBPyConnection,
    *,
    kind: str,
    file_name: str,
    sha256: str,
    rows: int,
    loaded_by: str,
    publication: str | None = None,
    options: str = "",
    symbol_meanings: str | None = None,
) -> int:
    """Record one load and return its source_id (rows carry it)."""
    (source_id,) = con.execute("SELECT coalesce(max(source_id), 0) + 1 FROM sources").fetchone()
    con.execute(
        "INSERT INTO sources (source_id, kind, file_name, sha256, publication, rows, loaded_at, "
        "loaded_by, options, symbol_meanings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [source_id, kind, file_name, sha256, publication, rows, datetime.now(), loaded_by,
         options, symbol_meanings],
    )
    return int(source_id)


@contextmanager
def private_lock_file(path: Path) -> Iterator[int]:
    """An exclusive lock between processes, held for the block (the file itself stays, empty)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


@contextmanager
def rebuilding(path: Path, *, fresh: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a writable connection to a new version of the store; swap it in only if the block
    succeeds.

    Inside the block, ``indicators`` and ``sen_needs`` are the new part's tables (inserts go
    there); rows of earlier parts are replaced with ``replace_keyed`` and ``drop_sources``. Writes
    commit statement by statement (DuckDB lets one transaction write one file only): the new
    version is invisible until the swap, and a failure discards it. With ``fresh`` the new version
    starts empty (a new store) instead of from the current one.
    """
    private_folder(path.parent)
    with private_lock_file(path.with_name(f"{path.name}.lock")):
        # One writer at a time across processes: a second load starts from the first one's
        # result, so neither drops the other's rows.
        yield from _rebuild(path, fresh)


def parts_folder(path: Path) -> Path:
    return path.with_name(f"{path.name}.parts")


def part_file(path: Path, part: int) -> Path:
    return parts_folder(path) / f"{part}.duckdb"


def _alias(part: int) -> str:
    return f"part_{part}"


def _listed_parts(con: duckdb.DuckDBPyConnection, database: str) -> list[int]:
    """The parts the store attached as ``database`` lists (none for a store written before
    parts existed, which holds its rows itself)."""
    listed = con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = $db AND "
                         "table_name = 'store_parts'", {"db": database}).fetchall()[0][0]
    if not listed:
        return []
    return [int(p) for (p,) in con.execute(
        f'SELECT part FROM "{database}".main.store_parts ORDER BY part').fetchall()]


def _parts_of(path: Path) -> list[int]:
    if not path.exists():
        return []
    con = duckdb.connect()
    try:
        con.execute("ATTACH $path AS store (READ_ONLY)", {"path": str(path)})
        return _listed_parts(con, "store")
    finally:
        con.close()


def _remove_unlisted_parts(path: Path) -> None:
    """Part files the store does not list: replaced by a load, or left by a killed one. Only
    called under the writers' lock, so no live writer owns one. A reader still using a replaced
    part holds it open; one about to open it finds the store swapped and opens the new version."""
    folder = parts_folder(path)
    if not folder.is_dir():
        return
    listed = {str(p) for p in _parts_of(path)}
    for file in folder.iterdir():
        if file.name.split(".")[0] not in listed:
            file.unlink(missing_ok=True)
    if not any(folder.iterdir()):
        folder.rmdir()


def _remove_stale_copies(path: Path) -> None:
    """Copies left by a killed load (``<store>.tmp<pid>`` and their ``.wal``) and its part."""
    for stale in path.parent.iterdir():
        if stale.name.startswith(f"{path.name}.tmp"):
            stale.unlink(missing_ok=True)
    _remove_unlisted_parts(path)


def _next_part(path: Path) -> int:
    return max((int(f.name.split(".")[0]) for f in parts_folder(path).iterdir()
                if f.name.split(".")[0].isdigit()), default=0) + 1


def _rebuild(path: Path, fresh: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    _remove_stale_copies(path)
    private_folder(parts_folder(path))
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    if path.exists() and not fresh:
        shutil.copyfile(path, tmp)
    try:
        con = duckdb.connect(str(tmp))
        os.chmod(tmp, 0o600)  # the store holds unpublished figures
        try:
            _start(con, path)
            yield con
            _finish(con, path)
        finally:
            con.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        # After a swap, the parts it replaced; after a failure, the parts this load made.
        _remove_unlisted_parts(path)


# Rows per row group of a new part (DuckDB's default 122,880), the unit zone maps skip. At England
# scale, rows sorted by measure, level, year and school (the demo's) hold one measure-year of every
# school in two default row groups: a school's page read a whole one per measure-year for its few
# rows (14.6M rows, 0.16 CPU s); 0.05 s in these. Reads of every school's year cost the same.
PART_ROW_GROUP = 16_384


def _attach_writable(con: duckdb.DuckDBPyConnection, path: Path, part: int) -> None:
    con.execute(f"ATTACH $file AS {_alias(part)} (ROW_GROUP_SIZE {PART_ROW_GROUP})",
                {"file": str(part_file(path, part))})


def _start(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Attach the store's parts read-only and a new part writable; unqualified part tables name
    the new part's until ``_finish``. ``_writing`` says which part is which, and ``_gone`` will
    hold the rows of earlier parts that this load replaces."""
    home = con.execute("SELECT current_database()").fetchall()[0][0]
    old = _listed_parts(con, home)
    new = _next_part(path)
    for part in old:
        con.execute(f"ATTACH $file AS {_alias(part)} (READ_ONLY)",
                    {"file": str(part_file(path, part))})
    _attach_writable(con, path, new)
    os.chmod(part_file(path, new), 0o600)
    con.execute(f"USE {_alias(new)}")
    con.execute(PART_DDL)
    con.execute(f'USE "{home}"')
    # Unqualified part tables: the store file's (views, or its own tables if written before
    # parts existed), else the new part's.
    con.execute(f"SET search_path = 'main,{_alias(new)}.main'")
    create_schema(con)
    stored = {t for (t,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = $db",
        {"db": home}).fetchall()}
    for table in PART_TABLES:
        if table in stored:
            # A store written before parts existed: its rows move into the new part, once.
            con.execute(f"INSERT INTO {_alias(new)}.main.{table} BY NAME "
                        f'SELECT * FROM "{home}".main.{table}')
            con.execute(f'DROP TABLE "{home}".main.{table}')
        else:
            con.execute(f'DROP VIEW IF EXISTS "{home}".main.{table}')
    con.execute("CREATE TEMP TABLE _writing (home VARCHAR, new INTEGER, old INTEGER[])")
    con.execute("INSERT INTO _writing VALUES ($home, $new, $old)",
                {"home": home, "new": new, "old": old})
    con.execute("CREATE TEMP TABLE _gone (part INTEGER, table_name VARCHAR, row_id BIGINT, "
                "cell VARCHAR)")


def _writing(con: duckdb.DuckDBPyConnection) -> tuple[str, int, list[int]]:
    home, new, old = con.execute("SELECT home, new, old FROM _writing").fetchall()[0]
    return home, new, list(old)


def _leave_out(con: duckdb.DuckDBPyConnection, table: str, match: str,
               params: dict[str, Any]) -> int:
    """Rows of ``table`` matching ``match`` (SQL over ``t``) no longer count: deleted from the new
    part, recorded in ``_gone`` for earlier parts, and counted off the catalogue of indicators.
    Returns how many rows that is."""
    _, new, old = _writing(con)
    held = _held(con, new, table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _matched AS SELECT NULL::INTEGER AS part, "
                f"NULL::VARCHAR AS held_in, t.* FROM ({held[0][1]}) t WHERE false")
    # The new part's wide table is written after every replacement, so only its long one can
    # hold rows here (a second plan for the same table in one load).
    if _count(con, new, table):
        con.execute(f"INSERT INTO _matched SELECT NULL, NULL, t.* FROM ({held[0][1]}) t "
                    f"WHERE {match}", params)
        con.execute(f"DELETE FROM {_alias(new)}.main.{table} t WHERE {match}", params)
    for part in old:
        for held_in, relation in _held(con, part, table):
            con.execute(
                f"INSERT INTO _matched SELECT $part, $held_in, t.* FROM ({relation}) t "
                f"WHERE ({match}) AND NOT EXISTS (SELECT 1 FROM _gone g WHERE g.part = $part "
                "AND g.table_name = $held_in AND g.row_id = t.row_id "
                "AND g.cell IS NOT DISTINCT FROM t.cell)",
                {**params, "part": part, "held_in": held_in})
    con.execute("INSERT INTO _gone SELECT part, held_in, row_id, cell FROM _matched "
                "WHERE part IS NOT NULL")
    if table == "indicators":
        catalogue.count(con, "SELECT * FROM _matched", sign=-1)
    return int(con.execute("SELECT count(*) FROM _matched").fetchall()[0][0])


def _held(con: duckdb.DuckDBPyConnection, part: int, table: str) -> list[tuple[str, str]]:
    """Where a part holds the rows of ``table``: (its table, SQL giving those rows with
    ``row_id`` and ``cell``, the measure of a wide table's row or NULL). Each cell of a wide
    table is a row of ``indicators``, as the view shows it."""
    long = (table, (f"SELECT rowid AS row_id, NULL::VARCHAR AS cell, * "
                    f"FROM {_alias(part)}.main.{table}"))
    if table != "indicators" or not _wide_measures(con, part):
        return [long]
    return [long, (WIDE_INDICATORS, _wide_cells(con, part))]


def _wide_cells(con: duckdb.DuckDBPyConnection, part: int, where: str = "") -> str:
    """SQL for each cell of a part's wide table (``where``: of some of its rows) as a row of
    ``indicators``, with its wide row's ``row_id`` and its measure as ``cell``."""
    return " UNION ALL ".join(
        f"SELECT rowid AS row_id, {_literal(m)} AS cell, {_cell_columns(m)} "
        f"FROM {_alias(part)}.main.{WIDE_INDICATORS} {where}"
        for m in _wide_measures(con, part))


def replace_keyed(con: duckdb.DuckDBPyConnection, table: str, staged: str,
                  keys: tuple[str, ...] | None) -> int:
    """Inside ``rebuilding``: the stored rows of a part table sharing ``keys`` with a row of
    ``staged`` (a relation name) are replaced; with no keys, every stored row. Returns how many."""
    if keys is None:
        return _leave_out(con, table, "true", {})
    on = " AND ".join(f'k."{c}" = t."{c}"' for c in keys)
    return _leave_out(con, table, f'EXISTS (SELECT 1 FROM "{staged}" k WHERE {on})', {})


def drop_sources(con: duckdb.DuckDBPyConnection, source_ids: list[int]) -> int:
    """Inside ``rebuilding``: the rows of the part tables from these loads are dropped. Returns
    how many."""
    return sum(_leave_out(con, table, "list_contains($ids, t.source_id)", {"ids": source_ids})
               for table in PART_TABLES)


def _finish(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """List the parts the new version reads and point the views at them: the new part if it
    has rows, and each earlier part, or, where this load replaces rows of it, a byte copy of it
    with those rows deleted (a file copy, cheap beside re-encoding its rows)."""
    home, new, old = _writing(con)
    parts = []
    for part in old:
        if not con.execute("SELECT count(*) FROM _gone WHERE part = $part",
                           {"part": part}).fetchall()[0][0]:
            parts.append(part)
            continue
        copy = _next_part(path)
        shutil.copyfile(part_file(path, part), part_file(path, copy))
        os.chmod(part_file(path, copy), 0o600)
        _attach_writable(con, path, copy)
        for table in PART_TABLES:
            con.execute(f"DELETE FROM {_alias(copy)}.main.{table} WHERE rowid IN (SELECT row_id "
                        "FROM _gone WHERE part = $part AND table_name = $table)",
                        {"part": part, "table": table})
        if _wide_measures(con, copy):
            _split_wide_rows(con, part, copy)
        con.execute(f"CHECKPOINT {_alias(copy)}")
        if _has_rows(con, copy):
            parts.append(copy)
    if _has_rows(con, new):
        parts.append(new)
    con.execute(f'USE "{home}"')
    catalogue.compact(con)
    con.execute("DELETE FROM store_parts")
    con.execute("INSERT INTO store_parts SELECT unnest($parts)", {"parts": parts})
    for table in PART_TABLES:
        columns = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = $db AND "
            "table_name = $t ORDER BY column_index", {"db": _alias(new), "t": table}).fetchall()
        names = ", ".join(f'"{c}"' for c, _ in columns)
        sources = [f"SELECT {names} FROM {_alias(p)}.main.{table}" for p in parts
                   if _count(con, p, table)]
        if table == "indicators":
            sources += [f"SELECT {_cell_columns(m)} FROM {_alias(p)}.main.{WIDE_INDICATORS}"
                        for p in parts for m in _wide_measures(con, p)]
        # With no rows, a typed empty relation: the view must not name a part it does not list.
        empty = "SELECT " + ", ".join(f'NULL::{t} AS "{c}"' for c, t in columns) + " WHERE false"
        con.execute(f'CREATE VIEW "{home}".main.{table} AS '
                    + (" UNION ALL ".join(sources) or empty))
    con.execute(f"CHECKPOINT {_alias(new)}")
    con.execute("CHECKPOINT")


def _split_wide_rows(con: duckdb.DuckDBPyConnection, part: int, copy: int) -> None:
    """In ``copy`` (a byte copy of ``part``), a wide row some of whose cells this load replaces
    becomes long rows of the cells it keeps: a wide row holds every measure of its table."""
    params = {"part": part, "wide": WIDE_INDICATORS}
    gone = "SELECT row_id FROM _gone WHERE part = $part AND table_name = $wide"
    cells = _wide_cells(con, copy, f"WHERE rowid IN ({gone})")
    con.execute(
        f"INSERT INTO {_alias(copy)}.main.indicators BY NAME "
        f"SELECT * EXCLUDE (row_id, cell) FROM ({cells}) t "
        "WHERE NOT EXISTS (SELECT 1 FROM _gone g WHERE g.part = $part AND g.table_name = $wide "
        "AND g.row_id = t.row_id AND g.cell = t.cell)", params)
    con.execute(f"DELETE FROM {_alias(copy)}.main.{WIDE_INDICATORS} WHERE rowid IN ({gone})",
                params)


def _count(con: duckdb.DuckDBPyConnection, part: int, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {_alias(part)}.main.{table}").fetchall()[0][0])


def _has_rows(con: duckdb.DuckDBPyConnection, part: int) -> bool:
    tables = [*PART_TABLES, *([WIDE_INDICATORS] if _wide_measures(con, part) else [])]
    return any(_count(con, part, t) for t in tables)


# A measure is named in SQL as a column (``value_<measure>``) and, in the views, as a literal (a
# view holds no parameters): so only plain lower-case names are taken.
MEASURE_NAME = re.compile(r"[a-z][a-z0-9_]*")


def wide_columns(measure: str) -> tuple[str, str]:
    """The columns of a wide table holding a measure's value and symbol."""
    if not MEASURE_NAME.fullmatch(measure):
        raise ValueError(f"not a measure name a wide table can hold: {measure!r}")
    return f"value_{measure}", f"symbol_{measure}"


def _literal(measure: str) -> str:
    """A measure's name as an SQL string, for the views (checked plain: no quote to escape)."""
    wide_columns(measure)
    return f"'{measure}'"


def _cell_columns(measure: str) -> str:
    """The columns of ``indicators`` for one measure of a wide table's rows."""
    value, symbol = wide_columns(measure)
    return (", ".join(k for k in WIDE_KEYS if k != "source_id")
            + f", {_literal(measure)} AS measure, {value} AS value, {symbol} AS symbol, source_id")


def _wide_measures(con: duckdb.DuckDBPyConnection, part: int) -> list[str]:
    """The measures a part's wide table holds (none: the part has no wide table)."""
    return [c.removeprefix("value_") for (c,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = $db AND table_name = $t "
        "AND starts_with(column_name, 'value_') ORDER BY column_index",
        {"db": _alias(part), "t": WIDE_INDICATORS}).fetchall()]


def add_wide_indicators(con: duckdb.DuckDBPyConnection, measures: list[str]) -> str:
    """Inside ``rebuilding``: create the new part's wide table of indicators, one row per area,
    period, phase and pupil group with a value and a symbol column per measure (every cell of a
    row held); returns its name. The view ``indicators`` shows each cell as a row."""
    _, new, _ = _writing(con)
    columns = [f"{c} {t}" for c, t in WIDE_KEYS.items()]
    for measure in measures:
        value, symbol = wide_columns(measure)
        columns += [f"{value} DOUBLE", f"{symbol} VARCHAR"]
    table = f"{_alias(new)}.main.{WIDE_INDICATORS}"
    con.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
    return table


def copy_store(source: Path, target: Path) -> None:
    """Copy the store at ``source`` (its file and its parts) to ``target``, between loads (under
    the writers' lock, so no load removes a part the copied file lists)."""
    with private_lock_file(source.with_name(f"{source.name}.lock")):
        shutil.copyfile(source, target)
        if parts_folder(source).is_dir():
            shutil.copytree(parts_folder(source), parts_folder(target), dirs_exist_ok=True)


def attach(con: duckdb.DuckDBPyConnection, path: Path, alias: str = "store") -> None:
    """Attach the store at ``path`` read-only as ``alias``, with its parts, and use it."""
    con.execute(f'ATTACH $path AS "{alias}" (READ_ONLY)', {"path": str(path)})
    for part in _listed_parts(con, alias):
        con.execute(f"ATTACH $file AS {_alias(part)} (READ_ONLY)",
                    {"file": str(part_file(path, part))})
    con.execute(f'USE "{alias}"')


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the store at ``path`` and its parts.

    A load that swaps in a new version removes the parts it replaced: a reader that read the
    old list of parts and finds one gone opens the new version instead.
    """
    for attempt in range(5):
        con = duckdb.connect()
        try:
            attach(con, path)
            return con
        except duckdb.IOException:
            con.close()
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


# DuckDB's own cache of the file's blocks and its working memory, for the app's reads
# (``OEP_DUCKDB_MEMORY``, default 64MB). Its default (80% of the machine) let it hold most of an
# England-size store beside the app's frames; the pages' queries need far less: at England scale
# every page's first render took the same time with 32 MB as with 128 MB, which a meeting's
# sessions kept full (the blocks it drops stay in the system's file cache).
READER_MEMORY = os.environ.get("OEP_DUCKDB_MEMORY") or "64MB"


class Store:
    """A read-only view of the store that follows atomic swaps.

    One DuckDB connection per process; each query runs on its own cursor (DuckDB connections are not
    shared safely between Streamlit's session threads). When the file at ``path`` has been replaced,
    the next query opens the new one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._identity: tuple[int, int] | None = None

    def _file_identity(self) -> tuple[int, int]:
        st = os.stat(self.path)
        return (st.st_ino, st.st_mtime_ns)

    @property
    def version(self) -> tuple[int, int]:
        """Changes whenever the file is replaced: part of every cache key."""
        return self._file_identity()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        identity = self._file_identity()
        with self._lock:
            if self._con is None or identity != self._identity:
                # The old version is dropped, not closed: closing it would end the cursors other
                # sessions have under way on it (or refuse, while one runs). DuckDB frees it
                # when the last of them closes.
                self._con = connect(self.path)
                # DuckDB's own working memory for the app's reads (its default, 80% of the
                # machine, let it hold most of an England-size store beside the app's frames).
                self._con.execute("SET memory_limit = $limit", {"limit": READER_MEMORY})
                self._identity = identity
            cur = self._con.cursor()
        # A cursor is a new connection to the same database: it starts in the in-memory one.
        cur.execute("USE store")
        return cur

    def frame(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pl.DataFrame:
        cur = self.cursor()
        try:
            return cur.sql(sql, params=params).pl()
        finally:
            cur.close()

    def has_table(self, name: str) -> bool:
        """Whether the store file has the table ``name``."""
        return bool(self.scalar("SELECT count(*) FROM duckdb_tables() WHERE database_name = "
                                "'store' AND table_name = ?", [name]))

    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        cur = self.cursor()
        try:
            row = cur.execute(sql, params or []).fetchone()
            return None if row is None else row[0]
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
