"""The MoU's data-access rules (docs/product.md#who-sees-what), checked as a user or an attacker
would see them.

Expected sets are worked out here straight from the register with SQL, not from oep.data.access, so
a mistake in the policy cannot agree with itself.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from oep.data.config import load_settings
from oep.data import access, auth, queries
from oep.data.schema import MEASURES
from oep.data.store import Store, copy_store, rebuilding
from tests.conftest import (DEMO_USERNAMES, DemoEnv, access_scope, log_in, new_app,
                            page_payload, restore_env, school_names, use_env)

PAGES = {
    "overview": "pages/overview.py",
    "attendance": "pages/attendance.py",
    "send": "pages/send.py",
    "categories": "pages/categories.py",
    "profile": "pages/school_profile.py",
    "disengagement": "pages/disengagement.py",
    "admin": "pages/admin.py",
}
LOGGED_IN_PAGES = ("overview", "attendance", "send", "categories", "profile")
EXTRA_PAGES = {"officer": ("disengagement", "admin"), "board": ("disengagement",)}


def _sql(store: Path, query: str, params: list | None = None) -> set[str]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return {row[0] for row in con.execute(query, params or []).fetchall()}
    finally:
        con.close()


def expected_visible(env: DemoEnv, username: str | None, on: date | None = None) -> set[str]:
    """School-level visibility from the register, per docs/product.md#who-sees-what."""
    on = on or date.today()
    everyone = _sql(env.store, "SELECT urn FROM establishments")
    members = _sql(env.store, "SELECT urn FROM partnership_members WHERE mou_signed")
    if username is None:
        return set()
    if username == "officer":
        return everyone
    if username in ("board", "partner"):
        return members
    own = env.orgs[username]
    if own not in members:
        return {own}
    supported = _sql(
        env.store,
        "SELECT supported_urn FROM support_links WHERE provider_urn = ? AND starts_on <= ? "
        "AND (ends_on IS NULL OR ends_on >= ?)", [own, on, on],
    )
    return members | {own} | supported


def viewer(env: DemoEnv, username: str | None) -> access.Viewer:
    if username is None:
        return access.PUBLIC_VIEWER
    found = auth.viewer_for(env.auth, username)
    assert found is not None
    return found


# --- the policy function ---------------------------------------------------------------------

@pytest.mark.parametrize("username", [None, *DEMO_USERNAMES])
def test_policy_matches_the_agreement(demo_env: DemoEnv, username: str | None) -> None:
    store = Store(demo_env.store)
    scope = access_scope(store, viewer(demo_env, username))
    assert set(scope.urns) == expected_visible(demo_env, username)
    non_members = _sql(demo_env.store, "SELECT urn FROM partnership_members WHERE NOT mou_signed")
    # Nobody but the LA and the school's own staff (or an active supporter) sees a non-member.
    for urn in non_members & scope.urns:
        assert username == "officer" or urn == demo_env.orgs.get(username or "") or (
            username == "supporter" and urn == demo_env.orgs["supported"]
        )


def test_demo_users_cover_every_viewer_kind(demo_env: DemoEnv) -> None:
    store = Store(demo_env.store)
    kinds = {access_scope(store, viewer(demo_env, u)).kind for u in [None, *DEMO_USERNAMES]}
    assert kinds == set(access.Kind)
    supporter = access_scope(store, viewer(demo_env, "supporter"))
    assert demo_env.orgs["supported"] in supporter.supported_urns


def test_support_link_grants_access_only_while_active(demo_env: DemoEnv) -> None:
    store = Store(demo_env.store)
    supporter = viewer(demo_env, "supporter")
    supported = demo_env.orgs["supported"]
    (starts, ends) = duckdb.connect(str(demo_env.store), read_only=True).execute(
        "SELECT starts_on, ends_on FROM support_links WHERE provider_urn = ? AND supported_urn = ?",
        [supporter.org, supported],
    ).fetchone()
    assert supported in access_scope(store, supporter, starts).urns
    assert supported in access_scope(store, supporter, ends).urns
    assert supported not in access_scope(store, supporter, ends + timedelta(days=1)).urns
    assert supported not in access_scope(store, supporter, starts - timedelta(days=1)).urns


def test_expired_links_grant_nothing(demo_env: DemoEnv) -> None:
    store = Store(demo_env.store)
    today = date.today()
    con = duckdb.connect(str(demo_env.store), read_only=True)
    expired = con.execute(
        """SELECT l.provider_urn, l.supported_urn FROM support_links l
           JOIN partnership_members m ON m.urn = l.supported_urn
           WHERE l.ends_on < ? AND NOT m.mou_signed""", [today]).fetchall()
    con.close()
    assert expired, "the demo store should hold an expired link to a non-member"
    for provider, supported in expired:
        staff = access.Viewer("someone", "Someone", "head", provider)
        assert supported not in access_scope(store, staff).urns


def test_signing_the_mou_changes_access_without_code(demo_env: DemoEnv, tmp_path: Path) -> None:
    copy = tmp_path / "oep.duckdb"
    copy_store(demo_env.store, copy)
    nonmember = demo_env.orgs["head_nonmember"]
    board = viewer(demo_env, "board")
    assert nonmember not in access_scope(Store(copy), board).urns
    with rebuilding(copy) as con:
        con.execute("UPDATE partnership_members SET mou_signed = true WHERE urn = ?", [nonmember])
    assert nonmember in access_scope(Store(copy), board).urns


def test_unknown_organisations_get_the_public_view(demo_env: DemoEnv) -> None:
    store = Store(demo_env.store)
    for stranger in (access.Viewer("x", "X", "head", "1234567"),
                     access.Viewer("y", "Y", "partner", "NOT-A-PARTNER"),
                     access.Viewer("z", "Z", "janitor", "LA")):
        scope = access_scope(store, stranger)
        assert scope.kind is access.Kind.PUBLIC and not scope.urns and scope.note


# --- what the pages show, through AppTest ----------------------------------------------------

def _hidden(env: DemoEnv, username: str | None) -> dict[str, str]:
    store = Store(env.store)
    scope = access_scope(store, viewer(env, username))
    allowed = scope.urns | scope.public_urns
    return {urn: name for urn, name in school_names(env).items() if urn not in allowed}


def _assert_hidden_absent(payload: bytes, hidden: dict[str, str], where: str) -> None:
    for urn, name in hidden.items():
        assert urn.encode() not in payload, f"{where}: hidden URN {urn} shown"
        assert name.encode() not in payload, f"{where}: hidden school {name!r} shown"


def _pages_for(username: str | None) -> tuple[str, ...]:
    if username is None:
        return ("overview",)
    return LOGGED_IN_PAGES + EXTRA_PAGES.get(username, ())


@pytest.mark.parametrize("username", [None, *DEMO_USERNAMES])
def test_every_page_hides_what_the_viewer_may_not_see(
    demo_env: DemoEnv, downloads: list[bytes], username: str | None
) -> None:
    at = new_app()
    if username is None:
        at.run()
    else:
        log_in(at, username)
        assert not at.exception, at.exception
    hidden = _hidden(demo_env, username)
    if username != "officer":
        assert hidden, "every viewer below the LA has schools hidden from them"
    for page in _pages_for(username):
        downloads.clear()
        at.switch_page(PAGES[page]).run()
        assert not at.exception, (page, at.exception)
        _assert_hidden_absent(page_payload(at), hidden, f"{username}/{page}")
        for payload in downloads:
            _assert_hidden_absent(payload, hidden, f"{username}/{page} download")
    # Pages not offered to this viewer cannot be opened, even by path.
    for page in set(PAGES) - set(_pages_for(username)):
        with pytest.raises(ValueError):
            at.switch_page(PAGES[page]).run()


@pytest.mark.parametrize("username", ["board", "head_nonmember", "supporter", None])
def test_profile_url_cannot_open_a_hidden_school(demo_env: DemoEnv, username: str | None) -> None:
    hidden = _hidden(demo_env, username)
    target_urn, target_name = sorted(hidden.items())[0]
    at = new_app()
    if username is None:
        at.run()
        with pytest.raises(ValueError):
            at.switch_page(PAGES["profile"]).run()
        return
    log_in(at, username)
    at.query_params["urn"] = target_urn
    at.switch_page(PAGES["profile"]).run()
    assert not at.exception
    payload = page_payload(at)
    assert target_name.encode() not in payload
    assert b"not available to you" in payload


def test_supporter_sees_the_supported_school_profile(demo_env: DemoEnv) -> None:
    supported = demo_env.orgs["supported"]
    at = log_in(new_app(), "supporter")
    at.query_params["urn"] = supported
    at.switch_page(PAGES["profile"]).run()
    assert not at.exception
    assert school_names(demo_env)[supported].encode() in page_payload(at)


# --- suppression ------------------------------------------------------------------------------

def test_small_counts_are_suppressed_below_la_level(demo_env: DemoEnv) -> None:
    store = Store(demo_env.store)
    officer = queries.scope_for(store, viewer(demo_env, "officer"), load_settings())
    board = queries.scope_for(store, viewer(demo_env, "board"), load_settings())
    measures = ("enrolments", "overall_absence", "persistent_absence")
    full = queries.school_indicators(store, officer, measures)
    seen = queries.school_indicators(store, board, measures)
    small = full.filter(
        (full["measure"] == "enrolments") & (full["value"] > 0) & (full["value"] < 3)
        & full["urn"].is_in(list(board.urns))
    )
    assert small.height > 0, "the demo store should hold some tiny pupil groups"
    keys = ["urn", "time_period", "time_identifier", "pupil_group"]
    hidden = seen.join(small.select(keys), on=keys)
    assert hidden.height >= small.height
    assert hidden["value"].is_null().all()
    assert set(hidden["symbol"].to_list()) == {"c"}
    # The LA sees the numbers themselves.
    assert full.join(small.select(keys), on=keys)["value"].is_not_null().any()


# --- differencing ------------------------------------------------------------------------------

@pytest.fixture()
def hidden_changed(demo_env: DemoEnv, tmp_path: Path) -> Path:
    """A copy of the demo store in which every figure of a non-member school is different."""
    copy = tmp_path / "oep.duckdb"
    copy_store(demo_env.store, copy)
    target = demo_env.orgs["head_nonmember"]
    with rebuilding(copy) as con:
        con.execute("UPDATE indicators SET value = value * 3 + 7 "
                    "WHERE geo_level = 'School' AND area_code = ?", [target])
        con.execute("UPDATE sen_needs SET pupils = pupils + 11 "
                    "WHERE geo_level = 'School' AND area_code = ?", [target])
    return copy


def test_hidden_school_cannot_be_recovered_by_differencing(demo_env: DemoEnv,
                                                           hidden_changed: Path) -> None:
    """Change every figure of a non-member school: nothing a member can query may change."""
    original, changed = Store(demo_env.store), Store(hidden_changed)
    board = viewer(demo_env, "board")
    settings = load_settings()
    scope_a = queries.scope_for(original, board, settings)
    scope_b = queries.scope_for(changed, board, settings)
    assert scope_a.urns == scope_b.urns
    measures = tuple(sorted(MEASURES))
    for group in (None, ("All pupils",), ("SEN support",), ("EHC plan",)):
        a = queries.school_indicators(original, scope_a, measures, pupil_groups=group)
        b = queries.school_indicators(changed, scope_b, measures, pupil_groups=group)
        assert a.equals(b)
    assert queries.sen_needs(original, scope_a).equals(queries.sen_needs(changed, scope_b))
    assert queries.visible_schools(original, scope_a).equals(
        queries.visible_schools(changed, scope_b))


def _page_views(store: Path, demo_env: DemoEnv, page: str,
                combos: list[tuple[str, ...]]) -> dict[tuple, bytes]:
    """What the board member is sent on ``page`` for every combination of the options of the
    filters labelled in each tuple of ``combos``."""
    saved = use_env(store, demo_env.auth, demo_env.activity)
    try:
        at = log_in(new_app(), "board")
        at.switch_page(page).run()
        views: dict[tuple, bytes] = {}
        for labels in combos:
            sizes = [len(next(s for s in at.selectbox if s.label == label).options)
                     for label in labels]
            for indexes in itertools.product(*(range(n) for n in sizes)):
                for label, index in zip(labels, indexes):
                    next(s for s in at.selectbox if s.label == label).select_index(index)
                at.run()
                assert not at.exception, (labels, indexes, at.exception)
                views[(labels, indexes)] = page_payload(at)
            for label in labels:
                next(s for s in at.selectbox if s.label == label).select_index(0)
        return views
    finally:
        restore_env(saved)


def test_page_filters_cannot_difference_out_a_hidden_school(demo_env: DemoEnv,
                                                            hidden_changed: Path) -> None:
    """Every phase, school type and pupil-group filter a member can set shows the same thing
    whatever the hidden school's figures are."""
    pages = {"pages/attendance.py": [("Phase", "Pupils"), ("School type", "Term")],
             "pages/send.py": [("Phase",)]}
    for page, combos in pages.items():
        before = _page_views(demo_env.store, demo_env, page, combos)
        after = _page_views(hidden_changed, demo_env, page, combos)
        assert before.keys() == after.keys() and len(before) >= 5
        for choice, view in before.items():
            assert view == after[choice], f"{page} {choice} changes with a hidden school"
