"""The School profile keeps the school a user picks, on the page and in its address (?urn=).

The first pick used to be undone: the page's own ?urn= was read back on the next run as a new link.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import log_in, new_app
from tests.browser.test_e2e_browser import (CHROMIUM, CHROMIUM_ARGS, _settled, log_in_browser,
                                    pytestmark, server)

__all__ = ["pytestmark", "server"]  # the browser fixture and the skip rule, shared
PICKER = "widget:profile:school"


def _pick(page, label: str) -> None:  # noqa: ANN001 - playwright's Page
    box = page.get_by_label("School (type a name or URN to search)")
    box.click()
    box.fill(label)
    page.get_by_role("option", name=label).click()


def test_first_school_picked_in_the_browser_stays_picked(server: str, app_env: Path) -> None:
    from playwright.sync_api import sync_playwright

    at = log_in(new_app(), "officer")
    at.switch_page("pages/school_profile.py").run()
    shown = at.header[0].value
    options = [o for o in at.selectbox(key=PICKER).options if not o.startswith(shown)]
    first, second = options[0], options[1]

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server)
            _settled(page)
            log_in_browser(page, "officer")
            page.get_by_test_id("stSidebarNavItems").get_by_role(
                "link", name="School profile").click()
            page.wait_for_selector(f"h2:has-text('{shown}')", timeout=60_000)
            _settled(page)
            for choice in (first, second):
                _pick(page, choice)
                name, urn = choice.rsplit(" (", 1)
                page.wait_for_selector(f"h2:has-text('{name}')", timeout=60_000)
                _settled(page)
                assert page.locator("h2").first.inner_text().startswith(name)
                assert page.url.endswith(f"urn={urn.rstrip(')')}"), page.url
        finally:
            browser.close()


def test_first_school_picked_stays_picked(app_env: Path) -> None:
    at = log_in(new_app(), "officer")
    at.switch_page("pages/school_profile.py").run()
    shown = at.header[0].value
    picks = [o for o in at.selectbox(key=PICKER).options if not o.startswith(shown)][:2]
    for label in picks:
        urn = label.rsplit("(", 1)[1].rstrip(")")
        at.selectbox(key=PICKER).set_value(urn).run()
        assert at.header[0].value == label.rsplit(" (", 1)[0]
        assert at.query_params["urn"] == urn
