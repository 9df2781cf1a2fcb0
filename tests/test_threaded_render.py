"""Many sessions rendering at once in one process must all finish (no deadlock, no error).

A polars expression calling back into Python (``map_elements``) while another thread converted a
frame to pandas (as ``st.dataframe`` does) hung the whole server for good; one hang ends a meeting
for everybody. The child process is killed if it does not finish in time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import DemoEnv

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 240
PYTHON_CALLBACKS = re.compile(r"\.(map_elements|map_batches|map_rows|map_groups)\(")


def test_every_page_renders_for_every_viewer_from_many_threads_at_once(
        demo_files: DemoEnv, tmp_path: Path) -> None:
    env = {**os.environ, "OEP_DB": str(demo_files.store), "OEP_AUTH_FILE": str(demo_files.auth),
           "OEP_ACTIVITY_DB": str(tmp_path / "activity.duckdb")}
    try:
        done = subprocess.run([sys.executable, "-m", "tests.threaded_pages", "3"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"sessions rendering at once did not finish in {TIMEOUT_S} s: "
                             "the process hung") from None
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]


def test_no_python_callbacks_inside_polars_on_the_serving_path() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}"
             for folder in ("oep", "pages") for path in sorted((ROOT / folder).rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), 1)
             if PYTHON_CALLBACKS.search(line)]
    found += [f"app.py:{n}" for n, line in enumerate((ROOT / "app.py").read_text().splitlines(), 1)
              if PYTHON_CALLBACKS.search(line)]
    assert not found, f"polars calls back into Python (deadlocks under threads): {found}"
