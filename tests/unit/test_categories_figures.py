"""How the support-category rules print figures (``categories_rules._shown``): as Python's format
prints each, though each distinct figure is printed once."""

from __future__ import annotations

import polars as pl

from oep.domain.categories_rules import _shown

FORMATS = [(".1f", "%"), ("+.2f", "")]


def test_each_figure_is_printed_as_python_prints_it() -> None:
    values = [-0.0, 0.0, 0.05, 0.15, -0.004, 2.675, None, 2.675, -0.0]
    rows = pl.DataFrame({"m": [0, 1] * len(values), "value": [v for v in values for _ in (0, 1)]},
                        schema={"m": pl.Int32, "value": pl.Float64})

    shown = _shown(rows, FORMATS)

    expected = [None if v is None else f"{v:{FORMATS[m][0]}}{FORMATS[m][1]}"
                for v in values for m in (0, 1)]
    assert shown["shown"].to_list() == expected
    assert shown.drop("shown").equals(rows)
    assert "-0.00" in expected and "+0.00" in expected  # both zeros are among the figures
