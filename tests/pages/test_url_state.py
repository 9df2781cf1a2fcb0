"""Shareable views through AppTest: a page's filters in its address, a link reopening them for a
viewer allowed to see them, refusing (and auditing) one who is not, saying when newer data came,
and presenter mode kept in the address."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from oep.data import queries, records
from oep.data.store import Store
from oep.present.url_state import SCHOOL_NOT_AVAILABLE
from tests.conftest import DemoEnv, log_in, new_app, page_payload, school_names


def _open(username: str, page: str, params: dict[str, str | list[str]]) -> AppTest:
    """A new browser session of ``username`` opening ``page`` from a link with ``params``."""
    at = log_in(new_app(), username)
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _refusals(activity: Path) -> list[tuple[str, str]]:
    return [(u, d) for u, d in records.read(
        activity, "SELECT username, detail FROM audit_log WHERE event = 'link refused'"
    ).iter_rows()]


def test_a_link_reopens_the_attendance_view_it_was_copied_from(app_env: Path,
                                                               demo_files: DemoEnv) -> None:
    at = log_in(new_app(), "board")
    at.switch_page("pages/attendance.py").run()
    year = queries.academic_years(Store(demo_files.store))[2]
    urn = demo_files.orgs["head_member"]
    at.selectbox(key="widget:attendance:year").set_value(year).run()
    at.selectbox(key="widget:attendance:term").set_value("Spring term").run()
    at.selectbox(key="widget:attendance:phase").set_value("Secondary").run()
    at.selectbox(key="widget:attendance:pupil_group").set_value("SEN support").run()
    at.selectbox(key="widget:attendance:measure").set_value("persistent_absence").run()
    at.selectbox(key="widget:attendance:school").set_value(urn).run()
    link = {name: at.query_params[name] for name in at.query_params}
    assert link["year"] == str(year) and link["urn"] == urn and link["pupils"] == "SEN support"
    assert link["term"] == "Spring term" and link["phase"] == "Secondary"
    assert link["measure"] == "persistent_absence" and "made" in link

    opened = _open("head_member", "pages/attendance.py", link)
    for key, value in (("year", year), ("term", "Spring term"), ("phase", "Secondary"),
                       ("pupil_group", "SEN support"), ("measure", "persistent_absence"),
                       ("school", urn)):
        assert opened.selectbox(key=f"widget:attendance:{key}").value == value, key
    assert [m.value for m in opened.metric] == [m.value for m in at.metric]
    assert not any("newer data" in i.value for i in opened.info)
    # A choice made after opening the link is kept, not undone by the link.
    opened.selectbox(key="widget:attendance:phase").set_value("Primary").run()
    assert opened.selectbox(key="widget:attendance:phase").value == "Primary"
    assert opened.query_params["phase"] == "Primary"


def test_multi_choice_filters_travel_in_the_link(app_env: Path) -> None:
    at = _open("board", "pages/categories.py",
               {"phase": ["Nursery", "Primary"], "category": ["Intensive"]})
    assert at.multiselect(key="widget:categories_phase").value == ["Nursery", "Primary"]
    assert at.multiselect(key="widget:categories_category").value == ["Intensive"]
    assert at.query_params["phase"] == ["Nursery", "Primary"]


def test_a_link_to_a_school_the_viewer_may_not_see_is_refused_and_audited(
        app_env: Path, demo_files: DemoEnv) -> None:
    hidden = demo_files.orgs["head_nonmember"]  # a non-member school: hidden from the board
    name = school_names(demo_files)[hidden]
    for page in ("pages/attendance.py", "pages/send.py", "pages/school_profile.py"):
        at = _open("board", page, {"urn": hidden, "phase": "Primary"})
        assert SCHOOL_NOT_AVAILABLE in [i.value for i in at.info], page
        payload = page_payload(at)
        assert name.encode() not in payload and hidden.encode() not in payload, page
        assert at.query_params.get("urn") != hidden
    assert [u for u, _ in _refusals(app_env)] == ["board"] * 3
    assert all(f"urn={hidden}" in d for _, d in _refusals(app_env))
    # The school's own head opens the same link and sees their school.
    own = _open("head_nonmember", "pages/school_profile.py", {"urn": hidden})
    assert own.header[0].value == name
    assert len(_refusals(app_env)) == 3


def test_a_link_value_that_is_not_a_choice_says_so(app_env: Path) -> None:
    at = _open("board", "pages/overview.py", {"measure": "<b>nonsense</b>"})
    assert any("in this link is not available here" in i.value for i in at.info)
    assert at.selectbox(key="widget:overview:measure").value == "overall_absence"
    assert at.query_params["measure"] == "overall_absence"


def test_a_link_made_before_newer_data_says_so(app_env: Path) -> None:
    at = _open("board", "pages/overview.py", {"made": "2026-03-02T10:00"})
    (notice,) = [i.value for i in at.info if "newer data" in i.value]
    assert notice.startswith("This view was made on 2 March 2026; newer data has been loaded "
                             "since (1 September 2026)")
    at.selectbox(key="widget:overview:measure").set_value("severe_absence").run()
    assert any("newer data" in i.value for i in at.info), "kept while the page is open"
    at.switch_page("pages/attendance.py").run()
    assert not any("newer data" in i.value for i in at.info)
    fresh = _open("board", "pages/overview.py", {"made": at.query_params["made"]})
    assert not any("newer data" in i.value for i in fresh.info)


def test_presenter_mode_is_kept_in_the_address(app_env: Path) -> None:
    at = _open("board", "pages/overview.py", {"present": "1"})
    assert at.toggle(key="presenter").value
    assert any(b.label == "Leave presenter mode" for b in at.button)
    css = [h.proto.body for h in at.get("html")]
    assert any("stSidebar" in c and "display: none" in c for c in css)
    chart = at.get("plotly_chart")[0].proto.spec
    assert '"size":20' in chart.replace(" ", "")
    at.switch_page("pages/attendance.py").run()
    assert at.query_params["present"] == "1" and at.toggle(key="presenter").value
    next(b for b in at.button if b.label == "Leave presenter mode").click().run()
    assert "present" not in at.query_params
    assert not any(b.label == "Leave presenter mode" for b in at.button)
