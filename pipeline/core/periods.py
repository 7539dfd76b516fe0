"""Reference periods of the EAAMR: 1 July Y-1 to 30 June Y, the 12 months before, five years."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

RANGE_DASH = "\u2013"

# Years of monthly history the projection (Figure 9) fits, ending in June of the edition year.
HISTORY_YEARS = 8

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


@dataclass(frozen=True)
class Window:
    """A span of whole months, first and last month inclusive."""

    first: pd.Period  # monthly period
    last: pd.Period

    @property
    def start(self) -> date:
        return self.first.start_time.date()

    @property
    def end(self) -> date:
        return self.last.end_time.date()

    @property
    def months(self) -> list[str]:
        """Month codes in Eurostat form (2024-07, ...)."""
        return [str(p) for p in pd.period_range(self.first, self.last, freq="M")]

    @property
    def quarters(self) -> list[str]:
        """Quarter codes in Eurostat form (2024-Q3, ...); the window must hold whole quarters."""
        quarters = pd.period_range(self.first, self.last, freq="M").asfreq("Q").unique()
        return [f"{q.year}-Q{q.quarter}" for q in quarters]

    @property
    def label(self) -> str:
        """'July 2024 – June 2025' (a range takes an en dash)."""
        return f"{self._first_month} {self.first.year} {RANGE_DASH} {self._last_month} {self.last.year}"

    @property
    def short_label(self) -> str:
        """'Jul 2024 – Jun 2025'."""
        return (f"{self._first_month[:3]} {self.first.year} {RANGE_DASH} "
                f"{self._last_month[:3]} {self.last.year}")

    @property
    def between(self) -> str:
        """'between July 2024 and June 2025', as the EAAMR writes a period in a sentence."""
        return f"between {self._first_month} {self.first.year} and {self._last_month} {self.last.year}"

    @property
    def _first_month(self) -> str:
        return MONTH_NAMES[self.first.month - 1]

    @property
    def _last_month(self) -> str:
        return MONTH_NAMES[self.last.month - 1]

    def __contains__(self, month: str) -> bool:
        return self.first <= pd.Period(month, freq="M") <= self.last


def twelve_months_to_june(year: int) -> Window:
    return Window(pd.Period(f"{year - 1}-07", freq="M"), pd.Period(f"{year}-06", freq="M"))


@dataclass(frozen=True)
class ReportPeriods:
    """The periods one edition of the report uses."""

    year: int

    @property
    def reference(self) -> Window:
        """1 July Y-1 to 30 June Y."""
        return twelve_months_to_june(self.year)

    @property
    def comparison(self) -> Window:
        """The 12 months before the reference period."""
        return twelve_months_to_june(self.year - 1)

    @property
    def five_years(self) -> Window:
        """1 July Y-5 to 30 June Y, the look-back for a significant migratory situation."""
        return Window(pd.Period(f"{self.year - 5}-07", freq="M"), pd.Period(f"{self.year}-06", freq="M"))

    @property
    def monthly_history(self) -> Window:
        """Every month a monthly series is read for: the projection's HISTORY_YEARS years to
        June Y, which hold the five-year look-back and the comparison period."""
        return Window(pd.Period(f"{self.year - HISTORY_YEARS}-07", freq="M"),
                      pd.Period(f"{self.year}-06", freq="M"))

    @property
    def stock_month(self) -> str:
        """Stocks (temporary protection, reception) are taken at the end of June of Y."""
        return f"{self.year}-06"

    @property
    def latest_full_calendar_year(self) -> int:
        """Annual-only series use the last calendar year that ends inside the reference period."""
        return self.year - 1
