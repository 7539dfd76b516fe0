"""Generate the synthetic sample: every raw input of the catalogue, in its provider's format.

How each dataset is made:
1. the reference-period level of each Member State comes from `levels.py`, scaled so the EU
   totals and the named values match the EAAMR 2025 statements (`pipeline/inputs/published`);
2. the comparison period follows from each Member State's change, scaled to the published
   EU change; other 12-month periods follow an EU-wide trend with noise per Member State;
3. each 12-month total is spread over its months (or quarters) with a seasonal profile and
   seeded noise, rounded so the totals still hold; stocks follow a path through their
   end-of-June-2025 value;
4. the files are written with the providers' layouts (Eurostat TSV with an EU27_2020
   aggregate and flags, the Frontex workbook, CSVs).

Same seed, same bytes. Coverage: months 2019-07..2026-06, quarters 2019-Q3..2026-Q2, years
2019..2025 (population 2015..2026, GDP 2015..2025). Unaccompanied minors are made monthly, like
the other flows, and written twice: the analysts' monthly file (calendar years 2020..2025) and
Eurostat's annual table, each year the sum of its months in the monthly file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.core import atomic
from pipeline.core.countries import EU27, EU_AGGREGATE
from pipeline.core.routes import ROUTE_LABELS
from pipeline.inputs.catalog import RAW_INPUTS
from pipeline.inputs.published import Statement, load_statements
from pipeline.inputs.sample import levels
from pipeline.inputs.sample.shaping import (
    calibrate,
    fit_margins,
    noisy,
    previous_from_change,
    rng_for,
    round_preserving,
    seasonal_profile,
    spread_over_periods,
    spread_with_cap,
    stock_path,
)
from pipeline.inputs.sources.eurostat_tsv import write_eurostat_tsv
from pipeline.inputs.sources.frontex import write_frontex_workbook

MONTHS = [str(p) for p in pd.period_range("2019-07", "2026-06", freq="M")]
QUARTERS = [f"{q.year}-Q{q.quarter}" for q in pd.period_range("2019Q3", "2026Q2", freq="Q")]
YEARS = list(range(2019, 2026))  # calendar years of the annual series
UAM_MONTHS = [m for m in MONTHS if "2020-01" <= m <= "2025-12"]  # whole calendar years
PERIOD_YEARS = list(range(2020, 2027))  # 12-month periods to June: 2020 = 2019-07..2020-06
REFERENCE, COMPARISON = 2025, 2024  # 12 months to June 2025 / to June 2024
ANNUAL_YEAR = 2024
STOCK_MONTH = "2025-06"
PROVISIONAL = {"M": MONTHS[-3:], "Q": QUARTERS[-1:], "A": ["2025"]}
YEAR_NOISE = 0.10  # spread of other years' levels around the EU trend, per Member State


def _month_year(month: str) -> int:
    year, number = int(month[:4]), int(month[5:7])
    return year + 1 if number >= 7 else year


def _quarter_year(quarter: str) -> int:
    year, number = int(quarter[:4]), int(quarter[-1])
    return year + 1 if number >= 3 else year


MONTH_YEARS = np.array([_month_year(m) for m in MONTHS])
MONTH_NUMBERS = np.array([int(m[5:7]) for m in MONTHS])
QUARTER_YEARS = np.array([_quarter_year(q) for q in QUARTERS])
QUARTER_MID_MONTHS = np.array([3 * int(q[-1]) - 1 for q in QUARTERS])


# ---------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EurostatTable:
    frame: pd.DataFrame  # tidy: dimensions, time_period, value, flag
    dimensions: tuple[str, ...]

    def write(self, path: Path) -> None:
        write_eurostat_tsv(self.frame, self.dimensions, path)


@dataclass(frozen=True)
class FrontexWorkbook:
    frame: pd.DataFrame
    data_as_of: dt.date  # the date of the workbook's source line

    def write(self, path: Path) -> None:
        write_frontex_workbook(self.frame, path, data_as_of=self.data_as_of)


@dataclass(frozen=True)
class CsvTable:
    frame: pd.DataFrame

    def write(self, path: Path) -> None:
        atomic.write_text(path, self.frame.to_csv(index=False, lineterminator="\n"))


Output = EurostatTable | FrontexWorkbook | CsvTable


def generate_sample(out_dir: Path | str, seed: int) -> None:
    """Write every raw input of the catalogue into `out_dir` (paths as in the catalogue)."""
    out_dir = Path(out_dir)
    for name, output in build_sample(seed).items():
        output.write(out_dir / _FILENAMES[name])


_FILENAMES = {raw.name: raw.filename for raw in RAW_INPUTS}


def build_sample(seed: int) -> dict[str, Output]:
    """Every dataset of the catalogue, in memory, by raw-input name."""
    targets = load_statements()
    outputs: dict[str, Output] = {}
    outputs.update(_key_datasets(seed))
    outputs["applications"] = _applications(seed, targets)
    outputs.update(_temporary_protection(seed, targets))
    outputs.update(_orders_and_returns(seed, targets))
    outputs["dublin_requests"] = _dublin(seed, targets)
    outputs["refusals"] = _refusals(seed, targets)
    outputs["resettlement"] = _resettlement(seed, targets)
    outputs.update(_unaccompanied_minors(seed, targets))
    outputs.update(_illegal_border_crossings(seed, targets))
    outputs["sar"] = _search_and_rescue(seed, targets)
    outputs["reception"] = _reception(seed, targets)
    outputs["eurodac"] = _eurodac(seed, targets)
    missing = set(_FILENAMES) - set(outputs)
    if missing:
        raise RuntimeError(f"no sample generator for raw input(s): {', '.join(sorted(missing))}")
    return {name: outputs[name] for name in _FILENAMES}


# ---------------------------------------------------------------------------------------------
# Shared steps
# ---------------------------------------------------------------------------------------------


def _integers(levels_: pd.Series, total: float | None = None) -> pd.Series:
    """Whole numbers, keeping the (rounded) total."""
    return pd.Series(round_preserving(levels_.to_numpy(), total), index=levels_.index)


def _twelve_month_totals(reference: pd.Series, previous: pd.Series, history: dict[int, float],
                         rng: np.random.Generator) -> pd.DataFrame:
    """Totals per Member State (rows) and 12-month period to June (columns)."""
    totals = {REFERENCE: _integers(reference), COMPARISON: _integers(previous)}
    for year, index in history.items():
        if year not in totals:
            totals[year] = _integers(noisy(reference * index, rng, YEAR_NOISE))
    return pd.DataFrame(totals).reindex(columns=[y for y in PERIOD_YEARS if y in totals])


def _spread(totals: pd.DataFrame, period_years: np.ndarray, shape: np.ndarray,
            periods: list[str], rng: np.random.Generator, valid: np.ndarray | None = None,
            sigma: float = 0.08) -> pd.DataFrame:
    """Each row's 12-month totals spread over the periods (rows x periods)."""
    rows = [spread_over_periods(totals.loc[key].dropna().to_dict(), period_years, shape, rng,
                                sigma=sigma, valid=valid) for key in totals.index]
    return pd.DataFrame(rows, index=totals.index, columns=periods)


def _monthly_shape(season: str) -> np.ndarray:
    amplitude, peak = levels.SEASONALITY[season]
    return seasonal_profile(MONTH_NUMBERS, amplitude, peak)


def _quarterly_shape(season: str) -> np.ndarray:
    amplitude, peak = levels.SEASONALITY[season]
    return seasonal_profile(QUARTER_MID_MONTHS, amplitude, peak)


def _eurostat(series: dict[tuple[str, ...], pd.DataFrame], dimensions: tuple[str, ...],
              freq: str, rng: np.random.Generator, e_rate: float = 0.01, b_rate: float = 0.002,
              provisional: list[str] | None = None) -> EurostatTable:
    """Tidy Eurostat frame from wide tables (Member States x periods), one per series key.

    `dimensions` ends with `geo`; each key gives the codes of the other dimensions. Adds the
    EU27_2020 aggregate (the sum; `:` where no Member State has a value) and flags: `p` on the
    `provisional` periods (default: the last ones) for two thirds of the Member States and the
    aggregate, an occasional `e` (estimate) or `b` (break in series).
    """
    provisional = PROVISIONAL[freq] if provisional is None else provisional
    provisional_states = set(rng.choice(EU27, size=len(EU27) * 2 // 3, replace=False))
    frames = []
    for key, wide in series.items():
        wide = wide.reindex(EU27)
        periods = [str(column) for column in wide.columns]
        flags = np.full(wide.shape, "", dtype=object)
        draws = rng.random(wide.shape)
        present = wide.notna().to_numpy()
        flags[present & (draws < b_rate)] = "b"
        flags[present & (draws > 1 - e_rate)] = "e"
        late = np.isin(periods, provisional)
        states = np.isin(wide.index, list(provisional_states))
        recent = np.ix_(states, late)
        flags[recent] = [[flag + "p" for flag in row] for row in flags[recent]]
        flags[~present] = ""
        aggregate = wide.sum(axis=0, min_count=1)
        aggregate_flags = np.where(late & aggregate.notna().to_numpy(), "p", "")
        values = np.vstack([wide.to_numpy(dtype=float), aggregate.to_numpy(dtype=float)])
        all_flags = np.vstack([flags, aggregate_flags])
        geos = [*wide.index, EU_AGGREGATE]
        frame = pd.DataFrame({
            "geo": np.repeat(geos, len(periods)),
            "time_period": np.tile(periods, len(geos)),
            "value": values.ravel(),
            "flag": all_flags.ravel(),
        })
        for name, code in zip(dimensions[:-1], key):
            frame.insert(len(frame.columns) - 4, name, code)
        frames.append(frame)
    return EurostatTable(pd.concat(frames, ignore_index=True), dimensions)


def _change_noise(index: pd.Index, total_change: float, rng: np.random.Generator,
                  spread_pct: float = 8.0) -> pd.Series:
    """Per-Member-State changes scattered around the EU change (%)."""
    return pd.Series(total_change + rng.normal(0.0, spread_pct, size=len(index)), index=index)


# ---------------------------------------------------------------------------------------------
# Reference key: population and GDP
# ---------------------------------------------------------------------------------------------


def _key_datasets(seed: int) -> dict[str, Output]:
    rng = rng_for(seed, "key")
    key = levels.KEY
    population = pd.DataFrame({
        str(year): (key.population * (1 + key.population_growth / 100) ** (year - 2025)).round()
        for year in levels.POPULATION_YEARS})
    gdp = pd.DataFrame({
        str(year): (key.gdp * index * (1 + key.gdp_growth / 100) ** (year - 2024)).round()
        for year, index in levels.GDP_INDEX.items()})
    population_table = _eurostat({("A", "NR", "TOTAL", "T"): population},
                                 ("freq", "unit", "age", "sex", "geo"), "A", rng,
                                 e_rate=0.0, b_rate=0.0, provisional=["2025", "2026"])
    # The 2021 census round brought breaks in series for some Member States.
    frame = population_table.frame
    census = frame.geo.isin(rng.choice(EU27, size=5, replace=False)) & (frame.time_period == "2021")
    frame.loc[census, "flag"] = "b"
    gdp_table = _eurostat({("A", "CP_MEUR", "B1GQ"): gdp}, ("freq", "unit", "na_item", "geo"),
                          "A", rng)
    return {"population": population_table, "gdp": gdp_table}


# ---------------------------------------------------------------------------------------------
# Asylum applications and temporary protection
# ---------------------------------------------------------------------------------------------


def _applications_reference(targets: dict[str, Statement]) -> pd.Series:
    """Applications per Member State in the reference period, Ireland's as published."""
    reference = levels.ASYLUM.applications.astype(float)
    reference["IE"] = targets["applications_ireland"].target
    return _integers(calibrate(reference, targets["applications_total"].target, fixed=["IE"]))


def _applications(seed: int, targets: dict[str, Statement]) -> EurostatTable:
    rng = rng_for(seed, "applications")
    table = levels.ASYLUM
    reference = _applications_reference(targets)
    germany_change = targets["applications_germany_change"].target
    previous = previous_from_change(
        reference, table.applications_change, targets["applications_change"].target,
        fixed={"DE": reference["DE"] / (1 + germany_change / 100),
               "IE": targets["applications_ireland_previous"].target})
    totals = _twelve_month_totals(reference, previous, levels.HISTORY["applications"], rng)
    all_applicants = _spread(totals, MONTH_YEARS, _monthly_shape("applications"), MONTHS, rng)
    first_time = np.floor(all_applicants * rng.uniform(0.85, 0.91, size=all_applicants.shape))
    dims = ("freq", "unit", "citizen", "sex", "age", "applicant", "geo")
    return _eurostat({("M", "PER", "TOTAL", "T", "TOTAL", "ASY_APP"): all_applicants,
                      ("M", "PER", "TOTAL", "T", "TOTAL", "NASY_APP"): first_time}, dims, "M", rng)


def _temporary_protection(seed: int, targets: dict[str, Statement]) -> dict[str, Output]:
    rng = rng_for(seed, "temporary_protection")
    table = levels.ASYLUM
    before_tp = np.array([m < levels.TP_FIRST_MONTH for m in MONTHS])

    # Stock at the end of each month, through its value at the end of June 2025.
    stock_2025 = _integers(calibrate(table.tp_stock.astype(float),
                                     targets["tp_stock_total"].target))
    path = levels.STOCK_PATH["tp_stock"]
    stock = pd.DataFrame(
        [np.round(stock_2025[ms] * stock_path(MONTHS, path, STOCK_MONTH, rng)) for ms in EU27],
        index=EU27, columns=MONTHS)
    stock.loc[:, before_tp] = np.nan

    # Decisions granting temporary protection, monthly flows; March 2022 was the peak.
    reference = _integers(calibrate(table.tp_decisions.astype(float),
                                    targets["tp_decisions_total"].target))
    history = levels.HISTORY["tp_decisions"]
    previous = noisy(reference * history[COMPARISON], rng, YEAR_NOISE)
    totals = _twelve_month_totals(reference, previous, history, rng)
    shape = _monthly_shape("tp_decisions")
    for month, boost in zip(["2022-03", "2022-04", "2022-05", "2022-06"], [3.0, 1.8, 1.1, 0.8]):
        shape[MONTHS.index(month)] *= boost
    decisions = _spread(totals, MONTH_YEARS, shape, MONTHS, rng, valid=~before_tp)

    dims = ("freq", "unit", "citizen", "sex", "age", "geo")
    key = ("M", "PER", "TOTAL", "T", "TOTAL")
    return {"tp_stock": _eurostat({key: stock}, dims, "M", rng),
            "tp_decisions": _eurostat({key: decisions}, dims, "M", rng)}


# ---------------------------------------------------------------------------------------------
# Return: orders to leave and returns (quarterly)
# ---------------------------------------------------------------------------------------------


def _orders_and_returns(seed: int, targets: dict[str, Statement]) -> dict[str, Output]:
    rng = rng_for(seed, "return")
    dims = ("freq", "unit", "citizen", "age", "sex", "geo")
    outputs: dict[str, Output] = {}
    for name, column in (("orders_to_leave", "orders"), ("returns", "returns")):
        reference = _integers(calibrate(levels.BORDERS[column].astype(float),
                                        targets[f"{name}_total"].target))
        change = targets[f"{name}_change"].target
        previous = previous_from_change(reference, _change_noise(reference.index, change, rng),
                                        change)
        totals = _twelve_month_totals(reference, previous, levels.HISTORY[column], rng)
        quarterly = _spread(totals, QUARTER_YEARS, _quarterly_shape(column), QUARTERS, rng,
                            sigma=0.05)
        outputs[name] = _eurostat({("Q", "PER", "TOTAL", "TOTAL", "T"): quarterly}, dims, "Q", rng)
    return outputs


# ---------------------------------------------------------------------------------------------
# Annual series: Dublin requests, refusals of entry, resettlement; unaccompanied minors
# ---------------------------------------------------------------------------------------------


def _annual(reference: pd.Series, history: dict[int, float],
            rng: np.random.Generator) -> pd.DataFrame:
    """Member States x calendar years, the reference year as given."""
    columns = {}
    for year in YEARS:
        values = reference if year == ANNUAL_YEAR else \
            noisy(reference * history[year], rng, YEAR_NOISE)
        columns[str(year)] = _integers(values).astype(float)
    return pd.DataFrame(columns)


def _dublin(seed: int, targets: dict[str, Statement]) -> EurostatTable:
    rng = rng_for(seed, "dublin")
    reference = _integers(calibrate(levels.BORDERS.dublin.astype(float),
                                    targets["dublin_requests_total"].target))
    requests = _annual(reference, levels.ANNUAL_HISTORY["dublin"], rng)
    return _eurostat({("A", "PER", "TOTAL", "TOTAL"): requests},
                     ("freq", "unit", "leg_prov", "partner", "geo"), "A", rng)


def _resettlement(seed: int, targets: dict[str, Statement]) -> EurostatTable:
    rng = rng_for(seed, "resettlement")
    reference = _integers(calibrate(levels.BORDERS.resettled.astype(float),
                                    targets["resettlement_total"].target))
    resettled = _annual(reference, levels.ANNUAL_HISTORY["resettled"], rng)
    return _eurostat({("A", "PER", "TOTAL", "T", "TOTAL"): resettled},
                     ("freq", "unit", "citizen", "sex", "age", "geo"), "A", rng)


def _unaccompanied_minors(seed: int, targets: dict[str, Statement]) -> dict[str, Output]:
    """Applications by unaccompanied minors, monthly like the other flows: in the reference
    period each Member State's share of its applications (Bulgaria's the published one fifth),
    scaled to the published share of all applications; the comparison period by the published
    change, earlier ones by the trend. Written as the analysts' monthly file and as Eurostat's
    annual table, whose years are the sums of their months in the monthly file."""
    rng = rng_for(seed, "unaccompanied_minors")
    applications = _applications_reference(targets)
    levels_ = applications * levels.UNACCOMPANIED["share"] / 100
    levels_["BG"] = applications["BG"] * targets["unaccompanied_minors_bulgaria_share"].target / 100
    total = targets["applications_total"].target * levels.UAM_SHARE_OF_APPLICATIONS / 100
    reference = _integers(calibrate(levels_, total, fixed=["BG"]))
    change = levels.UAM_CHANGE
    previous = previous_from_change(reference, _change_noise(reference.index, change, rng), change)
    totals = _twelve_month_totals(reference, previous, levels.HISTORY["unaccompanied"], rng)
    monthly = _spread(totals, MONTH_YEARS, _monthly_shape("unaccompanied"), MONTHS, rng)[UAM_MONTHS]
    annual = monthly.T.groupby(lambda month: month[:4]).sum().T
    frame = monthly.reindex(EU27).stack().rename("applicants").astype(np.int64).reset_index()
    frame.columns = ["member_state", "month", "applicants"]
    eurostat = _eurostat({("A", "PER", "TOTAL", "T", "TOTAL"): annual},
                         ("freq", "unit", "citizen", "sex", "age", "geo"), "A", rng)
    return {"unaccompanied_minors": eurostat, "unaccompanied_minors_monthly": CsvTable(frame)}


def _refusals(seed: int, targets: dict[str, Statement]) -> EurostatTable:
    rng = rng_for(seed, "refusals")
    table = levels.BORDERS
    reference = _integers(calibrate(table.refusals.astype(float), targets["refusals_total"].target))
    totals = _annual(reference, levels.ANNUAL_HISTORY["refusals"], rng)

    # Split by border type: each Member State's own mix, fitted to the published EU split.
    land, air = targets["refusals_land_share"].target, targets["refusals_air_share"].target
    own_mix = np.column_stack([table.refusals_land, 100 - table.refusals_land - table.refusals_air,
                               table.refusals_air]) / 100
    fitted = fit_margins(own_mix * reference.to_numpy()[:, None], reference.to_numpy(dtype=float),
                         np.array([land, 100 - land - air, air]) / 100 * reference.sum())
    mix = fitted / fitted.sum(axis=1, keepdims=True)
    by_border = {border: pd.DataFrame(index=totals.index, columns=totals.columns, dtype=float)
                 for border in ("LAND", "SEA", "AIR")}
    for year in totals.columns:
        for i, ms in enumerate(totals.index):
            split = round_preserving(mix[i] * totals.loc[ms, year], totals.loc[ms, year])
            for border, value in zip(("LAND", "SEA", "AIR"), split):
                by_border[border].loc[ms, year] = value
    series = {("A", "PER", "TOTAL", "TOTAL", "TOTAL"): totals}
    series.update({("A", "PER", "TOTAL", border, "TOTAL"): frame
                   for border, frame in by_border.items()})
    return _eurostat(series, ("freq", "unit", "citizen", "border", "reason", "geo"), "A", rng)


# ---------------------------------------------------------------------------------------------
# Frontex: illegal border crossings (workbook by route and nationality; CSV by Member State)
# ---------------------------------------------------------------------------------------------


def _ibc_reference(targets: dict[str, Statement]) -> pd.DataFrame:
    """The IBC table with the published values set: Greece on the Eastern Mediterranean,
    Cyprus, Croatia and its share of the Western Balkan route."""
    ibc = levels.IBC.copy()
    ibc["reference"] = ibc.reference.astype(float)
    at = {(row.route, row.ms): i for i, row in ibc.iterrows()}
    ibc.loc[at["Eastern Mediterranean Route", "EL"], "reference"] = \
        targets["ibc_greece_eastern_mediterranean"].target
    ibc.loc[at["Eastern Mediterranean Route", "CY"], "reference"] = targets["ibc_cyprus"].target
    croatia = targets["ibc_croatia"].target
    ibc.loc[at["Western Balkan Route", "HR"], "reference"] = croatia
    others = (ibc.route == "Western Balkan Route") & (ibc.ms != "HR")
    share = targets["ibc_croatia_western_balkan_share"].target / 100
    others_total = round(croatia / share - croatia)
    ibc.loc[others, "reference"] = round_preserving(ibc.loc[others, "reference"], others_total)
    ibc["reference"] = ibc.reference.round().astype(np.int64)
    return ibc


def _illegal_border_crossings(seed: int, targets: dict[str, Statement]) -> dict[str, Output]:
    rng = rng_for(seed, "ibc")
    ibc = _ibc_reference(targets)
    reference = ibc.reference.astype(float)
    previous = previous_from_change(reference, ibc.change, targets["ibc_change"].target)
    totals = _twelve_month_totals(reference, previous, levels.HISTORY["ibc"], rng)

    # By Member State of detection: each route and Member State spread over the months.
    season = {"Western African Route": "ibc_atlantic"}
    rows = []
    for i, row in ibc.iterrows():
        sea = any(border == "Sea" for border, _, _ in levels.ROUTE_MIX[row.route])
        shape = _monthly_shape(season.get(row.route, "ibc_sea" if sea else "ibc_land"))
        monthly = spread_over_periods(totals.loc[i].to_dict(), MONTH_YEARS, shape, rng, sigma=0.15)
        rows.append(pd.DataFrame({"member_state": row.ms, "route": row.route, "month": MONTHS,
                                  "detections": monthly.astype(np.int64)}))
    by_state = pd.concat(rows, ignore_index=True)
    by_state["route_order"] = by_state.route.map(ROUTE_LABELS.index)
    by_state["ms_order"] = by_state.member_state.map(EU27.index)
    by_state = by_state.sort_values(["route_order", "ms_order", "month"]) \
        .drop(columns=["route_order", "ms_order"]).reset_index(drop=True)

    # The workbook: each route's monthly total split by border location and nationality.
    route_totals = by_state.groupby(["route", "month"]).detections.sum()
    cells = []
    for route, mix in levels.ROUTE_MIX.items():
        if route not in route_totals.index.get_level_values(0):
            continue
        shares = np.array([share for _, _, share in mix])
        for month in MONTHS:
            weights = shares * np.exp(rng.normal(0.0, 0.25, size=len(mix)))
            counts = round_preserving(weights, route_totals[route, month])
            cells.extend((route, border, nationality, month, count)
                         for (border, nationality, _), count in zip(mix, counts))
    workbook = pd.DataFrame(cells, columns=["route", "border_location", "nationality", "month",
                                            "detections"])
    # Frontex's data are as of the first days of the month after the last one published.
    as_of = (pd.Period(MONTHS[-1], freq="M") + 1).to_timestamp().date().replace(day=6)
    return {"ibc_routes": FrontexWorkbook(workbook, as_of),
            "ibc_member_states": CsvTable(by_state)}


# ---------------------------------------------------------------------------------------------
# Search and rescue, reception (CSV, analyst-supplied tables)
# ---------------------------------------------------------------------------------------------


def _search_and_rescue(seed: int, targets: dict[str, Statement]) -> CsvTable:
    rng = rng_for(seed, "sar")
    reference = levels.BORDERS.sar.astype(float)
    reference["FR"] = targets["sar_france"].target
    reference = _integers(calibrate(reference, targets["sar_total"].target, fixed=["FR"]))
    change = targets["sar_change"].target
    previous = previous_from_change(reference, _change_noise(reference.index, change, rng), change)
    totals = _twelve_month_totals(reference, previous, levels.HISTORY["sar"], rng)
    monthly = _spread(totals, MONTH_YEARS, _monthly_shape("sar"), MONTHS, rng, sigma=0.2)
    frame = monthly.reindex(EU27).stack().rename("persons").astype(np.int64).reset_index()
    frame.columns = ["member_state", "month", "persons"]
    return CsvTable(frame)


def _reception(seed: int, targets: dict[str, Statement]) -> CsvTable:
    rng = rng_for(seed, "reception")
    table = levels.ASYLUM
    hosted_2025 = _integers(calibrate(table.hosted.astype(float),
                                      targets["reception_hosted_total"].target))
    # Capacities at the end of June 2025: each Member State's occupancy, all scaled together so
    # that the EU occupancy is the published one.
    capacity_2025 = hosted_2025 / (table.occupancy / 100)
    occupancy_eu = targets["reception_occupancy"].target / 100
    capacity_2025 *= hosted_2025.sum() / occupancy_eu / capacity_2025.sum()
    rows = []
    for ms in EU27:
        path = stock_path(MONTHS, levels.STOCK_PATH["hosted"], STOCK_MONTH, rng)
        hosted = np.round(hosted_2025[ms] * path)
        wobble = stock_path(MONTHS, {STOCK_MONTH: 1.0}, STOCK_MONTH, rng, sigma=0.01)
        occupancy = hosted_2025[ms] / capacity_2025[ms] * wobble
        capacity = np.maximum(np.round(hosted / occupancy), 1)
        capacity[MONTHS.index(STOCK_MONTH)] = round(capacity_2025[ms])
        rows.append(pd.DataFrame({"member_state": ms, "month": MONTHS,
                                  "persons_hosted": hosted.astype(np.int64),
                                  "capacity": capacity.astype(np.int64)}))
    return CsvTable(pd.concat(rows, ignore_index=True))


# ---------------------------------------------------------------------------------------------
# eu-LISA: Eurodac foreign hits, one origin x destination matrix per 12-month period
# ---------------------------------------------------------------------------------------------


def _eurodac_reference(outgoing: pd.Series, rng: np.random.Generator) -> pd.DataFrame:
    """Origin x destination hits: the named main routes, the rest of each origin's hits spread
    by the destinations' pull, no other flow above the cap."""
    pull = levels.EURODAC.pull
    matrix = pd.DataFrame(0.0, index=EU27, columns=EU27)
    for origin in EU27:
        fixed = {d: v for (o, d), v in levels.EURODAC_MAIN_ROUTES.items() if o == origin}
        weights = pull * np.exp(rng.normal(0.0, 0.15, size=len(pull)))
        weights[[origin, *fixed]] = 0.0
        flows = spread_with_cap(outgoing[origin] - sum(fixed.values()), weights.to_numpy(),
                                levels.EURODAC_CAP)
        for destination, value in fixed.items():
            flows[EU27.index(destination)] = value
        matrix.loc[origin] = round_preserving(flows, outgoing[origin])
    return matrix


def _eurodac(seed: int, targets: dict[str, Statement]) -> CsvTable:
    rng = rng_for(seed, "eurodac")
    reference = _integers(calibrate(levels.EURODAC.outgoing.astype(float),
                                    targets["eurodac_total"].target))
    change = targets["eurodac_change"].target
    previous = previous_from_change(reference, _change_noise(reference.index, change, rng), change)
    totals = _twelve_month_totals(reference, previous, levels.HISTORY["eurodac"], rng)
    reference_matrix = _eurodac_reference(reference, rng)
    shares = reference_matrix.div(reference_matrix.sum(axis=1), axis=0)

    frames = []
    for year in PERIOD_YEARS:
        if year == REFERENCE:
            matrix = reference_matrix
        else:
            noise = np.exp(rng.normal(0.0, 0.2, size=shares.shape)) * (shares.to_numpy() > 0)
            weights = shares.to_numpy() * noise
            matrix = pd.DataFrame([round_preserving(weights[i], totals.loc[ms, year])
                                   for i, ms in enumerate(EU27)], index=EU27, columns=EU27)
        long = matrix.stack().rename("hits").reset_index()
        long.columns = ["origin", "destination", "hits"]
        long = long[long.origin != long.destination]
        long.insert(0, "period_end", f"{year}-06")
        long.insert(0, "period_start", f"{year - 1}-07")
        frames.append(long)
    frame = pd.concat(frames, ignore_index=True)
    frame["hits"] = frame.hits.astype(np.int64)
    return CsvTable(frame)
