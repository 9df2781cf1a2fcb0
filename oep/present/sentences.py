"""One sentence under a headline tile, read in five seconds: the figure, how it stands against the
first comparator beside it, and how it moved since last year, with the measure's polarity saying
which way is better.

Built from the figures the tile itself holds (``display.Tile``), rounded as the tile rounds them,
so the sentence and the tile never disagree.
"""

from __future__ import annotations

from oep.present.display import DECIMALS, Tile, figure_text
from oep.domain.areas import OLDHAM
from oep.domain.dictionary import label_of

# What each measure is called inside a sentence ("Oldham's persistent absence, ...").
SUBJECTS: dict[str, str] = {
    "ehc_plan_pct": "share of pupils with an EHC plan",
    "sen_support_pct": "share of pupils on SEN support",
    "ehcp_20wk_pct": "share of new EHC plans issued within 20 weeks",
    "ehcp_20wk_pct_inc_exc": "share of new EHC plans issued within 20 weeks (all)",
    "persistent_absence": "persistent absence",
    "severe_absence": "severe absence",
    "suspensions": "number of suspensions",
    "pupils_suspended": "number of pupils suspended",
    "perm_excl": "number of permanent exclusions",
}


def area_name(area: str) -> str:
    """An area as a sentence names it: the published borough figure is simply Oldham's."""
    return "Oldham" if area == OLDHAM else area


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _subject(measure: str) -> str:
    if measure in SUBJECTS:
        return SUBJECTS[measure]
    label = label_of(measure)
    return label[0].lower() + label[1:]


def _amount(difference: float, unit: str) -> str:
    """A difference without its sign, at the figure's precision: '0.6 points', '0.12 per 100
    pupils', '1,234'."""
    size = abs(difference)
    if unit == "%":
        return f"{figure_text(size, None, unit, with_unit=False)} points"
    if unit == "per 100":
        return f"{figure_text(size, None, unit, with_unit=False)} per 100 pupils"
    if unit == "score":
        return f"{size:.{DECIMALS['score']}f}"
    return f"{size:,.{DECIMALS.get(unit, 1)}f}"


def _rounds_to_zero(difference: float, unit: str) -> bool:
    return round(difference, DECIMALS.get(unit, 1)) == 0


def _judgement(higher: bool, lower_is_better: bool | None) -> str:
    if lower_is_better is None:
        return ""
    return " (better)" if higher != lower_is_better else " (worse)"


def _compared(difference: float, unit: str, lower_is_better: bool | None, *, same: str,
              up: str, down: str, then: str) -> str:
    """'0.6 points above England (worse)': counts of pupils or schools are more or fewer."""
    if _rounds_to_zero(difference, unit):
        return same
    higher = difference > 0
    if unit in ("pupils", "schools"):
        words = "more than" if higher else "fewer than"
    else:
        words = up if higher else down
    return f"{_amount(difference, unit)} {words} {then}{_judgement(higher, lower_is_better)}"


def _against(difference: float, unit: str, other: str, lower_is_better: bool | None) -> str:
    return _compared(difference, unit, lower_is_better, same=f"the same as {other}",
                     up="above", down="below", then=other)


def _since(difference: float, unit: str, before: str, lower_is_better: bool | None) -> str:
    return _compared(difference, unit, lower_is_better, same=f"unchanged since {before}",
                     up="higher than", down="lower than", then=f"in {before}")


def tile_sentence(tile: Tile) -> str:
    """'Oldham's persistent absence, 19.4% in 2024/25, is 0.6 points above England (worse) and
    0.8 points lower than in 2023/24 (better).'"""
    whose = f"{_possessive(area_name(tile.area))} {_subject(tile.measure)}"
    if tile.figure is None:
        # The tile's own symbol note ('c = suppressed ...'), as its publication defines it.
        meaning = tile.symbol_note.split(" = ", 1)[-1] if tile.symbol_note else None
        shown = (f" is shown as {tile.symbol}" + (f" ({meaning})" if meaning else "")
                 if tile.symbol else " has no figure")
        return f"{whose[0].upper()}{whose[1:]} for {tile.period}{shown}."
    clauses = []
    comparator = next(((a, v) for a, v in tile.beside_figures if v is not None), None)
    if comparator is not None:
        other, value = comparator
        clauses.append(_against(tile.figure - value, tile.unit, area_name(other),
                                tile.lower_is_better))
    if tile.previous is not None and tile.previous_period:
        clauses.append(_since(tile.figure - tile.previous, tile.unit, tile.previous_period,
                              tile.lower_is_better))
    figure = figure_text(tile.figure, tile.symbol, tile.unit)
    opening = f"{whose[0].upper()}{whose[1:]}, {figure} in {tile.period},"
    if not clauses:
        return f"{opening[:-1]}."
    return f"{opening} is {' and '.join(clauses)}."
