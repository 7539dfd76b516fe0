"""Reconciliation: published statements next to the build's values, differences, precision."""

import pandas as pd
import pytest
import yaml

from pipeline.analysis import reconciliation
from pipeline.core.errors import InputError
from pipeline.inputs.published import load_statements


def statement(id_, value, wording, unit="persons", kind="number", **extra):
    return {"id": id_, "measure": f"{id_} measure, reference period", "kind": kind,
            "value": value, "unit": unit, "wording": wording, "quote": wording,
            "source": "test", **extra}


@pytest.fixture
def statements(tmp_path):
    path = tmp_path / "edition.yaml"
    path.write_text(yaml.safe_dump({"document": "COM(2025) 795 final", "statements": [
        statement("sar_total", 97000, "nearly 97 000 persons",
                  tolerance={"min": 96500, "below": 97000}),
        statement("ibc_change", -35, "decreased by 35%", unit="%",
                  tolerance={"min": -35.5, "max": -34.5}),
        statement("applications_top_absolute", ["DE", "FR"], "Germany and France",
                  unit="Member States", kind="ranking"),
        statement("refusals_total", 110000, "over 110 000 people",
                  tolerance={"above": 110000, "max": 115000}),
    ]}))
    return load_statements(path)


def sar(persons: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"member_state": list(persons), "persons": list(persons.values()),
                         "persons_previous_period": [1.0] * len(persons)})


def frames(sar_persons: dict[str, float], ibcs=(65.0,), previous=(100.0,)):
    return {
        "fig2_sar": sar(sar_persons),
        "fig1_route_map": pd.DataFrame({"ibcs": ibcs, "ibcs_previous_period": previous}),
        "fig3_applications": pd.DataFrame({"member_state": ["FR", "DE", "IT"],
                                           "applications": [300.0, 500.0, 100.0]}),
    }


def test_differences_and_precision_of_numbers(statements):
    outputs = frames({"IT": 40000.0, "ES": 56750.0})
    table = reconciliation.reconcile(statements, outputs).set_index("id")
    assert table.loc["sar_total", "computed"] == 96750.0
    assert table.loc["sar_total", "difference"] == -250.0
    assert table.loc["sar_total", "relative_difference"] == pytest.approx(-250 / 97000)
    assert table.loc["sar_total", "within"] is True
    assert table.loc["ibc_change", "computed"] == pytest.approx(-35.0)
    assert table.loc["ibc_change", "within"] is True


def test_a_value_outside_the_wording_is_flagged(statements):
    table = reconciliation.reconcile(statements, frames({"IT": 97000.0}, ibcs=(60.0,)))
    table = table.set_index("id")
    assert table.loc["sar_total", "within"] is False  # "nearly": below 97 000
    assert table.loc["ibc_change", "difference"] == pytest.approx(-5.0)  # percentage points
    assert table.loc["ibc_change", "within"] is False


def test_rankings_are_compared_on_their_head(statements):
    table = reconciliation.reconcile(statements, frames({"IT": 1.0})).set_index("id")
    assert table.loc["applications_top_absolute", "computed"] == ["DE", "FR"]
    assert table.loc["applications_top_absolute", "within"] is True


def test_statements_without_a_computation_or_output_are_not_checked(statements):
    outputs = frames({"IT": 1.0})
    del outputs["fig3_applications"]
    table = reconciliation.reconcile(statements, outputs).set_index("id")
    assert table.loc["refusals_total", "within"] is None
    assert table.loc["refusals_total", "note"] == "not computed by this build"
    assert table.loc["applications_top_absolute", "note"] == \
        "fig3_applications not produced in this build"


def test_a_left_out_figure_is_not_checked(statements):
    outputs = frames({"IT": 1.0})
    outputs["fig2_sar"] = pd.DataFrame({"note": ["Figure 2 is left out of this edition"]})
    table = reconciliation.reconcile(statements, outputs).set_index("id")
    assert table.loc["sar_total", "note"] == "fig2_sar left out of this build"


def test_a_missing_column_names_the_file_and_field(statements):
    outputs = frames({"IT": 1.0})
    outputs["fig2_sar"] = outputs["fig2_sar"].rename(columns={"persons": "people"})
    with pytest.raises(InputError, match=r"fig2_sar\.csv, field 'persons'"):
        reconciliation.reconcile(statements, outputs)


def test_markdown_table_formats_the_eu_way(statements):
    table = reconciliation.reconcile(statements, frames({"IT": 40000.0, "ES": 56750.0}))
    markdown = reconciliation.markdown_table(table)
    row = next(line for line in markdown.splitlines() if "nearly 97 000" in line)
    assert "96\u00a0750" in row and "\u2212250 (\u22120.3%)" in row and row.endswith("| yes |")
    assert "Germany, France" in markdown
    assert "not checked: not computed by this build" in markdown


def test_status_and_snippet_depend_on_year_and_data_source(statements):
    table = reconciliation.reconcile(statements, frames({"IT": 1.0}))
    assert reconciliation.status(2025, "local") == "published"
    assert reconciliation.status(2025, "sample") == "sample"
    assert reconciliation.status(2026, "sample") == "no_edition"
    sample = reconciliation.snippet(table, 2025, "sample", "July 2024 \u2013 June 2025")
    real = reconciliation.snippet(table, 2025, "live", "July 2024 \u2013 June 2025")
    assert "internal consistency" in sample and "internal consistency" not in real
    assert "| Measure |" in real
    other = reconciliation.snippet(None, 2026, "sample", "July 2025 \u2013 June 2026")
    assert other.startswith("There is no published edition of the EAAMR for July 2025 \u2013 June 2026")


def test_facts_count_the_checks(statements):
    table = reconciliation.reconcile(statements, frames({"IT": 97000.0}))
    facts = reconciliation.facts(table, 2025, "sample")
    assert facts["status"] == "sample"
    assert (facts["statements"], facts["checked"], facts["within"], facts["not_checked"]) == \
        ("4", "3", "2", "1")
    assert reconciliation.facts(None, 2026, "sample") == {"status": "no_edition"}


def test_outputs_are_read_from_the_figure_and_table_folders(tmp_path):
    figures, tables = tmp_path / "figures", tmp_path / "tables"
    figures.mkdir(), tables.mkdir()
    sar({"IT": 5.0}).to_csv(figures / "fig2_sar.csv", index=False)
    pd.DataFrame({"x": [1]}).to_csv(tables / "pressure.csv", index=False)
    loaded = reconciliation.load_outputs({"fig2_sar", "pressure", "absent"}, (figures, tables))
    assert sorted(loaded) == ["fig2_sar", "pressure"]
    assert loaded["fig2_sar"]["persons"].tolist() == [5.0]


def test_the_sample_build_reconciles_with_the_eaamr_2025(sample_tables):
    """Every statement the figures can check holds on the sample (it was calibrated to them)."""
    from pipeline.core.periods import ReportPeriods
    from pipeline.publication.figures import sar as sar_figure

    table = sar_figure.sar_table(sample_tables["sar"], ReportPeriods(2025))
    result = reconciliation.reconcile(load_statements(), {"fig2_sar": table}).set_index("id")
    checked = result[result["within"].notna()]
    assert "sar_total" in checked.index and checked["within"].all()


def test_member_state_values_and_rankings_come_from_the_pressure_indicators(tmp_path):
    path = tmp_path / "edition.yaml"
    path.write_text(yaml.safe_dump({"document": "COM", "statements": [
        statement("ibc_cyprus", 3000, "almost 3 000 IBCs", tolerance={"min": 2500, "below": 3000}),
        statement("ibc_ratio_to_key_ranking", ["EL", "CY"], "Greece, then Cyprus",
                  unit="Member States", kind="ranking"),
    ]}))
    pressure = pd.DataFrame({
        "indicator": ["ibc", "ibc", "ibc", "sar"], "geo": ["CY", "EL", "DE", "CY"],
        "basis": "flow", "period": "Jul 2024 \u2013 Jun 2025",
        "value": [2750.0, 60000.0, 100.0, 9999.0], "ratio_to_key": [3.0, 4.0, 0.1, 9.0]})
    table = reconciliation.reconcile(load_statements(path), {"pressure_indicators": pressure})
    table = table.set_index("id")
    assert table.loc["ibc_cyprus", "computed"] == 2750.0
    assert bool(table.loc["ibc_cyprus", "within"]) is True
    assert table.loc["ibc_ratio_to_key_ranking", "computed"] == ["EL", "CY"]


def bulgaria(minors_basis: str, minors_period: str) -> dict[str, pd.DataFrame]:
    """Bulgaria's applications (reference period) and applications by unaccompanied minors."""
    return {"pressure_indicators": pd.DataFrame({
        "indicator": ["applications", "unaccompanied_minors"], "geo": ["BG", "BG"],
        "basis": ["flow", minors_basis], "period": ["Jul 2024 \u2013 Jun 2025", minors_period],
        "value": [9000.0, 1800.0]})}


def test_a_calendar_year_value_is_not_reconciled_with_a_july_june_statement():
    statements = {"unaccompanied_minors_bulgaria_share":
                  load_statements()["unaccompanied_minors_bulgaria_share"]}
    table = reconciliation.reconcile(statements, bulgaria("annual", "2024"))
    row = table.set_index("id").loc["unaccompanied_minors_bulgaria_share"]
    assert row["computed"] == pytest.approx(20.0)  # would agree, but is not compared
    assert row["within"] is None
    assert row["note"] == "not like for like (build: calendar year 2024)"
    markdown = reconciliation.markdown_table(table)
    assert markdown.splitlines()[-1].endswith(
        "| 20.0% | \u2013 | not like for like (build: calendar year 2024) |")
    facts = reconciliation.facts(table, 2025, "local")
    assert (facts["checked"], facts["within"], facts["not_checked"]) == ("0", "0", "1")


def test_a_calendar_year_ranking_is_shown_on_its_head_and_not_compared():
    statement = load_statements()["refusals_top_absolute"]
    frames = {"pressure_indicators": pd.DataFrame({
        "indicator": "refusals", "geo": ["PL", "HR", "FR", "RO", "HU"], "basis": "annual",
        "period": "2024", "value": [5.0, 4.0, 3.0, 2.0, 1.0]})}
    row = reconciliation.reconcile({statement.id: statement}, frames).iloc[0]
    assert row["computed"] == ["PL", "HR", "FR", "RO"] and row["within"] is None
    assert row["note"] == "not like for like (build: calendar year 2024)"


def test_bulgarias_one_fifth_reconciles_over_the_reference_period():
    statement = load_statements()["unaccompanied_minors_bulgaria_share"]
    assert statement.wording == "One fifth of these applications were lodged by unaccompanied minors"
    assert (statement.lower, statement.upper) == (17.5, 22.5)
    for value, within in ((1800.0, True), (2100.0, False)):
        frames = bulgaria("flow", "Jul 2024 \u2013 Jun 2025")
        frames["pressure_indicators"].loc[1, "value"] = value
        row = reconciliation.reconcile({statement.id: statement}, frames).iloc[0]
        assert bool(row["within"]) is within and row["note"] == ""


def test_an_indicator_left_out_of_the_build_is_not_checked():
    statement = load_statements()["unaccompanied_minors_bulgaria_share"]
    frames = bulgaria("flow", "Jul 2024 \u2013 Jun 2025")
    frames["pressure_indicators"] = frames["pressure_indicators"].iloc[:1]
    row = reconciliation.reconcile({statement.id: statement}, frames).iloc[0]
    assert row["within"] is None
    assert row["note"] == "unaccompanied_minors not in pressure_indicators of this build"
