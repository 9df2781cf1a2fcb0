"""Users: the credentials file, password hashing and the viewer behind a username.

The file is streamlit-authenticator's own YAML layout (``credentials: usernames: ...``) with two
more keys per user: ``org`` (a school URN, ``LA``, ``BOARD`` or a partner body's code) and
``disabled``, and ``session_version``. Its path is ``OEP_AUTH_FILE`` or ``data/users.yaml``; it is
git-ignored. Passwords are bcrypt hashes, as streamlit-authenticator's ``Hasher`` makes them. With
``OEP_ACTIVITY_URL`` the same records live in PostgreSQL's ``users`` table instead, shared by every
replica: every function here takes either (``Users``).

Sessions: the login cookie is a signed token holding the username and that user's
``session_version``. Every page load checks it against the file, and logging out, a new password,
disabling or enabling, and a change of role bump the version, so every cookie and every open
session issued before stops working.

Kept behind this module so that another identity provider (``st.login`` with the council's Entra
ID) can replace the password login without touching pages: everything else asks only for a
``Viewer``.
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import bcrypt
import jwt
import polars as pl
import yaml

from oep.data import pg, records
from oep.data.access import LA_ORG, ROLES, Viewer
from oep.data.config import DATA_DIR
from oep.data.store import private_folder, private_lock_file

DEMO_PASSWORD = "oep-demo"
MAX_PASSWORD_BYTES = 72  # bcrypt refuses longer passwords


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def _matches(password: str, hashed: str) -> bool:
    return bcrypt.checkpw(password.encode(), hashed.encode())
MIN_PASSWORD_CHARS = 8
USERNAME_PATTERN = re.compile(r"^[a-z0-9_.-]{2,40}$")
COOKIE_NAME = "oep_dashboard_auth"
COOKIE_LIFETIME = timedelta(hours=12)
MIN_COOKIE_KEY_CHARS = 32
MAX_USERNAME_CHARS = 64  # longer input is cut before it reaches the audit log


class UserError(ValueError):
    """A user command was given input it cannot accept."""


Users = Path | pg.Database  # the YAML file, or the PostgreSQL database replicas share


def auth_file() -> Users:
    """Where the users are: PostgreSQL with ``OEP_ACTIVITY_URL``, else the YAML file."""
    return pg.configured() or Path(os.environ.get("OEP_AUTH_FILE") or DATA_DIR / "users.yaml")


_USER_COLUMNS = "username, name, email, password, role, org, disabled, session_version"


def _from_rows(rows: list[tuple[Any, ...]]) -> dict[str, dict[str, Any]]:
    return {username: {"name": name, "email": email, "password": password, "roles": [role],
                       "org": org, "disabled": disabled, "session_version": version}
            for username, name, email, password, role, org, disabled, version in rows}


def load_users(path: Users) -> dict[str, dict[str, Any]]:
    """The users, read afresh (for changing them; pages use ``cached_users``)."""
    if isinstance(path, pg.Database):
        with pg.transaction(path) as tx:
            return _from_rows(tx.execute(f"SELECT {_USER_COLUMNS} FROM users").fetchall())
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as fh:
        config = yaml.safe_load(fh) or {}
    return dict((config.get("credentials") or {}).get("usernames") or {})


def cached_users(path: Users) -> Mapping[str, Mapping[str, Any]]:
    """The users as last written, parsed again only when the file changes (every page load
    checks the viewer's account). Shared between sessions: never modify it. From PostgreSQL,
    read on every call: another replica may have changed them."""
    if isinstance(path, pg.Database):
        return load_users(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return {}
    return _parsed_users(str(path), st.st_ino, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=4)
def _parsed_users(path: str, inode: int, mtime_ns: int, size: int) -> dict[str, dict[str, Any]]:
    return load_users(Path(path))


def save_users(path: Path, users: dict[str, dict[str, Any]]) -> None:
    """Write atomically, readable by the owner only: it holds password hashes."""
    private_folder(path.parent)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        os.chmod(tmp, 0o600)
        yaml.safe_dump({"credentials": {"usernames": users}}, fh, sort_keys=True)
    os.replace(tmp, path)


@contextmanager
def _editing(path: Users) -> Iterator[dict[str, dict[str, Any]]]:
    """The users to change, saved at the end; one writer at a time (the app and the CLI, every
    replica), so no change - a logout's version bump, a new password - overwrites another."""
    if isinstance(path, pg.Database):
        with pg.transaction(path) as tx:
            # Blocks other editors, not readers, until the changes commit.
            tx.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
            before = _from_rows(tx.execute(f"SELECT {_USER_COLUMNS} FROM users").fetchall())
            current = {name: dict(record) for name, record in before.items()}
            yield current
            _save_rows(tx, before, current)
        return
    private_folder(path.parent)
    with private_lock_file(path.with_name(f".{path.name}.lock")):
        current = load_users(path)
        yield current
        save_users(path, current)


def _save_rows(tx: pg.Transaction, before: dict[str, dict[str, Any]],
               after: dict[str, dict[str, Any]]) -> None:
    for username in before.keys() - after.keys():
        tx.execute("DELETE FROM users WHERE username = ?", [username])
    for username, record in after.items():
        if before.get(username) == record:
            continue
        tx.execute(
            f"INSERT INTO users ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET name = excluded.name, email = excluded.email, "
            "password = excluded.password, role = excluded.role, org = excluded.org, "
            "disabled = excluded.disabled, session_version = excluded.session_version",
            [username, record.get("name", ""), record.get("email", ""), record["password"],
             (record.get("roles") or [""])[0], str(record.get("org", "")),
             bool(record.get("disabled", False)), int(record.get("session_version", 0))])


def _end_sessions(record: dict[str, Any]) -> None:
    record["session_version"] = int(record.get("session_version", 0)) + 1


def validate_password(password: str) -> None:
    if password == DEMO_PASSWORD:
        raise UserError("that is the published demo password: choose another")
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
    path: Users, username: str, *, role: str, org: str, name: str, email: str, password: str,
    replace: bool = False,
) -> None:
    username = username.strip().lower()
    _validate_user(username, role, org)
    validate_password(password)
    hashed = _hash(password)
    with _editing(path) as current:
        if username in current and not replace:
            raise UserError(f"user {username!r} already exists in {path}")
        # A replaced user keeps counting versions, so the old account's cookies stay dead.
        previous = int(current.get(username, {}).get("session_version", -1))
        current[username] = {
            "name": name, "email": email, "password": hashed,
            "roles": [role], "org": org, "disabled": False, "session_version": previous + 1,
        }


def _existing(users: dict[str, dict[str, Any]], username: str, path: Users) -> dict[str, Any]:
    if username not in users:
        raise UserError(f"no user {username!r} in {path}")
    return users[username]


def set_disabled(path: Users, username: str, disabled: bool = True) -> None:
    with _editing(path) as current:
        record = _existing(current, username, path)
        record["disabled"] = disabled
        _end_sessions(record)


def set_password(path: Users, username: str, password: str) -> None:
    validate_password(password)
    hashed = _hash(password)
    with _editing(path) as current:
        record = _existing(current, username, path)
        record["password"] = hashed
        _end_sessions(record)


def set_role(path: Users, username: str, role: str, org: str) -> None:
    with _editing(path) as current:
        record = _existing(current, username, path)
        _validate_user(username, role, org)
        record["roles"], record["org"] = [role], org
        _end_sessions(record)


def remove_user(path: Users, username: str) -> None:
    with _editing(path) as current:
        _existing(current, username, path)
        del current[username]


def end_sessions(path: Users, username: str) -> None:
    """Log ``username`` out everywhere: every cookie and open session issued so far stops
    working."""
    with _editing(path) as current:
        if username in current:
            _end_sessions(current[username])


def list_users(path: Users) -> pl.DataFrame:
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
        for username, record in sorted(cached_users(path).items())
    ]
    schema = {"username": pl.String, "name": pl.String, "email": pl.String, "role": pl.String,
              "org": pl.String, "disabled": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


def _viewer(username: str, record: Mapping[str, Any]) -> Viewer:
    return Viewer(
        username=username, name=str(record.get("name", username)),
        role=(record.get("roles") or [None])[0], org=str(record.get("org", "")),
    )


def viewer_for(path: Users, username: str | None) -> Viewer | None:
    """The viewer for a username, or None if no such user or the user is disabled."""
    record = cached_users(path).get(username or "")
    if record is None or record.get("disabled"):
        return None
    return _viewer(str(username), record)


# --- sessions ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Session:
    username: str
    version: int


SESSION_STATE_KEY = "_oep_session"  # where the UI keeps the Session of a logged-in browser


def session_viewer(path: Users, session: Session) -> Viewer | None:
    """The viewer of a session, or None once the account is disabled or gone, or its sessions
    were ended (logout, new password, enable/disable, new role) since this one began."""
    record = cached_users(path).get(session.username)
    if record is None or record.get("disabled"):
        return None
    if int(record.get("session_version", 0)) != session.version:
        return None
    return _viewer(session.username, record)


def issue_token(session: Session, key: str, now: datetime | None = None) -> str:
    expires = (now or datetime.now()) + COOKIE_LIFETIME
    return jwt.encode({"sub": session.username, "ver": session.version,
                       "exp": int(expires.timestamp())}, key, algorithm="HS256")


def read_token(token: str, key: str) -> Session | None:
    """The session a login cookie names; None for anything else (expired, forged, another
    algorithm, another key, garbage): a bad cookie means "not logged in", never an error."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"],
                            options={"require": ["exp", "sub", "ver"]})
    except (jwt.PyJWTError, ValueError, TypeError):
        return None
    username, version = claims.get("sub"), claims.get("ver")
    if not isinstance(username, str) or type(version) is not int:
        return None
    return Session(username, version)


# --- logging in ----------------------------------------------------------------------------------
class Outcome(Enum):
    OK = "ok"
    WRONG = "wrong"  # wrong password or unknown username: the same to the person at the form
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    session: Session | None = None


@cache
def _decoy_hash() -> str:
    """Checked for unknown usernames, so they take as long as known ones."""
    return _hash(secrets.token_urlsafe(16))


def normalise_username(typed: str) -> str:
    return typed.strip().lower()[:MAX_USERNAME_CHARS]


def attempt_login(path: Users, activity: records.Activity, typed_username: str, password: str,
                  address: str | None = None) -> LoginResult:
    """Check a password the way the login form does, audited.

    Every attempt is counted before its password is checked (``records.claim_login_attempt``), per
    username - known or not - and per client address; over the limit nothing is checked.
    Unknown and disabled usernames fail exactly like a wrong password.
    """
    username = normalise_username(typed_username)
    if not username:
        return LoginResult(Outcome.WRONG)
    # One check at a time per username in this process: a claimed attempt counts as a failure
    # until it resolves, so people logging in to one shared account at the same moment (a
    # meeting's demo login) would otherwise use up the limit with right passwords.
    with _attempt_lock(username):
        return _attempt(path, activity, username, password, address)


# Striped, so that usernames typed by an attacker cannot grow a table of locks.
_ATTEMPT_LOCKS = tuple(threading.Lock() for _ in range(64))


def _attempt_lock(username: str) -> threading.Lock:
    return _ATTEMPT_LOCKS[hash(username) % len(_ATTEMPT_LOCKS)]


def _attempt(path: Users, activity: records.Activity, username: str, password: str,
             address: str | None) -> LoginResult:
    if not records.claim_login_attempt(activity, username, address):
        records.audit(activity, username, "login_refused", "too many failed attempts")
        return LoginResult(Outcome.LOCKED)
    record = cached_users(path).get(username)
    active = record is not None and not record.get("disabled")
    hashed = str(record.get("password", "")) if active else _decoy_hash()
    try:
        matches = _matches(password, hashed) and active
    except ValueError:  # a malformed hash in the file, or a password bcrypt refuses
        matches = False
    if not matches:
        why = "wrong password" if active else (
            "disabled account" if record is not None else "unknown username")
        records.audit(activity, username, "login_failed", why)
        return LoginResult(Outcome.WRONG)
    records.record_login_success(activity, username, address)
    return LoginResult(Outcome.OK, Session(username, int(record.get("session_version", 0))))


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


def write_demo_users(path: Users, demo_orgs: dict[str, str]) -> None:
    """Add or refresh the demo users, keeping every other user in the file."""
    hashed = _hash(DEMO_PASSWORD)
    with _editing(path) as current:
        for username, (name, role, org_key) in DEMO_USERS.items():
            org = demo_orgs.get(org_key, org_key)
            previous = int(current.get(username, {}).get("session_version", -1))
            current[username] = {
                "name": name, "email": f"{username}@demo.invalid", "password": hashed,
                "roles": [role], "org": org, "disabled": False, "session_version": previous + 1,
            }


def remove_demo_users(path: Users) -> list[str]:
    """Leaving the demo: remove the demo users (by name and demo address) and any other account
    still holding the demo password; returns who was removed."""
    if isinstance(path, Path) and not path.exists():
        return []
    with _editing(path) as current:
        removed = sorted(
            username for username, record in current.items()
            if (username in DEMO_USERS and str(record.get("email", "")).endswith("@demo.invalid"))
            or _is_demo_hash(str(record.get("password", "")))
        )
        for username in removed:
            del current[username]
    return removed


def demo_password_holders(path: Users) -> list[str]:
    """Accounts whose password is the published demo one (each distinct hash checked once per
    process: bcrypt is slow on purpose)."""
    return sorted(username for username, record in cached_users(path).items()
                  if _is_demo_hash(str(record.get("password", ""))))


@lru_cache(maxsize=4096)
def _is_demo_hash(hashed: str) -> bool:
    try:
        return _matches(DEMO_PASSWORD, hashed)
    except ValueError:
        return False


def demo_cookie_key(path: Path) -> str:
    """A random key made once per install for the demo; never committed (git-ignored)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(32)
    private_folder(path.parent)
    path.touch(mode=0o600)
    path.write_text(key, encoding="utf-8")
    return key
