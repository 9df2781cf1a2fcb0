"""The Support categories page through AppTest: an LA officer records a review through the form and
sees it in the history; a non-member head sees their own school's category and why, and nothing of
any other school."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from oep.data import records
from tests.conftest import DemoEnv, log_in, new_app, page_payload, school_names

PAGE = "pages/categories.py"


def _open(username: str) -> AppTest:
    """Log in as ``username`` and open the Support categories page."""
    at = log_in(new_app(), username)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_officer_records_a_review_and_sees_it_in_the_history(
        demo_files: DemoEnv, app_activity: records.Activity) -> None:
    at = _open("officer")
    assert at.get("plotly_chart"), "the counts chart is drawn"
    urn = demo_files.orgs["head_member"]
    at.selectbox(key="widget:categories_school").select(urn).run()
    at.selectbox(key="review:category").select("Intensive")
    at.text_area(key="review:rationale").input("Agreed at the autumn review: attendance plan.")
    at.button(key="review:submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Review recorded" in s.value for s in at.success)
    history = next(d.value for d in at.dataframe if "Rationale" in d.value.columns)
    assert history["Agreed category"].to_list() == ["Intensive"]
    assert history["Rationale"].to_list() == ["Agreed at the autumn review: attendance plan."]
    assert history["Reviewer"].to_list() == ["Demo LA Officer"]
    table = next(d.value for d in at.dataframe if "Agreed category" in d.value.columns
                 and "Top reasons" in d.value.columns)
    assert table.loc[table["URN"] == urn, "Agreed category"].item() == "Intensive"
    events = records.read(app_activity, "SELECT username, event FROM audit_log")
    assert ("officer", "category_review") in list(events.iter_rows())


def test_an_empty_rationale_is_refused_on_the_page(app_activity: records.Activity) -> None:
    at = _open("officer")
    at.button(key="review:submit").click().run()
    assert any("rationale" in e.value for e in at.error)
    assert records.read(app_activity, "SELECT count(*) AS n FROM category_reviews")["n"][0] == 0


def test_a_non_member_head_sees_only_their_own_school(demo_files: DemoEnv, app_env: Path) -> None:
    at = _open("head_nonmember")
    own = demo_files.orgs["head_nonmember"]
    table = next(d.value for d in at.dataframe if "Top reasons" in d.value.columns)
    assert table["URN"].to_list() == [own]
    assert at.selectbox(key="widget:categories_school").options == [
        f"{school_names(demo_files)[own]} ({own})"]
    reasons = next(d.value for d in at.dataframe if "Threshold" in d.value.columns)
    assert len(reasons) > 0  # why: every reason, with its threshold
    assert not [b for b in at.button if b.label == "Record review"]
    payload = page_payload(at)
    for urn, name in school_names(demo_files).items():
        if urn != own:
            assert name.encode() not in payload and urn.encode() not in payload, name


def test_board_sees_counts_and_table_but_no_review_form(demo_files: DemoEnv,
                                                        app_env: Path) -> None:
    at = _open("board")
    assert at.get("plotly_chart")
    assert not [b for b in at.button if b.label == "Record review"]
    assert any("Top reasons" in d.value.columns for d in at.dataframe)
