"""Ingest at scale: a generated Eurostat whole-table TSV and three ways of reading it.

The generated file has the real layout (gzip; `freq,...,geo\\TIME_PERIOD` header with
`YYYY-MM ` periods; `value flags` cells with `:` for not available) and the shape of
`migr_asyappctzm`: monthly series by citizenship, sex, age, applicant type and reporting country.

Readers: `project` (`read_eurostat_tsv`), `pyarrow` (pyarrow's CSV parser alone, no reshaping:
how fast the bytes can be parsed) and `pandas` (`read_csv` + `melt`, the straightforward way).
`python -m bench.eurostat_scale READER FILE` reads once and prints one JSON line with the time,
the observation count, the sum of the values, the size of the result and the process's peak
resident memory.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from pipeline.countries import EU_AGGREGATE, MEMBER_STATES

DIMENSIONS = ("freq", "unit", "citizen", "sex", "age", "applicant", "geo")
FIRST_YEAR = 2008
SERIES_PER_BATCH = 2_000
# Share of cells: not available (':'), and carrying a flag.
MISSING_SHARE = 0.35
FLAGGED_SHARE = 0.06
FLAGS = ("p", "e", "b", "c", "bp")
_CITIZENS = [f"{a}{b}" for a, b in itertools.product("ABCDEFGHIJKLMNOPQRSTUVWXYZ", repeat=2)]
_GEOS = [*(state.eurostat for state in MEMBER_STATES), "CH", "IS", "LI", "NO", EU_AGGREGATE]
_CODES = (("M",), ("PER",), _CITIZENS, ("F", "M", "T", "UNK"),
          ("TOTAL", "Y_LT14", "Y14-17", "Y18-34", "Y35-64", "Y_GE65", "UNK", "Y_LT18"),
          ("ASY_APP", "NASY_APP"), _GEOS)


def periods(count: int) -> list[str]:
    """`count` consecutive months from January of FIRST_YEAR: '2008-01', '2008-02', ..."""
    return [f"{FIRST_YEAR + month // 12}-{month % 12 + 1:02d}" for month in range(count)]


def write_scale_tsv(path: Path, observations: int, n_periods: int = 216, seed: int = 0) -> int:
    """Write a `.tsv.gz` with at least `observations` cells; return the exact count."""
    n_series = math.ceil(observations / n_periods)
    rng = np.random.default_rng(seed)
    keys = (",".join(codes) for codes in itertools.product(*_CODES))
    header = "\t".join([f"{','.join(DIMENSIONS)}\\TIME_PERIOD",
                        *(f"{period} " for period in periods(n_periods))])
    write_options = pcsv.WriteOptions(include_header=False, delimiter="\t", quoting_style="none")
    with gzip.open(path, "wb", compresslevel=6) as out:
        out.write((header + "\n").encode("utf-8"))
        for start in range(0, n_series, SERIES_PER_BATCH):
            rows = min(SERIES_PER_BATCH, n_series - start)
            columns = {"key": pa.array(list(itertools.islice(keys, rows)), pa.string())}
            for index in range(n_periods):
                columns[f"p{index}"] = _cells(rng, rows)
            pcsv.write_csv(pa.table(columns), out, write_options)
    return n_series * n_periods


def _cells(rng: np.random.Generator, count: int) -> pa.Array:
    """`1234 `, `1250 p`, `: `, `: c`: mostly small counts, some missing, some flagged."""
    values = np.round(rng.lognormal(3.0, 2.0, count) / 5) * 5
    numbers = pc.cast(pa.array(values.astype(np.int64)), pa.string())
    missing = rng.random(count) < MISSING_SHARE
    numbers = pc.if_else(pa.array(missing), ":", numbers)
    flags = np.where(rng.random(count) < FLAGGED_SHARE, rng.choice(FLAGS, count), "")
    return pc.binary_join_element_wise(numbers, pa.array(flags, pa.string()), " ")


def read_with_project(path: Path) -> tuple[int, float, int]:
    from pipeline.sources.eurostat_tsv import read_eurostat_tsv

    frame = read_eurostat_tsv(path)
    return len(frame), float(frame["value"].sum()), int(frame.memory_usage(deep=True).sum())


def read_with_pyarrow(path: Path) -> tuple[int, float, int]:
    """Parse the cells into string columns, nothing else."""
    with gzip.open(path, "rt", encoding="utf-8") as text:
        n_columns = text.readline().count("\t") + 1
    names = [f"c{index}" for index in range(n_columns)]
    table = pcsv.read_csv(
        path,
        read_options=pcsv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pcsv.ParseOptions(delimiter="\t", quote_char=False),
        convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                            strings_can_be_null=False, null_values=[]),
    )
    return table.num_rows * (n_columns - 1), math.nan, table.nbytes


def read_with_pandas(path: Path) -> tuple[int, float, int]:
    """`read_csv`, split the series key, `melt`, split `value flags`."""
    import pandas as pd

    wide = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    key_column = wide.columns[0]
    dimensions = key_column.split("\\")[0].split(",")
    codes = wide[key_column].str.split(",", expand=True)
    codes.columns = dimensions
    wide = pd.concat([codes, wide.drop(columns=key_column)], axis=1)
    long = wide.melt(id_vars=dimensions, var_name="time_period", value_name="cell")
    long["time_period"] = long["time_period"].str.strip()
    parts = long["cell"].str.strip().str.split(" ", n=1, expand=True)
    long["value"] = pd.to_numeric(parts[0].replace(":", None))
    long["flag"] = parts[1].fillna("")
    long = long.drop(columns="cell")
    return len(long), float(long["value"].sum()), int(long.memory_usage(deep=True).sum())


READERS = {"project": read_with_project, "pyarrow": read_with_pyarrow, "pandas": read_with_pandas}


def main(argv: list[str]) -> None:
    """`READER FILE`: one timed run, one JSON line."""
    reader, path = argv
    started = time.perf_counter()
    observations, value_sum, result_bytes = READERS[reader](Path(path))
    seconds = time.perf_counter() - started
    peak_bytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"reader": reader, "seconds": seconds, "observations": observations,
                      "value_sum": value_sum, "result_bytes": result_bytes,
                      "peak_bytes": peak_bytes}))


if __name__ == "__main__":
    main(sys.argv[1:])
