"""Loading real published data into the store: DfE open-data files and the partnership register.

Kinds (one module each; the module docstrings give the detection rule and mapping):

============= ===================================================================================
kind          file
============= ===================================================================================
register      GIAS register of establishments -> ``establishments`` (+ ``ofsted_inspections``,
              ``register_history``)
links         GIAS links between establishments (predecessors) -> ``establishment_links``
absence       DfE pupil absence, wide or long shape, full year or termly -> ``indicators``
attendance    DfE daily attendance data, year to date or weekly -> ``indicators`` ('Year to date',
              'Week 37')
sen           DfE special educational needs, school (long) or LA level -> ``indicators``,
              ``sen_needs``
ehcp          DfE EHC plans (SEN2), 20-week timeliness -> ``indicators``
suspensions   DfE suspensions and permanent exclusions -> ``indicators``
ofsted        Ofsted inspection outcomes -> ``ofsted_inspections``
partnership   the partnership's own register (CSV or Excel) -> ``partnership_members``,
              ``support_links``, ``strategic_partners``
============= ===================================================================================

Every import reads the file set-wise with DuckDB, validates it (problems name the file, rows and
columns), and writes through ``oep.data.store.rebuilding``: a copy of the store swapped in only when
the whole load succeeded, so a failed import leaves the store byte-for-byte as it was and readers
never see half of one. A file whose SHA-256 is already recorded for the same kind and options is
skipped (loading it twice changes nothing); loaded with other options, or before the register last
changed, its new load replaces the earlier one (``Options``). Each import accounts for every row of
the file: kept, or skipped for a reason (``ImportPreview.skipped``; ``reconcile`` checks it). A
corrected re-issue replaces what it covers: each indicator row replaces the stored row with the same
area, period, phase, pupil group and measure (phase and pupil group are part of the key so that the
DfE's separate files by phase and by characteristic for one period do not erase each other); a newer
period adds to the series. The register and the partnership register are snapshots and replace their
tables. Each load is recorded in ``sources``.

Row numbers in messages are those a user sees opening the file: the header is row 1.

A store never mixes demo and real data: while the store holds the synthetic demo, every import is
refused - even published comparator rows, since the demo is meant to show nothing real. The way out
is to import the register with ``start_fresh=True``, which builds a new store holding only that
register (``is_demo`` false, ``la_code`` set); the other kinds follow into it.
"""

from __future__ import annotations

import json
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType

import duckdb
import polars as pl

from oep.data import catalogue
from oep.data.config import load_settings
from oep.data.importers import (
    absence,
    attendance,
    ehcp,
    links,
    ofsted,
    partnership,
    register,
    sen,
    suspensions,
)
from oep.data.importers.checks import ImportFailed, quote
from oep.data.vocabulary import FILE_PHASES, canonical_phase, canonical_pupil_group
from oep.data.importers.reading import UTF8, XLSX, SourceFile, open_source, peek_source
from oep.data.importers.staging import Progress, Staging, apply, replaced_rows, staged_rows
from oep.data.schema import DDL, PART_DDL, PART_TABLES
from oep.data.store import add_source, drop_sources, rebuilding
from oep.data.store import connect as connect_store

__all__ = [
    "FILE_PHASES", "KINDS", "ImportFailed", "ImportPreview", "ImportReport", "detect_kind",
    "import_file", "preview_import",
]

KINDS = ("register", "links", "absence", "attendance", "sen", "ehcp", "suspensions", "ofsted",
         "partnership")
MODULES: dict[str, ModuleType] = {
    m.KIND: m for m in (register, links, absence, attendance, sen, ehcp, suspensions, ofsted,
                        partnership)
}
# Detection order: the specific layouts first (a register also has a URN column, an attendance
# file also has enrolments...).
DETECTION_ORDER = ("register", "links", "partnership", "ofsted", "ehcp", "sen", "suspensions",
                   "attendance", "absence")
UNKNOWN_SCHOOLS = ("skip", "load")
SAMPLE_ROWS = 20
DEMO_REFUSAL = (
    "this store holds the synthetic demo, and a store never mixes demo and real data. Start a "
    "fresh store by importing the register of establishments with 'start a fresh store' "
    "(start_fresh; on the command line --fresh); then import the other files into it."
)
# One import at a time per process: ``rebuilding`` names its copy after the process, and two
# imports working on copies of the same store would each drop the other's rows.
_LOCK = threading.Lock()


@dataclass
class ImportPreview:
    """What an import of the file would change (nothing is written to make it)."""

    kind: str
    file_name: str
    rows_read: int
    rows_to_load: int
    replaces_rows: int
    periods: list[str]
    geo_levels: list[str]
    unknown_schools: list[str]
    warnings: list[str]
    sample: pl.DataFrame
    skipped: dict[str, int] = field(default_factory=dict)
    """Rows of the file left out, by reason."""

    def accounting(self) -> str:
        """Every published row's fate in one line: read = kept + skipped per reason."""
        left_out = sum(self.skipped.values())
        text = (f"Rows of the file: {self.rows_read:,} read, {self.rows_read - left_out:,} "
                f"kept, {left_out:,} skipped")
        if not self.skipped:
            return text + "."
        reasons = "; ".join(f"{n:,} for {why}" for why, n in self.skipped.items())
        return f"{text} ({reasons})."


@dataclass
class ImportReport(ImportPreview):
    """What an import changed."""

    source_id: int | None = None
    skipped_as_duplicate: bool = False


@dataclass(frozen=True)
class Options:
    """What an import is asked besides the file: part of what was loaded, so the same file loaded
    with other options replaces that load rather than being skipped as already loaded."""

    unknown_schools: str = "skip"
    phase: str | None = None
    pupil_group: str | None = None

    @classmethod
    def parse(cls, text: str) -> Options:
        """The options recorded as ``text`` (see ``text``)."""
        given = dict(part.split("=", 1) for part in text.split("; ") if part)
        return cls(given.get("unknown_schools", "skip"), given.get("phase"),
                   given.get("pupil_group"))

    def text(self) -> str:
        """As recorded in ``sources.options`` ('' for the defaults)."""
        given = {"phase": self.phase, "pupil_group": self.pupil_group,
                 "unknown_schools": None if self.unknown_schools == "skip" else
                 self.unknown_schools}
        return "; ".join(f"{k}={v}" for k, v in given.items() if v is not None)


@dataclass(frozen=True)
class _StoreFacts:
    exists: bool = False
    is_demo: bool = False
    duplicate: tuple[int, datetime] | None = None
    """(source_id, loaded_at) of an earlier load of the same file, kind and options."""
    other_options: tuple[tuple[int, str], ...] = ()
    """(source_id, options) of earlier loads of the same file and kind with other options."""


@dataclass
class _Outcome:
    rows_to_load: int = 0
    replaces_rows: int = 0
    sample: pl.DataFrame = field(default_factory=pl.DataFrame)


def detect_kind(path: Path) -> str:
    """The kind of file ``path`` is, from its header; ImportFailed if it is none of KINDS."""
    source = peek_source(path, path.name)
    kind = _detect(source)
    if kind is None:
        raise _unrecognised(source)
    return kind


def preview_import(path: Path, *, db: Path, kind: str | None = None,
                   unknown_schools: str = "skip", start_fresh: bool = False,
                   original_name: str | None = None, phase: str | None = None,
                   pupil_group: str | None = None) -> ImportPreview:
    """Read and validate the file and work out what importing it would change; writes nothing.

    Raises ImportFailed for a file that would be refused, with the same message as the import.
    A register for a demo store is previewed as the fresh store it would start.
    """
    options = _options(unknown_schools, phase, pupil_group)
    name = original_name or path.name
    with tempfile.TemporaryDirectory(prefix="oep-import-") as work:
        source = open_source(path, name, Path(work))
        kind = _resolve_kind(source, kind)
        facts = _peek_store(db, source.sha256, kind, options)
        notes = []
        if facts.is_demo and kind == register.KIND and not start_fresh:
            notes.append("This store holds the synthetic demo: importing this register starts a "
                         "fresh store (start_fresh) holding only real data.")
            start_fresh = True
        _check_policy(facts, kind, start_fresh, name)
        con = _read_only_view(db if facts.exists and not start_fresh else None)
        try:
            staging = _stage(con, source, kind, options, lambda message, done: None)
            outcome = _outcome(con, staging)
            if not start_fresh:
                outcome.replaces_rows += _rows_of_sources(
                    con, [i for i, _ in facts.other_options])
        finally:
            con.close()
    if facts.duplicate and not start_fresh:
        notes.append(_already_loaded(facts.duplicate) + ": importing it again changes nothing.")
        outcome.rows_to_load = outcome.replaces_rows = 0
    elif facts.other_options and not start_fresh:
        notes.append(_replaces_other_options(facts.other_options))
    return ImportPreview(kind, name, staging.rows_read, outcome.rows_to_load, outcome.replaces_rows,
                         staging.periods, staging.geo_levels, staging.unknown,
                         [*notes, *staging.warnings], outcome.sample, dict(staging.skipped))


def import_file(path: Path, *, db: Path, kind: str | None = None, user: str = "cli",
                unknown_schools: str = "skip", progress: Progress | None = None,
                original_name: str | None = None, start_fresh: bool = False,
                phase: str | None = None, pupil_group: str | None = None) -> ImportReport:
    """Load the file into the store at ``db`` (all or nothing) and record the load.

    ``kind``: detected from the header when None; given wrongly, an error says what the file looks
    like. ``unknown_schools``: "skip" or "load" rows for schools not in the register.
    ``progress(message, fraction)`` is told how far the import has gone. ``original_name``: the
    name to record (an uploaded file lives under a temporary name). ``start_fresh``: the register
    builds a new store instead of updating this one (the way out of a demo store). ``phase``: the
    phase a comparator file without a phase column describes (e.g. a pupil referral unit file);
    without it such figures are stored as all schools ('Total'). ``pupil_group``: the group every
    row of a file without a breakdown describes (e.g. 'Aged 4'). Options are part of the load: the
    same file imported again with other options replaces its earlier load.
    """
    options = _options(unknown_schools, phase, pupil_group)
    say: Progress = progress or (lambda message, done: None)
    name = original_name or path.name
    say(f"Opening {name}", 0.0)
    with tempfile.TemporaryDirectory(prefix="oep-import-") as work:
        source = open_source(path, name, Path(work))
        kind = _resolve_kind(source, kind)
        with _LOCK:
            report = _import(source, kind, db=db, user=user, options=options, say=say,
                             start_fresh=start_fresh)
    say("Done", 1.0)
    return report


def _import(source: SourceFile, kind: str, *, db: Path, user: str, options: Options,
            say: Progress, start_fresh: bool) -> ImportReport:
    """The import proper, from checking the store to swapping in its new version."""
    facts = _peek_store(db, source.sha256, kind, options)
    _check_policy(facts, kind, start_fresh, source.name)
    if facts.duplicate and not start_fresh:
        return _duplicate_report(kind, source.name, facts.duplicate)
    with rebuilding(db, fresh=start_fresh) as con:
        staging = _stage(con, source, kind, options, say)
        say("Writing to the store", 0.8)
        outcome = _Outcome(sample=_sample(con, staging))
        if facts.other_options and not start_fresh:
            outcome.replaces_rows += _drop_sources(con, [i for i, _ in facts.other_options])
            staging.warnings.insert(0, _replaces_other_options(facts.other_options))
        source_id = add_source(con, kind=kind, file_name=source.name, sha256=source.sha256,
                               rows=0, loaded_by=user, options=options.text(),
                               symbol_meanings=json.dumps(staging.symbol_meanings, sort_keys=True)
                               if staging.symbol_meanings else None)
        for plan in staging.plans:
            deleted, inserted = apply(con, plan, source_id)
            outcome.replaces_rows += deleted
            outcome.rows_to_load += inserted
        # The source is recorded before its rows (they carry its id); its count comes after.
        con.execute("UPDATE sources SET rows = $rows WHERE source_id = $id",
                    {"rows": outcome.rows_to_load, "id": source_id})
        _update_meta(con, kind, new_store=start_fresh or not facts.exists)
        say("Saving the store", 0.9)
    return ImportReport(kind, source.name, staging.rows_read, outcome.rows_to_load,
                        outcome.replaces_rows, staging.periods, staging.geo_levels,
                        staging.unknown, staging.warnings, outcome.sample, dict(staging.skipped),
                        source_id=source_id)


# --- steps -----------------------------------------------------------------------------------
def _options(unknown_schools: str, phase: str | None, pupil_group: str | None) -> Options:
    """The import's options checked and in the store's vocabulary ('Pupil Referral Unit' and
    'Pupil referral unit' are one phase)."""
    if unknown_schools not in UNKNOWN_SCHOOLS:
        raise ValueError(f"unknown_schools must be one of {UNKNOWN_SCHOOLS}, "
                         f"not {unknown_schools!r}")
    canon_phase = None if phase is None else canonical_phase(phase)
    if phase is not None and canon_phase not in FILE_PHASES:
        raise ImportFailed(f"phase must be one of {', '.join(FILE_PHASES)}, not {phase!r}.")
    group = None if pupil_group is None else canonical_pupil_group(pupil_group)
    if pupil_group is not None and group is None:
        raise ImportFailed(
            f"pupil group {pupil_group!r} is not one the store knows: give a characteristic "
            "(SEN support, EHC plan, No SEN, FSM eligible), an age ('Aged 4') or a year group "
            "('Year 4').")
    return Options(unknown_schools, canon_phase, group)


def _detect(source: SourceFile) -> str | None:
    _refuse_lookalikes(source)
    return next((k for k in DETECTION_ORDER if MODULES[k].detect(source)), None)


def _refuse_lookalikes(source: SourceFile) -> None:
    """Files that resemble a kind but must not be loaded as it, with the reason."""
    if source.has("col_name", "col_type", "label"):
        raise ImportFailed(
            f"{source.name}: this is a .meta.csv companion file (it describes the columns of a "
            "data file); import the data file it accompanies instead.")
    if source.has("time_period", "social_care_group"):
        raise ImportFailed(
            f"{source.name}: this holds figures for children in need by social care group "
            "(social_care_group), not for all pupils; the store keeps SEN figures for the whole "
            "school population, so it is not imported.")


def _unrecognised(source: SourceFile) -> ImportFailed:
    columns = list(source.columns.values())
    shown = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    return ImportFailed(
        f"{source.name}: not a kind of file this dashboard imports ({', '.join(KINDS)}): its "
        f"header matches none of them. Columns found: {shown or '(none)'}.")


def _resolve_kind(source: SourceFile, requested: str | None) -> str:
    detected = _detect(source)
    if requested is None:
        if detected is None:
            raise _unrecognised(source)
        return detected
    if requested not in KINDS:
        raise ImportFailed(f"unknown kind {requested!r}: expected one of {', '.join(KINDS)}.")
    if detected is not None and detected != requested:
        raise ImportFailed(f"{source.name}: file looks like {MODULES[detected].LABEL}, "
                           f"not {requested}.")
    return requested


def _peek_store(db: Path, sha256: str, kind: str, options: Options) -> _StoreFacts:
    """What the store holds that decides the import, read without writing a byte."""
    if not db.exists():
        return _StoreFacts()
    con = _read_only_view(db)
    try:
        demo = con.execute("SELECT value FROM store_meta WHERE key = 'is_demo'").fetchall()
        # A store written before options were recorded has loads with the default options.
        recorded = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE database_name = 'store' "
            "AND table_name = 'sources' AND column_name = 'options'").fetchall()[0][0]
        given = "coalesce(options, '')" if recorded else "''"
        earlier = con.execute(
            f"SELECT source_id, loaded_at, {given} FROM sources WHERE sha256 = $sha "
            "AND kind = $kind ORDER BY source_id", {"sha": sha256, "kind": kind}).fetchall()
        # Schools are matched through the register: a load older than the register (or its
        # links) is read again, so rows it could not place then reach their school now.
        register_at = con.execute(
            "SELECT coalesce(max(source_id), 0) FROM sources WHERE kind IN ($register, $links)",
            {"register": register.KIND, "links": links.KIND}).fetchall()[0][0]
    finally:
        con.close()
    current = kind in (register.KIND, links.KIND)
    same = [(int(i), at) for i, at, text in earlier
            if text == options.text() and (current or i > register_at)]
    return _StoreFacts(True, bool(demo) and demo[0][0] == "true", same[0] if same else None,
                       tuple((int(i), text) for i, at, text in earlier
                             if (int(i), at) not in same))


def _read_only_view(db: Path | None) -> duckdb.DuckDBPyConnection:
    """An in-memory connection seeing the store's tables read-only (or empty ones).

    ATTACH opens the file afresh, so it sees a store swapped in since this process last opened
    it (a plain connect to the same path would reuse the process's cached, older database).
    """
    con = duckdb.connect() if db is None else connect_store(db)
    con.execute("USE memory")
    con.execute(DDL)
    con.execute(PART_DDL)
    if db is not None:
        con.execute("USE store")
        # A store written before a table existed reads as having it empty (an import's new
        # version gets it for real: ``rebuilding`` runs the DDL).
        missing = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'memory' EXCEPT "
            "(SELECT table_name FROM duckdb_tables() WHERE database_name = 'store' UNION ALL "
            "SELECT view_name FROM duckdb_views() WHERE database_name = 'store')").fetchall()
        for (table,) in missing:
            con.execute(f"CREATE TEMP TABLE {quote(table)} AS SELECT * FROM memory.main."
                        f"{quote(table)}")
    return con


def _check_policy(facts: _StoreFacts, kind: str, start_fresh: bool, name: str) -> None:
    if start_fresh and kind != register.KIND:
        raise ImportFailed(f"{name}: a fresh store starts from the register of establishments; "
                           f"import the register with start_fresh, then this {kind} file.")
    if facts.is_demo and not start_fresh:
        raise ImportFailed(f"{name}: not loaded: {DEMO_REFUSAL}")


def _stage(con: duckdb.DuckDBPyConnection, source: SourceFile, kind: str, options: Options,
           progress: Progress) -> Staging:
    # DuckDB's own progress bar would scribble over the CLI's.
    con.execute("SET enable_progress_bar = false")
    staging = Staging(con, source, load_settings().la_code, options.unknown_schools, progress,
                      phase=options.phase, pupil_group=options.pupil_group)
    if source.encoding not in (UTF8, XLSX):
        staging.warnings.append(f"The file is not UTF-8: read as {source.encoding}.")
    MODULES[kind].stage(staging)
    staging.problems.raise_if_any()
    return staging


def _outcome(con: duckdb.DuckDBPyConnection, staging: Staging) -> _Outcome:
    """What loading the staged plans would change (for a preview)."""
    outcome = _Outcome(sample=_sample(con, staging))
    for plan in staging.plans:
        outcome.rows_to_load += staged_rows(con, plan)
        outcome.replaces_rows += replaced_rows(con, plan)
    return outcome


def _sample(con: duckdb.DuckDBPyConnection, staging: Staging) -> pl.DataFrame:
    """A few of the rows the file gives its main table (not necessarily its first: staged rows
    are written in no particular order)."""
    if not staging.plans:
        return pl.DataFrame()
    return con.sql(f"SELECT * FROM {quote(staging.plans[0].staged)} LIMIT $n",
                   params={"n": SAMPLE_ROWS}).pl()


def _update_meta(con: duckdb.DuckDBPyConnection, kind: str, *, new_store: bool) -> None:
    """A register (or the first load of a new store) makes the store real and sets its LA."""
    if kind == register.KIND or new_store:
        con.executemany("INSERT OR REPLACE INTO store_meta VALUES (?, ?)",
                        [["is_demo", "false"], ["la_code", load_settings().la_code]])


# Every table whose rows carry the load they came from.
SOURCED_TABLES = ("establishments", "register_history", "establishment_links",
                  "partnership_members", "support_links", "strategic_partners",
                  "school_judgements", "ofsted_inspections", "indicators", "sen_needs")


def _rows_of_sources(con: duckdb.DuckDBPyConnection, source_ids: list[int]) -> int:
    return sum(int(con.execute(f"SELECT count(*) FROM {quote(t)} WHERE list_contains($ids, "
                               "source_id)", {"ids": source_ids}).fetchall()[0][0])
               for t in SOURCED_TABLES)


def _drop_sources(con: duckdb.DuckDBPyConnection, source_ids: list[int]) -> int:
    """Remove earlier loads (their rows and their ``sources`` entries); returns rows removed."""
    removed = drop_sources(con, source_ids)
    for table in SOURCED_TABLES:
        if table not in PART_TABLES:
            removed += con.execute(f"DELETE FROM {quote(table)} WHERE list_contains($ids, "
                                   "source_id)", {"ids": source_ids}).fetchall()[0][0]
    con.execute("DELETE FROM sources WHERE list_contains($ids, source_id)", {"ids": source_ids})
    catalogue.forget_sources(con, source_ids)
    return removed


def _replaces_other_options(earlier: tuple[tuple[int, str], ...]) -> str:
    loads = ", ".join(f"source {i} ({text or 'default options'})" for i, text in earlier)
    return (f"This file was loaded before, with other options or before the register last "
            f"changed: this load replaces {loads}.")


def _duplicate_report(kind: str, name: str, earlier: tuple[int, datetime]) -> ImportReport:
    note = _already_loaded(earlier) + "; nothing changed."
    return ImportReport(kind, name, 0, 0, 0, [], [], [], [note], pl.DataFrame(),
                        source_id=earlier[0], skipped_as_duplicate=True)


def _already_loaded(earlier: tuple[int, datetime]) -> str:
    source_id, loaded_at = earlier
    return f"This file was already loaded (source {source_id}, {loaded_at:%Y-%m-%d %H:%M})"
