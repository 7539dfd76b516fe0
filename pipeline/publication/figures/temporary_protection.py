"""Figure 4 - Beneficiaries of temporary protection in the Member States, absolute and relative
to the key; with the temporary protection registrations of the reference period."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline.analysis.indicators import window_total
from pipeline.core import formatting
from pipeline.core.errors import InputError, source_of
from pipeline.core.periods import MONTH_NAMES, ReportPeriods
from pipeline.publication.figures import bars
from pipeline.publication.figures.output import FigureSpec

SPEC = FigureSpec(4, "fig4_temporary_protection",
                  "Beneficiaries of temporary protection in the Member States", "Eurostat",
                  unit="persons (beneficiaries) and decisions (registrations)")

STOCK = "tp_stock"
DECISIONS = "tp_decisions"

COLUMNS = ["member_state", "name", "beneficiaries", "share", "key_share", "ratio_to_key",
           "registrations", "registrations_share", "registrations_ratio_to_key"]


def month_label(month: str) -> str:
    """'2025-06' -> 'June 2025'."""
    period = pd.Period(month, freq="M")
    return f"{MONTH_NAMES[period.month - 1]} {period.year}"


def stock_values(tp_stock: pd.DataFrame, month: str) -> pd.Series:
    """Beneficiaries per Member State at the end of `month`; a listed Member State without a
    number that month is an error."""
    rows = tp_stock[tp_stock["period"] == month]
    if rows.empty:
        raise InputError(source_of(tp_stock, STOCK), f"no data for {month}", field="period")
    missing = sorted(rows.loc[rows["value"].isna(), "geo"])
    if missing:
        raise InputError(source_of(tp_stock, STOCK), f"no number for {', '.join(missing)} in {month}", field="value")
    return rows.set_index("geo")["value"].astype(float)


def temporary_protection_table(tp_stock: pd.DataFrame, tp_decisions: pd.DataFrame,
                               periods: ReportPeriods, key: pd.Series) -> pd.DataFrame:
    """Beneficiaries at the end of June of the edition year (share of the EU total, key share,
    ratio to the key) and registrations (decisions granting temporary protection) in the
    reference period (share, ratio to the key), per Member State; most beneficiaries first."""
    month = periods.stock_month
    stock = stock_values(tp_stock, month)
    bars.require_key_coverage(stock, key, name=STOCK, label=month)
    window = periods.reference
    bars.require_numbers(tp_decisions, window.months, name=DECISIONS, label=window.label)
    registrations = window_total(tp_decisions, window, "M", name=DECISIONS)
    bars.require_key_coverage(registrations, key, name=DECISIONS, label=window.label)
    registrations = registrations.reindex(stock.index)
    keyed = bars.relative_to_key(stock, key)
    registrations_keyed = bars.relative_to_key(registrations.dropna(), key).reindex(stock.index)
    frame = pd.DataFrame({
        "beneficiaries": stock,
        **{column: keyed[column] for column in ("share", "key_share", "ratio_to_key")},
        "registrations": registrations,
        "registrations_share": registrations_keyed["share"],
        "registrations_ratio_to_key": registrations_keyed["ratio_to_key"],
    })
    return bars.named(bars.sort_member_states(frame, "beneficiaries"))[COLUMNS]


def plot(table: pd.DataFrame, periods: ReportPeriods) -> plt.Figure:
    return bars.absolute_and_relative(
        table, value="beneficiaries", value_label="Beneficiaries of temporary protection",
        absolute_title=f"Beneficiaries, end of {month_label(periods.stock_month)}",
    )


def alt_text(table: pd.DataFrame, periods: ReportPeriods) -> str:
    return bars.absolute_and_relative_alt(
        table, "beneficiaries", f"the beneficiaries of temporary protection at the end of {month_label(periods.stock_month)}",
    )


def facts(table: pd.DataFrame, *, registrations_leaders: int = 8) -> dict[str, str]:
    """Numbers for the report's prose, computed from the figure's table.

    `registrations_leaders`: how many Member States the prose names by registrations relative
    to the key ('Czechia ..., followed by Poland, Estonia, ...' names eight).
    """
    total = table["beneficiaries"].sum()
    top_two = bars.ranked(table, "beneficiaries", 2)
    beneficiaries = table.set_index("member_state")["beneficiaries"]
    registrations = table["registrations"].sum()
    by_registrations = bars.ranked(table, "registrations_ratio_to_key", registrations_leaders)
    top_ratio = table.set_index("member_state").loc[by_registrations[0],
                                                    "registrations_ratio_to_key"]
    return {
        "stock_total": formatting.millions(total),
        "stock_total_exact": formatting.eu_number(total),
        "stock_top_two": formatting.member_state_names(top_two),
        "stock_top_two_share": formatting.percent(beneficiaries.loc[top_two].sum() / total),
        "stock_top_relative": formatting.member_state_names(bars.ranked(table, "ratio_to_key", 4)),
        "registrations_total": formatting.rounded(registrations),
        "registrations_total_over": formatting.rounded_down(registrations),
        "registrations_total_exact": formatting.eu_number(registrations),
        "registrations_top_relative": formatting.member_state_names(by_registrations[:1]),
        "registrations_top_relative_ratio": bars.ratio_text(top_ratio),
        "registrations_followed_by": (formatting.member_state_names(by_registrations[1:])
                                      if len(by_registrations) > 1 else ""),
        "member_states": str(len(table)),
    }
