"""The Overview, Attendance, SEND and School profile pages through AppTest, on the demo store."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from oep.data import queries, records
from oep.data.store import Store
from tests.conftest import DemoEnv, log_in, new_app, page_payload, school_names

PAGES = ("pages/overview.py", "pages/attendance.py", "pages/send.py", "pages/school_profile.py")


def _app(username: str | None) -> AppTest:
    at = new_app()
    if username is None:
        return at.run()
    return log_in(at, username)


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def test_public_overview_shows_oldham_published_headline(demo_env: DemoEnv) -> None:
    at = _app(None)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Overall absence"].endswith("%")
    store = Store(demo_env.store)
    latest = max(queries.academic_years(store))
    published = queries.comparators(store, ("overall_absence",), time_identifiers=(
        "Academic year",), pupil_groups=("All pupils",))
    oldham = published.filter((published["geo_level"] == "Local authority")
                              & (published["time_period"] == latest))["value"].item()
    assert metrics["Overall absence"] == f"{oldham:.1f}%"
    assert len(at.get("plotly_chart")) == 2  # the trend and the Ofsted grades
    assert any("England" in c for c in _texts(at, "caption"))


@pytest.mark.parametrize("page", PAGES)
def test_pages_show_real_figures_to_an_officer(demo_env: DemoEnv, page: str) -> None:
    at = _open(_app("officer"), page)
    assert at.metric, "headline tiles"
    assert at.get("plotly_chart"), "charts"
    assert all(not frame.value.empty for frame in at.dataframe)
    assert at.dataframe, "numbers behind the charts"


def test_attendance_ranks_schools_against_their_own_phase_level(demo_env: DemoEnv) -> None:
    at = _open(_app("officer"), "pages/attendance.py")
    ranking = next(c for c in at.get("plotly_chart") if "good level for its phase" in
                   c.proto.spec)
    figure = json.loads(ranking.proto.spec)
    distances = figure["data"][0]["x"]
    assert distances == sorted(distances, reverse=True)
    table = next(f.value for f in at.dataframe if "Above good attendance by (points)" in
                 f.value.columns)
    levels = dict(zip(table["Phase"], table["Good level for its phase"]))
    assert levels["Primary"] == 6.0 and levels["Secondary"] == 8.5 and levels["Special"] == 11.0
    shown = [float(d) for d in table["Above good attendance by (points)"] if d != "–"]
    assert shown == sorted(shown, reverse=True)
    assert any("8.5% for secondary" in c for c in _texts(at, "caption"))


def test_senco_lands_on_their_own_school(demo_env: DemoEnv) -> None:
    own = demo_env.orgs["senco_member"]
    at = _open(_app("senco_member"), "pages/send.py")
    assert at.selectbox(key="widget:send:school").value == own
    assert school_names(demo_env)[own] in _texts(at, "markdown")[0]
    _open(at, "pages/school_profile.py")
    assert at.header[0].value == school_names(demo_env)[own]
    assert at.query_params["urn"] == own  # the profile is addressable as it stands


def test_filters_persist_across_pages(demo_env: DemoEnv) -> None:
    at = _open(_app("officer"), "pages/attendance.py")
    year = queries.academic_years(Store(demo_env.store))[1]
    at.selectbox(key="widget:attendance:year").set_value(year).run()
    at.selectbox(key="widget:attendance:phase").set_value("Secondary").run()
    at.selectbox(key="widget:attendance:pupil_group").set_value("EHC plan").run()
    urn = demo_env.orgs["head_member"]
    at.selectbox(key="widget:attendance:school").set_value(urn).run()
    assert not at.exception
    _open(at, "pages/send.py")
    assert at.selectbox(key="widget:send:year").value == year
    assert at.selectbox(key="widget:send:phase").value == "Secondary"
    assert at.selectbox(key="widget:send:school").value == urn
    _open(at, "pages/school_profile.py")
    assert at.selectbox(key="widget:profile:school").value == urn
    _open(at, "pages/attendance.py")
    assert at.selectbox(key="widget:attendance:year").value == year
    assert at.selectbox(key="widget:attendance:pupil_group").value == "EHC plan"
    assert at.selectbox(key="widget:attendance:school").value == urn


def test_filter_combinations_never_fail_and_say_when_empty(demo_env: DemoEnv) -> None:
    at = _open(_app("officer"), "pages/attendance.py")
    combos = [
        ("Summer term", "Special", None, "EHC plan"),
        ("Autumn term", "Nursery", "Local authority nursery school", "FSM eligible"),
        ("Academic year", "Primary", "Pupil referral unit", "No SEN"),  # matches no school
        ("Spring term", None, "Academy converter", "SEN support"),
    ]
    for term, phase, school_type, group in combos:
        at.selectbox(key="widget:attendance:term").set_value(term)
        at.selectbox(key="widget:attendance:phase").set_value(phase)
        at.selectbox(key="widget:attendance:school_type").set_value(school_type)
        at.selectbox(key="widget:attendance:pupil_group").set_value(group)
        at.run()
        assert not at.exception, (term, phase, school_type, group, at.exception)
        if school_type == "Pupil referral unit":
            assert "No schools you can see match these choices." in _texts(at, "info")


def test_profile_is_addressable_by_urn(demo_env: DemoEnv) -> None:
    urn = demo_env.orgs["head_member"]
    at = _app("officer")
    at.query_params["urn"] = urn
    _open(at, "pages/school_profile.py")
    assert at.selectbox(key="widget:profile:school").value == urn
    assert at.header[0].value == school_names(demo_env)[urn]
    assert at.metric and at.get("plotly_chart")


@pytest.mark.parametrize("urn", ["hidden", "0000000"])
def test_profile_of_a_hidden_or_unknown_urn_says_only_not_available(demo_env: DemoEnv,
                                                                    urn: str) -> None:
    if urn == "hidden":
        urn = demo_env.orgs["head_nonmember"]  # a non-member school: hidden from the board
    at = _app("board")
    at.query_params["urn"] = urn
    _open(at, "pages/school_profile.py")
    (message,) = [i for i in _texts(at, "info") if "not available to you" in i]
    assert urn not in message
    assert at.header[0].value != school_names(demo_env)[demo_env.orgs["head_nonmember"]]
    assert school_names(demo_env)[demo_env.orgs["head_nonmember"]].encode() not in page_payload(at)


def test_profile_shows_the_support_category_with_reasons_and_disengagement(
        demo_env: DemoEnv) -> None:
    (urn, level), = records.read(
        demo_env.activity, "SELECT urn, level FROM disengagement_records WHERE level = 2"
    ).iter_rows()
    at = _app("officer")
    at.query_params["urn"] = urn
    _open(at, "pages/school_profile.py")
    labels = {m.label for m in at.metric}
    assert {"Suggested category", "Agreed category"} <= labels
    assert any("Condition (the agreement's words)" in d.value.columns for d in at.dataframe)
    assert any(f"Level {level}." in w.value for w in at.warning)


def test_a_head_sees_their_own_category_but_no_disengagement_of_others(demo_env: DemoEnv) -> None:
    at = _open(_app("head_member"), "pages/school_profile.py")
    assert "Suggested category" in {m.label for m in at.metric}
    assert not any("Level " in w.value for w in at.warning)


def test_profile_lists_report_card_areas_for_a_school_inspected_that_way(
        demo_env: DemoEnv) -> None:
    con = duckdb.connect(str(demo_env.store), read_only=True)
    (urn,), = con.execute("SELECT urn FROM latest_ofsted WHERE framework = 'Report card' "
                          "ORDER BY urn LIMIT 1").fetchall()
    con.close()
    at = _app("officer")
    at.query_params["urn"] = urn
    _open(at, "pages/school_profile.py")
    areas = next(d.value for d in at.dataframe if "Area" in d.value.columns)
    assert "Safeguarding" in areas["Area"].to_list()


def test_the_first_run_builds_the_demo_store_and_its_logins(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    store = tmp_path / "oep.duckdb"
    monkeypatch.setenv("OEP_DB", str(store))
    monkeypatch.setenv("OEP_AUTH_FILE", str(tmp_path / "users.yaml"))
    monkeypatch.setenv("OEP_ACTIVITY_DB", str(tmp_path / "activity.duckdb"))
    monkeypatch.delenv("OEP_COOKIE_KEY", raising=False)
    at = new_app().run(timeout=600)  # builds the whole demo store before the page draws
    assert not at.exception, [e.value for e in at.exception]
    assert store.exists() and queries.is_demo(Store(store))
    at = log_in(at, "officer")
    assert not at.exception
    assert "Demo LA Officer" in " ".join(str(e.value) for e in at.sidebar.markdown)
