"""Migratory pressure: the indicators table, a rules-based classification, the official lists.

The Commission's methodology (SWD(2025) 792) is not public. This module is a transparent
reconstruction, not the Commission's method: every rule compares an indicator of the edition
with a threshold from `params.yaml` (`pressure:`), and the result is set beside the official
determination (`data/reference/determinations/official_pressure_<year>.yaml`) as a cross-check;
the official lists never feed the rules.

The indicators table (`indicators_table`) is long and tidy, one row per indicator and Member
State of the key (params.yaml `key.member_states`, bound by Regulation (EU) 2024/1351):

    indicator, label, unit, basis, geo, period, value, previous_period, previous, change,
    share, key_share, ratio_to_key, five_year_period, five_year_value, five_year_share,
    five_year_ratio_to_key, flag

- `period`: the period the row's value covers: the reference period (flows), the month of a
  stock, or the calendar year of an annual-only series (the latest full calendar year of the
  reference period), unless the series' monthly table is supplied (`Indicator.monthly`), when
  it is the reference period and `basis` is `flow`;
- `share`: of the total over the key's Member States; `ratio_to_key` = share / key share
  (1.0 = exactly the fair share); `change` = value / previous - 1;
- `five_year_*`: cumulative over 1 July Y-5 to 30 June Y (annual series: the five calendar
  years to the latest full one; temporary protection: from its activation in March 2022);
  empty for stocks and rates;
- `flag`: the Eurostat flags of the values summed into `value` (e.g. `p` provisional).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pipeline.analysis import key as reference_key
from pipeline.analysis.indicators import compare_windows, window_total
from pipeline.core import atomic, countries, paths
from pipeline.core.caveat import Caveat
from pipeline.core.errors import InputError, MissingInputError, source_of
from pipeline.core.periods import ReportPeriods, Window
from pipeline.inputs import processed

TABLE_FILE = "pressure_indicators.csv"
CAVEATS = (
    Caveat("Pressure assessment", "Section IV presents the edition's official determination; "
           "the classification of Annex E is the project's rules-based reconstruction, a "
           "cross-check, not the Commission's methodology (SWD(2025) 792, not public). Its rules "
           "and thresholds (params.yaml pressure:) are listed in Annex E in a table generated "
           "from the rules the pipeline evaluates."),
    Caveat("Pressure assessment", "Qualitative information the Commission weighs (for example "
           "hybrid threats at the eastern border) is not captured by any rule."),
)
COLUMNS = ["indicator", "label", "unit", "basis", "geo", "period", "value", "previous_period",
           "previous", "change", "share", "key_share", "ratio_to_key", "five_year_period",
           "five_year_value", "five_year_share", "five_year_ratio_to_key", "flag"]

TP_ACTIVATION_MONTH = "2022-03"  # temporary protection was activated on 4 March 2022

PRESSURE, AT_RISK, NONE = "under migratory pressure", "at risk of migratory pressure", "none"
SIGNIFICANT = "significant migratory situation"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the assessment and how it is read from a processed table.

    basis: `flow` (summed over the months or quarters of the window), `annual` (one calendar
    year), `stock` (end of June), `period` (12-month periods, e.g. Eurodac), `rate` (persons
    hosted / capacity at the end of June).
    """

    name: str
    table: str
    label: str
    unit: str
    basis: str
    frequency: str = "M"
    selection: dict[str, str] = field(default_factory=dict)
    by: str = "geo"
    available_from: str | None = None  # first month the series can exist
    absent_is_zero: bool = False  # a Member State without rows recorded none (IBCs)
    # Annual-only series: the analysts' monthly table (catalogue name) that replaces the
    # calendar year when it covers the reference and comparison periods (`resolve`).
    monthly: str | None = None


INDICATORS: tuple[Indicator, ...] = (
    Indicator("ibc", "ibc_member_states", "Illegal border crossings", "detections", "flow",
              absent_is_zero=True),
    Indicator("sar", "sar", "Persons disembarked after search and rescue", "persons", "flow"),
    Indicator("applications", "applications", "Applications for international protection",
              "applicants", "flow", selection={"applicant": "ASY_APP"}),
    Indicator("unaccompanied_minors", "unaccompanied_minors",
              "Applications by unaccompanied minors", "applicants", "annual", "A",
              monthly="unaccompanied_minors_monthly"),
    Indicator("tp_registrations", "tp_decisions", "Temporary protection registrations",
              "decisions", "flow", available_from=TP_ACTIVATION_MONTH),
    Indicator("tp_beneficiaries", "tp_stock", "Beneficiaries of temporary protection",
              "persons", "stock"),
    Indicator("refusals", "refusals", "Refusals of entry", "persons", "annual", "A",
              selection={"border": "TOTAL"}),
    Indicator("orders_to_leave", "orders_to_leave", "Third-country nationals ordered to leave",
              "persons", "flow", "Q"),
    Indicator("returns", "returns", "Third-country nationals returned", "persons", "flow", "Q"),
    Indicator("eurodac_hits", "eurodac", "Eurodac hits received (unauthorised movements)",
              "hits", "period", "P", by="destination"),
    Indicator("dublin_requests", "dublin_requests", "Outgoing Dublin requests", "requests",
              "annual", "A"),
    Indicator("reception", "reception", "Persons in the reception system", "persons", "stock"),
    Indicator("reception_occupancy", "reception", "Occupancy of the reception system",
              "share of capacity", "rate"),
)
_BY_NAME = {indicator.name: indicator for indicator in INDICATORS}


def indicator(name: str) -> Indicator:
    return _BY_NAME[name]


Loader = Callable[[str], pd.DataFrame]


def covers(table: pd.DataFrame, periods: ReportPeriods) -> bool:
    """Whether a monthly table's months span the comparison and reference periods."""
    months = table["period"]
    return not table.empty and months.min() <= str(periods.comparison.first) \
        and months.max() >= str(periods.reference.last)


def resolve(spec: Indicator, periods: ReportPeriods, load: Loader) -> tuple[Indicator, pd.DataFrame]:
    """The indicator as this edition computes it, and its table.

    An annual-only series with its monthly table supplied and covering the periods becomes a
    flow over the reference period (its five-year look-back starting no earlier than the
    table); otherwise the declared indicator and its own table (for an annual-only series,
    the calendar year). Inside the periods, a missing month is an error (`window_total`).
    """
    if spec.monthly is not None:
        try:
            monthly = load(spec.monthly)
        except MissingInputError:
            monthly = None
        if monthly is not None and covers(monthly, periods):
            flow = replace(spec, table=spec.monthly, basis="flow", frequency="M", selection={},
                           monthly=None, available_from=str(monthly["period"].min()))
            return flow, monthly
    return spec, load(spec.table)


# --- Indicators -----------------------------------------------------------------------------

def _select(table: pd.DataFrame, spec: Indicator) -> pd.DataFrame:
    for column, code in spec.selection.items():
        table = table[table[column] == code]
    if spec.by != "geo":
        table = table.drop(columns="geo").rename(columns={spec.by: "geo"})
    if table.empty:
        raise InputError(source_of(table, spec.table), f"no rows for {spec.selection or 'any Member State'}")
    return table


def _flags(table: pd.DataFrame, periods: Sequence[str]) -> pd.Series:
    """Per Member State, the distinct flag letters of the values inside `periods`."""
    inside = table[table["period"].isin(list(periods))]
    if "flag" not in inside:
        return pd.Series(dtype=str)
    return inside.groupby("geo")["flag"].agg(lambda flags: "".join(sorted(set("".join(flags)))))


def _from(window: Window, first_month: str | None) -> Window:
    """The window, starting no earlier than `first_month` (a series that did not exist before)."""
    if first_month is None or pd.Period(first_month, freq="M") <= window.first:
        return window
    return Window(pd.Period(first_month, freq="M"), window.last)


def _twelve_month_periods(window: Window) -> list[str]:
    """The 12-month period codes ('2024-07/2025-06') that tile a window starting in July."""
    firsts = pd.period_range(window.first, window.last, freq="M")[::12]
    return [f"{first}/{first + 11}" for first in firsts]


def _values(table: pd.DataFrame, spec: Indicator, periods: ReportPeriods) -> dict[str, object]:
    """Reference and previous values, five-year cumulative values and labels for one indicator."""
    table = _select(table, spec)
    reference, comparison = periods.reference, periods.comparison
    if spec.basis == "flow":
        compared = compare_windows(table, reference, comparison, spec.frequency, name=spec.table)
        five = _from(periods.five_years, spec.available_from)
        return {
            "value": compared["current"], "previous": compared["previous"],
            "period": reference.short_label, "previous_period": comparison.short_label,
            "five_year": window_total(table, five, spec.frequency, name=spec.table),
            "five_year_period": five.short_label,
            "flag_periods": (reference.months if spec.frequency == "M" else reference.quarters),
        }
    if spec.basis == "annual":
        year = periods.latest_full_calendar_year
        by_year = table.pivot_table(index="geo", columns="period", values="value", aggfunc="sum")
        years = [str(y) for y in range(year - 4, year + 1)]
        absent = [y for y in [*years, str(year - 1)] if y not in by_year.columns]
        if absent:
            raise InputError(source_of(table, spec.table), f"no data for {', '.join(absent)}", field="period")
        return {
            "value": by_year[str(year)], "previous": by_year[str(year - 1)],
            "period": str(year), "previous_period": str(year - 1),
            "five_year": by_year[years].sum(axis=1, min_count=len(years)),
            "five_year_period": f"{years[0]}\u2013{years[-1]}", "flag_periods": [str(year)],
        }
    if spec.basis == "period":
        current, previous = _twelve_month_periods(reference), _twelve_month_periods(comparison)
        five = _twelve_month_periods(periods.five_years)
        sums = table.groupby(["geo", "period"])["value"].sum().unstack("period")
        absent = [p for p in [*five, *previous] if p not in sums.columns]
        if absent:
            raise InputError(source_of(table, spec.table), f"no data for {', '.join(absent)}", field="period")
        return {
            "value": sums[current[0]], "previous": sums[previous[0]],
            "period": reference.short_label, "previous_period": comparison.short_label,
            "five_year": sums[five].sum(axis=1), "five_year_period": periods.five_years.short_label,
            "flag_periods": current,
        }
    month, previous_month = periods.stock_month, str(pd.Period(periods.stock_month) - 12)
    column = "persons_hosted" if spec.table == "reception" else "value"
    at = table.set_index(["geo", "period"])
    for stock_month in (month, previous_month):
        if stock_month not in set(table["period"]):
            raise InputError(source_of(table, spec.table), f"no data for {stock_month}", field="period")
    if spec.basis == "stock":
        value = at[column].xs(month, level="period")
        previous = at[column].xs(previous_month, level="period")
    elif spec.basis == "rate":
        value = at["persons_hosted"].xs(month, level="period") / \
            at["capacity"].xs(month, level="period")
        previous = at["persons_hosted"].xs(previous_month, level="period") / \
            at["capacity"].xs(previous_month, level="period")
    else:
        raise ValueError(f"unknown basis {spec.basis!r} for indicator {spec.name}")
    return {"value": value, "previous": previous, "period": f"end of {month}",
            "previous_period": f"end of {previous_month}", "five_year": None,
            "five_year_period": "", "flag_periods": [month]}


def indicator_rows(table: pd.DataFrame, spec: Indicator, periods: ReportPeriods,
                   key: pd.Series) -> pd.DataFrame:
    """The indicator's rows of the tidy table, one per Member State of the key."""
    found = _values(table, spec, periods)
    member_states = list(key.index)
    value = found["value"].reindex(member_states).astype(float)
    if spec.absent_is_zero:
        value = value.fillna(0.0)
    missing = [ms for ms in member_states if pd.isna(value[ms])]
    if missing:
        raise InputError(source_of(table, spec.table), f"no {found['period']} value for {', '.join(missing)}",
                         field="geo")
    previous = found["previous"].reindex(member_states).astype(float)
    if spec.absent_is_zero:
        previous = previous.fillna(0.0)
    rows = pd.DataFrame({
        "indicator": spec.name, "label": spec.label, "unit": spec.unit, "basis": spec.basis,
        "geo": member_states, "period": found["period"], "value": value.to_numpy(),
        "previous_period": found["previous_period"], "previous": previous.to_numpy(),
        "key_share": key.to_numpy(),
    })
    if spec.basis == "rate":
        rows["change"] = (value - previous).to_numpy()  # percentage points, as a fraction
        for column in ("share", "ratio_to_key", "five_year_value", "five_year_share",
                       "five_year_ratio_to_key"):
            rows[column] = np.nan
    else:
        rows["change"] = reference_key.relative_change(value, previous).to_numpy()
        rows["share"] = reference_key.shares(value).to_numpy()
        rows["ratio_to_key"] = reference_key.ratio_to_key(value, key).to_numpy()
        if found["five_year"] is None:
            for column in ("five_year_value", "five_year_share", "five_year_ratio_to_key"):
                rows[column] = np.nan
        else:
            five = found["five_year"].reindex(member_states).fillna(0.0).astype(float)
            rows["five_year_value"] = five.to_numpy()
            rows["five_year_share"] = reference_key.shares(five).to_numpy()
            rows["five_year_ratio_to_key"] = reference_key.ratio_to_key(five, key).to_numpy()
    rows["five_year_period"] = found["five_year_period"]
    source = _select(table, spec)
    rows["flag"] = _flags(source, found["flag_periods"]).reindex(member_states).fillna("").to_numpy()
    return rows[COLUMNS]


@dataclass(frozen=True)
class IndicatorsResult:
    table: pd.DataFrame
    missing: tuple[str, ...]  # indicators left out because their input was not supplied


def indicators_table(periods: ReportPeriods, key: pd.Series, load: Loader = processed.load,
                     indicators: Sequence[Indicator] = INDICATORS) -> IndicatorsResult:
    """Every indicator for every Member State of the key; an indicator whose input was not
    supplied (`MissingInputError`) is left out and listed in `missing`."""
    parts, missing, load = [], [], cache(load)
    for spec in indicators:
        try:
            used, table = resolve(spec, periods, load)
        except MissingInputError:
            missing.append(spec.name)
            continue
        parts.append(indicator_rows(table, used, periods, key))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    return IndicatorsResult(table, tuple(missing))


def write_table(table: pd.DataFrame, folder: Path = paths.TABLES_DIR, *, note: str | None = None,
                name: str = TABLE_FILE) -> Path:
    """Write a table as CSV atomically (with a `note` column when given)."""
    if note is not None:
        table = table.assign(note=note)
    target = folder / name
    with atomic.atomic_path(target) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")
    return target


def wide(table: pd.DataFrame, column: str = "ratio_to_key") -> pd.DataFrame:
    """Member States (protocol order) x indicators (table order) of one column."""
    order = list(dict.fromkeys(table["indicator"]))
    frame = table.pivot(index="geo", columns="indicator", values=column)
    frame = frame.reindex(columns=order)
    return frame.loc[sorted(frame.index, key=countries.protocol_rank)]


# --- Classification -------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """`measure` of `indicator` at or above `threshold` (measure: a column of the table)."""

    indicator: str
    measure: str
    threshold: float

    def describe(self) -> str:
        """'Illegal border crossings relative to GDP and population ≥ 2 × the fair share'."""
        label = indicator(self.indicator).label
        if self.measure == "share":
            return f"{label}: share of the EU total ≥ {self.threshold:.0%}"
        if self.measure == "value":
            return f"{label} ≥ {self.threshold:.0%}"
        span = " over five years" if self.measure.startswith("five_year") else ""
        return (f"{label}{span} relative to GDP and population ≥ {self.threshold:g} "
                "× the fair share")


@dataclass(frozen=True)
class Rule:
    """A rule fires when all its conditions hold; a category when any of its rules fires."""

    name: str
    category: str
    conditions: tuple[Condition, ...]


FIVE_YEAR_NAMES = {"applications": "applications", "tp_registrations": "TP registrations",
                   "ibc": "IBCs", "refusals": "refusals of entry",
                   "unaccompanied_minors": "unaccompanied minors", "sar": "SAR disembarkations",
                   "orders_to_leave": "orders to leave", "returns": "returns",
                   "eurodac_hits": "Eurodac hits", "dublin_requests": "Dublin requests"}


def rules_from_params(pressure) -> tuple[Rule, ...]:
    """The reconstruction's rules, with the thresholds of params.yaml `pressure:`."""
    p = pressure
    at_risk = [
        Rule("Eurodac hits", AT_RISK,
             (Condition("eurodac_hits", "ratio_to_key", p.movements_ratio),)),
        Rule("Dublin requests", AT_RISK,
             (Condition("dublin_requests", "ratio_to_key", p.movements_ratio),)),
        Rule("IBCs", AT_RISK,
             (Condition("ibc", "ratio_to_key", p.first_entry_ratio),)),
        Rule("refusals of entry", AT_RISK,
             (Condition("refusals", "ratio_to_key", p.first_entry_ratio),)),
        Rule("applications", AT_RISK,
             (Condition("applications", "ratio_to_key", p.applications_ratio),)),
        Rule("unaccompanied minors", AT_RISK,
             (Condition("unaccompanied_minors", "ratio_to_key", p.applications_ratio),)),
        Rule("reception occupancy", AT_RISK,
             (Condition("reception_occupancy", "value", p.reception_occupancy),)),
    ]
    significant = [
        Rule(f"5 years: {FIVE_YEAR_NAMES.get(name, name)}", SIGNIFICANT,
             (Condition(name, "five_year_ratio_to_key", p.five_year_ratio),))
        for name in p.five_year_indicators
    ]
    return (
        Rule("arrivals", PRESSURE, (Condition("ibc", "ratio_to_key", p.arrivals_ibc_ratio),
                                    Condition("applications", "ratio_to_key",
                                              p.arrivals_applications_ratio))),
        Rule("search and rescue", PRESSURE, (Condition("sar", "share", p.sar_share),)),
        *at_risk,
        *significant,
    )


def _margins(table: pd.DataFrame, rule: Rule, member_states: Sequence[str]) -> pd.Series | None:
    """Per Member State, the rule's margin: observed / threshold - 1 of its weakest condition
    (>= 0: the rule fires). None if an indicator of the rule is not in the table."""
    margins = []
    for condition in rule.conditions:
        rows = table[table["indicator"] == condition.indicator].set_index("geo")
        if rows.empty:
            return None
        observed = rows[condition.measure].reindex(list(member_states)).astype(float)
        margins.append(observed / condition.threshold - 1.0)
    return pd.concat(margins, axis=1).min(axis=1)


def _decision(margins: list[tuple[str, float]]) -> tuple[bool, float, list[str]]:
    """Whether any rule fired, the strongest margin, and the rules that fired."""
    if not margins:
        return False, np.nan, []
    fired = [name for name, margin in margins if margin >= 0]
    return bool(fired), max(margin for _, margin in margins), fired


def classify(table: pd.DataFrame, rules: Sequence[Rule]) -> pd.DataFrame:
    """Per Member State (protocol order): category, significant situation, the rules that fired
    and the margin to the nearest threshold of each decision.

    Categories are exclusive and checked in order: under migratory pressure, else at risk.
    A Member State under migratory pressure is not assessed for a significant migratory
    situation: that status leads to a deduction of contributions (Article 62), and a Member
    State under pressure benefits from the pool instead. Margins are relative: +0.25 = the
    decisive indicator is 25% above its threshold; -0.10 = 10% short of it. A decision's
    margin is that of its strongest rule (a rule's is that of its weakest condition).
    """
    member_states = sorted(table["geo"].unique(), key=countries.protocol_rank)
    margins: dict[str, pd.Series] = {}
    skipped = []
    for rule in rules:
        found = _margins(table, rule, member_states)
        if found is None:
            skipped.append(rule.name)
        else:
            margins[rule.name] = found
    rows = []
    for ms in member_states:
        by_category: dict[str, list[tuple[str, float]]] = {PRESSURE: [], AT_RISK: [], SIGNIFICANT: []}
        for rule in rules:
            if rule.name in margins and not pd.isna(margins[rule.name][ms]):
                by_category[rule.category].append((rule.name, float(margins[rule.name][ms])))

        under, pressure_margin, pressure_rules = _decision(by_category[PRESSURE])
        at_risk, risk_margin, risk_rules = _decision(by_category[AT_RISK])
        significant, significant_margin, significant_rules = _decision(by_category[SIGNIFICANT])
        if under:
            category, category_rules = PRESSURE, pressure_rules
            significant, significant_rules = False, []
        elif at_risk:
            category, category_rules = AT_RISK, risk_rules
        else:
            category, category_rules = NONE, []
        rows.append({
            "geo": ms, "name": countries.name(ms), "category": category,
            "rules": "; ".join(category_rules),
            "pressure_margin": pressure_margin, "at_risk_margin": risk_margin,
            "significant": significant, "significant_rules": "; ".join(significant_rules),
            "significant_margin": significant_margin,
        })
    result = pd.DataFrame(rows)
    result.attrs["skipped_rules"] = tuple(skipped)
    return result


def category_margin(row: pd.Series) -> float:
    """The margin of the decision that set the category: under pressure or at risk, how far
    above its threshold (positive); otherwise how far short of the nearest one (negative)."""
    if row["category"] == PRESSURE:
        return row["pressure_margin"]
    if row["category"] == AT_RISK:
        return row["at_risk_margin"]
    return np.nanmax([row["at_risk_margin"], row["pressure_margin"]])


# --- Official determination -----------------------------------------------------------------

OFFICIAL_KEYS = {"under_migratory_pressure": PRESSURE, "at_risk_of_migratory_pressure": AT_RISK,
                 "significant_migratory_situation": SIGNIFICANT}


@dataclass(frozen=True)
class OfficialLists:
    year: int
    source: str
    under_pressure: tuple[str, ...]
    at_risk: tuple[str, ...]
    significant: tuple[str, ...]


DETERMINATIONS_DIR = paths.REFERENCE_DIR / "determinations"


def official_file(year: int, folder: Path = DETERMINATIONS_DIR) -> Path:
    return folder / f"official_pressure_{year}.yaml"


def load_official(path: Path) -> OfficialLists:
    """The official lists of one determination; unknown codes or overlaps are errors."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    for field_name in ("year", "source", *OFFICIAL_KEYS):
        if field_name not in raw:
            raise InputError(path, "missing", field=field_name)
    lists = {}
    for field_name in OFFICIAL_KEYS:
        codes = tuple(raw[field_name] or ())
        unknown = [code for code in codes if not countries.is_member_state(code)]
        if unknown:
            raise InputError(path, f"unknown Member State code(s) {', '.join(unknown)}",
                             field=field_name)
        lists[field_name] = codes
    both = set(lists["under_migratory_pressure"]) & set(lists["at_risk_of_migratory_pressure"])
    if both:
        raise InputError(path, f"{', '.join(sorted(both))} both under pressure and at risk")
    return OfficialLists(int(raw["year"]), str(raw["source"]).strip(),
                         lists["under_migratory_pressure"], lists["at_risk_of_migratory_pressure"],
                         lists["significant_migratory_situation"])


def edition_official(year: int, folder: Path = DETERMINATIONS_DIR) -> OfficialLists | None:
    """The edition's own determination (its Implementing Decision), if it has been adopted."""
    path = official_file(year, folder)
    return load_official(path) if path.is_file() else None


def latest_official(year: int, folder: Path = DETERMINATIONS_DIR) -> OfficialLists | None:
    """The most recent official determination for this edition or an earlier one, if any."""
    for candidate in range(year, year - 10, -1):
        path = official_file(candidate, folder)
        if path.is_file():
            return load_official(path)
    return None


def official_category(official: OfficialLists, ms: str) -> str:
    if ms in official.under_pressure:
        return PRESSURE
    if ms in official.at_risk:
        return AT_RISK
    return NONE


def compare_with_official(classification: pd.DataFrame, official: OfficialLists) -> pd.DataFrame:
    """Member State by Member State: reconstructed vs official category and significant
    situation, whether each agrees, and the margin of the reconstructed decision."""
    frame = classification.copy()
    frame["official_category"] = [official_category(official, ms) for ms in frame["geo"]]
    frame["official_significant"] = frame["geo"].isin(official.significant)
    frame["category_agrees"] = frame["category"] == frame["official_category"]
    frame["significant_agrees"] = frame["significant"] == frame["official_significant"]
    frame["agrees"] = frame["category_agrees"] & frame["significant_agrees"]
    frame["category_margin"] = frame.apply(category_margin, axis=1)
    return frame
