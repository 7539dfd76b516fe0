"""Projection for the coming year: EU monthly totals, the ETS projection, its backtest, facts."""

import numpy as np
import pandas as pd
import pytest

from pipeline.analysis import projection
from pipeline.core.errors import InputError
from pipeline.publication.figures import projection as projection_figure

SEASONAL = np.array([0.85, 0.8, 0.9, 0.95, 1.0, 1.05, 1.15, 1.2, 1.15, 1.05, 0.95, 0.95])


def expected(months: pd.PeriodIndex, level: float = 20_000.0, slope: float = 40.0) -> np.ndarray:
    """A linear trend times a fixed monthly pattern, counted from July 2017."""
    steps = np.array([(month - pd.Period("2017-07", freq="M")).n for month in months])
    return (level + slope * steps) * SEASONAL[months.month.to_numpy() - 1]


def seasonal_series(last: str = "2025-06", *, years: int = 8, noise: float = 0.02,
                    seed: int = 1) -> pd.Series:
    months = pd.period_range(end=pd.Period(last, freq="M"), periods=12 * years, freq="M")
    rng = np.random.default_rng(seed)
    values = expected(months) * rng.lognormal(0.0, noise, len(months))
    return pd.Series(values, index=months, name="constructed")


def tidy(series: pd.Series, member_states: dict[str, float]) -> pd.DataFrame:
    """Split an EU monthly series between Member States in fixed proportions."""
    return pd.DataFrame([
        {"geo": geo, "applicant": "ASY_APP", "period": str(month), "value": value * part,
         "flag": ""}
        for month, value in series.items() for geo, part in member_states.items()
    ])


APPLICATIONS = projection.SERIES[0]


def test_eu_monthly_total_sums_member_states_for_the_selection():
    series = seasonal_series(years=3)
    table = pd.concat([tidy(series, {"DE": 0.6, "FR": 0.4}),
                       tidy(series, {"DE": 0.1}).assign(applicant="NASY_APP")])
    total = projection.eu_monthly_total(table, APPLICATIONS, "2025-06")
    assert total.index[0] == pd.Period("2022-07", freq="M")
    assert total.index[-1] == pd.Period("2025-06", freq="M")
    assert total.to_numpy() == pytest.approx(series.to_numpy())


def test_eu_monthly_total_keeps_at_most_the_history_years():
    series = seasonal_series(years=projection.HISTORY_YEARS + 2)
    total = projection.eu_monthly_total(tidy(series, {"DE": 1.0}), APPLICATIONS, "2025-06")
    assert len(total) == 12 * projection.HISTORY_YEARS


def test_eu_monthly_total_stops_at_june_of_the_edition_year():
    series = seasonal_series(last="2026-06", years=5)
    total = projection.eu_monthly_total(tidy(series, {"DE": 1.0}), APPLICATIONS, "2025-06")
    assert str(total.index[-1]) == "2025-06" and len(total) == 48


def test_a_member_state_missing_a_month_is_an_error():
    table = tidy(seasonal_series(years=4), {"DE": 0.5, "FR": 0.5})
    table = table[~((table["geo"] == "FR") & (table["period"] == "2024-02"))]
    with pytest.raises(InputError, match="2024-02 missing for FR"):
        projection.eu_monthly_total(table, APPLICATIONS, "2025-06")


def test_a_series_that_ends_before_june_is_an_error():
    table = tidy(seasonal_series(last="2025-04", years=4), {"DE": 1.0})
    with pytest.raises(InputError, match="no data for 2025-06"):
        projection.eu_monthly_total(table, APPLICATIONS, "2025-06")


def test_projection_recovers_trend_and_season_and_its_interval_covers():
    history = seasonal_series()
    result = projection.project(history)
    future = pd.period_range("2025-07", periods=12, freq="M")
    truth = expected(future)
    assert list(result.months.index) == list(future)
    assert result.total == pytest.approx(truth.sum(), rel=0.03)
    assert result.lower < truth.sum() < result.upper
    assert result.months["projected"].to_numpy() == pytest.approx(truth, rel=0.06)
    assert (result.months["lower"] < result.months["projected"]).all()
    assert (result.months["projected"] < result.months["upper"]).all()


def test_projection_is_reproducible():
    history = seasonal_series()
    first, second = projection.project(history), projection.project(history)
    assert (first.total, first.lower, first.upper) == (second.total, second.lower, second.upper)


def test_a_wider_interval_level_gives_a_wider_interval():
    history = seasonal_series(noise=0.05)
    narrow = projection.project(history, interval=0.5)
    wide = projection.project(history, interval=0.95)
    assert wide.lower < narrow.lower < narrow.upper < wide.upper


def test_short_or_non_positive_history_is_refused():
    with pytest.raises(ValueError, match="at least 36 are needed"):
        projection.project(seasonal_series(years=2))
    history = seasonal_series(years=4)
    history.iloc[5] = 0.0
    with pytest.raises(ValueError, match="positive monthly totals"):
        projection.project(history)


def test_backtest_compares_each_earlier_june_with_what_followed():
    history = seasonal_series(years=6)
    tests = projection.backtest(history)
    assert tests["period"].tolist() == ["July 2024 \u2013 June 2025", "July 2023 \u2013 June 2024",
                                        "July 2022 \u2013 June 2023"]  # 6 years allow 3 origins
    actual_2023 = history["2023-07":"2024-06"].sum()
    assert tests.loc[1, "actual"] == pytest.approx(actual_2023)
    assert tests["error"].to_numpy() == pytest.approx(
        (tests["projected"] / tests["actual"] - 1).to_numpy())
    assert (tests["error"].abs() < 0.05).all()  # a regular series is projected closely


def test_summary_and_facts_for_the_prose():
    table = tidy(seasonal_series(years=6), {"DE": 1.0})
    result = projection.run(APPLICATIONS, table, 2025)
    summary = projection.summary([result], 2025)
    row = summary.iloc[0]
    assert row["projected_period"] == "July 2025 \u2013 June 2026"
    assert row["reference_total"] == pytest.approx(result.history["2024-07":"2025-06"].sum())
    assert row["change"] == pytest.approx(row["projected_total"] / row["reference_total"] - 1)
    facts = projection_figure.facts(summary, 2025)
    assert facts["period"] == "July 2025 \u2013 June 2026"
    assert facts["interval"] == "80%"
    assert facts["applications_direction"] == "increase"  # the constructed trend rises
    assert facts["applications_backtest_covered"] == f"{row['backtest_covered']} of 3"
    assert facts["applications_total"].replace("\u00a0", "") == str(
        int(round(row["projected_total"], -3)))


def test_figure_data_and_alt_text(tmp_path):
    table = tidy(seasonal_series(years=4), {"DE": 1.0})
    result = projection.run(APPLICATIONS, table, 2025)
    data = projection_figure.figure_data([result])
    assert (data["kind"] == "observed").sum() == 48 and (data["kind"] == "projected").sum() == 12
    assert data.loc[data["kind"] == "observed", "lower"].isna().all()
    alt = projection_figure.alt_text(projection.summary([result], 2025), 2025)
    assert "July 2025 \u2013 June 2026" in alt and "Applications for international protection" in alt
    figure = projection_figure.plot([result], 2025)
    assert len(figure.axes) == 1


def test_a_series_whose_input_was_not_supplied_is_left_out_with_a_note():
    from pipeline.core.errors import MissingInputError

    tables = {"applications": tidy(seasonal_series(years=4), {"DE": 1.0}),
              "ibc_routes": tidy(seasonal_series(years=4), {"x": 1.0}).rename(
                  columns={"geo": "route"}).assign(border_location="Sea", nationality="All")}

    def load(name):
        if name not in tables:
            raise MissingInputError(f"data/raw/local/frontex/{name}.csv", "not supplied")
        return tables[name]

    results, left_out = projection.run_available(load, 2025)
    assert [result.series.name for result in results] == ["applications", "ibc"]
    assert left_out == [("Persons disembarked after search and rescue: not projected, its input "
                        "sar.csv was not supplied.")]


def test_markdown_tables():
    table = tidy(seasonal_series(years=5), {"DE": 1.0})
    result = projection.run(APPLICATIONS, table, 2025)
    summary = projection.summary([result], 2025)
    markdown = projection_figure.markdown_table(summary, 2025)
    assert "| Projected July 2025 \u2013 June 2026 | 80% interval |" in markdown
    row = markdown.splitlines()[2]
    assert row.startswith("| Applications for international protection (applications) | ")
    assert row.endswith(f"| {summary.loc[0, 'backtest_covered']} of 2 |")
    backtest = projection_figure.backtest_markdown([result])
    assert backtest.count("\n") == 2 + 2  # header, rule and two backtest years
