"""The small Streamlit layer: store and login for the session, banners, charts with their numbers.

The only module of ``oep`` that imports Streamlit. Pages call ``page_context()`` and draw with
``chart_block`` / ``table_block``, so every chart has its table and download and every download is
audited.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Sequence

# Streamlit imports pandas lazily, on the first table drawn; sessions drawing their first tables
# in several threads at once then find it half-imported ("partially initialized module").
import pandas  # noqa: F401
import plotly.graph_objects as go
import polars as pl
import pyarrow as pa
import streamlit as st

from oep.data import auth, plain, queries, records
from oep.present import charts, display, framework, sentences, url_state, warmup
from oep.data.access import PUBLIC_VIEWER, Scope, Viewer
from oep.data.config import Settings, load_settings
from oep.present.display import Tile
from oep.domain import periods
from oep.data.memo import MEMO_SIZE, per_input
from oep.data.store import Store, store_path

# Example keys from streamlit-authenticator's docs and defaults: never acceptable.
KNOWN_WEAK_KEYS = frozenset({"some_key", "some_signature_key", "random_signature_key", "abcdef"})


@dataclass(frozen=True)
class PageContext:
    store: Store
    viewer: Viewer
    scope: Scope
    settings: Settings
    activity: records.Activity


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(Path(path))


def ensure_store(build_demo: Callable[..., object]) -> Store:
    """The session's store; on first run with no store, ``build_demo`` builds the demo one (the
    caller passes ``oep.tools.first_run.build_demo``: tools sit above this layer) under a
    progress bar."""
    path = store_path()
    if not path.exists():
        bar = st.progress(0.0, text="Building the synthetic demo store (first run)...")
        build_demo(path, auth.auth_file(), progress=lambda msg, done: bar.progress(
            min(max(done, 0.0), 1.0), text=f"First run: {msg}"))
        bar.empty()
    store = _store(str(path))
    warmup.start(store)
    return store


def activity_file(store: Store) -> records.Activity:
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
    if key and len(key) < auth.MIN_COOKIE_KEY_CHARS:
        st.error(f"The configured cookie key is too short. Set OEP_COOKIE_KEY to a random value "
                 f"of at least {auth.MIN_COOKIE_KEY_CHARS} characters.")
        st.stop()
    if key:
        return key
    if queries.is_demo(store):
        return auth.demo_cookie_key(store.path.parent / ".cookie_key")
    st.error("No cookie key is configured for this store of real data. Set OEP_COOKIE_KEY "
             "(or cookie_key in .streamlit/secrets.toml) to a long random value.")
    st.stop()
    raise AssertionError("unreachable")


# Session-state keys of the login.
_SESSION = auth.SESSION_STATE_KEY
_COOKIE = "_oep_cookie"  # the login cookie to write in this run: a token, or "" to delete it
_COOKIE_TRIED = "_oep_cookie_tried"  # the cookie the browser connected with was tried
_NOTICE = "_oep_login_notice"  # (error|warning, text) to show above the login form


def _forget_session() -> None:
    """Everything this browser session held (login, filters, page context) goes."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]


def _end_session(notice: str) -> None:
    _forget_session()
    st.session_state[_COOKIE] = ""
    st.session_state[_COOKIE_TRIED] = True
    st.session_state[_NOTICE] = ("warning", notice)


def _write_cookie() -> None:
    """Set or delete the login cookie in the browser, in the run that logged in or out. That run
    calls no ``st.rerun``, which would drop the script before the browser ran it; and a token is
    sent once only, so pages stay the same from run to run."""
    value = st.session_state.pop(_COOKIE, None)
    if value is None:
        return
    lifetime = int(auth.COOKIE_LIFETIME.total_seconds()) if value else 0
    cookie = f"{auth.COOKIE_NAME}={value}; path=/; max-age={lifetime}; SameSite=Strict"
    # The token is base64url and dots; json.dumps keeps the script well-formed regardless.
    st.sidebar.html(
        f"<script>document.cookie = {json.dumps(cookie)} + "
        "(location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def _session_from_cookie(auth_path: auth.Users, key: str) -> None:
    """Log in with the cookie the browser connected with, once per browser session (it cannot
    change during one); a cookie that no longer works is deleted."""
    st.session_state[_COOKIE_TRIED] = True
    token = st.context.cookies.get(auth.COOKIE_NAME)
    if token is None:
        return
    session = auth.read_token(token, key)
    if session is not None and auth.session_viewer(auth_path, session) is not None:
        st.session_state[_SESSION] = session
    else:
        st.session_state[_COOKIE] = ""


def _client_address() -> str | None:
    """The browser's address; None on localhost, and where there is no client (``AppTest``)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def _submit_login(auth_path: auth.Users, activity: records.Activity, key: str) -> None:
    username = st.session_state.get("login:username", "")
    password = st.session_state.get("login:password", "")
    missing = [name for name, value in (("username", username), ("password", password))
               if not value.strip()]
    if missing:
        # Nothing was tried, so nothing counts towards the lockout.
        st.session_state[_NOTICE] = ("error", f"Enter your {' and '.join(missing)} to log in.")
        return
    result = auth.attempt_login(auth_path, activity, username, password, _client_address())
    if result.session is not None:
        _forget_session()
        st.session_state[_SESSION] = result.session
        st.session_state[_COOKIE] = auth.issue_token(result.session, key)
        return
    st.session_state["login:password"] = ""
    if result.outcome is auth.Outcome.LOCKED:
        minutes = int(records.LOCKOUT_WINDOW.total_seconds() // 60)
        st.session_state[_NOTICE] = (
            "error", "Too many failed attempts for this username. Logging in is refused for "
            f"up to {minutes} minutes.")
    else:
        st.session_state[_NOTICE] = ("error", "Username or password is incorrect.")


def _log_out(auth_path: auth.Users, activity: records.Activity, username: str) -> None:
    # Bumping the version ends this login everywhere, even where the cookie cannot be deleted.
    auth.end_sessions(auth_path, username)
    records.audit(activity, username, "logout", "")
    _forget_session()
    st.session_state[_COOKIE] = ""
    st.session_state[_COOKIE_TRIED] = True


def _refuse_demo_passwords(store: Store, auth_path: auth.Users) -> None:
    if queries.is_demo(store):
        return
    holders = auth.demo_password_holders(auth_path)
    if holders:
        logging.getLogger(__name__).error(
            "accounts with the demo password in %s: %s", auth_path, ", ".join(holders))
        st.error(
            f"This store holds real data, but {len(holders)} account(s) in the users file still "
            f"have the published demo password. The dashboard will not start until they are "
            "removed (`python -m oep users remove NAME`) or given new passwords; the server log "
            "names them."
        )
        st.stop()


def login(store: Store) -> Viewer:
    """Draw the login form (sidebar) or the logout button; return the current viewer.

    The session is checked against the users file on every run, so a logout elsewhere, a new
    password, a disabled account or a new role ends it at its next rerun.
    """
    auth_path = auth.auth_file()
    activity = activity_file(store)
    key = _cookie_key(store)
    _refuse_demo_passwords(store, auth_path)
    if _SESSION not in st.session_state and not st.session_state.get(_COOKIE_TRIED):
        _session_from_cookie(auth_path, key)
    session: auth.Session | None = st.session_state.get(_SESSION)
    viewer = auth.session_viewer(auth_path, session) if session is not None else None
    if session is not None and viewer is None:
        _end_session(
            "Your session has ended: you logged out elsewhere, or your account changed. "
            "Log in again." if auth.viewer_for(auth_path, session.username) is not None else
            "Your account is no longer active. Ask your data controller.")
    _write_cookie()
    if viewer is not None:
        st.sidebar.markdown(f"**{plain.markdown(viewer.name)}**")
        st.sidebar.button("Log out", key="logout", on_click=_log_out,
                          args=(auth_path, activity, viewer.username))
        return viewer
    notice = st.session_state.pop(_NOTICE, None)
    if notice is not None:
        kind, text = notice
        (st.sidebar.error if kind == "error" else st.sidebar.warning)(text)
    with st.sidebar.form("login"):
        st.markdown("**Log in**")
        st.text_input("Username", key="login:username", autocomplete="username")
        st.text_input("Password", type="password", key="login:password",
                      autocomplete="current-password")
        st.form_submit_button("Log in", on_click=_submit_login, args=(auth_path, activity, key))
    st.sidebar.markdown(who_can_log_in(load_settings()))
    return PUBLIC_VIEWER


def who_can_log_in(settings: Settings) -> str:
    """The login panel's word on who may log in and whom to ask for an account."""
    return (f"**Who can log in:** staff of Oldham schools, partnership board members, strategic "
            f"partners and council officers with an account. Without one you see the public "
            f"summary. To get an account, ask your school's data controller or "
            f"{contact_line(settings)}.")


def contact_line(settings: Settings) -> str:
    contact = settings.contact
    missing = {"team", "email"} - set(contact)
    if missing:
        raise ValueError(f"settings: [contact] needs {' and '.join(sorted(missing))}")
    return f"{plain.markdown(contact['team'])} ({plain.markdown(contact['email'])})"


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
    settings = load_settings()
    return PageContext(
        store=store, viewer=viewer, scope=queries.scope_for(store, viewer, settings),
        settings=settings, activity=activity_file(store),
    )


FRAMEWORK_PAGES = (
    ("pages/guide.py", "User guide", ":material/menu_book:"),
    ("pages/accessibility.py", "Accessibility statement", ":material/accessibility_new:"),
    ("pages/support.py", "Support and feedback", ":material/support_agent:"),
    ("pages/data_sources.py", "Data sources", ":material/source:"),
)


def page_title(title: str, viewer: Viewer) -> None:
    """The browser tab names the page, then the dashboard. A visitor's sidebar opens with the
    page, even on a phone: it holds the login form, and the button that opens a closed sidebar
    carries no words. Once logged in, a phone's sidebar closes, clear of the page."""
    st.set_page_config(page_title=f"{title} – OEP dashboard",
                       initial_sidebar_state="auto" if viewer.logged_in else "expanded")


def freshness_line(ctx: PageContext) -> None:
    """'Data last updated on 23 March 2026; latest period: 2025/26', on every page."""
    years = queries.academic_years(ctx.store)
    st.caption(framework.freshness(queries.sources(ctx.store), years[0] if years else None))


def footer() -> None:
    """The framework pages, linked from the foot of every page; and the script that names each
    chart for screen readers."""
    st.divider()
    for column, (path, title, _) in zip(st.columns(len(FRAMEWORK_PAGES)), FRAMEWORK_PAGES):
        column.page_link(path, label=title)
    st.html(_NAME_CHARTS, unsafe_allow_javascript=True)


# Each chart becomes a figure named by its title and described by its summary in words, which
# Streamlit's chart element cannot be told itself; re-run as charts are drawn and redrawn.
_NAME_CHARTS = """<script>
(() => {
  const name = () => document.querySelectorAll('[data-testid=stPlotlyChart]').forEach(chart => {
    const holder = chart.closest('[class*="st-key-chart-"]');
    const title = chart.querySelector('.gtitle');
    if (!holder || !title) return;
    const lines = [...title.querySelectorAll('.line')].map(line => line.textContent);
    const key = [...holder.classList].find(c => c.startsWith('st-key-chart-')).slice(13);
    const summary = document.querySelector('.st-key-summary-' + key);
    chart.setAttribute('role', 'figure');
    chart.setAttribute('aria-label',
                       'Chart: ' + (lines.length ? lines.join(' ') : title.textContent));
    if (summary) {
      summary.id = 'summary-' + key;
      chart.setAttribute('aria-describedby', summary.id);
    }
  });
  name();
  if (!window.oepChartNames) {
    let queued = false;  // one pass per frame, however many nodes a redraw adds
    window.oepChartNames = new MutationObserver(() => {
      if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; name(); }); }
    });
    window.oepChartNames.observe(document.body, {childList: true, subtree: true});
  }
})();
</script>"""


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
               default: Any = _NO_DEFAULT, url: str | None = None, **kwargs: Any) -> Any:
    """A filter widget whose value persists across page switches and, with ``url``, lives in the
    page's address under that name, so a copied link reopens the same choice.

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

    if url is not None and options is not None:
        _follow_link(url, key, page, list(options), multi=widget is st.multiselect,
                     refusal=f"The choice for \u201c{label}\u201d in this link is not available "
                     "here: the page shows another.")
    if widget_key not in st.session_state:
        restore = _NO_DEFAULT
        if saved in st.session_state and valid(st.session_state[saved]):
            restore = st.session_state[saved]
        elif default is not _NO_DEFAULT and valid(default):
            restore = default
        if restore is None and options is not None:
            # A widget state of None reads as "nothing chosen" and the box shows "Choose an
            # option"; the option None ("All phases") is chosen by its place instead.
            kwargs["index"] = list(options).index(None)
        elif restore is not _NO_DEFAULT:
            st.session_state[widget_key] = restore
    value = widget(label, key=widget_key, **kwargs)
    st.session_state[saved] = value
    if url is not None:
        _write_link(url, key, page, value)
    return value


def _asked(name: str, multi: bool) -> str | list[str] | None:
    if multi:
        return st.query_params.get_all(name) or None
    return st.query_params.get(name)


def _follow_link(name: str, key: str, page: str, choices: list[Any], *, multi: bool,
                 refusal: str) -> None:
    """Make the address's ``name`` the filter's choice when it is new (a link just opened), if it
    is among ``choices``; otherwise say so, audit it, and leave the choice as it was. Values the
    page wrote itself are not followed again, so a later pick is not undone."""
    applied = f"link:{_widget_key(key, page)}"
    asked = _asked(name, multi)
    if asked is None or asked == st.session_state.get(applied):
        return
    st.session_state[applied] = asked
    found, value = url_state.decode(asked, choices)
    if found:
        remember(key, value, page=page)
        return
    ctx = page_context()
    records.audit(ctx.activity, ctx.viewer.username, "link refused",
                  url_state.refused_detail(page or key, name, asked))
    st.info(plain.markdown(refusal))


def _write_link(name: str, key: str, page: str, value: Any) -> None:
    text = url_state.encode(value)
    if text is None:
        if name in st.query_params:
            del st.query_params[name]
    elif _asked(name, isinstance(text, list)) != text:
        st.query_params[name] = text
    st.session_state[f"link:{_widget_key(key, page)}"] = text
    if text is not None:
        st.session_state.setdefault("link:written", {})[name] = text


# Schools a picker lists at once; with more (a store of England's size) it asks for a search.
PICKER_LIMIT = 300
NO_SCHOOL = "No school selected"


def school_picker(label: str, names: dict[str, str], key: str, *, page: str = "",
                  default: str | None = None, allow_none: bool = False,
                  url: str | None = url_state.SCHOOL) -> str | None:
    """A remembered school picker (``names``: URN -> 'Name (URN)'). Up to ``PICKER_LIMIT``
    schools it lists them all; beyond, it lists those matching a search box, and the school
    already chosen. The school is in the address (``?urn=``): a link to a school not among
    ``names`` (hidden from the viewer, or no such school) is refused in the same words either
    way, and audited."""
    if url is not None:
        _follow_link(url, key, page, list(names), multi=False,
                     refusal=url_state.SCHOOL_NOT_AVAILABLE)
    query = ""
    if len(names) > PICKER_LIMIT:
        query = st.text_input(f"Find a school by name or URN (of {len(names):,})",
                              key=f"search:{page}:{key}")
    keep = [u for u in (st.session_state.get(f"filter:{key}"), default) if u is not None]
    options = display.matching_schools(names, query, PICKER_LIMIT, keep)
    if not options and not allow_none:
        st.info("No school matches that search.")
        st.stop()
    urn = remembered(st.selectbox, label, key, page=page,
                     options=[None, *options] if allow_none else options,
                     format_func=lambda u: names.get(u, NO_SCHOOL), default=default)
    if url is not None:
        _write_link(url, key, page, urn)
    return urn


def year_filter(years: Sequence[int], *, page: str) -> int:
    """The page's academic year, remembered and in the address."""
    return remembered(st.selectbox, "Year", "year", page=page, url="year", options=years,
                      format_func=periods.year_label)


def phase_filter(phases: Sequence[str], *, page: str) -> str | None:
    """The page's phase (None: all phases), remembered and in the address."""
    return remembered(st.selectbox, "Phase", "phase", page=page, url="phase",
                      options=[None, *phases], format_func=display.all_when_none("All phases"))


def school_filter(ctx: PageContext, names: dict[str, str], *, page: str) -> str | None:
    """One of the viewer's schools to set beside the borough (their own at first), or none."""
    return school_picker("School", names, "school", page=page, default=ctx.scope.own_urn,
                         allow_none=True)


def category_metrics(row: dict[str, object]) -> None:
    """A school's suggested and agreed support category and the change since its last review."""
    cols = st.columns(3)
    cols[0].metric("Suggested category", row["suggested_category"])
    cols[1].metric("Agreed category", row["agreed_category"] or "Not reviewed yet")
    cols[2].metric("Change since last review", row["change_since_review"])


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
                          delta=tile.change, help=tile.help,  # the data dictionary's own Markdown
                          delta_color="off" if tile.unchanged else colours[tile.lower_is_better],
                          delta_arrow="off" if tile.unchanged else "auto", border=True)
                st.caption(plain.markdown(tile.note))
                # The sentence is read first, so it is body text rather than a grey caption.
                st.markdown(plain.markdown(sentences.tile_sentence(tile)))


def _download(ctx: PageContext, frame: pl.DataFrame, file_name: str, key: str) -> None:
    """A CSV made only when the viewer clicks (no file exists on the server before), for that
    viewer's session, and audited as it is made. The label gives its size, the file name the day
    it was made."""
    dated = framework.dated_file_name(file_name, date.today())

    def generate() -> bytes:
        records.audit(ctx.activity, ctx.viewer.username, "download",
                      f"{dated} ({frame.height} rows)")
        return plain.csv_bytes(frame)

    size, exact = csv_size(frame)
    st.download_button(f"Download CSV ({'' if exact else 'about '}{framework.file_size(size)})",
                       data=generate,
                       file_name=dated, mime="text/csv", key=f"download:{key}",
                       on_click="ignore")


# Longer tables have their download's size estimated from a sample of rows: writing the whole of
# England's support-category table to measure it took 0.1 s of the page's first render.
EXACT_SIZE_ROWS = 5_000


@per_input(MEMO_SIZE)
def csv_size(frame: pl.DataFrame) -> tuple[int, bool]:
    """The download's size in bytes, for its label, and whether it is exact: a table of more
    than ``EXACT_SIZE_ROWS`` rows is measured on every n-th row and scaled."""
    if frame.height <= EXACT_SIZE_ROWS:
        return len(plain.csv_bytes(frame)), True
    sample = frame.gather_every(frame.height // EXACT_SIZE_ROWS)
    header = len(plain.csv_bytes(frame.clear()))
    rows = len(plain.csv_bytes(sample)) - header
    return header + round(rows * frame.height / sample.height), False


def table_block(ctx: PageContext, frame: pl.DataFrame, file_name: str, *, key: str,
                empty: str = "No figures match these choices.") -> None:
    """A table with its CSV download; an empty frame is said in words."""
    if frame.is_empty():
        st.info(plain.markdown(empty))
        return
    _people_table(frame)
    _download(ctx, frame, file_name, key)


def chart_block(ctx: PageContext, figure: go.Figure | None, data: pl.DataFrame, file_name: str,
                *, key: str, empty: str = "No figures match these choices.") -> None:
    """A chart, then the numbers behind it in an expandable table with a CSV download."""
    if figure is None or data.is_empty():
        st.info(plain.markdown(empty))
        return
    if presenting():
        figure = go.Figure(figure).update_layout(font={"size": PRESENTER_FONT})
    # The script at the foot of the page names the chart after its title and points it at the
    # summary (charts.summary_of), read by screen readers in place of the picture.
    # theme=None: the figure's own template (near-black text) rather than Streamlit's grey axes,
    # which are faint on a projector.
    st.plotly_chart(figure, key=f"chart-{key}", width="stretch", theme=None,
                    config={"displaylogo": False, "responsive": True})
    summary = charts.summary_of(figure)
    if summary:
        with st.container(key=f"summary-{key}"):
            st.markdown(f"**In words:** {plain.markdown(summary)}")
    with st.expander("Numbers behind this chart"):
        _people_table(data)
        _download(ctx, data, file_name, key)


def _people_table(frame: pl.DataFrame) -> None:
    """A table as people read it: dates as '23 March 2026', blanks as '–' with a line saying
    why (the CSV keeps both as they are)."""
    shown, blanks = _for_browser(frame)
    st.dataframe(shown, hide_index=True, width="stretch", lazy=True)
    if blanks:
        st.caption(framework.BLANK_NOTE)


@per_input(MEMO_SIZE)
def _for_browser(frame: pl.DataFrame) -> tuple[pa.Table, bool]:
    """The table as ``st.dataframe`` keeps it, made once per table for every session: given a
    polars frame, it keeps its own Arrow copy per session and run, for as long as the page is
    open (to send rows as the reader scrolls); 30 sessions at England scale held 30 copies."""
    shown, blanks = framework.for_people(frame)
    return shown.to_arrow(), blanks


# --- the view's address: presenter mode, the data it was made on, board packs --------------------

_PRESENTER = "presenter"  # the switch's widget key
PRESENTER_FONT = 20
# A projector shows no sidebar, and tiles and their captions large enough to read across a room.
PRESENTER_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"] { display: none !important; }
[data-testid="stMetricValue"] { font-size: 3.4rem; }
[data-testid="stMetricLabel"] p { font-size: 1.5rem; }
[data-testid="stMetricDelta"] { font-size: 1.4rem; }
[data-testid="stCaptionContainer"] { font-size: 1.15rem; }
</style>"""


def presenting() -> bool:
    return bool(st.session_state.get(_PRESENTER))


def _leave_presenter_mode() -> None:
    st.session_state[_PRESENTER] = False


def presenter_switch() -> bool:
    """The presenter-mode switch (sidebar), kept in the address as ``?present=1``; while on, the
    sidebar is hidden, so the way out is a button at the top of the page."""
    asked = st.query_params.get(url_state.PRESENTER)
    if asked is not None and asked != st.session_state.get("link:present"):
        st.session_state[_PRESENTER] = asked == "1"
    on = st.sidebar.toggle("Presenter mode", key=_PRESENTER,
                           help="Hides this sidebar and enlarges figures and chart text for a "
                           "projector.")
    if on:
        st.html(PRESENTER_CSS)
        st.button("Leave presenter mode", key="presenter:leave", on_click=_leave_presenter_mode,
                  icon=":material/close_fullscreen:")
        st.query_params[url_state.PRESENTER] = "1"
    elif url_state.PRESENTER in st.query_params:
        del st.query_params[url_state.PRESENTER]
    st.session_state["link:present"] = "1" if on else None
    return on


def view_address(store: Store, page: str) -> None:
    """The address of this view: another page's filters dropped when the page changes (as the
    browser does), presenter mode, and the load the view is made on."""
    written: dict[str, str | list[str]] = st.session_state.setdefault("link:written", {})
    if st.session_state.get("link:page") not in (None, page):
        # Only what the last page wrote and nobody changed since: a link's own values stay.
        for name, text in written.items():
            if name != url_state.PRESENTER and _asked(name, isinstance(text, list)) == text:
                del st.query_params[name]
        written.clear()
    st.session_state["link:page"] = page
    presenter_switch()
    _data_date(store, page)


def _data_date(store: Store, page: str) -> None:
    """Mark the address with when the view was made; a link made before a newer load says so on
    its page until another page is opened."""
    asked = st.query_params.get(url_state.MADE)
    notices: dict[str, str] = st.session_state.setdefault("link:stale", {})
    if asked is not None and asked != st.session_state.get("link:made"):
        notice = url_state.stale_notice(asked, queries.last_loaded(store))
        if notice:
            notices.clear()
            notices[page] = notice
    for other in [p for p in notices if p != page]:
        del notices[other]
    if page in notices:
        st.info(notices[page], icon=":material/update:")
    now = url_state.stamp(datetime.now())
    if asked != now:
        st.query_params[url_state.MADE] = now
    st.session_state["link:made"] = now


def pack_download(ctx: PageContext, label: str, make: Callable[..., bytes], *args: str,
                  file_name: str, key: str) -> None:
    """A PDF made only when the viewer clicks, for that viewer, and audited like every download:
    ``make(store, scope, settings, activity, *args, made=<the time of the click>)``."""
    def generate() -> bytes:
        pdf = make(ctx.store, ctx.scope, ctx.settings, ctx.activity, *args, made=datetime.now())
        records.audit(ctx.activity, ctx.viewer.username, "download",
                      f"{file_name} (board pack, {len(pdf):,} bytes)")
        return pdf

    st.download_button(label, data=generate, file_name=file_name, mime="application/pdf",
                       key=f"download:{key}", on_click="ignore", icon=":material/picture_as_pdf:")
