"""A copied link in a real browser reopens the same view in a new tab (the viewer logged in by
their cookie). Refusing a viewer who may not see the school is checked in
tests/pages/test_url_state.py through AppTest, cheaper than a second browser session."""

from __future__ import annotations

from tests.browser.test_e2e_browser import (CHROMIUM, CHROMIUM_ARGS, _settled, log_in_browser,
                                    pytestmark, server)

__all__ = ["pytestmark", "server"]  # the browser fixture and the skip rule, shared
MEASURE = "Severe absence (50%+ of sessions missed)"


def _choose(page, label: str, option: str) -> None:  # noqa: ANN001 - playwright's Page
    box = page.get_by_label(label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option).click()
    _settled(page)


def test_a_copied_link_reopens_the_same_view(server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            board = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            board.goto(server)
            _settled(board)
            log_in_browser(board, "board")
            _choose(board, "Measure", MEASURE)
            board.wait_for_function("location.search.includes('measure=severe_absence')",
                                    timeout=30_000)
            overview_link = board.url

            # The same viewer opens the copied link in a new tab (logged in by their cookie).
            tab = board.context.new_page()
            tab.goto(overview_link)
            _settled(tab)
            tab.wait_for_selector(".js-plotly-plot", timeout=60_000)
            assert MEASURE in tab.locator(".js-plotly-plot .gtitle").first.text_content()
            assert "measure=severe_absence" in tab.url  # still the link's choice after the run
        finally:
            browser.close()
