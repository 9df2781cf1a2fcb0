"""Many sessions rendering at once in one server process must all finish (no hang, no error).

A polars expression calling back into Python (``map_elements``) while another session converted a
frame to pandas (as ``st.dataframe`` does) hung the whole server for good; sessions drawing their
first pages at once after a start also met half-imported modules, Python 3.11's thread-unsafe AST
building and DuckDB refusing a second attach of the activity file. One failure ends a meeting for
everybody, so every demo viewer opens every page three times over, at once, on a cold server driven
the way browsers drive it (``oep.tools.loadtest``); a session that never finishes is an error.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from oep.tools import loadtest
from tests.conftest import DEMO_PASSWORD, DEMO_USERNAMES, DemoEnv

ROOT = Path(__file__).resolve().parents[2]
PYTHON_CALLBACKS = re.compile(r"\.(map_elements|map_batches|map_rows|map_groups)\(")


def test_every_page_renders_for_every_viewer_from_many_sessions_at_once(
        demo_files: DemoEnv, tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    shutil.copyfile(demo_files.auth, users)
    logins = [(username, DEMO_PASSWORD) for username in DEMO_USERNAMES] * 3
    with loadtest.server(demo_files.store, tmp_path, "", users=users) as (port, _):
        timings = loadtest.drive(port, logins, (0.0, 0.2), limit_s=300)
    assert not timings.errors, timings.errors
    for page in loadtest.PAGES:
        assert len(timings.by_page[page]) == len(logins), page


def test_no_python_callbacks_inside_polars_on_the_serving_path() -> None:
    files = [ROOT / "app.py", *sorted((ROOT / "oep").rglob("*.py")),
             *sorted((ROOT / "pages").rglob("*.py"))]
    found = [f"{path.relative_to(ROOT)}:{number}" for path in files
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if PYTHON_CALLBACKS.search(line)]
    assert not found, f"polars calls back into Python (deadlocks under threads): {found}"
