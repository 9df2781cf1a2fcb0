"""User guide: what each page answers, how to read each chart, who sees what, and every measure."""

import streamlit as st

from oep.domain import dictionary
from oep.present import ui

ctx = ui.page_context()
st.title("User guide")
st.markdown(
    "This dashboard shows school attendance, special educational needs (SEND) and support for "
    "schools in the Oldham Education Partnership, beside the published figures for Oldham, "
    "England, the North West and Oldham's statistical neighbours (the councils most like it).")

st.header("What each page answers")
st.markdown("""
- **Overview** (everyone): how is Oldham doing? Headline figures with the change on last year,
  trends year by year, and the latest Ofsted judgements you may see.
- **Attendance** (logged in): how does attendance compare, term by term, by phase, by pupil group,
  and which schools are furthest from the good level for their phase?
- **SEND**: what share of pupils have an EHC plan or SEN support, what are their primary needs,
  how does their attendance and suspension compare with pupils with no SEN, and how many new EHC
  plans are issued within 20 weeks?
- **Support categories**: each school's suggested and agreed category, with every reason.
- **School profile**: one school against Oldham and England.
- **Disengagement** (council officers and the board): schools at level 2 or above.
- **Imports, users and audit** (council officers): loading data, accounts and the audit log.
""")

st.header("How to read the charts")
st.markdown("""
- **Every chart has its numbers.** Under each chart, *In words* says what it shows; *Numbers
  behind this chart* opens the table, with a CSV download (its size is on the button).
- **Lines** show a figure over time: Oldham solid blue, England dashed black, the North West
  dotted light blue, statistical neighbours dash-dot orange, a chosen school solid red-orange.
- **Year-on-year change** under a headline figure is green when it moved the better way and red
  when it moved the worse way (for absence, lower is better); the words say which way it moved.
- **Schools furthest from good attendance** draws each school's distance from the good level for
  its own phase (secondary schools, special schools and pupil referral units have higher levels):
  bars to the right are above it.
- **The SEND gap** is the figure for SEN pupils minus the figure for pupils with no SEN, in each
  measure's own unit: a bar to the right means SEN pupils miss more school or are suspended more.
- **Primary type of need** shows, for each need, the share of pupils with SEN at the school,
  Oldham and England, largest needs first.
- **Published or computed.** "Oldham (published)" is the DfE's own figure. "Schools you can see"
  is worked out from the schools you may see, so it can differ.
- **Symbols** stand where a figure is missing: c = suppressed to protect confidentiality, z = not
  applicable, x = not available, low = rounds to 0 but is not 0, u = low reliability. In tables
  "–" means there is no figure. A missing figure is never drawn as 0.
""")

st.header("Who sees what")
st.markdown("""
- **Not logged in:** Oldham's published figures and the Ofsted judgements of member schools.
- **Staff of a member school, board members and strategic partners:** every member school.
- **Staff of a school that has not signed the partnership's agreement:** their own school only.
- **A school supporting another:** that school too, while the support lasts.
- **Council officers:** every school. Below council level, small numbers of pupils show as c.
""")

st.header("About each indicator")
st.markdown("The same words are behind the ? beside each headline figure.")
ui.table_block(ctx, dictionary.table(), "data_dictionary.csv", key="guide_dictionary")
