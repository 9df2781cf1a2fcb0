"""Accessibility in a real browser: axe-core (WCAG 2.0-2.2 A and AA) at a desktop's width and
its layout rules at a phone's, on every page a visitor and an LA officer can open, and on the
pages that differ for a board member, a SENCO and the head of a school that has not signed; the
browser title, heading order, chart names and phone legends that axe does not check; and a
phone's way to the login form.

axe-core comes from the npm registry (scripts/test.sh fetches it like Chromium). Any serious or
critical violation fails, except those in ``framework.STREAMLIT_PROBLEMS``: Streamlit's own
markup, each listed with its reason in the accessibility statement. One server serves the module,
and each viewer moves between pages through the menu (no reload), to keep the suite's time down.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from oep.present import framework
from tests.conftest import DemoEnv
from tests.browser.test_e2e_browser import (CHROMIUM, CHROMIUM_ARGS, _settled, log_in_browser,
                                            running_app)

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("OEP_AXE_JS") or
           ROOT / ".cache" / f"axe-core-{framework.AXE_VERSION}" / "axe.min.js")
WIDTHS = (1366, 390)
FRAMEWORK_PAGES = {"User guide", "Accessibility statement", "Support and feedback", "Data sources"}
EVERY_PAGE = None
# Viewer -> the pages checked (EVERY_PAGE: all in their menu). The visitor and the officer open
# every page there is; the other roles, the pages whose content is theirs alone (their own
# school, the disengagement list, a non-member's single school).
VIEWERS: dict[str | None, tuple[str, ...] | None] = {
    None: EVERY_PAGE,
    "officer": EVERY_PAGE,
    "board": ("Overview", "Disengagement"),
    "senco_member": ("SEND", "School profile"),
    "head_nonmember": ("Overview", "Attendance", "School profile"),
}
# At a phone's width only the rules the width changes run again (colours and names do not).
PHONE_RULES = ["target-size", "scrollable-region-focusable", "meta-viewport"]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

pytestmark = pytest.mark.skipif(
    not (os.path.exists(CHROMIUM) and AXE.exists()) and not os.environ.get("CI"),
    reason="Debian's chromium or axe-core is missing (scripts/test.sh installs both)",
)

# Runs axe, then keeps the serious and critical findings that are not inside Streamlit's own
# markup named for that rule in the allow-list.
_AXE_RUN = """async ([tags, rules, allowed]) => {
  const result = await axe.run(document, {runOnly: rules ? {type: 'rule', values: rules}
                                                         : {type: 'tag', values: tags}});
  const found = [];
  for (const v of result.violations) {
    if (!['serious', 'critical'].includes(v.impact)) continue;
    for (const node of v.nodes) {
      const el = document.querySelector(node.target[0]);
      const where = allowed[v.id];
      if (el && where && el.closest(where)) continue;
      found.push(`${v.id} (${v.impact}): ${node.html.slice(0, 160)} ${node.failureSummary}`);
    }
  }
  return found;
}"""

# What axe does not check: the heading levels in the page's own content never skip one (h1,
# then h2, then h3), there is one h1, every chart is a figure named after its title and
# described by its summary in words, and every filter shows its choice in words (a remembered
# "All phases" once came back as an empty "Choose an option" after a page change).
_PAGE_CHECKS = """() => {
  const problems = [];
  const main = document.querySelector('[data-testid=stMain]');
  const levels = [...main.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter(h => h.offsetParent !== null).map(h => Number(h.tagName[1]));
  if (levels.filter(l => l === 1).length !== 1) problems.push(`h1 count: ${levels}`);
  levels.forEach((l, i) => {
    if (i && l > levels[i - 1] + 1) problems.push(`heading jump: ${levels}`);
  });
  for (const chart of main.querySelectorAll('[data-testid=stPlotlyChart]')) {
    const label = chart.getAttribute('aria-label') || '';
    const summary = document.getElementById(chart.getAttribute('aria-describedby') || '-');
    if (chart.getAttribute('role') !== 'figure' || !label.startsWith('Chart: ')
        || label.length < 12)
      problems.push(`chart without a name: ${label}`);
    if (!summary || !summary.innerText.includes('In words:'))
      problems.push(`chart without a summary: ${label}`);
  }
  for (const input of main.querySelectorAll('[data-testid=stSelectbox] input'))
    if (!input.value)
      problems.push(`filter without its choice: ${input.getAttribute('aria-label')}`);
  return problems;
}"""

# On a phone every legend sits below its plot, clear of the title and the bars.
_LEGENDS_BELOW = """() => {
  const charts = [...document.querySelectorAll('[data-testid=stPlotlyChart]')];
  return charts.flatMap(chart => {
    const legend = chart.querySelector('.legend');
    const plots = [...chart.querySelectorAll('.cartesianlayer .bg, .nsewdrag')];
    if (!legend || !plots.length) return [];
    const top = legend.getBoundingClientRect().top;
    const bottom = Math.max(...plots.map(p => p.getBoundingClientRect().bottom));
    return top + 1 >= bottom ? [] : [chart.getAttribute('aria-label')];
  });
}"""


@pytest.fixture(scope="module")
def app_url(demo_files: DemoEnv, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server for the whole module: every viewer and page runs against it."""
    with running_app(demo_files.store, demo_files.auth, tmp_path_factory.mktemp("a11y")) as url:
        yield url


def _wait_for_charts(page) -> None:  # noqa: ANN001 - playwright's Page
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=stPlotlyChart]')].every("
        "c => c.getAttribute('role') === 'figure' || !c.querySelector('.gtitle'))",
        timeout=30_000)


def _audit_page(page, axe: str, allowed: dict[str, str], where: str) -> list[str]:  # noqa: ANN001
    problems = []
    _wait_for_charts(page)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(300)  # charts redraw at the new width
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(content=axe)
        found = page.evaluate(_AXE_RUN, [TAGS, None if width == WIDTHS[0] else PHONE_RULES,
                                         allowed])
        found += page.evaluate(_PAGE_CHECKS)
        if width < 600:
            found += [f"legend not below the chart: {c}" for c in page.evaluate(_LEGENDS_BELOW)]
        problems += [f"{where} at {width}px: {p}" for p in found]
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return problems


@pytest.mark.parametrize("username", VIEWERS, ids=lambda u: u or "visitor")
def test_pages_pass_axe_for_each_viewer_on_desktop_and_phone(
        app_url: str, username: str | None) -> None:
    from playwright.sync_api import sync_playwright

    axe = AXE.read_text(encoding="utf-8")
    allowed = {p.rule: p.where for p in framework.STREAMLIT_PROBLEMS}
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTHS[0], "height": 900})
            page.goto(app_url)
            _settled(page)
            if username:
                log_in_browser(page, username)
            nav = page.get_by_test_id("stSidebarNav")
            # A link's text is its icon's name, then its title.
            titles = [t.strip().splitlines()[-1] for t in nav.get_by_role("link").all_inner_texts()]
            assert FRAMEWORK_PAGES <= set(titles), titles
            for title in VIEWERS[username] or titles:
                nav.get_by_role("link", name=title).click()
                page.wait_for_function(f"document.title === {title!r} + ' – OEP dashboard'",
                                       timeout=60_000)
                _settled(page)
                body = page.inner_text("[data-testid=stMain]")
                assert "Data last updated on" in body, title
                for framework_page in ("Accessibility statement", "Data sources"):
                    assert framework_page in body, f"{title}: no link to {framework_page}"
                problems += _audit_page(page, axe, allowed, f"{username or 'visitor'}, {title}")
        finally:
            browser.close()
    assert not problems, "\n".join(problems)


def test_a_phone_reaches_the_login_form_without_the_menu_button(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True)
            page.goto(app_url)
            _settled(page)
            username = page.get_by_label("Username")
            assert username.is_visible()
            assert "Who can log in" in page.inner_text("[data-testid=stSidebar]")
            page.get_by_role("button", name="Log in").click()
            page.wait_for_selector("text=Enter your username and password to log in.",
                                   timeout=30_000)
            username.fill("senco_member")
            page.get_by_label("Password", exact=True).fill("oep-demo")
            page.get_by_role("button", name="Log in").click()
            # Logged in, the menu closes, clear of the figures, and stays closed page to page.
            page.wait_for_selector("text=Log out", state="attached", timeout=60_000)
            page.wait_for_selector("[data-testid=stSidebar][data-collapsed=true]",
                                   state="attached", timeout=30_000)
            page.goto(f"{app_url}/send")
            _settled(page)
            page.wait_for_selector("[data-testid=stSidebar][data-collapsed=true]",
                                   state="attached", timeout=30_000)
            assert page.get_by_role("heading", name="SEND", exact=True).is_visible()
        finally:
            browser.close()
