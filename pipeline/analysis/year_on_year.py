"""Year-on-year diff: the largest changes in each indicator against the previous period.

Built on the pressure indicators table (`pipeline.analysis.pressure`, outputs/<year>/tables/
pressure_indicators.csv: one row per indicator and Member State of the key, with `value`,
`previous` and their periods). For each indicator: the total over those Member States, the
`TOP` Member States with the largest change in number (either sign), and the `TOP` with the
largest relative change among those that held at least `MIN_PREVIOUS_SHARE` of the previous
total (so that 3 -> 30 in a small series does not lead the list). Rates (occupancy) change in
percentage points and have neither a total nor a relative change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core import formatting
from pipeline.core.errors import InputError
from pipeline.core.formatting import in_running_text

TOP = 3
MIN_PREVIOUS_SHARE = 0.01
REQUIRED = ("indicator", "label", "unit", "basis", "geo", "period", "value", "previous_period",
            "previous")
COLUMNS = ["indicator", "label", "unit", "basis", "period", "previous_period", "ranking", "rank",
           "geo", "value", "previous", "absolute_change", "relative_change"]
MINUS = "\u2212"


def _check(table: pd.DataFrame, name: str) -> None:
    missing = [column for column in REQUIRED if column not in table.columns]
    if missing:
        raise InputError(name, f"column(s) {', '.join(missing)} missing", field=missing[0])


def changes(table: pd.DataFrame, *, name: str = "pressure_indicators.csv") -> pd.DataFrame:
    """Per indicator (table order): its total, and the Member States with the largest changes."""
    _check(table, name)
    parts = []
    for indicator, rows in table.groupby("indicator", sort=False):
        rows = rows.dropna(subset=["value", "previous"]).assign(
            absolute_change=lambda frame: frame["value"] - frame["previous"])
        with np.errstate(divide="ignore", invalid="ignore"):
            rows["relative_change"] = np.where(rows["previous"] > 0,
                                               rows["value"] / rows["previous"] - 1.0, np.nan)
        rate = (rows["basis"] == "rate").all()
        ranked = []
        if not rate:
            total = rows[["value", "previous"]].sum()
            ranked.append(pd.DataFrame([{
                "ranking": "total", "rank": 0, "geo": f"{len(rows)} Member States",
                "value": total["value"], "previous": total["previous"],
                "absolute_change": total["value"] - total["previous"],
                "relative_change": total["value"] / total["previous"] - 1.0
                if total["previous"] > 0 else np.nan}]))
        moved = rows[rows["absolute_change"] != 0]
        by_number = moved.reindex(moved["absolute_change"].abs()
                                  .sort_values(ascending=False, kind="stable").index).head(TOP)
        ranked.append(by_number.assign(ranking="absolute", rank=range(1, len(by_number) + 1)))
        if not rate:
            large_enough = moved[moved["previous"] >= MIN_PREVIOUS_SHARE * rows["previous"].sum()]
            large_enough = large_enough.dropna(subset=["relative_change"])
            by_ratio = large_enough.reindex(large_enough["relative_change"].abs()
                                            .sort_values(ascending=False, kind="stable").index)
            by_ratio = by_ratio.head(TOP)
            ranked.append(by_ratio.assign(ranking="relative", rank=range(1, len(by_ratio) + 1)))
        first = rows.iloc[0]
        part = pd.concat(ranked, ignore_index=True).assign(
            indicator=indicator, label=first["label"], unit=first["unit"], basis=first["basis"],
            period=first["period"], previous_period=first["previous_period"])
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def _signed_number(value: float) -> str:
    text = formatting.eu_number(abs(value))
    return text if text == "0" else f"{'+' if value > 0 else MINUS}{text}"


MULTIPLE_FROM = 2.0  # from +200%, a rise is quoted as a multiple ('16 times'), not '+1507%'


def signed_percent(change: float) -> str:
    """-0.35 -> '−35%', 0.12 -> '+12%', 15.07 -> '16 times'."""
    if change >= MULTIPLE_FROM:
        return f"{formatting.eu_number(1 + change)} times"
    text = formatting.percent(change)
    return text if text == "0%" else f"{'+' if change > 0 else MINUS}{text}"


def _points(change: float) -> str:
    text = formatting.eu_number(abs(change) * 100, decimals=1)
    return f"{'+' if change > 0 else MINUS}{text} pp"


def _member_state(row) -> str:
    if row.basis == "rate":
        return f"{in_running_text(row.geo)} {_points(row.absolute_change)}"
    relative = "" if np.isnan(row.relative_change) else f" ({signed_percent(row.relative_change)})"
    return f"{in_running_text(row.geo)} {_signed_number(row.absolute_change)}{relative}"


def _total_text(total: pd.DataFrame) -> str:
    if total.empty:
        return "\u2013 (a rate)"
    row = total.iloc[0]
    change = "" if np.isnan(row.relative_change) else f" ({signed_percent(row.relative_change)})"
    return f"{formatting.eu_number(row.previous)} \u2192 {formatting.eu_number(row.value)}{change}"


def markdown_table(diff: pd.DataFrame) -> str:
    """One row per indicator: total then and now, and the largest changes, as a pipe table."""
    header = ("| Indicator | Periods | Total of the Member States of the key "
              "| Largest changes in number | Largest relative changes |")
    lines = [header, "|---|---|---|---|---|"]
    for _, rows in diff.groupby("indicator", sort=False):
        first = rows.iloc[0]
        cells = {}
        for ranking in ("absolute", "relative"):
            ranked = rows[rows["ranking"] == ranking]
            cells[ranking] = "; ".join(_member_state(row) for row in ranked.itertuples()) \
                or "\u2013"
        lines.append(f"| {first['label']} ({first['unit']}) | {first['previous_period']} \u2192 "
                     f"{first['period']} | {_total_text(rows[rows['ranking'] == 'total'])} | "
                     f"{cells['absolute']} | {cells['relative']} |")
    return "\n".join(lines) + "\n"


def facts(table: pd.DataFrame, diff: pd.DataFrame) -> dict[str, str]:
    """The indicator whose total moved most, for a sentence introducing the appendix."""
    totals = diff[(diff["ranking"] == "total") & diff["relative_change"].notna()]
    values = {"indicators": str(diff["indicator"].nunique()), "top": str(TOP),
              "member_states": str(table["geo"].nunique()),
              "min_previous_share": formatting.percent(MIN_PREVIOUS_SHARE)}
    if totals.empty:
        return values
    largest = totals.loc[totals["relative_change"].abs().idxmax()]
    values.update({
        "largest_total_change_indicator": str(largest["label"]),
        "largest_total_change": formatting.percent(largest["relative_change"]),
        "largest_total_change_direction": formatting.direction(largest["relative_change"]),
    })
    return values
