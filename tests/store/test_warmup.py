"""The shared work is started once per store version when the app opens the store, and a page
asking afterwards finds it done instead of doing it again."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from oep.data import auth, queries
from oep.data.access import LA_ORG, Viewer
from oep.domain import attendance, categories, categories_rules
from oep.domain.attendance import ATTENDANCE_MEASURES
from oep.present import boardpack, display, warmup
from oep.tools.bench import clear_query_caches
from oep.data.config import load_settings
from oep.data.importers import import_file
from oep.data.store import Store, copy_store
from tests.conftest import DemoEnv, import_cli
from tests.store.test_importers import OWN


def test_after_warming_no_page_reassesses_the_schools(demo_files: DemoEnv, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "oep.duckdb"
    copy_store(demo_files.store, db)
    store = Store(db)
    clear_query_caches()
    warmup.warm(store)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the rules ran again")

    monkeypatch.setattr(categories, "assess_frames", refuse)
    monkeypatch.setattr(categories_rules, "assess_frames", refuse)
    settings = load_settings()
    for viewer in ("officer", "board"):
        scope = queries.scope_for(store, auth.viewer_for(demo_files.auth, viewer), load_settings())
        assert categories.suggestions(store, scope, settings).height > 0
    store.close()


def test_warming_starts_once_per_store_version(store: Path) -> None:
    reader = Store(store)
    assert warmup.start(reader)
    assert not warmup.start(reader)
    import_file(OWN / "absence_school_wide_202324.csv", db=store)
    assert warmup.start(reader), "an import makes a new version to warm"
    assert warmup.wait(timeout=60)
    reader.close()


def test_an_import_keeps_its_versions_categories_so_no_page_works_them_out(
        store: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """After ``python -m oep import``, a server's first pages on the new version read the
    categories the import kept beside the store, as LA officers see them and as a head does
    (figures suppressed below LA level)."""
    assert import_cli(OWN / "absence_school_wide_202324.csv", store) == 0
    assert "Support categories worked out and kept for the app" in capsys.readouterr().out
    reader = Store(store)
    clear_query_caches()  # a server process that has worked nothing out

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the rules ran again")

    monkeypatch.setattr(categories, "assess_frames", refuse)
    monkeypatch.setattr(categories_rules, "assess_frames", refuse)
    settings = load_settings()
    school = queries.every_school(reader)["urn"][0]
    for role, org in (("la_officer", LA_ORG), ("head", school)):
        scope = queries.scope_for(reader, Viewer("someone", "Someone", role, org), settings)
        assert scope.min_count == (None if role == "la_officer" else settings.suppression_min_count)
        assert categories.suggestions(reader, scope, settings).height > 0
        assert categories.pairings(reader, scope, settings).columns
    reader.close()


def test_a_new_day_warms_every_store_again_without_a_page_asking(
        store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules read the day (an inspection's age): just after midnight the app warms each store
    it holds for the new day, so that the day's first page does not wait for the assessment."""
    reader = Store(store)
    assert warmup.start(reader)
    assert warmup.wait(timeout=60)
    assert not warmup.start(reader)
    tomorrow = dt.date.today() + dt.timedelta(days=1)

    class Tomorrow(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return tomorrow

    started: list[Store] = []
    monkeypatch.setattr(warmup, "dt", SimpleNamespace(**{**vars(dt), "date": Tomorrow}))
    monkeypatch.setattr(warmup, "_warm_quietly", started.append)
    warmup._new_day()
    assert warmup.wait(timeout=60)
    assert started.count(reader) == 1  # with any other store this process's app still holds
    assert not warmup.start(reader), "once a day"
    reader.close()


def test_after_warming_an_la_viewers_first_pages_read_no_more_figures(
        demo_files: DemoEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The capacity pairings, the School profile page's first school and the Attendance page's
    first view of every school (the first of each of its choices) are the same for every LA
    viewer: warmed, not read again."""
    db = tmp_path / "oep.duckdb"
    copy_store(demo_files.store, db)
    store = Store(db)
    clear_query_caches()
    warmup.warm(store)
    settings = load_settings()
    officer = queries.scope_for(store, auth.viewer_for(demo_files.auth, "officer"), settings)
    years, terms = queries.academic_years(store), queries.terms_held(store)
    groups = queries.pupil_groups(store)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the store was read again")

    monkeypatch.setattr(Store, "frame", refuse)
    assert categories.pairings(store, officer, settings).height > 0
    assert queries.school_indicators(
        store, officer, attendance.year_measures(ATTENDANCE_MEASURES[0]),
        time_identifiers=(terms[0],), pupil_groups=(groups[0],),
        time_periods=(years[0],)).height > 0
    schools = attendance.with_phase_names(queries.visible_schools(store, officer))
    first = display.school_record(
        schools, display.first_school(display.school_options(schools), officer.own_urn))
    assert boardpack.school_rows(store, officer, settings.la_code, first)[0].height > 0
    monkeypatch.undo()
    store.close()


def test_a_process_ending_during_the_warm_up_ends_cleanly(demo_files: DemoEnv,
                                                          tmp_path: Path) -> None:
    """A server stopped (or a test run ending) while the warm-up reads the store waits for it:
    ending with DuckDB at work in a daemon thread aborted the process in DuckDB's teardown."""
    db = tmp_path / "oep.duckdb"
    copy_store(demo_files.store, db)
    script = (
        "from pathlib import Path\n"
        "from oep.data.store import Store\n"
        "from oep.present import warmup\n"
        f"assert warmup.start(Store(Path({str(db)!r})))\n"
    )
    for _ in range(3):
        ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             timeout=300, cwd=Path(__file__).resolve().parents[2])
        assert ran.returncode == 0, ran.stderr[-2000:]
        assert "leaked" not in ran.stderr and "terminate" not in ran.stderr, ran.stderr[-2000:]
