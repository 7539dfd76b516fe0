"""Figure 7 - Indicators relative to GDP and population: a heat table, Member States x indicators.

Each cell is the Member State's share of the EU total of the indicator divided by its key share
(1 = its fair share), coloured on a logarithmic scale centred on 1 (twice and half the fair
share are equally far from it) in the direction that burdens the Member State (BURDEN): red is
a burden above the fair share, blue below it. The last columns, right of a vertical rule, are
the five-year views of the indicators used for the significant migratory situation.
"""

from __future__ import annotations

import textwrap

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
# Which direction burdens the Member State, per indicator, from the EAAMR's reasoning: more
# arrivals, applications, persons to host, refusals and orders to leave (the strain on the return
# system) are a burden; for returns it is the other way round, as a low return rate leaves a
# backlog of persons ordered to leave.
HIGH, LOW = "high", "low"
BURDEN = {
    "ibc": HIGH, "sar": HIGH, "applications": HIGH, "unaccompanied_minors": HIGH,
    "tp_registrations": HIGH, "tp_beneficiaries": HIGH, "refusals": HIGH,
    "orders_to_leave": HIGH, "returns": LOW, "eurodac_hits": HIGH, "dublin_requests": HIGH,
    "reception": HIGH,
}
LOW_MARK = " \u2193"  # after the name of an indicator whose low values are the burden
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


def indicator_name(column: str) -> str:
    """The indicator of a column: 'ibc' for 'ibc' and 'five_year_ibc'."""
    return column.removeprefix(FIVE_YEAR_SUFFIX)


def burden(column: str) -> str:
    """HIGH or LOW: which values of the column's indicator burden the Member State."""
    name = indicator_name(column)
    if name not in BURDEN:
        raise KeyError(f"indicator {name!r} has no burden direction: declare it in BURDEN")
    return BURDEN[name]


def burden_ratios(table: pd.DataFrame) -> pd.DataFrame:
    """The ratios turned so that above 1 is always a burden: 1/ratio where low is the burden."""
    return table.apply(lambda column: 1 / column if burden(column.name) == LOW else column)


def column_label(column: str) -> str:
    """'TP registrations', 'TP registrations, 5 years' for a five-year column; 'Returns \u2193'
    where low values are the burden."""
    name = indicator_name(column)
    text = SHORT_LABELS.get(name, name) + (", 5 years" if column.startswith(FIVE_YEAR_SUFFIX) else "")
    return text + (LOW_MARK if burden(column) == LOW else "")


def direction_note(table: pd.DataFrame) -> str:
    """The legend's reading of the colours, naming the columns coloured the other way round."""
    low = [column_label(c).removesuffix(LOW_MARK) for c in table.columns if burden(c) == LOW]
    note = "Red: more of a burden on the Member State than its fair share; blue: less."
    if low:
        note += (f" {LOW_MARK.strip()} {formatting.enumeration(low)}: a low value is the burden"
                 f" (a backlog of orders to leave), so the colours are reversed (the colour of"
                 f" 1/ratio).")
    return note


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
    shown = np.clip(burden_ratios(table).to_numpy(dtype=float), *RATIO_LIMITS)
    image = axes.imshow(np.ma.masked_invalid(shown), cmap=COLOURS, aspect="auto",
                        norm=LogNorm(*RATIO_LIMITS))
    five_year_first = next((i for i, c in enumerate(table.columns)
                            if c.startswith(FIVE_YEAR_SUFFIX)), None)
    for (row, column), value in np.ndenumerate(values):
        if np.isnan(value):
            continue
        dark = abs(np.log(shown[row, column])) > 0.62 * np.log(RATIO_LIMITS[1])
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
    colourbar.set_label(f"Share of the EU total / share of the key, {period_label}\n"
                        f"{textwrap.fill(direction_note(table), 125)}", fontsize=7, linespacing=1.4)
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
    above = int((burden_ratios(table).to_numpy() > 2).sum())
    return (
        f"Heat table of {table.shape[1]} indicators for {table.shape[0]} Member States in "
        f"protocol order, {period_label}: each cell is the Member State's share of the EU total "
        f"divided by its share of the reference key (1 is the fair share). "
        f"{direction_note(table)} {formatting.eu_number(above)} cells are more than twice the "
        f"fair share in the direction that burdens the Member State. "
        f"Highest per indicator - {'; '.join(highest)}."
    )
