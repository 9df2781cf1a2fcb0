"""Work shared by every viewer, started in the background when the app first sees a store version.

At England scale the support-category rules take seconds for 24,000 schools. They are the same for
every viewer of a kind, so they are worked out once per store version and day (``oep.data.memo``,
and kept beside the store by ``oep.data.derived``); this module starts that work as soon as the
app opens the store (at the log-in page, or at the first page after an import), again just after
midnight (the rules read the day: an inspection's age), and ``keep`` lets an import do it before
any server looks, instead of when the first person opens Support categories or a school profile.
A page that asks while the work is running waits for it rather than doing it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import weakref

from oep.data import queries
from oep.domain import attendance, categories
from oep.domain.attendance import ATTENDANCE_MEASURES
from oep.present import boardpack, display
from oep.data.config import load_settings
from oep.data.store import Store

THREAD_NAME = "oep-warm-up"
# After midnight by this much, so that the warm-up's day is the new one.
PAST_MIDNIGHT = dt.timedelta(seconds=5)
_started: set[tuple[str, tuple[int, int], dt.date]] = set()
# The stores warmed, while the app holds them (a test's are let go).
_stores: weakref.WeakValueDictionary[str, Store] = weakref.WeakValueDictionary()
_next_day: threading.Timer | None = None
_lock = threading.Lock()
log = logging.getLogger(__name__)


def start(store: Store) -> bool:
    """Begin warming ``store``'s current version in a background thread, once per version and
    day. True when this call started it."""
    key = (str(store.path), store.version, dt.date.today())
    with _lock:
        if key in _started:
            return False
        _started.add(key)
        _stores[str(store.path)] = store
        _start_again_tomorrow()
    # Not a daemon: a process ending while DuckDB worked in a daemon thread aborted in DuckDB's
    # teardown (exit status 134); the process waits for the warm-up instead (seconds at most).
    threading.Thread(target=_warm_quietly, args=(store,), name=THREAD_NAME, daemon=False).start()
    return True


def _start_again_tomorrow() -> None:
    """Once per process (called under ``_lock``): warm every store seen just after midnight, so
    that the first page of the day does not wait for the day's assessment."""
    global _next_day
    if _next_day is not None and _next_day.is_alive():
        return
    now = dt.datetime.now()
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time())
    _next_day = threading.Timer((midnight + PAST_MIDNIGHT - now).total_seconds(), _new_day)
    _next_day.daemon = True  # a stopping server does not wait for tomorrow
    _next_day.name = "oep-next-day"
    _next_day.start()


def _new_day() -> None:
    global _next_day
    with _lock:
        _next_day = None
        stores = list(_stores.values())
    for store in stores:
        start(store)
    with _lock:  # whether or not a start above did (a clock put back may fire this early)
        _start_again_tomorrow()


def keep(store: Store) -> None:
    """Work out and keep beside the store (``oep.data.derived``) what a server's first pages
    read from there: the assessments at both thresholds and an LA viewer's pairings. An import
    runs this after its load, so that no server's first page on the new version waits for them."""
    settings = load_settings()
    categories.prepare(store, settings)
    categories.pairings(store, queries.scope_for(store, categories.RULES_VIEWER, settings),
                        settings)


def keep_after_load(store: Store) -> str | None:
    """``keep``, as an import runs it after its load: None when done, else why not. The load
    stands either way; a page that asks first works the categories out itself."""
    try:
        keep(store)
    except Exception as exc:
        log.exception("Working out the support categories of %s after a load failed", store.path)
        return str(exc)
    return None


def wait(timeout: float) -> bool:
    """Wait for every running warm-up; True when none is left running."""
    for thread in threading.enumerate():
        if thread.name == THREAD_NAME:
            thread.join(timeout)
    return not any(t.name == THREAD_NAME for t in threading.enumerate())


def warm(store: Store) -> None:
    """What the first pages ask for: the years and pupil groups held, the loads the freshness
    line names, every school, the categories as LA viewers and as members read the figures, and
    what an LA viewer's first Attendance, School profile and Support categories pages read that
    is the same for every LA viewer (each page keeps these anyway, shared by every session)."""
    years = queries.academic_years(store)
    groups = queries.pupil_groups(store)
    queries.sources(store)
    keep(store)
    settings = load_settings()
    everyone = queries.scope_for(store, categories.RULES_VIEWER, settings)
    queries.comparators(store, ATTENDANCE_MEASURES, phases=None)
    schools = attendance.with_phase_names(queries.visible_schools(store, everyone))
    if not schools.is_empty():  # the School profile page's first school
        first = display.first_school(display.school_options(schools), everyone.own_urn)
        boardpack.school_rows(store, everyone, settings.la_code,
                              display.school_record(schools, first))
    terms = queries.terms_held(store)
    if years and terms and groups:  # the Attendance page's first choices: the first of each
        queries.school_indicators(
            store, everyone, attendance.year_measures(ATTENDANCE_MEASURES[0]),
            time_identifiers=(terms[0],), pupil_groups=(groups[0],), time_periods=(years[0],))


def _warm_quietly(store: Store) -> None:
    try:
        warm(store)
    except Exception:  # a page asking later meets (and shows) the same error itself
        log.exception("Warming the store %s failed", store.path)
