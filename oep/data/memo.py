"""Results shared by every session of the server process, each computed once per key.

``functools.lru_cache`` lets several threads compute the same missing key at once: at England
scale, three or four sessions ran the 18-second support-category assessment side by side, each
holding its own copy. These caches keep results the same way (least recently used out first), but
a caller asking for a key that another thread is computing waits for that result instead.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

import polars as pl
import pyarrow as pa

from oep.data.config import whole_number_setting

# Entries per function: enough for every page's views of a meeting (filters x viewer scopes).
MEMO_SIZE = 512


# Bytes of frames all caches together may hold (``OEP_CACHE_MB``, default 192). At England scale
# one borough-wide year of figures is 15 MB; least recently used entries (of any cache) go first,
# and are worked out again if asked for. In an earlier version, 320 MB held thirty officers' server
# at 2.0 GB, and 160 MB (with DuckDB's 128 MB) at 1.6 GB; 160 MB now slowed their pages (p95 4.1 s
# against 1.6 s at reading pace) for under 20 MB less (README, Serving and speed).
MEMORY_BUDGET = (whole_number_setting("OEP_CACHE_MB", 192, least=16, unit="megabytes")
                 * 1024 * 1024)

P = ParamSpec("P")
R = TypeVar("R")


# What a cached value's frames can be in.
_HOLDERS = (pl.DataFrame, pa.Table, tuple, list, dict)


def frame_bytes(value: Any) -> int:
    """What the frames (polars or Arrow) in a cached value take (tuples, lists and dicts looked
    into)."""
    if isinstance(value, pl.DataFrame):
        return int(value.estimated_size())
    if isinstance(value, pa.Table):
        return int(value.nbytes)
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, (tuple, list)):
        return 0
    # Only what may hold frames is looked into: a school picker's 24,000 names took 0.02 s.
    return sum(frame_bytes(v) for v in value if isinstance(v, _HOLDERS))


class Budget:
    """The bytes held by the entries of every cache together, least recently used first out."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: OrderedDict[tuple[int, Hashable], tuple[OncePerKey, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    @property
    def total(self) -> int:
        return self._total

    def add(self, cache: OncePerKey, key: Hashable, size: int) -> None:
        victims = []
        with self._lock:
            self._drop((id(cache), key))
            self._entries[(id(cache), key)] = (cache, size)
            self._total += size
            while self._total > self.limit and len(self._entries) > 1:
                (_, old_key), (old_cache, _) = next(iter(self._entries.items()))
                self._drop((id(old_cache), old_key))
                victims.append((old_cache, old_key))
        for old_cache, old_key in victims:  # outside the lock: a cache takes its own
            old_cache.discard(old_key, budgeted=False)

    def touch(self, cache: OncePerKey, key: Hashable) -> None:
        with self._lock:
            if (id(cache), key) in self._entries:
                self._entries.move_to_end((id(cache), key))

    def remove(self, cache: OncePerKey, key: Hashable) -> None:
        with self._lock:
            self._drop((id(cache), key))

    def _drop(self, entry: tuple[int, Hashable]) -> None:
        found = self._entries.pop(entry, None)
        if found is not None:
            self._total -= found[1]


BUDGET = Budget(MEMORY_BUDGET)


class OncePerKey:
    """A bounded cache whose missing keys are computed by one caller while the others wait.

    Entries count against ``budget`` (by their frames' bytes) beside ``maxsize``.
    """

    def __init__(self, maxsize: int, budget: Budget | None = BUDGET) -> None:
        self.maxsize = maxsize
        self.budget = budget
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        # Re-entrant: freeing an entry can run a weak reference's callback that discards another.
        self._guard = threading.RLock()

    def _cached(self, key: Hashable) -> tuple[bool, Any]:
        with self._guard:
            if key in self._results:
                self._results.move_to_end(key)
                found = True, self._results[key]
            else:
                return False, None
        if self.budget is not None:
            self.budget.touch(self, key)
        return found

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        found, value = self._cached(key)
        if found:
            return value
        with self._guard:
            lock = self._computing.setdefault(key, threading.Lock())
        with lock:
            found, value = self._cached(key)  # computed by the thread this one waited for
            if found:
                return value
            try:
                value = compute()
                with self._guard:
                    self._results[key] = value
                    trimmed = []
                    while len(self._results) > self.maxsize:
                        trimmed.append(self._results.popitem(last=False)[0])
            finally:
                with self._guard:
                    self._computing.pop(key, None)
            if self.budget is not None:
                for old in trimmed:
                    self.budget.remove(self, old)
                self.budget.add(self, key, frame_bytes(value))
        return value

    def holds(self, key: Hashable) -> bool:
        """Whether ``key``'s result is kept (not whether some thread is computing it)."""
        with self._guard:
            return key in self._results

    def discard(self, key: Hashable, *, budgeted: bool = True) -> None:
        with self._guard:
            self._results.pop(key, None)
        if budgeted and self.budget is not None:
            self.budget.remove(self, key)

    def clear(self) -> None:
        with self._guard:
            keys = list(self._results)
            self._results.clear()
        if self.budget is not None:
            for key in keys:
                self.budget.remove(self, key)

    def __len__(self) -> int:
        return len(self._results)


def shared(maxsize: int, *, budgeted: bool = True) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a pure function of hashable arguments: one computation per key, kept for all.

    ``budgeted=False`` keeps entries out of the shared byte budget (only ``maxsize`` bounds them):
    for the few results that take seconds to work out and that every page needs. The wrapper's
    ``holds(*args, **kwargs)`` says whether that call's result is already kept.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        cache = OncePerKey(maxsize, BUDGET if budgeted else None)

        def key_of(*args: P.args, **kwargs: P.kwargs) -> Hashable:
            return (args, tuple(sorted(kwargs.items())))

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            return cache.get(key_of(*args, **kwargs), lambda: fn(*args, **kwargs))

        def holds(*args: P.args, **kwargs: P.kwargs) -> bool:
            return cache.holds(key_of(*args, **kwargs))

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        wrapper.holds = holds  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _key_part(value: Any) -> Hashable:
    if isinstance(value, pl.DataFrame):
        return ("frame", id(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_key_part(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, _key_part(v)) for k, v in value.items()))
    hash(value)  # a TypeError here: the call is not memoised
    return value


def per_input(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Memoise a pure function of frames: the same frame objects and options give the same result.

    Query results are shared objects (``shared`` above), so the shaping, tables and figures that
    every rerun of every session builds from them are the same too: they are kept here, keyed by
    the identity of each frame argument. An entry lives only as long as its input frames (weak
    references), so a frame made afresh on one run costs nothing after that run, and no other
    frame can be taken for it. A list or dict result is copied for each caller, who may change it;
    frames are immutable and figures are only read.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        cache = OncePerKey(maxsize)

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                key = (_key_part(args), _key_part(dict(sorted(kwargs.items()))))
            except TypeError:
                return fn(*args, **kwargs)
            inputs = [v for v in (*args, *kwargs.values()) if isinstance(v, pl.DataFrame)]

            def compute() -> tuple[Any, list[weakref.ref]]:
                forget = functools.partial(_forget, cache, key)
                return fn(*args, **kwargs), [weakref.ref(frame, forget) for frame in inputs]

            value, refs = cache.get(key, compute)
            if any(ref() is None for ref in refs):  # an input died as this entry was read
                value = fn(*args, **kwargs)
            if isinstance(value, (list, dict)):
                return value.copy()  # type: ignore[return-value]
            return value

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        wrapper.cache_len = cache.__len__  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _forget(cache: OncePerKey, key: Hashable, _: weakref.ref) -> None:
    cache.discard(key)
