"""Where the store lives, how it is read, and how it is replaced.

The app holds the store open read-only (one connection per process, a cursor per query). An import
or a demo build never writes into that file: it builds a copy beside it and swaps it in with an
atomic rename, so readers keep the old file until their next query and never see half a load, and a
failed load leaves the original byte-for-byte untouched.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from oep import catalogue
from oep.schema import DDL, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"


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


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    return meta(con).get("is_demo") == "true"


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
    """Yield a writable connection to a copy of the store; swap it in only if the block succeeds.

    With ``fresh`` the copy starts empty (a new store) instead of from the current file.
    """
    private_folder(path.parent)
    with private_lock_file(path.with_name(f"{path.name}.lock")):
        # One writer at a time across processes: a second load copies the store only after the
        # first has swapped its result in, so neither drops the other's rows.
        yield from _rebuild(path, fresh)


def _remove_stale_copies(path: Path) -> None:
    """Copies left by a killed load (``<store>.tmp<pid>`` and their ``.wal``). Only called under
    the writers' lock, so no live writer owns one."""
    for stale in path.parent.iterdir():
        if stale.name.startswith(f"{path.name}.tmp"):
            stale.unlink(missing_ok=True)


def _rebuild(path: Path, fresh: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    _remove_stale_copies(path)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    if path.exists() and not fresh:
        shutil.copyfile(path, tmp)
    try:
        con = duckdb.connect(str(tmp))
        os.chmod(tmp, 0o600)  # the store holds unpublished figures
        try:
            create_schema(con)
            con.execute("BEGIN TRANSACTION")
            yield con
            catalogue.compact(con)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)


# DuckDB's own cache of the file's blocks and its working memory, for the app's reads. Its default
# (80% of the machine) let it hold most of an England-size store beside the app's frames; the
# pages' queries need far less.
READER_MEMORY = "256MB"


class Store:
    """A read-only view of the store file that follows atomic swaps.

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
                if self._con is not None:
                    self._con.close()
                self._con = duckdb.connect(str(self.path), read_only=True)
                # Set, not passed to connect: another connection to the file in this process
                # (a CLI or test reading it directly) must not meet a different configuration.
                self._con.execute("SET memory_limit = $limit", {"limit": READER_MEMORY})
                self._identity = identity
            return self._con.cursor()

    def frame(self, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pl.DataFrame:
        cur = self.cursor()
        try:
            return cur.sql(sql, params=params).pl()
        finally:
            cur.close()

    def has_table(self, name: str) -> bool:
        return bool(self.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]))

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


def ensure_store(path: Path, build: Callable[[Path], None]) -> bool:
    """Build the store with ``build`` if it does not exist; True when it was built."""
    if path.exists():
        return False
    build(path)
    return True
