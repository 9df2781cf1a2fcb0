"""Users: the credentials file, password hashing and the viewer behind a username.

The file is streamlit-authenticator's own YAML layout (``credentials: usernames: ...``) with two
more keys per user: ``org`` (a school URN, ``LA``, ``BOARD`` or a partner body's code) and
``disabled``. Its path is ``OEP_AUTH_FILE`` or ``data/users.yaml``; it is git-ignored. Passwords are
bcrypt hashes made by streamlit-authenticator's ``Hasher``.

Kept behind this module so that another identity provider (``st.login`` with the council's Entra
ID) can replace the password login without touching pages: everything else asks only for a
``Viewer``.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

import polars as pl
import yaml
from streamlit_authenticator.utilities.hasher import Hasher

from oep.access import LA_ORG, ROLES, Viewer
from oep.store import DATA_DIR

DEMO_PASSWORD = "oep-demo"
MAX_PASSWORD_BYTES = 72  # bcrypt refuses longer passwords
MIN_PASSWORD_CHARS = 8
USERNAME_PATTERN = re.compile(r"^[a-z0-9_.-]{2,40}$")
COOKIE_NAME = "oep_dashboard_auth"
COOKIE_EXPIRY_DAYS = 0.5  # the cookie cannot be revoked server-side: keep it short


class UserError(ValueError):
    """A user command was given input it cannot accept."""


def auth_file() -> Path:
    return Path(os.environ.get("OEP_AUTH_FILE") or DATA_DIR / "users.yaml")


def load_users(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as fh:
        config = yaml.safe_load(fh) or {}
    return dict((config.get("credentials") or {}).get("usernames") or {})


def save_users(path: Path, users: dict[str, dict[str, Any]]) -> None:
    """Write atomically, readable by the owner only: it holds password hashes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        yaml.safe_dump({"credentials": {"usernames": users}}, fh, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise UserError(f"password must be at least {MIN_PASSWORD_CHARS} characters")
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise UserError(f"password must be at most {MAX_PASSWORD_BYTES} bytes (a bcrypt limit)")


def _validate_user(username: str, role: str, org: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise UserError(
            f"username {username!r} must be 2-40 characters of lower-case letters, digits, . _ -"
        )
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of: {', '.join(ROLES)}")
    if not org:
        raise UserError("organisation must be a school URN, LA, BOARD or a partner code")
    if role in ("admin", "la_officer", "epl") and org != LA_ORG:
        raise UserError(f"role {role!r} belongs to organisation {LA_ORG!r}, not {org!r}")


def add_user(
    path: Path, username: str, *, role: str, org: str, name: str, email: str, password: str,
    replace: bool = False,
) -> None:
    username = username.strip().lower()
    _validate_user(username, role, org)
    validate_password(password)
    users = load_users(path)
    if username in users and not replace:
        raise UserError(f"user {username!r} already exists in {path}")
    users[username] = {
        "name": name, "email": email, "password": Hasher.hash(password),
        "roles": [role], "org": org, "disabled": False,
    }
    save_users(path, users)


def _existing(users: dict[str, dict[str, Any]], username: str, path: Path) -> dict[str, Any]:
    if username not in users:
        raise UserError(f"no user {username!r} in {path}")
    return users[username]


def set_disabled(path: Path, username: str, disabled: bool = True) -> None:
    users = load_users(path)
    _existing(users, username, path)["disabled"] = disabled
    save_users(path, users)


def set_password(path: Path, username: str, password: str) -> None:
    validate_password(password)
    users = load_users(path)
    _existing(users, username, path)["password"] = Hasher.hash(password)
    save_users(path, users)


def list_users(path: Path) -> pl.DataFrame:
    """Users without their hashes."""
    rows = [
        {
            "username": username,
            "name": record.get("name", ""),
            "email": record.get("email", ""),
            "role": (record.get("roles") or [""])[0],
            "org": str(record.get("org", "")),
            "disabled": bool(record.get("disabled", False)),
        }
        for username, record in sorted(load_users(path).items())
    ]
    schema = {"username": pl.String, "name": pl.String, "email": pl.String, "role": pl.String,
              "org": pl.String, "disabled": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


def viewer_for(path: Path, username: str | None) -> Viewer | None:
    """The viewer for a username, or None if no such user or the user is disabled."""
    if not username:
        return None
    record = load_users(path).get(username)
    if record is None or record.get("disabled"):
        return None
    return Viewer(
        username=username, name=str(record.get("name", username)),
        role=(record.get("roles") or [None])[0], org=str(record.get("org", "")),
    )


def login_credentials(path: Path, failures: dict[str, int]) -> dict[str, Any]:
    """Enabled users in streamlit-authenticator's layout, with our own failed-attempt counts.

    The library refuses a login once ``failed_login_attempts`` reaches its maximum; we give it the
    count from the store (recent failures only) so the cooling-off period survives reruns.
    """
    users = {
        username: {**record, "failed_login_attempts": failures.get(username, 0)}
        for username, record in load_users(path).items()
        if not record.get("disabled")
    }
    return {"usernames": users}


DEMO_USERS: dict[str, tuple[str, str, str]] = {
    # username: (display name, role, key of the org in the demo store's demo_orgs)
    "officer": ("Demo LA Officer", "la_officer", "LA"),
    "board": ("Demo Board Member", "board", "BOARD"),
    "head_member": ("Demo Head (member school)", "head", "head_member"),
    "senco_member": ("Demo SENCO (member school)", "senco", "senco_member"),
    "head_nonmember": ("Demo Head (non-member school)", "head", "head_nonmember"),
    "partner": ("Demo Diocesan Partner", "partner", "partner"),
    "supporter": ("Demo Head (supporting school)", "head", "supporter"),
}


def write_demo_users(path: Path, demo_orgs: dict[str, str]) -> None:
    """Add or refresh the demo users, keeping every other user in the file."""
    users = load_users(path)
    hashed = Hasher.hash(DEMO_PASSWORD)
    for username, (name, role, org_key) in DEMO_USERS.items():
        org = demo_orgs.get(org_key, org_key)
        users[username] = {
            "name": name, "email": f"{username}@demo.invalid", "password": hashed,
            "roles": [role], "org": org, "disabled": False,
        }
    save_users(path, users)


def demo_cookie_key(path: Path) -> str:
    """A random key made once per install for the demo; never committed (git-ignored)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key, encoding="utf-8")
    os.chmod(path, 0o600)
    return key
