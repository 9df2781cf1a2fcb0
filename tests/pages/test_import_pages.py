"""Real published files, loaded into a real store, seen on the pages: through the admin page's
upload and preview, and through the import command, with the access rules applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from oep.data import auth, derived, records
from oep.data.importers import import_file
from oep.data.store import Store
from tests.conftest import log_in, new_app, page_payload

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "importers"
PASSWORD = "a good long password"
MEMBER, NON_MEMBER = "900001", "900003"  # Brookfold Primary (signed), Fernhollow Academy (not)


@pytest.fixture()
def real_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store of real-layout files (register + partnership register), with its own users."""
    store, users = tmp_path / "oep.duckdb", tmp_path / "users.yaml"
    import_file(FIXTURES / "gias_oldham.csv", db=store, user="test", start_fresh=True)
    import_file(FIXTURES / "partnership_register.csv", db=store, user="test")
    auth.add_user(users, "officer", role="la_officer", org="LA", name="Real Officer",
                  email="officer@example.invalid", password=PASSWORD)
    auth.add_user(users, "head", role="head", org=MEMBER, name="Member Head",
                  email="head@example.invalid", password=PASSWORD)
    monkeypatch.setenv("OEP_DB", str(store))
    monkeypatch.setenv("OEP_AUTH_FILE", str(users))
    monkeypatch.setenv("OEP_ACTIVITY_DB", str(tmp_path / "activity.duckdb"))
    monkeypatch.setenv("OEP_COOKIE_KEY", "a-test-only-key-" + "x" * 32)
    return store


def test_officer_uploads_a_file_previews_it_and_sees_it_on_the_pages(real_store: Path) -> None:
    at = log_in(new_app(), "officer", PASSWORD)
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    source = FIXTURES / "absence_school_wide_202324.csv"
    at.file_uploader[0].set_value((source.name, source.read_bytes(), "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(m.label == "Rows to load" for m in at.metric), "a preview before anything is written"
    before = real_store.read_bytes()
    next(b for b in at.button if b.label == "Load into the store").click().run()
    assert any("Loaded" in s.value for s in at.success), [e.value for e in at.error]
    assert real_store.read_bytes() != before
    audit = records.read(real_store.with_name("activity.duckdb"),
                         "SELECT username, event FROM audit_log")
    assert ("officer", "import") in list(audit.iter_rows())
    # The new figures' support categories are worked out with the load, not when someone asks.
    version = "-".join(map(str, Store(real_store).version))
    kept = [path.name for path in derived.folder(real_store).iterdir()]
    assert any(name.startswith(f"assessed-{version}-") for name in kept), kept

    at.switch_page("pages/attendance.py").run()
    assert not at.exception, [e.value for e in at.exception]
    payload = page_payload(at)
    assert b"Synthetic demo data" not in payload, "a store of real data shows no demo banner"
    assert b"Fernhollow Academy" in payload and b"Brookfold Primary School" in payload


def test_a_member_head_sees_their_imported_figures_but_no_non_member(real_store: Path) -> None:
    import_file(FIXTURES / "absence_school_wide_202324.csv", db=real_store, user="test")
    at = log_in(new_app(), "head", PASSWORD)
    at.switch_page("pages/school_profile.py").run()
    assert not at.exception, [e.value for e in at.exception]
    payload = page_payload(at)
    assert b"Brookfold Primary School" in payload
    assert any(m.value == "4.8%" for m in at.metric), [m.value for m in at.metric]
    for page in ("pages/attendance.py", "pages/overview.py", "pages/send.py"):
        at.switch_page(page).run()
        assert not at.exception
        assert b"Fernhollow Academy" not in page_payload(at)
        assert NON_MEMBER.encode() not in page_payload(at)


def test_a_real_store_needs_a_configured_cookie_key(real_store: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OEP_COOKIE_KEY")
    at = new_app().run()
    assert any("No cookie key is configured" in e.value for e in at.error)
