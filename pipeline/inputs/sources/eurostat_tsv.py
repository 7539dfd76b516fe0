"""Eurostat whole-table TSV: the `.tsv.gz` the dissemination API serves with `format=TSV`.

Layout (gzip, tab-separated, UTF-8)::

    freq,unit,citizen,sex,age,applicant,geo\\TIME_PERIOD<TAB>2024-07 <TAB>2024-08 
    M,PER,TOTAL,T,TOTAL,ASY_APP,DE<TAB>1234 <TAB>1250 p
    M,PER,TOTAL,T,TOTAL,ASY_APP,EL<TAB>: <TAB>56 e

The first cell of each row holds the comma-joined dimension codes; every other cell is a value,
a space and the observation flags (`p` provisional, `e` estimated, `b` break, `c` confidential,
...). `:` means "not available". Older bulk files wrote `dims\\time` as the first header cell,
months as `2019M07`, quarters as `2019Q3`, the applicant type as `asyl_app`, and had no `freq`
dimension; some files write Greece `GR` or flags in capitals. The readers harmonise these to the
API's codes (`DIMENSION_ALIASES`, `GEO_ALIASES`, `PERIOD_FORMS`, `FREQUENCIES`; flags in lower
case).

`read_eurostat_tsv(path, selection)` returns a tidy long frame, one row per series and period.
A selection (dimension -> codes to keep) is applied line by line while the file is decompressed,
so of a whole table of hundreds of MB only the selected series are held and parsed.
`write_eurostat_tsv` is its inverse and writes deterministic bytes.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from pipeline.core import atomic, countries
from pipeline.core.errors import InputError

TIME_COLUMN = "time_period"
VALUE_COLUMN = "value"
FLAG_COLUMN = "flag"
MISSING = ":"

# Which series to read: dimension -> the codes kept (one code may be given as a string).
Selection = Mapping[str, str | Collection[str]]
# Dimension names of the older bulk files -> the API's.
DIMENSION_ALIASES = {"asyl_app": "applicant"}
# Member States written with their ISO code -> Eurostat's code, in the `geo` dimension (GR -> EL).
GEO_ALIASES = {state.iso2: state.eurostat for state in countries.MEMBER_STATES
               if state.iso2 != state.eurostat}
# Time codes of the older bulk files -> the API's: 2019M07 -> 2019-07, 2019Q3 -> 2019-Q3.
PERIOD_FORMS = ((re.compile(r"^(\d{4})M(0[1-9]|1[0-2])$"), r"\1-\2"),
                (re.compile(r"^(\d{4})Q([1-4])$"), r"\1-Q\2"))
# The older bulk files have no `freq` dimension: it is read from their (harmonised) time codes.
FREQUENCIES = {"A": re.compile(r"^\d{4}$"), "Q": re.compile(r"^\d{4}-Q[1-4]$"),
               "M": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")}

_GZIP_MAGIC = b"\x1f\x8b"
_BOM = b"\xef\xbb\xbf"
# `dims\TIME_PERIOD`; the older bulk files wrote `dims\time`, accepted too.
_HEADER_FIRST_CELL = re.compile(r"^\s*(?P<dims>[^\\]+)\\(?:TIME_PERIOD|time)\s*$", re.IGNORECASE)
_FLAGS = re.compile(r"^[A-Za-z]*$")  # read in any case, kept in lower case
_WRITTEN_FLAGS = re.compile(r"^[a-z]*$")
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
_RESERVED = (TIME_COLUMN, VALUE_COLUMN, FLAG_COLUMN)
# For the frame's hundreds of MB: the C allocator is several times faster here than pyarrow's
# default pool at handing a new process fresh memory.
_POOL = pa.system_memory_pool()


# ---------------------------------------------------------------------------------------------
# Shared by the TSV and SDMX-CSV readers
# ---------------------------------------------------------------------------------------------


@contextmanager
def open_table(path: Path, *, gzip_only: bool) -> Iterator[BinaryIO]:
    """The file's bytes, decompressed if it is gzip, positioned after any byte-order mark.

    Refuses a missing or empty file, an HTML page, and (with `gzip_only`) a file that is not
    gzip; reading a truncated or corrupt gzip raises InputError too.
    """
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected a data file") from None
    with raw:
        magic = raw.read(2)
        if not magic:
            raise InputError(path, "file is empty")
        raw.seek(0)
        compressed = magic == _GZIP_MAGIC
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        try:
            head = stream.read(1024)
            if _looks_like_html(head):
                raise InputError(path, "is an HTML or XML page, not Eurostat data "
                                       "(an error or login page saved instead of the download?)")
            if gzip_only and not compressed:
                raise InputError(path, "is not a gzip file (expected compressed data, .gz)")
            if not head.strip():
                raise InputError(path, "is empty once decompressed" if compressed else "is empty")
            stream.seek(len(_BOM) if head.startswith(_BOM) else 0)
            yield stream
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise InputError(path, f"is a truncated or corrupt gzip file ({exc})") from None


def _looks_like_html(head: bytes) -> bool:
    head = head.lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body")) or \
        b"<html" in head


def wanted_codes(path: Path, selection: Selection | None,
                 dimensions: Sequence[str]) -> dict[str, set[str]]:
    """The codes to keep of each selected dimension; in `geo` also the Member States' ISO codes.

    A selected dimension that the file lacks is an InputError naming it.
    """
    wanted = {}
    for name, codes in (selection or {}).items():
        if name not in dimensions:
            raise InputError(path, "dimension missing from the header", row=1, field=name)
        codes = {codes} if isinstance(codes, str) else set(codes)
        if name == "geo":
            codes |= {iso for iso, eurostat in GEO_ALIASES.items() if eurostat in codes}
        wanted[name] = codes
    return wanted


def normalise_period(code: str) -> str:
    """The API's form of a time code: `2019M07` -> `2019-07`, `2019Q3` -> `2019-Q3`."""
    for pattern, replacement in PERIOD_FORMS:
        code = pattern.sub(replacement, code)
    return code


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_eurostat_tsv(path: Path | str, selection: Selection | None = None, *,
                      gzip_only: bool = True) -> pd.DataFrame:
    """Read a Eurostat `.tsv.gz` (or, with `gzip_only=False`, an uncompressed TSV) into a tidy
    frame.

    Columns: one per dimension (the header's names, in order), `time_period` (str, e.g.
    `2024-07`), `value` (float64, NaN where the cell is `:`), `flag` (str, "" when none).
    Rows come series by series, in file order, each series' periods in header order. With a
    `selection`, only the series whose code of each selected dimension is among its codes. A file
    without `freq` whose periods are all of one frequency (M, Q or A) gets it as first dimension.

    Checked on every line: the number of cells and of codes in the series key. On the lines of
    the series kept: no empty code, numbers or `:` followed by flags of letters, no series twice
    (also once `geo` GR is read as EL). Raises `InputError` naming the file and, where it
    applies, the row (line of the file) and the field (period or dimension).
    """
    path = Path(path)
    with open_table(path, gzip_only=gzip_only) as stream:
        dimensions, periods = _parse_header(path, stream.readline())
        frequency = _implied_frequency(dimensions, periods)
        prefix = b"" if frequency is None else f"{frequency},".encode()
        dimensions = dimensions if frequency is None else ["freq", *dimensions]
        wanted = wanted_codes(path, selection, dimensions)
        body, lines = _kept_lines(path, stream, dimensions, len(periods), wanted, prefix)
    keys, values, flags = _parse_rows(path, body, periods, lines)
    codes = _harmonised_codes(path, _split_keys(path, keys, dimensions, lines), dimensions, lines)
    return _frame(dimensions, periods, codes, values, flags)


def _parse_header(path: Path, line: bytes) -> tuple[list[str], list[str]]:
    try:
        header = line.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"header is not valid UTF-8 ({exc.reason})", row=1) from None
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
    dimensions = [DIMENSION_ALIASES.get(name, name) for name in dimensions]
    clashes = [name for name in dimensions if name in _RESERVED]
    duplicates = sorted({name for name in dimensions if dimensions.count(name) > 1})
    if clashes or duplicates:
        raise InputError(path, f"dimension names must be unique and not one of {_RESERVED}: "
                               f"{', '.join(clashes + duplicates)}", row=1)
    periods = [normalise_period(cell.strip()) for cell in cells[1:]]
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


def _implied_frequency(dimensions: Sequence[str], periods: Sequence[str]) -> str | None:
    """The frequency of a file without `freq` whose periods all have one, else None."""
    if "freq" in dimensions:
        return None
    return next((code for code, pattern in FREQUENCIES.items()
                 if all(pattern.match(period) for period in periods)), None)


def _kept_lines(path: Path, stream: BinaryIO, dimensions: Sequence[str], n_periods: int,
                wanted: Mapping[str, set[str]], prefix: bytes) -> tuple[bytes, np.ndarray]:
    """The data lines of the wanted series, joined, and their line numbers in the file.

    Each line is tested on its series key alone (after `prefix`, the codes of dimensions the
    file lacks); its cells are left for pyarrow to parse.
    """
    tests = [(dimensions.index(name), {code.encode() for code in codes})
             for name, codes in wanted.items()]
    in_file = dimensions[prefix.count(b","):]
    kept, numbers, n_rows = [], [], 0
    for number, line in enumerate(stream, start=2):
        if line.isspace():
            continue
        n_rows += 1
        cells = line.count(b"\t") + 1
        if cells != n_periods + 1:
            raise InputError(path, f"has {cells} cells, expected {n_periods + 1} "
                                   "(the series key and one cell per period)", row=number)
        key = line[:line.index(b"\t")]
        codes = (prefix + key).split(b",")
        if len(codes) != len(dimensions):
            raise InputError(
                path,
                f"series key {key.decode('utf-8', 'replace')!r} has {key.count(b',') + 1} codes, "
                f"expected {len(in_file)} ({','.join(in_file)})",
                row=number, field=",".join(in_file),
            )
        if all(codes[index].strip() in allowed for index, allowed in tests):
            kept.append(prefix + line.rstrip(b"\r\n"))
            numbers.append(number)
    if not n_rows:
        raise InputError(path, "has a header but no data rows", row=2)
    return b"\n".join(kept), np.array(numbers, dtype=np.int64)


def _parse_rows(path: Path, body: bytes, periods: Sequence[str],
                lines: np.ndarray) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """Series keys, values and flags (series-major) of the kept lines."""
    if not lines.size:
        return pa.array([], pa.string()), np.empty(0), pa.array([], pa.string())
    parsed = _parse_canonical_body(body, len(periods))
    return parsed if parsed is not None else _parse_any_body(path, body, periods, lines)


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
    path: Path, body: bytes, periods: Sequence[str], lines: np.ndarray
) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """General path (any spacing around values and flags), which also finds every error:
    series keys, values and flags in series-major order."""
    table = _parse_body(path, body, len(periods), lines)
    n_rows, n_periods = table.num_rows, len(periods)
    keys = table.column(0).combine_chunks()
    # Period-major: all rows of period 0, then all rows of period 1, ...
    cells = pa.concat_arrays([table.column(i + 1).combine_chunks() for i in range(n_periods)])
    values, flags = _parse_cells(path, cells, lines, periods)
    series_major = np.arange(n_rows * n_periods, dtype=np.int64).reshape(n_periods, n_rows).T
    series_major = series_major.ravel()
    return keys, values[series_major], pc.take(flags, series_major)


def _parse_body(path: Path, body: bytes, n_periods: int, lines: np.ndarray) -> pa.Table:
    """The kept lines as string columns (their cell counts are already checked)."""
    names = ["key", *(f"p{i}" for i in range(n_periods))]
    try:
        return pcsv.read_csv(
            io.BytesIO(body),
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(delimiter="\t", quote_char=False, escape_char=False,
                                            newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[],
            ),
        )
    except pa.ArrowInvalid as exc:  # e.g. text that is not UTF-8
        row = next((int(number) for number, line in zip(lines, body.split(b"\n"))
                    if not _is_utf8(line)), None)
        raise InputError(path, f"cannot be parsed as tab-separated UTF-8 text ({exc})",
                         row=row) from None


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _split_keys(path: Path, keys: pa.Array, dimensions: Sequence[str],
                lines: np.ndarray) -> list[pa.Array]:
    """One array of codes per dimension (their count per key is already checked)."""
    parts = pc.split_pattern(keys, ",")
    codes = [pc.utf8_trim_whitespace(pc.list_element(parts, i)) for i in range(len(dimensions))]
    for name, code in zip(dimensions, codes):
        empty = np.flatnonzero(pc.equal(code, "").to_numpy(zero_copy_only=False))
        if empty.size:
            raise InputError(path, f"empty code for dimension '{name}'",
                             row=int(lines[empty[0]]), field=name)
    return codes


def _harmonised_codes(path: Path, codes: list[pa.Array], dimensions: Sequence[str],
                      lines: np.ndarray) -> list[pa.Array]:
    """The codes with `geo` in Eurostat's codes (GR -> EL), checking that no series appears
    twice, whichever way its Member State is written."""
    repeat = _first_repeat(codes)
    if repeat is not None:
        key = ",".join(code[repeat].as_py() for code in codes)
        raise InputError(path, f"series {key!r} appears more than once", row=int(lines[repeat]))
    if "geo" not in dimensions:
        return codes
    at = dimensions.index("geo")
    geo = codes[at]
    for iso, eurostat in GEO_ALIASES.items():
        geo = pc.if_else(pc.equal(geo, iso), eurostat, geo)
    codes = [*codes[:at], geo, *codes[at + 1:]]
    repeat = _first_repeat(codes)
    if repeat is not None:
        key = ",".join(code[repeat].as_py() for code in codes)
        raise InputError(path, f"series {key!r} appears twice: {written_both_ways(geo[repeat].as_py())}",
                         row=int(lines[repeat]), field="geo")
    return codes


def written_both_ways(eurostat: str) -> str:
    """The problem of a Member State written both ways (e.g. GR and EL) in one file."""
    iso = next(iso for iso, code in GEO_ALIASES.items() if code == eurostat)
    return f"{countries.name(eurostat)} is written both {iso} and {eurostat}"


def _first_repeat(codes: Sequence[pa.Array]) -> int | None:
    """Index of the first series key that an earlier one already had, else None."""
    keys = pc.binary_join_element_wise(*codes, ",")
    if pc.count_distinct(keys).as_py() == len(keys):
        return None
    repeated = pd.Series(keys.to_numpy(zero_copy_only=False)).duplicated().to_numpy()
    return int(np.flatnonzero(repeated)[0])


def _frame(dimensions: Sequence[str], periods: Sequence[str], codes: Sequence[pa.Array],
           values: np.ndarray, flags: pa.Array) -> pd.DataFrame:
    """The tidy frame: each series' codes repeated over its periods."""
    n_rows, n_periods = len(codes[0]), len(periods)
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
    columns[FLAG_COLUMN] = pc.utf8_lower(flags.cast(pa.large_string()), memory_pool=_POOL)
    frame = pa.table(columns).to_pandas()
    for name in [*dimensions, TIME_COLUMN, FLAG_COLUMN]:
        if frame[name].dtype != "str":  # pyarrow older than pandas 3 support: force the dtype
            frame[name] = frame[name].astype("str")
    return frame


def _parse_cells(
    path: Path, cells: pa.Array, lines: np.ndarray, periods: Sequence[str]
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
        raise _cell_error(path, first, lines, periods,
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
    raise _cell_error(path, first, lines, periods,
                      f"value {cells[first].as_py()!r} is not numeric (expected a number or ':')")


def _cell_error(path: Path, index: int, lines: np.ndarray, periods: Sequence[str], problem: str):
    period_index, row_index = divmod(index, len(lines))
    return InputError(path, problem, row=int(lines[row_index]), field=periods[period_index])


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
    if not data[FLAG_COLUMN].str.fullmatch(_WRITTEN_FLAGS.pattern).all():
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
