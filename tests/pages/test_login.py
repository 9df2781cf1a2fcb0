"""Login hardening and the audit trail, through the real login form, on both activity stores
(DuckDB file and YAML users; PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from oep.data import auth, records
from tests.conftest import DemoEnv, log_in, new_app


def _events(activity: records.Activity) -> list[tuple[str | None, str]]:
    frame = records.read(activity, "SELECT username, event FROM audit_log ORDER BY occurred_at")
    return [tuple(row) for row in frame.iter_rows()]


def _sidebar_text(at) -> str:  # noqa: ANN001 - AppTest
    return " ".join(str(e.value) for e in [*at.sidebar.error, *at.sidebar.warning,
                                           *at.sidebar.markdown])


def test_login_and_logout_are_audited(app_activity: records.Activity) -> None:
    at = log_in(new_app(), "board")
    assert "Demo Board Member" in _sidebar_text(at)
    next(b for b in at.sidebar.button if b.label == "Log out").click().run()
    assert "Demo Board Member" not in _sidebar_text(at)
    assert ("board", "login") in _events(app_activity)
    assert ("board", "logout") in _events(app_activity)


def test_wrong_password_and_unknown_username_look_the_same(app_activity: records.Activity) -> None:
    known = _sidebar_text(log_in(new_app(), "board", "not-the-password"))
    unknown = _sidebar_text(log_in(new_app(), "nobody-here", "whatever-password"))
    assert "incorrect" in known
    assert known == unknown
    # The audit names the username typed, known or not.
    assert _events(app_activity) == [("board", "login_failed"), ("nobody-here", "login_failed")]


def test_five_failures_lock_the_username(app_activity: records.Activity) -> None:
    for _ in range(records.LOCKOUT_ATTEMPTS):
        log_in(new_app(), "head_member", "wrong-password")
    at = log_in(new_app(), "head_member")  # the right password, but too soon
    assert "Too many failed attempts" in _sidebar_text(at)
    assert "Demo Head (member school)" not in _sidebar_text(at)
    events = _events(app_activity)
    assert events.count(("head_member", "login_failed")) == records.LOCKOUT_ATTEMPTS
    assert ("head_member", "login_refused") in events
    # Another username is not affected.
    assert "Demo Board Member" in _sidebar_text(log_in(new_app(), "board"))


def test_an_unknown_username_locks_like_a_known_one(app_activity: records.Activity) -> None:
    for _ in range(records.LOCKOUT_ATTEMPTS):
        log_in(new_app(), "nobody-here", "wrong-password")
    unknown = _sidebar_text(log_in(new_app(), "nobody-here", "wrong-password"))
    for _ in range(records.LOCKOUT_ATTEMPTS):
        log_in(new_app(), "board", "wrong-password")
    known = _sidebar_text(log_in(new_app(), "board", "wrong-password"))
    assert "Too many failed attempts" in unknown
    assert unknown == known
    assert ("nobody-here", "login_refused") in _events(app_activity)


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(
        app_activity: records.Activity) -> None:
    activity, users = app_activity, auth.auth_file()
    attempts = records.LOCKOUT_ATTEMPTS + 3
    start = threading.Barrier(attempts)
    outcomes: list[auth.Outcome] = []

    def attempt() -> None:
        start.wait()
        outcomes.append(auth.attempt_login(users, activity, "head_member",
                                           "wrong-password").outcome)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(auth.Outcome.WRONG) == records.LOCKOUT_ATTEMPTS
    assert outcomes.count(auth.Outcome.LOCKED) == attempts - records.LOCKOUT_ATTEMPTS
    # Even the right password is refused now, unchecked.
    assert auth.attempt_login(users, activity, "head_member",
                              "oep-demo").outcome is auth.Outcome.LOCKED
    assert set(_events(activity)) == {("head_member", "login_failed"),
                                      ("head_member", "login_refused")}


def test_people_logging_in_to_one_account_at_once_all_get_in(
        app_activity: records.Activity) -> None:
    # A meeting where everyone opens the shared demo login at the same moment.
    activity, users = app_activity, auth.auth_file()
    people = records.LOCKOUT_ATTEMPTS * 2
    start = threading.Barrier(people)
    outcomes: list[auth.Outcome] = []

    def attempt() -> None:
        start.wait()
        outcomes.append(auth.attempt_login(users, activity, "board", "oep-demo").outcome)

    threads = [threading.Thread(target=attempt) for _ in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [auth.Outcome.OK] * people


def test_one_address_trying_many_usernames_is_refused(app_activity: records.Activity) -> None:
    activity, users = app_activity, auth.auth_file()
    spray = "203.0.113.9"
    for n in range(records.ADDRESS_LOCKOUT_ATTEMPTS):
        result = auth.attempt_login(users, activity, f"guess{n}", "password1", spray)
        assert result.outcome is auth.Outcome.WRONG
    assert auth.attempt_login(users, activity, "board", "oep-demo",
                              spray).outcome is auth.Outcome.LOCKED
    assert auth.attempt_login(users, activity, "board", "oep-demo",
                              "198.51.100.7").outcome is auth.Outcome.OK


def test_lock_ends_after_the_cooling_off_period(app_activity: records.Activity) -> None:
    long_ago = datetime.now() - records.LOCKOUT_WINDOW - timedelta(minutes=1)
    with records.activity(app_activity) as con:
        for _ in range(records.LOCKOUT_ATTEMPTS):
            con.execute("INSERT INTO login_attempts (occurred_at, username, success) "
                        "VALUES (?, 'senco_member', false)", [long_ago])
    at = log_in(new_app(), "senco_member")
    assert "Demo SENCO (member school)" in _sidebar_text(at)


def test_disabled_user_is_logged_out_on_next_run(app_activity: records.Activity) -> None:
    at = log_in(new_app(), "partner")
    assert "Demo Diocesan Partner" in _sidebar_text(at)
    auth.set_disabled(auth.auth_file(), "partner")
    at.run()
    assert "no longer active" in _sidebar_text(at)
    assert "Demo Diocesan Partner" not in _sidebar_text(at)


def test_published_example_cookie_key_is_refused(demo_env: DemoEnv,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OEP_COOKIE_KEY", "some_key")
    at = new_app().run()
    assert any("published example" in e.value for e in at.error)

