"""A store with more schools than a picker lists (England's 24,000) asks for a search first and
sends a page of matches, never every school's name."""

from __future__ import annotations

from pathlib import Path

import pytest

from oep.present import ui
from oep.tools.first_run import build_demo
from tests.conftest import log_in, new_app


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("picker")
    store, users = folder / "oep.duckdb", folder / "users.yaml"
    build_demo(store, users, schools=ui.PICKER_LIMIT + 60, years=2)
    return store, users


def test_profile_picker_searches_a_large_store(big_store: tuple[Path, Path], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    store, users = big_store
    monkeypatch.setenv("OEP_DB", str(store))
    monkeypatch.setenv("OEP_AUTH_FILE", str(users))
    monkeypatch.setenv("OEP_ACTIVITY_DB", str(tmp_path / "activity.duckdb"))
    at = log_in(new_app(), "officer")
    at.switch_page("pages/school_profile.py").run()
    assert not at.exception
    picker = at.selectbox(key="widget:profile:school")
    assert len(picker.options) <= ui.PICKER_LIMIT + 1
    last = sorted(picker.options)[-1]  # a school listed now, then searched for by its URN
    urn = last.rsplit("(", 1)[1].rstrip(")")
    search = next(t for t in at.text_input if t.label.startswith("Find a school"))
    search.input(urn).run()
    picker = at.selectbox(key="widget:profile:school")
    assert urn in picker.options[-1] or any(urn in o for o in picker.options)
    assert len(picker.options) <= 2  # the school shown, and the one matching
    picker.set_value(urn).run()
    assert at.header[0].value == last.rsplit(" (", 1)[0]
    assert at.query_params["urn"] == urn

    search.input("no such school anywhere").run()
    assert not at.exception
    assert at.selectbox(key="widget:profile:school").value == urn  # the choice stays
