"""Full garbage collections now and then: at most one per interval, whichever run asks first, the
long-lived objects frozen out of their way, and freed memory handed back to the system."""

import gc
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest

from oep.present import collector

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    made: list[str] = []
    for name in ("collect", "freeze", "unfreeze"):
        monkeypatch.setattr(gc, name, lambda *args, name=name: made.append(name) or 0)
    monkeypatch.setattr(collector, "give_back_free_memory", lambda: made.append("trim"))
    monkeypatch.setattr(collector, "_last_collect", float("-inf"))
    monkeypatch.setattr(collector, "_last_freeze", float("-inf"))
    return made


def test_the_first_collection_freezes_what_lives_long(calls: list[str]) -> None:
    assert collector.collect_now_and_then() == "refrozen"
    assert calls == ["unfreeze", "collect", "freeze", "trim"]


def test_at_most_one_collection_per_interval(calls: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    collector.collect_now_and_then(every=5)
    calls.clear()
    assert collector.collect_now_and_then(every=5) is None
    assert collector.collect_now_and_then(every=5) is None
    assert calls == []
    monkeypatch.setattr(collector, "_last_collect", time.monotonic() - 6)
    assert collector.collect_now_and_then(every=5) == "collected"
    assert calls == ["collect", "trim"]


def test_the_freeze_is_renewed_after_its_interval(calls: list[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    collector.collect_now_and_then(every=5, refreeze_every=600)
    calls.clear()
    monkeypatch.setattr(collector, "_last_collect", time.monotonic() - 6)
    monkeypatch.setattr(collector, "_last_freeze", time.monotonic() - 601)
    assert collector.collect_now_and_then(every=5, refreeze_every=600) == "refrozen"
    assert calls == ["unfreeze", "collect", "freeze", "trim"]


def test_a_cycle_left_by_a_run_is_freed(monkeypatch: pytest.MonkeyPatch) -> None:
    class Page:  # a page's globals and a function of its own refer to each other
        pass

    monkeypatch.setattr(collector, "_last_collect", float("-inf"))
    gc.disable()  # only the calls under test may collect
    try:
        collector.collect_now_and_then()  # freezes what is alive now
        page = Page()
        page.me = page
        ref = weakref.ref(page)
        del page
        assert ref() is not None
        monkeypatch.setattr(collector, "_last_collect", float("-inf"))
        assert collector.collect_now_and_then() == "collected"
        assert ref() is None
    finally:
        gc.unfreeze()
        gc.enable()


def _python(script: str) -> subprocess.CompletedProcess[str]:
    """``script`` run by a new Python process from the repository, which must succeed."""
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert ran.returncode == 0, ran.stderr
    return ran


def test_what_was_frozen_is_finalised_when_the_process_ends(tmp_path: Path) -> None:
    script = (
        "import duckdb\n"
        "from oep.present import collector\n"
        f"con = duckdb.connect({str(tmp_path / 'x.duckdb')!r})\n"
        "con.execute('CREATE TABLE t (i INT)')\n"
        "cycle = [con]; cycle.append(cycle)\n"
        "collector.collect_now_and_then()\n"
    )
    assert "leaked" not in _python(script).stderr


def test_memory_freed_between_live_blocks_goes_back_to_the_system() -> None:
    """What DuckDB frees amid blocks still in use stays with glibc until trimmed: a process
    keeping one 4 KB block in 16 of 200 MB holds about 200 MB until the collection hands it
    back."""
    script = (
        "import sys\n"
        "from oep.present import collector\n"
        "def rss():\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith('VmRSS'):\n"
        "            return int(line.split()[1]) // 1024\n"
        "blocks = [bytearray(4096) for _ in range(50_000)]\n"
        "kept = blocks[::16]\n"
        "del blocks\n"
        "before = rss()\n"
        "collector.collect_now_and_then()\n"
        "print(before, rss())\n"
    )
    before, after = map(int, _python(script).stdout.split())
    assert before - after > 100, (before, after)
