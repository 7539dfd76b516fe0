"""Frontex "Monthly detections of illegal border crossings (IBC)" workbook.

Layout of the published file (`Monthly_detections_of_IBC_YYYY_MM_DD.xlsx`), sheet
`Detections_of_IBC`:

- a blank first row (some releases: title rows) above the header;
- the header: `Route`; the border column, `Border type or inland` in recent releases,
  `Border location` or `BorderLocation` in older ones (values Land, Sea); `Nationality`
  (`NationalityLong` in 2018); then one column per month, `JAN2009`, `FEB2009`, ... (older
  releases: Excel date cells);
- one row per route, border type and nationality; a blank count cell means "not reported";
- below the table, in the Route column, a source line such as `Source: FRAN data as of
  06OCT25` (the data's as-of date), possibly footnotes; notes may stand beside the table, in
  columns whose header cell is blank (those columns are not read).

Which rows are data: after the header, a row with its border type or nationality cell filled is
a data row and must be complete and valid (an unknown route is an error). Any other row - blank,
the source line, a footnote - is a note line and is skipped; a note line holding a count in a
month column is an error, as it would be a data row without its key. The as-of date is that of
the first note line saying "data as of <ddMMMyy>".

`read_frontex_workbook` returns a tidy frame (`route`, `border_location`, `nationality`, `month`
as `YYYY-MM`, `detections` float64, NaN where not reported), with the as-of date in
`frame.attrs["data_as_of"]`; `write_frontex_workbook` is its inverse and writes deterministic
bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from pipeline.core.errors import InputError
from pipeline.core.routes import ROUTE_LABELS
from pipeline.core.xlsx import write_workbook

SHEET = "Detections_of_IBC"
# Header names of the key columns, the current one first; compared without case and spaces.
HEADER_NAMES = {
    "route": ("Route",),
    "border_location": ("Border type or inland", "Border location", "BorderLocation"),
    "nationality": ("Nationality", "NationalityLong"),
}
ROUTE_HEADER = HEADER_NAMES["route"][0]
BORDER_LOCATIONS = ("Land", "Sea")
COLUMNS = ("route", "border_location", "nationality", "month", "detections")
DATA_AS_OF = "data_as_of"  # key in the read frame's attrs: ISO date, or None


def _header_key(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


_KEY_COLUMNS = {_header_key(name): column for column, names in HEADER_NAMES.items()
                for name in names}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
# JAN2019, Jan 2019, January 2019
_MONTH_WORD_YEAR = re.compile(r"^([A-Za-z]{3,9})[\s._-]*(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.M](\d{1,2})$")  # 2019-01, 2019/1, 2019M01
# "Source: FRAN data as of 06OCT25" (also "as of 6 October 2025")
_AS_OF = re.compile(r"\bas of\s+(\d{1,2})\s*([A-Za-z]{3,9})\.?\s*(\d{4}|\d{2})\b", re.IGNORECASE)


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
        month = _month_number(match[1])
        return f"{match[2]}-{month:02d}" if month else None
    match = _YEAR_MONTH.match(text)
    if match:
        year, month = int(match[1]), int(match[2])
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
    return None


def _month_number(word: str) -> int | None:
    """'JAN', 'Sept', 'january' -> 1..12; else None."""
    word = word.upper()
    return next((i for i, name in enumerate(_MONTHS, start=1)
                 if word == name or (len(word) > 3 and _full_month(i).startswith(word))), None)


def _full_month(number: int) -> str:
    return dt.date(2000, number, 1).strftime("%B").upper()


def month_label(month: str) -> str:
    """'2019-01' -> 'JAN2019', the workbook's own header form."""
    period = pd.Period(month, freq="M")
    return f"{_MONTHS[period.month - 1]}{period.year}"


def as_of_label(day: dt.date) -> str:
    """2025-10-06 -> '06OCT25', the date form of the workbook's source line."""
    return f"{day.day:02d}{_MONTHS[day.month - 1]}{day.year % 100:02d}"


def read_frontex_workbook(path: Path | str,
                          required_months: Iterable[str] | None = None) -> pd.DataFrame:
    """Read the Frontex IBC workbook into a tidy frame, one row per route, border location,
    nationality and month; `frame.attrs["data_as_of"]` is the source line's date ('2025-10-06')
    or None.

    A blank count cell is NaN (not reported); in one of `required_months` ('YYYY-MM') it is an
    error, and so is a required month without a column. Raises `InputError` naming the file,
    the Excel row and the column for: a missing file or sheet, no header row, missing key
    columns, unrecognised or repeated month headers, unknown route labels or border locations,
    incomplete or repeated rows, counts in a note line, and counts that are negative,
    fractional or not numbers.
    """
    path = Path(path)
    rows = _sheet_rows(path)
    header_row = _find_header(path, rows)
    layout = _column_layout(path, header_row, rows[header_row - 1])
    return _tidy(path, rows, header_row, layout,
                 [str(pd.Period(month, freq="M")) for month in required_months or ()])


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


def _find_header(path: Path, rows: list[tuple]) -> int:
    """The Excel row number of the first row whose first non-empty cell is 'Route'."""
    for number, cells in enumerate(rows, start=1):
        first = next((cell for cell in cells if not _is_blank(cell)), None)
        if isinstance(first, str) and first.strip().lower() == ROUTE_HEADER.lower():
            return number
    raise InputError(path, f"no header row starting with '{ROUTE_HEADER}' in sheet '{SHEET}'",
                     field=ROUTE_HEADER)


@dataclass(frozen=True)
class _Layout:
    keys: dict[str, tuple[int, str]]  # tidy name -> (column index, header text in the file)
    months: list[tuple[int, str, str]]  # (column index, 'YYYY-MM', header text)

    def index(self, name: str) -> int:
        return self.keys[name][0]

    def header(self, name: str) -> str:
        return self.keys[name][1]


def _column_layout(path: Path, header_row: int, header: tuple) -> _Layout:
    keys: dict[str, tuple[int, str]] = {}
    months: list[tuple[int, str, str]] = []
    for index, cell in enumerate(header):
        if _is_blank(cell):  # a column of notes beside the table, or nothing
            continue
        text = _text(cell)
        letter = get_column_letter(index + 1)
        name = _KEY_COLUMNS.get(_header_key(text))
        if name:
            if name in keys:
                raise InputError(path, f"columns '{keys[name][1]}' and '{text}' are the same "
                                       f"column (column {letter})", row=header_row, field=text)
            keys[name] = (index, text)
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
    for name, names in HEADER_NAMES.items():
        if name not in keys:
            raise InputError(path, f"required column {' or '.join(map(repr, names))} is missing",
                             row=header_row, field=names[0])
    if not months:
        raise InputError(path, "no month columns in the header (expected e.g. 'JAN2019')",
                         row=header_row)
    return _Layout(keys, months)


def _tidy(path: Path, rows: list[tuple], header_row: int, layout: _Layout,
          required_months: list[str]) -> pd.DataFrame:
    width = len(rows[header_row - 1])
    month_columns = [index for index, _, _ in layout.months]
    records: list[tuple[str, str, str]] = []
    counts: list[list] = []
    excel_rows: list[int] = []
    seen: dict[tuple[str, str, str], int] = {}
    notes: list[tuple[int, tuple]] = []
    for number, cells in enumerate(rows[header_row:], start=header_row + 1):
        cells = tuple(cells) + (None,) * (width - len(cells))
        if _is_note_line(cells, layout):
            _check_note_line(path, number, cells, layout)
            notes.append((number, cells))
            continue
        key = _row_key(path, number, cells, layout)
        if key in seen:
            raise InputError(path, f"repeats row {seen[key]} ({' / '.join(key)})",
                             row=number, field=layout.header("nationality"))
        seen[key] = number
        records.append(key)
        counts.append([cells[index] for index in month_columns])
        excel_rows.append(number)

    block = np.array(counts, dtype=object).reshape(len(counts), len(layout.months))
    detections = _counts(path, block, excel_rows, layout)
    _check_required(path, detections, excel_rows, layout, required_months)

    n_rows, n_months = block.shape
    keys = np.array(records, dtype=object).reshape(n_rows, 3)
    frame = pd.DataFrame({
        "route": np.repeat(keys[:, 0], n_months),
        "border_location": np.repeat(keys[:, 1], n_months),
        "nationality": np.repeat(keys[:, 2], n_months),
        "month": np.tile(np.array([month for _, month, _ in layout.months], dtype=object), n_rows),
        "detections": detections.ravel(),
    })
    for name in COLUMNS[:4]:
        frame[name] = frame[name].astype("str")
    frame.attrs[DATA_AS_OF] = _data_as_of(path, notes)
    return frame


def _text(value: object) -> str:
    return "" if value is None else re.sub(r"\s+", " ", str(value)).strip()


def _is_note_line(cells: tuple, layout: _Layout) -> bool:
    return (_is_blank(cells[layout.index("border_location")])
            and _is_blank(cells[layout.index("nationality")]))


def _check_note_line(path: Path, number: int, cells: tuple, layout: _Layout) -> None:
    for index, _, header in layout.months:
        if not _is_blank(cells[index]):
            raise InputError(path, f"has a count in {header} but no "
                                   f"{layout.header('border_location')} and no "
                                   f"{layout.header('nationality')}", row=number, field=header)


def _data_as_of(path: Path, lines: list[tuple[int, tuple]]) -> str | None:
    """The date of the first 'data as of 06OCT25' text in `lines`, as '2025-10-06'; else None."""
    for number, cells in lines:
        for cell in cells:
            match = _AS_OF.search(cell) if isinstance(cell, str) else None
            if match:
                day, word, year = match.groups()
                try:
                    return dt.date(int(year) + (2000 if len(year) == 2 else 0),
                                   _month_number(word) or 0, int(day)).isoformat()
                except ValueError:
                    raise InputError(path, f"the date in {cell.strip()!r} is not a valid date",
                                     row=number) from None
    return None


def _row_key(path: Path, number: int, cells: tuple, layout: _Layout) -> tuple[str, str, str]:
    route = _text(cells[layout.index("route")])
    if route not in ROUTE_LABELS:
        problem = "route is empty" if not route else (
            f"unknown route label {route!r}; expected one of: {', '.join(ROUTE_LABELS)}")
        raise InputError(path, problem, row=number, field=layout.header("route"))
    border_text = _text(cells[layout.index("border_location")])
    border = border_text.capitalize()
    if border not in BORDER_LOCATIONS:
        problem = f"border location {border_text!r} is not one of {', '.join(BORDER_LOCATIONS)}"
        raise InputError(path, problem if border_text else "border location is empty",
                         row=number, field=layout.header("border_location"))
    nationality = _text(cells[layout.index("nationality")])
    if not nationality:
        raise InputError(path, "nationality is empty", row=number,
                         field=layout.header("nationality"))
    return route, border, nationality


def _counts(path: Path, block: np.ndarray, excel_rows: list[int], layout: _Layout) -> np.ndarray:
    """Validate the count cells and return them as float64, NaN where blank, row by row."""
    numbers = np.full(block.shape, np.nan)
    filled = ~np.vectorize(_is_blank, otypes=[bool])(block)
    values = block[filled]
    parsed = pd.to_numeric(pd.Series(values.astype(str)).str.strip(), errors="coerce")
    is_bool = np.array([isinstance(value, bool) for value in values], dtype=bool)
    numbers[filled] = np.where(is_bool, np.nan, parsed.to_numpy(dtype=float))
    problems = (
        ("is not a number", filled & np.isnan(numbers)),
        ("is negative", numbers < 0),
        ("is not a whole number", np.isfinite(numbers) & (np.floor(numbers) != numbers)),
        ("is not finite", np.isinf(numbers)),
    )
    for problem, mask in problems:
        if mask.any():
            row, column = (int(i) for i in np.argwhere(mask)[0])
            raise InputError(path, f"count {block[row, column]!r} {problem}",
                             row=excel_rows[row], field=layout.months[column][2])
    return numbers


def _check_required(path: Path, detections: np.ndarray, excel_rows: list[int],
                    layout: _Layout, required_months: list[str]) -> None:
    """Every row has a count in each required month."""
    columns = {month: (position, index, header)
               for position, (index, month, header) in enumerate(layout.months)}
    for month in required_months:
        if month not in columns:
            raise InputError(path, f"sheet '{SHEET}' has no column for {month}, a month the "
                                   "report needs")
        position, index, header = columns[month]
        blank = [row for row, count in zip(excel_rows, detections[:, position]) if np.isnan(count)]
        if blank:
            cell = f"{get_column_letter(index + 1)}{blank[0]}"
            raise InputError(path, f"sheet '{SHEET}', cell {cell}: no count for {header} "
                                   f"(blank: not reported), a month the report needs; "
                                   f"{len(blank)} of {len(excel_rows)} rows are blank in it",
                             row=blank[0], field=header)


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def write_frontex_workbook(frame: pd.DataFrame, path: Path | str, *,
                           data_as_of: dt.date) -> None:
    """Write a tidy frame (`route`, `border_location`, `nationality`, `month`, `detections`)
    as Frontex publishes the workbook: blank first row, header on row 2, one column per month,
    and below the table the source line `Source: FRAN data as of <ddMMMyy>`.

    Rows follow the route order of `pipeline.core.routes`, then border location and nationality;
    months are in calendar order; NaN and missing combinations are blank cells. The bytes
    depend only on the content (fixed workbook properties and zip timestamps) and the file is
    replaced atomically.
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
    counts = data["detections"].to_numpy(dtype=float)
    counts = counts[~np.isnan(counts)]
    if (counts < 0).any() or not np.array_equal(counts, np.floor(counts)):
        raise ValueError("detections must be non-negative whole numbers")
    data["month"] = [str(pd.Period(month, freq="M")) for month in data["month"]]
    keys = ["route", "border_location", "nationality", "month"]
    if data.duplicated(keys).any():
        raise ValueError("frame has repeated route / border_location / nationality / month rows")

    wide = data.set_index(keys)["detections"].astype(float).unstack("month").sort_index(axis=1)
    order = sorted(wide.index, key=lambda key: (ROUTE_LABELS.index(key[0]), key[1], key[2]))
    wide = wide.loc[order]

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    header = [*(names[0] for names in HEADER_NAMES.values()),
              *(month_label(month) for month in wide.columns)]
    for column, label in enumerate(header, start=1):  # row 1 stays blank, as in Frontex's file
        sheet.cell(row=2, column=column, value=label)
    row = 2
    for row, ((route, border, nationality), values) in enumerate(
            zip(wide.index, wide.to_numpy().tolist()), start=3):
        cells = (route, border, nationality,
                 *(None if np.isnan(value) else int(value) for value in values))
        for column, value in enumerate(cells, start=1):
            if value is not None:
                sheet.cell(row=row, column=column, value=value)
    sheet.cell(row=row + 2, column=1, value=f"Source: FRAN data as of {as_of_label(data_as_of)}")

    write_workbook(workbook, path)
