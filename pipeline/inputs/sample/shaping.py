"""Numeric helpers of the sample generator: calibrate totals, spread them over periods, round."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd


def rng_for(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per dataset, so datasets do not depend on build order."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def round_preserving(values: np.ndarray | Sequence[float],
                     total: float | None = None) -> np.ndarray:
    """Round non-negative values to integers whose sum is round(total) (default: their sum).

    Largest remainders get the extra units; ties go to the first position.
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return values.astype(np.int64)
    target = int(np.rint(values.sum() if total is None else total))
    if values.sum() > 0:
        values = values * (target / values.sum())
    floors = np.floor(values + 1e-9)
    missing = target - int(floors.sum())
    if missing > 0:
        order = np.argsort(-(values - floors), kind="stable")
        floors[order[:missing]] += 1
    elif missing < 0:  # only from the 1e-9 guard
        order = np.argsort(values - floors, kind="stable")
        floors[order[:-missing]] -= 1
    return floors.astype(np.int64)


def calibrate(levels: pd.Series, total: float, fixed: Iterable[str] = ()) -> pd.Series:
    """Scale the entries not in `fixed` so the sum equals `total`."""
    fixed = [key for key in fixed if key in levels.index]
    free = levels.drop(fixed)
    remaining = total - levels[fixed].sum()
    if remaining <= 0 or free.sum() <= 0:
        raise ValueError(f"cannot reach a total of {total} with {fixed} fixed")
    scaled = levels.astype(float).copy()
    scaled[free.index] = free * (remaining / free.sum())
    return scaled


def previous_from_change(reference: pd.Series, change_pct: pd.Series | float,
                         total_change_pct: float,
                         fixed: dict[str, float] | None = None) -> pd.Series:
    """Comparison-period levels: each entry's own change, then all entries not in `fixed`
    scaled so the overall change is `total_change_pct` (%). `fixed` gives set values."""
    previous = reference / (1 + np.asarray(change_pct, dtype=float) / 100)
    for key, value in (fixed or {}).items():
        previous[key] = value
    total = reference.sum() / (1 + total_change_pct / 100)
    return calibrate(previous, total, fixed=list(fixed or {}))


def noisy(values: pd.Series, rng: np.random.Generator, sigma: float) -> pd.Series:
    """Multiply by log-normal noise (median 1)."""
    return values * np.exp(rng.normal(0.0, sigma, size=len(values)))


def fit_margins(seed: np.ndarray, row_totals: np.ndarray, column_totals: np.ndarray,
                iterations: int = 200) -> np.ndarray:
    """Iterative proportional fitting: a matrix near `seed` with the given row/column sums."""
    matrix = np.asarray(seed, dtype=float).copy()
    column_totals = column_totals * (row_totals.sum() / column_totals.sum())
    for _ in range(iterations):
        matrix *= (row_totals / np.where(matrix.sum(1) > 0, matrix.sum(1), 1))[:, None]
        matrix *= column_totals / np.where(matrix.sum(0) > 0, matrix.sum(0), 1)
    return matrix


def spread_with_cap(total: float, weights: np.ndarray, cap: float) -> np.ndarray:
    """Share `total` out in proportion to `weights`, no share above `cap` (excess goes to the
    others in proportion to their weights)."""
    weights = np.asarray(weights, dtype=float)
    if total > cap * np.count_nonzero(weights) + 1e-6:
        raise ValueError(f"cannot spread {total} over {np.count_nonzero(weights)} shares "
                         f"of at most {cap}")
    shares = np.zeros_like(weights)
    open_ = weights > 0
    remaining = float(total)
    while remaining > 1e-9 and open_.any():
        proposal = remaining * weights * open_ / weights[open_].sum()
        over = open_ & (shares + proposal > cap)
        if not over.any():
            shares += proposal
            break
        remaining -= (cap - shares[over]).sum()
        shares[over] = cap
        open_ &= ~over
    return shares


def seasonal_profile(months: Sequence[int], amplitude: float, peak: int) -> np.ndarray:
    """1 + amplitude * cos(...) peaking in month `peak` (1-12)."""
    months = np.asarray(months, dtype=float)
    return 1 + amplitude * np.cos(2 * np.pi * (months - peak) / 12)


def spread_over_periods(year_totals: dict[int, float], period_years: np.ndarray, shape: np.ndarray,
                        rng: np.random.Generator, sigma: float = 0.08,
                        valid: np.ndarray | None = None) -> np.ndarray:
    """Spread each year's total over its periods; the sums per year hold exactly.

    The level moves smoothly from year to year (log-linear between the years' centres), times
    `shape` (seasonality) and log-normal noise; periods not `valid`, or of a year without a
    total, get NaN.
    """
    period_years = np.asarray(period_years)
    valid = np.ones(period_years.shape, bool) if valid is None else np.asarray(valid, bool)
    positions = np.arange(period_years.size, dtype=float)
    years = [year for year in sorted(year_totals) if (valid & (period_years == year)).any()]
    counts = {year: int((valid & (period_years == year)).sum()) for year in years}
    # The level is anchored on whole years only: a partial year (temporary protection from
    # March 2022) takes the level of its neighbour and its own total, shaped by `shape`.
    anchors = [year for year in years if counts[year] == max(counts.values())]
    centres = [positions[valid & (period_years == year)].mean() for year in anchors]
    per_period = [max(year_totals[year], 1e-3) / counts[year] for year in anchors]
    level = np.exp(np.interp(positions, centres, np.log(per_period)))
    weights = level * shape * np.exp(rng.normal(0.0, sigma, size=period_years.size))
    out = np.full(period_years.size, np.nan)
    for year in years:
        mask = valid & (period_years == year)
        out[mask] = round_preserving(weights[mask], year_totals[year])
    return out


def stock_path(months: Sequence[str], anchors: dict[str, float], fixed_month: str,
               rng: np.random.Generator, sigma: float = 0.02) -> np.ndarray:
    """A stock's path relative to `fixed_month`: linear between the anchors (month -> level,
    1.0 at `fixed_month`), with a smooth random wobble that vanishes at `fixed_month`, where
    the path is exactly 1."""
    ordinal = np.asarray(pd.PeriodIndex(months, freq="M").asi8, dtype=float)
    anchor_ordinal = np.array([pd.Period(m, freq="M").ordinal for m in anchors], dtype=float)
    path = np.interp(ordinal, anchor_ordinal, list(anchors.values()))
    position = list(months).index(fixed_month)
    path = path / path[position]
    wobble = np.cumsum(rng.normal(0.0, sigma, size=len(months)))
    wobble -= wobble[position]
    return path * np.exp(wobble * 0.5)
