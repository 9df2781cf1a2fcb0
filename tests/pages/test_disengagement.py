"""The disengagement protocol (docs/product.md#disengagement-protocol): levels as data, validated
and audited writes,
history, who sees the borough list and a school's own level, and the page through AppTest."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from oep.data.config import load_settings
from oep.data import auth, queries, records
from oep.domain import disengagement
from oep.data.access import Scope
from oep.data.store import Store
from tests.conftest import DemoEnv, log_in, new_app

TODAY = date.today()


@pytest.fixture(scope="module")
def store(demo_files: DemoEnv) -> Store:
    return Store(demo_files.store)


def scope_of(env: DemoEnv, store: Store, username: str) -> Scope:
    viewer = auth.viewer_for(env.auth, username)
    assert viewer is not None
    return queries.scope_for(store, viewer, load_settings())


def _count(activity: records.Activity, table: str) -> int:
    return int(records.read(activity, f"SELECT count(*) AS n FROM {table}")["n"][0])


def _record(env: DemoEnv, store: Store, activity: records.Activity, urn: str, level: int,
            days_ago: int = 0, who: str = "officer") -> None:
    disengagement.record_disengagement(
        activity, store, scope_of(env, store, who), urn, level, TODAY - timedelta(days=days_ago),
        f"Evidence for level {level}", "Phoned the head", "A Recorder")


def test_the_four_levels_and_their_actions_are_the_protocols() -> None:
    levels = disengagement.levels_frame()
    assert levels["level"].to_list() == [1, 2, 3, 4]
    actions = dict(zip(levels["level"].to_list(), levels["suggested_action"].to_list()))
    assert "collaborative lead makes contact" in actions[1]
    assert "more time" in actions[2] and "chair of governors is informed" in actions[2]
    assert "Director of Education" in actions[3] and "regional schools commissioner" in actions[3]
    assert "statutory intervention" in actions[4] and "disengaging" in actions[4]


def test_a_level_is_recorded_audited_and_current(demo_files: DemoEnv, store: Store,
                                                 activity: records.Activity) -> None:
    urn = demo_files.orgs["head_member"]
    _record(demo_files, store, activity, urn, 2)
    officer = scope_of(demo_files, store, "officer")
    row = disengagement.history(activity, officer, urn).row(0, named=True)
    assert (row["level"], row["evidence"], row["actions"], row["recorded_by"]) == (
        2, "Evidence for level 2", "Phoned the head", "A Recorder")
    assert disengagement.current_level(activity, officer, urn) == 2
    audit = records.read(activity, "SELECT username, event, detail FROM audit_log")
    assert audit.row(0) == ("officer", "disengagement_level", f"{urn}: level 2 on {TODAY}")


@pytest.mark.parametrize("who, change, message", [
    ("board", {}, "Only LA officers"),
    ("head_member", {}, "Only LA officers"),
    ("officer", {"urn": "0000000"}, "no school with URN '0000000'"),
    ("officer", {"level": 0}, "must be 1, 2, 3 or 4"),
    ("officer", {"level": 5}, "must be 1, 2, 3 or 4"),
    ("officer", {"level": "2"}, "must be 1, 2, 3 or 4"),
    ("officer", {"level": True}, "must be 1, 2, 3 or 4"),
    ("officer", {"recorded_on": TODAY + timedelta(days=1)}, "in the future"),
    ("officer", {"evidence": " \n "}, "evidence"),
    ("officer", {"recorded_by": ""}, "who is recording"),
])
def test_an_invalid_record_says_why_and_writes_nothing(demo_files: DemoEnv, store: Store,
                                                       activity: records.Activity, who: str,
                                                       change: dict,
                                                       message: str) -> None:
    record = {"urn": demo_files.orgs["head_member"], "level": 2, "recorded_on": TODAY,
              "evidence": "No self-review.", "actions": "", "recorded_by": "A Recorder", **change}
    with pytest.raises(disengagement.DisengagementError, match=message):
        disengagement.record_disengagement(activity, store, scope_of(demo_files, store, who),
                                           **record)
    assert _count(activity, "disengagement_records") == 0
    assert _count(activity, "audit_log") == 0


def test_history_is_append_only_and_the_latest_date_is_current(demo_files: DemoEnv, store: Store,
                                                               activity: records.Activity) -> None:
    urn = demo_files.orgs["head_member"]
    for level, days_ago in ((1, 60), (3, 10), (2, 30)):  # entered out of date order
        _record(demo_files, store, activity, urn, level, days_ago)
    officer = scope_of(demo_files, store, "officer")
    history = disengagement.history(activity, officer, urn)
    assert history["level"].to_list() == [1, 2, 3]
    assert history["recorded_on"].is_sorted()
    assert disengagement.current_level(activity, officer, urn) == 3


def test_borough_list_shows_level_two_and_above_to_la_and_board_only(
        demo_files: DemoEnv, store: Store, activity: records.Activity) -> None:
    member, other_member = demo_files.orgs["head_member"], demo_files.orgs["supporter"]
    nonmember = demo_files.orgs["head_nonmember"]
    _record(demo_files, store, activity, member, 3)
    _record(demo_files, store, activity, other_member, 1)
    _record(demo_files, store, activity, nonmember, 4)
    officer = disengagement.borough_list(activity, store, scope_of(demo_files, store, "officer"))
    assert officer["urn"].to_list() == [nonmember, member]  # highest level first; level 1 out
    assert officer["suggested_action"][0] == disengagement.LEVELS[4].action
    # The board sees members only: a non-member's record is its own and the LA's business.
    board = disengagement.borough_list(activity, store, scope_of(demo_files, store, "board"))
    assert board["urn"].to_list() == [member]
    for username in ("head_member", "head_nonmember", "partner"):
        with pytest.raises(PermissionError):
            disengagement.borough_list(activity, store, scope_of(demo_files, store, username))


def test_a_school_sees_its_own_level_only(demo_files: DemoEnv, store: Store,
                                          activity: records.Activity) -> None:
    member, other_member = demo_files.orgs["head_member"], demo_files.orgs["supporter"]
    _record(demo_files, store, activity, member, 2)
    _record(demo_files, store, activity, other_member, 3)
    head = scope_of(demo_files, store, "head_member")
    assert other_member in head.urns  # the head may see that school's data...
    assert disengagement.current_level(activity, head, other_member) is None  # ...not its level
    assert disengagement.current_level(activity, head, member) == 2
    assert set(disengagement.history(activity, head)["urn"].to_list()) == {member}
    assert disengagement.history(activity, head, member).height == 1
    assert disengagement.history(activity, head, other_member).is_empty()  # asked for by URN
    assert disengagement.history(activity, scope_of(demo_files, store, "partner")).is_empty()
    assert disengagement.history(activity, scope_of(demo_files, store, "partner"),
                                 member).is_empty()


def test_reading_does_not_create_the_activity_store(demo_files: DemoEnv, store: Store,
                                                    tmp_path: Path) -> None:
    activity = tmp_path / "activity.duckdb"
    officer = scope_of(demo_files, store, "officer")
    assert disengagement.current_level(activity, officer, demo_files.orgs["head_member"]) is None
    assert disengagement.borough_list(activity, store, officer).is_empty()
    assert not activity.exists()


# --- the page ------------------------------------------------------------------------------------

def test_officer_records_a_level_and_sees_the_list_actions_and_history(
        demo_files: DemoEnv, app_activity: records.Activity) -> None:
    at = log_in(new_app(), "officer")
    at.switch_page("pages/disengagement.py").run()
    assert not at.exception, [e.value for e in at.exception]
    urn = demo_files.orgs["head_member"]
    at.selectbox(key="widget:disengagement_school").select(urn).run()
    at.selectbox(key="disengagement:level").select(3)
    at.text_area(key="disengagement:evidence").input("No action plan after two reminders.")
    at.text_area(key="disengagement:actions").input("EPL offered support.")
    at.button(key="disengagement:submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Level 3 recorded" in s.value for s in at.success)
    listed = next(d.value for d in at.dataframe if "Current level" in d.value.columns)
    assert listed["URN"].to_list() == [urn]
    assert listed["Suggested action"].item() == disengagement.LEVELS[3].action
    history = next(d.value for d in at.dataframe if "Evidence" in d.value.columns)
    assert history["Evidence"].to_list() == ["No action plan after two reminders."]
    assert any(m.value == 3 or m.value == "3" for m in at.metric)
    assert any(disengagement.LEVELS[3].action in m.value for m in at.markdown)


def test_board_sees_the_list_without_a_form_and_heads_cannot_open_it(
        demo_files: DemoEnv, app_env: Path) -> None:
    con = duckdb.connect(str(app_env))
    con.close()  # an empty activity file exists: the page must cope with no records
    at = log_in(new_app(), "board")
    at.switch_page("pages/disengagement.py").run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Record level"]
    assert any("No school you can see" in i.value for i in at.info)
    head = log_in(new_app(), "head_member")
    with pytest.raises(ValueError):
        head.switch_page("pages/disengagement.py").run()
