"""Render every page for every demo viewer from many threads of one process at once.

Run by ``tests/test_threaded_render.py`` in a child process (a deadlocked process cannot be
recovered in-process, so the test kills it on a timeout): each thread is one logged-in session,
as Streamlit runs each browser session in a thread of the one server process.

Usage: ``python -m tests.threaded_pages ROUNDS`` with OEP_DB, OEP_AUTH_FILE and OEP_ACTIVITY_DB set.
"""

from __future__ import annotations

import sys
import threading

import streamlit.testing.v1.app_test as app_test_module

from oep.bench import clear_query_caches, navigation_pages_manager
from tests.conftest import DEMO_USERNAMES, log_in, new_app

PAGES = ("pages/overview.py", "pages/attendance.py", "pages/send.py", "pages/school_profile.py",
         "pages/categories.py")


def session(username: str, rounds: int, failures: list[str]) -> None:
    try:
        at = log_in(new_app(), username)
        for _ in range(rounds):
            for page in PAGES:
                at.switch_page(page).run()
                if at.exception:
                    failures.append(f"{username} {page}: {at.exception[0].value}")
                    return
    except Exception as exc:  # reported by the parent test, which fails on it
        failures.append(f"{username}: {exc!r}")


def main(rounds: int) -> int:
    app_test_module.PagesManager = navigation_pages_manager()  # type: ignore[misc]
    failures: list[str] = []
    for _ in range(rounds):
        clear_query_caches()  # every round rebuilds its frames while others render tables
        threads = [threading.Thread(target=session, args=(user, 1, failures))
                   for user in DEMO_USERNAMES]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    print("\n".join(failures) or f"all {len(DEMO_USERNAMES)} sessions finished {rounds} round(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
