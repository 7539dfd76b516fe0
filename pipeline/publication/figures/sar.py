"""Figure 2 - Persons disembarked in search and rescue events, by Member State."""

from __future__ import annotations

import matplotlib.pyplot as plt
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


def plot(table: pd.DataFrame, periods: ReportPeriods) -> plt.Figure:
    """Horizontal bars, largest first, labelled with persons and share of the EU total."""
    style.apply()
    figure, axes = plt.subplots(figsize=(7.0, 0.42 * len(table) + 1.2))
    positions = range(len(table))
    axes.barh(positions, table["persons"], color=style.PRIMARY, height=0.65,
              label=periods.reference.short_label)
    axes.scatter(table["persons_previous_period"], positions, marker="|", s=220, linewidths=2,
                 color=style.TEXT, zorder=3, label=periods.comparison.short_label)
    axes.set_yticks(list(positions), table["name"])
    axes.invert_yaxis()
    axes.xaxis.set_major_formatter(style.thousands)
    axes.set_xlabel("Persons disembarked")
    largest = max(table["persons"].max(), table["persons_previous_period"].max())
    axes.set_xlim(0, largest * 1.28)
    label_at = table[["persons", "persons_previous_period"]].max(axis=1) + largest * 0.02
    for position, (x, persons, share) in enumerate(zip(label_at, table["persons"], table["share"])):
        axes.text(x, position, f"{formatting.eu_number(persons)} ({formatting.share_label(share)})",
                  va="center", fontsize=8, color=style.TEXT)
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
        f"{'; '.join(leaders)}. A tick on each bar marks {periods.comparison.label}."
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
