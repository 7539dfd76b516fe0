"""Figure 3: applications, absolute and relative to the key; facts; gaps; the sample's
statements."""

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from pipeline.core.errors import InputError
from pipeline.core.periods import ReportPeriods
from pipeline.inputs.published import load_statements
from pipeline.publication.figures import applications, bars

PERIODS = ReportPeriods(2025)
NBSP = "\u00a0"

# A hand-made key over three bound Member States (sums to 1); Denmark has no share.
KEY = pd.Series({"DE": 0.5, "FR": 0.4, "EL": 0.1}, name="key_share")
# (comparison period, reference period) totals. Reference total 250, comparison 330.
# Shares of the 250: DE 0.48, FR 0.32, EL 0.16, DK 0.04. Over the key's 240:
# DE 1/2 -> ratio 1.0; FR 1/3 -> 0.8333; EL 1/6 -> 1.6667.
VALUES = {"DE": (200.0, 120.0), "FR": (100.0, 80.0), "EL": (20.0, 40.0), "DK": (10.0, 10.0)}


def monthly(values: dict[str, tuple[float, float]], applicant: str = "ASY_APP") -> pd.DataFrame:
    rows = []
    for geo, (previous, current) in values.items():
        for window, total in ((PERIODS.comparison, previous), (PERIODS.reference, current)):
            rows += [{"geo": geo, "applicant": applicant, "period": month, "value": total / 12,
                      "flag": ""} for month in window.months]
    return pd.DataFrame(rows)


def data(values=VALUES) -> pd.DataFrame:
    # First-time applicants (NASY_APP) are a subset and must not be added to the total.
    first_time = {geo: (p / 2, c / 2) for geo, (p, c) in values.items()}
    return pd.concat([monthly(values), monthly(first_time, "NASY_APP")], ignore_index=True)


def test_table_has_totals_shares_changes_and_ratios_to_the_key():
    table = applications.applications_table(data(), PERIODS, KEY)
    assert list(table.columns) == applications.COLUMNS
    assert table["member_state"].tolist() == ["DE", "FR", "EL", "DK"]
    assert table["name"].tolist() == ["Germany", "France", "Greece", "Denmark"]
    assert table["applications"].tolist() == pytest.approx([120, 80, 40, 10])
    assert table["applications_previous_period"].tolist() == pytest.approx([200, 100, 20, 10])
    assert table["change"].tolist() == pytest.approx([-0.4, -0.2, 1.0, 0.0])
    # one basis: shares over the key's Member States, so that share / key share = ratio
    assert table["share"].tolist()[:3] == pytest.approx([1 / 2, 1 / 3, 1 / 6])
    assert math.isnan(table["share"].iloc[3])  # Denmark, outside the key
    assert table["key_share"].tolist()[:3] == pytest.approx([0.5, 0.4, 0.1])
    assert table["ratio_to_key"].tolist()[:3] == pytest.approx([1.0, 1 / 3 / 0.4, 1 / 6 / 0.1])
    assert (table["share"] / table["key_share"]).tolist()[:3] == pytest.approx(
        table["ratio_to_key"].tolist()[:3])


def test_denmark_has_no_key_share_and_no_ratio():
    table = applications.applications_table(data(), PERIODS, KEY)
    denmark = table.set_index("member_state").loc["DK"]
    assert math.isnan(denmark["key_share"]) and math.isnan(denmark["ratio_to_key"])
    assert bars.ranked(table, "ratio_to_key") == ["EL", "DE", "FR"]


def test_ties_are_broken_in_protocol_order():
    values = {"FR": (10.0, 60.0), "DE": (10.0, 60.0), "EL": (10.0, 60.0)}
    table = applications.applications_table(data(values), PERIODS, KEY)
    assert table["member_state"].tolist() == ["DE", "EL", "FR"]


def test_facts_for_the_prose():
    facts = applications.facts(applications.applications_table(data(), PERIODS, KEY))
    assert facts["total"] == "250" and facts["total_exact"] == "250"
    assert facts["change"] == "24%" and facts["direction"] == "decreased"  # 250 / 330 - 1
    assert facts["top_absolute"] == "Germany, France, Greece and Denmark"
    assert facts["largest_name"] == "Germany"
    assert facts["largest_change"] == "40%" and facts["largest_direction"] == "decreased"
    assert facts["followed_by"] == "France, Greece and Denmark"
    assert facts["top_relative"] == "Greece and Germany"
    assert facts["member_states"] == "4"


def test_a_month_missing_inside_the_reference_period_is_an_error():
    frame = data()
    frame = frame[~((frame["geo"] == "EL") & (frame["period"] == "2025-02"))]
    with pytest.raises(InputError, match="2025-02 missing for EL"):
        applications.applications_table(frame, PERIODS, KEY)


def test_a_member_state_with_no_number_in_the_period_is_an_error():
    frame = data()
    inside = frame["period"].isin(PERIODS.reference.months)
    frame.loc[(frame["geo"] == "FR") & inside, "value"] = None
    with pytest.raises(InputError, match="no number for FR"):
        applications.applications_table(frame, PERIODS, KEY)


def test_a_member_state_of_the_key_without_data_is_an_error():
    frame = data()
    with pytest.raises(InputError, match="no data for EL"):
        applications.applications_table(frame[frame["geo"] != "EL"], PERIODS, KEY)


def test_no_all_applicants_rows_is_an_error():
    frame = data()
    with pytest.raises(InputError, match="ASY_APP"):
        applications.applications_table(frame[frame["applicant"] != "ASY_APP"], PERIODS, KEY)


def test_alt_text_describes_the_data():
    table = applications.applications_table(data(), PERIODS, KEY)
    alt = applications.alt_text(table, PERIODS)
    assert "July 2024 \u2013 June 2025" in alt and "250 in total for 4 Member States" in alt
    assert "Germany 120; France 80; Greece 40; Denmark 10" in alt
    assert "Greece 1.7; Germany 1.0; France 0.8" in alt
    assert "1 of 3 Member States are above their fair share" in alt
    assert ("Denmark (not bound by Regulation (EU) 2024/1351) is shown in absolute numbers only"
            in alt)


def test_plot_shows_denmark_in_absolute_terms_only_with_the_fair_share_line():
    table = applications.applications_table(data(), PERIODS, KEY)
    figure = applications.plot(table, PERIODS)
    left, right = figure.axes
    assert [t.get_text() for t in left.get_yticklabels()] == ["Germany", "France", "Greece",
                                                             "Denmark*"]
    assert [t.get_text() for t in right.get_yticklabels()] == ["Greece", "Germany", "France"]
    assert any(list(line.get_xdata()) == [1.0, 1.0] for line in right.get_lines())
    assert any("fair share" in text.get_text() for text in right.texts)
    assert any("Denmark: not bound by Regulation (EU) 2024/1351" in text.get_text()
               for text in figure.texts)
    width, height = figure.get_size_inches()
    assert width == pytest.approx(7.0) and height <= 7.5
    plt.close(figure)


@pytest.fixture(scope="module")
def sample(sample_tables, sample_key):
    return applications.applications_table(sample_tables["applications"], PERIODS, sample_key)


def test_pipeline_computes_the_published_application_statements_from_the_sample(sample):
    statements = load_statements()
    table = sample.set_index("member_state")
    total = table["applications"].sum()
    assert statements["applications_total"].holds(total)
    assert statements["applications_change"].holds(
        (total / table["applications_previous_period"].sum() - 1) * 100)
    assert statements["applications_germany_change"].holds(table.loc["DE", "change"] * 100)
    assert statements["applications_top_absolute"].holds(bars.ranked(sample, "applications"))
    assert statements["applications_ratio_to_key_ranking"].holds(
        bars.ranked(sample, "ratio_to_key"))
    assert statements["applications_ireland"].holds(table.loc["IE", "applications"])
    assert statements["applications_ireland_previous"].holds(
        table.loc["IE", "applications_previous_period"])


def test_sample_facts_read_like_the_published_prose(sample):
    facts = applications.facts(sample)
    assert facts["total"] == f"871{NBSP}000"
    assert (facts["change"], facts["direction"]) == ("21%", "decreased")
    assert facts["top_absolute"] == "Germany, France, Spain and Italy"
    assert (facts["largest_name"], facts["largest_change"], facts["largest_direction"]) == (
        "Germany", "40%", "decreased")
    assert sorted(facts["top_relative"].split(" and ")) == ["Cyprus", "Greece"]
    assert facts["member_states"] == "27"


def test_ratios_weighted_by_the_key_average_one(sample):
    inside = sample.dropna(subset=["ratio_to_key"])
    assert (inside["ratio_to_key"] * inside["key_share"]).sum() == pytest.approx(1.0)
    assert sample["share"].sum() == pytest.approx(1.0)
    assert len(inside) == 26 and bars.outside_key(sample) == ["DK"]
