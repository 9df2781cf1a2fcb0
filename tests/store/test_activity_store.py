"""The activity store itself, on both backends: claims that cannot pass the lockout together, the
audit log's order, and PostgreSQL's versioned migrations."""

from __future__ import annotations

import threading
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
