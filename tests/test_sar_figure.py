"""Figure 2: the table behind the figure, its facts for the prose, and the sample calibration."""

import pandas as pd
import pytest

from pipeline.core.errors import InputError
from pipeline.core.periods import ReportPeriods
from pipeline.inputs.published import load_statements
from pipeline.publication.figures import sar

PERIODS = ReportPeriods(2025)


def monthly(values: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Per Member State: (total in the comparison period, total in the reference period)."""
    rows = []
    for geo, (previous, current) in values.items():
        for window, total in ((PERIODS.comparison, previous), (PERIODS.reference, current)):
            rows += [{"geo": geo, "period": month, "value": total / 12, "flag": ""} for month in window.months]
    return pd.DataFrame(rows)


def test_table_ranks_member_states_with_shares_and_changes():
    table = sar.sar_table(monthly({"IT": (120.0, 60.0), "ES": (60.0, 120.0), "MT": (12.0, 0.0)}), PERIODS)
    assert table["member_state"].tolist() == ["ES", "IT"]  # Malta had none in the reference period
    assert table["persons"].tolist() == pytest.approx([120.0, 60.0])
    assert table["share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert table["change"].tolist() == pytest.approx([1.0, -0.5])


def test_facts_for_the_prose():
    table = sar.sar_table(monthly({"IT": (3000.0, 1200.0), "ES": (1000.0, 600.0), "EL": (0.0, 200.0)}), PERIODS)
    facts = sar.facts(table)
    assert facts["total_exact"] == "2\u00a0000"
    assert facts["change"] == "50%" and facts["direction"] == "decreased"
    assert facts["leading"] == "Italy and Spain"
    assert facts["leading_share"] == "90%"


def test_a_month_missing_inside_the_reference_period_is_an_error():
    data = monthly({"IT": (120.0, 60.0)})
    data = data[data["period"] != "2025-02"]
    with pytest.raises(InputError, match="2025-02 missing for IT"):
        sar.sar_table(data, PERIODS)


def test_alt_text_describes_the_data():
    table = sar.sar_table(monthly({"IT": (120.0, 60.0), "ES": (60.0, 120.0)}), PERIODS)
    alt = sar.alt_text(table, PERIODS)
    assert "Spain 120 (67%)" in alt and "July 2024 - June 2025" in alt


def test_pipeline_computes_the_published_sar_statements_from_the_sample(sample_tables):
    table = sar.sar_table(sample_tables["sar"], PERIODS)
    statements = load_statements()
    shares = dict(zip(table["member_state"], table["share"] * 100))
    assert statements["sar_total"].holds(table["persons"].sum())
    assert statements["sar_change"].holds((table["persons"].sum() / table["persons_previous_period"].sum() - 1) * 100)
    assert statements["sar_italy_share"].holds(shares["IT"])
    assert statements["sar_spain_share"].holds(shares["ES"])


def test_a_member_state_with_only_missing_values_in_the_window_is_an_error():
    data = monthly({"IT": (120.0, 60.0), "ES": (10.0, 10.0)})
    data.loc[data["geo"] == "ES", "value"] = float("nan")
    with pytest.raises(InputError, match="missing for ES"):
        sar.sar_table(data, PERIODS)
