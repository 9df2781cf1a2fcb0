"""What a page run made is freed when the run ends.

Streamlit runs a page as a fresh module each time and keeps some of what the page hands it until
the session's next run (a selectbox's ``format_func``, a download's deferred data). A function
defined in the page file refers to the page's globals, so if Streamlit keeps one, it keeps every
frame the page made, per open session: at England scale, tens of megabytes for each person."""

from __future__ import annotations

import gc

import pytest

from tests.conftest import DemoEnv, log_in, new_app

PAGES = ("pages/overview.py", "pages/attendance.py", "pages/send.py", "pages/categories.py",
         "pages/school_profile.py", "pages/disengagement.py", "pages/admin.py")


def _kept_from(page: str) -> list[str]:
    """Functions still alive that were defined by a run of ``page``."""
    gc.unfreeze()  # oep.present.collector may have set some aside, out of get_objects' sight
    gc.collect()
    return [fn.__qualname__ for fn in gc.get_objects()
            if type(fn).__name__ == "function"
            and str(fn.__globals__.get("__file__", "")).endswith(page)]


@pytest.mark.parametrize("page", PAGES)
def test_nothing_a_page_defined_outlives_its_run(demo_env: DemoEnv, page: str) -> None:
    at = log_in(new_app(), "officer")
    at.switch_page(page).run()
    assert not at.exception
    assert _kept_from(page) == []
