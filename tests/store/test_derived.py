"""Results kept beside the store (oep/data/derived.py): a new server process reads the
support-category assessment instead of working it out again, and never reads one that is not
right for its question."""

from __future__ import annotations

import os
import stat
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from oep.data import auth, derived, memo, queries
from oep.data.config import load_settings
from oep.data.store import Store, copy_store, rebuilding
from oep.domain import categories
from oep.domain.categories_rules import RuleSet, assess_frames
from oep.tools.bench import clear_query_caches
from tests.conftest import DemoEnv

SETTINGS = load_settings()
RULES = RuleSet.from_settings(SETTINGS)
DAY = date(2026, 11, 29)


@pytest.fixture()
def store(demo_files: DemoEnv, tmp_path: Path) -> Store:
    copy_store(demo_files.store, tmp_path / "oep.duckdb")
    return Store(tmp_path / "oep.duckdb")


def _assessed(store: Store, suppress_below: int | None = None,
              rules: RuleSet = RULES) -> tuple[pl.DataFrame, pl.DataFrame]:
    return categories._assessed(store, store.version, rules, DAY, suppress_below)


def _as_a_new_process() -> None:
    clear_query_caches()


def _no_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the rules were worked out again")
    monkeypatch.setattr(categories, "assess_frames", refuse)


def test_a_new_process_reads_the_assessment_as_the_rules_gave_it(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    for suppress_below in (None, SETTINGS.suppression_min_count):
        expected = categories._kept(*assess_frames(
            *categories._evidence(store, RULES, suppress_below), RULES, DAY, every_check=False))
        _assessed(store, suppress_below)
    _as_a_new_process()
    _no_rules(monkeypatch)
    kept = _assessed(store, SETTINGS.suppression_min_count)
    for frame, rules_gave in zip(kept, expected, strict=True):
        assert frame.schema == rules_gave.schema
        assert frame.equals(rules_gave)
    assert len(list(derived.folder(store.path).iterdir())) == 2  # one per threshold


def test_an_assessment_the_byte_budget_pushed_out_is_read_back_not_worked_out(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-memory assessment is an entry of the shared byte budget like any other result: the
    threshold nobody asked for lately gives way, and comes back from beside the store."""
    monkeypatch.setattr(memo.BUDGET, "limit", 1)  # every new entry pushes the older ones out
    members = SETTINGS.suppression_min_count
    officers_view = _assessed(store)
    _assessed(store, members)
    assert not categories._assessed.holds(store, store.version, RULES, DAY, None)
    _no_rules(monkeypatch)
    for frame, as_worked_out in zip(_assessed(store), officers_view, strict=True):
        assert frame.equals(as_worked_out)


def test_what_is_kept_is_the_owners_only(store: Store) -> None:
    _assessed(store)
    here = derived.folder(store.path)
    assert stat.S_IMODE(here.stat().st_mode) == 0o700
    files = [path for path in here.rglob("*") if path.is_file()]
    assert files and all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in files)


def test_other_thresholds_or_another_day_are_worked_out(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _assessed(store)
    _as_a_new_process()
    _no_rules(monkeypatch)
    first = next(iter(SETTINGS.attendance))
    stricter = RuleSet.from_settings(replace(
        SETTINGS, attendance={**SETTINGS.attendance, first: SETTINGS.attendance[first] / 2}))
    assert stricter != RULES
    with pytest.raises(AssertionError, match="worked out again"):
        _assessed(store, rules=stricter)
    with pytest.raises(AssertionError, match="worked out again"):
        categories._assessed(store, store.version, RULES, date(2026, 11, 30), None)


def test_a_new_store_version_is_worked_out_and_the_old_ones_results_go(
        store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _assessed(store)
    old = list(derived.folder(store.path).iterdir())
    with rebuilding(store.path) as con:  # a load: a new version of the store
        con.execute("DELETE FROM ofsted_inspections WHERE urn = (SELECT min(urn) FROM "
                    "ofsted_inspections)")
    _as_a_new_process()
    calls = []
    rules = categories.assess_frames

    def counted(*args: object, **kwargs: object) -> tuple[pl.DataFrame, pl.DataFrame]:
        calls.append(1)
        return rules(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(categories, "assess_frames", counted)
    _assessed(store)
    assert calls == [1]
    now = list(derived.folder(store.path).iterdir())
    assert len(now) == 1 and now[0] not in old and not old[0].exists()


def test_an_unreadable_result_is_worked_out_again(store: Store) -> None:
    expected = _assessed(store)
    (kept,) = derived.folder(store.path).iterdir()
    (kept / "1.arrow").write_bytes(b"not an Arrow file")
    _as_a_new_process()
    again = _assessed(store)
    assert all(a.equals(b) for a, b in zip(again, expected, strict=True))
    assert (kept / "1.arrow").read_bytes() != b"not an Arrow file"


def test_an_la_viewers_pairings_are_kept_and_read_as_worked_out(
        demo_files: DemoEnv, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    officer = auth.viewer_for(demo_files.auth, "officer")
    assert officer is not None
    scope = queries.scope_for(store, officer, SETTINGS)
    worked_out = categories.pairings(store, scope, SETTINGS, DAY)
    assert worked_out.height > 0
    _as_a_new_process()
    _no_rules(monkeypatch)
    monkeypatch.setattr(categories, "_pairings", lambda *args: pytest.fail("paired again"))
    kept = categories.pairings(store, scope, SETTINGS, DAY)
    assert kept.schema == worked_out.schema and kept.equals(worked_out)


def test_results_of_earlier_days_go_when_a_new_one_is_kept(store: Store) -> None:
    """The assessment's key holds the day: a store unchanged for weeks must not keep one for
    every day."""
    categories._assessed(store, store.version, RULES, date(2026, 11, 27), None)
    (yesterdays,) = derived.folder(store.path).iterdir()
    two_days_ago = time.time() - 2 * 86400
    os.utime(yesterdays, (two_days_ago, two_days_ago))
    _assessed(store)  # today's, the same store version
    _assessed(store, SETTINGS.suppression_min_count)
    kept = list(derived.folder(store.path).iterdir())
    assert len(kept) == 2 and yesterdays not in kept
