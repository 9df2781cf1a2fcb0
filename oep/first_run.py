"""Building the demo: the synthetic store, one demo user per viewer kind, and some history.

The history (agreed support categories and disengagement records) goes through the same validated
writes an LA officer uses, so the Support categories and Disengagement pages have something real to
show from the first run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from oep import categories, disengagement, records
from oep.access import LA_ORG, Viewer, scope_for
from oep.auth import write_demo_users
from oep.config import load_settings
from oep.store import Store, meta
from oep.tools.demo import build_demo_store

DEMO_RECORDER = Viewer(username="demo-setup", name="Demo EPL", role="epl", org=LA_ORG)
SUMMER_REVIEW = date(2026, 7, 10)
EARLIER_REVIEW = date(2025, 7, 11)
SEEDED_SCHOOLS = 100


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
        progress("Writing demo users and review history", 0.98)
    write_demo_users(auth, demo_orgs)
    seed_demo_history(store, records.activity_path(store))
    return demo_orgs


def seed_demo_history(store_path: Path, activity: records.Activity) -> None:
    """Agreed categories for a quarter of the first 100 schools and three disengagement records.

    Only into an activity store that has no reviews yet: a rebuilt demo keeps what people recorded.
    """
    if records.read(activity, "SELECT count(*) AS n FROM category_reviews")["n"][0]:
        return
    store = Store(store_path)
    try:
        scope = scope_for(store, DEMO_RECORDER, SUMMER_REVIEW)
        suggested = categories.suggestions(store, scope, load_settings(), SUMMER_REVIEW).sort("urn")
        others = {"Universal": "Targeted", "Targeted": "Universal", "Intensive": "Targeted"}
        # A borough's worth of history, whatever the size of the store (an England-scale
        # benchmark store needs no thousands of reviews).
        for index, (urn, category) in enumerate(
            suggested.head(SEEDED_SCHOOLS).select("urn", "suggested_category").iter_rows()
        ):
            if index % 4:
                continue
            if index % 12 == 0:
                categories.record_review(
                    activity, store, scope, urn, category, EARLIER_REVIEW,
                    "Annual review: agreed with the suggested category.", DEMO_RECORDER.name,
                )
                agreed = others[category]
                rationale = (f"Agreed {agreed} rather than {category}: recent partnership visit "
                             "evidence is not yet in the indicators.")
            else:
                agreed, rationale = category, "Summer review: agreed with the suggested category."
            categories.record_review(activity, store, scope, urn, agreed, SUMMER_REVIEW,
                                     rationale, DEMO_RECORDER.name)
        weakest = suggested.filter(suggested["suggested_category"] == "Intensive")["urn"]
        for level, urn in zip((1, 2, 3), weakest.head(3).to_list()):
            step = disengagement.LEVELS[level]
            disengagement.record_disengagement(
                activity, store, scope, urn, level, date(2026, 3 + level, 1),
                f"Demo record: {step.meaning}", step.action, DEMO_RECORDER.name,
            )
    finally:
        store.close()
