"""Figure 2: the table behind the figure, its facts for the prose, and the sample calibration."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from pipeline.core.errors import InputError
from pipeline.core.formatting import eu_number
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
    assert "Spain 120 (67%)" in alt and "July 2024 \u2013 June 2025" in alt


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


def test_each_value_label_sits_at_the_end_of_its_own_bar_clear_of_the_comparison_bars(sample_tables):
    table = sar.sar_table(sample_tables["sar"], PERIODS)
    figure = sar.plot(table, PERIODS)
    axes = figure.axes[0]
    renderer = figure.canvas.get_renderer()
    bars = [patch for patch in axes.patches if patch.get_gid() == "sar-bar"]
    previous = [patch for patch in axes.patches if patch.get_gid() == "sar-previous"]
    labels = [text for text in axes.texts if text.get_gid() == "sar-value"]
    assert len(bars) == len(previous) == len(labels) == len(table)
    for bar, label, persons in zip(bars, labels, table["persons"]):
        assert label.get_text().startswith(eu_number(persons))
        own = bar.get_window_extent(renderer)
        text = label.get_window_extent(renderer)
        assert own.x1 <= text.x0 <= own.x1 + 6  # starts just past the end of its bar
        assert own.y0 <= text.y0 and text.y1 <= own.y1  # within the bar's height
        assert not any(text.overlaps(other.get_window_extent(renderer)) for other in previous)
    plt.close(figure)
