"""Results shared by every session of the server process, each computed once per key.

``functools.lru_cache`` lets several threads compute the same missing key at once: at England
scale, three or four sessions ran the 18-second support-category assessment side by side, each
holding its own copy. These caches keep results the same way (least recently used out first), but
a caller asking for a key that another thread is computing waits for that result instead.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

import polars as pl

P = ParamSpec("P")
R = TypeVar("R")


class OncePerKey:
    """A bounded cache whose missing keys are computed by one caller while the others wait."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._results: OrderedDict[Hashable, Any] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def _cached(self, key: Hashable) -> tuple[bool, Any]:
        with self._guard:
            if key in self._results:
                self._results.move_to_end(key)
                return True, self._results[key]
            return False, None

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
                    while len(self._results) > self.maxsize:
                        self._results.popitem(last=False)
            finally:
                with self._guard:
                    self._computing.pop(key, None)
        return value

    def clear(self) -> None:
        with self._guard:
            self._results.clear()


def shared(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a pure function of hashable arguments: one computation per key, kept for all."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        cache = OncePerKey(maxsize)

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (args, tuple(sorted(kwargs.items())))
            return cache.get(key, lambda: fn(*args, **kwargs))

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
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
    the identity of each frame argument. An entry holds its input frames, so no other frame can
    take one of their ids while it lives. A list result is copied for each caller, who may extend
    it; frames are immutable and figures are only read.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        cache = OncePerKey(maxsize)

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                key = (_key_part(args), _key_part(dict(sorted(kwargs.items()))))
            except TypeError:
                return fn(*args, **kwargs)
            inputs = tuple(v for v in (*args, *kwargs.values()) if isinstance(v, pl.DataFrame))
            value, _ = cache.get(key, lambda: (fn(*args, **kwargs), inputs))
            return list(value) if isinstance(value, list) else value  # type: ignore[return-value]

        wrapper.cache_clear = cache.clear  # type: ignore[attr-defined]
        return wrapper

    return decorate
