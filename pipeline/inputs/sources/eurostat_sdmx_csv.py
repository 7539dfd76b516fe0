"""Eurostat SDMX-CSV: what the dissemination API serves with `format=SDMX-CSV` (`.csv`, `.csv.gz`).

Layout (comma-separated, UTF-8, one observation per row), SDMX-CSV 1.0::

    DATAFLOW,LAST UPDATE,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS
    ESTAT:MIGR_ASYAPPCTZM(1.0),12/11/25 23:00:00,M,PER,DE,2024-07,1234,,
    ESTAT:MIGR_ASYAPPCTZM(1.0),12/11/25 23:00:00,M,PER,EL,2024-07,,,C
    ESTAT:MIGR_ASYAPPCTZM(1.0),12/11/25 23:00:00,M,PER,FR,2024-07,987,p,

and SDMX-CSV 2.0, which starts `STRUCTURE,STRUCTURE_ID,ACTION` (`dataflow`,
`ESTAT:MIGR_ASYAPPCTZM(1.0)`, `I`). Columns are found by name, in any order: the dimensions are
all columns but those of `NOT_DIMENSIONS`. A missing value is an empty `OBS_VALUE` or `:`.
Confidentiality comes in its own column (`CONF_STATUS` `C`) where the TSV writes it as the flag
`c`; it is merged into the flags, so both formats give the same frame. Codes are harmonised as
by the TSV reader (`asyl_app` -> `applicant`, `geo` GR -> EL, `2019M07` -> `2019-07`, flags in
lower case).

`read_eurostat_sdmx_csv` returns exactly the frame of
`pipeline.inputs.sources.eurostat_tsv.read_eurostat_tsv`: one column per dimension (str), `time_period`
(str), `value` (float64, NaN when missing), `flag` (str, "" when none).
`write_eurostat_sdmx_csv` is its inverse (for tests and conversions) and writes deterministic
bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from pipeline.core import atomic
from pipeline.core.errors import InputError
from pipeline.inputs.sources.eurostat_tsv import (
    DIMENSION_ALIASES,
    FLAG_COLUMN,
    GEO_ALIASES,
    MISSING,
    TIME_COLUMN,
    VALUE_COLUMN,
    Selection,
    normalise_period,
    open_table,
    wanted_codes,
    written_both_ways,
)

SDMX_TIME = "TIME_PERIOD"
SDMX_VALUE = "OBS_VALUE"
SDMX_FLAG = "OBS_FLAG"
SDMX_CONFIDENTIALITY = "CONF_STATUS"
SDMX_ACTION = "ACTION"
# SDMX-CSV 1.0 (DATAFLOW, LAST UPDATE) and 2.0 (STRUCTURE ... ACTION, optional key columns).
METADATA_COLUMNS = ("DATAFLOW", "LAST UPDATE", "STRUCTURE", "STRUCTURE_ID", "STRUCTURE_NAME",
                    SDMX_ACTION, "SERIES_KEY", "OBS_KEY")
NOT_DIMENSIONS = (*METADATA_COLUMNS, SDMX_TIME, SDMX_VALUE, SDMX_FLAG, SDMX_CONFIDENTIALITY)
# SDMX-CSV 2.0 ACTION codes of observations: I information, A append, R replace (D deletes).
_DATA_ACTIONS = ("I", "A", "R")
# CONF_STATUS codes: F free (no flag), C confidential (the TSV's `c`); others are kept lower-case.
_FREE = {"", "F"}
_LETTERS = re.compile(r"^[A-Za-z]*$")
_BLOCK_SIZE = 1 << 22
_NO_ROWS = "has a header but no data rows (an empty selection?)"


def read_eurostat_sdmx_csv(path: Path | str, selection: Selection | None = None) -> pd.DataFrame:
    """Read a Eurostat SDMX-CSV file (plain or gzip-compressed) into the tidy frame.

    With a `selection` (dimension -> codes), only the observations of the selected series are
    kept, block by block while the file is read. Raises `InputError` naming the file, and the
    row (line of the file) and column where relevant, when the file is not well-formed SDMX-CSV:
    HTML instead of data, truncated gzip, no `TIME_PERIOD` or `OBS_VALUE` column, no data rows, a
    row with the wrong number of fields or not UTF-8. In the rows kept it also checks: no empty
    code, a number or nothing as value, flags of letters, ACTION I, A or R, no observation twice
    (also once `geo` GR is read as EL).
    """
    path = Path(path)
    gzip_only = path.name.lower().endswith(".gz")
    with open_table(path, gzip_only=gzip_only) as stream:
        header = _parse_header(path, stream.readline())
        names = {name: DIMENSION_ALIASES.get(name, name) for name in header
                 if name not in NOT_DIMENSIONS}
        dimensions = list(names.values())
        _check_dimensions(path, dimensions)
        codes = wanted_codes(path, selection, dimensions)
        wanted = {column: codes[name] for column, name in names.items() if name in codes}
        try:
            table, rows = _kept_rows(path, stream, header, wanted)
        except pa.ArrowInvalid as exc:
            raise _bad_row(path, len(header), gzip_only) or \
                InputError(path, f"is not a valid CSV file ({exc})") from None
    frame = table.to_pandas().rename(columns=names)

    def row_of(position: int) -> int:
        return _file_line(path, int(rows[position]), gzip_only)

    for name in [*dimensions, SDMX_TIME]:
        cells = frame[name].str.strip()
        empty = (cells == "").to_numpy()
        if empty.any():
            raise InputError(path, f"empty code in column '{name}'", row=row_of(empty.argmax()),
                             field=name)
        frame[name] = cells
    if SDMX_ACTION in frame:
        other = ~frame[SDMX_ACTION].str.strip().str.upper().isin(_DATA_ACTIONS).to_numpy()
        if other.any():
            position = int(other.argmax())
            raise InputError(path, f"ACTION {frame[SDMX_ACTION].iloc[position]!r} is not an "
                                   f"observation (expected {', '.join(_DATA_ACTIONS)})",
                             row=row_of(position), field=SDMX_ACTION)

    raw_values = frame[SDMX_VALUE].str.strip()
    missing = raw_values.isin(["", MISSING]).to_numpy()
    values = pd.to_numeric(raw_values.where(~missing, None), errors="coerce").to_numpy(dtype=float)
    bad = (np.isnan(values) & ~missing) | np.isinf(values)
    if bad.any():
        position = int(bad.argmax())
        raise InputError(path, f"value {raw_values.iloc[position]!r} is not numeric (expected a "
                               "number, ':' or nothing)", row=row_of(position), field=SDMX_VALUE)

    flags = _flags(path, frame, row_of)

    periods = frame[SDMX_TIME].unique()
    frame[SDMX_TIME] = frame[SDMX_TIME].map(dict(zip(periods, map(normalise_period, periods))))
    _check_unique(path, frame, dimensions, row_of)
    if "geo" in frame:
        frame["geo"] = frame["geo"].replace(GEO_ALIASES)
        _check_unique(path, frame, dimensions, row_of, both_ways=True)

    tidy = pd.DataFrame({name: frame[name].astype("str") for name in dimensions})
    tidy[TIME_COLUMN] = frame[SDMX_TIME].astype("str")
    tidy[VALUE_COLUMN] = pd.Series(values, index=frame.index, dtype="float64")
    tidy[FLAG_COLUMN] = flags.astype("str")
    return tidy.reset_index(drop=True)


def _parse_header(path: Path, line: bytes) -> list[str]:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"is not UTF-8 text ({exc.reason})", row=1) from None
    header = [name.strip() for name in next(csv.reader([text]))]
    if len(header) == 1 and re.search(r"[;\t|]", header[0]):
        raise InputError(path, "wrong delimiter: SDMX-CSV columns are separated by commas", row=1)
    for required in (SDMX_TIME, SDMX_VALUE):
        if required not in header:
            raise InputError(path, f"column missing; the header has: {', '.join(header)}", row=1,
                             field=required)
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise InputError(path, f"column(s) repeated in the header: {', '.join(repeated)}", row=1)
    return header


def _check_dimensions(path: Path, dimensions: Sequence[str]) -> None:
    if not dimensions:
        raise InputError(path, "no dimension columns besides TIME_PERIOD and OBS_VALUE", row=1)
    reserved = [name for name in dimensions if name in (TIME_COLUMN, VALUE_COLUMN, FLAG_COLUMN)]
    repeated = sorted({name for name in dimensions if dimensions.count(name) > 1})
    if reserved or repeated:
        raise InputError(path, f"dimension name(s) {', '.join(reserved + repeated)} clash with "
                               "another dimension or the tidy frame's columns", row=1)


def _kept_rows(path: Path, stream: BinaryIO, header: Sequence[str],
               wanted: dict[str, set[str]]) -> tuple[pa.Table, np.ndarray]:
    """The rows of the wanted series (all but the metadata columns), and their positions among
    the data rows; `wanted` maps dimension columns to the codes to keep."""
    if not stream.peek(1):
        raise InputError(path, _NO_ROWS, row=2)
    columns = [name for name in header if name not in METADATA_COLUMNS or name == SDMX_ACTION]
    reader = pcsv.open_csv(
        stream,
        read_options=pcsv.ReadOptions(column_names=header, block_size=_BLOCK_SIZE),
        parse_options=pcsv.ParseOptions(newlines_in_values=False),
        convert_options=pcsv.ConvertOptions(
            include_columns=columns, column_types=dict.fromkeys(columns, pa.string()),
            strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[]),
    )
    tests = {name: pa.array(sorted(codes), pa.string()) for name, codes in wanted.items()}
    batches, rows, n_rows = [], [], 0
    for batch in reader:
        keep = np.ones(batch.num_rows, dtype=bool)
        for name, codes in tests.items():
            cells = pc.utf8_trim_whitespace(batch.column(name))
            keep &= pc.is_in(cells, value_set=codes).to_numpy(zero_copy_only=False)
        batches.append(batch.filter(keep))
        rows.append(n_rows + np.flatnonzero(keep))
        n_rows += batch.num_rows
    if not n_rows:
        raise InputError(path, _NO_ROWS, row=2)
    return pa.Table.from_batches(batches, reader.schema), np.concatenate(rows)


def _check_unique(path: Path, frame: pd.DataFrame, dimensions: Sequence[str], row_of, *,
                  both_ways: bool = False) -> None:
    repeated = frame.duplicated([*dimensions, SDMX_TIME]).to_numpy()
    if not repeated.any():
        return
    position = int(repeated.argmax())
    key = ",".join(frame.loc[frame.index[position], dimensions])
    observation = f"observation {key} {frame[SDMX_TIME].iloc[position]}"
    if both_ways:
        raise InputError(path, f"{observation} appears twice: "
                               f"{written_both_ways(frame['geo'].iloc[position])}",
                         row=row_of(position), field="geo")
    raise InputError(path, f"{observation} appears more than once", row=row_of(position),
                     field=SDMX_TIME)


def _file_line(path: Path, row: int, gzip_only: bool) -> int:
    """Error path only: the line of the file of data row `row` (0-based; the parser skips
    empty lines)."""
    with open_table(path, gzip_only=gzip_only) as stream:
        stream.readline()
        data_lines = (number for number, line in enumerate(stream, start=2)
                      if line.rstrip(b"\r\n"))
        return next(itertools.islice(data_lines, row, None))


def _bad_row(path: Path, n_columns: int, gzip_only: bool) -> InputError | None:
    """Error path only: the first line that is not UTF-8 or has the wrong number of fields."""
    with open_table(path, gzip_only=gzip_only) as stream:
        stream.readline()
        for number, line in enumerate(stream, start=2):
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                return InputError(path, f"is not UTF-8 text ({exc.reason})", row=number)
            found = len(next(csv.reader([text]))) if text.strip("\r\n") else n_columns
            if found != n_columns:
                return InputError(path, f"has {found} fields, expected {n_columns} (one per "
                                        "header column)", row=number)
    return None


def _flags(path: Path, frame: pd.DataFrame, row_of) -> pd.Series:
    """OBS_FLAG in lower case with the confidentiality status merged in, as the TSV writes it
    (`c`); a flag or status that is not letters is an InputError."""
    flags = pd.Series("", index=frame.index, dtype="str")
    for name in (SDMX_FLAG, SDMX_CONFIDENTIALITY):
        if name not in frame:
            continue
        cells = frame[name].str.strip()
        bad = ~cells.str.fullmatch(_LETTERS.pattern).to_numpy()
        if bad.any():
            position = int(bad.argmax())
            raise InputError(path, f"flag {cells.iloc[position]!r} is not a set of letters",
                             row=row_of(position), field=name)
        if name == SDMX_CONFIDENTIALITY:
            cells = cells.str.upper().where(~cells.str.upper().isin(_FREE), "")
        flags = pd.Series([flag + "".join(letter for letter in more if letter not in flag)
                           for flag, more in zip(flags.tolist(), cells.str.lower().tolist())],
                          index=frame.index, dtype="str")
    return flags


def write_eurostat_sdmx_csv(frame: pd.DataFrame, dimensions: Sequence[str], path: Path | str, *,
                            dataflow: str = "ESTAT:DATASET(1.0)",
                            last_update: str = "01/01/25 23:00:00") -> None:
    """Write a tidy frame (dimension columns, `time_period`, `value`, `flag`) as SDMX-CSV.

    The inverse of `read_eurostat_sdmx_csv`: one row per observation, sorted by dimension codes
    and period; NaN is written as an empty `OBS_VALUE`; the flag `c` goes to `CONF_STATUS` `C`
    and the other flags to `OBS_FLAG`. A name ending in `.gz` is gzip-compressed (mtime 0).
    """
    dimensions = list(dimensions)
    missing = [name for name in [*dimensions, TIME_COLUMN, VALUE_COLUMN] if name not in frame]
    if missing:
        raise ValueError(f"frame has no column(s) {', '.join(missing)}")
    data = frame.sort_values([*dimensions, TIME_COLUMN], kind="stable")
    flags = data[FLAG_COLUMN].fillna("").astype(str) if FLAG_COLUMN in data else \
        pd.Series("", index=data.index)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["DATAFLOW", "LAST UPDATE", *dimensions, SDMX_TIME, SDMX_VALUE, SDMX_FLAG,
                     SDMX_CONFIDENTIALITY])
    for row, flag in zip(data[[*dimensions, TIME_COLUMN, VALUE_COLUMN]].itertuples(index=False),
                         flags.tolist()):
        *codes, period, value = row
        writer.writerow([dataflow, last_update, *codes, period, _number(value),
                         flag.replace("c", ""), "C" if "c" in flag else ""])
    data_bytes = buffer.getvalue().encode("utf-8")
    if str(path).lower().endswith(".gz"):
        out = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as gz:
            gz.write(data_bytes)
        data_bytes = out.getvalue()
    atomic.write_bytes(path, data_bytes)


def _number(value: float) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
