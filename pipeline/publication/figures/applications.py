"""Figure 3 - Applications for international protection, absolute and relative to the key."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from pipeline.analysis.indicators import compare_windows
from pipeline.core import formatting
from pipeline.core.errors import InputError, source_of
from pipeline.core.periods import ReportPeriods
from pipeline.publication.figures import bars
from pipeline.publication.figures.output import FigureSpec

# The applications are Eurostat's migr_asyappctzm (the EAAMR 2025 drew them from EUAA data);
# population and GDP for the key are Eurostat's too.
SPEC = FigureSpec(
    3, "fig3_applications",
    "Applications for international protection by Member States in absolute values, "
    "and relative to GDP and population",
    "Eurostat",
    unit="applications; ratio to the reference key (1 = fair share)",
)

APPLICANT = "ASY_APP"  # all applicants; NASY_APP would be first-time applicants only
NAME = "applications"

COLUMNS = ["member_state", "name", "applications", "applications_previous_period", "change",
           "share", "key_share", "ratio_to_key"]


def applications_table(applications: pd.DataFrame, periods: ReportPeriods,
                       key: pd.Series) -> pd.DataFrame:
    """Applications (ASY_APP) per Member State in the reference and comparison periods, with the
    share of the EU total, the key share and the ratio to the key; largest first.

    `key`: the Article 66 key (`pipeline.analysis.key.key_for_edition`), indexed by Member State.
    """
    table = applications[applications["applicant"] == APPLICANT]
    if table.empty:
        raise InputError(source_of(applications, NAME), f"no rows for applicant={APPLICANT}", field="applicant")
    for window in (periods.reference, periods.comparison):
        bars.require_numbers(table, window.months, name=NAME, label=window.label)
    compared = compare_windows(table, periods.reference, periods.comparison, "M", name=NAME)
    bars.require_key_coverage(compared["current"], key, name=NAME, label=periods.reference.label)
    keyed = bars.relative_to_key(compared["current"], key)
    frame = pd.DataFrame({
        "applications": compared["current"],
        "applications_previous_period": compared["previous"],
        "change": compared["change"],
        **{column: keyed[column] for column in ("share", "key_share", "ratio_to_key")},
    })
    return bars.named(bars.sort_member_states(frame, "applications"))[COLUMNS]


def plot(table: pd.DataFrame, periods: ReportPeriods) -> plt.Figure:
    return bars.absolute_and_relative(
        table, value="applications", value_label="Applications",
        absolute_title=f"Applications, {periods.reference.short_label}",
    )


def alt_text(table: pd.DataFrame, periods: ReportPeriods) -> str:
    return bars.absolute_and_relative_alt(
        table, "applications", f"applications for international protection in {periods.reference.label}",
    )


def facts(table: pd.DataFrame) -> dict[str, str]:
    """Numbers for the report's prose, computed from the figure's table."""
    total = table["applications"].sum()
    change = total / table["applications_previous_period"].sum() - 1.0
    top = bars.ranked(table, "applications", 4)
    largest = table.set_index("member_state").loc[top[0]]
    return {
        "total": formatting.rounded(total),
        "total_exact": formatting.eu_number(total),
        "change": formatting.percent(change),
        "direction": formatting.direction(change),
        "top_absolute": formatting.member_state_names(top),
        "largest_name": largest["name"],
        "largest_change": formatting.percent(largest["change"]),
        "largest_direction": formatting.direction(largest["change"]),
        "followed_by": formatting.member_state_names(top[1:]),
        "top_relative": formatting.member_state_names(bars.ranked(table, "ratio_to_key", 2)),
        "member_states": str(len(table)),
    }
