"""Files the app writes are private; a killed import's copy and part do not stay; demo logins do not
survive leaving the demo, and a store of real data will not start while one remains."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from oep.data import auth, records
from oep.data.importers import import_file
from oep.data.store import copy_store, part_file, parts_folder
from tests.conftest import FIXTURES, DemoEnv, log_in, new_app

ROOT = Path(__file__).resolve().parents[2]
REGISTER = FIXTURES / "importers" / "gias_oldham.csv"
ABSENCE = FIXTURES / "importers" / "absence_school_wide_202324.csv"
KEY = "a-test-only-cookie-key-" + "k" * 32


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_store_activity_store_and_users_file_are_private(tmp_path: Path) -> None:
    store = tmp_path / "new" / "data" / "oep.duckdb"
    import_file(REGISTER, db=store, user="tests", start_fresh=True)
    import_file(ABSENCE, db=store, user="tests")
    parts = parts_folder(store)
    assert _mode(parts) == 0o700
    assert [_mode(part) for part in parts.iterdir()] == [0o600]
    activity = tmp_path / "elsewhere" / "activity.duckdb"
    records.audit(activity, "tests", "login", "success")
    users = tmp_path / "secrets" / "users.yaml"
    auth.add_user(users, "jsmith", role="head", org="9912345", name="J Smith",
                  email="j@example.invalid", password="a good password")
    for path in (store, activity, users):
        assert _mode(path.parent) == 0o700, path.parent
        for file in path.parent.iterdir():  # the lock files beside them too
            assert _mode(file) == (0o700 if file == parts else 0o600), file
    # A new password rewrites the file: still private.
    auth.set_password(users, "jsmith", "another good password")
    assert _mode(users) == 0o600


def test_a_killed_imports_copy_and_part_are_removed_by_the_next_import(store: Path) -> None:
    stale = store.with_name(f"{store.name}.tmp999999")
    stale.write_bytes(store.read_bytes())
    Path(f"{stale}.wal").write_bytes(b"half a load")
    parts_folder(store).mkdir(mode=0o700)
    stale_part = part_file(store, 7)
    stale_part.write_bytes(b"half a part")
    import_file(ABSENCE, db=store)
    assert not stale.exists()
    assert not Path(f"{stale}.wal").exists()
    assert not stale_part.exists()
    assert sorted(p.name for p in store.parent.iterdir()) == [
        "oep.duckdb", "oep.duckdb.lock", "oep.duckdb.parts"]
    assert [p.name for p in parts_folder(store).iterdir()] == ["1.duckdb"]


def _demo_and_real_users(path: Path, demo_files: DemoEnv) -> None:
    shutil.copyfile(demo_files.auth, path)
    auth.add_user(path, "realadmin", role="admin", org="LA", name="Real Admin",
                  email="admin@council.example", password="a good long password")


def _fresh_register(db: Path, *, app_store: Path,
                    users: Path) -> subprocess.CompletedProcess[str]:
    """``python -m oep import <register> --fresh --db db`` for an app serving ``app_store``."""
    result = subprocess.run(
        [sys.executable, "-m", "oep", "import", str(REGISTER), "--fresh", "--db", str(db)],
        capture_output=True, text=True, cwd=ROOT,
        env={**os.environ, "OEP_AUTH_FILE": str(users), "OEP_DB": str(app_store)},
    )
    assert result.returncode == 0, result.stderr
    return result


def test_importing_a_fresh_register_removes_the_demo_users(demo_files: DemoEnv,
                                                           tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    _demo_and_real_users(users, demo_files)
    result = _fresh_register(tmp_path / "oep.duckdb", app_store=tmp_path / "oep.duckdb",
                             users=users)
    assert "Removed the demo users" in result.stdout
    assert sorted(auth.load_users(users)) == ["realadmin"]


def test_a_fresh_store_elsewhere_leaves_the_apps_users_alone(demo_files: DemoEnv,
                                                             tmp_path: Path) -> None:
    """A fresh store made beside the app's (``--db`` another file) is not the app's: the demo
    the app serves keeps its logins."""
    users = tmp_path / "users.yaml"
    _demo_and_real_users(users, demo_files)
    before = auth.load_users(users)
    result = _fresh_register(tmp_path / "trial.duckdb", app_store=tmp_path / "oep.duckdb",
                             users=users)
    assert "are left as they are" in result.stdout
    assert auth.load_users(users) == before


def test_the_admin_pages_fresh_start_removes_the_demo_users(demo_files: DemoEnv, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    store, users = tmp_path / "oep.duckdb", tmp_path / "users.yaml"
    copy_store(demo_files.store, store)
    _demo_and_real_users(users, demo_files)
    for name, value in {"OEP_DB": store, "OEP_AUTH_FILE": users, "OEP_COOKIE_KEY": KEY,
                        "OEP_ACTIVITY_DB": tmp_path / "activity.duckdb"}.items():
        monkeypatch.setenv(name, str(value))
    at = log_in(new_app(), "officer")
    at.switch_page("pages/admin.py").run()
    at.file_uploader[0].set_value((REGISTER.name, REGISTER.read_bytes(), "text/csv"))
    next(c for c in at.checkbox if c.label.startswith("Start a fresh store")).check()
    at.run()
    next(b for b in at.button if b.label == "Load into the store").click().run()
    assert any("demo users were removed" in i.value for i in at.info), [e.value for e in at.error]
    assert sorted(auth.load_users(users)) == ["realadmin"]
    at.run()
    assert any("no longer active" in w.value for w in at.sidebar.warning)


def test_a_real_store_will_not_start_while_an_account_has_the_demo_password(
        registered_store: Path, demo_files: DemoEnv, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    users = tmp_path / "users.yaml"
    _demo_and_real_users(users, demo_files)
    for name, value in {"OEP_DB": registered_store, "OEP_AUTH_FILE": users,
                        "OEP_COOKIE_KEY": KEY,
                        "OEP_ACTIVITY_DB": tmp_path / "activity.duckdb"}.items():
        monkeypatch.setenv(name, str(value))
    at = new_app().run()
    assert any("published demo password" in e.value for e in at.error)
    assert not at.sidebar.text_input, "no login form"
    assert not at.get("plotly_chart") and not at.metric, "and nothing else"

    auth.remove_demo_users(users)
    at = log_in(new_app(), "realadmin", "a good long password")
    assert not at.error
    assert any("Real Admin" in m.value for m in at.sidebar.markdown)


def test_the_demo_password_cannot_be_given_to_an_account(tmp_path: Path) -> None:
    with pytest.raises(auth.UserError, match="demo password"):
        auth.add_user(tmp_path / "users.yaml", "jsmith", role="head", org="9912345",
                      name="J Smith", email="j@example.invalid", password=auth.DEMO_PASSWORD)


def test_git_ignores_every_file_the_app_writes_beside_its_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A council runs the app from its clone with the live store in ``data/``: the store's
    parts, what is worked out from it, the activity store, the users file, the cookie key, the
    locks and a load's leftovers must never be committable."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and the repository's checkout")
    data = tmp_path / "data"
    monkeypatch.setenv("OEP_DB", str(data / "oep.duckdb"))
    monkeypatch.setenv("OEP_AUTH_FILE", str(data / "users.yaml"))
    for name in ("OEP_ACTIVITY_DB", "OEP_COOKIE_KEY"):
        monkeypatch.delenv(name, raising=False)
    at = log_in(new_app(), "officer")  # the first run builds the demo store
    at.switch_page("pages/categories.py").run()
    assert not at.exception
    (data / "oep.duckdb.tmp123").write_bytes(b"a killed load's copy")
    (data / "oep_activity.duckdb.wanted").touch()  # left by a process that waited and died
    written = sorted(f"data/{path.relative_to(data).as_posix()}" for path in data.rglob("*")
                     if path.is_file())
    assert any(".derived/" in path for path in written) and any(
        ".parts/" in path for path in written) and "data/.cookie_key" in written
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *written], cwd=ROOT,
                             capture_output=True, text=True, check=False).stdout.split()
    assert sorted(ignored) == written
