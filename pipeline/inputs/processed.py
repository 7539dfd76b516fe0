"""The processed tables the ingest stage writes to data/processed/, read back by later stages."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.core import paths
from pipeline.core.errors import SOURCE_ATTR, InputError, MissingInputError

RECORD_FILE = "inputs.json"


def input_records(folder: Path = paths.PROCESSED_DIR) -> dict[str, dict[str, object]]:
    """The ingest stage's record of each input, by catalogue name."""
    path = folder / RECORD_FILE
    if not path.is_file():
        raise InputError(path, "record of the inputs not found; run the ingest stage first (dvc repro)")
    return {record["name"]: record for record in json.loads(path.read_text(encoding="utf-8"))["inputs"]}


def load(name: str, folder: Path = paths.PROCESSED_DIR) -> pd.DataFrame:
    """A processed table by its catalogue name; `MissingInputError` if its input was not supplied.

    The table's `attrs` name the raw file it was read from, for the errors of later checks.
    """
    record = input_records(folder).get(name)
    if record is not None and record["status"] == "missing":
        raise MissingInputError(paths.RAW_DIR / str(record["file"]),
                                f"not supplied ({record['provider']}: {record['dataset']})")
    path = folder / f"{name}.parquet"
    if not path.is_file():
        raise InputError(path, "processed table not found; run the ingest stage first (dvc repro)")
    table = pd.read_parquet(path)
    if record is not None:
        table.attrs[SOURCE_ATTR] = (paths.RAW_DIR / str(record["file"])).relative_to(
            paths.PROJECT_ROOT).as_posix()
    return table
