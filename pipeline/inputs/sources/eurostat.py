"""One entry point for a Eurostat table in either of the formats the API serves.

    read_eurostat_file(path)   # .tsv.gz / .tsv -> whole-table TSV; .csv / .csv.gz -> SDMX-CSV
    read_eurostat_file(path, {"freq": "M", "geo": ["DE", "EL"]})   # only these series

Both readers return the same tidy frame (dimension columns, `time_period`, `value`, `flag`),
and with a selection (dimension -> codes) keep only the matching series while reading.
A name with neither ending is recognised by its first line. `find_eurostat_file` looks for a
dataset's file in a folder under any of the accepted names, so analysts may supply either.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pandas as pd

from pipeline.core.errors import InputError
from pipeline.inputs.sources.eurostat_sdmx_csv import read_eurostat_sdmx_csv
from pipeline.inputs.sources.eurostat_tsv import Selection, read_eurostat_tsv

# Accepted file names of a dataset `<code>`, in the order they are looked for.
SUFFIXES = (".tsv.gz", ".tsv", ".csv.gz", ".csv")


def eurostat_format(path: Path | str) -> str:
    """'tsv' or 'sdmx-csv', from the file's name, else from its first line."""
    name = Path(path).name.lower()
    if name.endswith((".tsv.gz", ".tsv")):
        return "tsv"
    if name.endswith((".csv.gz", ".csv")):
        return "sdmx-csv"
    first = _first_line(Path(path))
    if "\\" in first.split("\t")[0]:
        return "tsv"
    if "TIME_PERIOD" in first and "OBS_VALUE" in first:
        return "sdmx-csv"
    raise InputError(path, "is neither a Eurostat TSV (first cell 'dims\\TIME_PERIOD') nor "
                           "SDMX-CSV (columns TIME_PERIOD and OBS_VALUE); name it .tsv.gz, .tsv, "
                           ".csv or .csv.gz", row=1)


def read_eurostat_file(path: Path | str, selection: Selection | None = None) -> pd.DataFrame:
    """Read a Eurostat table in TSV (`.tsv.gz`, `.tsv`) or SDMX-CSV (`.csv`, `.csv.gz`) form,
    all of it or only the series of `selection`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "file not found" if not path.exists() else "is not a file")
    if eurostat_format(path) == "sdmx-csv":
        return read_eurostat_sdmx_csv(path, selection)
    return read_eurostat_tsv(path, selection, gzip_only=path.name.lower().endswith(".gz"))


def find_eurostat_file(folder: Path | str, code: str) -> Path | None:
    """The file of dataset `code` in `folder` (`<code>.tsv.gz`, `.tsv`, `.csv.gz` or `.csv`).

    Raises `InputError` when more than one is there (which one to use would be a guess);
    returns None when there is none.
    """
    folder = Path(folder)
    found = [folder / f"{code}{suffix}" for suffix in SUFFIXES if (folder / f"{code}{suffix}").is_file()]
    if len(found) > 1:
        raise InputError(found[0], f"dataset {code} is supplied more than once "
                                   f"({', '.join(p.name for p in found)}); keep one file")
    return found[0] if found else None


def _first_line(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 65536)
        except zlib.error as exc:
            raise InputError(path, f"is a corrupt gzip file ({exc})") from None
    return head.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
