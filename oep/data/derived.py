"""Results worked out from a store version, kept in files beside the store
(``oep.duckdb.derived/``).

At England scale the support-category rules take about 0.7 s of CPU (per suppression threshold, on
one polars thread).
Kept only in memory (``oep.data.memo``), they were worked out again by every new server process, a
restart or each process of a cluster, before its first Support categories page; read from here
they take milliseconds. A result's folder name carries all it depends on: the store version, the
question asked and the code that answered it (every ``oep`` source file and polars' version), so a
kept result is right for the question or is never read. A folder appears whole (written aside,
then renamed) and the results of other store versions are removed when a new one is written.

What is kept here is worked out from the store and is as private as the store: the folder is the
owner's only, and git ignores it beside the live store.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Hashable
from pathlib import Path

import polars as pl

from oep.data.store import Store, private_folder

log = logging.getLogger(__name__)

# A result written aside by a process that died is removed after this long.
STALE_SECONDS = 3600.0
# A result's folders older than this go when another is written: the assessment's key holds the
# day, so without this a store left unchanged for weeks kept a new assessment for every day.
OLD_RESULT_SECONDS = 86400.0


def folder(store_path: Path) -> Path:
    return store_path.with_name(f"{store_path.name}.derived")


@functools.cache
def _code() -> str:
    """A digest of the code that works results out: every source file of ``oep``."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(pl.__version__.encode())
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _version_label(version: tuple[int, int]) -> str:
    return "-".join(str(part) for part in version)


def _place(store: Store, version: tuple[int, int], name: str, key: Hashable) -> Path:
    asked = hashlib.sha256(repr((name, key, _code())).encode()).hexdigest()[:32]
    return folder(store.path) / f"{name}-{_version_label(version)}-{asked}"


def holds(store: Store, version: tuple[int, int], name: str, key: Hashable) -> bool:
    """Whether the result of ``name`` for ``key`` at ``version`` is kept."""
    return _place(store, version, name, key).is_dir()


def frames(store: Store, version: tuple[int, int], name: str, key: Hashable,
           compute: Callable[[], tuple[pl.DataFrame, ...]]) -> tuple[pl.DataFrame, ...]:
    """The frames ``compute`` gives for ``key`` at the store's ``version``: read if kept, else
    worked out and kept. ``key``'s ``repr`` must say everything the result depends on beyond the
    store version and the code (arguments, settings, the day)."""
    place = _place(store, version, name, key)
    kept = _read(place)
    if kept is not None:
        return kept
    value = compute()
    if store.version == version:  # a result of a version replaced meanwhile is not kept
        _keep(place, value, name, version)
    return value


def _read(place: Path) -> tuple[pl.DataFrame, ...] | None:
    try:
        files = sorted(place.iterdir(), key=lambda path: int(path.stem))
        return tuple(pl.read_ipc(path) for path in files)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, pl.exceptions.PolarsError):
        log.warning("A kept result at %s could not be read; working it out again", place,
                    exc_info=True)
        shutil.rmtree(place, ignore_errors=True)
        return None


def _keep(place: Path, value: tuple[pl.DataFrame, ...], name: str,
          version: tuple[int, int]) -> None:
    """Write ``value`` aside and rename it to ``place``; then remove this result's folders of
    other store versions or older than a day, and what writers that died left aside."""
    try:
        private_folder(place.parent)
        aside = Path(tempfile.mkdtemp(prefix=".aside-", dir=place.parent))
        for index, frame in enumerate(value):
            frame.write_ipc(aside / f"{index}.arrow")
            os.chmod(aside / f"{index}.arrow", 0o600)
        try:
            aside.rename(place)
        except OSError:  # another process kept the same result first
            shutil.rmtree(aside, ignore_errors=True)
    except OSError:
        log.warning("Could not keep a result at %s; it will be worked out again", place,
                    exc_info=True)
        return
    same_result, same_version = f"{name}-", f"{name}-{_version_label(version)}-"
    now = time.time()
    for entry in place.parent.iterdir():
        age = now - _mtime(entry)
        gone = entry != place and entry.name.startswith(same_result) and (
            not entry.name.startswith(same_version) or age > OLD_RESULT_SECONDS)
        left_aside = entry.name.startswith(".aside-") and age > STALE_SECONDS
        if gone or left_aside:
            shutil.rmtree(entry, ignore_errors=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()
