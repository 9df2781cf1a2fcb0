"""The framework pages, the freshness line, the login panel and download labels, through AppTest
on the demo store."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from oep.data import records
from oep.data.config import load_settings
from oep.present.framework import STREAMLIT_PROBLEMS
from tests.conftest import log_in, new_app

FRAMEWORK = ("pages/guide.py", "pages/accessibility.py", "pages/support.py",
             "pages/data_sources.py")


def _text(at) -> str:  # noqa: ANN001 - AppTest
    return " ".join(str(e.value) for kind in ("title", "header", "markdown", "caption", "info")
                    for e in getattr(at, kind))


@pytest.mark.parametrize("username", [None, "head_nonmember"])
def test_framework_pages_open_for_visitors_and_members_with_freshness_and_links(
        app_env: Path, username: str | None) -> None:
    at = log_in(new_app(), username) if username else new_app().run()
    links = {link.proto.page for link in at.get("page_link")}  # the footer's, e.g. 'guide'
    assert {Path(page).stem for page in FRAMEWORK} <= links
    for page in FRAMEWORK:
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert any(c.value.startswith("Data last updated on ") and "latest period: 2025/26"
                   in c.value for c in at.caption)
        assert len(at.title) == 1


def test_the_statement_has_the_dfe_headings_and_the_known_problems(app_env: Path) -> None:
    at = new_app().run()
    at.switch_page("pages/accessibility.py").run()
    headings = [h.value for h in at.header]
    assert headings[:2] == ["How you should be able to use this website",
                            "How accessible this website is"]
    for heading in ("Compliance status", "Non-accessible content", "How we tested this website"):
        assert heading in headings
    text = _text(at)
    for problem in STREAMLIT_PROBLEMS:  # the browser test's allow-list: Streamlit's markup only
        assert problem.problem in text
        assert problem.where.startswith("[data-testid=st")
    assert re.search(r"last tested on \d{1,2} [A-Z][a-z]+ \d{4}", text)


def test_support_page_and_login_panel_name_the_contact_from_settings(app_env: Path) -> None:
    contact = load_settings().contact
    at = new_app().run()
    panel = " ".join(str(m.value) for m in at.sidebar.markdown)
    assert "Who can log in" in panel and "data controller" in panel
    assert contact["team"] in panel
    at.switch_page("pages/support.py").run()
    assert contact["team"] in _text(at)


def test_data_sources_lists_each_load_with_period_and_next_release(app_env: Path) -> None:
    at = new_app().run()
    at.switch_page("pages/data_sources.py").run()
    (table,) = [f.value for f in at.dataframe]
    assert list(table.columns) == ["Publication", "File", "Period covered", "Loaded on",
                                   "Next expected"]
    assert table["Period covered"][0] == "2021/22 to 2025/26"
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", table["Loaded on"][0])


def test_an_empty_login_is_answered_and_not_counted(app_env: Path) -> None:
    at = new_app().run()
    next(b for b in at.sidebar.button if b.label == "Log in").click()
    at.run()
    assert [e.value for e in at.sidebar.error] == ["Enter your username and password to log in."]
    at.sidebar.text_input[0].input("board")
    next(b for b in at.sidebar.button if b.label == "Log in").click()
    at.run()
    assert [e.value for e in at.sidebar.error] == ["Enter your password to log in."]
    assert not app_env.exists() or records.read(
        app_env, "SELECT count(*) AS n FROM login_attempts")["n"][0] == 0


def test_downloads_say_their_size_and_save_under_a_dated_name(
        app_env: Path, downloads: list[bytes]) -> None:
    at = log_in(new_app(), "board")
    at.switch_page("pages/send.py").run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels and all(re.fullmatch(r"Download CSV \(\d+ (KB|bytes)\)", label)
                          for label in labels)
    details = records.read(app_env, "SELECT detail FROM audit_log WHERE event = 'download'")
    csvs = [d for d in details["detail"] if ".csv" in d]  # board packs are PDFs, named apart
    assert csvs and all(f"_{date.today().isoformat()}.csv" in d for d in csvs)


def test_headline_help_is_the_data_dictionary_and_tables_show_blanks_as_a_dash(
        app_env: Path) -> None:
    at = log_in(new_app(), "officer")
    at.switch_page("pages/send.py").run()
    helps = [m.proto.help for m in at.metric]
    assert helps and all("**Source:**" in h and "**Is higher better?**" in h for h in helps)
    frames = [f.value for f in at.dataframe]
    assert not any(str(v) in ("None", "nan") for f in frames for col in f.columns
                   for v in f[col].tolist() if isinstance(v, str))
    gaps = next(f for f in frames if "Gap to no SEN" in f.columns)
    assert gaps["Gap to no SEN"].isna().sum() == 0
