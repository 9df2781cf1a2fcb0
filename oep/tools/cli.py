"""Command line: ``python -m oep demo|users|import|reconcile|categories|bench``."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from oep.data.store import Store, store_path

if TYPE_CHECKING:  # the commands load what they need when they run: `users` stays quick
    from oep.data.importers import ImportReport


def _demo(args: argparse.Namespace) -> int:
    from oep.data.auth import auth_file
    from oep.tools.first_run import build_demo

    path = Path(args.db) if args.db else store_path()
    if path.exists() and not args.force:
        print(f"{path} already exists; pass --force to replace it with a new demo store.",
              file=sys.stderr)
        return 1

    def progress(message: str, done: float) -> None:
        print(f"[{done:4.0%}] {message}", file=sys.stderr)

    orgs = build_demo(path, auth_file(), seed=args.seed, schools=args.schools, years=args.years,
                      progress=progress)
    print(f"Demo store written to {path}; demo users (password 'oep-demo') in {auth_file()}.")
    print("Demo organisations: " + ", ".join(f"{k}={v}" for k, v in sorted(orgs.items())))
    return 0


def _users(args: argparse.Namespace) -> int:
    from oep.data import auth

    path = auth.auth_file()
    try:
        if args.action == "add":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin else None
            if not password:
                print("Give the password on standard input with --password-stdin.",
                      file=sys.stderr)
                return 1
            auth.add_user(path, args.username, role=args.role, org=args.org, name=args.name,
                          email=args.email, password=password)
            print(f"Added {args.username} to {path}.")
        elif args.action == "list":
            from oep.data.plain import spreadsheet_safe

            print(spreadsheet_safe(auth.list_users(path)).write_csv(), end="")
        elif args.action == "remove":
            auth.remove_user(path, args.username)
            print(f"Removed {args.username}.")
        elif args.action in ("disable", "enable"):
            auth.set_disabled(path, args.username, args.action == "disable")
            print(f"{args.username}: {args.action}d.")
        elif args.action == "set-password":
            password = sys.stdin.readline().rstrip("\n")
            auth.set_password(path, args.username, password)
            print(f"Password of {args.username} changed; their open sessions end.")
        elif args.action == "set-role":
            auth.set_role(path, args.username, args.role, args.org)
            print(f"{args.username} is now {args.role} of {args.org}; their open sessions end.")
    except auth.UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _import(args: argparse.Namespace) -> int:
    """A progress bar on stderr, a summary on stdout; 0 ok, 1 refused."""
    from oep.data.auth import auth_file, remove_demo_users
    from oep.data.importers import ImportFailed, import_file

    db = Path(args.db) if args.db else store_path()
    try:
        report = import_file(Path(args.file), db=db, kind=args.kind, user=args.as_user,
                             unknown_schools=args.unknown_schools, progress=_progress_bar,
                             start_fresh=args.fresh, phase=args.phase,
                             pupil_group=args.pupil_group)
    except ImportFailed as exc:
        print(file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(_summary(report, db))
    if not report.skipped_as_duplicate:
        print(_kept_for_the_app(db))
    if args.fresh and db.resolve() == store_path().resolve():
        # The app's store made fresh is the way out of the demo: its published logins go with it.
        removed = remove_demo_users(auth_file())
        if removed:
            print(f"Removed the demo users from {auth_file()}: {', '.join(removed)}.")
    elif args.fresh:
        print(f"The users in {auth_file()} are left as they are: they log in to {store_path()}, "
              f"not to {db}.")
    return 0


def _kept_for_the_app(db: Path) -> str:
    """The new version's support categories worked out now and kept beside the store, so that
    no page waits for them (seconds at England scale); the import stands if this fails."""
    from oep.present import warmup

    _progress_bar("Working out support categories", 0.0)
    start = time.perf_counter()
    store = Store(db)
    try:
        problem = warmup.keep_after_load(store)
    finally:
        store.close()
    _progress_bar("Working out support categories", 1.0)
    if problem is not None:
        return (f"Note: the support categories could not be worked out now ({problem}); the app "
                "works them out when a page first asks.")
    return (f"Support categories worked out and kept for the app "
            f"({time.perf_counter() - start:.1f} s).")


def _progress_bar(message: str, done: float) -> None:
    width = 30
    filled = int(round(done * width))
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:4.0%} {message[:40]:<40}")
    if done >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _summary(report: ImportReport, db: Path) -> str:
    if report.skipped_as_duplicate:
        return f"{report.file_name}: {report.warnings[0]}"
    lines = [
        f"Loaded {report.file_name} ({report.kind}) into {db} as source {report.source_id}: "
        f"{report.rows_read:,} rows read, {report.rows_to_load:,} rows loaded, "
        f"{report.replaces_rows:,} stored rows replaced.", report.accounting()]
    if report.periods:
        lines.append("Periods: " + ", ".join(report.periods))
    if report.geo_levels:
        lines.append("Levels: " + ", ".join(report.geo_levels))
    lines += [f"Note: {w}" for w in report.warnings]
    return "\n".join(lines)


def _reconcile(args: argparse.Namespace) -> int:
    """The listing of what became of each row; 0 when everything reconciles, 1 on any mismatch
    or refusal."""
    from oep.data.importers import ImportFailed
    from oep.data.importers.reconcile import reconcile

    try:
        result = reconcile(Path(args.file), db=Path(args.db) if args.db else store_path(),
                           kind=args.kind)
    except ImportFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(result.lines()))
    return 0 if result.ok else 1


def _categories(args: argparse.Namespace) -> int:
    return _categories_report(
        db=Path(args.db) if args.db else store_path(), fmt=args.format, as_user=args.as_user
    )


def _as_csv(rows: list[dict[str, object]]) -> str:
    import polars as pl

    from oep.data import plain

    flat = [{**row, "reasons": "; ".join(r["text"] for r in row["reasons"])}  # type: ignore
            for row in rows]
    schema = {k: pl.String for k in ("urn", "name", "phase", "suggested_category",
                                     "agreed_category", "agreed_on", "reasons")}
    return plain.spreadsheet_safe(pl.DataFrame(flat, schema=schema)).write_csv()


def _categories_report(db: Path, fmt: str = "csv", as_user: str | None = None) -> int:
    """``python -m oep categories``: print every school's categories and reasons.

    Without ``as_user`` it is the LA's full view (whoever holds the store file holds the data);
    with it, that user's access rules, exactly as on the page. Exit status 1 on an unknown or
    disabled user or a missing store.
    """
    import json

    from oep.data import auth, queries, records
    from oep.data.access import LA_ORG, Viewer
    from oep.data.config import load_settings
    from oep.domain import categories

    if not db.exists():
        print(f"error: no store at {db}", file=sys.stderr)
        return 1
    if as_user is None:
        viewer = Viewer(username="cli", name="Command line", role="la_officer", org=LA_ORG)
    else:
        found = auth.viewer_for(auth.auth_file(), as_user)
        if found is None:
            print(f"error: no enabled user {as_user!r} in {auth.auth_file()}", file=sys.stderr)
            return 1
        viewer = found
    store, settings = Store(db), load_settings()
    try:
        scope = queries.scope_for(store, viewer, settings)
        if scope.note:
            print(f"note: {scope.note}", file=sys.stderr)
        activity_path = records.activity_path(db)
        rows = categories.export_rows(store, scope, settings, activity_path)
        records.audit(activity_path, viewer.username, "categories_export",
                      f"{len(rows)} schools as {fmt}")
    finally:
        store.close()
    print(json.dumps(rows, indent=2, ensure_ascii=False) if fmt == "json" else _as_csv(rows),
          end="" if fmt == "csv" else "\n")
    return 0


def _bench(args: argparse.Namespace) -> int:
    db = Path(args.db) if args.db else store_path()
    if args.load:
        from oep.tools.loadtest import run_load

        return run_load(db, args.sessions, (args.pause_min, args.pause_max),
                        (args.burst_min, args.burst_max), args.limit, args.replicas)
    from oep.tools.bench import run_bench

    return run_bench(db, runs=args.runs)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m oep", description=__doc__)
    sub = top.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the synthetic demo store and demo users")
    demo.add_argument("--db", help="store file (default: $OEP_DB or data/oep.duckdb)")
    demo.add_argument("--seed", type=int, default=353)
    demo.add_argument("--schools", type=int, default=100)
    demo.add_argument("--years", type=int, default=5)
    demo.add_argument("--force", action="store_true", help="replace an existing store")
    demo.set_defaults(run=_demo)

    users = sub.add_parser("users", help="manage logins ($OEP_AUTH_FILE or data/users.yaml)")
    actions = users.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user")
    add.add_argument("username")
    add.add_argument("--role", required=True)
    add.add_argument("--org", required=True, help="school URN, LA, BOARD or a partner code")
    add.add_argument("--name", required=True)
    add.add_argument("--email", required=True)
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input")
    actions.add_parser("list", help="list users (no password hashes)")
    for action in ("disable", "enable", "remove", "set-password"):
        one = actions.add_parser(action, help=f"{action} a user"
                                 + (" (new password on standard input)"
                                    if action == "set-password" else ""))
        one.add_argument("username")
    role = actions.add_parser("set-role", help="change a user's role and organisation")
    role.add_argument("username")
    role.add_argument("--role", required=True)
    role.add_argument("--org", required=True, help="school URN, LA, BOARD or a partner code")
    users.set_defaults(run=_users)

    imp = sub.add_parser("import", help="load a DfE or partnership file into the store")
    imp.add_argument("file")
    imp.add_argument("--kind", help="register, links, absence, attendance, sen, ehcp, "
                     "suspensions, ofsted or partnership (detected from the header if omitted)")
    imp.add_argument("--db")
    imp.add_argument("--as", dest="as_user", default="cli", help="who is loading (recorded)")
    imp.add_argument("--unknown-schools", choices=("skip", "load"), default="skip",
                     help="what to do with rows for schools not in the register")
    imp.add_argument("--fresh", action="store_true",
                     help="with a register: start a new store holding only this register's "
                     "schools (the way out of the demo store)")
    imp.add_argument("--phase", help="for a file with no phase column that covers one phase "
                     "only: Primary, Secondary, Special or 'Pupil referral unit'")
    imp.add_argument("--pupil-group", help="for a file whose every row describes one group of "
                     "pupils and that does not say so (e.g. absence of pupils aged 4): the group, "
                     "e.g. 'Aged 4'")
    imp.set_defaults(run=_import)

    rec = sub.add_parser("reconcile", help="list what became of each row of a loaded file and "
                         "check each of its figures against the store (exit 1 on any mismatch)")
    rec.add_argument("file")
    rec.add_argument("--db")
    rec.add_argument("--kind", help="as given to import (detected from the header if omitted)")
    rec.set_defaults(run=_reconcile)

    cat = sub.add_parser("categories", help="print every school's support category")
    cat.add_argument("--db")
    cat.add_argument("--format", choices=("csv", "json"), default="csv")
    cat.add_argument("--as", dest="as_user", help="apply this user's access rights")
    cat.set_defaults(run=_categories)

    bench = sub.add_parser(
        "bench", help="render time of each page, or (--load) a meeting's load on a real server")
    bench.add_argument("--db")
    bench.add_argument("--runs", type=int, default=5)
    bench.add_argument("--load", action="store_true",
                       help="instead: a meeting's load on a real server (1, then N sessions)")
    bench.add_argument("--sessions", type=int, default=30)
    bench.add_argument("--pause-min", type=float, default=5.0, help="seconds between clicks")
    bench.add_argument("--pause-max", type=float, default=10.0)
    bench.add_argument("--burst-min", type=float, default=1.0, help="the burst mode's pauses")
    bench.add_argument("--burst-max", type=float, default=3.0)
    bench.add_argument("--limit", type=float, default=600.0, help="seconds allowed per phase")
    bench.add_argument("--replicas", type=int, default=0,
                       help="with --load: then the same sessions on this many app processes "
                       "behind nginx with a throw-away PostgreSQL (needs both installed)")
    bench.set_defaults(run=_bench)
    return top


def main(argv: list[str] | None = None) -> int:
    # Streamlit (which the bench loads) warns about running outside an app; the commands report
    # through their own output, not logging.
    logging.disable(logging.WARNING)
    args = parser().parse_args(argv)
    return int(args.run(args))

