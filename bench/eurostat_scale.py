"""Ingest at scale: a generated Eurostat whole-table TSV and the ways of reading it.

The generated file has the real layout (gzip; `freq,...,geo\\TIME_PERIOD` header with
`YYYY-MM ` periods; `value flags` cells with `:` for not available) and the shape of
`migr_asyappctzm`: monthly series by citizenship, sex, age, applicant type and reporting country,
about 430 000 series over 220 months at real size (`REAL_OBSERVATIONS`). A smaller table holds
fewer citizenships; every size holds the series the applications contract selects.

Readers: `project` (`pipeline.inputs.ingest.read_eurostat_input` with the applications contract: what
the ingest stage does with the table), `pyarrow` (pyarrow's CSV parse into string columns, no
reshaping: how fast the bytes can be parsed) and `pandas` (`read_csv` + `melt`, then the same
selection: the straightforward way).

    python -m bench.eurostat_scale READER FILE     # one read
    python -m bench.eurostat_scale ingest RAW_ROOT  # pipeline.inputs.ingest.ingest() of RAW_ROOT/sample

Each prints one JSON line with the time, the observations in the result (pyarrow: the cells
parsed), the sum of the values, the size of the result and the process's peak resident memory.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from pipeline.core.countries import EU27, EU_AGGREGATE, MEMBER_STATES
from pipeline.inputs.catalog import raw_input
from pipeline.inputs.contracts import EUROSTAT_CONTRACTS

APPLICATIONS = raw_input("applications")
CONTRACT = EUROSTAT_CONTRACTS["applications"]
DIMENSIONS = APPLICATIONS.dimensions
FIRST_YEAR = 2008
REAL_PERIODS = 220
SERIES_PER_BATCH = 10_000
# Share of cells: not available (':'), and carrying a flag.
MISSING_SHARE = 0.35
FLAGGED_SHARE = 0.06
FLAGS = ("p", "e", "b", "c", "bp")
_TWO_LETTERS = [f"{a}{b}" for a, b in itertools.product("ABCDEFGHIJKLMNOPQRSTUVWXYZ", repeat=2)]
_GEOS = [*(state.eurostat for state in MEMBER_STATES), "CH", "IS", "LI", "NO", EU_AGGREGATE]
_SEXES = ("F", "M", "T", "UNK")
_AGES = ("TOTAL", "Y_LT14", "Y14-17", "Y18-34", "Y35-64", "Y_GE65", "UNK", "Y_LT18")
_APPLICANTS = ("ASY_APP", "NASY_APP")
SERIES_PER_CITIZEN = len(_SEXES) * len(_AGES) * len(_APPLICANTS) * len(_GEOS)
REAL_CITIZENS = 210  # 210 x 2 048 = 430 080 series, the real table's count
REAL_OBSERVATIONS = REAL_CITIZENS * SERIES_PER_CITIZEN * REAL_PERIODS


def periods(count: int) -> list[str]:
    """`count` consecutive months from January of FIRST_YEAR: '2008-01', '2008-02', ..."""
    return [f"{FIRST_YEAR + month // 12}-{month % 12 + 1:02d}" for month in range(count)]


def citizens(count: int) -> list[str]:
    """`count` citizenship codes in sorted order, the total (`TOTAL`) among them."""
    return sorted(["TOTAL", *_TWO_LETTERS[:count - 1]])


def write_scale_tsv(path: Path, observations: int, n_periods: int = REAL_PERIODS,
                    seed: int = 0) -> int:
    """Write a `.tsv.gz` of whole citizenships with at least `observations` cells; return the
    exact count."""
    n_citizens = math.ceil(observations / (SERIES_PER_CITIZEN * n_periods))
    n_series = n_citizens * SERIES_PER_CITIZEN
    rng = np.random.default_rng(seed)
    codes = (("M",), ("PER",), citizens(n_citizens), _SEXES, _AGES, _APPLICANTS, _GEOS)
    keys = (",".join(series) for series in itertools.product(*codes))
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
    from pipeline.inputs.ingest import read_eurostat_input

    frame = read_eurostat_input(path, CONTRACT)
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
    """`read_csv`, split the series key, `melt`, split `value flags`, keep the contract's rows."""
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
    selected = (long["freq"] == CONTRACT.frequency) & long["geo"].isin(EU27)
    for dimension, code in CONTRACT.selection.items():
        selected &= long[dimension] == code
    for dimension, kept in CONTRACT.kept.items():
        selected &= long[dimension].isin(kept)
    tidy = long.loc[selected, ["geo", *CONTRACT.kept, "time_period", "value", "flag"]]
    return len(tidy), float(tidy["value"].sum()), int(tidy.memory_usage(deep=True).sum())


def run_ingest(raw_root: Path) -> tuple[int, float, int]:
    """The ingest stage's work on `raw_root/sample`: every input read, checked and written."""
    from pipeline.inputs.ingest import ingest

    with tempfile.TemporaryDirectory() as out_dir:
        tables = ingest("sample", raw_root=raw_root, out_dir=Path(out_dir))
    rows = sum(len(table) for table in tables.values())
    size = sum(int(table.memory_usage(deep=True).sum()) for table in tables.values())
    return rows, float(tables["applications"]["value"].sum()), size


READERS = {"project": read_with_project, "pyarrow": read_with_pyarrow, "pandas": read_with_pandas,
           "ingest": run_ingest}


def main(argv: list[str]) -> None:
    """`READER FILE` or `ingest RAW_ROOT`: one timed run, one JSON line."""
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
