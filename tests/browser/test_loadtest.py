"""The meeting load harness drives a real server the way a browser does: log in, open every page,
change a filter; a broken harness would print figures for pages it never opened."""

from __future__ import annotations

import secrets
from pathlib import Path

from oep.tools import loadtest
from tests.conftest import DemoEnv


def test_two_people_open_every_page_and_change_a_filter(demo_files: DemoEnv,
                                                        tmp_path: Path) -> None:
    password = secrets.token_urlsafe(18)
    with loadtest.server(demo_files.store, tmp_path, password) as (port, proc):
        loadtest.warm_up(port, loadtest.LOAD_USER, password)
        timings = loadtest.drive(port, [(loadtest.LOAD_USER, password)] * 2, (0.1, 0.3),
                                 limit_s=180)
        assert loadtest.peak_rss_mb(proc.pid) > 50
    assert not timings.errors
    assert len(timings.by_page["Log in"]) == 2
    for page in loadtest.PAGES:
        assert len(timings.by_page[page]) == 2, page
        assert len(timings.by_page[f"{page} (filter)"]) == 2, page
        assert min(timings.bytes_by_page[page]) > 10_000, page  # a page with its figures
