"""Reconciliation: the figures published in an edition of the EAAMR next to this build's values.

The published statements (`pipeline.inputs.published`) are check targets only: this module reads the
values the build computed (the figures' CSVs and the tables in outputs/<year>/tables) and says, for
each statement, the difference and whether it lies within the precision its wording implies
("nearly 97 000": from 96 500 up to 97 000). Nothing here feeds a computation.

Every statement is about the reference period (July-June, or a stock at its end). A value the
build has only by calendar year (an annual-only series without its monthly table) is shown
but not compared: "not like for like (build: calendar year 2024)".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from pipeline.core import countries, formatting, paths
from pipeline.core.errors import InputError
from pipeline.inputs.published import EAAMR_2025, Statement, load_metadata, load_statements

EDITIONS = {2025: EAAMR_2025}  # edition year -> its published statements

MINUS = "\u2212"

Frames = dict[str, pd.DataFrame]
Observed = float | list[str]


def _total(column: str) -> Callable[[pd.DataFrame], Observed]:
    return lambda frame: float(frame[column].sum())


def _change(current: str, previous: str) -> Callable[[pd.DataFrame], Observed]:
    return lambda frame: (frame[current].sum() / frame[previous].sum() - 1.0) * 100


def _value(code: str, column: str) -> Callable[[pd.DataFrame], Observed]:
    return lambda frame: float(frame.loc[frame["member_state"] == code, column].sum())


def _key_share(code: str) -> Callable[[pd.DataFrame], Observed]:
    return lambda frame: float(frame.loc[frame["member_state"] == code, "key_share"].sum() * 100)


def _share(codes: tuple[str, ...], column: str) -> Callable[[pd.DataFrame], Observed]:
    return lambda frame: float(
        frame.loc[frame["member_state"].isin(codes), column].sum() / frame[column].sum() * 100)


def _member_state_change(code: str, current: str, previous: str
                         ) -> Callable[[pd.DataFrame], Observed]:
    def change(frame: pd.DataFrame) -> Observed:
        row = frame[frame["member_state"] == code]
        return float((row[current].sum() / row[previous].sum() - 1.0) * 100)
    return change


def _ranking(column: str, by: str = "member_state") -> Callable[[pd.DataFrame], Observed]:
    def ranking(frame: pd.DataFrame) -> Observed:
        totals = frame.dropna(subset=[column]).groupby(by)[column].sum()
        return list(totals.sort_values(ascending=False, kind="stable").index)
    return ranking


def _route_value(route: str, code: str) -> Callable[[pd.DataFrame], Observed]:
    """A Member State's IBCs on one route."""
    return lambda frame: float(frame.loc[(frame["route"] == route)
                                         & (frame["member_state"] == code), "ibcs"].sum())


def _route_share(route: str, code: str) -> Callable[[pd.DataFrame], Observed]:
    """A Member State's % of one route's IBCs."""
    def share(frame: pd.DataFrame) -> Observed:
        rows = frame[frame["route"] == route]
        return float(rows.loc[rows["member_state"] == code, "ibcs"].sum() / rows["ibcs"].sum() * 100)
    return share


def _rank(code: str, column: str) -> Callable[[pd.DataFrame], Observed]:
    """A Member State's rank (1 = highest) by `column`."""
    return lambda frame: float(_ranking(column)(frame).index(code) + 1)


def _top_share(column: str, count: int) -> Callable[[pd.DataFrame], Observed]:
    return lambda frame: float(
        frame[column].nlargest(count).sum() / frame[column].sum() * 100)


def _ratio(numerator: str, denominator: str) -> Callable[[pd.DataFrame], Observed]:
    return lambda frame: float(frame[numerator].sum() / frame[denominator].sum() * 100)


def _drawn_pairs(frame: pd.DataFrame) -> Observed:
    drawn = frame[frame["drawn"].astype(bool)]
    return [f"{origin}-{destination}" for origin, destination in
            zip(drawn["origin"], drawn["destination"], strict=True)]


PRESSURE = "pressure_indicators"


class Check(NamedTuple):
    """How a statement is computed: from which output of the build, and how. A check on the
    pressure indicators table names its `indicators`; `compute` gets their rows (`geo` as
    `member_state`)."""

    stem: str
    compute: Callable[[pd.DataFrame], Observed]
    indicators: tuple[str, ...] = ()


def _indicator(name: str, compute: Callable[[pd.DataFrame], Observed]) -> Check:
    """A check on one indicator of the pressure indicators table (Member States of the key)."""
    return Check(PRESSURE, compute, (name,))


def _member_state_ratio(code: str, numerator: str, denominator: str) -> Check:
    """One Member State's value of one indicator as a % of its value of another."""
    def ratio(rows: pd.DataFrame) -> Observed:
        values = rows[rows["member_state"] == code].set_index("indicator")["value"]
        return float(values[numerator] / values[denominator] * 100)
    return Check(PRESSURE, ratio, (numerator, denominator))


# statement id -> how it is computed. Totals "of the 27 Member States" are not taken from the
# pressure table, which covers the Member States of the key.
CHECKS: dict[str, Check] = {
    "ibc_change": Check("fig1_route_map", _change("ibcs", "ibcs_previous_period")),
    "sar_total": Check("fig2_sar", _total("persons")),
    "sar_change": Check("fig2_sar", _change("persons", "persons_previous_period")),
    "sar_italy_share": Check("fig2_sar", _share(("IT",), "persons")),
    "sar_spain_share": Check("fig2_sar", _share(("ES",), "persons")),
    "sar_italy_spain_share": Check("fig2_sar", _share(("IT", "ES"), "persons")),
    "sar_france": Check("fig2_sar", _value("FR", "persons")),
    "applications_total": Check("fig3_applications", _total("applications")),
    "applications_change": Check("fig3_applications",
                                 _change("applications", "applications_previous_period")),
    "applications_germany_change": Check("fig3_applications", _member_state_change(
        "DE", "applications", "applications_previous_period")),
    "applications_top_absolute": Check("fig3_applications", _ranking("applications")),
    "applications_ratio_to_key_ranking": Check("fig3_applications", _ranking("ratio_to_key")),
    "applications_ireland": Check("fig3_applications", _value("IE", "applications")),
    "applications_ireland_previous": Check("fig3_applications",
                                           _value("IE", "applications_previous_period")),
    "tp_stock_total": Check("fig4_temporary_protection", _total("beneficiaries")),
    "tp_stock_germany_poland_share": Check("fig4_temporary_protection",
                                           _share(("DE", "PL"), "beneficiaries")),
    "tp_stock_ratio_to_key_ranking": Check("fig4_temporary_protection", _ranking("ratio_to_key")),
    "tp_decisions_total": Check("fig4_temporary_protection", _total("registrations")),
    "tp_decisions_ratio_to_key_ranking": Check("fig4_temporary_protection",
                                               _ranking("registrations_ratio_to_key")),
    "eurodac_total": Check("fig5_eurodac_map", _total("hits")),
    "eurodac_change": Check("fig5_eurodac_map", _change("hits", "hits_previous_period")),
    "eurodac_routes_above_6000": Check("fig5_eurodac_map", _drawn_pairs),
    "eurodac_top_departure": Check("fig5_eurodac_map", _ranking("hits", by="origin")),
    "eurodac_top_receiving": Check("fig5_eurodac_map", _ranking("hits", by="destination")),
    "orders_to_leave_total": Check("fig6_returns", _total("orders")),
    "orders_to_leave_change": Check("fig6_returns", _change("orders", "orders_previous_period")),
    "orders_to_leave_top_absolute": Check("fig6_returns", _ranking("orders")),
    "orders_to_leave_ratio_to_key_ranking": Check("fig6_returns", _ranking("orders_ratio_to_key")),
    "returns_total": Check("fig6_returns", _total("returned")),
    "returns_change": Check("fig6_returns", _change("returned", "returned_previous_period")),
    "returns_top_five": Check("fig6_returns", _ranking("returned")),
    "returns_top_five_share": Check("fig6_returns", _top_share("returned", 5)),
    "return_rate": Check("fig6_returns", _ratio("returned", "orders")),
    "ibc_cyprus": _indicator("ibc", _value("CY", "value")),
    "ibc_croatia": _indicator("ibc", _value("HR", "value")),
    "ibc_ratio_to_key_ranking": _indicator("ibc", _ranking("ratio_to_key")),
    "reception_top_absolute": _indicator("reception", _ranking("value")),
    "reception_ratio_to_key_ranking": _indicator("reception", _ranking("ratio_to_key")),
    "refusals_top_absolute": _indicator("refusals", _ranking("value")),
    "refusals_ratio_to_key_ranking": _indicator("refusals", _ranking("ratio_to_key")),
    "unaccompanied_minors_bulgaria_share": _member_state_ratio("BG", "unaccompanied_minors",
                                                                "applications"),
    "section_iv_greece_ibc_highest": _indicator("ibc", _ranking("ratio_to_key")),
    "section_iv_greece_applications": Check("fig3_applications", _value("EL", "applications")),
    "section_iv_applications_greece_cyprus": Check("fig3_applications", _ranking("ratio_to_key")),
    "section_iv_cyprus_applications": Check("fig3_applications", _value("CY", "applications")),
    "section_iv_cyprus_ibc_rank": _indicator("ibc", _rank("CY", "ratio_to_key")),
    "ibc_greece_eastern_mediterranean": Check(
        "ibc_routes_by_member_state", _route_value("Eastern Mediterranean Route", "EL")),
    "ibc_greece_eastern_mediterranean_share": Check(
        "ibc_routes_by_member_state", _route_share("Eastern Mediterranean Route", "EL")),
    "ibc_croatia_western_balkan_share": Check(
        "ibc_routes_by_member_state", _route_share("Western Balkan Route", "HR")),
    "section_iv_croatia_western_balkans_share": Check(
        "ibc_routes_by_member_state", _route_share("Western Balkan Route", "HR")),
    "section_iv_sar_total": Check("fig2_sar", _total("persons")),
    "section_iv_sar_italy_spain_share": Check("fig2_sar", _share(("IT", "ES"), "persons")),
    "section_iv_sar_italy_share": Check("fig2_sar", _share(("IT",), "persons")),
    "section_iv_sar_spain_share": Check("fig2_sar", _share(("ES",), "persons")),
    "key_share_netherlands": Check("fig3_applications", _key_share("NL")),
    "key_share_germany": Check("fig3_applications", _key_share("DE")),
    "key_share_france": Check("fig3_applications", _key_share("FR")),
}


def published_edition(year: int) -> Path | None:
    """The published statements of the edition `year`, if that edition has been recorded."""
    return EDITIONS.get(year)


def load_outputs(stems: set[str], folders: tuple[Path, ...] = (paths.FIGURES_DIR,
                                                               paths.TABLES_DIR)) -> Frames:
    """The build's CSVs named `stems`, from the first folder that has each; absent ones skipped."""
    frames: Frames = {}
    for stem in sorted(stems):
        for folder in folders:
            path = folder / f"{stem}.csv"
            if path.is_file():
                frames[stem] = pd.read_csv(path, keep_default_na=False, na_values=[""])
                break
    return frames


def _calendar_years(rows: pd.DataFrame) -> str:
    """'' when the rows cover the reference period, else 'calendar year 2024' (annual rows)."""
    years = sorted(set(rows.loc[rows["basis"] == "annual", "period"].astype(str)))
    return f"calendar year {', '.join(years)}" if years else ""


def _observe(statement: Statement, frames: Frames) -> tuple[Observed | None, str, str]:
    """This build's value for a statement, or None and why there is none; and the calendar
    year the value covers when it is not the reference period ('' when it is)."""
    if statement.id not in CHECKS:
        return None, "not computed by this build", ""
    stem, compute, names = CHECKS[statement.id]
    if stem not in frames:
        return None, f"{stem} not produced in this build", ""
    frame = frames[stem]
    if "note" in frame and len(frame.columns) == 1:
        return None, f"{stem} left out of this build", ""
    try:
        if names:
            absent = [name for name in names if name not in set(frame["indicator"])]
            if absent:
                return None, f"{', '.join(absent)} not in {stem} of this build", ""
            frame = frame[frame["indicator"].isin(names)].rename(columns={"geo": "member_state"})
            return compute(frame), "", _calendar_years(frame)
        return compute(frame), "", ""
    except KeyError as missing:
        raise InputError(f"{stem}.csv", f"column missing for the reconciliation of "
                         f"'{statement.id}'", field=str(missing).strip("'")) from None


def reconcile(statements: dict[str, Statement], frames: Frames) -> pd.DataFrame:
    """One row per statement: published and computed values, difference, within precision.
    A value not covering the reference period is shown, with `within` left empty."""
    rows = []
    for statement in statements.values():
        observed, note, calendar_year = _observe(statement, frames)
        row = {"id": statement.id, "measure": statement.measure, "wording": statement.wording,
               "unit": statement.unit, "kind": statement.kind,
               "tolerance": statement.describe_tolerance(), "published": statement.value,
               "computed": observed, "difference": np.nan, "relative_difference": np.nan,
               "within": None, "note": note}
        if observed is not None:
            if statement.kind != "number":
                row["computed"] = list(observed)[: len(statement.items)] \
                    if statement.kind == "ranking" else list(observed)
            if calendar_year:
                row["note"] = f"not like for like (build: {calendar_year})"
            else:
                row["within"] = statement.holds(observed)
            if statement.kind == "number" and not calendar_year:
                row["difference"] = observed - statement.value
                if statement.unit != "%":
                    row["relative_difference"] = observed / statement.value - 1.0
        rows.append(row)
    return pd.DataFrame(rows)


def status(year: int, data_source: str) -> str:
    """'published' (real data vs a published edition), 'sample' or 'no_edition'."""
    if published_edition(year) is None:
        return "no_edition"
    return "sample" if data_source == "sample" else "published"


def _names(codes: list[str] | tuple[str, ...]) -> str:
    return ", ".join(countries.name(code) if countries.is_member_state(code) else
                     " to ".join(countries.name(part) for part in code.split("-"))
                     for code in codes)


def _signed(value: float, text: str) -> str:
    """'+250', minus sign and 250, or '0': the sign follows the value as shown."""
    shown_as_zero = not any(digit in text for digit in "123456789")
    return text if shown_as_zero else f"{'+' if value > 0 else MINUS}{text}"


def _number(value: float, unit: str) -> str:
    if unit == "%":
        return _signed(value, f"{formatting.eu_number(abs(value), decimals=1)}%") \
            if value < 0 else f"{formatting.eu_number(value, decimals=1)}%"
    return formatting.eu_number(value)


def _difference(row) -> str:
    if row.unit == "%":
        points = formatting.eu_number(abs(row.difference), decimals=1)
        return _signed(row.difference, f"{points} pp")
    absolute = _signed(row.difference, formatting.eu_number(abs(row.difference)))
    relative = _signed(row.relative_difference,
                       formatting.percent(row.relative_difference, decimals=1))
    return f"{absolute} ({relative})"


def markdown_table(table: pd.DataFrame) -> str:
    """The reconciliation as a pipe table, numbers formatted the EU way."""
    header = ("| Measure | Published | Published value | This build | Difference "
              "| Within the stated precision |")
    lines = [header, "|---|---|---:|---:|---:|---|"]
    for row in table.itertuples():
        if row.kind == "number":
            published = _number(row.published, row.unit)
        else:
            published = _names(row.published)
        if row.computed is None:
            computed, difference, within = "\u2013", "\u2013", f"not checked: {row.note}"
        else:
            computed = _number(row.computed, row.unit) if row.kind == "number" \
                else _names(row.computed)
            if row.within is None:
                difference, within = "\u2013", row.note
            else:
                within = "yes" if row.within else "**no**"
                difference = _difference(row) if row.kind == "number" else "\u2013"
        lines.append(f"| {_measure(row.measure)} | {row.wording} | {published} | {computed} | "
                     f"{difference} | {within} |")
    return "\n".join(lines) + "\n"


def _measure(text: str) -> str:
    """The statement's measure without the period, which the appendix states once."""
    text = text.split(", reference period")[0].split(", reference vs comparison")[0]
    return text[:1].upper() + text[1:]


SAMPLE_NOTE = (
    "This build uses the synthetic sample dataset, which was generated to agree with these "
    "published statements. The table therefore only checks the internal consistency of the "
    "pipeline (that it computes from the files what the generator put into them); it says "
    "nothing about official statistics."
)


def _edition_label(year: int) -> str:
    return f"EAAMR {year} ({load_metadata(published_edition(year))['document']})"


def snippet(table: pd.DataFrame | None, year: int, data_source: str, period_label: str) -> str:
    """The reconciliation appendix's generated text: a note, and the table when there is one."""
    state = status(year, data_source)
    if state == "no_edition":
        return (f"There is no published edition of the EAAMR for {period_label} to reconcile "
                "this build with.\n")
    intro = (f"The headline figures published in the {_edition_label(year)}, next to the values "
             "this build computes. A statement holds when the computed value lies within the "
             "precision its wording implies (\"nearly 97 000\": from 96 500 up to 97 000).\n\n")
    if state == "sample":
        intro += f"::: {{.callout-note}}\n{SAMPLE_NOTE}\n:::\n\n"
    return (intro + markdown_table(table)
            + "\n: The published figures of the EAAMR beside this build's values "
              "{#tbl-reconciliation}\n")


def facts(table: pd.DataFrame | None, year: int, data_source: str) -> dict[str, str]:
    state = status(year, data_source)
    values = {"status": state}
    if table is None:
        return values
    checked = table[table["within"].notna()]
    values.update({
        "edition": _edition_label(year),
        "statements": str(len(table)),
        "checked": str(len(checked)),
        "within": str(int(checked["within"].astype(bool).sum())),
        "not_checked": str(len(table) - len(checked)),
    })
    return values


def reconcile_edition(year: int, frames_loader: Callable[[set[str]], Frames] = load_outputs
                      ) -> pd.DataFrame | None:
    """The reconciliation table for `year`, or None when no edition was published for it."""
    path = published_edition(year)
    if path is None:
        return None
    statements = load_statements(path)
    return reconcile(statements, frames_loader({check.stem for check in CHECKS.values()}))
