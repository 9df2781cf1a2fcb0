"""The users command: add, list (without hashes), disable, set-password; with the users in the
YAML file and in PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oep.data import auth, pg

ROOT = Path(__file__).resolve().parents[2]


def _cli(users: auth.Users, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    where = ({"OEP_AUTH_FILE": str(users)} if isinstance(users, Path)
             else {pg.URL_VARIABLE: users.url})
    return subprocess.run(
        [sys.executable, "-m", "oep", "users", *args], input=stdin, capture_output=True,
        text=True, cwd=ROOT, env={**where, "PATH": "/usr/bin:/bin"},
    )


def test_add_list_disable_and_set_password(users_at: auth.Users) -> None:
    users = users_at
    added = _cli(users, "add", "jsmith", "--role", "senco", "--org", "9912345", "--name",
                 "J Smith", "--email", "j@example.invalid", "--password-stdin",
                 stdin="correct horse battery\n")
    assert added.returncode == 0, added.stderr
    listed = _cli(users, "list")
    assert "jsmith" in listed.stdout and "9912345" in listed.stdout
    assert "$2b$" not in listed.stdout and "password" not in listed.stdout
    stored = auth.load_users(users)["jsmith"]
    assert stored["password"].startswith("$2b$")
    assert auth.viewer_for(users, "jsmith") == auth.Viewer("jsmith", "J Smith", "senco", "9912345")

    assert _cli(users, "set-password", "jsmith", stdin="another good password\n").returncode == 0
    assert auth.load_users(users)["jsmith"]["password"] != stored["password"]

    assert _cli(users, "disable", "jsmith").returncode == 0
    assert auth.viewer_for(users, "jsmith") is None


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["BAD NAME", "--role", "head", "--org", "9912345"], "long enough pw", "username"),
        (["ok", "--role", "wizard", "--org", "9912345"], "long enough pw", "role"),
        (["ok", "--role", "la_officer", "--org", "9912345"], "long enough pw", "organisation"),
        (["ok", "--role", "head", "--org", "9912345"], "short", "at least"),
        (["ok", "--role", "head", "--org", "9912345"], "x" * 73, "72 bytes"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(users_at: auth.Users, args: list[str],
                                                   password: str, message: str) -> None:
    users = users_at
    result = _cli(users, "add", *args, "--name", "N", "--email", "n@example.invalid",
                  "--password-stdin", stdin=password + "\n")
    assert result.returncode == 1
    assert message in result.stderr
    assert not auth.load_users(users)


def test_existing_users_are_kept_when_demo_users_are_written(users_at: auth.Users) -> None:
    users = users_at
    auth.add_user(users, "keepme", role="head", org="9912345", name="K", email="k@x.invalid",
                  password="a good password")
    auth.write_demo_users(users, {"head_member": "9900001"})
    assert "keepme" in auth.load_users(users)
    assert auth.viewer_for(users, "head_member").org == "9900001"


def test_user_list_is_safe_to_open_in_a_spreadsheet(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    added = _cli(users, "add", "jsmith", "--role", "senco", "--org", "9912345", "--name",
                 '=HYPERLINK("http://example.invalid","Open")', "--email", "j@example.invalid",
                 "--password-stdin", stdin="correct horse battery\n")
    assert added.returncode == 0, added.stderr
    listed = _cli(users, "list").stdout
    assert "'=HYPERLINK" in listed
    assert ',=HYPERLINK' not in listed and '"=HYPERLINK' not in listed
