"""The small Streamlit layer: store and login for the session, banners, charts with their numbers.

The only module of ``oep`` that imports Streamlit. Pages call ``page_context()`` and draw with
``chart_block`` / ``table_block``, so every chart has its table and download and every download is
audited.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import plotly.graph_objects as go
import polars as pl
import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

from oep import auth, plain, queries, records
from oep.access import PUBLIC_VIEWER, Scope, Viewer
from oep.config import Settings, load_settings
from oep.display import Tile
from oep.store import Store, store_path

# Example keys from streamlit-authenticator's docs and defaults: never acceptable.
KNOWN_WEAK_KEYS = frozenset({"some_key", "some_signature_key", "random_signature_key", "abcdef"})


@dataclass(frozen=True)
class PageContext:
    store: Store
    viewer: Viewer
    scope: Scope
    settings: Settings
    activity: Path


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(Path(path))


def ensure_store() -> Store:
    """The session's store; on first run with no store, build the demo one with a progress bar."""
    path = store_path()
    if not path.exists():
        from oep.first_run import build_demo  # only needed once per install

        bar = st.progress(0.0, text="Building the synthetic demo store (first run)...")
        build_demo(path, auth.auth_file(), progress=lambda msg, done: bar.progress(
            min(max(done, 0.0), 1.0), text=f"First run: {msg}"))
        bar.empty()
    return _store(str(path))


def activity_file(store: Store) -> Path:
    return records.activity_path(store.path)


def _cookie_key(store: Store) -> str:
    key = os.environ.get("OEP_COOKIE_KEY", "")
    if not key:
        try:
            key = str(st.secrets.get("cookie_key", ""))
        except FileNotFoundError:
            key = ""
    if key in KNOWN_WEAK_KEYS:
        st.error("The configured cookie key is a published example. Set OEP_COOKIE_KEY to a "
                 "long random value.")
        st.stop()
    if key:
        return key
    if queries.is_demo(store):
        return auth.demo_cookie_key(store.path.parent / ".cookie_key")
    st.error("No cookie key is configured for this store of real data. Set OEP_COOKIE_KEY "
             "(or cookie_key in .streamlit/secrets.toml) to a long random value.")
    st.stop()
    raise AssertionError("unreachable")


def _forget_session() -> None:
    for key in list(st.session_state.keys()):
        if key not in ("authentication_status", "username", "name", "email", "roles", "logout"):
            del st.session_state[key]


def login(store: Store) -> Viewer:
    """Draw the login form (sidebar) or the logout button; return the current viewer."""
    auth_path = auth.auth_file()
    activity = activity_file(store)
    # Failed attempts matter only while the form is shown; a logged-in rerun skips the read.
    counts = {} if st.session_state.get("authentication_status") else {
        username: len(times) for username, times in records.recent_failures(activity).items()}
    credentials = auth.login_credentials(auth_path, counts)
    authenticator = stauth.Authenticate(
        credentials, auth.COOKIE_NAME, _cookie_key(store), auth.COOKIE_EXPIRY_DAYS,
        auto_hash=False, login_sleep_time=0,
    )

    def on_login(event: dict[str, Any]) -> None:
        records.record_login_attempt(activity, event["username"], True)
        records.audit(activity, event["username"], "login", "success")

    def on_logout(event: dict[str, Any]) -> None:
        records.audit(activity, event.get("username"), "logout", "")
        _forget_session()

    # False only survives from a failed submission; reset so this run tells a new failure apart.
    if st.session_state.get("authentication_status") is False:
        st.session_state["authentication_status"] = None
    try:
        authenticator.login(
            location="sidebar", max_login_attempts=records.LOCKOUT_ATTEMPTS, callback=on_login,
            fields={"Form name": "Log in", "Username": "Username", "Password": "Password",
                    "Login": "Log in"},
        )
    except LoginError as exc:
        if "login attempts" in str(exc):
            records.audit(activity, None, "login_refused", "too many failed attempts")
            st.sidebar.error(
                "Too many failed attempts for this username. Logging in is refused for "
                f"{int(records.LOCKOUT_WINDOW.total_seconds() // 60)} minutes after the last "
                "failed attempt."
            )
        else:
            authenticator.cookie_controller.delete_cookie()
            st.sidebar.warning("Your account is no longer active. Ask your data controller.")
    for username, record in credentials["usernames"].items():
        if record.get("failed_login_attempts", 0) > counts.get(username, 0):
            records.record_login_attempt(activity, username, False)
            records.audit(activity, username, "login_failed", "wrong password")
            break
    else:
        if st.session_state.get("authentication_status") is False:
            records.audit(activity, None, "login_failed", "unknown username")
    if st.session_state.get("authentication_status") is False:
        st.sidebar.error("Username or password is incorrect.")

    if not st.session_state.get("authentication_status"):
        return PUBLIC_VIEWER
    viewer = auth.viewer_for(auth_path, st.session_state.get("username"))
    if viewer is None:
        # Disabled or removed since the cookie was issued: the cookie must stop working.
        authenticator.logout(location="unrendered")
        _forget_session()
        st.sidebar.warning("Your account is no longer active. Ask your data controller.")
        return PUBLIC_VIEWER
    st.sidebar.markdown(f"**{plain.markdown(viewer.name)}**")
    authenticator.logout(button_name="Log out", location="sidebar", callback=on_logout)
    if not st.session_state.get("authentication_status"):
        st.rerun()  # logged out during this run: draw the public view from the top
    return viewer


def set_context(ctx: PageContext) -> None:
    st.session_state["_page_context"] = ctx


def page_context() -> PageContext:
    """The context ``app.py`` prepared for this run (store, viewer, scope)."""
    ctx = st.session_state.get("_page_context")
    if ctx is None:
        st.error("Open the dashboard from its home page.")
        st.stop()
    return ctx


def make_context(store: Store, viewer: Viewer) -> PageContext:
    return PageContext(
        store=store, viewer=viewer, scope=queries.scope_for(store, viewer),
        settings=load_settings(), activity=activity_file(store),
    )


def demo_banner(store: Store) -> None:
    if queries.is_demo(store):
        st.warning(
            "**Synthetic demo data.** Every school, name and figure on this page is invented "
            "for demonstration; nothing here describes a real school.",
            icon=":material/science:",
        )


_NO_DEFAULT = object()


def _widget_key(key: str, page: str) -> str:
    return f"widget:{page}:{key}" if page else f"widget:{key}"


def remembered(widget: Callable[..., Any], label: str, key: str, *, page: str = "",
               default: Any = _NO_DEFAULT, **kwargs: Any) -> Any:
    """A filter widget whose value persists across page switches.

    Streamlit forgets a widget's state when its page is left; the chosen value is kept under a
    separate key and restored when the widget is drawn again (if still a valid option). With
    nothing valid remembered, ``default`` (if given and valid) is the starting value - e.g. the
    viewer's own school. Pages that share a filter pass their own ``page`` name: a widget key
    shared by two pages would carry a stale value to a widget with other options.
    """
    saved = f"filter:{key}"
    widget_key = _widget_key(key, page)
    options = kwargs.get("options")

    def valid(value: Any) -> bool:
        if options is None:
            return True
        return all(v in options for v in value) if isinstance(value, list) else value in options

    if widget_key not in st.session_state:
        if saved in st.session_state and valid(st.session_state[saved]):
            st.session_state[widget_key] = st.session_state[saved]
        elif default is not _NO_DEFAULT and valid(default):
            st.session_state[widget_key] = default
    value = widget(label, key=widget_key, **kwargs)
    st.session_state[saved] = value
    return value


def remember(key: str, value: Any, *, page: str = "") -> None:
    """Make ``value`` the choice of the remembered filter ``key`` on ``page``; call before its
    widget is drawn (e.g. a school named in the page's URL)."""
    st.session_state[f"filter:{key}"] = value
    st.session_state[_widget_key(key, page)] = value


def tile_row(tiles: Sequence[Tile], per_row: int = 5) -> None:
    """Headline tiles: each figure and its change on last year; under it the period and the
    comparators."""
    colours = {True: "inverse", False: "normal", None: "off"}
    for start in range(0, len(tiles), per_row):
        for column, tile in zip(st.columns(per_row), tiles[start:start + per_row]):
            with column:
                # The delta stays as formatted: Streamlit reads its sign from the leading '-'.
                st.metric(plain.markdown(tile.label), plain.markdown(tile.value),
                          delta=tile.change, help=plain.markdown(tile.help) if tile.help else None,
                          delta_color="off" if tile.unchanged else colours[tile.lower_is_better],
                          delta_arrow="off" if tile.unchanged else "auto", border=True)
                st.caption(plain.markdown(tile.note))


def _download(ctx: PageContext, frame: pl.DataFrame, file_name: str, key: str) -> None:
    """A CSV made only when the viewer clicks (no file exists on the server before), for that
    viewer's session, and audited as it is made."""
    def generate() -> bytes:
        records.audit(ctx.activity, ctx.viewer.username, "download",
                      f"{file_name} ({frame.height} rows)")
        return plain.csv_bytes(frame)

    st.download_button("Download CSV", data=generate, file_name=file_name, mime="text/csv",
                       key=f"download:{key}", on_click="ignore")


def table_block(ctx: PageContext, frame: pl.DataFrame, file_name: str, *, key: str,
                empty: str = "No figures match these choices.") -> None:
    """A table with its CSV download; an empty frame is said in words."""
    if frame.is_empty():
        st.info(plain.markdown(empty))
        return
    st.dataframe(frame, hide_index=True, width="stretch")
    _download(ctx, frame, file_name, key)


def chart_block(ctx: PageContext, figure: go.Figure | None, data: pl.DataFrame, file_name: str,
                *, key: str, empty: str = "No figures match these choices.") -> None:
    """A chart, then the numbers behind it in an expandable table with a CSV download."""
    if figure is None or data.is_empty():
        st.info(plain.markdown(empty))
        return
    st.plotly_chart(figure, key=f"chart:{key}", width="stretch")
    with st.expander("Numbers behind this chart"):
        st.dataframe(data, hide_index=True, width="stretch")
        _download(ctx, data, file_name, key)
