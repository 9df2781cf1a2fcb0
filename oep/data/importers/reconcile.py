"""``python -m oep reconcile FILE``: what became of every published row of a loaded file, and
every measure cell checked against the store.

The file is read and staged again exactly as its last load was (same kind, same options), on a
read-only view of the store. Each row of the file is either kept or skipped for a reason the
import reported (``_fates``); a row that is neither is a mismatch. Each measure cell of a kept row
must equal the stored figure: the same number, or the same published symbol with no number. Any
mismatch makes the command exit non-zero.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from oep.data.importers import (
    MODULES,
    ImportFailed,
    Options,
    _read_only_view,
    _resolve_kind,
    _stage,
    register,
)
from oep.data.importers.checks import where_row
from oep.data.importers.reading import open_source
from oep.data.importers.sen import NEED

KEPT = "loaded"
KINDS = ("register", "absence", "attendance", "sen", "ehcp", "suspensions")
# The store keys a staged cell is matched on.
CELL_KEYS = ("geo_level", "area_code", "phase", "pupil_group", "time_period", "time_identifier",
             "measure")


@dataclass
class Reconciliation:
    file_name: str
    kind: str
    fates: list[tuple[int, str | None, str]] = field(default_factory=list)
    """(row, sheet, fate) for every row of the file: 'loaded' or 'skipped: <reason>'."""
    cells_checked: int = 0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def lines(self) -> list[str]:
        """The listing the command prints."""
        out = [f"{where_row(sheet, line)}: {fate}" for line, sheet, fate in self.fates]
        skipped = sum(1 for *_, fate in self.fates if fate != KEPT)
        out.append(f"{self.file_name} ({self.kind}): {len(self.fates):,} rows, "
                   f"{len(self.fates) - skipped:,} loaded, {skipped:,} skipped with a reason; "
                   f"{self.cells_checked:,} cells checked against the store.")
        out += [f"MISMATCH {m}" for m in self.mismatches]
        out.append("Reconciled: every row accounted for, every cell equal to the store."
                   if self.ok else f"{len(self.mismatches):,} "
                   f"{'mismatch' if len(self.mismatches) == 1 else 'mismatches'}.")
        return out


def reconcile(path: Path, *, db: Path, kind: str | None = None) -> Reconciliation:
    """Reconcile ``path`` against the store at ``db`` (ImportFailed if it was never loaded)."""
    if not db.exists():
        raise ImportFailed(f"no store at {db}.")
    with tempfile.TemporaryDirectory(prefix="oep-reconcile-") as work:
        source = open_source(path, path.name, Path(work))
        kind = _resolve_kind(source, kind)
        if kind not in KINDS:
            raise ImportFailed(f"{source.name}: reconcile covers the register and the DfE "
                               f"statistics files ({', '.join(KINDS)}); this is "
                               f"{MODULES[kind].LABEL}.")
        con = _read_only_view(db)
        try:
            options = _last_options(con, source.sha256, kind, source.name)
            staging = _stage(con, source, kind, options, lambda message, done: None)
            result = Reconciliation(source.name, kind)
            _fates(con, result, staging.rows_read)
            _cells(con, result, kind)
        finally:
            con.close()
    return result


def _last_options(con: duckdb.DuckDBPyConnection, sha256: str, kind: str,
                  name: str) -> Options:
    found = con.execute(
        "SELECT coalesce(options, '') FROM sources WHERE sha256 = $sha AND kind = $kind "
        "ORDER BY source_id DESC LIMIT 1", {"sha": sha256, "kind": kind}).fetchall()
    if not found:
        raise ImportFailed(f"{name}: this file has not been loaded into the store as {kind}; "
                           "import it first.")
    return Options.parse(found[0][0])


def _has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $n AND "
                            "temporary", {"n": name}).fetchall()[0][0]
                or con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = $n AND "
                               "temporary", {"n": name}).fetchall()[0][0])


def _fates(con: duckdb.DuckDBPyConnection, result: Reconciliation, rows_read: int) -> None:
    kept = "rows" if _has(con, "rows") else "reg_all"
    skipped = ("SELECT line, sheet, 'skipped: ' || reason AS fate FROM _fates"
               if _has(con, "_fates") else
               "SELECT NULL::BIGINT AS line, NULL::VARCHAR AS sheet, NULL AS fate WHERE false")
    fates = con.execute(
        f"SELECT DISTINCT line, sheet, $kept AS fate FROM {kept} UNION ALL {skipped} "
        "ORDER BY sheet NULLS FIRST, line", {"kept": KEPT}).fetchall()
    result.fates = [(int(line), sheet, fate) for line, sheet, fate in fates]
    seen = [(line, sheet) for line, sheet, _ in result.fates]
    if len(set(seen)) != len(seen):
        result.mismatches.append("some rows are both loaded and skipped")
    if len(set(seen)) != rows_read:
        result.mismatches.append(f"{rows_read:,} rows read but {len(set(seen)):,} accounted for")


def _sen_stored() -> str:
    """The long SEN layout's cells beside what the store holds for them: pupils by need in
    ``sen_needs``, the totals in ``indicators``."""
    need_keys = " AND ".join(f"n.{k} = c.{k}" for k in
                             ("geo_level", "area_code", "time_period", "sen_provision",
                              "primary_need"))
    on = " AND ".join(f"i.{k} = c.{k}" for k in CELL_KEYS)
    return f"""
        SELECT c.line, c.sheet, c.col, c.text, NULL::DOUBLE AS number,
               CASE WHEN c.measure = $need THEN n.pupils ELSE i.value END AS value,
               CASE WHEN c.measure = $need THEN n.symbol ELSE i.symbol END AS symbol,
               CASE WHEN c.measure = $need THEN n.source_id IS NULL
                    ELSE i.source_id IS NULL END AS absent
        FROM sen_cells c
        LEFT JOIN sen_needs n ON c.measure = $need AND {need_keys}
        LEFT JOIN indicators i ON c.measure <> $need AND {on}"""


def _cells(con: duckdb.DuckDBPyConnection, result: Reconciliation, kind: str) -> None:
    if kind == register.KIND:
        result.cells_checked = int(con.execute("SELECT count(*) FROM reg_all").fetchall()[0][0])
        bad = con.execute(
            "SELECT r.line, r.urn FROM reg_all r LEFT JOIN register_history h USING (urn) "
            "WHERE h.urn IS NULL OR h.name IS DISTINCT FROM coalesce(r.name, r.urn) "
            "ORDER BY r.line").fetchall()
        result.mismatches += [f"row {line}: establishment {urn} differs from the store's register"
                              for line, urn in bad]
        return
    if _has(con, "sen_cells"):
        stored = _sen_stored()
        cells = "sen_cells"
        # A kept row whose figure the long SEN layout does not store is a row lost.
        lost = con.execute("SELECT line, sheet FROM rows EXCEPT SELECT line, sheet FROM sen_cells "
                           "ORDER BY ALL").fetchall()
        result.mismatches += [f"{where_row(sheet, line)}: kept, but its figure is not stored"
                              for line, sheet in lost]
    elif _has(con, "cells"):
        on = " AND ".join(f"i.{k} = c.{k}" for k in CELL_KEYS)
        stored = f"SELECT c.*, i.value, i.symbol, i.measure IS NULL AS absent FROM cells c " \
                 f"LEFT JOIN indicators i ON {on}"
        cells = "cells"
    else:
        return
    result.cells_checked = int(con.execute(f"SELECT count(*) FROM {cells}").fetchall()[0][0])
    bad = con.execute(
        f"""
        SELECT c.line, c.sheet, c.col, coalesce(c.text, c.number::VARCHAR), c.value, c.symbol,
               c.absent
        FROM ({stored}) c
        LEFT JOIN _symbols s ON s.raw = lower(trim(c.text))
        WHERE c.absent OR c.symbol IS DISTINCT FROM s.canon
           OR (s.canon IS NULL AND c.value IS DISTINCT FROM
               coalesce(c.number, try_cast(trim(c.text) AS DOUBLE)))
        ORDER BY c.sheet NULLS FIRST, c.line, c.col
        """, {"need": NEED} if cells == "sen_cells" else {}).fetchall()
    # A plain number's text is not kept in ``cells`` (``dfe.stage_rows``): its number stands for it.
    for line, sheet, col, text, value, symbol, absent in bad:
        stored = "no such figure" if absent else repr(symbol if value is None else value)
        result.mismatches.append(f"{where_row(sheet, line)}, column {col}: the file has "
                                 f"{text!r}, the store has {stored}")
