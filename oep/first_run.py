"""Building the demo: the synthetic store plus one demo user per viewer kind."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import duckdb

from oep.auth import write_demo_users
from oep.demo import build_demo_store
from oep.store import meta


def build_demo(
    store: Path,
    auth: Path,
    *,
    seed: int = 353,
    schools: int = 100,
    years: int = 5,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, str]:
    """Build the demo store and write the demo users into ``auth``; returns the demo orgs."""
    build_demo_store(store, seed=seed, schools=schools, years=years, progress=progress)
    con = duckdb.connect(str(store), read_only=True)
    try:
        demo_orgs: dict[str, str] = json.loads(meta(con)["demo_orgs"])
    finally:
        con.close()
    if progress:
        progress("Writing demo users", 0.98)
    write_demo_users(auth, demo_orgs)
    return demo_orgs
