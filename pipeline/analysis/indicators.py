"""Indicators over a reference window: 12-month totals, stocks, shares, changes."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from pipeline.analysis import key as reference_key
from pipeline.core.caveat import Caveat
from pipeline.core.errors import InputError, source_of
from pipeline.core.periods import Window

CAVEATS = (
    Caveat("Periods", "Monthly series are summed over the 12 months to June {year}, quarterly "
           "series over the four quarters to the second quarter of {year}; stocks are taken at "
           "the end of June {year}."),
    Caveat("Periods", "Annual-only series (unaccompanied minors, Dublin requests, refusals of "
           "entry, resettlement) cannot be cut to July-June: the last calendar year ending in the "
           "reference period is used, and named wherever a value is quoted; for unaccompanied "
           "minors, an analysts' monthly table covering the periods is used instead when supplied."),
)


def window_periods(window: Window, frequency: str) -> list[str]:
    if frequency == "M":
        return window.months
    if frequency == "Q":
        return window.quarters
    raise ValueError(f"cannot cut a {frequency!r} series to a July-June window")


def window_total(table: pd.DataFrame, window: Window, frequency: str, *, name: str,
                 by: Sequence[str] = ("geo",), required: Sequence[str] = ()) -> pd.Series:
    """Sum `value` over the window's months (or quarters) for each group of `by`.

    The window must lie inside the table's coverage; every group present, and every Member
    State in `required`, must have a number for every period of the window. Otherwise an
    InputError names the raw file (or the table), the group and the gaps.
    """
    periods = window_periods(window, frequency)
    inside = table[table["period"].isin(periods)]
    source = source_of(table, name)
    if inside.empty and not table.empty:
        raise InputError(source, f"no data inside {window.label}: the data cover "
                                 f"{table['period'].min()} to {table['period'].max()}",
                         field="period")
    for geo in required:
        if geo not in set(inside["geo"]):
            raise InputError(source, f"no data for {geo} in {window.label}", field="geo")
    present = inside["period"].where(inside["value"].notna())
    for group, have in present.groupby([inside[column] for column in by]).agg(
            lambda periods: set(periods.dropna())).items():
        missing = [period for period in periods if period not in have]
        if missing:
            raise InputError(source, f"{', '.join(missing)} missing for {group} inside "
                                     f"{window.label}", field="period")
    return inside.groupby(list(by))["value"].sum()


def compare_windows(table: pd.DataFrame, current: Window, previous: Window, frequency: str, *,
                    name: str, by: Sequence[str] = ("geo",)) -> pd.DataFrame:
    """Totals for two windows side by side, with each group's share and relative change."""
    result = pd.DataFrame({
        "current": window_total(table, current, frequency, name=name, by=by),
        "previous": window_total(table, previous, frequency, name=name, by=by),
    }).fillna(0.0)
    result["share"] = result["current"] / result["current"].sum()
    result["change"] = reference_key.relative_change(result["current"], result["previous"])
    return result
