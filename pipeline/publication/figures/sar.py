"""Figure 2 - Persons disembarked in search and rescue events, by Member State."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pipeline.analysis.indicators import compare_windows
from pipeline.core import countries, formatting
from pipeline.core.caveat import Caveat
from pipeline.core.periods import ReportPeriods
from pipeline.publication.figures import style
from pipeline.publication.figures.output import FigureSpec

CAVEATS = (
    Caveat("Figure 2", "A Member State absent from the SAR file is taken to have had no "
           "disembarkations."),
)

SPEC = FigureSpec(2, "fig2_sar", "Persons disembarked in search and rescue events", "Frontex",
                  unit="persons")


def sar_table(sar: pd.DataFrame, periods: ReportPeriods) -> pd.DataFrame:
    """Persons disembarked per Member State in the reference and comparison periods."""
    compared = compare_windows(sar, periods.reference, periods.comparison, "M", name="sar")
    compared = compared[compared["current"] > 0].sort_values("current", ascending=False)
    table = pd.DataFrame({
        "member_state": compared.index,
        "name": [countries.name(code) for code in compared.index],
        "persons": compared["current"].to_numpy(),
        "share": compared["share"].to_numpy(),
        "persons_previous_period": compared["previous"].to_numpy(),
        "change": compared["change"].to_numpy(),
    })
    return table.reset_index(drop=True)


# Rows: the reference period's bar, with its label at its end, and a thin bar below it for the
# comparison period, so that every label sits on the bar it belongs to.
BAR_HEIGHT, BAR_OFFSET = 0.5, -0.12
PREVIOUS_HEIGHT, PREVIOUS_OFFSET = 0.14, 0.27
PREVIOUS_COLOUR = "#9A9A9A"


def plot(table: pd.DataFrame, periods: ReportPeriods) -> plt.Figure:
    """Horizontal bars, largest first, labelled at their end with persons and share of the EU
    total; a thin grey bar under each one for the comparison period."""
    style.apply()
    figure, axes = plt.subplots(figsize=(7.0, 0.42 * len(table) + 1.2))
    rows = np.arange(len(table))
    bars = axes.barh(rows + BAR_OFFSET, table["persons"], color=style.PRIMARY, height=BAR_HEIGHT,
                     label=periods.reference.short_label, gid="sar-bar")
    axes.barh(rows + PREVIOUS_OFFSET, table["persons_previous_period"], color=PREVIOUS_COLOUR,
              height=PREVIOUS_HEIGHT, label=periods.comparison.short_label, gid="sar-previous")
    axes.set_yticks(rows + BAR_OFFSET, table["name"])
    axes.tick_params(axis="y", length=0)
    axes.invert_yaxis()
    axes.xaxis.set_major_formatter(style.thousands)
    axes.set_xlabel("Persons disembarked")
    largest = max(table["persons"].max(), table["persons_previous_period"].max())
    axes.set_xlim(0, largest * 1.2)
    for bar, persons, share in zip(bars, table["persons"], table["share"]):
        axes.annotate(f"{formatting.eu_number(persons)} ({formatting.share_label(share)})",
                      (bar.get_x() + bar.get_width(), bar.get_y() + bar.get_height() / 2),
                      xytext=(3, 0), textcoords="offset points", va="center", ha="left",
                      fontsize=8, color=style.TEXT, gid="sar-value")
    axes.legend(loc="lower right", frameon=False, fontsize=8)
    axes.grid(axis="x", color="#E5E5E5", linewidth=0.6)
    axes.set_axisbelow(True)
    figure.tight_layout()
    return figure


def alt_text(table: pd.DataFrame, periods: ReportPeriods) -> str:
    leaders = [
        f"{row.name} {formatting.eu_number(row.persons)} ({formatting.percent(row.share)})"
        for row in table.head(3).itertuples()
    ]
    return (
        f"Horizontal bar chart of persons disembarked after search and rescue events in "
        f"{periods.reference.label}, for {len(table)} Member States, largest first: "
        f"{'; '.join(leaders)}. A thin grey bar under each bar shows {periods.comparison.label}."
    )


def facts(table: pd.DataFrame) -> dict[str, str]:
    """Numbers for the report's prose, computed from the figure's table."""
    total = table["persons"].sum()
    previous = table["persons_previous_period"].sum()
    change = total / previous - 1.0
    leading = table.head(2)
    return {
        "total": formatting.rounded(total),
        "total_exact": formatting.eu_number(total),
        "change": formatting.percent(change),
        "direction": formatting.direction(change),
        "leading": formatting.member_state_names(list(leading["member_state"])),
        "leading_share": formatting.percent(leading["share"].sum()),
        "member_states": str(len(table)),
    }
