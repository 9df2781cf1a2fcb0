"""Two app replicas behind nginx, sharing PostgreSQL: the README's "Running for more than one
partnership or machine" commands, run here with throw-away PostgreSQL and nginx (Debian's
packages; scripts/test.sh installs them) on free loopback ports.

Everything is checked through the proxy, the way browsers reach it (Streamlit's websocket,
``oep.tools.loadtest``): a login holds on one replica; failures on both count towards one lockout; a
disabled user is refused on both; a review recorded on one is seen on the other; two imports at
once while both serve lose nothing.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from oep.data import auth, pg, records
from oep.tools import cluster, loadtest
from tests.conftest import FIXTURES, fresh_database

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "replicas-test-password"

pytestmark = pytest.mark.skipif(
    cluster.missing() is not None,
    reason=f"no replicas without PostgreSQL and nginx: {cluster.missing()} "
           "(scripts/test.sh installs both with apt-get)",
)


@dataclass(frozen=True)
class Deployment:
    port: int  # nginx's
    db: pg.Database
    store: Path
    env: dict[str, str]  # what the README's commands run with
    routes: dict[str, str]  # replica address -> a route cookie that reaches it


def _oep(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "oep", *args], input=stdin, text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=300)


def _routes(port: int) -> dict[str, str]:
    """A route cookie for each replica, found by asking nginx which replica answers it."""
    routes: dict[str, str] = {}
    for n in range(100):
        cookie = f"oep_replica=route{n}"
        request = urllib.request.Request(f"http://127.0.0.1:{port}/_stcore/health",
                                         headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=10) as response:
            routes.setdefault(response.headers["X-OEP-Replica"], cookie)
        if len(routes) == 2:
            return routes
    raise AssertionError(f"100 route cookies all reached {list(routes)}")


@pytest.fixture(scope="module")
def deployment(postgres_url: str, registered_store: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    folder = tmp_path_factory.mktemp("replicas")
    db = fresh_database(postgres_url, "replicas")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "OEP_DB": str(folder / "oep.duckdb"),
           pg.URL_VARIABLE: db.url, "OEP_COOKIE_KEY": secrets.token_urlsafe(32)}
    # The README's commands, once: the store (the session's register, loaded with --fresh as
    # the README's import does), then the first admin (in PostgreSQL).
    shutil.copyfile(registered_store, env["OEP_DB"])
    added = _oep(env, "users", "add", "admin", "--role", "admin", "--org", "LA", "--name",
                 "Partnership Admin", "--email", "admin@example.invalid", "--password-stdin",
                 stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    school = duckdb.connect(env["OEP_DB"], read_only=True).execute(
        "SELECT min(urn) FROM schools").fetchone()[0]
    for username in ("head", "leaver"):
        auth.add_user(db, username, role="head", org=school, name=f"Head {username}",
                      email=f"{username}@example.invalid", password=PASSWORD)
    with loadtest.behind_proxy(Path(env["OEP_DB"]), folder, db.url, 2,
                               env["OEP_COOKIE_KEY"]) as (port, _):
        yield Deployment(port, db, Path(env["OEP_DB"]), env, _routes(port))
    pg.close_pools()


def _session(deployment: Deployment, replica: str) -> loadtest.Session:
    session = loadtest.Session(deployment.port, cookie=deployment.routes[replica])
    assert session.replica == replica
    return session


def _logged_in(result: loadtest.RunResult) -> bool:
    return loadtest.widget(result.widgets, "button", "Log out") is not None


def _events(db: pg.Database, username: str) -> list[str]:
    rows = records.read(db, "SELECT event FROM audit_log WHERE username = ? ORDER BY seq",
                        [username])
    return rows["event"].to_list()


def test_the_readme_shows_the_commands_this_test_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running for more than one partnership or machine", 1)[1]
    commands = re.search(r"```bash\n(.*?)```", section, re.S)
    assert commands is not None
    for command in ("-m oep import", "--fresh", "-m oep users add admin --role admin --org LA",
                    "deploy/replica.sh 8601", "deploy/replica.sh 8602",
                    "deploy/nginx-site.sh 8080 8601 8602", "OEP_ACTIVITY_URL", "OEP_COOKIE_KEY"):
        assert command in commands.group(1), command


def test_a_browser_keeps_to_one_replica_and_stays_logged_in(deployment: Deployment) -> None:
    def route_cookies(response) -> list[str]:  # noqa: ANN001 - an HTTP response
        return [c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []
                if c.startswith("oep_replica=")]

    with urllib.request.urlopen(f"http://127.0.0.1:{deployment.port}/", timeout=10) as first:
        (cookie,) = route_cookies(first)
    seen = set()
    for _ in range(5):
        request = urllib.request.Request(f"http://127.0.0.1:{deployment.port}/_stcore/health",
                                         headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=10) as response:
            seen.add(response.headers["X-OEP-Replica"])
            assert route_cookies(response) == []  # already routed
    assert len(seen) == 1

    for replica in deployment.routes:
        session = _session(deployment, replica)
        try:
            assert _logged_in(loadtest.log_in(session, "admin", PASSWORD))
            for page in ("Overview", "SEND"):
                opened = session.rerun(page=page)
                assert opened.error is None, opened.error
                assert _logged_in(opened), page
        finally:
            session.close()


def test_failures_on_both_replicas_count_towards_one_lockout(deployment: Deployment) -> None:
    one, other = deployment.routes
    for replica in [one] * 3 + [other] * 2:
        session = _session(deployment, replica)
        try:
            assert not _logged_in(loadtest.log_in(session, "head", "not-the-password"))
        finally:
            session.close()
    session = _session(deployment, one)
    try:
        assert not _logged_in(loadtest.log_in(session, "head", PASSWORD))
    finally:
        session.close()
    assert _events(deployment.db, "head") == ["login_failed"] * 5 + ["login_refused"]


def test_a_disabled_user_is_refused_on_both_replicas(deployment: Deployment) -> None:
    one, other = deployment.routes
    open_session = _session(deployment, other)
    try:
        assert _logged_in(loadtest.log_in(open_session, "leaver", PASSWORD))
        disabled = _oep(deployment.env, "users", "disable", "leaver")
        assert disabled.returncode == 0, disabled.stderr
        assert not _logged_in(open_session.rerun(page="Overview"))  # at the next page load
    finally:
        open_session.close()
    for replica in (one, other):
        session = _session(deployment, replica)
        try:
            assert not _logged_in(loadtest.log_in(session, "leaver", PASSWORD))
        finally:
            session.close()
    assert _events(deployment.db, "leaver")[-2:] == ["login_failed", "login_failed"]


def _categories_page(deployment: Deployment, replica: str) -> tuple[loadtest.Session,
                                                                       loadtest.RunResult]:
    session = _session(deployment, replica)
    assert _logged_in(loadtest.log_in(session, "admin", PASSWORD))
    opened = session.rerun(page="Support categories")
    assert opened.error is None, opened.error
    return session, opened


def test_a_review_recorded_on_one_replica_is_seen_on_the_other(deployment: Deployment) -> None:
    one, other = deployment.routes
    rationale = f"Agreed at the review meeting {secrets.token_hex(4)}"
    session, opened = _categories_page(deployment, one)
    try:
        text = loadtest.widget(opened.widgets, "text_area", "Rationale")
        submit = loadtest.widget(opened.widgets, "button", "Record review")
        assert text is not None and submit is not None
        recorded = session.rerun(values={text.id: rationale}, trigger=submit.id)
        assert b"Review recorded" in recorded.payload
    finally:
        session.close()
    session, opened = _categories_page(deployment, other)
    session.close()
    assert rationale.encode() in opened.payload


def _sources(store: Path) -> list[str]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return [name for (name,) in con.execute("SELECT file_name FROM sources").fetchall()]
    finally:
        con.close()


def test_two_imports_at_once_while_both_replicas_serve_lose_nothing(
        deployment: Deployment) -> None:
    files = [FIXTURES / "importers" / name
             for name in ("sen_school_long_202425.csv", "suspensions_school_202324.csv")]
    problems: list[str] = []
    stop = threading.Event()
    logins = {replica: 0 for replica in deployment.routes}

    def read(replica: str) -> None:
        while not stop.is_set():
            session = _session(deployment, replica)
            try:
                if not _logged_in(loadtest.log_in(session, "admin", PASSWORD)):
                    problems.append(f"{replica}: login refused")
                    return
                logins[replica] += 1
                for page in ("Overview", "SEND"):
                    opened = session.rerun(page=page)
                    if opened.error:
                        problems.append(f"{replica} {page}: {opened.error}")
            finally:
                session.close()

    readers = [threading.Thread(target=read, args=(replica,)) for replica in deployment.routes]
    before = len(_events(deployment.db, "admin"))
    for reader in readers:
        reader.start()
    imports = [subprocess.Popen([sys.executable, "-m", "oep", "import", str(file)], cwd=ROOT,
                                env=deployment.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for file in files]
    outputs = [proc.communicate(timeout=300)[0] for proc in imports]
    stop.set()
    for reader in readers:
        reader.join(timeout=180)
    assert [proc.returncode for proc in imports] == [0, 0], outputs
    assert problems == []
    assert {file.name for file in files} <= set(_sources(deployment.store))
    # Every login during the imports is in the shared audit log, from both replicas.
    assert all(logins.values()), logins
    assert _events(deployment.db, "admin")[before:].count("login") == sum(logins.values())
    # Both replicas serve the new store at their next query.
    for replica in deployment.routes:
        session = _session(deployment, replica)
        try:
            assert _logged_in(loadtest.log_in(session, "admin", PASSWORD))
            assert session.rerun(page="SEND").error is None
        finally:
            session.close()


def test_a_replica_refuses_to_start_without_the_shared_settings(tmp_path: Path) -> None:
    done = subprocess.run(["bash", str(ROOT / "deploy" / "replica.sh"), "8999"], cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "OEP_DB": str(tmp_path / "x.duckdb")},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "OEP_ACTIVITY_URL is not set" in done.stderr
