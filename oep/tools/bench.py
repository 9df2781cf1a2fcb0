"""``python -m oep bench``: how long each page takes to render on the server, cold and warm.

Each page is run through Streamlit's AppTest as a logged-in LA officer (who sees every school: the
heaviest view). *Cold* is the first run after every query cache in ``oep`` is cleared (the DuckDB
connection stays open, as it does in the app), with what an import keeps beside the store
(``oep.present.warmup.keep``, ``oep.data.derived``) kept just before: the first page on a new
store version an import made, or of a restarted server; *nothing kept* is the same with nothing
kept either, as when a page asks before any work on a store version is done (a store changed by
other means, with the server's warm-up not yet done); *after warm-up* is the first run once the
work the app starts in the background when it opens a store version (``oep.present.warmup``) is
done; *warm* is a rerun. The figures are medians over ``runs`` rounds and include the whole script
(login check, context, page). The time the warm-up and an import's keeping take is printed first.
"""

from __future__ import annotations

import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from oep.data import auth, derived
from oep.present import headless, ui, warmup
from oep.tools.first_run import build_demo
from oep.data.config import ROOT
from oep.data.store import Store

APP = ROOT / "app.py"
PAGES = {
    "Overview": "pages/overview.py",
    "Attendance": "pages/attendance.py",
    "SEND": "pages/send.py",
    "School profile": "pages/school_profile.py",
    "Support categories": "pages/categories.py",
    "Disengagement": "pages/disengagement.py",
    "Admin": "pages/admin.py",
}
BENCH_USER = "bench_officer"


def clear_query_caches() -> None:
    """Forget every cached query result in ``oep`` (lru_caches keyed by store version)."""
    for name, module in list(sys.modules.items()):
        if name == "oep" or name.startswith("oep."):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


@contextmanager
def _environment(db: Path, folder: Path) -> Iterator[None]:
    """Point the app at ``db`` with a throw-away officer login and activity store."""
    users = folder / "users.yaml"
    auth.add_user(users, BENCH_USER, role="la_officer", org="LA", name="Benchmark (LA officer)",
                  email="bench@example.invalid", password=secrets.token_urlsafe(24))
    wanted = {"OEP_DB": str(db), "OEP_AUTH_FILE": str(users),
              "OEP_ACTIVITY_DB": str(folder / "activity.duckdb"),
              "OEP_COOKIE_KEY": os.environ.get("OEP_COOKIE_KEY") or secrets.token_urlsafe(32)}
    saved = {key: os.environ.get(key) for key in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _as_on_a_new_version(store: Store) -> None:
    """Nothing worked out held: no query cache, and no result kept beside the store."""
    clear_query_caches()
    shutil.rmtree(derived.folder(store.path), ignore_errors=True)


def _round(store: Store, page: str) -> tuple[float, float, float, float]:
    """A render of ``page`` with nothing kept, a cold one, one after the warm-up, and a warm
    one, logged in by seeding the session."""
    at = headless.app(APP, timeout=300)
    at.session_state[auth.SESSION_STATE_KEY] = auth.Session(BENCH_USER, 0)  # a new user's
    at.run()
    at.switch_page(page)
    _as_on_a_new_version(store)
    nothing_kept = _timed(at.run)
    _as_on_a_new_version(store)
    warmup.keep(store)  # as an import does after its load
    clear_query_caches()
    cold = _timed(at.run)
    clear_query_caches()
    warmup.warm(store)
    after_warm_up = _timed(at.run)
    warm = _timed(at.run)
    if at.exception:
        raise RuntimeError(f"{page} failed: {at.exception[0].value}")
    return nothing_kept, cold, after_warm_up, warm


def run_bench(db: Path, runs: int) -> int:
    """Print the median cold and warm render time of each page on the store ``db``."""
    if not db.exists():
        print(f"No store at {db}.", file=sys.stderr)
        return 1
    if runs < 1:
        print("--runs must be at least 1.", file=sys.stderr)
        return 1
    with (tempfile.TemporaryDirectory() as tmp, _environment(db, Path(tmp)),
          headless.navigation_only()):
        store = ui.ensure_store(build_demo)  # the app's own reader, whose caches the pages use
        warmup.wait(timeout=600)  # the warm-up the app started; each round clears it
        schools = store.scalar("SELECT count(*) FROM establishments")
        rows = store.scalar("SELECT count(*) FROM indicators")
        print(f"Store {db}: {schools:,} schools, {rows:,} indicator rows; "
              f"median of {runs} run(s) as an LA officer.")
        _as_on_a_new_version(store)  # the warm-up's work, not a read of what it kept
        print(f"Warm-up (in the background, once per store version and day): "
              f"{_timed(lambda: warmup.warm(store)):.3f} s")
        _as_on_a_new_version(store)
        print(f"An import's keeping for the app (after its load): "
              f"{_timed(lambda: warmup.keep(store)):.3f} s")
        print(f"{'Page':<20}{'nothing kept (s)':>17}{'cold (s)':>10}{'after warm-up (s)':>19}"
              f"{'warm (s)':>10}")
        for title, page in PAGES.items():
            timings = [_round(store, page) for _ in range(runs)]
            bare, cold, after, warm = (statistics.median(t[i] for t in timings) for i in range(4))
            print(f"{title:<20}{bare:>17.3f}{cold:>10.3f}{after:>19.3f}{warm:>10.3f}", flush=True)
    return 0
