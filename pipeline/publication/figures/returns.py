"""Figure 6 - Number of return orders and third-country nationals returned per Member State."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from pipeline.analysis.indicators import compare_windows
from pipeline.analysis.key import relative_change
from pipeline.core import formatting
from pipeline.core.periods import ReportPeriods
from pipeline.publication.figures import bars, style
from pipeline.publication.figures.output import FigureSpec

SPEC = FigureSpec(
    6, "fig6_returns",
    "Number of return orders and third country nationals returned per Member State", "Eurostat",
    unit="persons (third-country nationals)",
)

ORDERS = "orders_to_leave"
RETURNS = "returns"
ORDERS_COLOUR = style.PRIMARY
RETURNED_COLOUR = style.SECONDARY

COLUMNS = ["member_state", "name", "orders", "orders_previous_period", "orders_change",
           "orders_share", "key_share", "orders_ratio_to_key", "returned",
           "returned_previous_period", "returned_change", "returned_share", "return_rate"]


def _quarterly(table: pd.DataFrame, periods: ReportPeriods, name: str) -> pd.DataFrame:
    for window in (periods.reference, periods.comparison):
        bars.require_numbers(table, window.quarters, name=name, label=window.label)
    return compare_windows(table, periods.reference, periods.comparison, "Q", name=name)


def returns_table(orders_to_leave: pd.DataFrame, returns: pd.DataFrame, periods: ReportPeriods,
                  key: pd.Series) -> pd.DataFrame:
    """Third-country nationals ordered to leave and returned per Member State over the quarters
    of the reference period, compared with the period before; orders relative to the key and the
    return rate (returned / ordered to leave, same quarters); most orders first."""
    orders = _quarterly(orders_to_leave, periods, ORDERS)
    returned = _quarterly(returns, periods, RETURNS)
    label = periods.reference.label
    bars.require_key_coverage(orders["current"], key, name=ORDERS, label=label)
    bars.require_key_coverage(returned["current"], key, name=RETURNS, label=label)
    codes = orders.index.union(returned.index)
    orders, returned = orders.reindex(codes), returned.reindex(codes)
    keyed = bars.relative_to_key(orders["current"].fillna(0.0), key)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = returned["current"] / orders["current"].where(orders["current"] > 0)
    frame = pd.DataFrame({
        "orders": orders["current"],
        "orders_previous_period": orders["previous"],
        "orders_change": orders["change"],
        "orders_share": keyed["share"],
        "key_share": keyed["key_share"],
        "orders_ratio_to_key": keyed["ratio_to_key"],
        "returned": returned["current"],
        "returned_previous_period": returned["previous"],
        "returned_change": returned["change"],
        "returned_share": returned["share"],
        "return_rate": rate,
    })
    return bars.named(bars.sort_member_states(frame, "orders"))[COLUMNS]


def rate_text(rate: float) -> str:
    return "-" if pd.isna(rate) else formatting.percent(rate)


def plot(table: pd.DataFrame, periods: ReportPeriods) -> plt.Figure:
    """Paired horizontal bars per Member State (ordered to leave, returned), most orders first,
    with each Member State's return rate in a column on the right."""
    style.apply()
    rows = len(table)
    figure, axes = plt.subplots(figsize=(bars.FIGURE_WIDTH, bars.figure_height(rows)))
    positions = np.arange(rows)
    height = 0.38
    orders = table["orders"].fillna(0.0)
    returned = table["returned"].fillna(0.0)
    axes.barh(positions - height / 2, orders, height=height, color=ORDERS_COLOUR,
              label="Ordered to leave")
    axes.barh(positions + height / 2, returned, height=height, color=RETURNED_COLOUR,
              label="Returned")
    axes.set_yticks(positions, table["name"])
    largest = float(max(orders.max(), returned.max())) if rows else 0.0
    axes.set_xlim(0, largest * 1.04 if largest > 0 else 1.0)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    axes.xaxis.set_major_formatter(style.thousands)
    axes.set_xlabel(f"Third-country nationals, {periods.reference.short_label}", fontsize=8)
    bars.finish_axes(axes, rows)

    column = axes.get_yaxis_transform()  # x in axes fraction, y in data
    axes.text(1.02, -0.95, "Return\nrate", transform=column, ha="left", va="bottom",
              fontsize=7.5, fontweight="bold", color=style.TEXT)
    for position, rate in zip(positions, table["return_rate"]):
        axes.text(1.02, position, rate_text(rate), transform=column, ha="left", va="center",
                  fontsize=7.5, color=style.TEXT)
    total_rate = table["returned"].sum() / table["orders"].sum()
    axes.legend(loc="lower right", frameon=False, fontsize=8,
                title=f"EU return rate {formatting.percent(total_rate)}", title_fontsize=8)
    figure.text(0.01, 0.005, rate_note(table), fontsize=7, color=style.TEXT, ha="left",
                va="bottom")
    figure.tight_layout(rect=(0, 0.22 / figure.get_figheight(), 1, 1))
    return figure


def rate_note(table: pd.DataFrame) -> str:
    note = "Return rate: returned / ordered to leave, over the same quarters"
    if (table["return_rate"] > 1).any():
        note += " (above 100% where returns follow orders issued earlier)"
    return note + "."


def _orders_and_returns(row: pd.Series) -> str:
    return (f"{formatting.eu_number(row['orders'])} ordered to leave, "
            f"{formatting.eu_number(row['returned'])} returned ({rate_text(row['return_rate'])})")


def alt_text(table: pd.DataFrame, periods: ReportPeriods) -> str:
    orders, returned = table["orders"].sum(), table["returned"].sum()
    return (
        f"Horizontal bar chart of third-country nationals ordered to leave and returned in "
        f"{periods.reference.label}, a pair of bars per Member State for {len(table)} Member "
        f"States, most orders first, with each Member State's return rate (returned divided by "
        f"ordered to leave) in a column on the right. In total {formatting.eu_number(orders)} "
        f"were ordered to leave and {formatting.eu_number(returned)} returned, a return rate of "
        f"{formatting.percent(returned / orders)}. Most orders: {bars.leaders(table, 'orders', 3, _orders_and_returns)}."
    )


def facts(table: pd.DataFrame) -> dict[str, str]:
    """Numbers for the report's prose, computed from the figure's table."""
    orders, returned = table["orders"].sum(), table["returned"].sum()
    orders_change = relative_change(orders, table["orders_previous_period"].sum())
    returned_change = relative_change(returned, table["returned_previous_period"].sum())
    relative = bars.ranked(table, "orders_ratio_to_key", 3)
    top_five = bars.ranked(table, "returned", 5)
    returned_shares = table.set_index("member_state")["returned_share"]
    return {
        "orders_total": formatting.rounded(orders),
        "orders_total_exact": formatting.eu_number(orders),
        "orders_change": formatting.percent(orders_change),
        "orders_direction": formatting.direction(orders_change),
        "orders_top_absolute": formatting.member_state_names(bars.ranked(table, "orders", 3)),
        "orders_top_relative": formatting.member_state_names(relative),
        "orders_top_relative_first": formatting.member_state_names(relative[:1]),
        "orders_top_relative_next": formatting.member_state_names(relative[1:]),
        "returned_total": formatting.rounded(returned),
        "returned_total_exact": formatting.eu_number(returned),
        "returned_change": formatting.percent(returned_change),
        "returned_direction": formatting.direction(returned_change),
        "returned_top_five": formatting.member_state_names(top_five),
        "returned_top_five_share": formatting.percent(returned_shares.loc[top_five].sum()),
        "return_rate": formatting.percent(returned / orders),
        "member_states": str(len(table)),
    }
