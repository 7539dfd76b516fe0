"""Contracts of the analyst-supplied CSV inputs: good files pass, bad ones name file, row, field."""

import pytest

from pipeline.core.errors import InputError
from pipeline.inputs.catalog import raw_input
from pipeline.inputs.ingest import process_input

SAR_HEADER = "member_state,month,persons\n"
UAM_HEADER = "member_state,month,applicants\n"


def write(folder, name, text, encoding="utf-8"):
    path = folder / raw_input(name).filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_good_sar_file_becomes_a_tidy_table(tmp_path):
    write(tmp_path, "sar", SAR_HEADER + "IT,2024-07,100\nGR,2024-07,5\n")
    table = process_input(raw_input("sar"), tmp_path)
    assert list(table.columns) == ["geo", "period", "value", "flag"]
    assert table["geo"].tolist() == ["IT", "EL"]  # ISO GR harmonised to Eurostat EL
    assert table["value"].tolist() == [100.0, 5.0]


def test_good_unaccompanied_minors_file_becomes_a_tidy_monthly_table(tmp_path):
    write(tmp_path, "unaccompanied_minors_monthly", UAM_HEADER + "BG,2024-07,150\nGR,2024-07,0\n")
    table = process_input(raw_input("unaccompanied_minors_monthly"), tmp_path)
    assert list(table.columns) == ["geo", "period", "value", "flag"]
    assert table["geo"].tolist() == ["BG", "EL"] and table["value"].tolist() == [150.0, 0.0]


def test_eurodac_period_is_the_twelve_month_window(tmp_path):
    write(tmp_path, "eurodac", "period_start,period_end,origin,destination,hits\n"
                               "2024-07,2025-06,EL,DE,7000\n")
    table = process_input(raw_input("eurodac"), tmp_path)
    assert table.loc[0, "period"] == "2024-07/2025-06"
    assert (table.loc[0, "geo"], table.loc[0, "destination"]) == ("EL", "DE")


@pytest.mark.parametrize("name, text, expected", [
    ("sar", None, "file not found"),
    ("sar", "", "file is empty"),
    ("sar", "member_state;month;persons\nIT;2024-07;100\n", "wrong delimiter"),
    ("sar", "<!DOCTYPE html><html><body>Error 404</body></html>", "HTML"),
    ("sar", "member_state,persons\nIT,100\n", "field 'month': column missing"),
    ("sar", SAR_HEADER + "IT,2024-07,100\nXX,2024-07,5\n", "row 3, field 'member_state': unknown Member State code 'XX'"),
    ("sar", SAR_HEADER + "IT,2024-07,abc\n", "row 2, field 'persons': 'abc' is not a number"),
    ("sar", SAR_HEADER + "IT,2024-07,-4\n", "row 2, field 'persons': negative count"),
    ("sar", SAR_HEADER + "IT,2024-07,\n", "row 2, field 'persons': missing value"),
    ("sar", SAR_HEADER + "IT,2024-07,4\nMT,2024-07,inf\n", "row 3, field 'persons': 'inf' is not a finite"),
    ("sar", SAR_HEADER + "IT,2024-07,-inf\n", "row 2, field 'persons': '-inf' is not a finite"),
    ("sar", SAR_HEADER + "IT,2024-07,12.5\n", "row 2, field 'persons': '12.5' is not a whole number"),
    ("reception", "member_state,month,persons_hosted,capacity\nIT,2024-07,10,Infinity\n",
     "row 2, field 'capacity': 'Infinity' is not a finite"),
    ("eurodac", "period_start,period_end,origin,destination,hits\n2024-07,2025-06,EL,DE,7000.4\n",
     "row 2, field 'hits': '7000.4' is not a whole number"),
    ("ibc_member_states", ("member_state,route,month,detections\n"
     "EL,Eastern Mediterranean Route,2024-07,0.5\n"), "row 2, field 'detections': '0.5' is not a whole"),
    ("unaccompanied_minors_monthly", UAM_HEADER + "BG,2024-07,150\nBG,2024-08,inf\n",
     "row 3, field 'applicants': 'inf' is not a finite"),
    ("unaccompanied_minors_monthly", UAM_HEADER + "BG,2024-07,\n",
     "row 2, field 'applicants': missing value"),
    ("unaccompanied_minors_monthly", UAM_HEADER + "BG,2024-07,150.5\n",
     "row 2, field 'applicants': '150.5' is not a whole number"),
    ("unaccompanied_minors_monthly", "member_state,month,value\nBG,2024-07,150\n",
     "field 'applicants': column missing"),
    ("unaccompanied_minors_monthly", UAM_HEADER + "BG,2024-Q3,150\n",
     "row 2, field 'month': '2024-Q3' is not a month"),
    ("sar", SAR_HEADER + "IT,July 2024,4\n", "row 2, field 'month'"),
    ("sar", SAR_HEADER + "IT,2024-07,4\nIT,2024-07,4\n", "duplicate rows"),
    ("eurodac", "period_start,period_end,origin,destination,hits\n2024-07,2025-06,DE,DE,10\n",
     "row 2: origin and destination are the same Member State"),
    ("ibc_member_states", "member_state,route,month,detections\nEL,Atlantic Route,2024-07,4\n",
     "row 2, field 'route'"),
])
def test_bad_csv_names_the_file_and_the_problem(tmp_path, name, text, expected):
    if text is not None:
        write(tmp_path, name, text)
    with pytest.raises(InputError) as error:
        process_input(raw_input(name), tmp_path)
    message = str(error.value)
    assert raw_input(name).filename in message
    assert expected in message


def test_wrong_encoding_is_reported(tmp_path):
    write(tmp_path, "sar", SAR_HEADER + "IT,2024-07,100\n", encoding="utf-16")
    with pytest.raises(InputError, match="UTF-8"):
        process_input(raw_input("sar"), tmp_path)


def test_a_folder_in_place_of_the_file_is_named_as_such(tmp_path):
    (tmp_path / raw_input("sar").filename).mkdir(parents=True)
    with pytest.raises(InputError, match="is a folder, not a file"):
        process_input(raw_input("sar"), tmp_path)


def test_a_dangling_link_for_an_optional_input_is_an_error_not_a_missing_input(tmp_path):
    from pipeline.inputs import ingest
    from pipeline.inputs.sample import generate_sample

    generate_sample(tmp_path / "sample", seed=1)
    path = tmp_path / "sample" / raw_input("sar").filename
    path.unlink()
    path.symlink_to(tmp_path / "elsewhere" / "sar.csv")
    with pytest.raises(InputError, match="is a link to .*elsewhere/sar.csv, which does not exist"):
        ingest.ingest("sample", raw_root=tmp_path, out_dir=tmp_path / "processed")


def test_problem_count_counts_rows_not_cells(tmp_path):
    write(tmp_path, "eurodac", "period_start,period_end,origin,destination,hits\n"
                               "2024-07,2025-06,DE,DE,10\n2024-07,2025-06,FR,FR,10\n"
                               "2024-07,2025-06,IT,IT,10\n2024-07,2025-06,IT,DE,10\n")
    with pytest.raises(InputError, match=r"row 2: origin and destination are the same Member "
                                         r"State \(2 more problems in this file\)"):
        process_input(raw_input("eurodac"), tmp_path)
