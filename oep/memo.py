"""Results shared by every session of the server process, each computed once per key.

``functools.lru_cache`` lets several threads compute the same missing key at once: at England
scale, three or four sessions ran the 18-second support-category assessment side by side, each
holding its own copy. ``shared`` caches the same way (least recently used first out), but a caller
asking for a key that another thread is computing waits for that result instead.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def shared(maxsize: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a pure function of hashable arguments: one computation per key, kept for all."""

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        results: OrderedDict[Hashable, Any] = OrderedDict()
        computing: dict[Hashable, threading.Lock] = {}
        guard = threading.Lock()

        def cached(key: Hashable) -> tuple[bool, Any]:
            with guard:
                if key in results:
                    results.move_to_end(key)
                    return True, results[key]
                return False, None

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            key = (args, tuple(sorted(kwargs.items())))
            found, value = cached(key)
            if found:
                return value
            with guard:
                lock = computing.setdefault(key, threading.Lock())
            with lock:
                found, value = cached(key)  # computed by the thread this one waited for
                if found:
                    return value
                try:
                    value = fn(*args, **kwargs)
                    with guard:
                        results[key] = value
                        while len(results) > maxsize:
                            results.popitem(last=False)
                finally:
                    with guard:
                        computing.pop(key, None)
            return value

        def cache_clear() -> None:
            with guard:
                results.clear()

        wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
        return wrapper

    return decorate
