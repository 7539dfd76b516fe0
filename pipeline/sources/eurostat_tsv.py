"""Eurostat whole-table TSV: the `.tsv.gz` the dissemination API serves with `format=TSV`.

Layout (gzip, tab-separated, UTF-8)::

    freq,unit,citizen,sex,age,applicant,geo\\TIME_PERIOD<TAB>2024-07 <TAB>2024-08 
    M,PER,TOTAL,T,TOTAL,ASY_APP,DE<TAB>1234 <TAB>1250 p
    M,PER,TOTAL,T,TOTAL,ASY_APP,EL<TAB>: <TAB>56 e

The first cell of each row holds the comma-joined dimension codes; every other cell is a value,
a space and the observation flags (`p` provisional, `e` estimated, `b` break, `c` confidential,
...). `:` means "not available".

`read_eurostat_tsv` returns a tidy long frame, one row per series and period; it parses with
pyarrow and reshapes with numpy, so it stays fast for tables of millions of observations.
`write_eurostat_tsv` is its inverse and writes deterministic bytes.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from pipeline import atomic
from pipeline.errors import InputError

TIME_COLUMN = "time_period"
VALUE_COLUMN = "value"
FLAG_COLUMN = "flag"
MISSING = ":"

_GZIP_MAGIC = b"\x1f\x8b"
# `dims\TIME_PERIOD`; the older bulk files wrote `dims\time`, accepted too.
_HEADER_FIRST_CELL = re.compile(r"^\s*(?P<dims>[^\\]+)\\(?:TIME_PERIOD|time)\s*$", re.IGNORECASE)
_FLAGS = re.compile(r"^[a-z]*$")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_RESERVED = (TIME_COLUMN, VALUE_COLUMN, FLAG_COLUMN)
# For the frame's hundreds of MB: the C allocator is several times faster here than pyarrow's
# default pool at handing a new process fresh memory.
_POOL = pa.system_memory_pool()


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_eurostat_tsv(path: Path | str) -> pd.DataFrame:
    """Read a Eurostat `.tsv.gz` into a tidy frame.

    Columns: one per dimension (the header's names, in order), `time_period` (str, e.g.
    `2024-07`), `value` (float64, NaN where the cell is `:`), `flag` (str, "" when none).
    Rows come series by series, in file order, each series' periods in header order.
    Raises `InputError` naming the file (and the row and period) when the file is not a
    well-formed Eurostat TSV.
    """
    path = Path(path)
    data = _decompressed(path)
    header, body = _split_header(path, data)
    dimensions, periods = _parse_header(path, header)
    parsed = _parse_canonical_body(body, len(periods))
    if parsed is None:
        parsed = _parse_any_body(path, body, periods, data)
    keys, values, flags = parsed

    codes = _split_keys(path, keys, dimensions)
    _check_unique_series(path, keys)
    n_rows, n_periods = len(keys), len(periods)
    row_of_obs = np.repeat(np.arange(n_rows, dtype=np.int64), n_periods)
    period_of_obs = np.tile(np.arange(n_periods, dtype=np.int64), n_rows)
    # large_string is what pandas' str dtype holds: taking from it avoids a cast per column.
    columns: dict[str, pa.Array] = {
        name: pc.take(code.cast(pa.large_string()), row_of_obs, memory_pool=_POOL)
        for name, code in zip(dimensions, codes)
    }
    columns[TIME_COLUMN] = pc.take(pa.array(periods, pa.large_string()), period_of_obs,
                                   memory_pool=_POOL)
    columns[VALUE_COLUMN] = pa.array(values, pa.float64())
    columns[FLAG_COLUMN] = flags.cast(pa.large_string())
    frame = pa.table(columns).to_pandas()
    for name in [*dimensions, TIME_COLUMN, FLAG_COLUMN]:
        if frame[name].dtype != "str":  # pyarrow older than pandas 3 support: force the dtype
            frame[name] = frame[name].astype("str")
    return frame


def _parse_canonical_body(
    body: bytes, n_periods: int
) -> tuple[pa.Array, np.ndarray, pa.Array] | None:
    """Fast path for cells written exactly `value flags` (one space): series keys, values and
    flags in series-major order; None when any row or cell is not in that form.

    Turning the space into a tab lets pyarrow's CSV parser split values from flags and parse
    the numbers itself, in parallel, with no string processing afterwards.
    """
    value_names = [f"v{i}" for i in range(n_periods)]
    flag_names = [f"f{i}" for i in range(n_periods)]
    names = ["key", *(name for pair in zip(value_names, flag_names) for name in pair)]
    types = {"key": pa.string()}
    types.update(dict.fromkeys(value_names, pa.float64()))
    types.update(dict.fromkeys(flag_names, pa.string()))
    try:
        table = pcsv.read_csv(
            io.BytesIO(body.replace(b" ", b"\t")),
            read_options=pcsv.ReadOptions(column_names=names, block_size=_block_size(body)),
            parse_options=pcsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False,
                                            newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pcsv.ConvertOptions(column_types=types, null_values=[MISSING, ""],
                                                strings_can_be_null=False,
                                                quoted_strings_can_be_null=False),
            memory_pool=_POOL,
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.num_rows == 0:
        return None
    values = np.column_stack([table.column(name).to_numpy() for name in value_names]).ravel()
    n_missing = sum(table.column(name).null_count for name in value_names)
    if np.count_nonzero(np.isnan(values)) != n_missing or np.isinf(values).any():
        return None  # text like `nan` or `inf`: the general path reports it
    flags = _series_major_flags([table.column(name) for name in flag_names])
    if flags is None:
        return None
    return table.column("key").combine_chunks(), values, flags


def _series_major_flags(columns: Sequence[pa.ChunkedArray]) -> pa.Array | None:
    """One flag per cell, series by series, from one column per period."""
    flags = pa.chunked_array([chunk for column in columns for chunk in column.chunks])
    distinct = pc.unique(flags).to_pylist()
    if not all(_FLAGS.match(word) for word in distinct):
        return None
    n_rows, n_periods = len(columns[0]), len(columns)
    series_major = np.arange(n_rows * n_periods, dtype=np.int64).reshape(n_periods, n_rows).T
    return pc.take(pc.cast(flags, pa.large_string(), memory_pool=_POOL), series_major.ravel(),
                   memory_pool=_POOL).combine_chunks(memory_pool=_POOL)


def _block_size(body: bytes) -> int:
    """About two CSV blocks per core, of at least 1 MiB: parsed in parallel, few chunks."""
    return max(1 << 20, len(body) // (2 * (os.cpu_count() or 1)) + 1)


def _parse_any_body(
    path: Path, body: bytes, periods: Sequence[str], data: bytes
) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """General path (any spacing around values and flags), which also finds every error:
    series keys, values and flags in series-major order."""
    table = _parse_body(path, body, len(periods), data)
    n_rows, n_periods = table.num_rows, len(periods)
    keys = table.column(0).combine_chunks()
    # Period-major: all rows of period 0, then all rows of period 1, ...
    cells = pa.concat_arrays([table.column(i + 1).combine_chunks() for i in range(n_periods)])
    values, flags = _parse_cells(path, cells, n_rows, periods)
    series_major = np.arange(n_rows * n_periods, dtype=np.int64).reshape(n_periods, n_rows).T
    series_major = series_major.ravel()
    return keys, values[series_major], pc.take(flags, series_major)


def _decompressed(path: Path) -> bytes:
    """The decompressed bytes (UTF-8, without a byte-order mark)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected a .tsv.gz file") from None
    if not raw:
        raise InputError(path, "file is empty")
    if not raw.startswith(_GZIP_MAGIC):
        if _looks_like_html(raw):
            raise InputError(path, "is an HTML page, not Eurostat data "
                                   "(an error or login page saved instead of the download?)")
        raise InputError(path, "is not a gzip file (expected the compressed TSV, .tsv.gz)")
    try:
        data = gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(path, f"is a truncated or corrupt gzip file ({exc})") from None
    if not data.strip():
        raise InputError(path, "is empty once decompressed")
    if _looks_like_html(data):
        raise InputError(path, "holds an HTML page, not Eurostat data "
                               "(an error page saved instead of the download?)")
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def _looks_like_html(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or \
        b"<html" in head


def _split_header(path: Path, data: bytes) -> tuple[str, bytes]:
    end = data.find(b"\n")
    header, body = (data, b"") if end < 0 else (data[:end], data[end + 1:])
    try:
        return header.decode("utf-8").rstrip("\r"), body
    except UnicodeDecodeError as exc:
        raise InputError(path, f"header is not valid UTF-8 ({exc.reason})", row=1) from None


def _parse_header(path: Path, header: str) -> tuple[list[str], list[str]]:
    cells = header.split("\t")
    match = _HEADER_FIRST_CELL.match(cells[0])
    if match is None:
        raise InputError(
            path,
            f"header's first cell is {cells[0][:80]!r}, expected the dimension names followed by "
            "'\\TIME_PERIOD' (e.g. 'freq,unit,geo\\TIME_PERIOD')",
            row=1,
        )
    dimensions = [name.strip() for name in match["dims"].split(",")]
    if any(not name for name in dimensions):
        raise InputError(path, f"empty dimension name in {cells[0]!r}", row=1)
    clashes = [name for name in dimensions if name in _RESERVED]
    duplicates = sorted({name for name in dimensions if dimensions.count(name) > 1})
    if clashes or duplicates:
        raise InputError(path, f"dimension names must be unique and not one of {_RESERVED}: "
                               f"{', '.join(clashes + duplicates)}", row=1)
    periods = [cell.strip() for cell in cells[1:]]
    if not periods:
        raise InputError(path, "header has no period columns", row=1)
    for column, period in enumerate(periods, start=2):
        if not period:
            raise InputError(path, f"empty period name in header column {column}", row=1)
    repeated = sorted({period for period in periods if periods.count(period) > 1})
    if repeated:
        raise InputError(path, f"period(s) repeated in the header: {', '.join(repeated)}", row=1,
                         field=repeated[0])
    return dimensions, periods


def _parse_body(path: Path, body: bytes, n_periods: int, data: bytes) -> pa.Table:
    if not body.strip():
        raise InputError(path, "has a header but no data rows", row=2)
    names = ["key", *(f"p{i}" for i in range(n_periods))]
    invalid: list[object] = []

    def on_invalid_row(row) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pcsv.read_csv(
            io.BytesIO(body),
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(
                delimiter="\t", quote_char=False, escape_char=False, newlines_in_values=False,
                ignore_empty_lines=True, invalid_row_handler=on_invalid_row,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[],
            ),
        )
    except pa.ArrowInvalid as exc:  # e.g. text that is not UTF-8
        raise InputError(path, f"cannot be parsed as tab-separated UTF-8 text ({exc})") from None
    if invalid:
        _raise_wrong_cell_count(path, data.decode("utf-8", errors="replace"), n_periods + 1)
    if table.num_rows == 0:
        raise InputError(path, "has a header but no data rows", row=2)
    return table


def _raise_wrong_cell_count(path: Path, text: str, expected: int) -> None:
    """Only on error: find the first line whose cell count differs from the header's."""
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if number == 1 or not line:
            continue
        found = line.count("\t") + 1
        if found != expected:
            raise InputError(path, f"has {found} cells, expected {expected} "
                                   f"(the series key and one cell per period)", row=number)
    raise InputError(path, "has a row with the wrong number of cells")  # pragma: no cover


def _split_keys(path: Path, keys: pa.Array, dimensions: Sequence[str]) -> list[pa.Array]:
    parts = pc.split_pattern(keys, ",")
    lengths = pc.list_value_length(parts).to_numpy(zero_copy_only=False)
    wrong = np.flatnonzero(lengths != len(dimensions))
    if wrong.size:
        first = int(wrong[0])
        raise InputError(
            path,
            f"series key {keys[first].as_py()!r} has {int(lengths[first])} codes, expected "
            f"{len(dimensions)} ({','.join(dimensions)})",
            row=first + 2, field=",".join(dimensions),
        )
    codes = [pc.utf8_trim_whitespace(pc.list_element(parts, i)) for i in range(len(dimensions))]
    for name, code in zip(dimensions, codes):
        empty = np.flatnonzero(pc.equal(code, "").to_numpy(zero_copy_only=False))
        if empty.size:
            raise InputError(path, f"empty code for dimension '{name}'", row=int(empty[0]) + 2,
                             field=name)
    return codes


def _check_unique_series(path: Path, keys: pa.Array) -> None:
    normalised = pc.utf8_trim_whitespace(keys)
    if pc.count_distinct(normalised).as_py() == len(normalised):
        return
    duplicated = pd.Series(normalised.to_numpy(zero_copy_only=False)).duplicated().to_numpy()
    first = int(np.flatnonzero(duplicated)[0])
    raise InputError(path, f"series {normalised[first].as_py()!r} appears more than once",
                     row=first + 2)


def _parse_cells(
    path: Path, cells: pa.Array, n_rows: int, periods: Sequence[str]
) -> tuple[np.ndarray, pa.Array]:
    """Split `value flags` cells; return float64 values (period-major) and the flags."""
    # "1234 " -> "1234", ""; "1234 p" -> "1234", "p"; ": c" -> ":", "c". Most cells carry no
    # flag: only the cells with an inner space are split (splitting all of them is slow).
    trimmed = pc.utf8_trim_whitespace(cells)
    has_flag = pc.greater_equal(pc.find_substring(trimmed, " "), 0)
    if pc.any(has_flag).as_py():
        parts = pc.split_pattern(pc.filter(trimmed, has_flag), " ", max_splits=1)
        numbers = pc.replace_with_mask(trimmed, has_flag, pc.list_element(parts, 0))
        flags = pc.replace_with_mask(pc.if_else(has_flag, trimmed, pa.scalar("")), has_flag,
                                     pc.utf8_trim_whitespace(pc.list_element(parts, 1)))
    else:
        numbers = trimmed
        flags = pc.if_else(has_flag, trimmed, pa.scalar(""))

    bad_flag = pc.invert(pc.match_substring_regex(flags, _FLAGS.pattern))
    if pc.any(bad_flag).as_py():
        first = int(np.flatnonzero(bad_flag.to_numpy(zero_copy_only=False))[0])
        raise _cell_error(path, first, n_rows, periods,
                          f"value {cells[first].as_py()!r} is not a number followed by flags")

    missing = pc.or_(pc.equal(numbers, MISSING), pc.equal(numbers, ""))
    to_cast = pc.if_else(missing, pa.scalar(None, pa.string()), numbers)
    try:
        values = pc.cast(to_cast, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        values = None
    if values is not None:
        as_numpy = values.to_numpy(zero_copy_only=False)  # nulls become NaN
        present = ~missing.to_numpy(zero_copy_only=False)
        if np.isfinite(as_numpy[present]).all():
            return as_numpy, flags
    # Error path only: find the first cell that is not a plain number.
    numeric = pc.match_substring_regex(numbers, _NUMBER.pattern)
    bad = pc.and_(pc.invert(numeric), pc.invert(missing)).to_numpy(zero_copy_only=False)
    first = int(np.flatnonzero(bad)[0]) if bad.any() else 0
    raise _cell_error(path, first, n_rows, periods,
                      f"value {cells[first].as_py()!r} is not numeric (expected a number or ':')")


def _cell_error(path: Path, index: int, n_rows: int, periods: Sequence[str], problem: str):
    period_index, row_index = divmod(index, n_rows)
    return InputError(path, problem, row=row_index + 2, field=periods[period_index])


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def write_eurostat_tsv(frame: pd.DataFrame, dimensions: Sequence[str], path: Path | str) -> None:
    """Write a tidy frame (dimension columns, `time_period`, `value`, `flag`) as a `.tsv.gz`.

    The inverse of `read_eurostat_tsv`. Rows are sorted by their dimension codes and periods
    by their codes; a series without a value for some period gets `:` there. NaN values are
    written `:` (with their flag, e.g. `: c`). The bytes depend only on the content (gzip
    mtime 0) and the file is replaced atomically.
    """
    dimensions = list(dimensions)
    if not dimensions:
        raise ValueError("at least one dimension is needed")
    required = [*dimensions, TIME_COLUMN, VALUE_COLUMN]
    missing = [name for name in required if name not in frame.columns]
    if missing:
        raise ValueError(f"frame has no column(s) {', '.join(missing)}")
    data = frame[required].copy()
    data[FLAG_COLUMN] = frame[FLAG_COLUMN].fillna("") if FLAG_COLUMN in frame.columns else ""
    for name in [*dimensions, TIME_COLUMN, FLAG_COLUMN]:
        data[name] = data[name].astype("str").str.strip()
        if name != FLAG_COLUMN and (data[name] == "").any():
            raise ValueError(f"empty code in column {name!r}")
    for name in dimensions:
        if data[name].str.contains(",", regex=False).any():
            raise ValueError(f"codes in column {name!r} must not contain commas")
    if data.duplicated([*dimensions, TIME_COLUMN]).any():
        raise ValueError("frame has more than one value for the same series and period")
    if not data[FLAG_COLUMN].str.fullmatch(_FLAGS.pattern).all():
        raise ValueError("flags must be lower-case letters")

    numbers = _format_values(data[VALUE_COLUMN].to_numpy(dtype=float))
    data["cell"] = pd.Series(numbers, index=data.index, dtype="str") + " " + data[FLAG_COLUMN]
    wide = data.pivot(index=dimensions, columns=TIME_COLUMN, values="cell")
    wide = wide.sort_index(axis=0).sort_index(axis=1).fillna(f"{MISSING} ")
    periods = [str(period) for period in wide.columns]

    keys = _index_as_keys(wide.index, len(dimensions))
    header = f"{','.join(dimensions)}\\{TIME_COLUMN.upper()}"
    lines = ["\t".join([header, *(f"{period} " for period in periods)])]
    lines.extend("\t".join([key, *cells]) for key, cells in zip(keys, wide.to_numpy().tolist()))
    text = "\n".join(lines) + "\n"

    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=6) as gz:
        gz.write(text.encode("utf-8"))
    atomic.write_bytes(path, buffer.getvalue())


def _index_as_keys(index: pd.Index, n_dimensions: int) -> list[str]:
    if n_dimensions == 1:
        return [str(code) for code in index]
    return [",".join(codes) for codes in index]


def _format_values(values: np.ndarray) -> np.ndarray:
    """Integers without decimals, other numbers as the shortest round-tripping text, NaN `:`."""
    text = np.full(values.shape, MISSING, dtype=object)
    finite = np.isfinite(values)
    if np.isinf(values).any():
        raise ValueError("values must be finite or NaN")
    integral = finite & (np.abs(values) < 2**53) & (np.floor(values) == values)
    text[integral] = values[integral].astype(np.int64).astype(str)
    fractional = finite & ~integral
    text[fractional] = [repr(float(value)) for value in values[fractional]]
    return text
