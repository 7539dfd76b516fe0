"""Figure 4: beneficiaries of temporary protection and registrations, absolute and relative to
the key; facts; gaps; the sample's statements."""

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from pipeline.core import formatting
from pipeline.core.errors import InputError
from pipeline.core.periods import ReportPeriods
from pipeline.inputs.published import load_statements
from pipeline.publication.figures import bars
from pipeline.publication.figures import temporary_protection as tp

PERIODS = ReportPeriods(2025)
NBSP = "\u00a0"

KEY = pd.Series({"DE": 0.6, "PL": 0.3, "CZ": 0.1}, name="key_share")
# Beneficiaries at the end of June 2025: total 1 000 000; shares DE 0.48, PL 0.32, CZ 0.16,
# DK 0.04. Over the key's 960 000: DE 1/2 -> 0.8333, PL 1/3 -> 1.1111, CZ 1/6 -> 1.6667.
STOCK = {"DE": 480_000.0, "PL": 320_000.0, "CZ": 160_000.0, "DK": 40_000.0}
# Registrations, July 2024 – June 2025: total 600 (Denmark none); shares DE 0.2, PL 0.4, CZ 0.4;
# ratios DE 0.3333, PL 1.3333, CZ 4.0.
REGISTRATIONS = {"DE": 120.0, "PL": 240.0, "CZ": 240.0, "DK": 0.0}


def stock(values=STOCK) -> pd.DataFrame:
    """End-of-month stocks: the June 2025 value, other months deliberately different."""
    rows = []
    for geo, value in values.items():
        for month in ("2025-04", "2025-05", "2025-06", "2025-07"):
            rows.append({"geo": geo, "period": month,
                         "value": value if month == "2025-06" else value * 10, "flag": ""})
    return pd.DataFrame(rows)


def decisions(values=REGISTRATIONS) -> pd.DataFrame:
    rows = []
    for geo, total in values.items():
        rows += [{"geo": geo, "period": month, "value": total / 12, "flag": ""}
                 for month in PERIODS.reference.months]
        rows.append({"geo": geo, "period": "2025-07", "value": 1000.0, "flag": ""})  # outside
    return pd.DataFrame(rows)


def table(stock_frame=None, decisions_frame=None):
    return tp.temporary_protection_table(
        stock() if stock_frame is None else stock_frame,
        decisions() if decisions_frame is None else decisions_frame, PERIODS, KEY)


def test_table_has_the_june_stock_and_the_registrations_of_the_reference_period():
    result = table()
    assert list(result.columns) == tp.COLUMNS
    assert result["member_state"].tolist() == ["DE", "PL", "CZ", "DK"]
    assert result["beneficiaries"].tolist() == pytest.approx([480_000, 320_000, 160_000, 40_000])
    assert result["share"].tolist()[:3] == pytest.approx([1 / 2, 1 / 3, 1 / 6])  # of the key's
    assert math.isnan(result["share"].iloc[3])
    assert result["ratio_to_key"].tolist()[:3] == pytest.approx(
        [0.5 / 0.6, 1 / 3 / 0.3, 1 / 6 / 0.1])
    assert result["registrations"].tolist() == pytest.approx([120, 240, 240, 0])
    assert result["registrations_share"].tolist()[:3] == pytest.approx([0.2, 0.4, 0.4])
    assert result["registrations_ratio_to_key"].tolist()[:3] == pytest.approx([1 / 3, 4 / 3, 4.0])
    denmark = result.set_index("member_state").loc["DK"]
    assert math.isnan(denmark["key_share"]) and math.isnan(denmark["ratio_to_key"])
    assert math.isnan(denmark["registrations_ratio_to_key"])


def test_facts_for_the_prose():
    facts = tp.facts(table(), registrations_leaders=3)
    assert facts["stock_total"] == "1.0 million"
    assert facts["stock_total_exact"] == f"1{NBSP}000{NBSP}000"
    assert facts["stock_top_two"] == "Germany and Poland"
    assert facts["stock_top_two_share"] == "80%"
    assert facts["stock_top_relative"] == "Czechia, Poland and Germany"
    assert facts["registrations_total"] == "600" and facts["registrations_total_over"] == "600"
    assert facts["registrations_top_relative"] == "Czechia"
    assert facts["registrations_top_relative_ratio"] == "4.0"
    assert facts["registrations_followed_by"] == "Poland and Germany"
    assert facts["member_states"] == "4"


def test_millions_and_rounding_down_for_over():
    assert formatting.millions(4_300_000) == "4.3 million"
    assert formatting.millions(4_251_000) == "4.3 million"
    assert formatting.rounded_down(681_250) == f"681{NBSP}000"
    assert formatting.rounded_down(681_999) == f"681{NBSP}000"  # 'over 682 000' would be false
    assert formatting.rounded_down(96_712) == f"96{NBSP}700"
    assert formatting.rounded_down(12) == "12"
    assert tp.month_label("2025-06") == "June 2025"


def test_a_missing_stock_value_is_an_error():
    frame = stock()
    frame.loc[(frame["geo"] == "PL") & (frame["period"] == "2025-06"), "value"] = None
    with pytest.raises(InputError, match="no number for PL in 2025-06"):
        table(stock_frame=frame)


def test_a_member_state_of_the_key_without_a_stock_is_an_error():
    frame = stock()
    with pytest.raises(InputError, match="no data for CZ"):
        table(stock_frame=frame[frame["geo"] != "CZ"])


def test_no_stock_for_the_month_is_an_error():
    frame = stock()
    with pytest.raises(InputError, match="no data for 2025-06"):
        table(stock_frame=frame[frame["period"] != "2025-06"])


def test_a_month_missing_from_the_registrations_is_an_error():
    frame = decisions()
    frame = frame[~((frame["geo"] == "CZ") & (frame["period"] == "2024-11"))]
    with pytest.raises(InputError, match="2024-11 missing for CZ"):
        table(decisions_frame=frame)


def test_alt_text_describes_the_data():
    alt = tp.alt_text(table(), PERIODS)
    assert f"end of June 2025, 1{NBSP}000{NBSP}000 in total for 4 Member States" in alt
    assert (f"Germany 480{NBSP}000; Poland 320{NBSP}000; Czechia 160{NBSP}000; "
            f"Denmark 40{NBSP}000") in alt
    assert "Czechia 1.7; Poland 1.1; Germany 0.8" in alt
    assert "2 of 3 Member States are above their fair share" in alt
    assert "Denmark (not bound by Regulation (EU) 2024/1351)" in alt


def test_plot_shows_denmark_in_absolute_terms_only_with_the_fair_share_line():
    figure = tp.plot(table(), PERIODS)
    left, right = figure.axes
    assert [t.get_text() for t in left.get_yticklabels()] == ["Germany", "Poland", "Czechia",
                                                             "Denmark*"]
    assert [t.get_text() for t in right.get_yticklabels()] == ["Czechia", "Poland", "Germany"]
    assert any(list(line.get_xdata()) == [1.0, 1.0] for line in right.get_lines())
    assert "June 2025" in left.get_title(loc="left")
    plt.close(figure)


@pytest.fixture(scope="module")
def sample(sample_tables, sample_key):
    return tp.temporary_protection_table(sample_tables["tp_stock"], sample_tables["tp_decisions"],
                                         PERIODS, sample_key)


def test_pipeline_computes_the_published_temporary_protection_statements_from_the_sample(sample):
    statements = load_statements()
    stock = sample.set_index("member_state")["beneficiaries"]
    assert statements["tp_stock_total"].holds(stock.sum())
    assert statements["tp_stock_germany_poland_share"].holds(
        (stock["DE"] + stock["PL"]) / stock.sum() * 100)
    assert bars.ranked(sample, "beneficiaries", 2) == ["DE", "PL"]
    assert statements["tp_stock_ratio_to_key_ranking"].holds(bars.ranked(sample, "ratio_to_key"))
    assert statements["tp_decisions_total"].holds(sample["registrations"].sum())
    assert statements["tp_decisions_ratio_to_key_ranking"].holds(
        bars.ranked(sample, "registrations_ratio_to_key"))


def test_sample_facts_read_like_the_published_prose(sample):
    facts = tp.facts(sample)
    assert facts["stock_total"] == "4.3 million"
    assert facts["stock_top_two"] == "Germany and Poland" and facts["stock_top_two_share"] == "51%"
    assert facts["stock_top_relative"] == "Czechia, Poland, Slovakia and Estonia"
    assert facts["registrations_total_over"] == f"681{NBSP}000"
    assert facts["registrations_top_relative"] == "Czechia"
    assert facts["registrations_followed_by"] == (
        "Poland, Estonia, Lithuania, Bulgaria, Latvia, Slovakia and Cyprus")
