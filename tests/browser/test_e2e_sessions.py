"""Sessions in a real browser: logout that logs out, cookies that stop working, forged cookies.

Debian's Chromium driven by Playwright, against `streamlit run app.py` on the demo store with a
private copy of the users file (these tests change passwords and session versions).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from oep.data import auth
from tests.conftest import DemoEnv
from tests.browser.test_e2e_browser import CHROMIUM, CHROMIUM_ARGS, _settled, running_app

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (scripts/test.sh installs it)",
)

COOKIE = auth.COOKIE_NAME
HAS_COOKIE = f"document.cookie.split('; ').some(c => c.startsWith('{COOKIE}='))"


@pytest.fixture()
def users(demo_files: DemoEnv, tmp_path: Path) -> Path:
    path = tmp_path / "users.yaml"
    shutil.copyfile(demo_files.auth, path)
    return path


@pytest.fixture()
def server(demo_files: DemoEnv, users: Path, tmp_path: Path) -> Iterator[str]:
    with running_app(demo_files.store, users, tmp_path) as url:
        yield url


@pytest.fixture()
def browser() -> Iterator:  # noqa: ANN401 - playwright's Browser
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(context, url: str):  # noqa: ANN001, ANN202 - playwright's BrowserContext and Page
    page = context.new_page()
    page.goto(url)
    _settled(page)
    return page


def _log_in(page, username: str, password: str = "oep-demo") -> None:  # noqa: ANN001
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for(timeout=60_000)
    page.wait_for_function(HAS_COOKIE, timeout=30_000)
    _settled(page)


def _logged_out(page) -> bool:  # noqa: ANN001
    """The public view: the login form, no logout button, no admin page."""
    body = page.inner_text("body")
    return (page.get_by_role("button", name="Log in").count() == 1
            and page.get_by_role("button", name="Log out").count() == 0
            and "Imports, users and audit" not in body)


def _login_cookie(context) -> dict:  # noqa: ANN001
    (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE]
    return cookie


def _replayed(browser, url: str, cookie: dict, path: str = "/admin"):  # noqa: ANN001, ANN202
    """A fresh browser context holding only ``cookie``, opened at ``path``."""
    context = browser.new_context()
    context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": url}])
    return _open(context, f"{url}{path}")


def test_log_out_ends_the_session_in_the_browser_and_on_the_server(server: str,
                                                                   browser) -> None:  # noqa: ANN001
    context = browser.new_context()
    page = _open(context, server)
    _log_in(page, "officer")
    assert "Demo LA Officer" in page.inner_text("body")
    saved = _login_cookie(context)
    # The cookie works before logout: a new tab at /admin opens the admin page logged in.
    other = _open(context, f"{server}/admin")
    assert "Imports, users and audit" in other.inner_text("body")
    other.close()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_function(f"!({HAS_COOKIE})", timeout=30_000)
    _settled(page)
    assert _logged_out(page)
    assert not [c for c in context.cookies() if c["name"] == COOKIE]

    page.reload()
    _settled(page)
    assert _logged_out(page)
    assert _logged_out(_open(context, f"{server}/admin"))
    # The cookie saved before logout, replayed in a fresh browser, opens nothing.
    assert _logged_out(_replayed(browser, server, saved))


def test_a_new_password_kills_old_cookies_and_open_sessions(server: str, users: Path,
                                                            browser) -> None:  # noqa: ANN001
    context = browser.new_context()
    page = _open(context, server)
    _log_in(page, "officer")
    saved = _login_cookie(context)
    replay = _replayed(browser, server, saved)
    assert "Imports, users and audit" in replay.inner_text("body"), "the replay works before"

    auth.set_password(users, "officer", "a brand new password")

    assert _logged_out(_replayed(browser, server, saved))
    # The open session ends at its next rerun.
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Attendance").click()
    page.wait_for_selector("text=Your session has ended", timeout=60_000)
    _settled(page)
    assert _logged_out(page)


def _unsigned_token(username: str) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"sub": username, "ver": 0, "exp": int(time.time()) + 3600}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize("value", [
    _unsigned_token("officer"),
    auth.issue_token(auth.Session("officer", 0), "not-the-key-" + "x" * 32),
    "garbage%%%.not.a.token",
], ids=["unsigned", "signed-with-another-key", "garbage"])  # stable ids: tokens carry the time
def test_a_forged_cookie_means_not_logged_in(server: str, browser, value: str) -> None:  # noqa: ANN001
    # At the root: the first session of a fresh server at /admin meets a Streamlit start-up
    # quirk (the pages/ folder runs without app.py) that has nothing to do with cookies.
    page = _replayed(browser, server, {"name": COOKIE, "value": value}, "/")
    assert _logged_out(page)
    assert page.get_by_test_id("stException").count() == 0
    assert "Traceback" not in page.inner_text("body")
    page.wait_for_function(f"!({HAS_COOKIE})", timeout=30_000)  # and the bad cookie is deleted
