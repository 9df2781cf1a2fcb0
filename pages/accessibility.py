"""Accessibility statement, with the headings the DfE's dashboards use."""

import streamlit as st

from oep.present import framework, ui

ctx = ui.page_context()
contact = ui.contact_line(ctx.settings)
st.title("Accessibility statement")
st.markdown("This statement applies to the Oldham Education Partnership dashboard.")

st.header("How you should be able to use this website")
st.markdown("""
We want as many people as possible to be able to use this website. You should be able to:

- change colours, contrast levels and fonts using your browser or device settings;
- zoom in up to 400% without the text spilling off the screen;
- use it on a phone 390 pixels wide: charts stack, legends sit below them;
- navigate most of the website using a keyboard or speech recognition software;
- listen to most of it using a screen reader: every chart has a name and a summary in words,
  and its numbers in a table you can download.
""")

st.header("How accessible this website is")
st.markdown("Some parts of the website are drawn by Streamlit, the software it is built with, "
            "and are not fully accessible:")
for problem in framework.STREAMLIT_PROBLEMS:
    st.markdown(f"- {problem.problem}")
st.markdown("- Tables are drawn as a picture of a grid; the same numbers download as a CSV "
            "file that any spreadsheet or screen reader can open.")

st.header("Feedback and contact information")
st.markdown(f"If you need anything on this website in a different format, or find a problem "
            f"not listed here, contact {contact}. We will reply "
            f"{ctx.settings.contact.get('response', 'as soon as we can')}.")

st.header("Enforcement procedure")
st.markdown("The Equality and Human Rights Commission (EHRC) is responsible for enforcing the "
            "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility "
            "Regulations 2018. If you are not happy with how we respond to your complaint, "
            "contact the Equality Advisory and Support Service (EASS).")

st.header("Compliance status")
st.markdown("This website is partially compliant with the Web Content Accessibility Guidelines "
            "(WCAG) version 2.2 AA standard, because of the non-accessible content below.")

st.header("Non-accessible content")
st.markdown("The content below is non-accessible because of Streamlit's own markup, which the "
            "dashboard cannot change. We will look at it again with each new version.")
ui.table_block(ctx, framework.problems_table(), "accessibility_known_problems.csv",
               key="accessibility_problems")

st.header("How we tested this website")
st.markdown(
    f"The website was last tested on {framework.govuk_date(framework.LAST_TESTED)}, by the "
    f"dashboard's own automated test: axe-core {framework.AXE_VERSION} (WCAG 2.0, 2.1 and 2.2, "
    "levels A and AA) in the Chromium browser, on every page, logged out and as a council "
    "officer, a board member, a SENCO of a member school and a head of a school that has not "
    "signed, 1,366 and 390 pixels wide. Any serious or critical problem in the dashboard's own "
    "content fails the test.")

st.header("Preparation of this accessibility statement")
st.markdown(f"This statement was prepared on "
            f"{framework.govuk_date(framework.STATEMENT_PREPARED)}. It was last reviewed on "
            f"{framework.govuk_date(framework.LAST_TESTED)}.")
