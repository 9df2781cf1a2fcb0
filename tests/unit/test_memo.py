"""A shared result is computed once however many sessions ask for it at the same moment."""

from __future__ import annotations

import subprocess
import threading
import time

import polars as pl
import pytest

from oep.data.memo import per_input, shared
from tests.conftest import read_at_start


def test_concurrent_callers_of_one_key_wait_for_one_computation() -> None:
    calls: list[int] = []

    @shared(maxsize=4)
    def slow(n: int) -> list[int]:
        calls.append(n)
        time.sleep(0.3)
        return [n]

    answers: list[list[int]] = []
    threads = [threading.Thread(target=lambda: answers.append(slow(7))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [7]
    assert all(a is answers[0] for a in answers)  # one copy, not one per caller


def test_keys_are_computed_apart_and_the_oldest_leaves_first() -> None:
    calls: list[tuple[int, str]] = []

    @shared(maxsize=2)
    def f(n: int, *, label: str = "") -> int:
        calls.append((n, label))
        return n

    f(1), f(2), f(1), f(3)  # 2 is now the least recently used: it leaves
    f(1), f(3), f(2), f(2, label="x")
    assert calls == [(1, ""), (2, ""), (3, ""), (2, ""), (2, "x")]
    f.cache_clear()  # type: ignore[attr-defined]
    f(1)
    assert calls[-1] == (1, "")


def test_a_failed_computation_is_not_kept() -> None:
    attempts: list[int] = []

    @shared(maxsize=2)
    def flaky(n: int) -> int:
        attempts.append(n)
        if len(attempts) == 1:
            raise ValueError("first try fails")
        return n

    with pytest.raises(ValueError):
        flaky(5)
    assert flaky(5) == 5
    assert attempts == [5, 5]


def test_frames_are_remembered_by_identity_and_kept_alive() -> None:
    calls: list[int] = []

    @per_input(maxsize=8)
    def total(frame: pl.DataFrame, *, column: str = "a") -> list[int]:
        calls.append(frame.height)
        return [int(frame[column].sum())]

    one = pl.DataFrame({"a": [1, 2], "b": [5, 5]})
    same_values = pl.DataFrame({"a": [1, 2], "b": [5, 5]})
    assert total(one) == [3]
    assert total(one) == [3]
    assert total(one, column="b") == [10]
    assert total(same_values) == [3]  # another object: computed for itself
    assert calls == [2, 2, 2]
    mine = total(one)
    mine.append(99)  # a caller extending its list leaves the kept one alone
    assert total(one) == [3]
    assert total(pl.DataFrame({"a": [4]})) == [4]


def test_unhashable_options_are_computed_every_time() -> None:
    calls: list[str] = []

    @per_input(maxsize=8)
    def label(frame: pl.DataFrame, options: set[str]) -> str:
        calls.append("x")
        return ",".join(sorted(options))

    frame = pl.DataFrame({"a": [1]})
    assert label(frame, {"b", "a"}) == "a,b"
    assert label(frame, {"b", "a"}) == "a,b"
    assert calls == ["x", "x"]


def test_an_entry_goes_with_its_input_frame() -> None:
    import gc

    @per_input(maxsize=8)
    def double(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.col("a") * 2)

    kept = pl.DataFrame({"a": [1]})
    double(kept)
    for n in range(20):  # frames made afresh on every run
        double(pl.DataFrame({"a": [n]}))
    gc.collect()
    assert double.cache_len() == 1  # type: ignore[attr-defined]
    assert double(kept)["a"].to_list() == [2]


def test_caches_together_keep_within_their_byte_budget_oldest_out_first() -> None:
    from oep.data.memo import Budget, OncePerKey

    budget = Budget(limit=3 * 8_000)
    first, second = OncePerKey(100, budget), OncePerKey(100, budget)
    computed: list[str] = []

    def frame(name: str) -> pl.DataFrame:
        computed.append(name)
        return pl.DataFrame({"x": range(1_000)}, schema={"x": pl.Int64})  # 8,000 bytes

    first.get("a", lambda: frame("a"))
    second.get("b", lambda: frame("b"))
    first.get("c", lambda: frame("c"))
    first.get("a", lambda: frame("a again"))  # a is now the most recently used
    second.get("d", lambda: frame("d"))  # over budget: b, the least recently used, goes
    assert budget.total == 3 * 8_000
    assert len(first) == 2 and len(second) == 1
    second.get("b", lambda: frame("b again"))  # worked out again; c goes
    first.get("a", lambda: frame("a third time"))
    assert computed == ["a", "b", "c", "d", "b again"]
    first.clear()
    second.clear()
    assert budget.total == 0


def test_an_entry_larger_than_the_budget_is_still_returned_and_kept_alone() -> None:
    from oep.data.memo import Budget, OncePerKey

    budget = Budget(limit=100)
    cache = OncePerKey(10, budget)
    big = cache.get("big", lambda: pl.DataFrame({"x": range(1_000)}))
    assert big.height == 1_000 and len(cache) == 1
    cache.get("next", lambda: pl.DataFrame({"x": range(1_000)}))
    assert len(cache) == 1 and budget.total == 8_000


def _budget_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return read_at_start("oep.data.memo", "MEMORY_BUDGET", env)


def test_the_cache_budget_is_read_from_oep_cache_mb_and_checked() -> None:
    assert _budget_with({"OEP_CACHE_MB": "64"}).stdout.strip() == str(64 * 1024 * 1024)
    assert _budget_with({}).stdout.strip() == str(192 * 1024 * 1024)
    for bad in ("8", "1.5", "lots", ""):
        refused = _budget_with({"OEP_CACHE_MB": bad})
        assert refused.returncode != 0
        assert (f"OEP_CACHE_MB is {bad!r}: expected a whole number of megabytes, at least 16"
                in refused.stderr)
