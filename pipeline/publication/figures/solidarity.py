"""Figure 8 - Indicative contributions to the Annual Solidarity Pool, per Member State.

Horizontal bars in protocol order, one per pool size (relocations on the bottom axis, the same
amounts in euros on the top axis); beneficiaries and deducted Member States are labelled at zero.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pipeline.analysis.solidarity import CONTRIBUTING
from pipeline.core import formatting
from pipeline.publication.figures import style
from pipeline.publication.figures.output import FigureSpec

SPEC = FigureSpec(
    8, "fig8_solidarity_pool",
    "Indicative contributions to the Annual Solidarity Pool by Member State",
    "Eurostat",
    unit="relocations and euros",
)
POOL_COLOURS = (style.PRIMARY, style.SECONDARY)


def plot(contributions: pd.DataFrame, labels: dict[str, str], euro_per_relocation: float
         ) -> plt.Figure:
    """`contributions`: the rows of `solidarity.contributions` for one or more pools;
    `labels`: pool name -> legend label, in drawing order."""
    style.apply()
    pools = list(labels)
    first = contributions[contributions["pool"] == pools[0]].reset_index(drop=True)
    rows = len(first)
    height = 0.8 / len(pools)
    figure, axes = plt.subplots(figsize=(7.0, 0.24 * rows + 1.6))
    largest = contributions["contribution_relocations"].max()
    for index, (pool, colour) in enumerate(zip(pools, POOL_COLOURS)):
        table = contributions[contributions["pool"] == pool].reset_index(drop=True)
        positions = np.arange(rows) - 0.4 + height * (index + 0.5)
        axes.barh(positions, table["contribution_relocations"], height=height * 0.92,
                  color=colour, label=labels[pool])
        for position, value in zip(positions, table["contribution_relocations"]):
            if value > 0:
                axes.text(value + largest * 0.01, position, formatting.eu_number(value),
                          va="center", fontsize=5.8, color=style.TEXT)
    for row, status in enumerate(first["status"]):
        if status != CONTRIBUTING and first.loc[row, "contribution_relocations"] == 0:
            axes.text(largest * 0.01, row, status, va="center", fontsize=7, color=style.TEXT,
                      fontstyle="italic")
    axes.set_yticks(range(rows), first["name"], fontsize=7.5)
    axes.set_ylim(rows - 0.5, -0.5)
    axes.tick_params(axis="y", length=0)
    axes.set_xlim(0, largest * 1.12)
    axes.xaxis.set_major_formatter(style.thousands)
    axes.set_xlabel("Relocations", fontsize=8)
    axes.tick_params(axis="x", labelsize=7.5)
    euros = axes.secondary_xaxis(
        "top", functions=(lambda r: r * euro_per_relocation / 1e6,
                          lambda m: m * 1e6 / euro_per_relocation))
    euros.set_xlabel(f"EUR million (EUR {formatting.eu_number(euro_per_relocation)} "
                     "per relocation)", fontsize=8)
    euros.tick_params(labelsize=7.5)
    axes.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.legend(loc="lower right", frameon=False, fontsize=7.5)
    figure.tight_layout()
    return figure


def alt_text(contributions: pd.DataFrame, labels: dict[str, str]) -> str:
    parts = []
    for pool, label in labels.items():
        table = contributions[contributions["pool"] == pool]
        top = table.sort_values("contribution_relocations", ascending=False).head(3)
        leaders = "; ".join(f"{row.name} {formatting.eu_number(row.contribution_relocations)}"
                            for row in top.itertuples())
        parts.append(f"{label}: {formatting.eu_number(table['contribution_relocations'].sum())}"
                     f" relocations in all, largest {leaders}")
    statuses = contributions.drop_duplicates("geo").query("status != @CONTRIBUTING")
    named = "; ".join(f"{row.name} ({row.status})" for row in statuses.itertuples())
    return (f"Horizontal bar chart of indicative contributions per Member State in relocations "
            f"(top axis: euros), one bar per pool size. {'. '.join(parts)}. "
            f"Not contributing in full: {named or 'none'}.")
