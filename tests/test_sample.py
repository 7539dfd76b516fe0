"""The synthetic sample: deterministic, complete, and in agreement with the EAAMR 2025.

The calibration checks read the generated files with the project's readers (pandas for the
CSVs) and aggregate them here, directly, without using the generator's internals.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.core.countries import EU27, EU_AGGREGATE, bound_member_states
from pipeline.core.routes import ROUTE_LABELS
from pipeline.inputs.catalog import RAW_INPUTS, raw_input
from pipeline.inputs.published import load_statements
from pipeline.inputs.sample import generate_sample
from pipeline.inputs.sample.__main__ import main as sample_cli
from pipeline.inputs.sources.eurostat_tsv import read_eurostat_tsv
from pipeline.inputs.sources.frontex import read_frontex_workbook

SEED = 20251111
OTHER_SEED = 7

STATEMENTS = load_statements()
BOUND = list(bound_member_states())  # the 26 Member States of the key (not Denmark)


def _months(first: str, last: str) -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M")]


REFERENCE_MONTHS = _months("2024-07", "2025-06")
COMPARISON_MONTHS = _months("2023-07", "2024-06")
REFERENCE_QUARTERS = ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
COMPARISON_QUARTERS = ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
ANNUAL_YEAR = "2024"
STOCK_MONTH = "2025-06"
FIVE_YEAR_MONTHS = _months("2020-07", "2025-06")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    generate_sample(out, SEED)
    return out


@pytest.fixture(scope="module")
def other_sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample_other")
    generate_sample(out, OTHER_SEED)
    return out


def _hashes(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def _path(folder: Path, name: str) -> Path:
    return folder / raw_input(name).filename


# ---------------------------------------------------------------------------------------------
# Files, determinism
# ---------------------------------------------------------------------------------------------


def test_every_catalogue_file_is_written(sample):
    written = set(_hashes(sample))
    expected = {raw.filename for raw in RAW_INPUTS}
    assert written == expected


def test_same_seed_same_bytes(sample, tmp_path):
    generate_sample(tmp_path, SEED)
    assert _hashes(tmp_path) == _hashes(sample)


def test_different_seed_different_files(sample, other_sample):
    first, second = _hashes(sample), _hashes(other_sample)
    assert first.keys() == second.keys()
    same = [name for name in first if first[name] == second[name]]
    assert same == []


def test_cli_writes_the_same_files_and_replaces_the_folder(sample, tmp_path):
    out = tmp_path / "raw" / "sample"
    out.mkdir(parents=True)
    (out / "stale.txt").write_text("left from an earlier run")
    assert sample_cli(["--seed", str(SEED), "--out", str(out)]) == 0
    assert _hashes(out) == _hashes(sample)
    assert not list(tmp_path.joinpath("raw").glob(".sample*"))  # no temporary folder left


# ---------------------------------------------------------------------------------------------
# Formats and internal consistency
# ---------------------------------------------------------------------------------------------

QUARTERS = [f"{q.year}-Q{q.quarter}" for q in pd.period_range("2019Q3", "2026Q2", freq="Q")]
EUROSTAT_PERIODS = {
    "applications": (_months("2019-07", "2026-06"), "M"),
    "tp_stock": (_months("2019-07", "2026-06"), "M"),
    "tp_decisions": (_months("2019-07", "2026-06"), "M"),
    "orders_to_leave": (QUARTERS, "Q"),
    "returns": (QUARTERS, "Q"),
    "dublin_requests": ([str(y) for y in range(2019, 2026)], "A"),
    "refusals": ([str(y) for y in range(2019, 2026)], "A"),
    "resettlement": ([str(y) for y in range(2019, 2026)], "A"),
    "population": ([str(y) for y in range(2015, 2027)], "A"),
    "gdp": ([str(y) for y in range(2015, 2026)], "A"),
}


@pytest.mark.parametrize("name", sorted(EUROSTAT_PERIODS))
def test_eurostat_files_cover_the_periods_and_add_up(sample, name):
    frame = read_eurostat_tsv(_path(sample, name))
    periods, freq = EUROSTAT_PERIODS[name]
    assert sorted(frame.time_period.unique()) == sorted(periods)
    assert set(frame.freq) == {freq}
    assert set(frame.geo) == set(EU27) | {EU_AGGREGATE}
    assert set(frame.flag) <= {"", "p", "e", "b", "bp", "ep"}
    assert (frame.flag == "p").any() or (frame.flag.str.contains("p")).any()
    dims = [c for c in frame.columns if c not in ("geo", "time_period", "value", "flag")]
    states = frame[frame.geo != EU_AGGREGATE]
    total = states.groupby(dims + ["time_period"]).value.sum(min_count=1)
    aggregate = frame[frame.geo == EU_AGGREGATE].set_index(dims + ["time_period"]).value
    pd.testing.assert_series_equal(aggregate.sort_index(), total.sort_index(), check_names=False)
    assert (states.value.dropna() >= 0).all()
    assert np.array_equal(states.value.dropna(), np.round(states.value.dropna()))


@pytest.mark.parametrize("name", sorted(EUROSTAT_PERIODS))
def test_no_missing_value_where_the_report_needs_one(sample, name):
    frame = read_eurostat_tsv(_path(sample, name))
    periods, freq = EUROSTAT_PERIODS[name]
    needed = {"M": FIVE_YEAR_MONTHS, "Q": [p for p in periods if "2020-Q3" <= p <= "2025-Q2"],
              "A": [p for p in periods if "2020" <= p <= "2025"]}[freq]
    if name.startswith("tp_"):
        needed = [m for m in needed if m >= "2022-03"]
        before = frame[(frame.time_period < "2022-03")]
        assert before.value.isna().all()  # no temporary protection before March 2022
    cells = frame[frame.time_period.isin(needed) & frame.geo.isin(EU27)]
    assert not cells.value.isna().any()


def test_expected_dimension_codes(sample):
    applications = read_eurostat_tsv(_path(sample, "applications"))
    assert list(applications.columns[:7]) == \
        ["freq", "unit", "citizen", "sex", "age", "applicant", "geo"]
    assert set(applications.applicant) == {"ASY_APP", "NASY_APP"}
    wide = applications.pivot_table(index=["geo", "time_period"], columns="applicant",
                                    values="value")
    ratio = wide.NASY_APP.sum() / wide.ASY_APP.sum()
    assert (wide.NASY_APP <= wide.ASY_APP).all() and 0.85 <= ratio <= 0.91
    refusals = read_eurostat_tsv(_path(sample, "refusals"))
    by_border = refusals.pivot_table(index=["geo", "time_period"], columns="border", values="value")
    assert (by_border.TOTAL == by_border.LAND + by_border.SEA + by_border.AIR).all()
    assert set(read_eurostat_tsv(_path(sample, "gdp")).unit) == {"CP_MEUR"}
    assert set(read_eurostat_tsv(_path(sample, "population")).unit) == {"NR"}
    assert set(read_eurostat_tsv(_path(sample, "dublin_requests")).columns[:5]) == \
        {"freq", "unit", "leg_prov", "partner", "geo"}


def test_ibc_member_state_file_adds_up_to_the_workbook(sample):
    workbook = read_frontex_workbook(_path(sample, "ibc_routes"))
    by_state = pd.read_csv(_path(sample, "ibc_member_states"), dtype={"month": str})
    assert list(by_state.columns) == ["member_state", "route", "month", "detections"]
    assert set(workbook.route) == set(ROUTE_LABELS)
    assert set(workbook.border_location) == {"Land", "Sea"}
    assert set(by_state.member_state) <= set(EU27)
    assert workbook.detections.notna().all()  # the sample reports every month
    assert workbook.attrs["data_as_of"] == "2026-07-06"  # the source line below the table
    left = workbook.groupby(["route", "month"]).detections.sum().astype("int64")
    right = by_state.groupby(["route", "month"]).detections.sum()
    pd.testing.assert_series_equal(left.sort_index(), right.sort_index(), check_names=False)
    assert sorted(workbook.month.unique()) == _months("2019-07", "2026-06")


def test_csv_files_cover_every_member_state_and_month(sample):
    months = _months("2019-07", "2026-06")
    for name, columns in (("sar", ["member_state", "month", "persons"]),
                          ("reception", ["member_state", "month", "persons_hosted", "capacity"])):
        frame = pd.read_csv(_path(sample, name), dtype={"month": str})
        assert list(frame.columns) == columns
        assert len(frame) == len(EU27) * len(months)
        assert set(frame.member_state) == set(EU27) and sorted(frame.month.unique()) == months
        assert (frame.drop(columns=["member_state", "month"]) >= 0).all().all()
    eurodac = pd.read_csv(_path(sample, "eurodac"), dtype=str)
    assert list(eurodac.columns) == ["period_start", "period_end", "origin", "destination", "hits"]
    assert (eurodac.origin != eurodac.destination).all()
    periods = eurodac[["period_start", "period_end"]].drop_duplicates().to_numpy().tolist()
    assert periods == [[f"{y - 1}-07", f"{y}-06"] for y in range(2020, 2027)]


def test_unaccompanied_minors_by_month_add_up_to_the_annual_table(sample):
    """The analysts' monthly file covers whole calendar years, each summing to Eurostat's."""
    monthly = pd.read_csv(_path(sample, "unaccompanied_minors_monthly"), dtype={"month": str})
    assert list(monthly.columns) == ["member_state", "month", "applicants"]
    assert sorted(monthly.month.unique()) == _months("2020-01", "2025-12")
    assert len(monthly) == len(EU27) * 72 and set(monthly.member_state) == set(EU27)
    by_year = monthly.groupby(["member_state", monthly.month.str[:4]]).applicants.sum()
    annual = _eurostat_wide(sample, "unaccompanied_minors").stack()
    assert sorted(annual.index.get_level_values(1).unique()) == [str(y) for y in range(2020, 2026)]
    pd.testing.assert_series_equal(by_year.astype(float).sort_index(), annual.sort_index(),
                                   check_names=False)


def test_the_2026_reference_period_continues_the_decline(sample):
    workbook = read_frontex_workbook(_path(sample, "ibc_routes"))
    applications = _asylum_applications(sample)
    for series in (workbook.groupby("month").detections.sum(), applications.sum()):
        assert series[_months("2025-07", "2026-06")].sum() < series[REFERENCE_MONTHS].sum()


# ---------------------------------------------------------------------------------------------
# Calibration: each published statement, computed from the files
# ---------------------------------------------------------------------------------------------


def _eurostat_wide(folder: Path, name: str, **codes: str) -> pd.DataFrame:
    """Member States (rows) x periods, for the series with the given dimension codes."""
    frame = read_eurostat_tsv(_path(folder, name))
    for dimension, code in codes.items():
        frame = frame[frame[dimension] == code]
    frame = frame[frame.geo.isin(EU27)]
    wide = frame.pivot(index="geo", columns="time_period", values="value")
    assert len(wide) == len(EU27)
    return wide


def _asylum_applications(folder: Path) -> pd.DataFrame:
    return _eurostat_wide(folder, "applications", applicant="ASY_APP")


def _key(folder: Path) -> pd.Series:
    population = _eurostat_wide(folder, "population")["2025"][BOUND]
    gdp = _eurostat_wide(folder, "gdp")["2024"][BOUND]
    return 0.5 * population / population.sum() + 0.5 * gdp / gdp.sum()


def _ranking(values: pd.Series) -> list[str]:
    return list(values.sort_values(ascending=False, kind="stable").index)


def _ratio_ranking(values: pd.Series, key: pd.Series) -> list[str]:
    values = values.reindex(BOUND).fillna(0.0)
    return _ranking(values / values.sum() / key)


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole


def _change(current: float, previous: float) -> float:
    return 100.0 * (current / previous - 1)


def observed_values(folder: Path) -> dict[str, object]:
    """Every statement's measure, computed from the files in `folder`."""
    key = _key(folder)
    observed: dict[str, object] = {
        "key_share_netherlands": 100 * key["NL"],
        "key_share_germany": 100 * key["DE"],
        "key_share_france": 100 * key["FR"],
    }

    # Illegal border crossings: workbook (EU) and Member State file.
    workbook = read_frontex_workbook(_path(folder, "ibc_routes"))
    eu_ibc = workbook.groupby("month").detections.sum()
    by_state = pd.read_csv(_path(folder, "ibc_member_states"), dtype={"month": str})
    ref = by_state[by_state.month.isin(REFERENCE_MONTHS)]
    per_state = ref.groupby("member_state").detections.sum().reindex(EU27, fill_value=0)
    per_route = ref.groupby("route").detections.sum()
    per_route_state = ref.groupby(["route", "member_state"]).detections.sum()
    greece_emr = per_route_state["Eastern Mediterranean Route", "EL"]
    croatia_wb = per_route_state["Western Balkan Route", "HR"]
    observed.update({
        "ibc_change": _change(eu_ibc[REFERENCE_MONTHS].sum(), eu_ibc[COMPARISON_MONTHS].sum()),
        "ibc_greece_eastern_mediterranean": greece_emr,
        "ibc_greece_eastern_mediterranean_share":
            _pct(greece_emr, per_route["Eastern Mediterranean Route"]),
        "ibc_cyprus": per_state["CY"],
        "ibc_croatia": per_state["HR"],
        "ibc_croatia_western_balkan_share": _pct(croatia_wb, per_route["Western Balkan Route"]),
        "ibc_ratio_to_key_ranking": _ratio_ranking(per_state, key),
        "section_iv_greece_ibc_highest": _ratio_ranking(per_state, key),
        "section_iv_cyprus_ibc_rank": _ratio_ranking(per_state, key).index("CY") + 1,
        "section_iv_croatia_western_balkans_share":
            _pct(croatia_wb, per_route["Western Balkan Route"]),
    })

    # Search and rescue.
    sar = pd.read_csv(_path(folder, "sar"), dtype={"month": str})
    sar_ref = sar[sar.month.isin(REFERENCE_MONTHS)].groupby("member_state").persons.sum()
    sar_prev = sar[sar.month.isin(COMPARISON_MONTHS)].persons.sum()
    observed.update({
        "sar_total": sar_ref.sum(),
        "sar_change": _change(sar_ref.sum(), sar_prev),
        "sar_italy_share": _pct(sar_ref["IT"], sar_ref.sum()),
        "sar_spain_share": _pct(sar_ref["ES"], sar_ref.sum()),
        "sar_italy_spain_share": _pct(sar_ref["IT"] + sar_ref["ES"], sar_ref.sum()),
        "sar_france": sar_ref["FR"],
        "section_iv_sar_total": sar_ref.sum(),
        "section_iv_sar_italy_spain_share": _pct(sar_ref["IT"] + sar_ref["ES"], sar_ref.sum()),
        "section_iv_sar_italy_share": _pct(sar_ref["IT"], sar_ref.sum()),
        "section_iv_sar_spain_share": _pct(sar_ref["ES"], sar_ref.sum()),
    })

    # Applications (ASY_APP).
    applications = _asylum_applications(folder)
    app_ref = applications[REFERENCE_MONTHS].sum(axis=1)
    app_prev = applications[COMPARISON_MONTHS].sum(axis=1)
    observed.update({
        "applications_total": app_ref.sum(),
        "applications_change": _change(app_ref.sum(), app_prev.sum()),
        "applications_germany_change": _change(app_ref["DE"], app_prev["DE"]),
        "applications_top_absolute": _ranking(app_ref),
        "applications_ratio_to_key_ranking": _ratio_ranking(app_ref, key),
        "applications_ireland": app_ref["IE"],
        "applications_ireland_previous": app_prev["IE"],
        "section_iv_greece_applications": app_ref["EL"],
        "section_iv_applications_greece_cyprus": _ratio_ranking(app_ref, key),
        "section_iv_cyprus_applications": app_ref["CY"],
    })

    # Temporary protection.
    stock = _eurostat_wide(folder, "tp_stock")[STOCK_MONTH]
    decisions = _eurostat_wide(folder, "tp_decisions")[REFERENCE_MONTHS].sum(axis=1)
    observed.update({
        "tp_stock_total": stock.sum(),
        "tp_stock_germany_poland_share": _pct(stock["DE"] + stock["PL"], stock.sum()),
        "tp_stock_ratio_to_key_ranking": _ratio_ranking(stock, key),
        "tp_decisions_total": decisions.sum(),
        "tp_decisions_ratio_to_key_ranking": _ratio_ranking(decisions, key),
    })

    # Eurodac and Dublin.
    eurodac = pd.read_csv(_path(folder, "eurodac"), dtype={"period_start": str, "period_end": str})
    hits = eurodac[eurodac.period_start == "2024-07"]
    hits_prev = eurodac[eurodac.period_start == "2023-07"]
    big = hits[hits.hits > 6000]
    dublin = _eurostat_wide(folder, "dublin_requests")[ANNUAL_YEAR]
    observed.update({
        "eurodac_total": hits.hits.sum(),
        "eurodac_change": _change(hits.hits.sum(), hits_prev.hits.sum()),
        "eurodac_routes_above_6000": [f"{o}-{d}" for o, d in zip(big.origin, big.destination)],
        "eurodac_top_departure": _ranking(hits.groupby("origin").hits.sum()),
        "eurodac_top_receiving": _ranking(hits.groupby("destination").hits.sum()),
        "dublin_requests_total": dublin.sum(),
    })

    # Applications by unaccompanied minors (the analysts' monthly file).
    minors = pd.read_csv(_path(folder, "unaccompanied_minors_monthly"), dtype={"month": str})
    minors_bg = minors[(minors.member_state == "BG") & minors.month.isin(REFERENCE_MONTHS)]
    observed["unaccompanied_minors_bulgaria_share"] = _pct(minors_bg.applicants.sum(),
                                                           app_ref["BG"])

    # Reception.
    reception = pd.read_csv(_path(folder, "reception"), dtype={"month": str})
    june = reception[reception.month == STOCK_MONTH].set_index("member_state")
    observed.update({
        "reception_hosted_total": june.persons_hosted.sum(),
        "reception_top_absolute": _ranking(june.persons_hosted),
        "reception_ratio_to_key_ranking": _ratio_ranking(june.persons_hosted, key),
        "reception_occupancy": _pct(june.persons_hosted.sum(), june.capacity.sum()),
    })

    # Resettlement.
    resettled = _eurostat_wide(folder, "resettlement")[ANNUAL_YEAR]
    observed.update({
        "resettlement_total": resettled.sum(),
        "resettlement_germany_france_share":
            _pct(resettled["DE"] + resettled["FR"], resettled.sum()),
        "resettlement_ratio_to_key_ranking": _ratio_ranking(resettled, key),
    })

    # Return.
    orders = _eurostat_wide(folder, "orders_to_leave")
    returns = _eurostat_wide(folder, "returns")
    orders_ref = orders[REFERENCE_QUARTERS].sum(axis=1)
    returns_ref = returns[REFERENCE_QUARTERS].sum(axis=1)
    orders_prev = orders[COMPARISON_QUARTERS].sum().sum()
    returns_prev = returns[COMPARISON_QUARTERS].sum().sum()
    top_five = ["DE", "FR", "SE", "CY", "PL"]
    observed.update({
        "orders_to_leave_total": orders_ref.sum(),
        "orders_to_leave_change": _change(orders_ref.sum(), orders_prev),
        "orders_to_leave_top_absolute": _ranking(orders_ref),
        "orders_to_leave_ratio_to_key_ranking": _ratio_ranking(orders_ref, key),
        "returns_total": returns_ref.sum(),
        "returns_change": _change(returns_ref.sum(), returns_prev),
        "returns_top_five": _ranking(returns_ref),
        "returns_top_five_share": _pct(returns_ref[top_five].sum(), returns_ref.sum()),
        "return_rate": _pct(returns_ref.sum(), orders_ref.sum()),
    })

    # Refusals of entry.
    refusals = {border: _eurostat_wide(folder, "refusals", border=border)[ANNUAL_YEAR]
                for border in ("TOTAL", "LAND", "AIR")}
    observed.update({
        "refusals_total": refusals["TOTAL"].sum(),
        "refusals_land_share": _pct(refusals["LAND"].sum(), refusals["TOTAL"].sum()),
        "refusals_air_share": _pct(refusals["AIR"].sum(), refusals["TOTAL"].sum()),
        "refusals_top_absolute": _ranking(refusals["TOTAL"]),
        "refusals_ratio_to_key_ranking": _ratio_ranking(refusals["TOTAL"], key),
    })
    return observed


@pytest.fixture(scope="module")
def observed(sample) -> dict[str, object]:
    return observed_values(sample)


@pytest.fixture(scope="module")
def observed_other(other_sample) -> dict[str, object]:
    return observed_values(other_sample)


def test_every_statement_is_checked(observed):
    assert set(observed) == set(STATEMENTS)


def _describe(statement, value) -> str:
    shown = value if isinstance(value, list) else f"{float(value):,.2f}"
    return (f"{statement.id}: published {statement.value} ({statement.wording}; "
            f"{statement.describe_tolerance()}), sample gives {shown}")


@pytest.mark.parametrize("statement_id", list(STATEMENTS))
def test_sample_agrees_with_the_published_statement(statement_id, observed):
    statement = STATEMENTS[statement_id]
    value = observed[statement_id]
    assert statement.holds(value), _describe(statement, value)


@pytest.mark.parametrize("statement_id", list(STATEMENTS))
def test_calibration_does_not_depend_on_the_seed(statement_id, observed_other):
    statement = STATEMENTS[statement_id]
    value = observed_other[statement_id]
    assert statement.holds(value), _describe(statement, value)
