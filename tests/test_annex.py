"""Data annex: sheets, metadata above each table, readable headers, number formats,
accessibility settings, deterministic bytes."""

import openpyxl
import pandas as pd
import pytest

from pipeline.publication import annex
from pipeline.publication.figures.output import FigureSpec

EDITION = {"title": "European Annual Asylum and Migration Report 2025", "year": "2025",
           "reference_period": "1 July 2024 - 30 June 2025",
           "comparison_period": "July 2023 \u2013 June 2024",
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
    pd.DataFrame({"indicator": ["ibc", "reception_occupancy"], "unit": ["detections",
                  "share of capacity"], "basis": ["flow", "rate"], "geo": ["EL", "EL"],
                  "value": [89895.0, 1.027]}).to_csv(tables / "pressure_indicators.csv",
                                                      index=False)
    pd.DataFrame({"geo": ["EL"], "share": [1.0]}).to_csv(tables / "undeclared_table.csv",
                                                          index=False)
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
                     "'Table 2'!A1", None}  # None: the report and the licence, outside
    contents = next(iter(cover.tables.values()))
    assert [cell.value for cell in cover[contents.ref.split(":")[0][1:]]] == ["Worksheet",
                                                                            "Contents"]
    notes = [cell.value for cell in workbook["Notes"]["A"] if cell.value]
    assert "Ratio to the key" in notes and "Flag p" in notes
    assert next(iter(workbook["Notes"].tables.values())).ref == "A5:B22"


def test_each_data_sheet_has_title_unit_source_and_a_marked_frozen_header(outputs):
    items, folder = outputs
    workbook = openpyxl.load_workbook(annex.write_annex(items, EDITION, sample=True,
                                                       folder=folder))
    sheet = workbook["Figure 2"]
    assert sheet["A1"].value == "Figure 2 \u2013 Persons disembarked in search and rescue events"
    assert sheet["A2"].value == "Unit: persons"
    assert sheet["A3"].value == "Source: elaboration on Frontex data (synthetic sample dataset)"
    assert sheet["A4"].value.startswith("This worksheet contains one table of 2 rows")
    assert sheet["A5"].hyperlink.location == "'Cover'!A1"
    assert all(sheet.cell(row=row, column=1).value for row in range(1, 6))  # no blank row
    assert sheet.freeze_panes == "A7"
    assert [cell.value for cell in sheet[7]] == ["IT", 38865, 0.4, -0.32]
    assert sheet["D8"].value is None  # a missing change stays empty
    assert not sheet.merged_cells.ranges
    assert next(iter(sheet.tables.values())).ref == "A6:D8"


def test_headers_are_readable_labels_with_units_and_marked(outputs):
    items, folder = outputs
    workbook = openpyxl.load_workbook(annex.write_annex(items, EDITION, sample=True,
                                                       folder=folder))
    sheet = workbook["Figure 2"]
    assert [cell.value for cell in sheet[6]] == [
        "Member State (code)", "Persons disembarked, reference period (persons)",
        "Share of the total of the key's Member States (%)", "Change on the comparison period (%)"]
    assert all(cell.font.bold and cell.fill.fgColor.rgb.endswith("DDEBF7") for cell in sheet[6])
    assert sheet.column_dimensions["A"].width >= len("Member State (code)")
    assert "Ratio to the key" in [cell.value for cell in workbook["Figure 3"][6]]


def test_number_formats_follow_the_kind_of_the_values(outputs):
    items, folder = outputs
    workbook = openpyxl.load_workbook(annex.write_annex(items, EDITION, sample=True,
                                                       folder=folder))
    sar = workbook["Figure 2"]
    assert sar["B7"].number_format == "#,##0"  # a count: whole number, thousands separator
    assert sar["C7"].number_format == "0.00%" and sar["D7"].number_format == "0.0%"
    assert workbook["Figure 3"]["C7"].number_format == "0.000"  # a ratio to the key
    # the indicators table mixes units: each row's value is formatted by its basis
    indicators = workbook["Table 1"]
    header = [cell.value for cell in indicators[6]]
    value = header.index("Value, reference period (see Unit)") + 1
    assert "Unit" in header
    count, occupancy = indicators.cell(row=7, column=value), indicators.cell(row=8, column=value)
    assert (count.value, count.number_format) == (89895, "#,##0")
    assert (occupancy.value, occupancy.number_format) == (1.027, "0.000")  # not "1.0"


def test_a_column_without_a_declared_label_stops_the_annex_naming_it(outputs):
    items, folder = outputs
    pd.DataFrame({"geo": ["EL"], "mystery_measure": [1.0]}).to_csv(items[3].csv, index=False)
    with pytest.raises(ValueError, match="undeclared_table.csv: mystery_measure"):
        annex.write_annex(items, EDITION, sample=True, folder=folder)
    assert not folder.exists()  # nothing written


def test_declared_columns_have_a_label_a_known_kind_and_unique_headers():
    declared = {**annex.COMMON_COLUMNS, **{name: column for columns in annex.COLUMNS.values()
                                           for name, column in columns.items()}}
    assert all(column.label and column.kind in annex.FORMATS for column in declared.values())
    assert all(kind in annex.FORMATS for column in declared.values() if column.by_row
               for kind in column.by_row[1].values())
    for stem, columns in annex.COLUMNS.items():  # labels unique within a table
        labels = [annex.column_spec(stem, name).label for name in columns]
        assert len(labels) == len(set(labels)), stem


def test_cover_states_publication_date_licence_and_links_to_the_report(outputs):
    items, folder = outputs
    edition = {**EDITION, "publication_date": "3 December 2025"}
    workbook = openpyxl.load_workbook(annex.write_annex(items, edition, sample=True,
                                                       folder=folder))
    cover = workbook["Cover"]
    assert cover["A1"].value == ("European Annual Asylum and Migration Report 2025 \u2013 "
                                 "data annex")
    text = {cell.value: cell for cell in cover["A"] if cell.value}
    assert "Edition: 2025" in text and "Publication date: 3 December 2025" in text
    licence = next(cell for value, cell in text.items() if value.startswith("Licence:"))
    assert "CC BY 4.0" in licence.value and "2011/833/EU" in licence.value
    assert licence.hyperlink.target == "https://creativecommons.org/licenses/by/4.0/"
    report = next(cell for value, cell in text.items() if value.startswith("Report:"))
    assert report.hyperlink.target == "../report/eaamr_2025.html"
    assert not cover.merged_cells.ranges


def test_workbook_properties_give_title_and_language_and_fixed_times(outputs):
    items, folder = outputs
    workbook = openpyxl.load_workbook(annex.write_annex(items, EDITION, sample=True,
                                                       folder=folder))
    assert workbook.properties.title == ("European Annual Asylum and Migration Report 2025 "
                                         "\u2013 data annex")
    assert workbook.properties.language == "en-GB"
    assert workbook.properties.created == workbook.properties.modified
    assert workbook.properties.created.year == 2025


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


@pytest.mark.e2e
def test_the_built_annex_has_a_readable_declared_header_on_every_sheet(built_project):
    """Every column of every CSV the pipeline writes has a declared label (else the build
    stops naming it); no header of the built workbook is a machine name."""
    edition = built_project["project"] / "outputs" / "2025" / "annex"
    workbook = openpyxl.load_workbook(edition / annex.annex_file(2025))
    for csv in sorted(edition.glob("*.csv")):
        columns = pd.read_csv(csv, nrows=0).columns
        assert not annex.undeclared_columns(csv.stem, columns), csv.name
    labels = {annex.column_spec(stem, name).label for stem, columns in annex.COLUMNS.items()
              for name in columns} | {column.label for column in annex.COMMON_COLUMNS.values()}
    for sheet in workbook.worksheets[2:]:
        table = next(iter(sheet.tables.values()))
        header = [cell.value for cell in sheet[int(table.ref.split(":")[0][1:])]]
        assert set(header) <= labels, (sheet.title, set(header) - labels)
