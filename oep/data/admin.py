"""Reads for the admin page: the audit log and the named data controllers (MoU 3.2)."""

from __future__ import annotations

import polars as pl

from oep.data import pg, records
from oep.data.access import Scope
from oep.data.store import Store


def _require_manager(scope: Scope) -> None:
    if not scope.can_manage:
        raise PermissionError("only LA officers, EPLs and admins may see this")


def audit_log(activity: records.Activity, scope: Scope, limit: int = 500) -> pl.DataFrame:
    """Newest audit rows first, in plain words. In PostgreSQL, in the order the database took
    them from every replica (replicas' clocks may differ by a little)."""
    _require_manager(scope)
    order = "seq" if isinstance(activity, pg.Database) else "occurred_at"
    return records.read(
        activity,
        "SELECT occurred_at AS \"When\", coalesce(username, '(unknown)') AS \"Who\", "
        f"event AS \"What\", detail AS \"Detail\" FROM audit_log ORDER BY {order} DESC LIMIT ?",
        [limit],
    )


def data_controllers(store: Store, scope: Scope) -> pl.DataFrame:
    """Each member school's and strategic partner's named data controller."""
    _require_manager(scope)
    return store.frame(
        """
        SELECT name AS "Organisation", urn AS "URN or code",
               CASE WHEN mou_signed THEN 'Signed' ELSE 'Not signed' END AS "MoU",
               mou_signed_on AS "Signed on", data_controller AS "Data controller"
        FROM schools
        UNION ALL
        SELECT name, org, 'Strategic partner', NULL, data_controller FROM strategic_partners
        ORDER BY 1
        """
    )
