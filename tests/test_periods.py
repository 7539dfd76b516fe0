from datetime import date

import pytest

from pipeline.core.periods import ReportPeriods, twelve_months_to_june


def test_2025_edition_periods_match_the_eaamr():
    periods = ReportPeriods(2025)
    assert (periods.reference.start, periods.reference.end) == (date(2024, 7, 1), date(2025, 6, 30))
    assert (periods.comparison.start, periods.comparison.end) == (date(2023, 7, 1), date(2024, 6, 30))
    assert (periods.five_years.start, periods.five_years.end) == (date(2020, 7, 1), date(2025, 6, 30))
    assert periods.stock_month == "2025-06"
    assert periods.latest_full_calendar_year == 2024


def test_2026_edition_moves_every_period_by_one_year():
    periods = ReportPeriods(2026)
    assert periods.reference.months[0] == "2025-07"
    assert periods.reference.months[-1] == "2026-06"
    assert periods.comparison.label == "July 2024 \u2013 June 2025"
    assert periods.five_years.start == date(2021, 7, 1)


def test_window_months_and_quarters():
    window = twelve_months_to_june(2025)
    assert len(window.months) == 12
    assert window.quarters == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    assert "2024-07" in window and "2025-06" in window
    assert "2024-06" not in window and "2025-07" not in window


def test_five_year_window_holds_sixty_months():
    assert len(ReportPeriods(2025).five_years.months) == 60


def test_labels():
    window = twelve_months_to_june(2025)
    assert window.label == "July 2024 \u2013 June 2025"
    assert window.short_label == "Jul 2024 \u2013 Jun 2025"


@pytest.mark.parametrize("year", [2021, 2025, 2030])
def test_comparison_ends_the_month_before_the_reference_starts(year):
    periods = ReportPeriods(year)
    assert periods.comparison.last + 1 == periods.reference.first
