"""Admin: load files into the store (with a preview first), users, the audit log."""

import tempfile
from pathlib import Path

import streamlit as st

from oep.data import admin, auth, plain, queries, records
from oep.present import display, ui, warmup
from oep.data.access import ROLES
from oep.data.importers import (FILE_PHASES, KINDS, ImportFailed, ImportPreview, import_file,
                           preview_import)

UNKNOWN_ROWS = {"skip": "Skip them", "load": "Load them anyway"}

ctx = ui.page_context()
if not ctx.scope.can_manage:
    st.error("This page is for LA officers, Education Partnership Leaders and admins.")
    st.stop()


def _show_preview(preview: ImportPreview) -> None:
    st.header(plain.markdown(f"Preview: {preview.kind} file {preview.file_name}"))
    cols = st.columns(3)
    cols[0].metric("Rows read", f"{preview.rows_read:,}")
    cols[1].metric("Rows to load", f"{preview.rows_to_load:,}")
    cols[2].metric("Rows it replaces", f"{preview.replaces_rows:,}")
    st.markdown(plain.markdown("Periods: " + (", ".join(preview.periods) or "none")))
    st.markdown(plain.markdown("Levels: " + (", ".join(preview.geo_levels) or "none")))
    st.markdown(plain.markdown(preview.accounting()))
    if preview.unknown_schools:
        st.warning(f"{len(preview.unknown_schools)} schools are not in the register.")
    for warning in preview.warnings:
        st.warning(plain.markdown(warning))
    st.dataframe(preview.sample, hide_index=True)


def _load(saved: Path, options: dict) -> None:
    name = options["original_name"]
    bar = st.progress(0.0, text="Loading...")
    try:
        report = import_file(
            saved, db=ctx.store.path, user=ctx.viewer.username or "",
            progress=lambda msg, done: bar.progress(min(max(done, 0.0), 1.0), text=msg),
            **options,
        )
    except ImportFailed as exc:
        records.audit(ctx.activity, ctx.viewer.username, "import_failed", f"{name}: {exc}")
        st.error(plain.markdown(exc))
        return
    records.audit(ctx.activity, ctx.viewer.username, "import",
                  f"{name} ({report.kind}, {report.rows_to_load} rows)")
    if options["start_fresh"]:
        removed = auth.remove_demo_users(auth.auth_file())
        if removed:
            records.audit(ctx.activity, ctx.viewer.username, "demo_users_removed",
                          ", ".join(removed))
            st.info("The demo users were removed with the demo store: " + ", ".join(removed))
    if report.skipped_as_duplicate:
        st.info("This exact file was loaded before: nothing changed.")
    else:
        # As the command line does: no page waits for the new figures' categories.
        bar.progress(1.0, text="Working out the support categories of the new figures...")
        problem = warmup.keep_after_load(ctx.store)
        warmup.start(ctx.store)
        bar.empty()
        st.success(plain.markdown(f"Loaded {report.rows_to_load:,} rows from {name}. "
                                  f"{report.accounting()}"))
        if problem is not None:
            st.warning(plain.markdown(
                f"The support categories could not be worked out now ({problem}); they are "
                "worked out when a page first asks for them."))


st.title("Imports, users and audit")
tab_import, tab_loads, tab_users, tab_controllers, tab_audit = st.tabs(
    ["Load a file", "Loads so far", "Users", "Data controllers", "Audit log"]
)

with tab_import:
    st.markdown(
        "Load a DfE open-data file as published (register of establishments, absence, "
        "attendance, SEN, EHC plans, suspensions, Ofsted) or the partnership's own register. "
        "You see what will change before anything is written; a failed load changes nothing."
    )
    upload = st.file_uploader("File (CSV, or Excel for the partnership register)",
                              type=["csv", "xlsx"])
    kind_choice = st.selectbox("Kind of file", ["Detect from the header", *KINDS])
    unknown = st.radio("Rows for schools not in the register",
                       ["skip", "load"], horizontal=True,
                       format_func=UNKNOWN_ROWS.get)
    fresh = st.checkbox("Start a fresh store from this register (replaces the demo data)")
    phase = st.selectbox("Phase, for a file with no phase column that covers one phase only",
                         [None, *FILE_PHASES], format_func=display.all_when_none("All schools"))
    pupil_group = st.text_input("Pupil group, for a file whose every row describes one group "
                                "and that does not say so (e.g. Aged 4)").strip() or None
    if upload is not None:
        # The upload lives only for this run, in a private temporary folder: unpublished figures
        # are never left on disk outside the store.
        with tempfile.TemporaryDirectory(prefix="oep-upload-") as folder:
            saved = Path(folder) / Path(upload.name).name
            saved.write_bytes(upload.getvalue())
            kind = None if kind_choice == "Detect from the header" else kind_choice
            options = {"kind": kind, "unknown_schools": unknown, "start_fresh": fresh,
                       "original_name": upload.name, "phase": phase,
                       "pupil_group": pupil_group}
            try:
                preview = preview_import(saved, db=ctx.store.path, **options)
            except ImportFailed as exc:
                st.error(plain.markdown(exc))
            else:
                _show_preview(preview)
                if st.button("Load into the store", type="primary"):
                    _load(saved, options)

with tab_loads:
    ui.table_block(ctx, queries.loads(ctx.store), "loads.csv", key="loads",
                   empty="Nothing has been loaded yet.")

with tab_users:
    ui.table_block(ctx, auth.list_users(auth.auth_file()), "users.csv", key="users",
                   empty="No users yet.")
    with st.form("add_user", clear_on_submit=True):
        st.header("Add a user")
        username = st.text_input("Username")
        name = st.text_input("Full name")
        email = st.text_input("Email")
        role = st.selectbox("Role", list(ROLES), format_func=ROLES.get)
        org = st.text_input("Organisation (school URN, LA, BOARD or partner code)")
        password = st.text_input("Initial password", type="password")
        if st.form_submit_button("Add user"):
            try:
                auth.add_user(auth.auth_file(), username, role=role, org=org.strip(), name=name,
                              email=email, password=password)
            except auth.UserError as exc:
                st.error(plain.markdown(exc))
            else:
                records.audit(ctx.activity, ctx.viewer.username, "user_added", username)
                st.success(plain.markdown(f"Added {username}."))
    with st.form("disable_user"):
        st.header("Disable a user")
        who = st.text_input("Username to disable")
        if st.form_submit_button("Disable"):
            try:
                auth.set_disabled(auth.auth_file(), who.strip().lower(), True)
            except auth.UserError as exc:
                st.error(plain.markdown(exc))
            else:
                records.audit(ctx.activity, ctx.viewer.username, "user_disabled", who)
                st.success(plain.markdown(
                    f"Disabled {who}: their login and any saved cookie stop working."))

with tab_controllers:
    ui.table_block(ctx, admin.data_controllers(ctx.store, ctx.scope), "data_controllers.csv",
                   key="controllers")

with tab_audit:
    ui.table_block(ctx, admin.audit_log(ctx.activity, ctx.scope), "audit_log.csv", key="audit",
                   empty="No audited events yet.")
