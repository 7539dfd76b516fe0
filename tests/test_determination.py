"""Section IV: the edition's determination, Member State by Member State, from the indicators."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.analysis import assessment, pressure
from pipeline.analysis.pressure import AT_RISK, NONE, PRESSURE, OfficialLists
from pipeline.core.formatting import about_share, approximately
from pipeline.core.params import load_params
from pipeline.core.periods import ReportPeriods
from pipeline.publication import determination, edition

PERIODS = ReportPeriods(2025)
OFFICIAL = OfficialLists(2025, "Commission Implementing Decision of 11.11.2025", ("EL",), ("CY",),
                         ("PL",))


def rows(indicator: str, values: dict[str, float], *, change: float = 0.1,
         five_years: dict[str, float] | None = None) -> pd.DataFrame:
    """Indicator rows where each Member State's key share is equal, so the ratio is the share
    times the number of Member States."""
    total = sum(values.values())
    count = len(values)
    frame = pd.DataFrame({"indicator": indicator, "geo": list(values),
                          "value": list(values.values()), "change": change,
                          "period": "Jul 2024 \u2013 Jun 2025",
                          "five_year_period": "Jul 2020 \u2013 Jun 2025"})
    frame["share"] = frame["value"] / total
    frame["ratio_to_key"] = frame["share"] * count
    five = five_years or values
    frame["five_year_value"] = [five[ms] for ms in values]
    frame["five_year_ratio_to_key"] = frame["five_year_value"] / sum(five.values()) * count
    return frame


# Poland ranks fourth at best over the reference period, first over five years.
OTHERS = {"DE": 5, "FR": 5, "IT": 5}
TABLE = pd.concat([
    rows("ibc", {"EL": 61_234, "CY": 9_000, "PL": 100, "BG": 50, **OTHERS}),
    rows("applications", {"EL": 31_812, "CY": 40_000, "PL": 2_000, "BG": 1_000, "DE": 3_000,
                          "FR": 2_500, "IT": 2_200}, change=-0.35),
    rows("unaccompanied_minors", {"EL": 100, "CY": 300, "PL": 10, "BG": 900, **OTHERS}),
    rows("tp_registrations", {"EL": 10, "CY": 20, "PL": 30, "BG": 10, "DE": 50, "FR": 40,
                              "IT": 35},
         five_years={"EL": 10, "CY": 20, "PL": 9_000, "BG": 40, **OTHERS}),
    rows("sar", {"EL": 38_000, "CY": 38_700, "PL": 10_000, "BG": 10_000, **OTHERS}),
], ignore_index=True)


def test_counts_and_shares_are_worded_as_the_eaamr_words_them():
    assert approximately(61_234) == "over 61\u00a0000"
    assert approximately(31_812) == "nearly 32\u00a0000"
    assert approximately(96_700) == "nearly 97\u00a0000"
    assert approximately(5_400) == "5\u00a0400"
    assert about_share(0.4132) == "around 40%" and about_share(0.071) == "around 7%"


def test_a_paragraph_names_the_ranks_values_and_changes_from_the_indicators():
    text = determination.paragraph(TABLE, "EL", PRESSURE, PERIODS)
    assert text.startswith("**Greece.** Between July 2024 and June 2025, relative to its GDP and "
                           "population, Greece recorded the highest number of illegal border "
                           "crossings at Union level (over 61\u00a0000, 6.1 times its fair share)")
    assert "the second highest number of applications for international protection at Union " \
           "level (nearly 32\u00a0000" in text
    assert "applications for international protection decreased by 35%" in text
    assert "Greece received around 40% of the nearly 97\u00a0000 persons disembarked" in text


def test_an_annual_only_indicator_is_quoted_with_its_year():
    annual = TABLE.copy()
    minors = annual["indicator"] == "unaccompanied_minors"
    annual.loc[minors, "period"] = "2024"
    text = determination.paragraph(annual, "BG", AT_RISK, PERIODS)
    assert "applications by unaccompanied minors in 2024 at Union level" in text
    assert "Compared with" not in text  # a calendar year is not compared with July-June


def test_a_member_state_without_a_top_rank_gets_its_best_rank():
    text = determination.paragraph(TABLE, "PL", AT_RISK, PERIODS)
    assert "was not among the three highest" in text and "its highest rank was" in text


def test_a_significant_situation_is_argued_on_the_five_years():
    text = determination.paragraph(TABLE, "PL", pressure.SIGNIFICANT, PERIODS)
    assert text.startswith("**Poland.** Over the five years July 2020 \u2013 June 2025, relative to")
    assert "the highest number of temporary protection registrations at Union level (9\u00a0000" in text


# The reconstruction's result for the same Member States: Cyprus under pressure, Bulgaria
# facing a significant situation.
RECONSTRUCTION = pd.DataFrame({"geo": ["EL", "CY", "PL", "BG"],
                               "category": [NONE, PRESSURE, NONE, NONE],
                               "significant": [False, False, False, True]})


def test_the_official_lists_lead_and_each_member_state_of_them_gets_a_paragraph():
    classification = RECONSTRUCTION
    markdown = determination.section_markdown(TABLE, OFFICIAL, classification, PERIODS)
    assert markdown.index("### Member States under migratory pressure") < markdown.index("**Greece.**")
    assert [line[:6] for line in markdown.splitlines() if line.startswith("**")] == [
        "**Gree", "**Cypr", "**Pola"]
    lead = determination.determination_facts(OFFICIAL, classification, PERIODS)["lead"]
    assert "the Commission's determination (Commission Implementing Decision of 11.11.2025)" in lead


def test_without_a_decision_the_reconstruction_is_presented_as_evidence():
    classification = RECONSTRUCTION
    markdown = determination.section_markdown(TABLE, None, classification, PERIODS)
    assert "### Evidence: Member States the reconstruction finds under migratory pressure" in markdown
    assert "**Cyprus.**" in markdown and "**Greece.**" not in markdown
    found = determination.determination_facts(None, classification, PERIODS)
    assert found["decided"] is False
    assert "not the determination" in found["lead"] and "not the determination" in found["conclusion"]


def test_the_first_page_says_when_the_edition_has_no_decision():
    params = load_params()
    assert "No determination for" not in edition.banner(params.model_copy(update={"year": 2025}))
    banner = edition.banner(params.model_copy(update={"year": 2026}))
    assert "## No determination for 2026 yet" in banner
    assert "not as the determination" in banner


@pytest.mark.parametrize(("source", "decision", "expected", "label"), [
    ("official", OFFICIAL, ["EL"], "determination for 2025"),
    ("official", None, ["CY"], "as evidence, not a determination"),
    ("reconstruction", OFFICIAL, ["CY"], "pool.beneficiaries: reconstruction"),
])
def test_the_pool_follows_the_official_list_and_labels_a_reconstruction(source, decision, expected,
                                                                          label):
    classification = pd.DataFrame({"geo": ["EL", "CY"], "category": [NONE, PRESSURE]})
    codes, words = assessment.beneficiaries(classification, decision, source, 2025)
    assert codes == expected and label in words


@pytest.mark.parametrize(("margin", "text"), [
    (0.33, "+33%"), (-0.14, "\u221214%"), (0.003, "+0.3%"), (-0.004, "\u22120.4%"),
    (0.0, "at the threshold")])
def test_margins_never_show_a_signed_zero(margin, text):
    assert assessment.margin_text(margin) == text
