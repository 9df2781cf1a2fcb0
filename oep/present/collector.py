"""Full garbage collections now and then, cheap because what lives long is set aside.

Streamlit runs a page as a fresh module each time. A function the page defines refers back to
that module's globals, so the frames a page run made are freed only by a full (cyclic)
collection. Streamlit's full collection after every run (``runner.postScriptGC``) cost a fifth of
the server's time under load, so it is off (README "Serving and speed"); without it, Python's own
full collections are rare on a large heap, and finished runs piled up.

A full collection walks every object: about 0.2 s once the imports and the shared results are
in memory, at England scale. So the long-lived objects are frozen (``gc.freeze``: moved where
collections do not look) and collections walk only what runs made since: about 1-5 ms. Frozen
objects that later become garbage in a cycle would stay, so every ``REFREEZE_EVERY`` seconds the
freeze is lifted, everything collected once, and frozen again; and it is lifted when the
process ends, so that what was set aside is finalised (DuckDB connections closed) as usual.

After a collection, the C allocator is asked to give its free pages back (glibc's
``malloc_trim``): DuckDB allocates through it, and under a meeting's load at England scale it held
200-340 MB freed but not returned. So is Arrow's (mimalloc), which the tables sent to the
browser go through: at England scale it held about 30 MB freed after eight people's visits.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import gc
import threading
import time
from collections.abc import Callable

import pyarrow as pa

# Every second at most: what runs leave in cycles is held until then. At England scale, thirty
# sessions' server peaked at 1.05-1.12 GB collecting every 5 s and 0.97-1.03 GB every second; a
# collection after every run did no better.
COLLECT_EVERY = 1.0
REFREEZE_EVERY = 600.0

_lock = threading.Lock()
_last_collect = float("-inf")
_last_freeze = float("-inf")
atexit.register(gc.unfreeze)


def _glibc_trim() -> Callable[[], object]:
    """glibc's ``malloc_trim(0)``, or nothing where the C library is another."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


_trim_c_allocator = _glibc_trim()


def give_back_free_memory() -> None:
    """Hand the pages the C allocator and Arrow's hold freed back to the system."""
    _trim_c_allocator()
    pa.default_memory_pool().release_unused()


def collect_now_and_then(every: float = COLLECT_EVERY,
                         refreeze_every: float = REFREEZE_EVERY) -> str | None:
    """Collect if no run has in the last ``every`` seconds, first freezing everything alive if
    that was last done ``refreeze_every`` seconds ago or never. Says what it did, if anything
    ("collected" or "refrozen")."""
    global _last_collect, _last_freeze
    now = time.monotonic()
    with _lock:
        if now - _last_collect < every:
            return None
        _last_collect = now
        refreeze = now - _last_freeze >= refreeze_every
        if refreeze:
            _last_freeze = now
    if refreeze:
        gc.unfreeze()
    gc.collect()
    if refreeze:
        gc.freeze()
    give_back_free_memory()
    return "refrozen" if refreeze else "collected"
