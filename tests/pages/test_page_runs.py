"""A few sessions' pages are drawn at once and the rest wait their turn (``OEP_PAGE_RUNS``):
each run's frames, tables and figures are held while it draws, so thirty at once took thirty
times the memory for no gain in speed."""

from __future__ import annotations

import subprocess
import threading
import time
from contextlib import ExitStack

from oep.present import page_runs
from tests.conftest import DemoEnv, log_in, new_app, read_at_start


def test_a_page_waits_while_every_place_is_taken_and_is_drawn_after(demo_env: DemoEnv) -> None:
    at = log_in(new_app(), "officer")
    drawn = threading.Event()

    def open_send() -> None:
        at.switch_page("pages/send.py").run(timeout=90)
        drawn.set()

    with ExitStack() as taken:
        for _ in range(page_runs.LIMIT):
            taken.enter_context(page_runs.turn())
        runner = threading.Thread(target=open_send)
        runner.start()
        assert not drawn.wait(3)  # every place is another session's
    runner.join(90)
    assert drawn.is_set() and not at.exception
    assert [t.value for t in at.title] == ["SEND"]


def test_no_more_than_the_limit_draw_at_once() -> None:
    inside, most = 0, 0
    lock = threading.Lock()

    def draw() -> None:
        nonlocal inside, most
        with page_runs.turn():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=draw) for _ in range(page_runs.LIMIT * 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert most == page_runs.LIMIT and inside == 0


def _limit_with(value: str) -> subprocess.CompletedProcess[str]:
    return read_at_start("oep.present.page_runs", "LIMIT", {"OEP_PAGE_RUNS": value})


def test_the_limit_is_set_by_oep_page_runs_and_checked() -> None:
    assert _limit_with("5").stdout.strip() == "5"
    refused = _limit_with("none")
    assert refused.returncode != 0
    assert "OEP_PAGE_RUNS is 'none': expected a whole number of pages, at least 1" in refused.stderr
