"""Frontex "Monthly detections of illegal border crossings (IBC)" workbook.

Layout of the published file (`Monthly_detections_of_IBC_YYYY_MM_DD.xlsx`): sheet
`Detections_of_IBC`; a blank first row; a header row `Route`, `Border location` (Land/Sea),
`Nationality`, then one column per month (`JAN2019`, `FEB2019`, ...); one row per route,
border location and nationality. There is no Member State column.

`read_frontex_workbook` returns a tidy frame (`route`, `border_location`, `nationality`,
`month` as `YYYY-MM`, `detections` int64); `write_frontex_workbook` is its inverse and
writes deterministic bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.errors import InputError
from pipeline.routes import ROUTE_LABELS
from pipeline.xlsx import write_workbook

SHEET = "Detections_of_IBC"
ROUTE_HEADER = "Route"
BORDER_HEADER = "Border location"
NATIONALITY_HEADER = "Nationality"
BORDER_LOCATIONS = ("Land", "Sea")
COLUMNS = ("route", "border_location", "nationality", "month", "detections")

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# JAN2019, Jan 2019, January 2019
_MONTH_WORD_YEAR = re.compile(r"^([A-Za-z]{3,9})[\s._-]*(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.M](\d{1,2})$")  # 2019-01, 2019/1, 2019M01


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def parse_month_header(label: object) -> str | None:
    """'JAN2019', 'Jan 2019', 'January 2019', '2019-01' or a date -> '2019-01'; else None."""
    if isinstance(label, (dt.datetime, dt.date)):
        return f"{label.year:04d}-{label.month:02d}"
    if not isinstance(label, str):
        return None
    text = label.strip()
    match = _MONTH_WORD_YEAR.match(text)
    if match:
        word, year = match.groups()
        word = word.upper()
        month = next((i for i, name in enumerate(_MONTHS, start=1)
                      if word == name or (len(word) > 3 and _full_month(i).startswith(word))), None)
        return f"{year}-{month:02d}" if month else None
    match = _YEAR_MONTH.match(text)
    if match:
        year, month = int(match[1]), int(match[2])
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    return None


def _full_month(number: int) -> str:
    return dt.date(2000, number, 1).strftime("%B").upper()


def month_label(month: str) -> str:
    """'2019-01' -> 'JAN2019', the workbook's own header form."""
    period = pd.Period(month, freq="M")
    return f"{_MONTHS[period.month - 1]}{period.year}"


def read_frontex_workbook(path: Path | str) -> pd.DataFrame:
    """Read the Frontex IBC workbook into a tidy frame, one row per route, border location,
    nationality and month.

    Blank count cells are read as 0. Raises `InputError` naming the file, the Excel row and
    the column for: a missing file or sheet, no header row, missing required columns,
    unrecognised or repeated month headers, unknown route labels, unknown border locations,
    repeated rows, and counts that are negative, fractional or not numbers.
    """
    path = Path(path)
    rows = _sheet_rows(path)
    header_row, header = _find_header(path, rows)
    layout = _column_layout(path, header_row, header)
    return _tidy(path, rows, header_row, header, layout)


def _sheet_rows(path: Path) -> list[tuple]:
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as exc:
        raise InputError(path, f"is not a readable .xlsx workbook ({exc})") from None
    try:
        if SHEET not in workbook.sheetnames:
            raise InputError(path, f"has no sheet '{SHEET}' (sheets: "
                                   f"{', '.join(workbook.sheetnames)})", field=SHEET)
        # Excel row numbers start at 1; read-only mode yields blank rows for gaps. The stored
        # sheet size is ignored: some tools write a wrong one, which would cut rows off.
        worksheet = workbook[SHEET]
        worksheet.reset_dimensions()
        return list(worksheet.iter_rows(min_row=1, values_only=True))
    finally:
        workbook.close()


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(path: Path, rows: list[tuple]) -> tuple[int, tuple]:
    """The first row whose first non-empty cell is 'Route'; returns (Excel row number, cells)."""
    for number, cells in enumerate(rows, start=1):
        first = next((cell for cell in cells if not _is_blank(cell)), None)
        if isinstance(first, str) and first.strip().lower() == ROUTE_HEADER.lower():
            return number, cells
    raise InputError(path, f"no header row starting with '{ROUTE_HEADER}' in sheet '{SHEET}'",
                     field=ROUTE_HEADER)


def _column_layout(path: Path, header_row: int, header: tuple) -> dict[str, object]:
    labels = {ROUTE_HEADER.lower(): "route", BORDER_HEADER.lower(): "border_location",
              NATIONALITY_HEADER.lower(): "nationality"}
    fixed: dict[str, int] = {}
    months: list[tuple[int, str, str]] = []  # (column index, 'YYYY-MM', header text)
    for index, cell in enumerate(header):
        if _is_blank(cell):
            continue
        text = cell.strip() if isinstance(cell, str) else str(cell)
        letter = get_column_letter(index + 1)
        key = re.sub(r"\s+", " ", text).lower()
        if key in labels:
            if labels[key] in fixed:
                raise InputError(path, f"column '{text}' appears twice (column {letter})",
                                 row=header_row, field=text)
            fixed[labels[key]] = index
            continue
        month = parse_month_header(cell)
        if month is None:
            raise InputError(path, f"header '{text}' in column {letter} is neither a required "
                                   "column nor a month (expected e.g. 'JAN2019')",
                             row=header_row, field=text)
        if any(month == seen for _, seen, _ in months):
            raise InputError(path, f"month {month} appears twice in the header (column {letter})",
                             row=header_row, field=text)
        months.append((index, month, text))
    for name, header_text in (("route", ROUTE_HEADER), ("border_location", BORDER_HEADER),
                              ("nationality", NATIONALITY_HEADER)):
        if name not in fixed:
            raise InputError(path, f"required column '{header_text}' is missing",
                             row=header_row, field=header_text)
    if not months:
        raise InputError(path, "no month columns in the header (expected e.g. 'JAN2019')",
                         row=header_row)
    return {**fixed, "months": months}


def _tidy(path: Path, rows: list[tuple], header_row: int, header: tuple,
          layout: dict[str, object]) -> pd.DataFrame:
    months: list[tuple[int, str, str]] = layout["months"]  # type: ignore[assignment]
    width = len(header)
    records: list[tuple[str, str, str]] = []
    counts: list[tuple] = []
    excel_rows: list[int] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, cells in enumerate(rows[header_row:], start=header_row + 1):
        cells = tuple(cells) + (None,) * (width - len(cells))
        if all(_is_blank(cell) for cell in cells):
            continue
        route = _text(cells[layout["route"]])
        if route not in ROUTE_LABELS:
            problem = "route is empty" if not route else (
                f"unknown route label {route!r}; expected one of: {', '.join(ROUTE_LABELS)}")
            raise InputError(path, problem, row=number, field=ROUTE_HEADER)
        border = _text(cells[layout["border_location"]]).capitalize()
        if border not in BORDER_LOCATIONS:
            raise InputError(path, f"border location {_text(cells[layout['border_location']])!r} "
                                   f"is not one of {', '.join(BORDER_LOCATIONS)}",
                             row=number, field=BORDER_HEADER)
        nationality = _text(cells[layout["nationality"]])
        if not nationality:
            raise InputError(path, "nationality is empty", row=number, field=NATIONALITY_HEADER)
        key = (route, border, nationality)
        if key in seen:
            raise InputError(path, f"repeats row {seen[key]} ({route} / {border} / {nationality})",
                             row=number, field=NATIONALITY_HEADER)
        seen[key] = number
        records.append(key)
        counts.append(tuple(cells[index] for index, _, _ in months))
        excel_rows.append(number)

    block = np.array(counts, dtype=object).reshape(len(counts), len(months))
    detections = _counts(path, block, excel_rows, [text for _, _, text in months])

    n_rows, n_months = block.shape
    keys = np.array(records, dtype=object).reshape(n_rows, 3)
    frame = pd.DataFrame({
        "route": np.repeat(keys[:, 0], n_months),
        "border_location": np.repeat(keys[:, 1], n_months),
        "nationality": np.repeat(keys[:, 2], n_months),
        "month": np.tile(np.array([month for _, month, _ in months], dtype=object), n_rows),
        "detections": detections.ravel(),
    })
    for name in COLUMNS[:4]:
        frame[name] = frame[name].astype("str")
    return frame


def _text(value: object) -> str:
    return "" if value is None else re.sub(r"\s+", " ", str(value)).strip()


def _counts(path: Path, block: np.ndarray, excel_rows: list[int], headers: list[str]) -> np.ndarray:
    """Validate the count cells (blank = 0) and return them as int64, row by row."""
    if block.size == 0:
        return np.zeros(block.shape, dtype=np.int64)
    blank = np.vectorize(_is_blank, otypes=[bool])(block)
    is_bool = np.vectorize(lambda value: isinstance(value, bool), otypes=[bool])(block)
    as_text = np.where(blank, "0", block).astype(str)
    numbers = pd.to_numeric(pd.Series(as_text.ravel()).str.strip(), errors="coerce") \
        .to_numpy(dtype=float).reshape(block.shape)
    problems = (
        ("is not a number", np.isnan(numbers) | is_bool),
        ("is negative", numbers < 0),
        ("is not a whole number", np.isfinite(numbers) & (np.floor(numbers) != numbers)),
        ("is not finite", np.isinf(numbers)),
    )
    for problem, mask in problems:
        if mask.any():
            row, column = (int(i) for i in np.argwhere(mask)[0])
            raise InputError(path, f"count {block[row, column]!r} {problem}",
                             row=excel_rows[row], field=headers[column])
    return numbers.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def write_frontex_workbook(frame: pd.DataFrame, path: Path | str) -> None:
    """Write a tidy frame (`route`, `border_location`, `nationality`, `month`, `detections`)
    as the Frontex workbook: blank first row, header on row 2, one column per month.

    Rows follow the route order of `pipeline.routes`, then border location and nationality;
    months are in calendar order; missing combinations are 0. The bytes depend only on the
    content (fixed workbook properties and zip timestamps) and the file is replaced atomically.
    """
    missing = [name for name in COLUMNS if name not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {', '.join(missing)}")
    data = frame[list(COLUMNS)].copy()
    unknown = sorted(set(data["route"]) - set(ROUTE_LABELS))
    if unknown:
        raise ValueError(f"unknown route label(s): {', '.join(unknown)}")
    if not set(data["border_location"]) <= set(BORDER_LOCATIONS):
        raise ValueError(f"border_location must be one of {BORDER_LOCATIONS}")
    counts = data["detections"].to_numpy()
    if (counts < 0).any() or not np.array_equal(counts, np.floor(counts)):
        raise ValueError("detections must be non-negative whole numbers")
    data["month"] = [str(pd.Period(month, freq="M")) for month in data["month"]]

    wide = data.pivot_table(index=["route", "border_location", "nationality"], columns="month",
                            values="detections", aggfunc="sum", fill_value=0)
    wide = wide.sort_index(axis=1)
    order = sorted(wide.index, key=lambda key: (ROUTE_LABELS.index(key[0]), key[1], key[2]))
    wide = wide.loc[order]

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    header = [ROUTE_HEADER, BORDER_HEADER, NATIONALITY_HEADER,
              *(month_label(month) for month in wide.columns)]
    for column, label in enumerate(header, start=1):  # row 1 stays blank, as in Frontex's file
        sheet.cell(row=2, column=column, value=label)
    for row, ((route, border, nationality), values) in enumerate(
            zip(wide.index, wide.to_numpy(dtype=np.int64).tolist()), start=3):
        for column, value in enumerate((route, border, nationality, *values), start=1):
            sheet.cell(row=row, column=column, value=value)

    write_workbook(workbook, path)

