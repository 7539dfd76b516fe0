"""Figure 6: orders to leave and returns; orders relative to the key; return rates; facts; gaps;
the sample's statements."""

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from pipeline.core.errors import InputError
from pipeline.core.periods import ReportPeriods
from pipeline.inputs.published import load_statements
from pipeline.publication.figures import bars, returns

PERIODS = ReportPeriods(2025)
NBSP = "\u00a0"

KEY = pd.Series({"FR": 0.3, "ES": 0.2, "DE": 0.4, "CY": 0.02, "SE": 0.08}, name="key_share")
# (comparison, reference) totals over four quarters.
# Orders: reference total 1 000 (+25% on 800); over the key's 900: FR 4/9 / 0.3 = 1.4815,
# ES 2/9 / 0.2 = 1.1111, DE 1/6 / 0.4 = 0.4167, CY 1/9 / 0.02 = 5.5556, SE 1/18 / 0.08 = 0.6944.
ORDERS = {"FR": (300.0, 400.0), "ES": (200.0, 200.0), "DE": (150.0, 150.0),
          "CY": (50.0, 100.0), "SE": (50.0, 50.0), "DK": (50.0, 100.0)}
# Returned: reference total 250 (+25% on 200), return rate 25%; Denmark and Cyprus tie at 50.
RETURNED = {"FR": (40.0, 40.0), "ES": (20.0, 20.0), "DE": (50.0, 60.0),
            "CY": (40.0, 50.0), "SE": (20.0, 30.0), "DK": (30.0, 50.0)}


def quarterly(values: dict[str, tuple[float, float]]) -> pd.DataFrame:
    rows = []
    for geo, (previous, current) in values.items():
        for window, total in ((PERIODS.comparison, previous), (PERIODS.reference, current)):
            rows += [{"geo": geo, "period": quarter, "value": total / 4, "flag": ""}
                     for quarter in window.quarters]
        rows.append({"geo": geo, "period": "2025-Q3", "value": 1000.0, "flag": ""})  # outside
    return pd.DataFrame(rows)


def table(orders=None, returned=None):
    return returns.returns_table(quarterly(ORDERS) if orders is None else orders,
                                 quarterly(RETURNED) if returned is None else returned,
                                 PERIODS, KEY)


def test_table_pairs_orders_and_returns_with_rates_and_ratios():
    result = table()
    assert list(result.columns) == returns.COLUMNS
    assert result["member_state"].tolist() == ["FR", "ES", "DE", "DK", "CY", "SE"]  # DK, CY tie
    assert result["orders"].tolist() == pytest.approx([400, 200, 150, 100, 100, 50])
    assert result["orders_change"].tolist() == pytest.approx([1 / 3, 0, 0, 1, 1, 0])
    # of the key's 900 (Denmark outside it): FR 4/9, ES 2/9, DE 1/6, CY 1/9, SE 1/18
    shares = result.set_index("member_state")["orders_share"]
    assert shares[["FR", "ES", "DE", "CY", "SE"]].tolist() == pytest.approx(
        [4 / 9, 2 / 9, 1 / 6, 1 / 9, 1 / 18])
    assert math.isnan(shares["DK"])
    ratios = result.set_index("member_state")["orders_ratio_to_key"]
    assert ratios[["FR", "ES", "DE", "CY", "SE"]].tolist() == pytest.approx(
        [4 / 9 / 0.3, 2 / 9 / 0.2, 1 / 6 / 0.4, 1 / 9 / 0.02, 1 / 18 / 0.08])
    assert math.isnan(ratios["DK"])
    assert result["returned"].tolist() == pytest.approx([40, 20, 60, 50, 50, 30])
    assert result["returned_change"].tolist() == pytest.approx([0, 0, 0.2, 2 / 3, 0.25, 0.5])
    assert result["return_rate"].tolist() == pytest.approx([0.1, 0.1, 0.4, 0.5, 0.5, 0.6])


def test_facts_for_the_prose():
    facts = returns.facts(table())
    assert facts["orders_total"] == f"1{NBSP}000"
    assert facts["orders_change"] == "25%" and facts["orders_direction"] == "increased"
    assert facts["orders_top_absolute"] == "France, Spain and Germany"
    assert facts["orders_top_relative"] == "Cyprus, France and Spain"
    assert facts["orders_top_relative_first"] == "Cyprus"
    assert facts["orders_top_relative_next"] == "France and Spain"
    assert facts["returned_total"] == "250"
    assert facts["returned_change"] == "25%" and facts["returned_direction"] == "increased"
    assert facts["returned_top_five"] == "Germany, Denmark, Cyprus, France and Sweden"
    assert facts["returned_top_five_share"] == "92%"  # 230 / 250
    assert facts["return_rate"] == "25%"
    assert facts["member_states"] == "6"


def test_a_missing_quarter_inside_the_reference_period_is_an_error():
    frame = quarterly(RETURNED)
    frame = frame[~((frame["geo"] == "CY") & (frame["period"] == "2025-Q1"))]
    with pytest.raises(InputError, match="2025-Q1 missing for CY"):
        table(returned=frame)


def test_a_missing_quarter_inside_the_comparison_period_is_an_error():
    frame = quarterly(ORDERS)
    frame = frame[~((frame["geo"] == "FR") & (frame["period"] == "2023-Q4"))]
    with pytest.raises(InputError, match="2023-Q4 missing for FR"):
        table(orders=frame)


def test_a_member_state_with_no_number_in_the_period_is_an_error():
    frame = quarterly(ORDERS)
    inside = frame["period"].isin(PERIODS.reference.quarters)
    frame.loc[(frame["geo"] == "DK") & inside, "value"] = None
    with pytest.raises(InputError, match="no number for DK"):
        table(orders=frame)


def test_a_member_state_of_the_key_without_data_is_an_error():
    frame = quarterly(ORDERS)
    with pytest.raises(InputError, match="no data for SE"):
        table(orders=frame[frame["geo"] != "SE"])


def test_alt_text_describes_the_data():
    alt = returns.alt_text(table(), PERIODS)
    assert "July 2024 \u2013 June 2025" in alt and "for 6 Member States" in alt
    assert (f"In total 1{NBSP}000 were ordered to leave and 250 returned, a return rate of 25%"
            in alt)
    assert "France 400 ordered to leave, 40 returned (10%)" in alt


def test_plot_pairs_bars_and_lists_the_return_rates():
    figure = returns.plot(table(), PERIODS)
    (axes,) = figure.axes
    assert [t.get_text() for t in axes.get_yticklabels()] == [
        "France", "Spain", "Germany", "Denmark", "Cyprus", "Sweden"]
    assert len(axes.patches) == 12  # a pair of bars per Member State
    texts = [text.get_text() for text in axes.texts]
    assert texts[1:] == ["10%", "10%", "40%", "50%", "50%", "60%"]
    assert axes.get_legend().get_title().get_text() == "EU return rate 25%"
    assert not any("above 100%" in text.get_text() for text in figure.texts)
    plt.close(figure)


def test_a_return_rate_above_one_hundred_percent_is_explained():
    returned = dict(RETURNED, DK=(30.0, 150.0))
    figure = returns.plot(table(returned=quarterly(returned)), PERIODS)
    assert "150%" in [text.get_text() for text in figure.axes[0].texts]
    assert any("above 100%" in text.get_text() for text in figure.texts)
    plt.close(figure)


@pytest.fixture(scope="module")
def sample(sample_tables, sample_key):
    return returns.returns_table(sample_tables["orders_to_leave"], sample_tables["returns"], PERIODS,
                                 sample_key)


def test_pipeline_computes_the_published_return_statements_from_the_sample(sample):
    statements = load_statements()
    orders, returned = sample["orders"].sum(), sample["returned"].sum()
    top_five = bars.ranked(sample, "returned", 5)
    shares = sample.set_index("member_state")["returned_share"]
    assert statements["orders_to_leave_total"].holds(orders)
    assert statements["orders_to_leave_change"].holds(
        (orders / sample["orders_previous_period"].sum() - 1) * 100)
    assert statements["orders_to_leave_top_absolute"].holds(bars.ranked(sample, "orders"))
    assert statements["orders_to_leave_ratio_to_key_ranking"].holds(
        bars.ranked(sample, "orders_ratio_to_key"))
    assert statements["returns_total"].holds(returned)
    assert statements["returns_change"].holds(
        (returned / sample["returned_previous_period"].sum() - 1) * 100)
    assert statements["returns_top_five"].holds(top_five)
    assert statements["returns_top_five_share"].holds(shares[top_five].sum() * 100)
    assert statements["return_rate"].holds(returned / orders * 100)


def test_sample_facts_read_like_the_published_prose(sample):
    facts = returns.facts(sample)
    assert facts["orders_total"] == f"478{NBSP}000"
    assert (facts["orders_change"], facts["orders_direction"]) == ("11%", "increased")
    assert facts["orders_top_absolute"] == "France, Spain and Germany"
    assert facts["orders_top_relative"] == "Cyprus, Greece and Croatia"
    assert facts["returned_total"] == f"115{NBSP}000"
    assert (facts["returned_change"], facts["returned_direction"]) == ("20%", "increased")
    assert sorted(facts["returned_top_five"].replace(" and ", ", ").split(", ")) == [
        "Cyprus", "France", "Germany", "Poland", "Sweden"]
    assert facts["return_rate"] == "24%"
