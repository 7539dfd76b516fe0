"""Figure 7 - Indicators relative to GDP and population: a heat table, Member States x indicators.

Each cell is the Member State's share of the EU total of the indicator divided by its key share
(1 = its fair share), coloured on a logarithmic scale centred on 1 (twice and half the fair
share are equally far from it). The last columns are the five-year cumulative view of temporary
view of the indicators used for the significant migratory situation, right of a vertical rule.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm

from pipeline.analysis.pressure import wide
from pipeline.core import countries, formatting
from pipeline.core.periods import ReportPeriods
from pipeline.publication.figures import style
from pipeline.publication.figures.bars import ratio_text
from pipeline.publication.figures.output import FigureSpec

SPEC = FigureSpec(
    7, "fig7_pressure_ratios",
    "Indicators of migratory pressure by Member State, relative to GDP and population",
    "Frontex, Eurostat, EUAA and eu-LISA",
    unit="ratio to the reference key (1 = fair share)",
)

SHORT_LABELS = {
    "ibc": "IBCs", "sar": "SAR disembarkations", "applications": "Applications",
    "unaccompanied_minors": "Unaccompanied minors", "tp_registrations": "TP registrations",
    "tp_beneficiaries": "TP beneficiaries", "refusals": "Refusals of entry",
    "orders_to_leave": "Orders to leave", "returns": "Returns", "eurodac_hits": "Eurodac hits",
    "dublin_requests": "Dublin requests", "reception": "Persons in reception",
}
FIVE_YEAR_SUFFIX = "five_year_"
RATIO_LIMITS = (1 / 8, 8.0)
COLOURS = "RdBu_r"  # diverging, readable with the common colour-vision deficiencies


def heat_table(indicators: pd.DataFrame, five_year: tuple[str, ...] = ()) -> pd.DataFrame:
    """Member States (protocol order) x indicators: the ratio to the key; then, for each
    indicator in `five_year`, its five-year ratio. Rates (no ratio) are left out."""
    ratios = wide(indicators).dropna(axis=1, how="all")
    cumulative = wide(indicators, "five_year_ratio_to_key")
    for name in five_year:
        if name in cumulative:
            ratios[f"{FIVE_YEAR_SUFFIX}{name}"] = cumulative[name]
    return ratios


def column_label(column: str) -> str:
    """'TP registrations', or 'TP registrations, 5 years' for a five-year column."""
    if column.startswith(FIVE_YEAR_SUFFIX):
        name = column.removeprefix(FIVE_YEAR_SUFFIX)
        return f"{SHORT_LABELS.get(name, name)}, 5 years"
    return SHORT_LABELS.get(column, column)


def period_label(periods: ReportPeriods) -> str:
    """Which periods the columns cover."""
    return (f"{periods.reference.short_label} (annual series: {periods.latest_full_calendar_year});"
            f" right of the rule: five years to {periods.reference.short_label[-8:]}")


def plot(table: pd.DataFrame, *, period_label: str) -> plt.Figure:
    """The heat table with each cell's ratio written in it."""
    style.apply()
    rows, columns = table.shape
    figure, axes = plt.subplots(figsize=(7.0, 0.25 * rows + 2.0))
    values = table.to_numpy(dtype=float)
    shown = np.clip(np.where(np.isnan(values), np.nan, values), *RATIO_LIMITS)
    image = axes.imshow(np.ma.masked_invalid(shown), cmap=COLOURS, aspect="auto",
                        norm=LogNorm(*RATIO_LIMITS))
    five_year_first = next((i for i, c in enumerate(table.columns)
                            if c.startswith(FIVE_YEAR_SUFFIX)), None)
    for (row, column), value in np.ndenumerate(values):
        if np.isnan(value):
            continue
        dark = abs(np.log(np.clip(value, *RATIO_LIMITS))) > 0.62 * np.log(RATIO_LIMITS[1])
        axes.text(column, row, ratio_text(value), ha="center", va="center", fontsize=6.2,
                  color="white" if dark else style.TEXT)
    axes.set_xticks(range(columns), [column_label(c) for c in table.columns], fontsize=7,
                    rotation=90)
    axes.xaxis.tick_top()
    axes.tick_params(axis="x", length=0, pad=2)
    axes.set_yticks(range(rows), [countries.name(code) for code in table.index], fontsize=7.5)
    axes.tick_params(axis="y", length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_xticks(np.arange(-0.5, columns), minor=True)
    axes.set_yticks(np.arange(-0.5, rows), minor=True)
    axes.grid(which="minor", color="white", linewidth=0.8)
    axes.tick_params(which="minor", length=0)
    if five_year_first is not None:
        axes.axvline(five_year_first - 0.5, color=style.TEXT, linewidth=1.2)
    colourbar = figure.colorbar(image, ax=axes, orientation="horizontal", fraction=0.035,
                                pad=0.02, aspect=40)
    ticks = [0.125, 0.25, 0.5, 1, 2, 4, 8]
    colourbar.set_ticks(ticks, labels=["\u22641/8", "1/4", "1/2", "1 (fair share)", "2", "4",
                                       "\u22658"])
    colourbar.ax.minorticks_off()
    colourbar.ax.tick_params(labelsize=7)
    colourbar.set_label(f"Share of the EU total / share of the key, {period_label}", fontsize=7.5)
    figure.tight_layout()
    return figure


def alt_text(table: pd.DataFrame, *, period_label: str) -> str:
    """The highest ratio of each indicator, in words."""
    highest = []
    for column in table.columns:
        series = table[column].dropna()
        if series.empty:
            continue
        top = series.idxmax()
        highest.append(f"{column_label(column)}: {countries.name(top)} {ratio_text(series[top])}")
    above = int((table.to_numpy() > 2).sum())
    return (
        f"Heat table of {table.shape[1]} indicators for {table.shape[0]} Member States in "
        f"protocol order, {period_label}: each cell is the Member State's share of the EU total "
        f"divided by its share of the reference key (1 is the fair share; blue below, red "
        f"above). {formatting.eu_number(above)} cells are more than twice the fair share. "
        f"Highest per indicator - {'; '.join(highest)}."
    )
