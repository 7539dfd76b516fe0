"""Eurostat whole-table TSV (.tsv.gz): reading, writing, and every malformed-file case."""

from __future__ import annotations

import gzip
import time

import numpy as np
import pandas as pd
import pytest

from pipeline.core.errors import InputError
from pipeline.inputs.sources.eurostat_tsv import read_eurostat_tsv, write_eurostat_tsv

HEADER = "freq,unit,citizen,sex,age,applicant,geo\\TIME_PERIOD\t2024-07 \t2024-08 \t2024-09 \n"


def _write_gz(path, text: str) -> None:
    path.write_bytes(gzip.compress(text.encode("utf-8")))


def _tidy() -> pd.DataFrame:
    rows = [
        ("DE", "2024-07", 1234.0, ""), ("DE", "2024-08", 1250.0, "p"),
        ("DE", "2024-09", np.nan, "c"),
        ("EL", "2024-07", 56.0, "e"), ("EL", "2024-08", 7.0, "bp"), ("EL", "2024-09", np.nan, ""),
        ("EU27_2020", "2024-07", 1290.5, ""), ("EU27_2020", "2024-08", 1257.0, "p"),
        ("EU27_2020", "2024-09", 0.0, ""),
    ]
    frame = pd.DataFrame(rows, columns=["geo", "time_period", "value", "flag"])
    for name, code in (("freq", "M"), ("unit", "PER"), ("applicant", "ASY_APP")):
        frame.insert(0, name, code)
    return frame[["freq", "unit", "applicant", "geo", "time_period", "value", "flag"]]


# ---------------------------------------------------------------------------------------------
# Reading and writing
# ---------------------------------------------------------------------------------------------


def test_round_trip(tmp_path):
    path = tmp_path / "migr_test.tsv.gz"
    original = _tidy()
    write_eurostat_tsv(original, ["freq", "unit", "applicant", "geo"], path)
    back = read_eurostat_tsv(path)
    assert list(back.columns) == list(original.columns)
    key = ["geo", "time_period"]
    text_columns = ["freq", "unit", "applicant", "geo", "time_period", "flag"]
    pd.testing.assert_frame_equal(
        back.sort_values(key).reset_index(drop=True),
        original.sort_values(key).reset_index(drop=True).astype(dict.fromkeys(text_columns, "str")),
    )
    assert back.value.dtype == np.float64
    for column in text_columns:
        assert back[column].dtype == "str"


def test_written_layout_is_eurostats(tmp_path):
    path = tmp_path / "t.tsv.gz"
    write_eurostat_tsv(_tidy(), ["freq", "unit", "applicant", "geo"], path)
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    assert lines[0] == "freq,unit,applicant,geo\\TIME_PERIOD\t2024-07 \t2024-08 \t2024-09 "
    assert lines[1] == "M,PER,ASY_APP,DE\t1234 \t1250 p\t: c"
    assert lines[2] == "M,PER,ASY_APP,EL\t56 e\t7 bp\t: "
    assert lines[3] == "M,PER,ASY_APP,EU27_2020\t1290.5 \t1257 p\t0 "


def test_writing_is_deterministic_and_sorted(tmp_path):
    frame = _tidy()
    first, second = tmp_path / "a.tsv.gz", tmp_path / "b.tsv.gz"
    write_eurostat_tsv(frame, ["freq", "unit", "applicant", "geo"], first)
    time.sleep(1.1)  # a gzip header with a timestamp would differ now
    shuffled = frame.sample(frac=1.0, random_state=3)
    write_eurostat_tsv(shuffled, ["freq", "unit", "applicant", "geo"], second)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes()[4:8] == b"\x00\x00\x00\x00"  # gzip mtime 0
    assert not list(tmp_path.glob(".*tmp"))  # the atomic write left no temporary file


def test_series_missing_a_period_are_written_as_not_available(tmp_path):
    frame = _tidy()
    frame = frame[~((frame.geo == "DE") & (frame.time_period == "2024-07"))]
    path = tmp_path / "t.tsv.gz"
    write_eurostat_tsv(frame, ["freq", "unit", "applicant", "geo"], path)
    back = read_eurostat_tsv(path)
    cell = back[(back.geo == "DE") & (back.time_period == "2024-07")]
    assert cell.value.isna().all() and (cell.flag == "").all()


def test_reads_flags_and_missing_values(tmp_path):
    path = tmp_path / "migr_asyappctzm.tsv.gz"
    _write_gz(path, HEADER
              + "M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1234 \t1234 p\t: \n"
              + "M,PER,TOTAL,T,TOTAL,ASY_APP,EL\t: c\t56 e\t7 bp\n")
    frame = read_eurostat_tsv(path)
    assert list(frame.columns) == ["freq", "unit", "citizen", "sex", "age", "applicant", "geo",
                                   "time_period", "value", "flag"]
    assert frame.time_period.tolist() == ["2024-07", "2024-08", "2024-09"] * 2
    assert frame.geo.tolist() == ["DE"] * 3 + ["EL"] * 3
    np.testing.assert_array_equal(frame.value.to_numpy(), [1234, 1234, np.nan, np.nan, 56, 7])
    assert frame.flag.tolist() == ["", "p", "", "c", "e", "bp"]


def test_tolerates_missing_or_extra_spaces(tmp_path):
    path = tmp_path / "t.tsv.gz"
    _write_gz(path, "freq,geo\\TIME_PERIOD\t2024\t2025 \r\n"
                    "A,DE\t12\t 13.5  p \r\n"
                    "A, EL \t:\t-4 \r\n")
    frame = read_eurostat_tsv(path)
    assert frame.time_period.tolist() == ["2024", "2025", "2024", "2025"]
    assert frame.geo.tolist() == ["DE", "DE", "EL", "EL"]
    np.testing.assert_array_equal(frame.value.to_numpy(), [12, 13.5, np.nan, -4])
    assert frame.flag.tolist() == ["", "p", "", ""]


def test_accepts_the_older_time_header(tmp_path):
    path = tmp_path / "t.tsv.gz"
    _write_gz(path, "unit,geo\\time\t2024 \nNR,DE\t1 \n")
    frame = read_eurostat_tsv(path)
    assert frame.value.tolist() == [1.0]
    assert frame.freq.tolist() == ["A"]  # the older files had no freq: it is read from the period


def test_reads_millions_of_observations(tmp_path):
    periods = [str(p) for p in pd.period_range("2008-01", "2025-12", freq="M")]  # 216
    n_rows = 2500  # 540 000 observations
    rng = np.random.default_rng(0)
    values = rng.integers(0, 100_000, size=(n_rows, len(periods))).astype(str)
    lines = ["freq,citizen,geo\\TIME_PERIOD\t" + "\t".join(f"{p} " for p in periods)]
    lines += [f"M,C{i // 28},G{i % 28}\t" + "\t".join(f"{v} " for v in row)
              for i, row in enumerate(values)]
    path = tmp_path / "big.tsv.gz"
    _write_gz(path, "\n".join(lines) + "\n")
    frame = read_eurostat_tsv(path)
    assert len(frame) == n_rows * len(periods)
    assert frame.value.sum() == values.astype(np.int64).sum()
    assert frame.geo.tolist()[:3] == ["G0"] * 3 and frame.time_period.tolist()[215:217] == [
        "2025-12", "2008-01"]


def test_canonical_and_irregular_spacing_read_the_same(tmp_path):
    canonical, irregular = tmp_path / "canonical.tsv.gz", tmp_path / "irregular.tsv.gz"
    rows = ["M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1234 \t1250 p\t: c\n",
            "M,PER,TOTAL,T,TOTAL,ASY_APP,EL\t: \t-5.5 e\t7 bp\n"]
    _write_gz(canonical, HEADER + "".join(rows))
    _write_gz(irregular, HEADER + "".join(row.replace(" \t", "  \t").replace(",EL", ", EL")
                                          for row in rows))
    pd.testing.assert_frame_equal(read_eurostat_tsv(canonical), read_eurostat_tsv(irregular))


# ---------------------------------------------------------------------------------------------
# Malformed files: InputError naming the file, and the row and field where relevant
# ---------------------------------------------------------------------------------------------


def _error(path) -> InputError:
    with pytest.raises(InputError) as caught:
        read_eurostat_tsv(path)
    error = caught.value
    assert str(path) in str(error)
    return error


def test_missing_file(tmp_path):
    assert "not found" in str(_error(tmp_path / "absent.tsv.gz"))


def test_empty_file(tmp_path):
    path = tmp_path / "empty.tsv.gz"
    path.write_bytes(b"")
    assert "empty" in str(_error(path))


def test_empty_once_decompressed(tmp_path):
    path = tmp_path / "empty.tsv.gz"
    path.write_bytes(gzip.compress(b""))
    assert "empty" in str(_error(path))


def test_not_gzip(tmp_path):
    path = tmp_path / "plain.tsv.gz"
    path.write_text(HEADER + "M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1 \t2 \t3 \n")
    assert "not a gzip" in str(_error(path))


def test_truncated_gzip(tmp_path):
    path = tmp_path / "truncated.tsv.gz"
    data = gzip.compress((HEADER + "M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1 \t2 \t3 \n" * 200).encode())
    path.write_bytes(data[: len(data) // 2])
    assert "truncated or corrupt" in str(_error(path))


@pytest.mark.parametrize("compressed", [False, True])
def test_html_page_saved_instead_of_data(tmp_path, compressed):
    page = b"<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head></html>\n"
    path = tmp_path / "page.tsv.gz"
    path.write_bytes(gzip.compress(page) if compressed else page)
    assert "HTML" in str(_error(path))


def test_bad_header(tmp_path):
    path = tmp_path / "bad_header.tsv.gz"
    _write_gz(path, "freq,unit,geo\t2024-07 \nM,PER,DE\t1 \n")
    error = _error(path)
    assert error.row == 1 and "TIME_PERIOD" in str(error)


def test_row_with_too_few_cells(tmp_path):
    path = tmp_path / "short_row.tsv.gz"
    _write_gz(path, HEADER
              + "M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1 \t2 \t3 \n"
              + "M,PER,TOTAL,T,TOTAL,ASY_APP,EL\t1 \t2 \n")
    error = _error(path)
    assert error.row == 3 and "has 3 cells, expected 4" in str(error)


def test_row_with_too_many_cells(tmp_path):
    path = tmp_path / "long_row.tsv.gz"
    _write_gz(path, HEADER + "M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1 \t2 \t3 \t4 \n")
    assert _error(path).row == 2


def test_row_with_wrong_number_of_codes(tmp_path):
    path = tmp_path / "codes.tsv.gz"
    _write_gz(path, HEADER
              + "M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1 \t2 \t3 \n"
              + "M,PER,TOTAL,T,ASY_APP,EL\t1 \t2 \t3 \n")
    error = _error(path)
    assert error.row == 3 and "has 6 codes, expected 7" in str(error)


@pytest.mark.parametrize("cell", ["12a ", "n/a ", "1,234 ", "- ", "nan ", "inf ", "-inf p"])
def test_non_numeric_value(tmp_path, cell):
    path = tmp_path / "value.tsv.gz"
    _write_gz(path, HEADER
              + "M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1 \t2 \t3 \n"
              + f"M,PER,TOTAL,T,TOTAL,ASY_APP,EL\t1 \t{cell}\t3 \n")
    error = _error(path)
    assert (error.row, error.field) == (3, "2024-08")
    assert "row 3" in str(error) and "2024-08" in str(error)


@pytest.mark.parametrize("cell", ["12 P!", "12 p1", ": ?"])
def test_flags_that_are_not_letters(tmp_path, cell):
    path = tmp_path / "flag.tsv.gz"
    _write_gz(path, HEADER + f"M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1 \t2 \t{cell}\n")
    error = _error(path)
    assert (error.row, error.field) == (2, "2024-09")
    assert "not a number followed by flags" in str(error)


def test_value_with_a_space_inside(tmp_path):
    path = tmp_path / "value.tsv.gz"
    _write_gz(path, HEADER + "M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1 \t2 \t1 234 \n")
    error = _error(path)
    assert (error.row, error.field) == (2, "2024-09")


def test_repeated_series(tmp_path):
    path = tmp_path / "repeat.tsv.gz"
    row = "M,PER,TOTAL,T,TOTAL,ASY_APP,DE\t1 \t2 \t3 \n"
    _write_gz(path, HEADER + row + row)
    assert _error(path).row == 3


def test_header_without_data_rows(tmp_path):
    path = tmp_path / "header_only.tsv.gz"
    _write_gz(path, HEADER)
    assert "no data rows" in str(_error(path))


def test_writer_rejects_repeated_observations(tmp_path):
    frame = pd.concat([_tidy(), _tidy().head(1)])
    with pytest.raises(ValueError, match="more than one value"):
        write_eurostat_tsv(frame, ["freq", "unit", "applicant", "geo"], tmp_path / "x.tsv.gz")
