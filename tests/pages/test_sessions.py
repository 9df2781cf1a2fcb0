"""Sessions that end: logout, a new password, disable/enable and a new role end every session of
the user at its next rerun; login cookies are checked, never trusted; a logged-in page view does
not touch the activity store. (Cookie replay in a real browser:
tests/browser/test_e2e_sessions.py.)"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import jwt
import pytest

from oep.data import auth, records
from tests.conftest import DemoEnv, log_in, new_app

KEY = "a-test-only-cookie-key-" + "k" * 48  # long enough for HS512 too


def _sidebar_text(at) -> str:  # noqa: ANN001 - AppTest
    return " ".join(str(e.value) for e in [*at.sidebar.error, *at.sidebar.warning,
                                           *at.sidebar.markdown])


def _cookie_scripts(at) -> str:  # noqa: ANN001 - AppTest
    return " ".join(h.proto.body for h in at.sidebar.html)


@pytest.fixture()
def users(app_activity: records.Activity) -> auth.Users:
    """A private copy of the demo users (these tests end sessions and change passwords): the
    YAML file, then PostgreSQL."""
    return auth.auth_file()


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**extra: object) -> dict:
    return {"sub": "officer", "ver": 0, "exp": int(time.time()) + 3600, **extra}


@pytest.mark.parametrize("token", [
    f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}.",
    jwt.encode(_claims(), "another-key-" + "x" * 32, algorithm="HS256"),
    jwt.encode(_claims(), KEY, algorithm="HS512"),
    jwt.encode(_claims(exp=int(time.time()) - 10), KEY, algorithm="HS256"),
    jwt.encode({"sub": "officer", "exp": int(time.time()) + 60}, KEY, algorithm="HS256"),
    jwt.encode(_claims(ver="0"), KEY, algorithm="HS256"),
    jwt.encode(_claims(ver=True), KEY, algorithm="HS256"),
    jwt.encode({"username": "officer", "exp_date": time.time() + 60}, KEY, algorithm="HS256"),
    "garbage", "", "a.b.c", "%%%.%%%.%%%", "e30.e30.e30",
], ids=["alg-none", "another-key", "hs512", "expired", "no-version", "version-text",
        "version-bool", "authenticator-layout", "garbage", "empty", "three-dots", "percents",
        "empty-json"])  # stable ids: the tokens carry the time
def test_a_cookie_that_is_not_ours_names_no_session(token: str) -> None:
    assert auth.read_token(token, KEY) is None


def test_a_cookie_we_issued_names_its_session() -> None:
    session = auth.Session("officer", 3)
    assert auth.read_token(auth.issue_token(session, KEY), KEY) == session
    expired = auth.issue_token(session, KEY, now=datetime.now() - auth.COOKIE_LIFETIME
                               - timedelta(minutes=1))
    assert auth.read_token(expired, KEY) is None


def test_login_writes_the_cookie_and_logout_deletes_it(users: auth.Users,
                                                       demo_files: DemoEnv) -> None:
    at = log_in(new_app(), "board")
    token = _cookie_scripts(at).split(f"{auth.COOKIE_NAME}=")[1].split(";")[0]
    key = auth.demo_cookie_key(demo_files.store.parent / ".cookie_key")
    assert auth.read_token(token, key) == auth.Session(
        "board", auth.cached_users(users)["board"].get("session_version", 0))
    next(b for b in at.sidebar.button if b.label == "Log out").click().run()
    assert f"{auth.COOKIE_NAME}=; path=/; max-age=0" in _cookie_scripts(at)
    assert "Demo Board Member" not in _sidebar_text(at)
    assert any(b.label == "Log in" for b in at.sidebar.button)


def _ends_open_sessions(change: Callable[[], None], message: str) -> None:
    at = log_in(new_app(), "partner")
    assert "Demo Diocesan Partner" in _sidebar_text(at)
    change()
    at.run()
    assert message in _sidebar_text(at)
    assert "Demo Diocesan Partner" not in _sidebar_text(at)
    assert f"{auth.COOKIE_NAME}=; path=/; max-age=0" in _cookie_scripts(at)
    assert all(b.label != "Log out" for b in at.sidebar.button)


def test_logging_out_in_one_browser_ends_the_session_in_another(users: auth.Users) -> None:
    other = log_in(new_app(), "partner")

    def log_out_there() -> None:
        next(b for b in other.sidebar.button if b.label == "Log out").click().run()

    _ends_open_sessions(log_out_there, "Your session has ended")


def test_a_new_password_ends_open_sessions(users: auth.Users) -> None:
    _ends_open_sessions(lambda: auth.set_password(users, "partner", "a new password!"),
                        "Your session has ended")


def test_disable_then_enable_ends_open_sessions(users: auth.Users) -> None:
    def disable_and_enable() -> None:
        auth.set_disabled(users, "partner", True)
        auth.set_disabled(users, "partner", False)

    _ends_open_sessions(disable_and_enable, "Your session has ended")


def test_a_new_role_ends_open_sessions(users: auth.Users) -> None:
    _ends_open_sessions(lambda: auth.set_role(users, "partner", "board", "BOARD"),
                        "Your session has ended")


def test_a_logged_in_page_view_does_not_touch_the_activity_store(app_env: Path) -> None:
    at = log_in(new_app(), "board")
    # Another process holds the activity store: anything that opened it would wait, then fail.
    holder = _hold(app_env)
    try:
        started = time.monotonic()
        at.switch_page("pages/attendance.py").run()
        assert not at.exception, [e.value for e in at.exception]
        assert "Demo Board Member" in _sidebar_text(at)
        assert time.monotonic() - started < 4.5, "the page waited for the activity store"
    finally:
        holder.kill()
        holder.wait()


def test_reading_the_activity_store_does_not_wait_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "activity.duckdb"
    records.audit(path, "someone", "login", "success")
    inside, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        with records.activity(path) as con:
            records.audit_in(con, "writer", "review", "")
            inside.set()
            release.wait(30)

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert inside.wait(30)
        started = time.monotonic()
        frame = records.read(path, "SELECT username FROM audit_log")
        assert time.monotonic() - started < 5
        assert frame["username"].to_list() == ["someone"]  # the writer has not committed yet
    finally:
        release.set()
        writer.join()
    assert sorted(records.read(path, "SELECT username FROM audit_log")["username"]) == [
        "someone", "writer"]


def _hold(path: Path) -> subprocess.Popen:
    """Another process holding the activity store open, as the CLI does while it writes."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from oep.data import records; con = records._open(Path(sys.argv[1])); "
         "print('held', flush=True); time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_an_unchanged_activity_store_is_not_read_again(tmp_path: Path) -> None:
    path = tmp_path / "activity.duckdb"
    records.audit(path, "someone", "login", "success")
    sql = "SELECT username FROM audit_log WHERE event = ?"
    first = records.read(path, sql, ["login"])
    holder = _hold(path)
    try:  # the file is held by another process: only the kept frame can answer
        assert records.read(path, sql, ["login"]) is first
    finally:
        holder.kill()
        holder.wait()
    records.audit(path, "another", "login", "success")
    assert records.read(path, sql, ["login"])["username"].to_list() == ["someone", "another"]


def test_the_users_file_is_parsed_only_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    auth.add_user(path, "jsmith", role="head", org="9912345", name="J Smith",
                  email="j@example.invalid", password="a good password")
    first = auth.cached_users(path)
    assert auth.cached_users(path) is first
    auth.set_password(path, "jsmith", "another good password")
    changed = auth.cached_users(path)
    assert changed is not first
    assert changed["jsmith"]["password"] != first["jsmith"]["password"]
    assert changed["jsmith"]["session_version"] == first["jsmith"]["session_version"] + 1
