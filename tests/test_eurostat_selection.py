"""Reading only some series of a Eurostat table, and the checks made while doing so: GR and EL,
a dimension the contract does not expect, errors naming the file line of kept and skipped rows."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from pipeline.core.errors import InputError
from pipeline.inputs.contracts import EUROSTAT_CONTRACTS, EurostatContract
from pipeline.inputs.ingest import read_eurostat_input
from pipeline.inputs.sources.eurostat_sdmx_csv import read_eurostat_sdmx_csv
from pipeline.inputs.sources.eurostat_tsv import read_eurostat_tsv

HEADER = "freq,unit,sex,geo\\TIME_PERIOD\t2024 \t2025 \n"
POPULATION = EurostatContract("A", {"unit": "NR", "sex": "T"})
SDMX_HEADER = "DATAFLOW,LAST UPDATE,freq,unit,sex,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
FLOW = "ESTAT:DEMO_PJAN(1.0),26/11/25 23:00:00"


def tsv(tmp_path, *lines: str, header: str = HEADER):
    path = tmp_path / "demo_pjan.tsv.gz"
    path.write_bytes(gzip.compress((header + "".join(lines)).encode()))
    return path


def sdmx(tmp_path, *rows: str):
    path = tmp_path / "demo_pjan.csv"
    path.write_text(SDMX_HEADER + "".join(f"{FLOW},{row}\n" if row else "\n" for row in rows))
    return path


def error_of(read, *args) -> InputError:
    with pytest.raises(InputError) as caught:
        read(*args)
    assert str(args[0]) in str(caught.value)
    return caught.value


def test_only_the_selected_series_are_read(tmp_path):
    path = tsv(tmp_path, "A,NR,F,DE\t41 \t42 \n", "A,NR,T,DE\t83 \t84 p\n",
               "A,NR,T,EL\t10 \t: c\n", "A,NR,T,NO\t5 \t6 \n")
    frame = read_eurostat_tsv(path, {"sex": "T", "geo": ["DE", "EL"]})
    assert frame.geo.tolist() == ["DE", "DE", "EL", "EL"]
    np.testing.assert_array_equal(frame.value, [83, 84, 10, np.nan])
    assert frame.flag.tolist() == ["", "p", "", "c"]


def test_a_selection_matching_nothing_gives_an_empty_frame(tmp_path):
    path = tsv(tmp_path, "A,NR,T,DE\t83 \t84 \n")
    frame = read_eurostat_tsv(path, {"geo": ["FR"]})
    assert frame.empty and list(frame.columns) == ["freq", "unit", "sex", "geo", "time_period",
                                                   "value", "flag"]
    error = error_of(read_eurostat_input, path, EurostatContract("A", {"unit": "PER"}))
    assert "no Member State rows for the selection freq=A, unit=PER" in str(error)


def test_cells_of_rows_left_out_are_not_checked_but_their_shape_is(tmp_path):
    path = tsv(tmp_path, "A,NR,F,DE\t4x1 \t42 \n", "A,NR,T,DE\t83 \t84 \n")
    assert read_eurostat_tsv(path, {"sex": "T"}).value.tolist() == [83, 84]
    assert error_of(read_eurostat_tsv, path).row == 2  # read in full, the bad cell is found
    path = tsv(tmp_path, "A,NR,F,DE\t41 \n", "A,NR,T,DE\t83 \t84 \n")
    error = error_of(read_eurostat_tsv, path, {"sex": "T"})
    assert error.row == 2 and "has 2 cells, expected 3" in str(error)


def test_errors_name_the_line_of_the_file(tmp_path):
    path = tsv(tmp_path, "A,NR,F,DE\t41 \t42 \n", "\n", "A,NR,T,DE\t83 \t84 \n",
               "A,NR,T,FR\t67 \t6 8\n")
    error = error_of(read_eurostat_tsv, path, {"sex": "T"})
    assert (error.row, error.field) == (5, "2025")


def test_a_selected_dimension_missing_from_the_file(tmp_path):
    path = tsv(tmp_path, "A,NR,T,DE\t83 \t84 \n")
    error = error_of(read_eurostat_input, path, EUROSTAT_CONTRACTS["population"])
    assert (error.row, error.field) == (1, "age") and "dimension missing" in str(error)
    error = error_of(read_eurostat_sdmx_csv, sdmx(tmp_path, "A,NR,T,DE,2024,83,"), {"age": "TOTAL"})
    assert (error.row, error.field) == (1, "age")


@pytest.mark.parametrize("reader", ["tsv", "sdmx"])
def test_greece_written_gr_is_read_as_el(tmp_path, reader):
    path = tsv(tmp_path, "A,NR,T,DE\t83 \t84 \n", "A,NR,T,GR\t10 \t11 \n") if reader == "tsv" \
        else sdmx(tmp_path, "A,NR,T,DE,2024,83,", "A,NR,T,GR,2024,10,")
    assert read_eurostat_input(path, POPULATION).geo.unique().tolist() == ["DE", "EL"]


@pytest.mark.parametrize("reader", ["tsv", "sdmx"])
def test_greece_written_both_gr_and_el_is_an_error(tmp_path, reader):
    path = tsv(tmp_path, "A,NR,T,EL\t10 \t11 \n", "A,NR,T,GR\t10 \t11 \n") if reader == "tsv" \
        else sdmx(tmp_path, "A,NR,T,EL,2024,10,", "A,NR,T,GR,2024,10,")
    error = error_of(read_eurostat_input, path, POPULATION)
    assert "Greece is written both GR and EL" in str(error)
    assert (error.row, error.field) == (3, "geo")


def test_a_dimension_the_contract_does_not_expect_is_named(tmp_path):
    header = "freq,unit,citizen,sex,geo\\TIME_PERIOD\t2024 \t2025 \n"
    path = tsv(tmp_path, "A,NR,TOTAL,T,DE\t83 \t84 \n", "A,NR,UA,T,DE\t1 \t2 \n",
               "A,NR,UA,F,DE\t1 \t1 \n", header=header)
    error = error_of(read_eurostat_input, path, POPULATION)
    assert error.field == "citizen" and "2 codes among the series read (TOTAL, UA)" in str(error)
    single = tsv(tmp_path, "A,NR,TOTAL,T,DE\t83 \t84 \n", "A,NR,UA,F,DE\t1 \t1 \n", header=header)
    assert read_eurostat_input(single, POPULATION).value.tolist() == [83, 84]


def test_time_codes_and_flags_of_every_form(tmp_path):
    path = tsv(tmp_path, "Q,NR,T,DE\t1 P\t: C\t3 bE\n",
               header="freq,unit,sex,geo\\TIME_PERIOD\t2019Q3 \t2019Q4 \t2020-Q1 \n")
    frame = read_eurostat_tsv(path)
    assert frame.time_period.tolist() == ["2019-Q3", "2019-Q4", "2020-Q1"]
    assert frame.flag.tolist() == ["p", "c", "be"]
    repeated = tsv(tmp_path, "M,NR,T,DE\t1 \t2 \n",
                   header="freq,unit,sex,geo\\TIME_PERIOD\t2019M07 \t2019-07 \n")
    assert "repeated in the header: 2019-07" in str(error_of(read_eurostat_tsv, repeated))


def test_sdmx_csv_time_codes_flags_and_actions(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("STRUCTURE,STRUCTURE_ID,ACTION,freq,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\n"
                    "dataflow,ESTAT:X(1.0),I,M,DE,2019M07,1,P\n"
                    "dataflow,ESTAT:X(1.0),I,Q,DE,2019Q3,2,Bp\n"
                    "dataflow,ESTAT:X(1.0),D,M,FR,2019M07,3,\n")
    frame = read_eurostat_sdmx_csv(path, {"geo": "DE"})
    assert frame.time_period.tolist() == ["2019-07", "2019-Q3"]
    assert frame.flag.tolist() == ["p", "bp"]
    error = error_of(read_eurostat_sdmx_csv, path)
    assert (error.row, error.field) == (4, "ACTION")


def test_sdmx_csv_errors_name_the_line_of_the_file(tmp_path):
    path = sdmx(tmp_path, "A,NR,F,DE,2024,41,", "A,NR,T,DE,2024,83,", "", "A,NR,T,FR,2024,6x,")
    error = error_of(read_eurostat_sdmx_csv, path, {"sex": "T"})
    assert (error.row, error.field) == (5, "OBS_VALUE")
    short = sdmx(tmp_path, "A,NR,T,DE,2024,83,", "A,NR,T,FR,2024")
    error = error_of(read_eurostat_sdmx_csv, short, {"sex": "T"})
    assert error.row == 3 and "has 7 fields, expected 9" in str(error)


def test_a_truncated_gzip_is_refused_while_selecting(tmp_path):
    path = tsv(tmp_path, *[f"A,NR,T,X{i}\t{i} \t{i} \n" for i in range(5000)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "truncated or corrupt gzip" in str(error_of(read_eurostat_tsv, path, {"geo": "DE"}))
