"""Reading an import file: its bytes (SHA-256, text encoding), its header, and its rows into DuckDB.

Every file is read as text and loaded set-wise into a DuckDB temporary table ``raw`` holding the
columns asked for (renamed to their lower-case names, so ``PC_plans_issued_20_weeks_ex`` and
``pc_plans_issued_20_weeks_ex`` are one column), plus ``line`` (the row number a user sees when
opening the file: the header is row 1, the first data row is row 2) and ``sheet`` (the worksheet of
an Excel file, NULL for a CSV). Nothing is cast here; importers cast after reading. An importer
that reads the rows once (the DfE kinds, ``oep.data.importers.dfe``) reads a CSV through
``raw_select`` instead, without the table.

Encodings: the DfE publishes UTF-8 (often with a byte-order mark); the GIAS register and CSVs saved
by Excel are Windows-1252; UTF-16 (with its byte-order mark) also occurs. DuckDB's reader only
knows UTF-8, UTF-16 and Latin-1 (which refuses the bytes 0x80-0x9F that Windows-1252 uses), so a
file that is not valid UTF-8 is transcoded with Python's codec, a chunk at a time, into a UTF-8
copy in a private temporary folder, and DuckDB reads that.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from oep.data.importers.checks import ImportFailed, quote

CHUNK = 8 << 20
XLSX_MAGIC = b"PK\x03\x04"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
UTF8 = "UTF-8"
WINDOWS_1252 = "Windows-1252"
UTF16 = "UTF-16"
XLSX = "Excel workbook"
# A table made from a CSV in the file's order (its row ids number the lines) is appended a batch
# of the file at a time; a batch smaller than a row group (122,880 rows) is copied again to merge
# it with the next. 32 MB batches hold a row group of rows up to 270 bytes long (a DfE
# school-level file's are about 200): 0.7 CPU s less per 1M rows than DuckDB's default, still
# several batches per thread.
CSV_OPTIONS = (
    "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', "
    "encoding = 'utf-8', buffer_size = 33554432"
)


@dataclass
class SourceFile:
    """One file to import, decoded: what DuckDB reads and what messages call it."""

    path: Path
    name: str
    sha256: str
    encoding: str
    text_path: Path | None = None
    """A UTF-8 CSV for DuckDB to read (the original file when it already is UTF-8)."""
    sheets: dict[str, pl.DataFrame] = field(default_factory=dict)
    """Worksheets of an Excel file, every cell as text."""
    columns: dict[str, str] = field(default_factory=dict)
    """Lower-case column name -> the name as the file spells it (all sheets for a workbook)."""

    def has(self, *names: str) -> bool:
        return all(n in self.columns for n in names)

    def any(self, *names: str) -> bool:
        return any(n in self.columns for n in names)

    def first(self, *names: str) -> str | None:
        """The first of ``names`` the file has (lower-case), or None."""
        return next((n for n in names if n in self.columns), None)

    def shown(self, name: str) -> str:
        """A column as the file spells it, for messages."""
        return self.columns.get(name, name)


# Signatures of files people pick by mistake, named in the refusal.
BINARY_MAGIC = {b"\x1f\x8b": "a gzip archive", b"%PDF": "a PDF document",
                b"\xd0\xcf\x11\xe0": "an old-style (.xls) Excel or Word file",
                b"PK\x03\x04": "a zip archive", b"\x89PNG": "a PNG image",
                b"\xff\xd8\xff": "a JPEG image"}
TEXT_CONTROLS = frozenset(b"\t\n\r\x0c")


def refuse_binary(head: bytes, name: str) -> None:
    """A file that is not text (nor an Excel workbook) is refused in one line, before any reader
    sees it: a NUL or many control bytes in its first block, or a known binary signature."""
    if any(head.startswith(bom) for bom in UTF16_BOMS):
        return
    what = next((w for magic, w in BINARY_MAGIC.items() if head.startswith(magic)), None)
    controls = sum(1 for b in head if b < 0x20 and b not in TEXT_CONTROLS)
    if what is None and (b"\x00" in head or controls > len(head) // 100):
        what = "binary data"
    if what is not None:
        raise ImportFailed(f"{name}: not a CSV text file (it looks like {what}); export the "
                           "data as CSV and import that.")


def open_source(path: Path, name: str, workdir: Path) -> SourceFile:
    """Hash and decode ``path``; read its header (or an Excel file's sheets).

    The hash is made on a second thread while the file is checked and its header read (hashlib
    lets go of the GIL): for a 200 MB file, 0.1-0.2 s less waiting for 0.07 CPU s more, the
    second read of the file."""
    head = _head(path, name, 1 << 16)
    if head.startswith(XLSX_MAGIC) and _is_workbook(path):
        return _workbook(path, name, _sha256(path))
    refuse_binary(head, name)
    with ThreadPoolExecutor(max_workers=1) as pool:
        sha = pool.submit(_sha256, path)
        if any(head.startswith(bom) for bom in UTF16_BOMS):
            source = SourceFile(path, name, "", UTF16,
                                _transcode(path, name, "utf-16", workdir))
        elif _is_utf8(path):
            source = SourceFile(path, name, "", UTF8, path)
        else:
            source = SourceFile(path, name, "", WINDOWS_1252,
                                _transcode(path, name, "cp1252", workdir))
        source.columns = {c.strip().lower(): c for c in _header(source)}
        source.sha256 = sha.result()
    return source


def peek_source(path: Path, name: str) -> SourceFile:
    """The file's columns only (no hash, no decoding of the whole file): enough to tell its kind."""
    head = _head(path, name, 1 << 16)
    if head.startswith(XLSX_MAGIC) and _is_workbook(path):
        return _workbook(path, name, "")
    refuse_binary(head, name)
    if any(head.startswith(bom) for bom in UTF16_BOMS):
        text = head.decode("utf-16", "replace")
    else:
        # Headers are ASCII in practice; a wrong guess only garbles a name we would not match.
        text = head.decode("utf-8-sig", "replace")
    header = next(csv.reader(text.splitlines()[:1]), [])
    return SourceFile(path, name, "", UTF8, columns={c.strip().lower(): c for c in header})


def _head(path: Path, name: str, size: int) -> bytes:
    if not path.is_file():
        raise ImportFailed(f"{name}: file not found ({path}).")
    with open(path, "rb") as fh:
        return fh.read(size)


def _is_workbook(path: Path) -> bool:
    """A zip holding an Excel workbook (other zips are refused as not text)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _workbook(path: Path, name: str, sha: str) -> SourceFile:
    source = SourceFile(path, name, sha, XLSX, sheets=_read_workbook(path, name))
    for frame in source.sheets.values():
        source.columns.update({c.strip().lower(): c for c in frame.columns})
    return source


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_utf8(path: Path) -> bool:
    """Whether the file is valid UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            # ASCII (most files) is UTF-8, and a chunk of it ends on a character: no decoding.
            if not chunk.isascii():
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _transcode(path: Path, name: str, codec: str, workdir: Path) -> Path:
    """Write a UTF-8 copy of ``path`` decoded with ``codec``, streaming; undecodable -> error."""
    target = workdir / "decoded.csv"
    decoder = codecs.getincrementaldecoder(codec)()
    offset = 0
    with open(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as out:
        while chunk := src.read(CHUNK):
            try:
                out.write(decoder.decode(chunk))
            except UnicodeDecodeError as exc:
                _undecodable(path, name, offset + exc.start)
            offset += len(chunk)
        out.write(decoder.decode(b"", final=True))
    return target


def _undecodable(path: Path, name: str, offset: int) -> None:
    """Raise the error for a byte no supported encoding can read, naming its row and column."""
    with open(path, "rb") as fh:
        before = fh.read(offset + 1)
    line_start = before.rfind(b"\n", 0, offset) + 1
    row = before.count(b"\n", 0, offset) + 1
    header = next(csv.reader([before.split(b"\n", 1)[0].decode("cp1252", "replace")]), [])
    cells = next(csv.reader([before[line_start:offset].decode("cp1252", "replace")]), [""])
    column = header[len(cells) - 1] if 0 < len(cells) <= len(header) else "?"
    raise ImportFailed(
        f"{name}: undecodable text in row {row}, column {column}: byte 0x{before[offset]:02X} "
        f"is neither {UTF8} nor {WINDOWS_1252}. Save the file as 'CSV UTF-8' and import it again."
    )


def _header(source: SourceFile) -> list[str]:
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"DESCRIBE SELECT * FROM read_csv($path, {CSV_OPTIONS})",
            {"path": str(source.text_path)},
        ).fetchall()
    except duckdb.Error as exc:
        raise ImportFailed(
            f"{source.name}: cannot be read as a CSV file: {_first_line(exc)}") from None
    finally:
        con.close()
    return [str(r[0]) for r in rows]


def _read_workbook(path: Path, name: str) -> dict[str, pl.DataFrame]:
    """Every worksheet, each cell as text (whole numbers without a trailing '.0')."""
    try:
        sheets = pl.read_excel(path, sheet_id=0, engine="openpyxl", drop_empty_rows=False,
                               raise_if_empty=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFailed(f"{name}: cannot be read as an Excel workbook: {exc}") from exc
    return {sheet: _as_text(frame) for sheet, frame in sheets.items()}


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    def text(name: str, dtype: pl.DataType) -> pl.Expr:
        col = pl.col(name)
        if dtype.is_float():
            # Excel stores every number as a float: a URN typed as 105001 must not read "105001.0".
            whole = col.is_finite() & (col == col.floor())
            return pl.when(whole).then(col.cast(pl.Int64).cast(pl.String)).otherwise(
                col.cast(pl.String)).alias(name)
        if dtype == pl.Datetime or dtype == pl.Date:
            return col.dt.strftime("%Y-%m-%d").alias(name)
        return col.cast(pl.String).alias(name)

    return frame.select(text(n, t) for n, t in frame.schema.items())


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def load_raw(con: duckdb.DuckDBPyConnection, source: SourceFile, columns: list[str]) -> int:
    """Create the temporary table ``raw`` (line, sheet, and ``columns``) from the file.

    ``columns`` are lower-case names; those the file lacks are left out. Returns the row count.
    """
    present = [c for c in dict.fromkeys(columns) if c in source.columns]
    if source.encoding == XLSX:
        return _load_sheets(con, source, present)
    with csv_errors(source):
        number_lines(con, "raw", f"CREATE OR REPLACE TEMP TABLE raw AS "
                     f"{raw_select(source, present)}", {"path": str(source.text_path)})
    return _count(con)


def number_lines(con: duckdb.DuckDBPyConnection, table: str, sql: str,
                 params: dict[str, object]) -> None:
    """Make ``table`` with ``sql``, a CREATE TABLE AS from the rows of one CSV file in its order
    (no join between: CREATE TABLE AS keeps the order of what it reads, and row ids follow it),
    and set its ``line`` (the row a user sees) from the row ids. Setting the column in place
    costs far less than a copy, and numbering the rows as the file streams would read it on one
    thread. Both in one transaction: set in a table already committed, the change's commit made
    DuckDB merge the part-filled row groups a parallel read leaves and rewrite them compressed
    (1.8 CPU s for 1M rows)."""
    con.execute("BEGIN")
    try:
        con.execute(sql, params)
        con.execute(f"UPDATE {quote(table)} SET line = rowid - (SELECT min(rowid) FROM "
                    f"{quote(table)}) + 2")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def raw_select(source: SourceFile, columns: list[str]) -> str:
    """SQL giving the rows ``load_raw`` would put in ``raw``, read straight from a CSV file
    (parameter ``$path``: ``source.text_path``), for an importer that reads them once: copying
    every cell into ``raw`` first costs more than parsing the file. ``line`` is NULL: make the
    table from it with ``number_lines``, inside ``csv_errors``."""
    present = [c for c in dict.fromkeys(columns) if c in source.columns]
    return (f"SELECT NULL::BIGINT AS line, NULL::VARCHAR AS sheet, * "
            f"FROM ({_picked(source, present)})")


def _picked(source: SourceFile, present: list[str]) -> str:
    picked = ", ".join(f"{quote(source.columns[c])} AS {quote(c)}" for c in present)
    return f"SELECT {picked} FROM read_csv($path, {CSV_OPTIONS})"


@contextmanager
def csv_errors(source: SourceFile) -> Iterator[None]:
    """DuckDB's errors reading the file, as the refusal naming its row."""
    try:
        yield
    except duckdb.Error as exc:
        raise ImportFailed(_csv_error(source.name, exc)) from None


def _csv_error(name: str, exc: Exception) -> str:
    text = str(exc)
    line = re.search(r"Line: (\d+)", text)
    where = f" at row {line.group(1)}" if line else ""
    return f"{name}: cannot be read as a CSV file{where}: {_first_line(exc)}"


def _load_sheets(con: duckdb.DuckDBPyConnection, source: SourceFile, present: list[str]) -> int:
    """``raw`` from every worksheet: rows numbered as the sheet shows them, under its name."""
    frames = []
    for sheet, frame in source.sheets.items():
        renamed = frame.rename({c: c.strip().lower() for c in frame.columns})
        frames.append(
            renamed.with_row_index("line", offset=2)
            .with_columns(pl.col("line").cast(pl.Int64), pl.lit(sheet).alias("sheet"))
            .select("line", "sheet", *[pl.col(c) if c in renamed.columns else
                                       pl.lit(None, pl.String).alias(c) for c in present])
        )
    # A workbook always has at least one sheet.
    con.register("_sheets", pl.concat(frames))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM _sheets")
    finally:
        con.unregister("_sheets")
    return _count(con)


def _count(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM raw").fetchall()[0][0])
