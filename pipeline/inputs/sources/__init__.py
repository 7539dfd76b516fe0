"""Readers and writers for the providers' raw file formats.

- `eurostat_tsv`: Eurostat whole-table TSV (`.tsv.gz`, the dissemination API's `format=TSV`).
- `eurostat_sdmx_csv`: Eurostat SDMX-CSV (`.csv`, `.csv.gz`, the API's `format=SDMX-CSV`).
- `eurostat`: `read_eurostat_file`, which picks one of the two Eurostat readers by file name.
- `frontex`: the Frontex "Monthly detections of IBC" workbook.

Readers return tidy pandas frames and raise `pipeline.core.errors.InputError` (naming the file, and
the row and field where relevant) when a file does not meet its format; writers are their
exact inverse and write deterministic bytes atomically.
"""

from pipeline.inputs.sources.eurostat import find_eurostat_file, read_eurostat_file
from pipeline.inputs.sources.eurostat_sdmx_csv import (
    read_eurostat_sdmx_csv,
    write_eurostat_sdmx_csv,
)
from pipeline.inputs.sources.eurostat_tsv import read_eurostat_tsv, write_eurostat_tsv
from pipeline.inputs.sources.frontex import read_frontex_workbook, write_frontex_workbook

__all__ = [
    "find_eurostat_file",
    "read_eurostat_file",
    "read_eurostat_sdmx_csv",
    "read_eurostat_tsv",
    "read_frontex_workbook",
    "write_eurostat_sdmx_csv",
    "write_eurostat_tsv",
    "write_frontex_workbook",
]
