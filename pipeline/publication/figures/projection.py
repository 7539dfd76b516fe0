"""Figure 9 - Projection for the coming year (the project's own, not the Commission's): the
recorded months, the projection and its interval, and the numbers the report quotes.

The method is in `pipeline.analysis.projection`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline.analysis.projection import INTERVAL, METHOD, SIMULATIONS, SeriesResult
from pipeline.core import formatting
from pipeline.core.periods import HISTORY_YEARS, twelve_months_to_june
from pipeline.publication.figures import style
from pipeline.publication.figures.output import FigureSpec

FUTURE = {"increased": "increase", "decreased": "decrease", "remained stable": "remain stable"}

SPEC = FigureSpec(9, "fig9_projection",
                  "Projection for the coming year (the project's own projection, not the "
                  "Commission's)", "Eurostat and Frontex",
                  unit="applications, detections or persons per month")


def figure_data(results: list[SeriesResult]) -> pd.DataFrame:
    """The plotted values: observed months, and projected months with their band."""
    frames = []
    for result in results:
        observed = pd.DataFrame({"month": result.history.index.astype(str), "kind": "observed",
                                 "value": result.history.to_numpy()})
        band = result.projection.months
        projected = pd.DataFrame({"month": band.index.astype(str), "kind": "projected",
                                  "value": band["projected"].to_numpy(),
                                  "lower": band["lower"].to_numpy(),
                                  "upper": band["upper"].to_numpy()})
        frames.append(pd.concat([observed, projected]).assign(series=result.series.name))
    data = pd.concat(frames, ignore_index=True)
    return data[["series", "month", "kind", "value", "lower", "upper"]]


def _range_text(lower: float, upper: float) -> str:
    return f"{formatting.rounded(lower)}\u2013{formatting.rounded(upper)}"


def plot(results: list[SeriesResult], year: int, *, years_shown: int = 4) -> plt.Figure:
    """One panel per series: recent months, the projection and its 80 % band."""
    style.apply()
    figure, axes_list = plt.subplots(len(results), 1, figsize=(7.0, 2.6 * len(results)),
                                     squeeze=False)
    level = formatting.percent(INTERVAL)
    for axes, result in zip(axes_list[:, 0], results, strict=True):
        shown = result.history.iloc[-12 * years_shown:]
        band = result.projection.months
        x_observed = shown.index.to_timestamp()
        x_projected = band.index.to_timestamp()
        axes.plot(x_observed, shown.to_numpy(), color=style.PRIMARY, linewidth=1.6,
                  label="Recorded")
        axes.fill_between(x_projected, band["lower"], band["upper"], color=style.SECONDARY,
                          alpha=0.3, linewidth=0, label=f"{level} interval")
        axes.plot([x_observed[-1], *x_projected], [shown.iloc[-1], *band["projected"]],
                  color=style.SECONDARY, linewidth=1.6, linestyle="--", label="Projected")
        axes.axvline(x_projected[0], color="#999999", linewidth=0.6)
        axes.set_title(
            f"{result.series.label}\n{twelve_months_to_june(year + 1).short_label} projected: "
            f"{formatting.rounded(result.projection.total)} ({level} interval "
            f"{_range_text(result.projection.lower, result.projection.upper)})",
            loc="left", fontsize=9)
        axes.yaxis.set_major_formatter(style.thousands)
        axes.set_ylim(bottom=0)
        axes.set_ylabel(f"{result.series.unit.capitalize()} per month", fontsize=8)
        axes.grid(axis="y", color="#E5E5E5", linewidth=0.6)
        axes.set_axisbelow(True)
    axes_list[0, 0].legend(loc="lower left", frameon=False, fontsize=8, ncol=3)
    figure.tight_layout()
    return figure


def alt_text(table: pd.DataFrame, year: int) -> str:
    parts = [
        f"{row.label} {formatting.rounded(row.projected_total)} "
        f"(interval {_range_text(row.lower, row.upper)}; "
        f"{formatting.eu_number(row.reference_total)} in "
        f"{twelve_months_to_june(year).label})"
        for row in table.itertuples()
    ]
    return (
        f"{len(table)} line charts of monthly EU totals over the last four years, each "
        f"continued by a dashed line for the project's own projection of "
        f"{twelve_months_to_june(year + 1).label} and a shaded "
        f"{formatting.percent(INTERVAL)} interval. Projected 12-month totals: "
        f"{'; '.join(parts)}."
    )


def facts(table: pd.DataFrame, year: int) -> dict[str, str]:
    """Numbers for the report's prose: per series, and how reliable the method was before."""
    values: dict[str, str] = {
        "period": twelve_months_to_june(year + 1).label,
        "basis_period": twelve_months_to_june(year).label,
        "method": METHOD,
        "interval": formatting.percent(INTERVAL),
        "history_years": str(HISTORY_YEARS),
        "simulations": formatting.eu_number(SIMULATIONS),
    }
    for row in table.itertuples():
        values.update({
            f"{row.series}_total": formatting.rounded(row.projected_total),
            f"{row.series}_lower": formatting.rounded(row.lower),
            f"{row.series}_upper": formatting.rounded(row.upper),
            f"{row.series}_change": formatting.percent(row.change),
            f"{row.series}_direction": FUTURE[formatting.direction(row.change)],
            f"{row.series}_backtests": str(row.backtests),
            f"{row.series}_backtest_error": "not available" if row.backtests == 0 else
            formatting.percent(row.backtest_mean_absolute_error),
            f"{row.series}_backtest_covered": f"{row.backtest_covered} of {row.backtests}",
        })
    tests = table["backtests"].sum()
    weighted = (table["backtest_mean_absolute_error"].fillna(0.0) * table["backtests"]).sum()
    values["backtest_error"] = formatting.percent(weighted / tests) if tests else "not available"
    values["backtest_covered"] = (f"{int(table['backtest_covered'].sum())} of "
                                  f"{int(table['backtests'].sum())}")
    return values


def markdown_table(table: pd.DataFrame, year: int) -> str:
    """The projections as a pipe table, with the backtest error of each series."""
    level = formatting.percent(INTERVAL)
    header = (f"| Series | {twelve_months_to_june(year).label} | Projected "
              f"{twelve_months_to_june(year + 1).label} | {level} interval | Change | "
              "Backtest: mean absolute error | Backtest: actual inside the interval |")
    lines = [header, "|---|---:|---:|---:|---|---:|---:|"]
    for row in table.itertuples():
        error = "\u2013" if row.backtests == 0 else formatting.percent(
            row.backtest_mean_absolute_error)
        lines.append(
            f"| {row.label} ({row.unit}) | {formatting.eu_number(row.reference_total)} | "
            f"{formatting.rounded(row.projected_total)} | {_range_text(row.lower, row.upper)} | "
            f"{formatting.percent(row.change)} {FUTURE[formatting.direction(row.change)]} | "
            f"{error} | {row.backtest_covered} of {row.backtests} |")
    return "\n".join(lines) + "\n"


def backtest_markdown(results: list[SeriesResult]) -> str:
    """Each backtest year: projected, interval, what was recorded, error."""
    lines = ["| Series | 12 months projected | Projected | Interval | Recorded | Error |",
             "|---|---|---:|---:|---:|---:|"]
    for result in results:
        for row in result.backtest.itertuples():
            sign = "+" if row.error > 0 else "\u2212"
            lines.append(
                f"| {result.series.label} | {row.period} | {formatting.rounded(row.projected)} | "
                f"{_range_text(row.lower, row.upper)} | {formatting.eu_number(row.actual)} | "
                f"{sign}{formatting.percent(row.error)} |")
    return "\n".join(lines) + "\n"
