"""A view's address: its filters, presenter mode and the data it was made on, as query parameters.

Pure functions over values and strings; ``oep.present.ui`` reads and writes ``st.query_params`` with
them. A link only *asks* for a view: each value is checked against the choices the viewer has now
(for a school, the schools they may see), so a link can never widen what someone sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

PRESENTER = "present"  # ?present=1: presenter mode
MADE = "made"  # when the view's address was written: a link newer data has overtaken says so
SCHOOL = "urn"
# Refused and unknown schools get the same words: a link must not tell a hidden school exists.
SCHOOL_NOT_AVAILABLE = ("The school in this link is not available to you. Choose a school from "
                        "the list.")
AUDIT_LIMIT = 40  # characters of a refused link value kept in the audit log


def encode(value: object) -> str | list[str] | None:
    """A filter's value as it goes into the address; None (nothing chosen) leaves it out."""
    if value is None:
        return None
    if isinstance(value, list):
        return [str(v) for v in value] or None
    return str(value)


def decode(text: str | list[str], options: Sequence[object]) -> tuple[bool, object]:
    """(found, value): the option whose text the address holds (a list for a multi-choice filter);
    not found if any part of it is not among ``options``."""
    by_text = {str(o): o for o in options if o is not None}
    if isinstance(text, list):
        if all(t in by_text for t in text):
            return True, [by_text[t] for t in text]
        return False, None
    return (True, by_text[text]) if text in by_text else (False, None)


def stamp(moment: datetime) -> str:
    """When a view was made, as its address holds it (to the minute, so the address does not
    change on every click)."""
    return moment.isoformat(timespec="minutes")


def day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def stale_notice(link_stamp: str, loaded_at: datetime | None) -> str | None:
    """What to tell someone opening a link made before the latest load (None if none came
    since); a mark that is not a date says so rather than being trusted."""
    try:
        made = datetime.fromisoformat(link_stamp)
    except ValueError:
        return ("The date in this link could not be read: the figures shown are the latest "
                "loaded.")
    if loaded_at is None or made >= loaded_at:
        return None
    return (f"This view was made on {day(made)}; newer data has been loaded since "
            f"({day(loaded_at)}), so the figures below may differ from those the link was made "
            "with.")


def refused_detail(page: str, name: str, value: str | list[str]) -> str:
    """The audit log's note of a link refused: page, parameter and (cut short) value asked for."""
    text = ",".join(value) if isinstance(value, list) else value
    return f"{page}: {name}={text[:AUDIT_LIMIT]}"
