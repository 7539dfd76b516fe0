"""Projection for the coming year: the project's own, not the Commission's.

Method, for each monthly EU series (applications, illegal border crossings, persons disembarked
after search and rescue):

- the EU monthly total over the last `HISTORY_YEARS` years (at least `MIN_HISTORY_YEARS`) up
  to June of the edition year Y;
- an exponential smoothing state space model ETS(M,Ad,M) - multiplicative errors, additive
  damped trend, multiplicative 12-month seasonality (Hyndman and Athanasopoulos, *Forecasting:
  Principles and Practice*, ch. 8), fitted by maximum likelihood with statsmodels;
- the projection for July Y - June Y+1 is the sum of the 12 monthly forecasts; its interval
  (`INTERVAL`, 80 %) is the range of the central 80 % of the 12-month totals of `SIMULATIONS`
  simulated future paths of the fitted model (fixed random seed: same data, same numbers);
- a backtest repeats the method from each earlier June with enough history and compares the
  projected 12-month total with what was then recorded.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from pipeline.core.caveat import Caveat
from pipeline.core.errors import InputError, MissingInputError, source_of
from pipeline.core.periods import HISTORY_YEARS, twelve_months_to_june

INTERVAL = 0.8
MIN_HISTORY_YEARS = 3
MAX_BACKTESTS = 5
SIMULATIONS = 2000
SEED = 20251111
METHOD = ("exponential smoothing, ETS(M,Ad,M): multiplicative errors, additive damped trend, "
          "multiplicative monthly seasonality")

CAVEATS = (
    Caveat("Projection", f"The outlook is the project's own: {METHOD}, on at most "
           f"{HISTORY_YEARS} years of EU monthly totals up to June {{year}}, with the central "
           f"{INTERVAL:.0%} of {SIMULATIONS} simulated paths as its interval. Temporary protection "
           "is not projected (a short series with a break)."),
)

@dataclass(frozen=True)
class Series:
    """A monthly series the projection covers."""

    name: str
    table: str  # processed table (processed.load)
    label: str
    unit: str
    groups: tuple[str, ...]  # columns identifying one reporting unit of the table
    selection: dict[str, str] = field(default_factory=dict)


SERIES = (
    Series("applications", "applications", "Applications for international protection",
           "applications", ("geo",), {"applicant": "ASY_APP"}),
    Series("ibc", "ibc_routes", "Illegal border crossings", "detections",
           ("route", "border_location", "nationality")),
    Series("sar", "sar", "Persons disembarked after search and rescue", "persons", ("geo",)),
)


def eu_monthly_total(table: pd.DataFrame, series: Series, last_month: str) -> pd.Series:
    """EU total per month, over at most HISTORY_YEARS years ending with `last_month`.

    Every reporting unit (Member State, or route x border x nationality) present in that span
    must have a value for every month; a gap is an InputError naming the unit and the months.
    """
    for column, code in series.selection.items():
        table = table[table[column] == code]
    last = pd.Period(last_month, freq="M")
    months = pd.period_range(last - 12 * HISTORY_YEARS + 1, last, freq="M").astype(str)
    available = sorted(set(table["period"]) & set(months))
    if last_month not in available:
        raise InputError(source_of(table, series.table), f"no data for {last_month}: the series ends at "
                         f"{table['period'].max()}", field="period")
    months = [month for month in months if month >= available[0]]
    inside = table[table["period"].isin(months)]
    present = inside.dropna(subset=["value"]).groupby(list(series.groups))["period"].agg(set)
    for unit, have in present.items():
        missing = [month for month in months if month not in have]
        if missing:
            raise InputError(source_of(table, series.table), f"{', '.join(missing)} missing for {unit}",
                             field="period")
    total = inside.groupby("period")["value"].sum().reindex(months)
    total.index = pd.PeriodIndex(total.index, freq="M")
    return total.rename(series.name)


@dataclass(frozen=True)
class Projection:
    """Monthly forecasts with their band, and the 12-month total with its interval."""

    months: pd.DataFrame  # index: month; columns: projected, lower, upper
    total: float
    lower: float
    upper: float


def project(history: pd.Series, *, interval: float = INTERVAL) -> Projection:
    """Fit ETS(M,Ad,M) to a monthly series and project the next 12 months."""
    if len(history) < 12 * MIN_HISTORY_YEARS:
        raise ValueError(f"{history.name}: {len(history)} months of history, "
                         f"at least {12 * MIN_HISTORY_YEARS} are needed")
    if not (history > 0).all():
        raise ValueError(f"{history.name}: a multiplicative model needs positive monthly totals; "
                         f"{history.idxmin()} is {history.min():g}")
    model = ETSModel(history.to_numpy(dtype=float), error="mul", trend="add", damped_trend=True,
                     seasonal="mul", seasonal_periods=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the backtest measures fit quality
        fitted = model.fit(disp=False)
    paths = np.asarray(fitted.simulate(12, anchor="end", repetitions=SIMULATIONS,
                                       rng=np.random.default_rng(SEED)))
    low, high = (1 - interval) / 2, (1 + interval) / 2
    months = pd.period_range(history.index[-1] + 1, periods=12, freq="M")
    band = pd.DataFrame({
        "projected": fitted.forecast(12),
        "lower": np.quantile(paths, low, axis=1),
        "upper": np.quantile(paths, high, axis=1),
    }, index=months)
    totals = paths.sum(axis=0)
    return Projection(band, float(band["projected"].sum()), float(np.quantile(totals, low)),
                      float(np.quantile(totals, high)))


def backtest(history: pd.Series, *, interval: float = INTERVAL) -> pd.DataFrame:
    """The method applied from earlier Junes, against the 12 months that followed each."""
    rows = []
    last = history.index[-1]
    for years_back in range(1, MAX_BACKTESTS + 1):
        origin = last - 12 * years_back
        past = history[history.index <= origin].iloc[-12 * HISTORY_YEARS:]
        if len(past) < 12 * MIN_HISTORY_YEARS:
            break
        actual = history[(history.index > origin) & (history.index <= origin + 12)].sum()
        projection = project(past, interval=interval)
        rows.append({
            "period": twelve_months_to_june(origin.year + 1).label,
            "projected": projection.total,
            "lower": projection.lower,
            "upper": projection.upper,
            "actual": actual,
            "error": projection.total / actual - 1.0,
            "covered": projection.lower <= actual <= projection.upper,
        })
    return pd.DataFrame(rows, columns=["period", "projected", "lower", "upper", "actual", "error",
                                       "covered"])


@dataclass(frozen=True)
class SeriesResult:
    series: Series
    history: pd.Series
    projection: Projection
    backtest: pd.DataFrame


def run(series: Series, table: pd.DataFrame, year: int) -> SeriesResult:
    """Projection for July `year` - June `year`+1 from the data up to June `year`."""
    history = eu_monthly_total(table, series, f"{year}-06")
    return SeriesResult(series, history, project(history), backtest(history))


def run_available(load: Callable[[str], pd.DataFrame], year: int
                  ) -> tuple[list[SeriesResult], list[str]]:
    """Every series whose input was supplied; a note for each one left out."""
    results, left_out = [], []
    for series in SERIES:
        try:
            table = load(series.table)
        except MissingInputError as missing:
            left_out.append(f"{series.label}: not projected, its input {missing.path.name} "
                            f"was {missing.problem}.")
            continue
        results.append(run(series, table, year))
    return results, left_out


def summary(results: list[SeriesResult], year: int) -> pd.DataFrame:
    """One row per series: last 12 months, projection, interval, backtest error and coverage."""
    rows = []
    for result in results:
        tests = result.backtest
        rows.append({
            "series": result.series.name,
            "label": result.series.label,
            "unit": result.series.unit,
            "reference_total": result.history.iloc[-12:].sum(),
            "projected_total": result.projection.total,
            "lower": result.projection.lower,
            "upper": result.projection.upper,
            "change": result.projection.total / result.history.iloc[-12:].sum() - 1.0,
            "backtests": len(tests),
            "backtest_mean_absolute_error": tests["error"].abs().mean() if len(tests) else np.nan,
            "backtest_covered": int(tests["covered"].sum()),
        })
    table = pd.DataFrame(rows)
    table.insert(3, "projected_period", twelve_months_to_june(year + 1).label)
    return table
