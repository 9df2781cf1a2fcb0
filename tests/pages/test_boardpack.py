"""Board packs as people get them: the PDF the Overview's and the School profile's button hands the
browser, read back as text (pypdf), against the figures the same page shows the same viewer."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from oep.data import access, auth, queries, records
from oep.present import boardpack
from oep.data.config import load_settings
from oep.domain.areas import ENGLAND, NEIGHBOURS_LABEL, NORTH_WEST, OLDHAM
from oep.data.store import Store
from oep.present.url_state import day
from tests.conftest import DemoEnv, access_scope, log_in, new_app, school_names

AREAS = (OLDHAM, ENGLAND, NORTH_WEST, NEIGHBOURS_LABEL)


def _pack(downloads: list[bytes]) -> list[str]:
    """Each page's text of the PDF the last run offered, whitespace made single."""
    pdf = [d for d in downloads if d.startswith(b"%PDF")][-1]
    reader = PdfReader(io.BytesIO(pdf))
    assert all(not page.images for page in reader.pages), "charts are vector drawings"
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _hidden(env: DemoEnv, username: str | None) -> dict[str, str]:
    """Schools whose name the viewer may not see at all."""
    store = Store(env.store)
    viewer = (auth.viewer_for(env.auth, username) if username else access.PUBLIC_VIEWER)
    assert viewer is not None
    scope = access_scope(store, viewer)
    allowed = scope.urns | scope.public_urns
    return {urn: name for urn, name in school_names(env).items() if urn not in allowed}


def _assert_every_page_framed(pages: list[str], env: DemoEnv) -> None:
    loaded = day(queries.last_loaded(Store(env.store)))
    for number, text in enumerate(pages, start=1):
        assert "Synthetic demo data" in text, f"banner on page {number}"
        assert f"Page {number} of {len(pages)}" in text
        assert f"data last loaded {loaded}" in text


def _assert_no_hidden_school(pages: list[str], hidden: dict[str, str]) -> None:
    text = " ".join(pages)
    for urn, name in hidden.items():
        assert urn not in text, f"hidden URN {urn}"
        assert name not in text, f"hidden school {name}"


PERIOD = r"((Autumn|Spring|Summer) term )?\d{4}(/\d{2})?"


def _sentences(at: AppTest) -> list[str]:
    """The sentences under the page's headline tiles."""
    return [m.value for m in at.markdown
            if re.search(rf"'s? .* (in|for) {PERIOD}", m.value) and m.value.endswith(".")]


def _tiles_in(at: AppTest, text: str) -> None:
    """Every headline tile's figure with its period beside it, and its sentence, as on the page."""
    assert at.metric
    for metric in at.metric:
        assert re.search(rf"{re.escape(metric.value)} {PERIOD}", text), metric.label
    assert _sentences(at)
    for sentence in _sentences(at):
        assert sentence in text


def test_borough_pack_holds_the_overview_s_figures_and_is_audited(
        app_env: Path, demo_files: DemoEnv, downloads: list[bytes]) -> None:
    at = log_in(new_app(), "board")
    assert not at.exception
    pages = _pack(downloads)
    text = " ".join(pages)
    _assert_every_page_framed(pages, demo_files)
    _tiles_in(at, text)
    # The year-by-year table beside the chart: each year's row, areas in the chart's order.
    trend = next(d.value for d in at.dataframe if {"Area", "Period", "Figure"} <= set(d.value))
    for period, rows in trend.groupby("Period", sort=False):
        figures = dict(zip(rows["Area"], rows["Figure"]))
        assert " ".join([period, *(figures[a] for a in AREAS if a in figures)]) in text
    assert "Schools in each support category" in text
    assert "Schools at disengagement level 2 or above" in text  # the board may see the list
    assert "Source: Synthetic demo data (fictional schools)" in text
    _assert_no_hidden_school(pages, _hidden(demo_files, "board"))
    audit = records.read(app_env, "SELECT username, event, detail FROM audit_log")
    assert any(u == "board" and e == "download" and "oep_borough_board_pack.pdf" in d
               for u, e, d in audit.iter_rows())


@pytest.mark.parametrize("username", [None, "head_nonmember", "partner"])
def test_borough_pack_of_each_viewer_holds_no_school_hidden_from_them(
        app_env: Path, demo_files: DemoEnv, downloads: list[bytes], username: str | None) -> None:
    at = log_in(new_app(), username) if username else new_app().run()
    assert not at.exception
    pages = _pack(downloads)
    _assert_every_page_framed(pages, demo_files)
    _assert_no_hidden_school(pages, _hidden(demo_files, username))
    text = " ".join(pages)
    assert "Schools at disengagement level" not in text  # the board's and the LA's only
    assert ("Schools in each support category" in text) == (username is not None)


@pytest.mark.parametrize("username", ["head_nonmember", "supporter"])
def test_school_pack_holds_the_profile_s_figures(
        app_env: Path, demo_files: DemoEnv, downloads: list[bytes], username: str) -> None:
    urn = demo_files.orgs["supported" if username == "supporter" else username]
    at = log_in(new_app(), username)
    at.query_params["urn"] = urn
    downloads.clear()
    at.switch_page("pages/school_profile.py").run()
    assert not at.exception
    assert at.header[0].value == school_names(demo_files)[urn]
    pages = _pack(downloads)
    text = " ".join(pages)
    _assert_every_page_framed(pages, demo_files)
    assert f"School board pack: {school_names(demo_files)[urn]}" in text
    assert f"URN {urn}" in text
    for metric in at.metric:
        if metric.label not in ("Suggested category", "Agreed category",
                                "Change since last review"):
            assert re.search(rf"{re.escape(metric.value)} {PERIOD}", text), metric.label
    assert _sentences(at)
    for sentence in _sentences(at):
        assert sentence in text
    suggested = next(m.value for m in at.metric if m.label == "Suggested category")
    assert f"Suggested: {suggested}." in text
    _assert_no_hidden_school(pages, _hidden(demo_files, username))


def test_no_pack_of_a_school_hidden_from_the_viewer(app_env: Path, demo_files: DemoEnv,
                                                   downloads: list[bytes]) -> None:
    hidden = demo_files.orgs["head_nonmember"]  # a non-member: hidden from the board
    at = log_in(new_app(), "board")
    at.query_params["urn"] = hidden
    downloads.clear()
    at.switch_page("pages/school_profile.py").run()
    assert any("not available to you" in i.value for i in at.info)
    _assert_no_hidden_school(_pack(downloads), {hidden: school_names(demo_files)[hidden]})
    store = Store(demo_files.store)
    board = auth.viewer_for(demo_files.auth, "board")
    assert board is not None
    settings = load_settings()
    for urn in (hidden, "0000000"):
        with pytest.raises(boardpack.PackRefused):
            boardpack.school_pack(store, queries.scope_for(store, board, settings), settings,
                                  app_env, urn, made=datetime.now())


def test_school_pack_suppresses_small_numbers_as_the_page_does(
        app_env: Path, demo_files: DemoEnv, downloads: list[bytes]) -> None:
    store = Store(demo_files.store)
    board = auth.viewer_for(demo_files.auth, "board")
    assert board is not None
    scope = queries.scope_for(store, board, load_settings())
    rows = queries.school_indicators(store, scope, ("ehc_plan_pct",),
                                     pupil_groups=("All pupils",),
                                     time_identifiers=("Academic year",))
    latest = rows.filter(rows["time_period"] == rows["time_period"].max())
    urn = latest.filter(latest["symbol"] == "c")["urn"][0]
    shown_as_c = "share of pupils with an EHC plan for"
    for username, suppressed in (("board", True), ("officer", False)):
        at = log_in(new_app(), username)
        at.query_params["urn"] = urn
        downloads.clear()
        at.switch_page("pages/school_profile.py").run()
        text = " ".join(_pack(downloads))
        on_page = [s for s in _sentences(at) if "share of pupils with an EHC plan" in s]
        assert len(on_page) == 1 and on_page[0] in text
        assert (shown_as_c in on_page[0] and "is shown as c" in on_page[0]) == suppressed
