"""Support categories: where the partnership's support goes, and why each school is where it is."""

from datetime import date

import streamlit as st

from oep.data import plain
from oep.domain import categories
from oep.present import charts, display, ui
from oep.domain.categories_rules import CATEGORIES

ctx = ui.page_context()
st.title("Support categories")
st.markdown(
    "Every school is placed in one of three categories: **Universal** (all of the agreement's "
    "conditions met), **Targeted** or **Intensive** (any of theirs). The dashboard *suggests* a "
    "category from the figures it holds and shows every reason; an LA officer records the "
    "*agreed* category after review. Thresholds are set in the partnership's settings file."
)
if not ctx.scope.urns:
    st.info("Support categories are evaluative information: there are none you may see.")
    st.stop()

flash = st.session_state.pop("categories:flash", None)
if flash:
    st.success(plain.markdown(flash))

table = categories.category_table(ctx.store, ctx.scope, ctx.settings, ctx.activity)

cols = st.columns(2)
with cols[0]:
    phases = ui.remembered(st.multiselect, "Phase", "categories_phase", url="phase",
                           options=sorted(table["phase"].unique().to_list()),
                           placeholder="All phases")
with cols[1]:
    chosen = ui.remembered(st.multiselect, "Category (suggested or agreed)",
                           "categories_category", url="category",
                           options=list(CATEGORIES), placeholder="All categories")
in_phase = categories.in_phases(table, tuple(phases))
shown = categories.in_categories(in_phase, tuple(chosen))

# --- where support goes --------------------------------------------------------------------------
st.header("Schools in each category")
counts = categories.category_counts(in_phase)
ui.chart_block(
    ctx, charts.category_counts(counts),
    display.people_table(counts, {"category": "Support category", "kind": "Suggested or agreed",
                                  "schools": "Schools"}),
    "support_category_counts.csv", key="category_counts",
)

st.header("Schools")
ui.table_block(
    ctx,
    display.people_table(
        shown,
        {"name": "School", "urn": "URN", "phase": "Phase",
         "suggested_category": "Suggested category", "agreed_category": "Agreed category",
         "agreement": "Agreed vs suggested", "reviewed_on": "Last review",
         "change_since_review": "Change since last review", "top_reasons": "Top reasons"},
    ),
    "support_categories.csv", key="category_table", empty="No schools match these choices.",
)

# --- one school ----------------------------------------------------------------------------------
st.header("One school: every reason")
names = display.school_options(table)
urn = ui.school_picker("School", names, "categories_school", default=ctx.scope.own_urn)
row = categories.school_row(table, urn)
ui.category_metrics(row)
if row["disagrees"]:
    st.warning(f"The agreed category ({row['agreed_category']}) differs from the suggested one "
               f"({row['suggested_category']}): see the rationale in the review history.")

ui.table_block(ctx, display.people_table(
    categories.reasons(ctx.store, ctx.scope, ctx.settings, urn), categories.REASON_COLUMNS),
    f"support_category_reasons_{urn}.csv", key="category_reasons")
with st.expander("Every condition checked, including those that do not apply"):
    ui.table_block(ctx, display.people_table(
        categories.reasons(ctx.store, ctx.scope, ctx.settings, urn, every_check=True),
        categories.REASON_COLUMNS), f"support_category_checks_{urn}.csv", key="category_checks")

if ctx.scope.can_record_reviews:
    with st.form("record_review"):
        st.markdown(f"**Record the agreed category of {plain.markdown(row['name'])}**")
        category = st.selectbox("Agreed category", CATEGORIES,
                                index=CATEGORIES.index(row["suggested_category"]),
                                key="review:category")
        reviewed_on = st.date_input("Reviewed on", value=date.today(), max_value=date.today(),
                                    format="DD/MM/YYYY", key="review:date")
        rationale = st.text_area("Rationale", key="review:rationale")
        reviewer = st.text_input("Reviewer", value=ctx.viewer.name, key="review:reviewer")
        if st.form_submit_button("Record review", key="review:submit"):
            try:
                categories.record_review(ctx.activity, ctx.store, ctx.scope, urn, category,
                                         reviewed_on, rationale, reviewer, settings=ctx.settings)
            except categories.ReviewError as exc:
                st.error(plain.markdown(exc))
            else:
                st.session_state["categories:flash"] = (
                    f"Review recorded: {row['name']} agreed {category}.")
                del st.session_state["review:rationale"]  # a fresh form for the next review
                st.rerun()

st.markdown("**Review history**")
ui.table_block(ctx, display.people_table(
    categories.review_history(ctx.activity, ctx.scope, urn), categories.REVIEW_COLUMNS),
    f"support_category_reviews_{urn}.csv", key="category_history",
    empty="No review of this school has been recorded yet.")

# --- capacity ------------------------------------------------------------------------------------
st.header("Capacity: suggested school-to-school support")
st.caption(
    "Universal schools that are strong (top of their phase among the schools you can see) on "
    "the indicator where a Targeted or Intensive school is weakest. Suggestions to discuss, "
    "not decisions."
)
ui.table_block(ctx, display.people_table(
    categories.pairings(ctx.store, ctx.scope, ctx.settings),
    {"supported_name": "School needing support", "supported_category": "Its category",
     "phase": "Phase", "area": "Weakest area", "period": "Period",
     "supported_figure": "Its figure", "provider_name": "Suggested supporting school",
     "provider_figure": "Supporting school's figure",
     "provider_percentile": "Supporting school's standing (1 = best in phase)"}),
    "support_pairings.csv", key="category_pairings",
    empty="No suggested pairings among the schools you can see.")
