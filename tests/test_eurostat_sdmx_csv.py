"""Eurostat SDMX-CSV reader and the format dispatcher: the same tidy frame as the TSV reader."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from pipeline.core.errors import InputError
from pipeline.inputs.sources.eurostat import eurostat_format, find_eurostat_file, read_eurostat_file
from pipeline.inputs.sources.eurostat_sdmx_csv import (
    read_eurostat_sdmx_csv,
    write_eurostat_sdmx_csv,
)
from pipeline.inputs.sources.eurostat_tsv import read_eurostat_tsv, write_eurostat_tsv

DIMENSIONS = ["freq", "unit", "applicant", "geo"]
HEADER = "DATAFLOW,LAST UPDATE,freq,unit,applicant,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
FLOW = "ESTAT:MIGR_ASYAPPCTZM(1.0),12/11/25 23:00:00"


def tidy() -> pd.DataFrame:
    """Flagged and missing values of every kind: `:`, `p`, `e`, `c`, and `: c`."""
    rows = [
        ("DE", "2024-07", 1234.0, ""), ("DE", "2024-08", 1250.0, "p"),
        ("EL", "2024-07", np.nan, ""), ("EL", "2024-08", 56.0, "e"),
        ("FR", "2024-07", np.nan, "c"), ("FR", "2024-08", 980.5, "ep"),
    ]
    frame = pd.DataFrame(rows, columns=["geo", "time_period", "value", "flag"])
    frame.insert(0, "freq", "M")
    frame.insert(1, "unit", "PER")
    frame.insert(2, "applicant", "ASY_APP")
    return frame


def as_read(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in [*DIMENSIONS, "time_period", "flag"]:
        out[name] = out[name].astype("str")
    return out.reset_index(drop=True)


@pytest.mark.parametrize("name", ["table.csv", "table.csv.gz"])
def test_same_frame_as_the_tsv_reader(tmp_path, name):
    write_eurostat_tsv(tidy(), DIMENSIONS, tmp_path / "table.tsv.gz")
    write_eurostat_sdmx_csv(tidy(), DIMENSIONS, tmp_path / name)
    from_tsv = read_eurostat_tsv(tmp_path / "table.tsv.gz")
    from_csv = read_eurostat_sdmx_csv(tmp_path / name)
    pd.testing.assert_frame_equal(from_csv, from_tsv)
    pd.testing.assert_frame_equal(from_csv, as_read(tidy()))


def test_the_apis_wire_format_with_flags_missing_values_and_confidentiality(tmp_path):
    path = tmp_path / "migr_asyappctzm.csv"
    path.write_text(HEADER + "".join(f"{FLOW},{line}\n" for line in [
        "M,PER,ASY_APP,DE,2024-07,1234,,",
        "M,PER,ASY_APP,DE,2024-08,1250,p,",
        "M,PER,ASY_APP,EL,2024-07,:,,",
        "M,PER,ASY_APP,EL,2024-08,56,e,",
        "M,PER,ASY_APP,FR,2024-07,,,C",
        "M,PER,ASY_APP,FR,2024-08,980.5,ep,F",
    ]))
    frame = read_eurostat_file(path)
    assert frame.columns.tolist() == [*DIMENSIONS, "time_period", "value", "flag"]
    assert frame["flag"].tolist() == ["", "p", "", "e", "c", "ep"]
    assert np.isnan(frame["value"].to_numpy()[[2, 4]]).all()
    assert frame["value"].dtype == "float64" and frame["geo"].dtype == "str"
    pd.testing.assert_frame_equal(frame, as_read(tidy()))


def test_sdmx_csv_2_0_columns_are_not_dimensions(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("STRUCTURE,STRUCTURE_ID,ACTION,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
                    "dataflow,ESTAT:X(1.0),I,A,DE,2024,10,\n")
    frame = read_eurostat_sdmx_csv(path)
    assert frame.columns.tolist() == ["freq", "geo", "time_period", "value", "flag"]


@pytest.mark.parametrize("content, problem, row", [
    (HEADER, "has a header but no data rows (an empty selection?)", 2),
    ("", "file is empty", None),
    ("<!DOCTYPE html><html><body>Error</body></html>", "HTML", None),
    ("freq;geo;TIME_PERIOD;OBS_VALUE\nA;DE;2024;1\n", "wrong delimiter", 1),
    ("DATAFLOW,freq,geo,OBS_VALUE\nX,A,DE,1\n", "column missing", 1),
    (HEADER + f"{FLOW},M,PER,ASY_APP,DE,2024-07,12x,,\n", "'12x' is not numeric", 2),
    (HEADER + f"{FLOW},M,PER,ASY_APP,DE,2024-07,1,P!,\n", "flag 'P!'", 2),
    (HEADER + f"{FLOW},M,PER,ASY_APP,,2024-07,1,,\n", "empty code in column 'geo'", 2),
    (HEADER + f"{FLOW},M,PER,ASY_APP,DE,2024-07,1,,\n{FLOW},M,PER,ASY_APP,DE,2024-07,2,,\n",
     "appears more than once", 3),
])
def test_malformed_files_name_the_file_row_and_problem(tmp_path, content, problem, row):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        read_eurostat_file(path)
    assert problem in str(caught.value) and str(path) in str(caught.value)
    assert caught.value.row == row


def test_a_truncated_gzip_is_refused(tmp_path):
    write_eurostat_sdmx_csv(tidy(), DIMENSIONS, tmp_path / "x.csv.gz")
    data = (tmp_path / "x.csv.gz").read_bytes()
    (tmp_path / "x.csv.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt gzip"):
        read_eurostat_file(tmp_path / "x.csv.gz")


def test_an_empty_tsv_selection_is_refused(tmp_path):
    path = tmp_path / "x.tsv.gz"
    path.write_bytes(gzip.compress(b"freq,geo\\TIME_PERIOD\t2024 \n"))
    with pytest.raises(InputError, match="no data rows"):
        read_eurostat_file(path)


def test_dispatch_by_name_and_content(tmp_path):
    write_eurostat_tsv(tidy(), DIMENSIONS, tmp_path / "a.tsv.gz")
    (tmp_path / "b.tsv").write_bytes(gzip.decompress((tmp_path / "a.tsv.gz").read_bytes()))
    write_eurostat_sdmx_csv(tidy(), DIMENSIONS, tmp_path / "c.csv")
    (tmp_path / "d.data").write_bytes((tmp_path / "c.csv").read_bytes())
    (tmp_path / "e.data").write_bytes((tmp_path / "a.tsv.gz").read_bytes())
    expected = read_eurostat_tsv(tmp_path / "a.tsv.gz")
    for name, kind in [("a.tsv.gz", "tsv"), ("b.tsv", "tsv"), ("c.csv", "sdmx-csv"),
                       ("d.data", "sdmx-csv"), ("e.data", "tsv")]:
        assert eurostat_format(tmp_path / name) == kind
        pd.testing.assert_frame_equal(read_eurostat_file(tmp_path / name), expected)
    (tmp_path / "f.data").write_text("hello\n")
    with pytest.raises(InputError, match="neither a Eurostat TSV"):
        read_eurostat_file(tmp_path / "f.data")
    with pytest.raises(InputError, match="file not found"):
        read_eurostat_file(tmp_path / "absent.csv")


def test_an_uncompressed_tsv_reports_errors_against_its_own_name(tmp_path):
    path = tmp_path / "x.tsv"
    path.write_text("freq,geo\\TIME_PERIOD\t2024 \nA,DE\t12x \n")
    with pytest.raises(InputError) as caught:
        read_eurostat_file(path)
    assert caught.value.path == path and caught.value.row == 2


def test_find_eurostat_file(tmp_path):
    assert find_eurostat_file(tmp_path, "demo_pjan") is None
    (tmp_path / "demo_pjan.csv").write_text(HEADER)
    assert find_eurostat_file(tmp_path, "demo_pjan") == tmp_path / "demo_pjan.csv"
    (tmp_path / "demo_pjan.tsv.gz").write_bytes(b"")
    with pytest.raises(InputError, match="more than once"):
        find_eurostat_file(tmp_path, "demo_pjan")
