"""End to end in a real browser: start `streamlit run app.py` on a free port, log in, see a chart.

Debian's Chromium driven by Playwright (Playwright's own browser download cannot work here).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from oep.data import records
from oep.tools import loadtest
from tests.conftest import DemoEnv

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (scripts/test.sh installs it)",
)


@contextmanager
def running_app(store: Path, users: Path, folder: Path) -> Iterator[str]:
    """`streamlit run app.py` on ``store`` and ``users`` (activity store and log in ``folder``) as
    the load harness starts it; yields its address and stops it at the end."""
    with loadtest.server(store, folder, "", users=users) as (port, _):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture()
def server(demo_files: DemoEnv, tmp_path: Path) -> Iterator[str]:
    with running_app(demo_files.store, demo_files.auth, tmp_path) as url:
        yield url


def log_in_browser(page, username: str, password: str = "oep-demo") -> None:  # noqa: ANN001
    """Fill the sidebar login form of a settled page and wait for the logged-in view."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("text=Log out", timeout=60_000)
    _settled(page)


def _download(page, button) -> str:  # noqa: ANN001 - playwright's Page and Locator
    """Click a download button and return the file's text. A click that lands while the app is
    rerunning (a slow, loaded machine) starts no download, so it is tried again, a few times."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):
        try:
            with page.expect_download(timeout=20_000) as info:
                button.click()
            return Path(info.value.path()).read_text(encoding="utf-8")
        except PlaywrightTimeout:
            if attempt == 2:
                raise
            _settled(page)
    raise AssertionError("unreachable")


def _audit(activity: Path) -> list[tuple[str, str]]:
    if not activity.exists():
        return []
    frame = records.read(activity, "SELECT username, event FROM audit_log")
    return [tuple(row) for row in frame.iter_rows()]


def _settled(page) -> None:  # noqa: ANN001 - playwright's Page
    """Connected, script finished, no skeletons - and still so a moment later, because the login
    cookie component reports on mount and triggers one more run."""
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]",
                           timeout=60_000)
    for _ in range(2):
        page.wait_for_selector("[data-test-script-state=notRunning]", timeout=60_000)
        page.wait_for_function("!document.querySelector('[data-testid=stSkeleton]')",
                               timeout=60_000)
        page.wait_for_timeout(700)
    page.wait_for_function(
        "document.querySelectorAll('input[aria-label=Username]').length <= 1", timeout=60_000)


def test_log_in_and_see_a_chart(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server)
            _settled(page)
            assert "Synthetic demo data" in page.inner_text("body")
            log_in_browser(page, "board")
            page.wait_for_selector("text=Demo Board Member", timeout=60_000)
            page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Attendance").click()
            page.wait_for_selector(".js-plotly-plot", timeout=60_000)
            _settled(page)
            page.screenshot(path=str(tmp_path / "attendance.png"), full_page=True)  # for a look
            body = page.inner_text("body")
            assert "Attendance" in body
            assert "Synthetic demo data" in body

            # The numbers behind the first chart download as CSV, and the download is audited.
            page.get_by_text("Numbers behind this chart").first.click()
            button = page.get_by_role("button", name="Download CSV").first
            button.wait_for(state="visible", timeout=60_000)
            _settled(page)
            csv_text = _download(page, button)
            assert csv_text.count("\n") > 1
            deadline = time.monotonic() + 20
            while ("board", "download") not in _audit(tmp_path / "activity.duckdb"):
                assert time.monotonic() < deadline, "download was not audited"
                time.sleep(0.5)
        finally:
            browser.close()
