"""Shared fixtures: one demo store (real DuckDB files) per test session, and AppTest helpers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from oep.data import access, auth, pg, records
from oep.data.access import Scope, Viewer
from oep.data.config import load_settings
from oep.data.store import Store
from oep.tools import cluster

if TYPE_CHECKING:  # Streamlit, the demo and the importers load only for the tiers that use them
    from streamlit.testing.v1 import AppTest

UNIT = Path(__file__).resolve().parent / "unit"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
APP = str(Path(__file__).resolve().parent.parent / "app.py")
DEMO_PASSWORD = "oep-demo"
DEMO_USERNAMES = ("officer", "board", "head_member", "senco_member", "head_nonmember", "partner",
                  "supporter")


@pytest.fixture(autouse=True, scope="session")
def _navigation_like_the_server(request: pytest.FixtureRequest) -> Iterator[None]:
    if all(Path(item.path).is_relative_to(UNIT) for item in request.session.items):
        yield  # the unit tier runs no page: it need not load Streamlit
        return
    from oep.present.headless import navigation_only

    # AppTest would run page files without app.py from the second run on (oep.present.headless).
    with navigation_only():
        yield


@dataclass(frozen=True)
class DemoEnv:
    store: Path
    auth: Path
    activity: Path
    orgs: dict[str, str]


def use_env(store: Path, users: Path, activity: Path) -> dict[str, str]:
    """Point the app at these files; returns what to restore."""
    saved = {k: os.environ.get(k, "") for k in ("OEP_DB", "OEP_AUTH_FILE", "OEP_ACTIVITY_DB")}
    os.environ["OEP_DB"] = str(store)
    os.environ["OEP_AUTH_FILE"] = str(users)
    os.environ["OEP_ACTIVITY_DB"] = str(activity)
    return saved


def restore_env(saved: dict[str, str]) -> None:
    for key, value in saved.items():
        if value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoEnv:
    """A default demo store and its demo users, built once per test session."""
    folder = tmp_path_factory.mktemp("demo")
    store, users = folder / "oep.duckdb", folder / "users.yaml"
    from oep.tools.first_run import build_demo

    orgs = build_demo(store, users)
    return DemoEnv(store, users, folder / "oep_activity.duckdb", orgs)


@pytest.fixture()
def demo_env(demo_files: DemoEnv) -> Iterator[DemoEnv]:
    """The session's demo store, with the environment pointing the app at it for one test."""
    saved = use_env(demo_files.store, demo_files.auth, demo_files.activity)
    yield demo_files
    restore_env(saved)


@pytest.fixture()
def app_env(demo_files: DemoEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app on the session's demo store with a fresh activity store of its own; returns it."""
    activity = tmp_path / "activity.duckdb"
    monkeypatch.setenv("OEP_DB", str(demo_files.store))
    monkeypatch.setenv("OEP_AUTH_FILE", str(demo_files.auth))
    monkeypatch.setenv("OEP_ACTIVITY_DB", str(activity))
    return activity


BACKENDS = ("embedded", "postgresql")  # embedded: the DuckDB file and the YAML users file


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL cluster for the whole test session (Debian's packages)."""
    why = cluster.missing()
    if why:
        pytest.skip(f"PostgreSQL backend not tested: {why}")
    with cluster.postgres() as url:
        yield url
        pg.close_pools()


def empty_database(url: str) -> pg.Database:
    """The session's database with every table emptied, so a test starts from nothing."""
    db = pg.Database(url)
    with pg.transaction(db) as tx:
        tx.execute("TRUNCATE audit_log, login_attempts, category_reviews, disengagement_records, "
                   "users")
    return db


def fresh_database(url: str, name: str) -> pg.Database:
    """A new, empty database ``name`` in the cluster of ``url`` (dropped first if there)."""
    import psycopg

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    return pg.Database(url.rsplit("/", 1)[0] + f"/{name}")


@pytest.fixture(params=BACKENDS)
def activity(request: pytest.FixtureRequest, tmp_path: Path) -> records.Activity:
    """An empty activity store: a DuckDB file not yet created, or the PostgreSQL database."""
    if request.param == "embedded":
        return tmp_path / "activity.duckdb"
    return empty_database(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=BACKENDS)
def users_at(request: pytest.FixtureRequest, tmp_path: Path) -> auth.Users:
    """No users yet: a YAML file not yet created, or the PostgreSQL database."""
    if request.param == "embedded":
        return tmp_path / "users.yaml"
    return empty_database(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=BACKENDS)
def app_activity(request: pytest.FixtureRequest, demo_files: DemoEnv, tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> records.Activity:
    """The app on the session's demo store with its own empty activity store and the demo users:
    a DuckDB file and the YAML users file, or both in PostgreSQL (``OEP_ACTIVITY_URL``)."""
    monkeypatch.setenv("OEP_DB", str(demo_files.store))
    if request.param == "embedded":
        users = tmp_path / "users.yaml"
        users.write_bytes(demo_files.auth.read_bytes())
        monkeypatch.setenv("OEP_AUTH_FILE", str(users))
        monkeypatch.setenv("OEP_ACTIVITY_DB", str(tmp_path / "activity.duckdb"))
        monkeypatch.delenv(pg.URL_VARIABLE, raising=False)
        return tmp_path / "activity.duckdb"
    db = empty_database(request.getfixturevalue("postgres_url"))
    auth.write_demo_users(db, demo_files.orgs)
    monkeypatch.setenv(pg.URL_VARIABLE, db.url)
    return db


def new_app() -> AppTest:
    from oep.present import headless

    return headless.app(Path(APP), timeout=90)


def log_in(at: AppTest, username: str, password: str = DEMO_PASSWORD) -> AppTest:
    """Fill the sidebar login form and submit it (both inputs first, then one run)."""
    at.run()
    inputs = at.sidebar.text_input
    inputs[0].input(username)
    inputs[1].input(password)
    next(b for b in at.sidebar.button if b.label == "Log in").click()
    at.run()
    return at


def school_names(env: DemoEnv) -> dict[str, str]:
    """Every school in the store, URN -> name, read straight from the register."""
    con = duckdb.connect(str(env.store), read_only=True)
    try:
        return dict(con.execute("SELECT urn, name FROM establishments").fetchall())
    finally:
        con.close()


@pytest.fixture()
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Captures what every download button would hand the browser when clicked."""
    captured: list[bytes] = []
    import streamlit

    original = streamlit.download_button

    def spy(label, data=None, *args, **kwargs):  # noqa: ANN001, ANN202
        content = data() if callable(data) else data
        captured.append(content if isinstance(content, bytes) else str(content).encode())
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", spy)
    return captured


def page_payload(at: AppTest) -> bytes:
    """Every byte the page sent: text, tables (Arrow), chart JSON, widget options. A download
    button's deferred file id is left out: a random handle, new on every run, that holds no
    data (the file is made only when clicked)."""
    parts = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        if node.type == "download_button":
            proto = type(proto).FromString(proto.SerializeToString())
            proto.ClearField("deferred_file_id")
        parts.append(proto.SerializeToString())
    return b"\n".join(parts)


@pytest.fixture(scope="session")
def registered_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding only the fixture register (10 open Oldham schools), built once."""
    db = tmp_path_factory.mktemp("register") / "oep.duckdb"
    from oep.data.importers import import_file

    import_file(FIXTURES / "importers" / "gias_oldham.csv", db=db, user="tests")
    return db


@pytest.fixture()
def store(registered_store: Path, tmp_path: Path) -> Path:
    """A private copy of the registered store for one test."""
    db = tmp_path / "oep.duckdb"
    shutil.copyfile(registered_store, db)
    return db


def import_cli(path: Path, db: Path, *, kind: str | None = None, user: str = "cli",
               fresh: bool = False) -> int:
    """``python -m oep import`` with these arguments; its exit status."""
    from oep.tools import cli

    return cli.main(["import", str(path), "--db", str(db), "--as", user,
                     *(["--kind", kind] if kind else []), *(["--fresh"] if fresh else [])])


def access_scope(store: Store, viewer: Viewer, on: date | None = None) -> Scope:
    """``access.scope_for`` with the shipped settings' suppression threshold."""
    return access.scope_for(store, viewer, on, min_count=load_settings().suppression_min_count)


def read_at_start(module: str, name: str,
                  env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """What a new process with only ``env`` set has as ``module.name`` once imported (printed),
    or its refusal (on stderr): for settings read from the environment at import."""
    return subprocess.run(
        [sys.executable, "-c", f"import {module}; print({module}.{name})"],
        check=False, cwd=Path(APP).parent, env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True, text=True, timeout=120)
