"""The Frontex workbook through the ingest: a blank cell is never a zero, and the workbook's
"data as of" date becomes the provider's last update in the input's record."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from pipeline.analysis import projection
from pipeline.core.errors import InputError
from pipeline.inputs import ingest, processed
from pipeline.inputs.catalog import raw_input
from pipeline.inputs.sources.frontex import SHEET

WORKBOOK = raw_input("ibc_routes").filename


@pytest.fixture
def root(tmp_path, sample_root):
    shutil.copytree(sample_root, tmp_path / "raw")
    return tmp_path / "raw"


def blank_cell(root, month_header: str) -> str:
    """Empty the first data cell of a month's column; return the cell's reference."""
    path = root / "sample" / WORKBOOK
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[SHEET]
    header = next(row for row in sheet.iter_rows() if row[0].value == "Route")
    column = next(cell.column for cell in header if cell.value == month_header)
    cell = sheet.cell(row=header[0].row + 1, column=column)
    assert isinstance(cell.value, int)
    cell.value = None
    workbook.save(path)
    return cell.coordinate


def test_blank_cell_in_the_edition_months_names_sheet_cell_and_month(root, tmp_path):
    cell = blank_cell(root, "JUN2025")
    out = tmp_path / "processed"
    with pytest.raises(InputError) as error:
        ingest.ingest("sample", year=2025, raw_root=root, out_dir=out)
    message = str(error.value)
    assert WORKBOOK in message and SHEET in message and cell in message and "JUN2025" in message
    assert not out.exists() or not list(out.iterdir())


def test_blank_cell_before_the_edition_months_is_missing_and_refused_where_used(root, tmp_path):
    blank_cell(root, "AUG2019")
    tables = ingest.ingest("sample", year=2025, raw_root=root, out_dir=tmp_path / "processed")
    routes = tables["ibc_routes"]
    assert routes.loc[routes["period"] == "2019-08", "value"].isna().sum() == 1
    loaded = processed.load("ibc_routes", tmp_path / "processed")
    series = next(item for item in projection.SERIES if item.table == "ibc_routes")
    with pytest.raises(InputError, match=r"2019-08 missing for") as error:
        projection.eu_monthly_total(loaded, series, "2025-06")
    assert f"data/raw/sample/{WORKBOOK}" in str(error.value)  # the raw file, not the table


def test_data_as_of_date_goes_into_the_provenance(root, tmp_path):
    ingest.ingest("sample", year=2025, raw_root=root, out_dir=tmp_path / "processed")
    record = processed.input_records(tmp_path / "processed")["ibc_routes"]
    assert record["provenance"]["last_update"] == "2026-07-06"
    assert "source line" in record["provenance"]["last_update_source"]
