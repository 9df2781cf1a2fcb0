"""Partnership settings (thresholds, suppression) read from a TOML file, and where the
repository's data folder is.

The file is ``data/settings.toml`` unless ``OEP_SETTINGS`` names another.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]  # the repository: oep/data/config.py
DATA_DIR = ROOT / "data"


def whole_number_setting(name: str, default: int, *, least: int, unit: str) -> int:
    """The environment variable ``name`` read as a whole number of ``unit`` (``default`` when
    unset); a value that is not one, or below ``least``, is refused with what was expected."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < least:
        raise ValueError(f"{name} is {raw!r}: expected a whole number of {unit}, at least {least}")
    return int(raw)


def settings_path() -> Path:
    return Path(os.environ.get("OEP_SETTINGS") or DATA_DIR / "settings.toml")


@dataclass(frozen=True)
class Settings:
    la_code: str
    suppression_min_count: int
    attendance: dict[str, float]
    outcomes: dict[str, float]
    ofsted: dict[str, float]
    capacity: dict[str, float] = field(default_factory=dict)
    """Support-pairing settings (``[capacity]``); only the support-categories page needs them."""
    by_phase: dict[str, dict[str, float]] = field(default_factory=dict)
    """Support-category thresholds that differ by phase (``[by_phase.<phase>]``)."""
    contact: dict[str, str] = field(default_factory=dict)
    """Who answers questions and gives logins (``[contact]``: team, email, response)."""

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "Settings":
        return cls(
            la_code=str(raw.get("la_code", "353")),
            suppression_min_count=int(raw["suppression"]["min_count"]),
            attendance={k: float(v) for k, v in raw["attendance"].items()},
            outcomes={k: float(v) for k, v in raw["outcomes"].items()},
            ofsted={k: float(v) for k, v in raw["ofsted"].items()},
            capacity={k: float(v) for k, v in raw.get("capacity", {}).items()},
            by_phase={
                str(phase): {k: float(v) for k, v in table.items()}
                for phase, table in raw.get("by_phase", {}).items()
            },
            contact={k: str(v) for k, v in raw.get("contact", {}).items()},
        )


def load_settings(path: Path | None = None) -> Settings:
    """The settings in ``path`` (default: ``settings_path()``), re-read only when the file changes:
    every scoped query asks for the suppression threshold, so this sits on the hot path."""
    path = path or settings_path()
    try:
        st = os.stat(path)
        return _parsed(str(path), st.st_mtime_ns, st.st_size)
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"settings file {path}: {exc}") from exc


@lru_cache(maxsize=8)
def _parsed(path: str, mtime_ns: int, size: int) -> Settings:
    with open(path, "rb") as fh:
        return Settings.from_dict(tomllib.load(fh))
