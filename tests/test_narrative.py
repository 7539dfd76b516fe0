"""Key findings, context indicators, the sources appendix and the caveats log."""

import pandas as pd
import pytest

from pipeline.core.countries import EU27
from pipeline.core.errors import MissingInputError
from pipeline.core.params import flatten, load_params
from pipeline.core.periods import ReportPeriods
from pipeline.publication import caveats, narrative, provenance

FACTS = {
    "report": {"stock_date": "June 2025"},
    "ibc": {"direction": "decreased", "change": "35%", "total": "208 000",
            "largest_route": "Eastern Mediterranean", "largest_route_share": "33%"},
    "applications": {"direction": "decreased", "change": "21%", "total": "871 000",
                     "top_absolute": "Germany and France", "top_relative": "Cyprus"},
    "tp": {"stock_total": "4.3 million", "stock_top_two_share": "51%",
           "stock_top_two": "Germany and Poland"},
    "returns": {"returned_total": "115 000", "returned_direction": "increased",
                "returned_change": "20%", "orders_total": "478 000", "return_rate": "24%"},
}


def test_change_phrase_follows_the_sign():
    assert narrative.change_phrase(-0.354) == "decreased by 35%"
    assert narrative.change_phrase(0.04) == "increased by 4%"
    assert narrative.change_phrase(0.001) == "remained stable"


def test_key_findings_quote_the_facts_and_skip_sections_left_out():
    findings = narrative.key_findings(FACTS)
    assert len(findings) == 4  # no SAR and no Eurodac facts: those findings are left out
    assert findings[0].startswith("Illegal border crossings at the EU's external borders "
                                  "decreased by 35% to 208 000 (@fig-route-map)")
    assert "4.3 million persons" in findings[2] and "(@fig-temporary-protection)" in findings[2]
    with_sar = {**FACTS, "sar": {"total": "96 800", "direction": "decreased", "change": "36%",
                                 "leading": "Spain and Italy", "leading_share": "80%"}}
    assert len(narrative.key_findings(with_sar)) == 5
    markdown = narrative.key_findings_markdown(findings)
    assert markdown.splitlines()[1].startswith("2. Applications for international protection")


def annual_table(values_2024: dict, values_2023: dict) -> pd.DataFrame:
    rows = []
    for year, values in ((2024, values_2024), (2023, values_2023), (2022, {}), (2021, {}),
                         (2020, {})):
        for geo in EU27:
            rows.append({"geo": geo, "period": str(year), "value": float(values.get(geo, 10)),
                         "flag": ""})
    return pd.DataFrame(rows)


def test_indicator_facts_totals_change_and_rankings_on_a_hand_made_table():
    table = annual_table({"DE": 1000, "FR": 500, "CY": 200}, {"DE": 500, "FR": 500, "CY": 200})
    key = pd.Series(1.0, index=[ms for ms in EU27 if ms != "DK"])
    key /= key.sum()
    found = narrative.indicator_facts(table, narrative.RESETTLEMENT, ReportPeriods(2025), key)
    # 2024: 1000 + 500 + 200 + 24 x 10 = 1940; 2023: 1440
    assert found["total_exact"] == "1\u00a0940"
    assert found["change"] == "increased by 35%"
    assert found["period"] == "2024" and found["previous_period"] == "2023"
    assert found["first"] == "Germany" and found["first_share"] == "52%"
    assert found["top"] == "Germany, France and Cyprus"
    assert found["next"] == "France and Cyprus"


def test_minors_are_quoted_with_the_period_they_cover(sample_tables, sample_key):
    """The reference period when the monthly table is supplied, else the calendar year; the
    share of all applications is taken over that same period."""
    periods = ReportPeriods(2025)
    found, _ = narrative.context_facts(sample_tables.__getitem__, periods, sample_key)
    assert found["minors"]["period"] == "July 2024 \u2013 June 2025"
    assert found["minors"]["previous_period"] == "July 2023 \u2013 June 2024"
    assert found["dublin"]["period"] == "2024" and found["refusals"]["period"] == "2024"
    assert found["minors"]["share_of_applications"] == "3%"

    def without_monthly(name):
        if name == "unaccompanied_minors_monthly":
            raise MissingInputError("euaa/unaccompanied_minors_monthly.csv", "not supplied")
        return sample_tables[name]

    annual, _ = narrative.context_facts(without_monthly, periods, sample_key)
    assert annual["minors"]["period"] == "2024" and annual["minors"]["previous_period"] == "2023"
    minors = sample_tables["unaccompanied_minors"]
    applications = sample_tables["applications"]
    in_2024 = applications[(applications["applicant"] == "ASY_APP")
                           & applications["period"].str.startswith("2024-")]["value"].sum()
    expected = minors.loc[minors["period"] == "2024", "value"].sum() / in_2024
    assert annual["minors"]["share_of_applications"] == f"{expected:.0%}"


def test_sources_table_lists_every_input_with_its_licence_note():
    records = [
        {"name": "gdp", "status": "read", "provider": "Eurostat", "dataset": "nama_10_gdp",
         "file": "live/eurostat/nama_10_gdp.tsv.gz", "sha256": "ab" * 32,
         "provenance": {"retrieved_utc": "2026-10-01T08:00:00Z", "last_update": "2026-09-30",
                        "licence": "CC BY 4.0"}},
        {"name": "sar", "status": "missing", "provider": "Frontex", "dataset": "SAR",
         "file": "local/frontex/sar_disembarkations.csv"},
    ]
    table = provenance.sources_table(records, "live")
    gdp_row = next(line for line in table.splitlines() if line.startswith("| gdp"))
    assert "retrieved 2026\\-10\\-01\\; updated 2026\\-09\\-30" in gdp_row
    assert "`abababababab`" in gdp_row
    assert gdp_row.endswith("| L1 |") and "- L1: CC BY 4\\.0" in table
    assert "| not supplied |" in next(line for line in table.splitlines() if line.startswith("| sar"))


def test_flag_counts_keep_only_the_report_periods():
    periods = ReportPeriods(2025)
    table = pd.DataFrame({"geo": ["DE", "DE", "FR", "FR"],
                          "period": ["2024-07", "2023-01", "2025-06", "2024-08"],
                          "value": [1.0, 2.0, 3.0, 4.0], "flag": ["p", "p", "ep", ""]})
    counts = provenance.flag_counts({"applications": table}, periods)
    assert counts.set_index("flag")["values"].to_dict() == {"e": 1, "p": 2}
    notes = provenance.flag_notes(counts, {"applications": "Eurostat migr_asyappctzm"})
    assert "Eurostat migr\\_asyappctzm: 1 estimated (`e`), 2 provisional (`p`)." in notes
    assert "No value" in provenance.flag_notes(counts.iloc[0:0], {})


def test_every_caveat_is_filled_with_the_parameters_of_the_edition():
    params = load_params()
    values = {name: caveats.as_text(name, value) for name, value in {
        **flatten(params), "population_year": params.population_year,
        "gdp_year": params.gdp_year}.items()}
    table = caveats.collect(values)
    assert len(table) >= 10 and not table["caveat"].str.contains("{", regex=False).any()
    route_map = table[table["module"] == "pipeline.publication.figures.route_map"]["caveat"].iloc[0]
    assert f"more than {caveats.as_text('t', params.figures.route_map_threshold)} IBCs" in route_map


@pytest.mark.parametrize(("name", "value", "text"), [
    ("data_strict", False, "false"), ("figures_eurodac_map_threshold", 6000, "6\u00a0000"),
    ("year", 2025, 2025), ("key_excluded", [], "none"), ("key_excluded", ["CZ", "PL"], "CZ, PL"),
])
def test_parameters_are_quoted_the_eu_way(name, value, text):
    assert caveats.as_text(name, value) == text
