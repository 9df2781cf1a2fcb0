"""The activity store itself, on both backends: claims that cannot pass the lockout together, the
audit log's order, and PostgreSQL's versioned migrations."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import psycopg
import pytest

from oep.data import admin, pg, records
from oep.data.access import Kind, Scope, Viewer
from tests.conftest import fresh_database

OFFICER = Scope(viewer=Viewer("officer", "Officer", "la_officer", "LA"), kind=Kind.LA,
                urns=frozenset(), public_urns=frozenset())


def test_parallel_claims_never_pass_the_limit(activity: records.Activity) -> None:
    # Straight to the store, past auth's per-process lock: as replicas would claim at once.
    claims = records.LOCKOUT_ATTEMPTS * 3
    start = threading.Barrier(claims)
    granted: list[bool] = []

    def claim() -> None:
        start.wait()
        granted.append(records.claim_login_attempt(activity, "head_member", None))

    threads = [threading.Thread(target=claim) for _ in range(claims)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(True) == records.LOCKOUT_ATTEMPTS
    counted = records.read(activity, "SELECT count(*) AS n FROM login_attempts")["n"][0]
    assert counted == records.LOCKOUT_ATTEMPTS


def test_a_success_starts_the_count_again(activity: records.Activity) -> None:
    for _ in range(records.LOCKOUT_ATTEMPTS - 1):
        assert records.claim_login_attempt(activity, "board", None)
    records.record_login_success(activity, "board", None)
    for _ in range(records.LOCKOUT_ATTEMPTS):
        assert records.claim_login_attempt(activity, "board", None)
    assert not records.claim_login_attempt(activity, "board", None)


def test_a_read_given_a_schema_comes_back_in_its_types(activity: records.Activity) -> None:
    with records.activity(activity) as con:
        con.execute("INSERT INTO disengagement_records VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ["100001", datetime(2025, 1, 6).date(), 2, "e", "", "officer",
                     datetime(2025, 1, 6, 9, 30)])
    schema = {"urn": pl.String, "level": pl.Int64, "recorded_at": pl.Datetime("ms")}
    frame = records.read(activity, "SELECT urn, level, recorded_at FROM disengagement_records",
                         schema=schema)
    assert frame.schema == pl.Schema(schema)
    assert frame.row(0) == ("100001", 2, datetime(2025, 1, 6, 9, 30))


def test_an_unchanged_file_gives_back_the_same_typed_frame(tmp_path: Path) -> None:
    # The pages' tables are memoised on the frame read: that needs the typed frame itself kept,
    # not a fresh cast of a kept result on every rerun.
    path = tmp_path / "activity.duckdb"
    records.audit(path, "someone", "login", "success")
    sql, schema = "SELECT username, occurred_at FROM audit_log", {"occurred_at": pl.Date}
    first = records.read(path, sql, schema=schema)
    assert first.schema["occurred_at"] == pl.Date
    assert records.read(path, sql, schema=schema) is first
    assert records.read(path, sql).schema["occurred_at"] == pl.Datetime("us")
    records.audit(path, "another", "login", "success")
    assert records.read(path, sql, schema=schema)["username"].to_list() == ["someone", "another"]


def test_a_history_unchanged_by_a_login_is_the_frame_already_held(
        activity: records.Activity) -> None:
    # Every login writes the audit log; the pages' tables (and each open page's copy for the
    # browser) are memoised on the history frame, so an unchanged history must be the same object.
    sql = "SELECT urn, level FROM disengagement_records"
    first = records.read(activity, sql)
    records.audit(activity, "someone", "login", "success")
    assert records.read(activity, sql) is first
    with records.activity(activity) as con:
        con.execute("INSERT INTO disengagement_records VALUES (?, ?, ?, ?, ?, ?, ?)",
                    ["100001", datetime(2025, 1, 6).date(), 2, "e", "", "officer",
                     datetime(2025, 1, 6, 9, 30)])
    changed = records.read(activity, sql)
    assert changed is not first
    assert changed["urn"].to_list() == ["100001"]
    records.audit(activity, "another", "login", "success")
    assert records.read(activity, sql) is changed


def test_a_login_does_not_make_a_history_be_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Thirty people logging in write thirty login records; the review and disengagement
    histories they leave unchanged are not read from the file again, and the audit log is."""
    path = tmp_path / "activity.duckdb"
    records.audit(path, "officer", "login", "success")
    histories = ("SELECT urn FROM category_reviews", "SELECT urn FROM disengagement_records")
    for sql in histories:
        records.read(path, sql)
    records.read(path, "SELECT event FROM audit_log")
    opened: list[Path] = []
    connect = records._connect
    monkeypatch.setattr(records, "_connect", lambda p: opened.append(p) or connect(p))
    assert records.claim_login_attempt(path, "board", "10.0.0.1")
    records.record_login_success(path, "board", "10.0.0.1")
    records.audit(path, "board", "download", "overview.csv")
    writes = len(opened)
    for sql in histories:
        assert records.read(path, sql).is_empty()
    assert len(opened) == writes, "a history was read again after logins"
    assert records.read(path, "SELECT event FROM audit_log")["event"].to_list() == [
        "login", "login", "download"]
    assert len(opened) == writes + 1


def test_schools_picked_one_after_another_are_cut_from_one_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At a meeting everyone picks a different school: their histories come from one read of
    the viewer's schools' rows, and each is that school's rows only (none for a school the viewer
    may not see)."""
    path = tmp_path / "activity.duckdb"
    with records.activity(path) as con:
        for urn, level in (("100001", 2), ("100002", 3), ("100003", 4)):
            con.execute("INSERT INTO disengagement_records VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [urn, datetime(2025, 1, 6).date(), level, "e", "", "officer",
                         datetime(2025, 1, 6, 9, 30)])
    sql = ("SELECT urn, level FROM disengagement_records "
           "WHERE urn IN (SELECT unnest(CAST(? AS VARCHAR[]))) ORDER BY urn")
    schema = {"urn": pl.String, "level": pl.Int32}
    visible = frozenset({"100001", "100002"})
    opened: list[Path] = []
    connect = records._connect
    monkeypatch.setattr(records, "_connect", lambda p: opened.append(p) or connect(p))
    one = records.read_schools(path, sql, visible, "100001", schema=schema)
    assert one.rows() == [("100001", 2)]
    assert records.read_schools(path, sql, visible, "100002", schema=schema).rows() == [
        ("100002", 3)]
    assert records.read_schools(path, sql, visible, "100003", schema=schema).is_empty()
    assert records.read_schools(path, sql, visible, None, schema=schema)["urn"].to_list() == [
        "100001", "100002"]
    assert len(opened) == 1
    assert records.read_schools(path, sql, visible, "100001", schema=schema) is one


def test_a_write_by_another_process_is_read_whatever_tables_it_wrote(tmp_path: Path) -> None:
    """This process counts its own writes per table; a change it did not make (the CLI's, or
    another program's) makes every table be read again."""
    path = tmp_path / "activity.duckdb"
    records.audit(path, "officer", "login", "success")
    sql = "SELECT urn FROM category_reviews"
    assert records.read(path, sql).is_empty()
    script = (
        "import datetime, sys\n"
        "from pathlib import Path\n"
        "from oep.data import records\n"
        "with records.activity(Path(sys.argv[1])) as con:\n"
        "    con.execute('INSERT INTO category_reviews VALUES (?, ?, ?, ?, ?, ?, ?)', "
        "['100001', datetime.date(2025, 1, 6), 'Targeted', None, 'r', 'officer', "
        "datetime.datetime(2025, 1, 6, 9, 30)])\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=120,
                   cwd=Path(__file__).resolve().parents[2])
    assert records.read(path, sql)["urn"].to_list() == ["100001"]
    records.audit(path, "officer", "logout", "")
    assert records.read(path, sql)["urn"].to_list() == ["100001"]


def test_the_command_line_writes_while_the_app_writes_without_pause(tmp_path: Path) -> None:
    """The app keeps the file open for a moment after each use; another process (the CLI)
    finding it held says so, and is let in even while the app keeps writing."""
    path = tmp_path / "activity.duckdb"
    records.audit(path, "officer", "login", "success")
    stop = threading.Event()

    def app_writing() -> None:
        while not stop.is_set():
            records.audit(path, "someone", "download", "overview.csv")
            time.sleep(0.05)

    writer = threading.Thread(target=app_writing)
    writer.start()
    try:
        script = ("import sys\nfrom pathlib import Path\nfrom oep.data import records\n"
                  "records.audit(Path(sys.argv[1]), 'cli', 'user_added', 'someone')\n")
        ran = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                             check=False, text=True, timeout=120,
                             cwd=Path(__file__).resolve().parents[2])
    finally:
        stop.set()
        writer.join()
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "user_added" in records.read(path, "SELECT event FROM audit_log")["event"].to_list()


def test_the_audit_log_reads_newest_first(activity: records.Activity) -> None:
    for event in ("login", "download", "logout"):
        records.audit(activity, "board", event, "")
    assert admin.audit_log(activity, OFFICER)["What"].to_list() == ["logout", "download", "login"]


def test_postgres_orders_the_audit_log_as_written_whatever_a_replica_clock_says(
        postgres_url: str) -> None:
    db = pg.Database(postgres_url)
    records.audit(db, "board", "first", "")
    with records.activity(db) as con:  # a replica whose clock is an hour behind writes next
        con.execute("INSERT INTO audit_log (occurred_at, username, event) VALUES (?, ?, ?)",
                    [datetime.now() - timedelta(hours=1), "board", "second"])
    records.audit(db, "board", "third", "")
    assert admin.audit_log(db, OFFICER)["What"].to_list()[:3] == ["third", "second", "first"]


@pytest.fixture()
def new_database(postgres_url: str) -> Iterator[pg.Database]:
    """A database of its own, not yet migrated."""
    yield fresh_database(postgres_url, "migrations_test")
    pg.close_pools()


def test_migrations_bring_an_older_database_forward_keeping_its_rows(
        new_database: pg.Database) -> None:
    with psycopg.connect(new_database.url) as con:
        con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                    "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        con.execute(pg.MIGRATIONS[0])
        con.execute("INSERT INTO schema_migrations (version) VALUES (1)")
        con.execute("INSERT INTO audit_log VALUES (now(), 'board', 'login', 'before')")
    records.audit(new_database, "board", "login", "after")  # the first use migrates
    rows = records.read(new_database, "SELECT detail FROM audit_log ORDER BY seq")
    assert rows["detail"].to_list() == ["before", "after"]
    versions = records.read(new_database, "SELECT version FROM schema_migrations ORDER BY 1")
    assert versions["version"].to_list() == list(range(1, len(pg.MIGRATIONS) + 1))


def test_replicas_starting_together_apply_each_migration_once(
        new_database: pg.Database) -> None:
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def start_replica() -> None:
        try:
            with psycopg.connect(new_database.url) as con:
                start.wait()
                pg.migrate(con)
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=start_replica) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    versions = records.read(new_database, "SELECT version FROM schema_migrations ORDER BY 1")
    assert versions["version"].to_list() == list(range(1, len(pg.MIGRATIONS) + 1))


def test_a_url_that_is_not_postgresql_is_refused_clearly(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pg.URL_VARIABLE, "mysql://somewhere/oep")
    with pytest.raises(ValueError, match="must be a postgresql:// URL"):
        pg.configured()


def test_the_database_is_named_without_its_password() -> None:
    database = pg.Database("postgresql://oep:s3cret@db.example.internal:5433/oep")
    for shown in (str(database), repr(database)):
        assert "s3cret" not in shown
        assert "db.example.internal:5433" in shown
