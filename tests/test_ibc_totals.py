"""The contract across two files: IBCs by Member State add up to the workbook's route totals.

A difference stops a strict build naming both files and both totals; otherwise the build goes
on and the difference reaches the caveats log and the report's paragraph on IBCs by Member State.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from pipeline.core.errors import InputError
from pipeline.inputs import ingest, processed
from pipeline.inputs.catalog import raw_input
from pipeline.publication import caveats, facts, narrative

ROUTE = "Eastern Mediterranean Route"


def short_by(root, amount: int, route: str = ROUTE) -> None:
    """Take `amount` detections off the largest Member State rows of `route`."""
    path = root / "sample" / raw_input("ibc_member_states").filename
    frame = pd.read_csv(path, dtype=str)
    counts = frame["detections"].astype(int)
    for row in counts[frame["route"] == route].sort_values(ascending=False).index:
        taken = min(amount, counts[row])
        frame.loc[row, "detections"] = str(counts[row] - taken)
        amount -= taken
        if amount == 0:
            break
    frame.to_csv(path, index=False)


def test_sample_adds_up(sample_tables):
    differences = ingest.ibc_total_differences(sample_tables["ibc_member_states"],
                                               sample_tables["ibc_routes"])
    assert differences.empty


def test_difference_per_route_with_both_totals():
    routes = pd.DataFrame({"route": [ROUTE] * 3, "period": ["2025-01", "2025-01", "2025-02"],
                           "value": [100.0, 50.0, 80.0]})
    by_ms = pd.DataFrame({"route": [ROUTE] * 3, "geo": ["EL", "CY", "EL"],
                          "period": ["2025-01", "2025-01", "2025-02"], "value": [100.0, 20.0, 80.0]})
    differences = ingest.ibc_total_differences(by_ms, routes)
    assert differences.to_dict("records") == [{
        "route": ROUTE, "first_month": "2025-01", "last_month": "2025-01", "months": 1,
        "member_states": 120.0, "workbook": 150.0}]


def test_blank_workbook_month_is_a_difference_not_a_zero():
    routes = pd.DataFrame({"route": [ROUTE], "period": ["2025-01"], "value": [float("nan")]})
    by_ms = pd.DataFrame({"route": [ROUTE], "geo": ["EL"], "period": ["2025-01"], "value": [0.0]})
    differences = ingest.ibc_total_differences(by_ms, routes)
    assert len(differences) == 1 and pd.isna(differences.loc[0, "workbook"])
    assert "no value in the workbook" in ingest.describe_ibc_differences(differences.to_dict("records"))


def test_strict_build_stops_naming_both_files_and_totals(tmp_path, sample_root):
    root = tmp_path / "raw"
    shutil.copytree(sample_root, root)
    short_by(root, 15_000)
    out = tmp_path / "processed"
    with pytest.raises(InputError) as error:
        ingest.ingest("sample", strict=True, raw_root=root, out_dir=out)
    message = str(error.value)
    assert "ibc_by_member_state.csv" in message and "Monthly_detections_of_IBC.xlsx" in message
    assert ROUTE in message and "by Member State against" in message
    assert not out.exists() or not list(out.iterdir())  # nothing half-written


def test_lenient_build_records_the_difference_for_the_report(tmp_path, sample_root):
    root = tmp_path / "raw"
    shutil.copytree(sample_root, root)
    short_by(root, 15_000)
    out = tmp_path / "processed"
    tables = ingest.ingest("sample", strict=False, raw_root=root, out_dir=out)
    record = processed.input_records(out)["ibc_member_states"]
    [difference] = record["differences_from_workbook"]
    assert difference["workbook"] - difference["member_states"] == 15_000
    assert tables["ibc_member_states"]["value"].sum() == tables["ibc_routes"]["value"].sum() - 15_000
    json.dumps(record)  # inputs.json stays plain JSON

    [note] = [line for line in caveats.input_caveats(out) if "do not add up" in line]
    shown_total = f"{int(difference['workbook']):,}".replace(",", "\u00a0")
    assert shown_total in note and ROUTE in note

    narrative.write_sections({}, tmp_path, records=processed.input_records(out))
    switch = facts.read_sections(tmp_path)["irregular_migration_member_states"]
    assert switch["shown"] is True and switch["has_caveat"] is True
    assert shown_total in switch["caveat"]
