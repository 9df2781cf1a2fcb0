"""What a page run made is freed when the run ends.

Streamlit runs a page as a fresh module each time and keeps some of what the page hands it until
the session's next run (a selectbox's ``format_func``, a download's deferred data). A function
defined in the page file refers to the page's globals, so if Streamlit keeps one, it keeps every
frame the page made, per open session: at England scale, tens of megabytes for each person."""

from __future__ import annotations

import gc

import pytest

from oep.data import plain
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


# Admin's tables (loads, users, data controllers) are read afresh for the one officer managing them.
@pytest.mark.parametrize("page", [page for page in PAGES if page != "pages/admin.py"])
def test_a_rerun_measures_no_download_again(demo_env: DemoEnv, page: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Each table's download is sized once per table (``ui.csv_size``, memoised on the frame):
    a rerun that makes a table's frame afresh sizes it again on every run of every session (at
    England scale, the Overview's Ofsted table cost a meeting's server about a second)."""
    at = log_in(new_app(), "officer")
    at.switch_page(page).run()
    assert not at.exception
    sized: list[int] = []
    write = plain.csv_bytes
    monkeypatch.setattr(plain, "csv_bytes", lambda frame: sized.append(frame.height)
                        or write(frame))
    at.run()
    assert not at.exception
    assert sized == []
