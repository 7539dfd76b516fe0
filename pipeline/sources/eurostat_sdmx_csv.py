"""Eurostat SDMX-CSV: what the dissemination API serves with `format=SDMX-CSV` (`.csv`, `.csv.gz`).

Layout (comma-separated, UTF-8, one observation per row)::

    DATAFLOW,LAST UPDATE,freq,unit,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS
    ESTAT:MIGR_ASYAPPCTZM(1.0),12/11/25 23:00:00,M,PER,DE,2024-07,1234,,
    ESTAT:MIGR_ASYAPPCTZM(1.0),12/11/25 23:00:00,M,PER,EL,2024-07,,,C
    ESTAT:MIGR_ASYAPPCTZM(1.0),12/11/25 23:00:00,M,PER,FR,2024-07,987,p,

The dimension columns are those between the leading metadata columns (`DATAFLOW`, `LAST UPDATE`;
SDMX-CSV 2.0's `STRUCTURE`, `STRUCTURE_ID`, `ACTION` too) and `TIME_PERIOD`. A missing value is
an empty `OBS_VALUE` or `:`. Confidentiality comes in its own column (`CONF_STATUS` `C`) where
the TSV writes it as the flag `c`; it is merged into the flags, so both formats give the same
frame.

`read_eurostat_sdmx_csv` returns exactly the frame of
`pipeline.sources.eurostat_tsv.read_eurostat_tsv`: one column per dimension (str), `time_period`
(str), `value` (float64, NaN when missing), `flag` (str, "" when none).
`write_eurostat_sdmx_csv` is its inverse (for tests and conversions) and writes deterministic
bytes.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import atomic
from pipeline.errors import InputError
from pipeline.sources.eurostat_tsv import FLAG_COLUMN, MISSING, TIME_COLUMN, VALUE_COLUMN

SDMX_TIME = "TIME_PERIOD"
SDMX_VALUE = "OBS_VALUE"
SDMX_FLAG = "OBS_FLAG"
SDMX_CONFIDENTIALITY = "CONF_STATUS"
METADATA_COLUMNS = ("DATAFLOW", "LAST UPDATE", "STRUCTURE", "STRUCTURE_ID", "ACTION")
# CONF_STATUS codes: F free (no flag), C confidential (the TSV's `c`); others are kept lower-case.
_FREE = {"", "F"}

_GZIP_MAGIC = b"\x1f\x8b"
_FLAGS = re.compile(r"^[a-z]*$")


def read_eurostat_sdmx_csv(path: Path | str) -> pd.DataFrame:
    """Read a Eurostat SDMX-CSV file (plain or gzip-compressed) into the tidy frame.

    Raises `InputError` naming the file, and the row and column where relevant, when the file
    is not a well-formed SDMX-CSV: HTML instead of data, truncated gzip, no `TIME_PERIOD` or
    `OBS_VALUE` column, no data rows, a non-numeric value, a bad flag, a repeated observation.
    """
    path = Path(path)
    text = _text(path)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                            skipinitialspace=False)
    except pd.errors.EmptyDataError:
        raise InputError(path, "is empty") from None
    except pd.errors.ParserError as exc:
        raise InputError(path, f"is not a valid CSV file ({exc})") from None
    header = [str(name).strip() for name in frame.columns]
    frame.columns = header
    if len(header) == 1 and re.search(r"[;\t|]", header[0]):
        raise InputError(path, "wrong delimiter: SDMX-CSV columns are separated by commas", row=1)
    for required in (SDMX_TIME, SDMX_VALUE):
        if required not in header:
            raise InputError(path, f"column missing; the header has: {', '.join(header)}", row=1,
                             field=required)
    dimensions = [name for name in header[:header.index(SDMX_TIME)] if name not in METADATA_COLUMNS]
    if not dimensions:
        raise InputError(path, "no dimension columns before TIME_PERIOD", row=1)
    reserved = [name for name in dimensions if name in (TIME_COLUMN, VALUE_COLUMN, FLAG_COLUMN)]
    if reserved:
        raise InputError(path, f"dimension name(s) {', '.join(reserved)} clash with the tidy "
                               "frame's columns", row=1)
    if frame.empty:
        raise InputError(path, "has a header but no data rows (an empty selection?)", row=2)

    def excel_row(position: int) -> int:
        return int(position) + 2  # header is row 1

    for name in [*dimensions, SDMX_TIME]:
        cells = frame[name].str.strip()
        empty = (cells == "").to_numpy()
        if empty.any():
            raise InputError(path, f"empty code in column '{name}'", row=excel_row(empty.argmax()),
                             field=name)
        frame[name] = cells

    raw_values = frame[SDMX_VALUE].str.strip()
    missing = raw_values.isin(["", MISSING]).to_numpy()
    values = pd.to_numeric(raw_values.where(~missing, None), errors="coerce").to_numpy(dtype=float)
    bad = (np.isnan(values) & ~missing) | np.isinf(values)
    if bad.any():
        position = int(bad.argmax())
        raise InputError(path, f"value {raw_values.iloc[position]!r} is not numeric (expected a "
                               "number, ':' or nothing)", row=excel_row(position), field=SDMX_VALUE)

    flags = _flags(frame)
    bad_flag = ~flags.str.fullmatch(_FLAGS.pattern).to_numpy()
    if bad_flag.any():
        position = int(bad_flag.argmax())
        raise InputError(path, f"flag {flags.iloc[position]!r} is not a set of lower-case "
                               "letters", row=excel_row(position), field=SDMX_FLAG)

    repeated = frame.duplicated([*dimensions, SDMX_TIME]).to_numpy()
    if repeated.any():
        position = int(repeated.argmax())
        key = ",".join(frame.loc[frame.index[position], dimensions])
        raise InputError(path, f"observation {key} {frame[SDMX_TIME].iloc[position]} appears more "
                               "than once", row=excel_row(position), field=SDMX_TIME)

    tidy = pd.DataFrame({name: frame[name].astype("str") for name in dimensions})
    tidy[TIME_COLUMN] = frame[SDMX_TIME].astype("str")
    tidy[VALUE_COLUMN] = pd.Series(values, index=frame.index, dtype="float64")
    tidy[FLAG_COLUMN] = flags.astype("str")
    return tidy.reset_index(drop=True)


def _flags(frame: pd.DataFrame) -> pd.Series:
    """OBS_FLAG with the confidentiality status merged in, as the TSV writes it (`c`)."""
    flags = frame[SDMX_FLAG].str.strip() if SDMX_FLAG in frame else pd.Series("", index=frame.index)
    if SDMX_CONFIDENTIALITY not in frame:
        return flags.astype("str")
    status = frame[SDMX_CONFIDENTIALITY].str.strip().str.upper()
    extra = status.where(~status.isin(_FREE), "").str.lower()
    merged = [flag + "".join(letter for letter in more if letter not in flag)
              for flag, more in zip(flags.tolist(), extra.tolist())]
    return pd.Series(merged, index=frame.index, dtype="str")


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected an SDMX-CSV file") from None
    if not raw.strip():
        raise InputError(path, "file is empty")
    if raw.startswith(_GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise InputError(path, f"is a truncated or corrupt gzip file ({exc})") from None
        if not raw.strip():
            raise InputError(path, "is empty once decompressed")
    elif path.name.lower().endswith(".gz"):
        raise InputError(path, "is not a gzip file, although its name ends in .gz")
    head = raw[:1024].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or b"<html" in head:
        raise InputError(path, "is an HTML or XML page, not SDMX-CSV data "
                               "(an error page saved instead of the download?)")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise InputError(path, f"is not UTF-8 text ({exc.reason})", row=line) from None


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
