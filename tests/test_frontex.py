"""Frontex IBC workbook: reading the layouts Frontex has published, writing, and every
malformed-workbook case."""

from __future__ import annotations

import datetime as dt
import time
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipeline.core.errors import InputError
from pipeline.core.xlsx import FIXED_TIMESTAMP
from pipeline.inputs.sources.frontex import (
    DATA_AS_OF,
    SHEET,
    as_of_label,
    month_label,
    parse_month_header,
    read_frontex_workbook,
    write_frontex_workbook,
)
from tests.fixtures.frontex import build

EMR = "Eastern Mediterranean Route"
WB = "Western Balkan Route"
HEADER = ["Route", "Border type or inland", "Nationality", "JAN2019", "FEB2019", "MAR2019"]
AS_OF = dt.date(2025, 2, 4)


def _workbook(path, rows, sheet=SHEET):
    """A workbook whose sheet holds `rows` from row 1 (None = blank cell, [] = blank row)."""
    build.laid_out(rows, sheet).save(path)
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
    assert frame.detections.dtype == "float64"
    assert frame.month.dtype == "str" and frame.route.dtype == "str"
    assert len(frame) == 9
    syria = frame[frame.nationality == "Syria"]
    assert syria.month.tolist() == ["2019-01", "2019-02", "2019-03"]
    assert syria.detections.tolist() == [10, 12, 14]
    blank = frame[(frame.nationality == "Afghanistan") & (frame.month == "2019-03")]
    assert blank.detections.isna().all()  # a blank count cell: not reported
    assert frame.attrs[DATA_AS_OF] is None  # no source line


def test_round_trip(tmp_path):
    path = tmp_path / "Monthly_detections_of_IBC.xlsx"
    original = _tidy().astype({"detections": float})
    original.loc[2, "detections"] = np.nan  # written as a blank cell
    write_frontex_workbook(original, path, data_as_of=AS_OF)
    back = read_frontex_workbook(path)
    key = ["route", "border_location", "nationality", "month"]
    pd.testing.assert_frame_equal(
        back.sort_values(key).reset_index(drop=True),
        original.sort_values(key).reset_index(drop=True).astype({c: "str" for c in key}),
    )
    assert back.attrs[DATA_AS_OF] == "2025-02-04"


def test_written_layout(tmp_path):
    path = tmp_path / "ibc.xlsx"
    write_frontex_workbook(_tidy(), path, data_as_of=AS_OF)
    sheet = openpyxl.load_workbook(path)[SHEET]
    assert all(cell.value is None for cell in sheet[1])  # blank first row
    assert [cell.value for cell in sheet[2]] == ["Route", "Border type or inland", "Nationality",
                                                 "JUL2024", "AUG2024", "JAN2025"]
    assert [cell.value for cell in sheet[3]][:3] == [EMR, "Land", "Türkiye"]  # route order first
    assert sheet.max_row == 8 and sheet["A8"].value == "Source: FRAN data as of 04FEB25"
    assert all(cell.value is None for cell in sheet[7])  # 4 data rows (3-6), a blank row


def test_as_of_label():
    assert as_of_label(dt.date(2025, 10, 6)) == "06OCT25" and as_of_label(AS_OF) == "04FEB25"


def test_writing_is_deterministic(tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_frontex_workbook(_tidy(), first, data_as_of=AS_OF)
    write_frontex_workbook(_tidy().sample(frac=1.0, random_state=1), second, data_as_of=AS_OF)
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


@pytest.mark.parametrize("border", ["Air", "Inland"])
def test_unknown_border_location(tmp_path, border):
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[[EMR, border, "Syria", 1, 2, 3]])
    error = _error(path)
    assert (error.row, error.field) == (3, "Border type or inland") and border in str(error)


@pytest.mark.parametrize("row, problem", [
    ([EMR, None, "Syria", 1, 2, 3], "border location is empty"),
    ([EMR, "Sea", None, 1, 2, 3], "nationality is empty"),
    ([None, "Sea", "Syria", 1, 2, 3], "route is empty"),
])
def test_incomplete_data_row(tmp_path, row, problem):
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[row, ["Source: FRAN data as of 06OCT25"]])
    error = _error(path)
    assert error.row == 3 and problem in str(error)


def test_a_note_line_with_counts_is_an_error(tmp_path):
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[[EMR, "Sea", "Syria", 1, 2, 3],
                                                      ["Total", None, None, 1, 2, 3]])
    error = _error(path)
    assert (error.row, error.field) == (4, "JAN2019") and "no Border type or inland" in str(error)


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
        write_frontex_workbook(frame, tmp_path / "x.xlsx", data_as_of=AS_OF)


def test_writer_rejects_repeated_rows(tmp_path):
    frame = _tidy()
    with pytest.raises(ValueError, match="repeated"):
        write_frontex_workbook(pd.concat([frame, frame.head(1)]), tmp_path / "x.xlsx",
                               data_as_of=AS_OF)


# ---------------------------------------------------------------------------------------------
# The published workbook as downloaded: layout changes Frontex has made or may make
# ---------------------------------------------------------------------------------------------


def _published(tmp_path, edit) -> tuple:
    """A workbook written by the project's writer (Frontex's layout), then edited by `edit`."""
    path = tmp_path / "Monthly_detections_of_IBC_2025_11_03.xlsx"
    write_frontex_workbook(_tidy(), path, data_as_of=AS_OF)
    workbook = openpyxl.load_workbook(path)
    edit(workbook[SHEET])
    workbook.save(path)
    return path


def test_an_extra_leading_row_above_the_header(tmp_path):
    def add_title(sheet):
        sheet.insert_rows(1, amount=2)
        sheet["A1"] = "Detections of illegal border-crossings - monthly data"
        sheet["A2"] = "Monthly data"

    plain = tmp_path / "plain.xlsx"
    write_frontex_workbook(_tidy(), plain, data_as_of=AS_OF)
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


# ---------------------------------------------------------------------------------------------
# Releases as Frontex lays them out (tests/fixtures/frontex, built by build.py)
# ---------------------------------------------------------------------------------------------

FIXTURES = build.FOLDER


def _fixture(name: str, **kwargs) -> pd.DataFrame:
    return read_frontex_workbook(FIXTURES / f"{name}.xlsx", **kwargs)


def _expected() -> pd.DataFrame:
    """The tidy frame of build.ROWS."""
    months = ["2025-04", "2025-05", "2025-06"]
    rows = [(route, border, nationality, month, float(count))
            for route, border, nationality, *counts in build.ROWS
            for month, count in zip(months, counts)]
    frame = pd.DataFrame(rows, columns=["route", "border_location", "nationality", "month",
                                        "detections"])
    return frame.astype({name: "str" for name in frame.columns[:4]})


def test_fixtures_are_up_to_date(tmp_path):
    for make in build.FIXTURES:
        fresh = make(tmp_path)
        assert fresh.read_bytes() == (FIXTURES / fresh.name).read_bytes(), \
            "rebuild them: python -m tests.fixtures.frontex.build"


def test_current_release():
    sheet = openpyxl.load_workbook(FIXTURES / "current_release.xlsx")[SHEET]
    assert sheet["A1"].value is None and sheet["B2"].value == "Border type or inland"
    assert sheet["A11"].value == "Source: FRAN data as of 06OCT25"  # right below the last row
    frame = _fixture("current_release")
    pd.testing.assert_frame_equal(frame, _expected())
    assert frame.attrs[DATA_AS_OF] == "2025-10-06"


@pytest.mark.parametrize("name", ["older_release", "release_2018", "title_rows"])
def test_older_layouts(name):
    frame = _fixture(name)
    pd.testing.assert_frame_equal(frame, _expected())
    assert frame.attrs[DATA_AS_OF] is None  # no source line


def test_footnotes_below_and_a_note_beside_the_table():
    frame = _fixture("footnotes")
    pd.testing.assert_frame_equal(frame, _expected())
    assert frame.attrs[DATA_AS_OF] == "2025-10-06"


def test_several_nationalities_and_border_types_add_up_by_route():
    totals = _fixture("current_release").groupby(["route", "month"]).detections.sum()
    assert totals[build.EMR].tolist() == [502, 445, 399]  # 2 Land + 2 Sea rows
    assert totals[build.CMR].tolist() == [1100, 1350, 1480]
    assert totals[build.WBR].tolist() == [85, 75, 50]  # a 0 is a 0
    by_border = _fixture("current_release").groupby(["route", "border_location"]).detections.sum()
    assert by_border[build.EMR].to_dict() == {"Land": 136, "Sea": 1210}


@pytest.mark.parametrize("header", ["border type or inland", "BORDER LOCATION", "Border  location",
                                    "BorderLocation"])
def test_border_column_names(tmp_path, header):
    path = _workbook(tmp_path / "ibc.xlsx", [[], ["Route", header, "NATIONALITY", "JAN2019"],
                                             [EMR, "sea", "Syria", 4]])
    frame = read_frontex_workbook(path)
    assert frame.border_location.tolist() == ["Sea"] and frame.detections.tolist() == [4]


def test_a_blank_count_in_a_required_month_is_an_error():
    path = FIXTURES / "blank_cells.xlsx"
    with pytest.raises(InputError) as caught:
        read_frontex_workbook(path, required_months=["2025-04", "2025-06"])
    error = caught.value
    assert (error.row, error.field) == (5, "JUN2025")
    for part in (str(path), "sheet 'Detections_of_IBC'", "cell F5", "JUN2025", "2 of 8 rows"):
        assert part in str(error)


def test_blank_counts_outside_the_required_months_are_not_reported():
    frame = _fixture("blank_cells", required_months=["2025-04"])
    blank = frame[frame.detections.isna()]
    assert blank[["nationality", "month"]].values.tolist() == [
        ["Tunisia", "2025-05"], ["Syria", "2025-06"], ["Syria", "2025-06"]]
    expected = _expected()
    filled = frame.detections.notna()
    pd.testing.assert_frame_equal(frame[filled], expected[filled])
    assert _fixture("blank_cells").detections.isna().sum() == 3  # no required months


def test_a_last_month_not_yet_filled():
    frame = _fixture("last_month_unfilled", required_months=["2025-06"])
    july = frame[frame.month == "2025-07"]
    assert len(july) == 8 and july.detections.isna().all()
    with pytest.raises(InputError) as caught:
        _fixture("last_month_unfilled", required_months=["2025-07"])
    assert "cell G3" in str(caught.value) and "8 of 8 rows" in str(caught.value)


def test_a_required_month_without_a_column():
    with pytest.raises(InputError, match="no column for 2025-08"):
        _fixture("current_release", required_months=["2025-08"])


@pytest.mark.parametrize("line, as_of", [
    ("Source: FRAN data as of 06OCT25", "2025-10-06"),
    ("Source: FRAN data as of 4 August 2026", "2026-08-04"),
    ("Source: FRAN data as of 04AUG2026", "2026-08-04"),
    ("Source: FRAN", None),
])
def test_the_as_of_date(tmp_path, line, as_of):
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[[EMR, "Sea", "Syria", 1, 2, 3], [], [line]])
    assert read_frontex_workbook(path).attrs[DATA_AS_OF] == as_of


def test_an_impossible_as_of_date(tmp_path):
    path = _frontex_like(tmp_path / "ibc.xlsx", data=[[EMR, "Sea", "Syria", 1, 2, 3],
                                                      ["Source: FRAN data as of 31FEB25"]])
    error = _error(path)
    assert error.row == 4 and "31FEB25" in str(error)


def test_a_workbook_the_size_of_a_release(tmp_path):
    path = build.full_size_release(tmp_path / "Monthly_detections_of_IBC_2025_10_06.xlsx")
    start = time.perf_counter()
    frame = read_frontex_workbook(path)
    print(f"read 2 160 rows x 200 months in {time.perf_counter() - start:.1f} s")
    assert len(frame) == 9 * 2 * 120 * 200 and frame.month.max() == "2025-08"
    assert frame.detections.isna().sum() == 9 * 2 * 120  # one blank cell per row
    assert frame.attrs[DATA_AS_OF] == "2025-10-06"
