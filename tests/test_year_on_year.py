"""Year-on-year diff: totals and the largest changes per indicator, from the indicators table."""

import pandas as pd
import pytest

from pipeline.analysis import year_on_year
from pipeline.core.errors import InputError


def indicator(name: str, values: dict[str, tuple[float, float]], *, basis: str = "flow",
              unit: str = "persons") -> pd.DataFrame:
    """values: Member State -> (previous, value)."""
    return pd.DataFrame({
        "indicator": name, "label": name.capitalize(), "unit": unit, "basis": basis,
        "geo": list(values), "period": "Jul 2024 \u2013 Jun 2025",
        "previous_period": "Jul 2023 \u2013 Jun 2024",
        "previous": [previous for previous, _ in values.values()],
        "value": [value for _, value in values.values()],
    })


APPLICATIONS = {
    "DE": (300_000.0, 180_000.0),  # -120 000, -40%
    "FR": (150_000.0, 160_000.0),  # +10 000, +7%
    "ES": (100_000.0, 150_000.0),  # +50 000, +50%
    "CY": (10_000.0, 4_000.0),  # -6 000, -60%
    "MT": (1_000.0, 3_000.0),  # +2 000, +200%, but under 1% of the previous total
    "LU": (5_000.0, 5_000.0),  # unchanged
}


def ranked(diff: pd.DataFrame, ranking: str) -> list[str]:
    return diff[diff["ranking"] == ranking].sort_values("rank")["geo"].tolist()


def test_total_and_rankings_by_number_and_by_ratio():
    diff = year_on_year.changes(indicator("applications", APPLICATIONS))
    total = diff[diff["ranking"] == "total"].iloc[0]
    assert total["previous"] == 566_000.0 and total["value"] == 502_000.0
    assert total["relative_change"] == pytest.approx(502 / 566 - 1)
    assert ranked(diff, "absolute") == ["DE", "ES", "FR"]
    assert ranked(diff, "relative") == ["CY", "ES", "DE"]  # Malta's base is too small
    germany = diff[(diff["ranking"] == "absolute") & (diff["geo"] == "DE")].iloc[0]
    assert germany["absolute_change"] == -120_000.0
    assert germany["relative_change"] == pytest.approx(-0.4)


def test_small_bases_are_ranked_when_they_are_large_enough_a_share():
    values = {**APPLICATIONS, "MT": (10_000.0, 30_000.0)}
    diff = year_on_year.changes(indicator("applications", values))
    assert ranked(diff, "relative")[0] == "MT"


def test_each_indicator_is_diffed_separately_in_table_order():
    table = pd.concat([indicator("sar", {"IT": (100.0, 50.0), "ES": (80.0, 120.0)}),
                       indicator("applications", APPLICATIONS)])
    diff = year_on_year.changes(table)
    assert list(dict.fromkeys(diff["indicator"])) == ["sar", "applications"]
    assert ranked(diff[diff["indicator"] == "sar"], "absolute") == ["IT", "ES"]


def test_rates_change_in_points_without_a_total():
    table = indicator("occupancy", {"DE": (0.80, 0.90), "IT": (0.95, 0.90), "FR": (0.7, 0.7)},
                      basis="rate", unit="share of capacity")
    diff = year_on_year.changes(table)
    assert set(diff["ranking"]) == {"absolute"}
    assert ranked(diff, "absolute") == ["DE", "IT"]
    markdown = year_on_year.markdown_table(diff)
    assert "Germany +10.0 pp" in markdown and "\u2013 (a rate)" in markdown


def test_markdown_table_formats_the_eu_way():
    diff = year_on_year.changes(indicator("applications", APPLICATIONS))
    markdown = year_on_year.markdown_table(diff)
    row = markdown.splitlines()[2]
    assert row.startswith("| Applications (persons) | Jul 2023 \u2013 Jun 2024 \u2192 Jul 2024 \u2013 Jun 2025")
    assert "566\u00a0000 \u2192 502\u00a0000 (\u221211%)" in row
    assert "Germany \u2212120\u00a0000 (\u221240%)" in row
    assert "Spain +50\u00a0000 (+50%)" in row


def test_facts_name_the_indicator_whose_total_moved_most():
    table = pd.concat([indicator("sar", {"IT": (100.0, 50.0)}),
                       indicator("applications", APPLICATIONS)])
    facts = year_on_year.facts(table, year_on_year.changes(table))
    assert facts["largest_total_change_indicator"] == "Sar"
    assert facts["largest_total_change"] == "50%"
    assert facts["largest_total_change_direction"] == "decreased"
    assert facts["indicators"] == "2" and facts["member_states"] == "7"  # Italy + 6


def test_a_table_without_the_required_columns_is_an_error():
    table = indicator("sar", {"IT": (100.0, 50.0)}).drop(columns="previous")
    with pytest.raises(InputError, match="previous"):
        year_on_year.changes(table, name="outputs/tables/pressure_indicators.csv")


def test_a_large_rise_is_quoted_as_a_multiple_not_a_four_digit_percentage():
    from pipeline.analysis.year_on_year import signed_percent
    assert signed_percent(15.07) == "16 times"
    assert signed_percent(0.12) == "+12%" and signed_percent(-0.35) == "\u221235%"
