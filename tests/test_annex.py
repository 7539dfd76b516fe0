"""Data annex: sheets, metadata above each table, accessibility settings, deterministic bytes."""

import openpyxl
import pandas as pd
import pytest

from pipeline.publication import annex
from pipeline.publication.figures.output import FigureSpec

EDITION = {"title": "European Annual Asylum and Migration Report 2025", "year": "2025",
           "reference_period": "1 July 2024 - 30 June 2025",
           "comparison_period": "July 2023 - June 2024",
           "data_source_label": "the synthetic sample dataset (seed 1)"}
SAR = FigureSpec(2, "fig2_sar", "Persons disembarked in search and rescue events", "Frontex",
                 unit="persons")
APPLICATIONS = FigureSpec(3, "fig3_applications", "Applications", "Eurostat", unit="applications")
NOT_BUILT = FigureSpec(9, "fig9_projection", "Projection", "Eurostat", unit="persons")


@pytest.fixture
def outputs(tmp_path):
    figures, tables = tmp_path / "figures", tmp_path / "tables"
    figures.mkdir(), tables.mkdir()
    pd.DataFrame({"member_state": ["IT", "ES"], "persons": [38865.0, 38965.0],
                  "share": [0.4, 0.4], "change": [-0.32, None]}).to_csv(
        figures / "fig2_sar.csv", index=False)
    pd.DataFrame({"member_state": ["DE", "DK"], "applications": [190058.0, 2000.0],
                  "ratio_to_key": [1.01, None]}).to_csv(figures / "fig3_applications.csv",
                                                         index=False)
    pd.DataFrame({"indicator": ["ibc"], "geo": ["EL"], "value": [60000.0]}).to_csv(
        tables / "pressure_indicators.csv", index=False)
    pd.DataFrame({"x": [1]}).to_csv(tables / "undeclared_table.csv", index=False)
    items = (annex.figure_items([NOT_BUILT, APPLICATIONS, SAR], sample=True, folder=figures)
             + annex.table_items(True, tables))
    return items, tmp_path / "annex"


def test_items_follow_figure_order_and_skip_figures_not_built(outputs):
    items, _ = outputs
    assert [item.sheet for item in items] == ["Figure 2", "Figure 3", "Table 1", "Table 2"]
    assert items[2].title == "Table 1 \u2013 Indicators of migratory pressure by Member State"
    assert items[3].unit == "not stated" and "not declared" in items[3].source


def test_workbook_has_cover_notes_and_one_sheet_per_figure_and_table(outputs):
    items, folder = outputs
    path = annex.write_annex(items, EDITION, sample=True, folder=folder)
    assert path.name == "eaamr_2025_data_annex.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Cover", "Notes", "Figure 2", "Figure 3", "Table 1", "Table 2"]
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    cover = workbook["Cover"]
    cover_text = [cell.value for cell in cover["A"] if cell.value]
    assert "Reference period: 1 July 2024 - 30 June 2025" in cover_text
    assert any("SYNTHETIC SAMPLE DATA" in text for text in cover_text)
    links = {cell.hyperlink.location for cell in cover["A"] if cell.hyperlink}
    assert links == {"'Notes'!A1", "'Figure 2'!A1", "'Figure 3'!A1", "'Table 1'!A1",
                     "'Table 2'!A1"}
    notes = [cell.value for cell in workbook["Notes"]["A"] if cell.value]
    assert "ratio_to_key" in notes and "p" in notes


def test_each_data_sheet_has_title_unit_source_and_a_marked_frozen_header(outputs):
    items, folder = outputs
    workbook = openpyxl.load_workbook(annex.write_annex(items, EDITION, sample=True,
                                                       folder=folder))
    sheet = workbook["Figure 2"]
    assert sheet["A1"].value == "Figure 2 \u2013 Persons disembarked in search and rescue events"
    assert sheet["A2"].value == "Unit: persons"
    assert sheet["A3"].value == "Source: elaboration on Frontex data (synthetic sample dataset)"
    header = [cell.value for cell in sheet[5]]
    assert header == ["member_state", "persons", "share", "change"]
    assert all(cell.font.bold for cell in sheet[5])
    assert sheet.freeze_panes == "A6"
    assert [cell.value for cell in sheet[6]] == ["IT", 38865, 0.4, -0.32]
    assert sheet["C6"].number_format == "0.0%" and sheet["B6"].number_format == "#,##0"
    assert sheet["D7"].value is None  # a missing change stays empty
    assert sheet.column_dimensions["A"].width >= len("member_state")
    assert not sheet.merged_cells.ranges
    assert next(iter(sheet.tables.values())).ref == "A5:D7"


def test_without_sample_data_there_is_no_warning(outputs):
    items, folder = outputs
    edition = {**EDITION, "data_source_label": "files supplied by analysts"}
    workbook = openpyxl.load_workbook(annex.write_annex(items, edition, sample=False,
                                                       folder=folder))
    text = [cell.value for sheet in ("Cover", "Notes") for cell in workbook[sheet]["A"]]
    assert not any("SYNTHETIC" in str(value) for value in text)


def test_two_writes_give_identical_bytes_and_the_csvs_are_copied(outputs):
    items, folder = outputs
    first = annex.write_annex(items, EDITION, sample=True, folder=folder).read_bytes()
    second = annex.write_annex(items, EDITION, sample=True, folder=folder).read_bytes()
    assert first == second
    copied = sorted(path.name for path in folder.glob("*.csv"))
    assert copied == ["fig2_sar.csv", "fig3_applications.csv", "pressure_indicators.csv",
                      "undeclared_table.csv"]
    assert (folder / "fig2_sar.csv").read_bytes() == items[0].csv.read_bytes()


def test_sheet_names_are_valid_unique_and_short():
    taken = {"Cover", "Notes"}
    long = "Indicators of migratory pressure: by Member State [all]"
    first = annex.sheet_name(long, taken)
    taken.add(first)
    second = annex.sheet_name(long, taken)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set(":[]") & set(first)
    assert annex.sheet_name("notes", taken) == "notes (2)"


def test_text_from_an_input_is_text_in_the_workbook_never_a_formula(outputs, tmp_path):
    items, folder = outputs
    payload = '=HYPERLINK("http://127.0.0.1:9/","click")'
    figure_csv = next(item.csv for item in items if item.sheet == "Figure 2")
    pd.DataFrame({"member_state": [payload, "ES"], "persons": [1.0, 2.0]}).to_csv(figure_csv,
                                                                                index=False)
    edition = {**EDITION, "data_source_label": "=1+1"}
    workbook = openpyxl.load_workbook(annex.write_annex(items, edition, sample=True, folder=folder))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert {cell.value for cell in cells} >= {payload}
    assert all(cell.data_type == "s" for cell in cells)


def test_the_annex_lists_every_figure_of_the_report_once_in_figure_order():
    numbers = [spec.number for spec in annex.figure_specs()]
    assert numbers == list(range(1, len(annex.FIGURE_MODULES) + 1))
