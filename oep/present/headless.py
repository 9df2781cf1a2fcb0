"""Pages run without a browser, through Streamlit's AppTest: for the benchmark and the tests.

AppTest re-detects the legacy ``pages/`` directory before every run and then, from the second run
on, executes a page file without app.py; the server detects it once and ``st.navigation`` switches
it off for the process. ``navigation_only`` makes AppTest behave like the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test


class NavigationPagesManager(PagesManager):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@contextmanager
def navigation_only() -> Iterator[None]:
    """AppTests made inside run like the server with ``st.navigation``."""
    original = app_test.PagesManager
    app_test.PagesManager = NavigationPagesManager  # type: ignore[misc]
    try:
        yield
    finally:
        app_test.PagesManager = original  # type: ignore[misc]


def app(path: Path, timeout: float) -> AppTest:
    """An AppTest of the script at ``path``."""
    return AppTest.from_file(str(path), default_timeout=timeout)
