"""Imported and user-entered text kept as plain text wherever it is shown or exported.

School names, trusts, phases, users' display names and file names come from registers, uploads and
people. Streamlit renders Markdown (links, images, ``:material/...:`` directives, LaTeX) in almost
every text it draws, plotly renders a subset of HTML (``<a href>`` included) in titles, legends,
ticks and hovers, and spreadsheets run a cell that starts with ``=`` as a formula. Each function
here neutralises one of those for text that is not ours.
"""

from __future__ import annotations

import html as _html
import io
import re

import polars as pl

# What makes Markdown of plain text in Streamlit: links and images ([ ] !), tags and autolinks
# (< >), emphasis and code (* _ ` ~), maths ($) and the escape itself.
_INLINE = re.compile(r"[\\\[\]!<>*_`~$]")
# What starts a block at the beginning of a line: headings, quotes, lists, rules, setext lines.
_BLOCK_START = re.compile(r"[#>+\-=|]")
_ORDERED_ITEM = re.compile(r"^(\d+)([.)])(?=\s|$)")
# Bare URLs ("http://", "www."), e-mail addresses, ":emoji:" shortcodes and ":name" directives
# (":red[...]", ":material/...:") are read after backslash escapes, so a backslash cannot stop
# them: an invisible word joiner inside each breaks the pattern and leaves the text as it reads.
_JOINER = "\u2060"
_AUTO = re.compile(r"(?<=:)(?=[a-z/])|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
# OWASP "CSV injection": cells a spreadsheet may read as a formula.
_FORMULA_START = r"^[=+\-@\t\r]"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _escape_line(line: str) -> str:
    line = _INLINE.sub(lambda m: "\\" + m.group(0), " ".join(line.split()))
    line = _AUTO.sub(_JOINER, line)
    if _BLOCK_START.match(line):
        line = "\\" + line
    return _ORDERED_ITEM.sub(r"\1\\\2", line)


def markdown(text: object) -> str:
    """``text`` shown as it is inside Streamlit Markdown; ordinary words and figures come out
    unchanged. Each line stays a line (a hard break); runs of spaces become one, so no line
    starts a code block."""
    return "  \n".join(_escape_line(line) for line in str(text).splitlines() or [""])


def html(text: object) -> str:
    """``text`` as literal characters inside plotly's HTML-like labels."""
    return _html.escape(str(text), quote=False)


def spreadsheet_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula, prefixed with a single quote (OWASP).

    Only text columns are touched, and a text cell that is a plain number ('-0.25', '+1.5') is
    left as it is: a spreadsheet reads it as that number, not as a formula.
    """
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_START) & ~pl.col(name).str.contains(_NUMBER))
        .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
        for name in text
    )


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """The CSV of ``frame`` as a download, safe to open in a spreadsheet."""
    # Written as bytes: a Python string first, then encoded, took twice as long (0.1 s for the
    # 11 MB table of England's support categories).
    out = io.BytesIO()
    spreadsheet_safe(frame).write_csv(out)
    return out.getvalue()
