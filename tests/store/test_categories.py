"""Support categories over a real demo store: access, agreed reviews, pairings and the export.

The demo store is the session's (``demo_files`` in conftest); every test that writes gets its own
activity store (``activity``: a DuckDB file in ``tmp_path``, then PostgreSQL).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import threading
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oep.data import auth, derived, queries, records
from oep.domain import categories
from oep.present import charts
from oep.tools import cli
from oep.data.access import Kind, Scope, Viewer
from oep.domain.categories_rules import (
    CATEGORIES,
    INTENSIVE,
    TARGETED,
    UNIVERSAL,
    assess_frames,
)
from oep.data.config import Settings, load_settings
from oep.data.store import Store
from tests.conftest import DemoEnv

SETTINGS = load_settings(Path(__file__).resolve().parents[2] / "data" / "settings.toml")


@pytest.fixture(scope="module")
def store(demo_files: DemoEnv) -> Store:
    return Store(demo_files.store)


def scope_of(env: DemoEnv, store: Store, username: str | None) -> Scope:
    viewer = auth.viewer_for(env.auth, username) if username else Viewer(None, "Visitor",
                                                                         None, None)
    assert viewer is not None
    return queries.scope_for(store, viewer, load_settings())


def _rows(activity: records.Activity, table: str) -> int:
    return int(records.read(activity, f"SELECT count(*) AS n FROM {table}")["n"][0])


# --- suggestions respect access ------------------------------------------------------------------

@pytest.mark.parametrize("username", ["officer", "board", "head_member", "head_nonmember",
                                      "supporter", None])
def test_suggestions_only_for_schools_in_scope(demo_files: DemoEnv, store: Store,
                                               username: str | None) -> None:
    scope = scope_of(demo_files, store, username)
    found = categories.suggestions(store, scope, SETTINGS)
    assert set(found["urn"].to_list()) == set(scope.urns)
    assert set(found["suggested_category"].to_list()) <= set(CATEGORIES)
    reasons = categories.reasons(store, scope, SETTINGS, every_check=True)
    assert set(reasons["urn"].to_list()) <= set(scope.urns)
    if username is None:
        assert found.is_empty() and reasons.is_empty()


def test_a_school_gets_the_same_suggestion_whoever_looks(demo_files: DemoEnv,
                                                         store: Store) -> None:
    own = demo_files.orgs["head_nonmember"]
    la = categories.suggestions(store, scope_of(demo_files, store, "officer"), SETTINGS)
    head = categories.suggestions(store, scope_of(demo_files, store, "head_nonmember"), SETTINGS)
    assert head["urn"].to_list() == [own]
    assert head.row(0) == la.filter(pl.col("urn") == own).row(0)


def test_every_school_has_reasons_and_universal_needs_every_condition(demo_files: DemoEnv,
                                                                      store: Store) -> None:
    scope = scope_of(demo_files, store, "officer")
    found = categories.suggestions(store, scope, SETTINGS)
    assert found.height == len(scope.urns)
    assert set(found["suggested_category"].to_list()) == set(CATEGORIES)
    assert (found["reasons"].list.len() > 0).all()
    checks = categories.reasons(store, scope, SETTINGS, every_check=True).join(
        found.select("urn", "suggested_category"), on="urn")
    universal = checks.filter((pl.col("suggested_category") == UNIVERSAL)
                              & (pl.col("category") == UNIVERSAL))
    assert set(universal["outcome"].to_list()) == {"met"}


def test_a_few_schools_assessed_on_their_own_get_what_they_get_among_all(
        demo_files: DemoEnv, store: Store) -> None:
    """A head's or a school profile's first render assesses its own schools when the
    every-school assessment is not kept yet; each school's suggestion, reasons and every check
    are the ones it has among every school, as an LA officer and as a member reads them."""
    for username in ("officer", "head_member"):
        scope = scope_of(demo_files, store, username)
        urns = sorted(queries.every_school(store)["urn"])
        groups = [urns[i:i + categories.FEW_SCHOOLS]
                  for i in range(0, len(urns), categories.FEW_SCHOOLS)]
        looks = [Scope(**{**scope.__dict__, "urns": frozenset(group)}) for group in groups]
        for cache in (categories._assessed, categories._assessed_few,
                      categories._suggestions_in, categories._findings):
            cache.cache_clear()
        shutil.rmtree(derived.folder(store.path), ignore_errors=True)  # kept beside the store
        alone = [(categories.suggestions(store, look, SETTINGS),
                  categories.reasons(store, look, SETTINGS)) for look in looks]
        rules = categories._viewers_rules(scope, SETTINGS, None)
        assert not categories._assessed.holds(store, store.version, *rules)
        categories._suggestions_in.cache_clear()
        categories.prepare(store, SETTINGS)  # what the app's warm-up does
        assert categories._assessed.holds(store, store.version, *rules)
        for look, (suggested, reasons) in zip(looks, alone):
            among_all = categories.suggestions(store, look, SETTINGS)
            assert suggested.sort("urn").equals(among_all.sort("urn"))
            assert reasons.equals(categories.reasons(store, look, SETTINGS))
            checks = categories.reasons(store, look, SETTINGS, every_check=True)
            assert reasons.equals(checks.filter(pl.col("explains")))


def test_reasons_are_what_the_rules_gave_though_kept_compact(demo_files: DemoEnv,
                                                             store: Store) -> None:
    """The whole store's explaining findings are kept without their texts and with categorical
    words; every school's reasons come back exactly as the rules gave them."""
    scope = scope_of(demo_files, store, "officer")
    rules, on, suppress_below = categories._viewers_rules(scope, SETTINGS, None)
    _, expected = assess_frames(*categories._evidence(store, rules, suppress_below), rules, on,
                                every_check=False)
    categories.prepare(store, SETTINGS, on)
    _, kept = categories._assessed(store, store.version, rules, on, suppress_below)
    assert "text" not in kept.columns
    for urn in sorted(scope.urns):
        assert_frame_equal(categories.reasons(store, scope, SETTINGS, urn, on=on),
                           expected.filter(pl.col("urn") == urn))


def test_a_threshold_change_in_settings_moves_suggestions(demo_files: DemoEnv,
                                                          store: Store) -> None:
    scope = scope_of(demo_files, store, "officer")
    before = categories.suggestions(store, scope, SETTINGS)
    laxer = Settings(**{**SETTINGS.__dict__,
                        "outcomes": {**SETTINGS.outcomes, "floor_progress": -5.0,
                                     "coasting_progress": -5.0}})
    after = categories.suggestions(store, scope, laxer)
    count = (lambda f, c: f.filter(pl.col("suggested_category") == c).height)  # noqa: E731
    assert count(after, INTENSIVE) < count(before, INTENSIVE)


# --- agreed categories ---------------------------------------------------------------------------

def _any_urn(demo_files: DemoEnv) -> str:
    return demo_files.orgs["head_member"]


def test_a_review_is_recorded_audited_and_shown(demo_files: DemoEnv, store: Store,
                                                activity: records.Activity) -> None:
    scope = scope_of(demo_files, store, "officer")
    urn = _any_urn(demo_files)
    suggested = categories.suggestions(store, scope, SETTINGS).filter(
        pl.col("urn") == urn)["suggested_category"][0]
    other = next(c for c in CATEGORIES if c != suggested)
    categories.record_review(activity, store, scope, urn, other, date.today(),
                             "  Agreed at the autumn review.  ", "A Reviewer", settings=SETTINGS)
    history = categories.review_history(activity, scope, urn)
    assert history.select("urn", "category", "suggested_category", "rationale",
                          "reviewer").row(0) == (urn, other, suggested,
                                                 "Agreed at the autumn review.", "A Reviewer")
    audit = records.read(activity, "SELECT username, event, detail FROM audit_log")
    assert audit.row(0)[:2] == ("officer", "category_review") and urn in audit.row(0)[2]
    row = categories.category_table(store, scope, SETTINGS, activity).filter(
        pl.col("urn") == urn).row(0, named=True)
    assert row["agreed_category"] == other and row["disagrees"] is True
    assert row["change_since_review"] == "No change"


def _bad_reviews(demo_files: DemoEnv) -> list[tuple[str, dict, str]]:
    urn = _any_urn(demo_files)
    good = {"urn": urn, "category": TARGETED, "reviewed_on": date.today(),
            "rationale": "Because.", "reviewer": "A Reviewer"}
    return [
        ("board", good, "Only LA officers"),
        ("officer", {**good, "urn": "0000000"}, "no school with URN '0000000'"),
        ("officer", {**good, "urn": "1 OR 1=1"}, "no school with URN"),
        ("officer", {**good, "reviewed_on": date.today() + timedelta(days=1)}, "in the future"),
        ("officer", {**good, "rationale": "   "}, "rationale"),
        ("officer", {**good, "reviewer": ""}, "reviewer"),
        ("officer", {**good, "category": "Universal "}, "not a support category"),
        ("officer", {**good, "category": "Special measures"}, "not a support category"),
    ]


@pytest.mark.parametrize("case", range(8))
def test_an_invalid_review_says_why_and_writes_nothing(demo_files: DemoEnv, store: Store,
                                                       activity: records.Activity,
                                                       case: int) -> None:
    username, review, message = _bad_reviews(demo_files)[case]
    scope = scope_of(demo_files, store, username)
    with pytest.raises(categories.ReviewError, match=message):
        categories.record_review(activity, store, scope, settings=SETTINGS, **review)
    assert _rows(activity, "category_reviews") == 0
    assert _rows(activity, "audit_log") == 0


def test_a_school_outside_the_scope_cannot_be_reviewed(demo_files: DemoEnv, store: Store,
                                                       tmp_path: Path) -> None:
    la = scope_of(demo_files, store, "officer")
    own = demo_files.orgs["head_member"]
    narrow = Scope(la.viewer, Kind.LA, frozenset({own}), frozenset({own}))
    other = demo_files.orgs["head_nonmember"]
    with pytest.raises(categories.ReviewError, match="not available to you"):
        categories.record_review(tmp_path / "a.duckdb", store, narrow, other, TARGETED,
                                 date.today(), "Because.", "A Reviewer", settings=SETTINGS)


def test_history_is_append_only_ordered_and_scoped(demo_files: DemoEnv, store: Store,
                                                   activity: records.Activity) -> None:
    officer = scope_of(demo_files, store, "officer")
    own = demo_files.orgs["head_nonmember"]
    member = demo_files.orgs["head_member"]
    today = date.today()
    for urn, category, days_ago in ((own, TARGETED, 10), (own, INTENSIVE, 30),
                                    (member, UNIVERSAL, 5), (own, UNIVERSAL, 20)):
        categories.record_review(activity, store, officer, urn, category,
                                 today - timedelta(days=days_ago), f"{category} review",
                                 "A Reviewer", settings=SETTINGS)
    history = categories.review_history(activity, officer, own)
    assert history["category"].to_list() == [INTENSIVE, UNIVERSAL, TARGETED]  # by review date
    assert history["reviewed_on"].is_sorted()
    assert categories.review_history(activity, officer).height == 4  # nothing replaced
    # The latest review by date is the agreed category, whatever order they were entered in.
    table = categories.category_table(store, officer, SETTINGS, activity)
    assert table.filter(pl.col("urn") == own)["agreed_category"][0] == TARGETED
    # A non-member head sees only their own school's reviews.
    head = scope_of(demo_files, store, "head_nonmember")
    assert set(categories.review_history(activity, head)["urn"].to_list()) == {own}
    assert categories.review_history(activity, head, own).height == 3
    # Asked for by URN, a school the viewer may not see gives nothing, as an unknown URN does.
    assert member not in head.urns
    assert categories.review_history(activity, head, member).is_empty()
    assert categories.review_history(activity, head, "0000000").is_empty()
    assert categories.review_history(activity, scope_of(demo_files, store, None)).is_empty()
    assert categories.review_history(activity, scope_of(demo_files, store, None), own).is_empty()


def test_change_since_last_review_follows_the_suggestion(demo_files: DemoEnv, store: Store,
                                                         activity: records.Activity) -> None:
    officer = scope_of(demo_files, store, "officer")
    table = categories.category_table(store, officer, SETTINGS, activity)
    row = table.filter(pl.col("suggested_category") == UNIVERSAL).row(0, named=True)
    assert row["change_since_review"] == "Not reviewed yet" and row["disagrees"] is None
    categories.record_review(activity, store, officer, row["urn"], UNIVERSAL, date.today(),
                             "Agreed.", "A Reviewer", settings=SETTINGS)
    agreed = categories.category_table(store, officer, SETTINGS, activity).filter(
        pl.col("urn") == row["urn"]).row(0, named=True)
    assert (agreed["change_since_review"], agreed["disagrees"]) == ("No change", False)
    # A stricter "good attendance" after the review: the suggestion moves on from what it saw.
    stricter = Settings(**{**SETTINGS.__dict__, "by_phase": {},
                           "attendance": {**SETTINGS.attendance, "good_overall_absence": 0.1}})
    after = categories.category_table(store, officer, stricter, activity).filter(
        pl.col("urn") == row["urn"]).row(0, named=True)
    assert after["change_since_review"] == f"Suggestion moved from {UNIVERSAL} to {TARGETED}"
    assert after["disagrees"] is True


def test_counts_and_figure(demo_files: DemoEnv, store: Store, tmp_path: Path) -> None:
    table = categories.category_table(store, scope_of(demo_files, store, "board"), SETTINGS,
                                      tmp_path / "activity.duckdb")
    counts = categories.category_counts(table)
    suggested = counts.filter(pl.col("kind") == "Suggested")
    assert suggested["schools"].sum() == table.height
    assert counts.filter(pl.col("category") == "Not reviewed yet")["schools"][0] == table.height
    figure = charts.category_counts(counts)
    assert figure is not None
    assert figure.layout.title.text and figure.layout.xaxis.title.text
    assert figure.layout.yaxis.title.text == "Number of schools"


# --- capacity ------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["officer", "board", "head_nonmember"])
def test_pairings_match_strength_to_weakness_within_what_the_viewer_sees(
        demo_files: DemoEnv, store: Store, username: str) -> None:
    scope = scope_of(demo_files, store, username)
    pairs = categories.pairings(store, scope, SETTINGS)
    suggested = dict(categories.suggestions(store, scope, SETTINGS).select(
        "urn", "suggested_category").iter_rows())
    if username == "head_nonmember":  # one school: nobody to pair with
        assert pairs.is_empty()
        return
    assert not pairs.is_empty()
    assert set(pairs["supported_urn"].to_list()) | set(pairs["provider_urn"].to_list()) <= \
        set(scope.urns)
    for row in pairs.iter_rows(named=True):
        assert suggested[row["provider_urn"]] == UNIVERSAL
        assert suggested[row["supported_urn"]] in (TARGETED, INTENSIVE)
        assert row["provider_percentile"] >= SETTINGS.capacity["strength_percentile"]
        better = (row["provider_figure"] > row["supported_figure"] if row["area"].startswith(
            "Progress") else row["provider_figure"] < row["supported_figure"])
        assert better, row
    per_school = pairs.group_by("supported_urn").len()["len"]
    assert per_school.max() <= SETTINGS.capacity["providers_per_school"]


# --- reads while a write happens -----------------------------------------------------------------

def test_reads_keep_working_while_a_review_is_being_written(demo_files: DemoEnv, store: Store,
                                                            activity: records.Activity) -> None:
    scope = scope_of(demo_files, store, "officer")
    store_stat = demo_files.store.stat()
    writing, read_done = threading.Event(), threading.Event()
    released_by_the_read: list[bool] = []

    def slow_writer() -> None:
        with records.activity(activity) as con:
            con.execute("INSERT INTO category_reviews VALUES (?, ?, ?, ?, ?, ?, now())",
                        [_any_urn(demo_files), date.today(), TARGETED, None, "x", "y"])
            writing.set()
            # The write stays open until the read is done: a read that waited for it would
            # only finish after the writer gave up.
            released_by_the_read.append(read_done.wait(300))

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert writing.wait(60)
    # Another day: not cached, so the rules really read the indicator store now.
    found = categories.suggestions(store, scope, SETTINGS, on=date.today() - timedelta(days=1))
    read_done.set()
    thread.join()
    assert released_by_the_read == [True], "the read waited for the write"
    assert found.height == len(scope.urns)
    assert categories.review_history(activity, scope).height == 1
    # The indicator store itself is never written.
    assert demo_files.store.stat().st_mtime_ns == store_stat.st_mtime_ns


# --- export --------------------------------------------------------------------------------------

@pytest.fixture()
def cli_env(demo_files: DemoEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OEP_AUTH_FILE", str(demo_files.auth))
    activity = tmp_path / "activity.duckdb"
    monkeypatch.setenv("OEP_ACTIVITY_DB", str(activity))
    return activity


def _export(db: Path, fmt: str, as_user: str | None = None) -> int:
    """``python -m oep categories`` with these arguments; its exit status."""
    return cli.main(["categories", "--db", str(db), "--format", fmt,
                     *(["--as", as_user] if as_user else [])])


def test_export_as_csv_is_the_la_view(demo_files: DemoEnv, cli_env: Path, store: Store,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    officer = scope_of(demo_files, store, "officer")
    urn = _any_urn(demo_files)
    categories.record_review(cli_env, store, officer, urn, UNIVERSAL, date.today(), "Agreed.",
                             "A Reviewer", settings=SETTINGS)
    assert _export(demo_files.store, "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["urn"] for r in rows} == set(officer.urns)
    assert list(rows[0]) == ["urn", "name", "phase", "suggested_category", "agreed_category",
                             "agreed_on", "reasons"]
    mine = next(r for r in rows if r["urn"] == urn)
    assert mine["agreed_category"] == UNIVERSAL and mine["agreed_on"] == date.today().isoformat()
    assert all(r["reasons"] for r in rows)
    assert records.read(cli_env, "SELECT event FROM audit_log")["event"].to_list()[-1] == \
        "categories_export"


def test_export_as_json_applies_the_users_access(demo_files: DemoEnv, cli_env: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(demo_files.store, "json", "head_nonmember") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["urn"] for r in rows] == [demo_files.orgs["head_nonmember"]]
    reason = rows[0]["reasons"][0]
    assert set(reason) == {"category", "rule", "outcome", "figure", "period", "threshold", "text"}
    assert _export(demo_files.store, "json", "board") == 0
    board = {r["urn"] for r in json.loads(capsys.readouterr().out)}
    members = {u for (u,) in duckdb.connect(str(demo_files.store), read_only=True).execute(
        "SELECT urn FROM partnership_members WHERE mou_signed").fetchall()}
    assert board == members


def test_export_refuses_unknown_and_disabled_users(demo_files: DemoEnv, cli_env: Path,
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(demo_files.store, "csv", "nobody") == 1
    captured = capsys.readouterr()
    assert "no enabled user 'nobody'" in captured.err and captured.out == ""
    users = tmp_path / "users.yaml"
    shutil.copyfile(demo_files.auth, users)
    auth.set_disabled(users, "board")
    monkeypatch.setenv("OEP_AUTH_FILE", str(users))
    assert _export(demo_files.store, "csv", "board") == 1
    assert capsys.readouterr().out == ""
    assert _export(tmp_path / "none.duckdb", "csv") == 1
