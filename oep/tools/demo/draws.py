"""Small numeric helpers of the demo: link functions, random dates and carried-over noise."""

from __future__ import annotations

import numpy as np


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1.0 - p))


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def academic_period(year_end: int) -> int:
    """2026 -> 202526, the DfE's time_period for the academic year 2025/26."""
    return (year_end - 1) * 100 + year_end % 100


def dates(rng: np.random.Generator, start: np.datetime64, end: np.datetime64,
          size: int | tuple[int, ...]) -> np.ndarray:
    """Days drawn uniformly from ``start`` to ``end``, both included."""
    days = (end - start).astype(int)
    return start + rng.integers(0, days + 1, size).astype("timedelta64[D]")


def ar1(rng: np.random.Generator, years: int, n: int, rho: float) -> np.ndarray:
    """Standard-normal noise per school and year that carries over from one year to the next."""
    out = np.empty((years, n))
    out[0] = rng.standard_normal(n)
    for y in range(1, years):
        out[y] = rho * out[y - 1] + np.sqrt(1 - rho * rho) * rng.standard_normal(n)
    return out
