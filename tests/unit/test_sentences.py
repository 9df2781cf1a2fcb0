"""The sentence under a headline tile, and a view's address: pure functions, no store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import polars as pl
import pytest

from oep.present import display, url_state
from oep.domain.areas import ENGLAND, NORTH_WEST, OLDHAM
from oep.present.sentences import tile_sentence


def _rows(measure: str, oldham: tuple[float | None, float | None], england: float | None,
          symbol: str | None = None) -> pl.DataFrame:
    """Oldham's figure this year and last, and England's this year, as published rows."""
    now, before = oldham
    return pl.DataFrame({
        "area": [OLDHAM, OLDHAM, ENGLAND],
        "time_period": [202425, 202324, 202425],
        "time_identifier": ["Academic year"] * 3,
        "measure": [measure] * 3,
        "value": [now, before, england],
        "symbol": [symbol, None, None],
    }, schema_overrides={"value": pl.Float64, "symbol": pl.String})


def _sentence(measure: str, oldham: tuple[float | None, float | None], england: float | None,
              symbol: str | None = None) -> str:
    (tile,) = display.headline_tiles(_rows(measure, oldham, england, symbol), OLDHAM, (measure,),
                                     time_period=None, time_identifier="Academic year",
                                     beside=(ENGLAND, NORTH_WEST))
    return tile_sentence(tile)


def test_the_issue_s_example_reads_as_written() -> None:
    assert _sentence("persistent_absence", (19.4, 20.2), 18.8) == (
        "Oldham's persistent absence, 19.4% in 2024/25, is 0.6 points above England (worse) and "
        "0.8 points lower than in 2023/24 (better).")


def test_polarity_decides_better_and_worse() -> None:
    # New EHC plans within 20 weeks: higher is better.
    assert _sentence("ehcp_20wk_pct", (51.5, 55.7), 46.0).endswith(
        "is 5.5 points above England (better) and 4.2 points lower than in 2023/24 (worse).")
    # The share of pupils with an EHC plan is neither better nor worse higher.
    text = _sentence("ehc_plan_pct", (5.4, 5.1), 5.7)
    assert "better" not in text and "worse" not in text
    assert "0.3 points below England" in text


def test_rates_per_100_counts_and_ties_have_their_own_words() -> None:
    assert "is 0.52 per 100 pupils above England (worse)" in _sentence(
        "suspension_rate", (14.51, 15.23), 13.99)
    assert "is the same as England" in _sentence("overall_absence", (7.04, 7.1), 7.0)
    assert "unchanged since 2023/24" in _sentence("overall_absence", (7.1, 7.12), 6.8)


def test_a_suppressed_figure_is_named_by_its_symbol_and_compared_with_nothing() -> None:
    text = _sentence("persistent_absence", (None, 20.2), 18.8, symbol="c")
    assert text == ("Oldham's persistent absence for 2024/25 is shown as c (suppressed to protect "
                    "confidentiality).")


def test_the_sentence_agrees_with_the_tile_it_sits_under() -> None:
    (tile,) = display.headline_tiles(_rows("overall_absence", (7.26, 7.0), 6.8), OLDHAM,
                                     ("overall_absence",), time_period=None,
                                     time_identifier="Academic year")
    text = tile_sentence(tile)
    assert tile.value in text and "0.3 points higher" in text and tile.change == "+0.3 points"
    school = replace(tile, area="St Anne's Primary")
    assert tile_sentence(school).startswith("St Anne's Primary's overall absence")


def test_a_link_value_is_only_ever_one_of_the_choices() -> None:
    assert url_state.decode("202425", [202526, 202425]) == (True, 202425)
    assert url_state.decode(["Primary", "Special"], ["Primary", "Special", None]) == (
        True, ["Primary", "Special"])
    assert url_state.decode(["Primary", "Nowhere"], ["Primary"]) == (False, None)
    assert url_state.decode("9999999", ["9910001"]) == (False, None)
    assert url_state.encode(None) is None and url_state.encode([]) is None
    assert url_state.encode(202425) == "202425"


@pytest.mark.parametrize(("stamp", "expected"), [
    ("2026-09-01T00:00", None),
    ("2026-09-02T08:00", None),
    ("2026-06-30T09:15", "This view was made on 30 June 2026; newer data has been loaded "
                         "since (1 September 2026)"),
    ("yesterday", "The date in this link could not be read"),
])
def test_a_link_made_before_newer_data_says_so(stamp: str, expected: str | None) -> None:
    notice = url_state.stale_notice(stamp, datetime(2026, 9, 1))
    assert notice == expected if expected is None else notice.startswith(expected)
