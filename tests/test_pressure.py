"""Migratory pressure: indicators relative to the key, the reconstructed rules, the official lists."""

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from pipeline.analysis import key as reference_key
from pipeline.analysis import pressure
from pipeline.core import params as project_params
from pipeline.core.countries import bound_member_states
from pipeline.core.errors import InputError, MissingInputError
from pipeline.core.params import PressureParams
from pipeline.core.periods import ReportPeriods

PERIODS = ReportPeriods(2025)
KEY = pd.Series({"BE": 0.5, "BG": 0.3, "CZ": 0.2}, name="key_share")


def monthly(values: dict[str, float], months: list[str]) -> pd.DataFrame:
    """Each Member State records the same value every month."""
    return pd.DataFrame([{"geo": geo, "period": month, "value": value, "flag": ""}
                         for geo, value in values.items() for month in months])


# --- Key and ratios -----------------------------------------------------------------------

def test_the_key_sums_to_one_over_the_bound_member_states(sample_tables):
    for excluded in ((), ("HU",)):
        key = reference_key.edition_key(sample_tables["population"], sample_tables["gdp"],
                                        year=2025,
                                        member_states=bound_member_states(excluded))
        assert list(key.index) == list(bound_member_states(excluded))
        assert "DK" not in key.index
        assert key.sum() == pytest.approx(1.0)


def test_ratios_change_and_five_years_on_hand_made_monthly_data():
    months = pd.period_range("2020-07", "2025-06", freq="M").astype(str).tolist()
    table = monthly({"BE": 10.0, "BG": 30.0, "CZ": 10.0}, months)
    table.loc[(table["geo"] == "BE") & (table["period"] >= "2024-07"), "value"] = 20.0
    table.loc[(table["geo"] == "BG") & (table["period"] == "2025-06"), "flag"] = "p"
    spec = pressure.Indicator("x", "x", "X", "persons", "flow")
    rows = pressure.indicator_rows(table, spec, PERIODS, KEY).set_index("geo")
    assert rows.loc["BE", "value"] == 240 and rows.loc["BE", "previous"] == 120
    assert rows.loc["BE", "change"] == pytest.approx(1.0)
    total = 240 + 360 + 120
    assert rows.loc["BG", "share"] == pytest.approx(360 / total)
    assert rows.loc["BG", "ratio_to_key"] == pytest.approx(360 / total / 0.3)
    assert rows.loc["CZ", "ratio_to_key"] == pytest.approx(120 / total / 0.2)
    assert rows.loc["BE", "five_year_value"] == 4 * 120 + 240
    five_total = (4 * 120 + 240) + 5 * 360 + 5 * 120
    assert rows.loc["CZ", "five_year_ratio_to_key"] == pytest.approx(600 / five_total / 0.2)
    assert rows.loc["BG", "flag"] == "p" and rows.loc["BE", "flag"] == ""
    assert rows.loc["BE", "period"] == "Jul 2024 \u2013 Jun 2025"


def test_annual_stock_rate_and_twelve_month_series():
    annual = pd.DataFrame([{"geo": geo, "period": str(year), "value": value * (year - 2018),
                            "flag": ""} for geo, value in KEY.items() for year in range(2019, 2025)])
    rows = pressure.indicator_rows(annual, pressure.Indicator("a", "a", "A", "p", "annual", "A"),
                                   PERIODS, KEY).set_index("geo")
    assert rows.loc["BE", "period"] == "2024" and rows.loc["BE", "value"] == pytest.approx(3.0)
    assert rows.loc["BE", "previous"] == pytest.approx(2.5)
    assert rows["ratio_to_key"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert rows.loc["BE", "five_year_value"] == pytest.approx(0.5 * (2 + 3 + 4 + 5 + 6))

    reception = pd.DataFrame([{"geo": geo, "period": month, "persons_hosted": hosted,
                               "capacity": 100.0} for geo, hosted in
                              {"BE": 96.0, "BG": 50.0, "CZ": 20.0}.items()
                              for month in ("2024-06", "2025-06")])
    rate = pressure.indicator_rows(reception, pressure.indicator("reception_occupancy"), PERIODS,
                                   KEY).set_index("geo")
    assert rate.loc["BE", "value"] == pytest.approx(0.96) and np.isnan(rate.loc["BE", "ratio_to_key"])
    stock = pressure.indicator_rows(reception, pressure.indicator("reception"), PERIODS,
                                    KEY).set_index("geo")
    assert stock.loc["BE", "share"] == pytest.approx(96 / 166)
    assert np.isnan(stock.loc["BE", "five_year_value"])

    hits = pd.DataFrame([{"geo": origin, "destination": destination,
                          "period": f"{year - 1}-07/{year}-06", "value": 10.0 * year, "flag": ""}
                         for origin in ("BE", "BG") for destination in ("BG", "CZ")
                         if origin != destination for year in range(2020, 2026)])
    rows = pressure.indicator_rows(hits, pressure.indicator("eurodac_hits"), PERIODS,
                                   KEY.drop("BE")).set_index("geo")
    assert rows.loc["CZ", "value"] == 2 * 20250 and rows.loc["BG", "value"] == 20250
    assert rows.loc["CZ", "five_year_value"] == 2 * 10 * sum(range(2021, 2026))


def test_a_member_state_without_data_is_an_error_unless_absence_means_none():
    months = PERIODS.five_years.months
    table = monthly({"BE": 1.0, "BG": 1.0}, months)
    with pytest.raises(InputError, match="CZ"):
        pressure.indicator_rows(table, pressure.Indicator("x", "x", "X", "p", "flow"), PERIODS, KEY)
    rows = pressure.indicator_rows(table.assign(route="r"), pressure.indicator("ibc"), PERIODS, KEY)
    assert rows.set_index("geo").loc["CZ", "value"] == 0


def test_an_indicator_whose_input_was_not_supplied_is_left_out_and_listed(sample_tables, sample_key):
    def load(name):
        if name == "sar":
            raise MissingInputError("frontex/sar_disembarkations.csv", "not supplied")
        return sample_tables[name]

    result = pressure.indicators_table(PERIODS, sample_key, load=load)
    assert result.missing == ("sar",)
    assert "sar" not in set(result.table["indicator"])
    assert len(result.table) == (len(pressure.INDICATORS) - 1) * len(sample_key)
    classified = pressure.classify(result.table, pressure.rules_from_params(PressureParams()))
    assert "search and rescue" in classified.attrs["skipped_rules"]


def test_sample_table_reconciles_with_the_processed_applications(sample_tables, sample_key):
    result = pressure.indicators_table(PERIODS, sample_key, load=sample_tables.__getitem__)
    assert result.missing == ()
    rows = result.table[result.table["indicator"] == "applications"].set_index("geo")
    applications = sample_tables["applications"]
    expected = applications[(applications["applicant"] == "ASY_APP")
                            & applications["period"].isin(PERIODS.reference.months)
                            & applications["geo"].isin(sample_key.index)]["value"].sum()
    assert rows["value"].sum() == pytest.approx(expected)
    assert rows["share"].sum() == pytest.approx(1.0)
    assert (rows["ratio_to_key"] * rows["key_share"]).sum() == pytest.approx(1.0)


# --- Rules --------------------------------------------------------------------------------

def indicators_at(values: dict[tuple[str, str], float]) -> pd.DataFrame:
    """A tidy table for BE and BG where every measure is 0 except those given
    ((indicator, measure) -> value for BE)."""
    rows = []
    for spec in pressure.INDICATORS:
        for geo in ("BE", "BG"):
            row = {"indicator": spec.name, "geo": geo, "value": 0.0, "share": 0.0,
                   "ratio_to_key": 0.0, "five_year_ratio_to_key": 0.0}
            if geo == "BE":
                row.update({measure: value for (name, measure), value in values.items()
                            if name == spec.name})
            rows.append(row)
    return pd.DataFrame(rows)


RULES = pressure.rules_from_params(PressureParams())


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
@pytest.mark.parametrize("factor", [1.01, 0.99])
def test_each_rule_fires_just_above_its_threshold_and_not_just_below(rule, factor):
    table = indicators_at({(c.indicator, c.measure): c.threshold * factor
                           for c in rule.conditions})
    result = pressure.classify(table, RULES).set_index("geo")
    above = factor > 1
    if rule.category == pressure.SIGNIFICANT:
        assert result.loc["BE", "significant"] == above
        assert (rule.name in result.loc["BE", "significant_rules"]) == above
        assert result.loc["BE", "significant_margin"] == pytest.approx(factor - 1)
    else:
        assert (result.loc["BE", "category"] == rule.category) == above
        assert (rule.name in result.loc["BE", "rules"]) == above
    assert result.loc["BG", "category"] == pressure.NONE and not result.loc["BG", "significant"]


def test_arrivals_need_both_ibcs_and_applications():
    params = PressureParams()
    table = indicators_at({("ibc", "ratio_to_key"): params.arrivals_ibc_ratio * 5,
                           ("applications", "ratio_to_key"): params.arrivals_applications_ratio * 0.9})
    result = pressure.classify(table, RULES).set_index("geo")
    assert result.loc["BE", "category"] == pressure.AT_RISK  # IBCs alone: a first-entry risk
    assert result.loc["BE", "pressure_margin"] == pytest.approx(-0.1)


def test_a_member_state_under_pressure_is_not_assessed_for_a_significant_situation():
    params = PressureParams()
    table = indicators_at({("sar", "share"): 0.5,
                           ("applications", "five_year_ratio_to_key"): params.five_year_ratio * 3})
    result = pressure.classify(table, RULES).set_index("geo")
    assert result.loc["BE", "category"] == pressure.PRESSURE
    assert not result.loc["BE", "significant"]


def test_thresholds_are_validated():
    with pytest.raises(ValidationError):
        PressureParams(sar_share=-0.1)
    with pytest.raises(ValidationError):
        PressureParams(movements_ratio=0)
    with pytest.raises(ValidationError, match="no five-year view"):
        PressureParams(five_year_indicators=("reception",))


def test_the_five_year_indicators_allowed_by_the_parameters_are_those_with_a_five_year_view():
    cumulative = {spec.name for spec in pressure.INDICATORS if spec.basis in ("flow", "annual", "period")}
    assert set(project_params.PRESSURE_INDICATORS) == cumulative


# --- Official lists -----------------------------------------------------------------------

def test_the_official_2025_lists_are_read_from_the_reference_data():
    official = pressure.latest_official(2026)
    assert official.year == 2025 and "11.11.2025" in official.source
    assert set(official.under_pressure) == {"EL", "CY", "IT", "ES"}
    assert len(official.at_risk) == 12 and len(official.significant) == 6
    assert pressure.latest_official(2024) is None


def test_a_bad_official_list_names_the_file_and_the_field(tmp_path):
    path = tmp_path / "official_pressure_2025.yaml"
    path.write_text("year: 2025\nsource: x\nunder_migratory_pressure: [EL, GR2]\n"
                    "at_risk_of_migratory_pressure: []\nsignificant_migratory_situation: []\n")
    with pytest.raises(InputError, match="under_migratory_pressure.*GR2"):
        pressure.load_official(path)


def test_comparison_with_the_official_lists_on_constructed_inputs():
    classification = pd.DataFrame({
        "geo": ["BE", "BG", "CZ"], "name": ["Belgium", "Bulgaria", "Czechia"],
        "category": [pressure.PRESSURE, pressure.NONE, pressure.AT_RISK], "rules": ["", "", ""],
        "pressure_margin": [0.2, -0.5, -0.4], "at_risk_margin": [0.1, -0.3, 0.05],
        "significant": [False, True, False], "significant_rules": ["", "", ""],
        "significant_margin": [np.nan, 0.3, -0.2],
    })
    official = pressure.OfficialLists(2025, "test", ("BE",), ("BG",), ("BG",))
    compared = pressure.compare_with_official(classification, official).set_index("geo")
    assert compared["official_category"].tolist() == [pressure.PRESSURE, pressure.AT_RISK,
                                                      pressure.NONE]
    assert compared["category_agrees"].tolist() == [True, False, False]
    assert compared["significant_agrees"].tolist() == [True, True, True]
    assert compared["agrees"].tolist() == [True, False, False]
    assert compared["category_margin"].tolist() == pytest.approx([0.2, -0.3, 0.05])


# --- Sample calibration of the unaccompanied minors input ---------------------------------

def test_sample_unaccompanied_minors_follow_the_published_statements(sample_tables, sample_key):
    """Over the reference period, from the sample's monthly file (the EAAMR's section III.a)."""
    result = pressure.indicators_table(PERIODS, sample_key, load=sample_tables.__getitem__)
    minors = result.table[result.table["indicator"] == "unaccompanied_minors"].set_index("geo")
    assert set(minors["basis"]) == {"flow"} and set(minors["period"]) == {"Jul 2024 \u2013 Jun 2025"}
    monthly = sample_tables["unaccompanied_minors_monthly"]
    eu27 = monthly[monthly["period"].isin(PERIODS.reference.months)]["value"].sum()
    previous = monthly[monthly["period"].isin(PERIODS.comparison.months)]["value"].sum()
    applications = sample_tables["applications"]
    all_applications = applications[(applications["applicant"] == "ASY_APP")
                                    & applications["period"].isin(PERIODS.reference.months)]
    assert eu27 / all_applications["value"].sum() == pytest.approx(0.03, abs=0.005)
    assert eu27 / previous - 1 == pytest.approx(-0.25, abs=0.03)
    assert list(minors["ratio_to_key"].sort_values(ascending=False).index[:3]) == ["EL", "BG", "CY"]
    assert list(minors["value"].sort_values(ascending=False).index[:3]) == ["DE", "EL", "NL"]


# --- Annual-only series: the analysts' monthly table, or the calendar year ------------------

MINORS = pressure.indicator("unaccompanied_minors")
ANNUAL_MINORS = pd.DataFrame([{"geo": geo, "period": str(year), "value": 120.0 * share,
                               "flag": ""} for geo, share in KEY.items()
                              for year in range(2019, 2025)])


def minors_loader(monthly_table: pd.DataFrame | None):
    def load(name: str) -> pd.DataFrame:
        if name == "unaccompanied_minors":
            return ANNUAL_MINORS
        if monthly_table is None:
            raise MissingInputError("euaa/unaccompanied_minors_monthly.csv", "not supplied")
        return monthly_table
    return load


def minors_rows(monthly_table: pd.DataFrame | None) -> pd.DataFrame:
    result = pressure.indicators_table(PERIODS, KEY, load=minors_loader(monthly_table),
                                       indicators=(MINORS,))
    return result.table.set_index("geo")


def months(first: str, last: str) -> list[str]:
    return pd.period_range(first, last, freq="M").astype(str).tolist()


def test_a_monthly_table_covering_the_periods_replaces_the_calendar_year():
    rows = minors_rows(monthly({"BE": 1.0, "BG": 2.0, "CZ": 3.0}, months("2023-01", "2025-06")))
    assert set(rows["basis"]) == {"flow"}
    assert rows.loc["BG", "period"] == "Jul 2024 \u2013 Jun 2025"
    assert rows.loc["BG", "previous_period"] == "Jul 2023 \u2013 Jun 2024"
    assert rows.loc["BG", "value"] == 24 and rows.loc["BG", "previous"] == 24
    # the five-year view starts with the table
    assert rows.loc["BG", "five_year_period"] == "Jan 2023 \u2013 Jun 2025"
    assert rows.loc["BG", "five_year_value"] == 2 * 30


@pytest.mark.parametrize("monthly_table", [
    None,  # not supplied
    monthly({"BE": 1.0, "BG": 2.0, "CZ": 3.0}, months("2023-07", "2025-03")),  # ends too early
    monthly({"BE": 1.0, "BG": 2.0, "CZ": 3.0}, months("2023-08", "2025-06")),  # starts too late
], ids=["not_supplied", "ends_too_early", "starts_too_late"])
def test_otherwise_the_calendar_year_is_used_and_named(monthly_table):
    rows = minors_rows(monthly_table)
    assert set(rows["basis"]) == {"annual"}
    assert rows.loc["BG", "period"] == "2024" and rows.loc["BG", "previous_period"] == "2023"
    assert rows.loc["BG", "value"] == pytest.approx(36.0)


def test_a_month_missing_inside_the_periods_is_an_error_not_a_fallback():
    table = monthly({"BE": 1.0, "BG": 2.0, "CZ": 3.0}, months("2023-07", "2025-06"))
    table = table[~((table["geo"] == "CZ") & (table["period"] == "2024-11"))]
    with pytest.raises(InputError, match=r"2024-11 missing for CZ inside July 2024"):
        minors_rows(table)
    with pytest.raises(InputError, match=r"field 'geo'.*no Jul 2024 \u2013 Jun 2025 value for CZ"):
        minors_rows(table[table["geo"] != "CZ"])
