"""Eurostat files as the provider lays them out (tests/fixtures/eurostat), read through the
contracts: the values, flags and periods the pipeline gets from each layout."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.inputs.contracts import EUROSTAT_CONTRACTS
from pipeline.inputs.ingest import read_eurostat_input
from pipeline.inputs.sources.eurostat import read_eurostat_file

FIXTURES = Path(__file__).parent / "fixtures" / "eurostat"
NA = None  # not available (`:` or an empty OBS_VALUE)

APPLICATIONS_2024 = [  # geo, applicant, period, value, flag
    ("DE", "ASY_APP", "2024-07", 19855, ""), ("DE", "ASY_APP", "2024-08", 21035, ""),
    ("DE", "ASY_APP", "2024-09", 18770, "p"),
    ("EL", "ASY_APP", "2024-07", 5430, ""), ("EL", "ASY_APP", "2024-08", 6120, "e"),
    ("EL", "ASY_APP", "2024-09", NA, ""),
    ("FR", "ASY_APP", "2024-07", 12605, ""), ("FR", "ASY_APP", "2024-08", 13120, ""),
    ("FR", "ASY_APP", "2024-09", NA, "c"),
    ("DE", "NASY_APP", "2024-07", 17210, ""), ("DE", "NASY_APP", "2024-08", 18890, ""),
    ("DE", "NASY_APP", "2024-09", 16420, "p"),
    ("EL", "NASY_APP", "2024-07", 4980, ""), ("EL", "NASY_APP", "2024-08", 5710, "e"),
    ("EL", "NASY_APP", "2024-09", NA, ""),
    ("FR", "NASY_APP", "2024-07", 11015, ""), ("FR", "NASY_APP", "2024-08", 11530, ""),
    ("FR", "NASY_APP", "2024-09", NA, "c"),
]
APPLICATIONS_2019 = [  # the older bulk file: months newest first, as in its header
    ("DE", "ASY_APP", "2019-09", 14035, ""), ("DE", "ASY_APP", "2019-08", 13870, ""),
    ("DE", "ASY_APP", "2019-07", 13110, ""),
    ("EL", "ASY_APP", "2019-09", 7020, "p"), ("EL", "ASY_APP", "2019-08", 6385, ""),
    ("EL", "ASY_APP", "2019-07", 5635, ""),
    ("DE", "NASY_APP", "2019-09", 12280, ""), ("DE", "NASY_APP", "2019-08", 12095, ""),
    ("DE", "NASY_APP", "2019-07", 11495, ""),
    ("EL", "NASY_APP", "2019-09", 6795, "p"), ("EL", "NASY_APP", "2019-08", 6200, ""),
    ("EL", "NASY_APP", "2019-07", 5470, ""),
]
RETURNS_2019 = [
    ("BE", "2019-Q4", 845, ""), ("BE", "2019-Q3", 760, ""), ("BE", "2019-Q2", 830, ""),
    ("DE", "2019-Q4", 7010, ""), ("DE", "2019-Q3", 6455, ""), ("DE", "2019-Q2", 6630, ""),
    ("EL", "2019-Q4", 3940, "p"), ("EL", "2019-Q3", 3515, ""), ("EL", "2019-Q2", NA, ""),
]
POPULATION = [
    ("AT", "2024", 9158750, ""), ("AT", "2025", 9197213, ""),
    ("CY", "2024", 933505, ""), ("CY", "2025", 966365, "p"),
    ("EL", "2024", 10397193, ""), ("EL", "2025", 10400720, "p"),
]
TP_DECISIONS = [
    ("CZ", "2025-04", 1745, ""), ("CZ", "2025-05", 1810, "p"), ("CZ", "2025-06", NA, "c"),
    ("DE", "2025-04", 5410, "e"), ("DE", "2025-05", 5205, ""), ("DE", "2025-06", 4980, "p"),
    ("PL", "2025-04", 6890, ""), ("PL", "2025-05", 7015, "bp"), ("PL", "2025-06", 6720, "p"),
]
APPLICATIONS_2025 = [
    ("DE", "ASY_APP", "2025-04", 9210, ""), ("DE", "ASY_APP", "2025-05", 9470, "p"),
    ("EL", "ASY_APP", "2025-04", 4150, ""), ("EL", "ASY_APP", "2025-05", NA, "c"),
    ("DE", "NASY_APP", "2025-04", 8015, ""), ("DE", "NASY_APP", "2025-05", 8290, "p"),
    ("EL", "NASY_APP", "2025-04", 3870, "e"), ("EL", "NASY_APP", "2025-05", NA, "c"),
]
TP_STOCK = [
    ("CZ", "2025-05", 379940, ""), ("CZ", "2025-06", NA, "c"),
    ("DE", "2025-05", 1218405, ""), ("DE", "2025-06", 1223840, "p"),
    ("PL", "2025-05", 985010, ""), ("PL", "2025-06", 997445, "p"),
]

# fixture -> contract, what read_eurostat_input returns
LAYOUTS = {
    "api_migr_asyappctzm.tsv": ("applications", APPLICATIONS_2024),
    "bulk_migr_asyappctzm.tsv": ("applications", APPLICATIONS_2019),
    "bulk_migr_eirtn1.tsv": ("returns", RETURNS_2019),
    "gr_demo_pjan.tsv": ("population", POPULATION),
    "upper_flags_migr_asytpfm.tsv": ("tp_decisions", TP_DECISIONS),
    "sdmx1_migr_asyappctzm.csv": ("applications", APPLICATIONS_2025),
    "sdmx2_migr_asyappctzm.csv": ("applications", APPLICATIONS_2025),
    "reordered_migr_asytpsm.csv": ("tp_stock", TP_STOCK),
}


def rows(frame: pd.DataFrame) -> list[tuple]:
    """The frame's rows, NaN as None."""
    return [tuple(None if pd.isna(cell) else cell for cell in row)
            for row in frame.itertuples(index=False)]


def copy_of(name: str, folder, compressed: bool):
    """The fixture in `folder`, gzip-compressed (`.gz` added to its name) or as it is."""
    source = FIXTURES / name
    if not compressed:
        return shutil.copy(source, folder / name)
    target = folder / f"{name}.gz"
    target.write_bytes(gzip.compress(source.read_bytes()))
    return target


@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("name", LAYOUTS)
def test_each_layout_gives_the_contracts_values_flags_and_periods(name, compressed, tmp_path):
    contract_name, expected = LAYOUTS[name]
    contract = EUROSTAT_CONTRACTS[contract_name]
    tidy = read_eurostat_input(copy_of(name, tmp_path, compressed), contract)
    assert list(tidy.columns) == ["geo", *contract.kept, "period", "value", "flag"]
    assert rows(tidy) == expected
    assert tidy["value"].dtype == "float64"
    assert all(tidy[column].dtype == "str" for column in ["geo", "period", "flag"])
    contract.schema().validate(tidy)


@pytest.mark.parametrize("name", LAYOUTS)
def test_the_selection_keeps_the_rows_the_full_read_has(name):
    """Reading with the contract's selection equals reading everything and filtering after."""
    codes = EUROSTAT_CONTRACTS[LAYOUTS[name][0]].codes()
    everything = read_eurostat_file(FIXTURES / name)
    wanted = pd.concat([everything[dimension].isin(kept) for dimension, kept in codes.items()],
                       axis=1).all(axis=1)
    selected = read_eurostat_file(FIXTURES / name, codes)
    assert 0 < len(selected) < len(everything)
    pd.testing.assert_frame_equal(selected, everything[wanted].reset_index(drop=True))


def test_the_older_bulk_files_read_as_the_apis(tmp_path):
    """Frequency from the time codes, `asyl_app` as `applicant`, months and quarters in the API's
    form, and the file's own dimension order."""
    frame = read_eurostat_file(FIXTURES / "bulk_migr_asyappctzm.tsv")
    assert list(frame.columns) == ["freq", "citizen", "sex", "unit", "age", "applicant", "geo",
                                   "time_period", "value", "flag"]
    assert set(frame["freq"]) == {"M"}
    assert frame["time_period"].tolist()[:3] == ["2019-09", "2019-08", "2019-07"]
    quarterly = read_eurostat_file(FIXTURES / "bulk_migr_eirtn1.tsv")
    assert set(quarterly["freq"]) == {"Q"}
    assert quarterly["time_period"].tolist()[:3] == ["2019-Q4", "2019-Q3", "2019-Q2"]
