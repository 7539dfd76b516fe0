"""Frontex IBC workbook: reading, writing, and every malformed-workbook case."""

from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pandas as pd
import pytest

from pipeline.errors import InputError
from pipeline.sources.frontex import (
    SHEET,
    month_label,
    parse_month_header,
    read_frontex_workbook,
    write_frontex_workbook,
)
from pipeline.xlsx import FIXED_TIMESTAMP

EMR = "Eastern Mediterranean Route"
WB = "Western Balkan Route"
HEADER = ["Route", "Border location", "Nationality", "JAN2019", "FEB2019", "MAR2019"]


def _workbook(path, rows, sheet=SHEET):
    """A workbook whose sheet holds `rows` from row 1 (None = blank cell, [] = blank row)."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                worksheet.cell(row=number, column=column, value=value)
    workbook.save(path)
    return path


def _frontex_like(path, header=HEADER, data=None, leading=([],)):
    data = data if data is not None else [
        [EMR, "Sea", "Syria", 10, 12, 14],
        [EMR, "Land", "Türkiye", 3, 0, 5],
        [WB, "Land", "Afghanistan", 7, 8, None],
    ]
    return _workbook(path, [*leading, header, *data])


def _tidy() -> pd.DataFrame:
    rows = []
    for month, base in (("2024-07", 100), ("2024-08", 90), ("2025-01", 5)):
        rows += [(EMR, "Sea", "Syria", month, base), (EMR, "Land", "Türkiye", month, base // 2),
                 ("Western African Route", "Sea", "Mali", month, base * 3),
                 ("Other", "Land", "Not specified", month, 0)]
    columns = ["route", "border_location", "nationality", "month", "detections"]
    return pd.DataFrame(rows, columns=columns)


# ---------------------------------------------------------------------------------------------
# Reading and writing
# ---------------------------------------------------------------------------------------------


def test_reads_the_published_layout(tmp_path):
    frame = read_frontex_workbook(_frontex_like(tmp_path / "ibc.xlsx"))
    assert list(frame.columns) == ["route", "border_location", "nationality", "month", "detections"]
    assert frame.detections.dtype == "int64"
    assert frame.month.dtype == "str" and frame.route.dtype == "str"
    assert len(frame) == 9
    syria = frame[frame.nationality == "Syria"]
    assert syria.month.tolist() == ["2019-01", "2019-02", "2019-03"]
    assert syria.detections.tolist() == [10, 12, 14]
    blank = frame[(frame.nationality == "Afghanistan") & (frame.month == "2019-03")]
    assert blank.detections.tolist() == [0]  # a blank count cell reads as 0


def test_round_trip(tmp_path):
    path = tmp_path / "Monthly_detections_of_IBC.xlsx"
    original = _tidy()
    write_frontex_workbook(original, path)
    back = read_frontex_workbook(path)
    key = ["route", "border_location", "nationality", "month"]
    pd.testing.assert_frame_equal(
        back.sort_values(key).reset_index(drop=True),
        original.sort_values(key).reset_index(drop=True).astype({c: "str" for c in key}),
    )


def test_written_layout(tmp_path):
    path = tmp_path / "ibc.xlsx"
    write_frontex_workbook(_tidy(), path)
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert all(cell.value is None for cell in sheet[1])  # blank first row
    assert [cell.value for cell in sheet[2]] == ["Route", "Border location", "Nationality",
                                                 "JUL2024", "AUG2024", "JAN2025"]
    assert [cell.value for cell in sheet[3]][:3] == [EMR, "Land", "Türkiye"]  # route order first


def test_writing_is_deterministic(tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_frontex_workbook(_tidy(), first)
    write_frontex_workbook(_tidy().sample(frac=1.0, random_state=1), second)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time for info in archive.infolist()} == {FIXED_TIMESTAMP.timetuple()[:6]}
    properties = openpyxl.load_workbook(first).properties
    assert properties.created == FIXED_TIMESTAMP and properties.modified == FIXED_TIMESTAMP


def test_extra_leading_rows_and_other_month_headers(tmp_path):
    path = _workbook(tmp_path / "ibc.xlsx", [
        [], ["Monthly detections of illegal border crossings"], [None, "Source: Frontex"], [],
        [None, "Route", "Border location", "Nationality", "Jan 2019", "2019-02",
         dt.datetime(2019, 3, 1), "april 2019"],
        [None, WB, "Land", "Syria", 1, 2, 3, 4],
    ])
    frame = read_frontex_workbook(path)
    assert frame.month.tolist() == ["2019-01", "2019-02", "2019-03", "2019-04"]
    assert frame.detections.tolist() == [1, 2, 3, 4]


@pytest.mark.parametrize("label, month", [
    ("JAN2019", "2019-01"), ("Jan 2019", "2019-01"), ("jan2019", "2019-01"),
    ("DEC 2024", "2024-12"),
    ("September 2020", "2020-09"), ("Sept 2020", "2020-09"), ("2019-01", "2019-01"),
    (dt.date(2021, 5, 1), "2021-05"), ("Total", None), ("13 2019", None), ("2019-13", None),
])
def test_month_headers(label, month):
    assert parse_month_header(label) == month


def test_month_label():
    assert month_label("2019-01") == "JAN2019" and month_label("2026-06") == "JUN2026"


# ---------------------------------------------------------------------------------------------
# Malformed workbooks: InputError naming the file, the Excel row and the column
# ---------------------------------------------------------------------------------------------


def _error(path) -> InputError:
    with pytest.raises(InputError) as caught:
        read_frontex_workbook(path)
    error = caught.value
    assert str(path) in str(error)
    return error


def test_missing_file(tmp_path):
    assert "not found" in str(_error(tmp_path / "absent.xlsx"))


def test_not_a_workbook(tmp_path):
    path = tmp_path / "page.xlsx"
    path.write_text("<html>Access denied</html>")
    assert "not a readable .xlsx" in str(_error(path))


def test_missing_sheet(tmp_path):
    path = _workbook(tmp_path / "ibc.xlsx", [[], HEADER], sheet="Sheet1")
    error = _error(path)
    assert error.field == SHEET and "Sheet1" in str(error)


def test_no_header_row(tmp_path):
    path = _workbook(tmp_path / "ibc.xlsx", [[], ["Migratory route", "Nationality", "JAN2019"]])
    assert "no header row" in str(_error(path))


def test_missing_required_column(tmp_path):
    path = _frontex_like(tmp_path / "ibc.xlsx", header=["Route", "Border location", "Citizenship",
                                                         "JAN2019", "FEB2019", "MAR2019"])
    error = _error(path)
    assert error.row == 2 and error.field == "Citizenship"  # not a month, not a known column


def test_missing_required_column_named(tmp_path):
    path = _workbook(tmp_path / "ibc.xlsx", [[], ["Route", "Border location", "JAN2019"],
                                             [EMR, "Sea", 1]])
    error = _error(path)
    assert error.field == "Nationality" and "missing" in str(error)


def test_repeated_month(tmp_path):
    path = _frontex_like(tmp_path / "ibc.xlsx", header=[*HEADER[:5], "Feb 2019"])
    error = _error(path)
    assert error.row == 2 and error.field == "Feb 2019"


def test_unknown_route(tmp_path):
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[[EMR, "Sea", "Syria", 1, 2, 3],
                                                      ["Atlantic Route", "Sea", "Mali", 1, 2, 3]])
    error = _error(path)
    assert (error.row, error.field) == (4, "Route") and "Atlantic Route" in str(error)


def test_unknown_border_location(tmp_path):
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[[EMR, "Air", "Syria", 1, 2, 3]])
    error = _error(path)
    assert (error.row, error.field) == (3, "Border location")


@pytest.mark.parametrize("value, problem", [(-4, "negative"), ("n/a", "not a number"),
                                            (2.5, "not a whole number"), (True, "not a number")])
def test_bad_count(tmp_path, value, problem):
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[[EMR, "Sea", "Syria", 1, 2, 3],
                                                      [WB, "Land", "Syria", 1, value, 3]],
                         leading=([], []))
    error = _error(path)
    assert (error.row, error.field) == (5, "FEB2019")
    assert problem in str(error) and "row 5" in str(error) and "FEB2019" in str(error)


def test_repeated_row(tmp_path):
    row = [EMR, "Sea", "Syria", 1, 2, 3]
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[row, row])
    assert _error(path).row == 4


def test_numbers_stored_as_text_are_accepted(tmp_path):
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[[EMR, "Sea", "Syria", "1", " 2 ", 3.0]])
    assert read_frontex_workbook(path).detections.tolist() == [1, 2, 3]


def test_writer_rejects_unknown_routes(tmp_path):
    frame = _tidy()
    frame.loc[0, "route"] = "Atlantic Route"
    with pytest.raises(ValueError, match="unknown route"):
        write_frontex_workbook(frame, tmp_path / "x.xlsx")


# ---------------------------------------------------------------------------------------------
# The published workbook as downloaded: layout changes Frontex has made or may make
# ---------------------------------------------------------------------------------------------


def _published(tmp_path, edit) -> tuple:
    """A workbook written by the project's writer (Frontex's layout), then edited by `edit`."""
    path = tmp_path / "Monthly_detections_of_IBC_2025_11_03.xlsx"
    write_frontex_workbook(_tidy(), path)
    workbook = openpyxl.load_workbook(path)
    edit(workbook[SHEET])
    workbook.save(path)
    return path


def test_an_extra_leading_row_above_the_header(tmp_path):
    def add_title(sheet):
        sheet.insert_rows(1, amount=2)
        sheet["A1"] = "Detections of illegal border-crossings - monthly data"
        sheet["A2"] = "Data as of 3 November 2025"

    plain = tmp_path / "plain.xlsx"
    write_frontex_workbook(_tidy(), plain)
    pd.testing.assert_frame_equal(read_frontex_workbook(_published(tmp_path, add_title)),
                                  read_frontex_workbook(plain))


@pytest.mark.parametrize("header", ["Jul 2024", "July 2024", "2024-07", "JUL 2024", "jul2024",
                                    dt.datetime(2024, 7, 1)])
def test_a_renamed_month_column(tmp_path, header):
    def rename(sheet):
        assert sheet["D2"].value == "JUL2024"
        sheet["D2"] = header

    frame = read_frontex_workbook(_published(tmp_path, rename))
    july = frame[frame["month"] == "2024-07"]
    assert sorted(frame["month"].unique()) == ["2024-07", "2024-08", "2025-01"]
    assert july["detections"].sum() == _tidy().query("month == '2024-07'")["detections"].sum()


@pytest.mark.parametrize("header, problem", [
    ("Total", "header 'Total' in column G is neither a required column nor a month"),
    ("Juli 2024", "header 'Juli 2024' in column G is neither"),
    ("AUG2024", "month 2024-08 appears twice in the header (column G)"),
])
def test_an_unrecognised_column_names_file_row_and_column(tmp_path, header, problem):
    def add_column(sheet):
        sheet["G2"] = header

    path = _published(tmp_path, add_column)
    error = _error(path)
    assert problem in str(error) and error.row == 2 and error.field == header


def test_a_renamed_required_column_names_file_and_row(tmp_path):
    def rename(sheet):
        sheet["B2"] = "Border type"

    error = _error(_published(tmp_path, rename))
    assert error.row == 2 and "Border type" in str(error)
