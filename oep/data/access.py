"""Who may see what: the data-access protocol of the Memorandum of Understanding (section 3).

This is the one place the rule lives. ``scope_for`` turns a viewer (role, organisation) and the
partnership register in the store (MoU status, support links with dates, strategic partners) into a
``Scope``: the schools whose school-level data the viewer may see, and what else they may do. Every
query in ``oep.data.queries`` takes a scope and filters on it; pages never filter rows themselves.

| viewer kind | school-level data visible |
| --- | --- |
| public (not logged in) | none (Ofsted judgements of members only, as on the public dashboard) |
| LA officer, EPL, admin | every school, unsuppressed |
| board member, strategic partner | every member school |
| member staff | every member school, its own, and schools it supports while the link is active |
| non-member staff | its own school only |
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from oep.data.store import Store

ROLES: dict[str, str] = {
    "admin": "Administrator",
    "la_officer": "LA officer",
    "epl": "Education Partnership Leader",
    "board": "Partnership board member",
    "partner": "Strategic partner",
    "head": "Headteacher",
    "senco": "SENCO",
    "data_lead": "School data lead",
    "staff": "School staff",
}
LA_ROLES = frozenset({"admin", "la_officer", "epl"})
SCHOOL_ROLES = frozenset({"head", "senco", "data_lead", "staff"})
LA_ORG = "LA"


class Kind(StrEnum):
    PUBLIC = "public"
    LA = "LA officer"
    BOARD = "board member"
    PARTNER = "strategic partner"
    MEMBER = "member school staff"
    NON_MEMBER = "non-member school staff"


@dataclass(frozen=True)
class Viewer:
    username: str | None
    name: str
    role: str | None
    org: str | None

    @property
    def logged_in(self) -> bool:
        return self.username is not None


PUBLIC_VIEWER = Viewer(username=None, name="Visitor", role=None, org=None)


@dataclass(frozen=True)
class Scope:
    """What one viewer may see today. Hashable, so it can be part of a cache key."""

    viewer: Viewer
    kind: Kind
    urns: frozenset[str]
    """Schools whose school-level data (indicators, SEND, categories) the viewer may see."""
    public_urns: frozenset[str]
    """Schools whose name and Ofsted judgement the viewer may see (members' are public)."""
    own_urn: str | None = None
    supported_urns: frozenset[str] = field(default_factory=frozenset)
    note: str = ""
    min_count: int | None = None
    """Counts below this are shown as ``c`` to this viewer; None for the LA, who sees all."""

    @property
    def is_la(self) -> bool:
        return self.kind is Kind.LA

    @property
    def suppress_small_counts(self) -> bool:
        return self.min_count is not None

    @property
    def can_record_reviews(self) -> bool:
        return self.kind is Kind.LA

    @property
    def can_see_disengagement_list(self) -> bool:
        return self.kind in (Kind.LA, Kind.BOARD)

    @property
    def can_manage(self) -> bool:
        """Imports, users and the audit log: LA officers, EPLs and admins."""
        return self.kind is Kind.LA


@functools.lru_cache(maxsize=64)
def in_order(urns: frozenset[str]) -> tuple[str, ...]:
    """``urns`` sorted, once per set (a scope's sets are kept, not made afresh per run): an LA
    viewer's 24,000 URNs took 0.014 s to sort, several times a render."""
    return tuple(sorted(urns))


def _members(store: Store) -> frozenset[str]:
    frame = store.frame("SELECT urn FROM schools WHERE mou_signed")
    return frozenset(frame["urn"].to_list())


def _all_schools(store: Store) -> frozenset[str]:
    return frozenset(store.frame("SELECT urn FROM schools")["urn"].to_list())


def active_supported(store: Store, provider_urn: str, on: date) -> frozenset[str]:
    """Schools the provider supports on ``on`` (inclusive dates; an open link has no end)."""
    frame = store.frame(
        """
        SELECT DISTINCT supported_urn FROM support_links
        WHERE provider_urn = $provider AND starts_on <= $on AND (ends_on IS NULL OR ends_on >= $on)
        """,
        {"provider": provider_urn, "on": on},
    )
    return frozenset(frame["supported_urn"].to_list())


def scope_for(store: Store, viewer: Viewer, on: date | None = None, *, min_count: int) -> Scope:
    """The viewer's scope on ``on`` (today by default); below LA level, counts under
    ``min_count`` (the settings' ``[suppression] min_count``) are suppressed."""
    scope = _scope(store, viewer, on or date.today())
    return replace(scope, min_count=None if scope.kind is Kind.LA else min_count)


def _scope(store: Store, viewer: Viewer, on: date) -> Scope:
    if viewer.logged_in and viewer.role in LA_ROLES:  # every school: no need for the members
        everything = _all_schools(store)
        return Scope(viewer, Kind.LA, everything, everything)
    members = _members(store)
    if not viewer.logged_in:
        return Scope(viewer, Kind.PUBLIC, frozenset(), members)
    if viewer.role == "board":
        return Scope(viewer, Kind.BOARD, members, members)
    if viewer.role == "partner":
        known = store.scalar(
            "SELECT count(*) FROM strategic_partners WHERE org = ?", [viewer.org or ""]
        )
        if known:
            return Scope(viewer, Kind.PARTNER, members, members)
        return Scope(
            viewer, Kind.PUBLIC, frozenset(), members,
            note=f"Organisation {viewer.org!r} is not a strategic partner in the register.",
        )
    if viewer.role in SCHOOL_ROLES:
        own = viewer.org or ""
        signed = store.scalar("SELECT mou_signed FROM schools WHERE urn = ?", [own])
        if signed is None:
            return Scope(
                viewer, Kind.PUBLIC, frozenset(), members,
                note=f"School {own!r} is not in the store's register.",
            )
        if signed:
            supported = active_supported(store, own, on)
            return Scope(
                viewer, Kind.MEMBER, members | {own} | supported, members | {own} | supported,
                own_urn=own, supported_urns=supported,
            )
        return Scope(viewer, Kind.NON_MEMBER, frozenset({own}), members | {own}, own_urn=own)
    return Scope(
        viewer, Kind.PUBLIC, frozenset(), members, note=f"Unknown role {viewer.role!r}."
    )
