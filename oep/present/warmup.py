"""Work shared by every viewer, started in the background when the app first sees a store version.

At England scale the support-category rules take seconds for 24,000 schools. They are the same for
every viewer of a kind, so they are worked out once per store version (``oep.data.memo``); this
module starts that work as soon as the app opens the store (at the log-in page, or at the first
page after an import) instead of when the first person opens Support categories or a school
profile. A page that asks while the work is running waits for it rather than doing it again.
"""

from __future__ import annotations

import logging
import threading

from oep.data import queries
from oep.domain import categories
from oep.data.config import load_settings
from oep.data.store import Store

THREAD_NAME = "oep-warm-up"
_started: set[tuple[str, tuple[int, int]]] = set()
_lock = threading.Lock()
log = logging.getLogger(__name__)


def start(store: Store) -> bool:
    """Begin warming ``store``'s current version in a background thread, once per version.
    True when this call started it."""
    key = (str(store.path), store.version)
    with _lock:
        if key in _started:
            return False
        _started.add(key)
    threading.Thread(target=_warm_quietly, args=(store,), name=THREAD_NAME, daemon=True).start()
    return True


def wait(timeout: float) -> bool:
    """Wait for every running warm-up; True when none is left running."""
    for thread in threading.enumerate():
        if thread.name == THREAD_NAME:
            thread.join(timeout)
    return not any(t.name == THREAD_NAME for t in threading.enumerate())


def warm(store: Store) -> None:
    """What the first pages ask for: the years and pupil groups held, every school, and the
    categories as LA viewers and as members read the figures."""
    queries.academic_years(store)
    queries.pupil_groups(store)
    settings = load_settings()
    queries.visible_schools(store, queries.scope_for(store, categories.RULES_VIEWER, settings))
    categories.prepare(store, settings)


def _warm_quietly(store: Store) -> None:
    try:
        warm(store)
    except Exception:  # a page asking later meets (and shows) the same error itself
        log.exception("Warming the store %s failed", store.path)
