"""``python -m oep bench --load``: a partnership meeting's worth of people on one real server.

Starts ``streamlit run app.py`` on a free localhost port and drives it the way a browser does,
through Streamlit's websocket protocol (``/_stcore/stream``: ``BackMsg`` reruns carrying widget
states and the page, ``ForwardMsg`` deltas until ``script_finished``). Each simulated person logs in
through the login form, then opens Overview, Attendance, SEND, School profile and Support
categories and changes a filter on each, pausing between clicks as people do while they read.

Printed: p50/p95/max seconds per page for one session alone and for N at once (and a burst mode
with short pauses), errors, bytes sent per page open, and the server's peak memory. With
``--replicas N``, the same N sessions again on N app processes behind nginx, sharing a throw-away
PostgreSQL (``oep.tools.cluster``; the recipe in ``deploy/``), and both side by side.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from websockets.sync.client import ClientConnection, connect

from oep.data import auth, pg
from oep.tools import cluster
from oep.data.config import ROOT

PAGES = ("Overview", "Attendance", "SEND", "School profile", "Support categories")
LOGIN = "Log in"
LOAD_USER = "load_officer"
RUN_TIMEOUT_S = 180.0


@dataclass
class Widget:
    id: str
    kind: str
    label: str
    options: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    seconds: float
    bytes: int
    error: str | None
    widgets: list[Widget]
    pages: dict[str, str]
    payload: bytes = b""  # every message of the run, for a check of what the page showed


class Session:
    """One person's browser tab: a websocket and the widget values it would send back."""

    def __init__(self, port: int, cookie: str | None = None) -> None:
        origin = f"http://127.0.0.1:{port}"
        self.ws: ClientConnection = connect(
            f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],  # type: ignore[list-item]
            origin=origin, max_size=None, open_timeout=30,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie} if cookie else None)
        # Behind deploy/'s nginx: the replica that holds this session.
        response = self.ws.response
        self.replica = response.headers.get("X-OEP-Replica") if response is not None else None
        self.page_hash = ""
        self.pages: dict[str, str] = {}
        self.states: dict[str, object] = {}

    def close(self) -> None:
        self.ws.close()

    def rerun(self, *, page: str | None = None, values: dict[str, object] | None = None,
              trigger: str | None = None) -> RunResult:
        """Send one rerun (as a click or a page switch does) and read until the run finishes."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if page is not None:
            self.page_hash = self.pages[page]
        self.states.update(values or {})
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = ""
        client.page_script_hash = self.page_hash
        for widget_id, value in self.states.items():
            state = client.widget_states.widgets.add()
            state.id = widget_id
            if isinstance(value, str):
                state.string_value = value
            else:
                state.string_array_value.data.extend(value)  # type: ignore[arg-type]
        if trigger:
            state = client.widget_states.widgets.add()
            state.id = trigger
            state.trigger_value = True
        start = time.perf_counter()
        self.ws.send(msg.SerializeToString())
        return self._read(start)

    def _read(self, start: float) -> RunResult:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        received, widgets, error, chunks = 0, [], None, []
        deadline = start + RUN_TIMEOUT_S
        while True:
            try:
                data = self.ws.recv(timeout=max(deadline - time.perf_counter(), 0.1))
            except TimeoutError:
                return RunResult(time.perf_counter() - start, received, "timed out", widgets,
                                 self.pages)
            received += len(data)
            chunks.append(data if isinstance(data, bytes) else data.encode())
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in fwd.navigation.app_pages}
                self.page_hash = fwd.navigation.page_script_hash
            elif kind == "new_session" and not self.page_hash:
                self.page_hash = fwd.new_session.page_script_hash
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                which = element.WhichOneof("type")
                if which == "exception":
                    error = error or element.exception.message or "exception"
                elif which in ("selectbox", "multiselect", "text_input", "text_area", "button"):
                    proto = getattr(element, which)
                    widgets.append(Widget(proto.id, which, proto.label,
                                          list(getattr(proto, "options", []))))
            elif kind == "script_finished":
                # 0 finished, 1 compile error; 2 ended early for a rerun (st.rerun, as a login
                # does: the next run follows on its own); 3 a fragment.
                status = fwd.script_finished
                if status == 2:
                    widgets = []  # the next run draws the page again
                if status == 1:
                    error = error or "script error"
                if status in (0, 1):
                    live = {w.id for w in widgets}
                    self.states = {k: v for k, v in self.states.items() if k in live}
                    return RunResult(time.perf_counter() - start, received, error, widgets,
                                     self.pages, b"".join(chunks))


def widget(widgets: list[Widget], kind: str, label: str) -> Widget | None:
    return next((w for w in widgets if w.kind == kind and w.label == label), None)


def log_in(session: Session, username: str, password: str) -> RunResult:
    first = session.rerun()
    if first.error:
        return first
    user = widget(first.widgets, "text_input", "Username")
    word = widget(first.widgets, "text_input", "Password")
    button = widget(first.widgets, "button", LOGIN)
    if not (user and word and button):
        return RunResult(first.seconds, first.bytes, "no login form", [], session.pages)
    result = session.rerun(values={user.id: username, word.id: password}, trigger=button.id)
    if not widget(result.widgets, "button", "Log out"):
        result.error = result.error or (
            f"login refused: {[(w.kind, w.label) for w in result.widgets]}")
    return result


def change_a_filter(session: Session, widgets: list[Widget],
                    rng: random.Random) -> RunResult | None:
    """Pick another option in the page's first filter with a choice, as a reader would."""
    for widget in widgets:
        if widget.kind == "selectbox" and len(widget.options) > 1:
            return session.rerun(values={widget.id: rng.choice(widget.options[1:])})
        if widget.kind == "multiselect" and widget.options:
            return session.rerun(values={widget.id: [rng.choice(widget.options)]})
    return None


@dataclass
class Timings:
    by_page: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    bytes_by_page: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, result: RunResult, *, page_open: bool = False) -> None:
        with self.lock:
            self.by_page[name].append(result.seconds)
            if page_open:
                self.bytes_by_page[name].append(result.bytes)
            if result.error:
                self.errors.append(f"{name}: {result.error}")


def person(port: int, username: str, password: str, pause: tuple[float, float], seed: int,
           timings: Timings) -> None:
    rng = random.Random(seed)
    time.sleep(rng.uniform(0, pause[0]))  # people do not click in the same millisecond
    try:
        session = Session(port)
    except Exception as exc:
        with timings.lock:
            timings.errors.append(f"connect: {exc!r}")
        return
    try:
        result = log_in(session, username, password)
        timings.add("Log in", result)
        if result.error:
            return
        for page in PAGES:
            time.sleep(rng.uniform(*pause))
            opened = session.rerun(page=page)
            timings.add(page, opened, page_open=True)
            time.sleep(rng.uniform(*pause))
            changed = change_a_filter(session, opened.widgets, rng)
            if changed is not None:
                timings.add(f"{page} (filter)", changed)
    except Exception as exc:
        with timings.lock:
            timings.errors.append(f"session: {exc!r}")
    finally:
        session.close()


def warm_up(port: int, username: str, password: str) -> None:
    """One login before timing: a meeting's server has served someone before the meeting, and
    the first run in a new process pays for its imports."""
    session = Session(port)
    try:
        for _ in range(3):
            if not log_in(session, username, password).error:
                return
    finally:
        session.close()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (Linux), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def server(db: Path, folder: Path, password: str,
           users: Path | None = None) -> Iterator[tuple[int, subprocess.Popen]]:
    """``streamlit run app.py`` on ``db`` as start.sh runs it, with the ``users`` file or else a
    throw-away officer login (``LOAD_USER`` with ``password``)."""
    if users is None:
        users = folder / "users.yaml"
        auth.add_user(users, LOAD_USER, role="la_officer", org="LA",
                      name="Load test (LA officer)", email="load@example.invalid",
                      password=password)
    port = cluster.free_port()
    # The embedded stores, whatever the caller's environment names.
    env = {key: value for key, value in os.environ.items() if key != pg.URL_VARIABLE}
    env.update({"OEP_DB": str(db), "OEP_AUTH_FILE": str(users),
                "OEP_ACTIVITY_DB": str(folder / "activity.duckdb"),
                "OEP_COOKIE_KEY": secrets.token_urlsafe(32)})
    log_path = folder / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
             str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            cluster.wait_for(f"http://127.0.0.1:{port}/_stcore/health", proc, log=log_path)
            yield port, proc
        finally:
            cluster.stop(proc)


@contextmanager
def behind_proxy(db: Path, folder: Path, url: str, count: int,
                 cookie_key: str) -> Iterator[tuple[int, list[tuple[int, subprocess.Popen]]]]:
    """``count`` replicas (deploy/replica.sh) on ``db``, sharing the PostgreSQL database ``url``,
    behind nginx (deploy/nginx-site.sh); yields the proxy's port and each replica's port and
    process."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("OEP_AUTH_FILE", "OEP_ACTIVITY_DB")}
    env.update({"OEP_DB": str(db), pg.URL_VARIABLE: url, "OEP_COOKIE_KEY": cookie_key})
    with cluster.replicas(count, env, folder) as running, \
            cluster.proxy(folder, [port for port, _ in running]) as port:
        yield port, running


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def drive(port: int, logins: list[tuple[str, str]], pause: tuple[float, float],
          limit_s: float) -> Timings:
    """One person per (username, password), all at once; each session's errors are collected."""
    timings = Timings()
    threads = [threading.Thread(target=person, args=(port, username, password, pause, n, timings),
                                daemon=True) for n, (username, password) in enumerate(logins)]
    for thread in threads:
        thread.start()
    deadline = time.time() + limit_s
    for thread in threads:
        thread.join(timeout=max(deadline - time.time(), 0.1))
    stuck = sum(t.is_alive() for t in threads)
    if stuck:
        timings.errors.append(f"{stuck} session(s) still running after {limit_s:.0f} s")
    return timings


@contextmanager
def sampled(pid: int, folder: Path) -> Iterator[Path | None]:
    """Sample the server's busy threads with py-spy (requirements-dev.txt), if it is installed."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        yield None
        return
    out = folder / "samples.txt"
    proc = subprocess.Popen([spy, "record", "-p", str(pid), "-o", str(out), "--format", "raw",
                             "--rate", "50", "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield out
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def hot_functions(samples: Path, top: int = 12) -> list[tuple[str, float]]:
    """The app's own functions (oep/, pages/, app.py) by share of busy samples that pass through
    them, from py-spy's raw output (one 'frame;frame;... count' line per distinct stack)."""
    total = 0
    counts: dict[str, int] = defaultdict(int)
    own = re.compile(r"^(.+) \((?:.*/)?((?:oep|pages)/[^:]+|app\.py)(?::\d+)?\)$")
    for line in samples.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        total += int(number)
        seen = set()
        for frame in stack.split(";"):
            match = own.match(frame)
            if match:
                seen.add(f"{match.group(2)}:{match.group(1)}")
        for name in seen:
            counts[name] += int(number)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:top]
    return [(name, count / total) for name, count in ranked] if total else []


def report(title: str, timings: Timings, rss_mb: float) -> None:
    print(f"\n{title}")
    print(f"{'Page':<32}{'runs':>6}{'p50 (s)':>10}{'p95 (s)':>10}{'max (s)':>10}{'KB/open':>10}")
    order = ["Log in", *[n for p in PAGES for n in (p, f"{p} (filter)")]]
    for name in order:
        values = timings.by_page.get(name)
        if not values:
            continue
        sizes = timings.bytes_by_page.get(name)
        size = f"{statistics.median(sizes) / 1024:>10.0f}" if sizes else f"{'':>10}"
        print(f"{name:<32}{len(values):>6}{statistics.median(values):>10.2f}"
              f"{_pct(values, 0.95):>10.2f}{max(values):>10.2f}{size}")
    every = _every(timings)
    if every:
        print(f"{'every page and filter':<32}{len(every):>6}{statistics.median(every):>10.2f}"
              f"{_pct(every, 0.95):>10.2f}{max(every):>10.2f}")
    print(f"errors: {len(timings.errors)}" + "".join(f"\n  {e}" for e in timings.errors[:10]))
    print(f"server peak memory so far: {rss_mb:.0f} MB")


def _every(timings: Timings) -> list[float]:
    return [v for name, values in timings.by_page.items() if name != "Log in" for v in values]


def _p50_p95(values: list[float]) -> str:
    if not values:
        return "no runs"
    return f"{statistics.median(values):.2f} / {_pct(values, 0.95):.2f}"


def run_load(db: Path, sessions: int, pause: tuple[float, float], burst: tuple[float, float],
             limit_s: float, replicas: int = 0) -> int:
    """One session alone, then ``sessions`` at once (reading pace), then in a burst; with
    ``replicas``, the same sessions again on that many replicas behind nginx."""
    if not db.exists():
        print(f"No store at {db}.", file=sys.stderr)
        return 1
    if replicas:
        why = cluster.missing()
        if why:
            print(f"Cannot run replicas here: {why}.", file=sys.stderr)
            return 1
    password = secrets.token_urlsafe(18)
    with tempfile.TemporaryDirectory() as tmp, server(db, Path(tmp), password) as (port, proc):
        print(f"Store {db}; server pid {proc.pid} on port {port}; "
              f"pauses {pause[0]:g}-{pause[1]:g} s (burst {burst[0]:g}-{burst[1]:g} s); "
              f"at most {limit_s:.0f} s per phase.")
        warm_up(port, LOAD_USER, password)
        alone = drive(port, [(LOAD_USER, password)], pause, limit_s)
        report("1 session", alone, peak_rss_mb(proc.pid))
        with sampled(proc.pid, Path(tmp)) as samples:
            many = drive(port, [(LOAD_USER, password)] * sessions, pause, limit_s)
        report(f"{sessions} sessions at once", many, peak_rss_mb(proc.pid))
        if samples is None or not samples.exists():
            print("(install py-spy, in requirements-dev.txt, to see where the server's time goes)")
        else:
            print("the app's own functions by share of the server's busy samples:")
            for name, share in hot_functions(samples):
                print(f"  {share:>6.1%}  {name}")
        rush = drive(port, [(LOAD_USER, password)] * sessions, burst, limit_s)
        report(f"{sessions} sessions at once, burst", rush, peak_rss_mb(proc.pid))
        failed = alone.errors or many.errors or rush.errors
        if failed:
            print(server_errors(Path(tmp) / "server.log"))
    if not replicas:
        return 1 if failed else 0
    with tempfile.TemporaryDirectory() as tmp, cluster.postgres() as url:
        auth.add_user(pg.Database(url), LOAD_USER, role="la_officer", org="LA",
                      name="Load test (LA officer)", email="load@example.invalid",
                      password=password)
        with behind_proxy(db, Path(tmp), url, replicas,
                          secrets.token_urlsafe(32)) as (port, running):
            print(f"\n{replicas} replicas (pids {', '.join(str(p.pid) for _, p in running)}) "
                  f"behind nginx on port {port}, sharing PostgreSQL")
            for replica_port, _ in running:
                warm_up(replica_port, LOAD_USER, password)
            spread = drive(port, [(LOAD_USER, password)] * sessions, pause, limit_s)
            memory = sum(peak_rss_mb(p.pid) for _, p in running)
            report(f"{sessions} sessions at once, {replicas} replicas", spread, memory)
            spread_rush = drive(port, [(LOAD_USER, password)] * sessions, burst, limit_s)
            memory = sum(peak_rss_mb(p.pid) for _, p in running)
            report(f"{sessions} sessions at once, burst, {replicas} replicas", spread_rush, memory)
        pg.close_pools()
    print(f"\nevery page and filter, {sessions} sessions: p50 / p95 seconds")
    for label, one, many_replicas in (("reading pace", many, spread),
                                      ("burst", rush, spread_rush)):
        print(f"  {label:<14} one process {_p50_p95(_every(one))}    "
              f"{replicas} replicas {_p50_p95(_every(many_replicas))}")
    failed = failed or spread.errors or spread_rush.errors
    return 1 if failed else 0


def server_errors(log_path: Path, most: int = 3) -> str:
    """The server's last few tracebacks: the pages show only that an error happened."""
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    tracebacks = ["Traceback" + part.split("\n\n")[0] for part in text.split("Traceback")[1:]]
    if not tracebacks:
        return "the server logged no traceback"
    return "the server's last tracebacks:\n" + "\n".join(tracebacks[-most:])
