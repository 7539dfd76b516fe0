"""Data annex: an accessible spreadsheet of every figure's and table's values, and the CSVs.

`outputs/<year>/annex/eaamr_<year>_data_annex.xlsx` follows the conventions of accessible
statistical spreadsheets (those of `gptables`): a cover sheet (title, edition, periods,
publication date, licence, a link to the report, the contents as a table of links), a notes
sheet, then one sheet per figure and table: title in A1, unit, source and a description above
the table, a marked header row of readable labels, the data as an Excel table, no merged cells
and no blank rows. Titles, units and sources come from the producers' `FigureSpec`s and
`TABLES`; every column's label and number format from `COLUMNS`, which must declare each column.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo

from pipeline.analysis.pressure import INDICATORS
from pipeline.core import atomic, paths
from pipeline.core.xlsx import write_workbook
from pipeline.publication.figures import (
    applications,
    eurodac_map,
    pressure,
    projection,
    returns,
    route_map,
    sar,
    solidarity,
    temporary_protection,
)
from pipeline.publication.figures.output import FigureSpec

# The modules that draw the report's figures; each declares its FigureSpec.
FIGURE_MODULES = (route_map, sar, applications, temporary_protection, eurodac_map, returns,
                  pressure, solidarity, projection)

MAX_SHEET_NAME = 31
MAX_COLUMN_WIDTH = 60
MAX_HEADER_WIDTH = 28  # longer labels wrap
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
LINK = Font(color="0563C1", underline="single")
WRAP = Alignment(wrap_text=True, vertical="top")
LANGUAGE = "en-GB"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE = ("Licence: \u00a9 European Union. Reuse is authorised under the Creative Commons "
           "Attribution 4.0 International licence (CC BY 4.0), in line with Commission Decision "
           f"2011/833/EU on the reuse of Commission documents: {LICENCE_URL}")


# --- Columns: the readable header and the number format of every column ---------------------

@dataclass(frozen=True)
class Column:
    """A column's header (its unit in brackets, where it has one) and the kind of its values.

    `by_row`: (column, {value: kind}) for a table mixing units, whose kind depends on the row.
    """

    label: str
    kind: str = "text"
    by_row: tuple[str, Mapping[str, str]] | None = None


# Number format of each kind: counts as whole numbers with thousands separators, fractions as
# percentages, ratios with three decimals (an occupancy of 1.027 stays 1.027).
FORMATS = {"text": None, "yes/no": None, "count": "#,##0", "euros": "#,##0",
           "percent": "0.0%", "share": "0.00%", "ratio": "0.000"}


def _two_periods(name: str, label: str, unit: str) -> dict[str, Column]:
    return {name: Column(f"{label}, reference period ({unit})", "count"),
            f"{name}_previous_period": Column(f"{label}, comparison period ({unit})", "count")}


def _measure(prefix: str, label: str) -> dict[str, Column]:
    """`<prefix>_change`, `_share`, `_ratio_to_key` of one measure of a table with several."""
    return {f"{prefix}_change": Column(f"{label}: change on the comparison period (%)", "percent"),
            f"{prefix}_share": Column(f"{label}: share of the total (%)", "share"),
            f"{prefix}_ratio_to_key": Column(f"{label}: ratio to the key", "ratio")}


# Columns shared by several tables, unless a table declares its own.
COMMON_COLUMNS = {
    "member_state": Column("Member State (code)"),
    "geo": Column("Member State (code)"),
    "name": Column("Member State"),
    "share": Column("Share of the total of the key's Member States (%)", "share"),
    "change": Column("Change on the comparison period (%)", "percent"),
    "key_share": Column("Share of the reference key (%)", "share"),
    "ratio_to_key": Column("Ratio to the key", "ratio"),
    "drawn": Column("Drawn on the map", "yes/no"),
    "note": Column("Note"),
}
SOLIDARITY_COLUMNS = {
    "pool": Column("Pool (Commission proposal or Council)"),
    "status": Column("Status"),
    "fair_share_relocations": Column("Fair share (relocations)", "count"),
    "fair_share_euros": Column("Fair share (EUR)", "euros"),
    "not_due_relocations": Column("Not due (relocations)", "count"),
    "contribution_relocations": Column("Contribution (relocations)", "count"),
    "contribution_euros": Column("Contribution (EUR)", "euros"),
}
BY_BASIS = ("basis", {"rate": "ratio"})  # the occupancy rows are ratios, the others counts
COLUMNS: dict[str, dict[str, Column]] = {
    "fig1_route_map": {
        "route": Column("Migratory route"), "short_name": Column("Route (short name)"),
        **_two_periods("ibcs", "Illegal border crossings", "detections")},
    "fig2_sar": _two_periods("persons", "Persons disembarked", "persons"),
    "fig3_applications": _two_periods("applications", "Applications for international protection",
                                      "applications"),
    "fig4_temporary_protection": {
        "beneficiaries": Column("Beneficiaries of temporary protection at the end of the "
                                "reference period (persons)", "count"),
        "share": Column("Beneficiaries: share of the total (%)", "share"),
        "ratio_to_key": Column("Beneficiaries: ratio to the key", "ratio"),
        "registrations": Column("Registrations for temporary protection, reference period "
                                "(decisions)", "count"),
        "registrations_share": Column("Registrations: share of the total (%)", "share"),
        "registrations_ratio_to_key": Column("Registrations: ratio to the key", "ratio")},
    "fig5_eurodac_map": {
        "origin": Column("Member State of first registration (code)"),
        "destination": Column("Member State of the hit (code)"),
        "origin_name": Column("Member State of first registration"),
        "destination_name": Column("Member State of the hit"),
        **_two_periods("hits", "Eurodac hits", "hits")},
    "fig6_returns": {
        **_two_periods("orders", "Third-country nationals ordered to leave", "persons"),
        **_measure("orders", "Ordered to leave"),
        **_two_periods("returned", "Third-country nationals returned", "persons"),
        **_measure("returned", "Returned"),
        "return_rate": Column("Return rate: returned / ordered to leave (%)", "percent")},
    "fig7_pressure_ratios": {
        f"{prefix}{indicator.name}": Column(f"{indicator.label}{period}: ratio to the key",
                                            "ratio")
        for prefix, period in (("", ""), (pressure.FIVE_YEAR_SUFFIX, ", five years"))
        for indicator in INDICATORS},
    "fig8_solidarity_pool": SOLIDARITY_COLUMNS,
    "fig9_projection": {
        "series": Column("Series"), "month": Column("Month"),
        "kind": Column("Observed or projected"), "value": Column("Value (per month)", "count"),
        "lower": Column("Lower end of the interval (per month)", "count"),
        "upper": Column("Upper end of the interval (per month)", "count")},
    "pressure_indicators": {
        "indicator": Column("Indicator (code)"), "label": Column("Indicator"),
        "unit": Column("Unit"), "basis": Column("Basis (flow, annual, period, stock or rate)"),
        "period": Column("Reference period"),
        "value": Column("Value, reference period (see Unit)", "count", BY_BASIS),
        "previous_period": Column("Comparison period"),
        "previous": Column("Value, comparison period (see Unit)", "count", BY_BASIS),
        "five_year_period": Column("Five-year period"),
        "five_year_value": Column("Value, five years (see Unit)", "count", BY_BASIS),
        "five_year_share": Column("Share of the total, five years (%)", "share"),
        "five_year_ratio_to_key": Column("Ratio to the key, five years", "ratio"),
        "flag": Column("Flag (Eurostat; see Notes)")},
    "ibc_routes_by_member_state": {
        "route": Column("Migratory route"),
        "ibcs": Column("Illegal border crossings, reference period (detections)", "count"),
        "share_of_route": Column("Share of the route's detections (%)", "share")},
    "pressure_classification": {
        "category": Column("Category (reconstruction)"),
        "rules": Column("Rules met (reconstruction)"),
        "pressure_margin": Column("Margin to the migratory pressure threshold (%)", "percent"),
        "at_risk_margin": Column("Margin to the at-risk threshold (%)", "percent"),
        "significant": Column("Significant migratory situation (reconstruction)", "yes/no"),
        "significant_rules": Column("Rules met for a significant migratory situation"),
        "significant_margin": Column("Margin to the significant situation threshold (%)",
                                     "percent"),
        "official_category": Column("Category (official list)"),
        "official_significant": Column("Significant migratory situation (official list)",
                                       "yes/no"),
        "category_agrees": Column("Category agrees with the official list", "yes/no"),
        "significant_agrees": Column("Significant situation agrees with the official list",
                                     "yes/no"),
        "agrees": Column("Both agree with the official list", "yes/no"),
        "category_margin": Column("Margin of the category (%)", "percent")},
    "solidarity_pool": SOLIDARITY_COLUMNS,
    "caveats": {"topic": Column("Topic"), "caveat": Column("Caveat"),
                "module": Column("Pipeline module")},
}


def column_spec(stem: str, name: str) -> Column | None:
    """The declared label and kind of column `name` of the CSV `stem`, or None."""
    return COLUMNS.get(stem, {}).get(name) or COMMON_COLUMNS.get(name)


def undeclared_columns(stem: str, columns: Sequence[str]) -> list[str]:
    return [name for name in columns if column_spec(stem, name) is None]


NOTES = (
    ("Reference period", ("1 July of the year before the edition to 30 June of the edition year; "
     "compared with the 12 months before (the comparison period). Annual-only series use the "
     "last calendar year that ends inside the reference period; stocks are taken at the end of "
     "June.")),
    ("Share of the total (%)", "Share of the total of the Member States in the table."),
    ("Change on the comparison period (%)", ("Relative change on the comparison period "
     "(-35.0% = 35% less); empty where the comparison value is zero. For a rate (the occupancy "
     "of the reception system): the difference in percentage points.")),
    ("Share of the reference key (%)", ("The Member State's share of the Article 66 reference "
     "key of Regulation (EU) 2024/1351: 0.5 x its population share + 0.5 x its GDP share, over "
     "the Member States bound by the Regulation.")),
    ("Ratio to the key", ("Relative to GDP and population: share of the total divided by the key "
     "share; 1.000 = exactly the fair share, 2.000 = twice it. Empty for Member States outside "
     "the key (Denmark).")),
    ("Occupancy", ("Persons in the reception system divided by its capacity, as a ratio: "
     "1.000 = full, above 1 = over capacity.")),
    ("Margins (%)", ("How far the decisive indicator is from its threshold: +25.0% = 25% above "
     "it, -10.0% = 10% short of it.")),
    ("Member State (code)", ("Eurostat codes (Greece EL), in the EU protocol order where a table "
     "is not ranked.")),
    ("Number formats", ("Counts and euros are shown as whole numbers, ratios with three "
     "decimals; the cells hold the unrounded values, as do the CSV files.")),
    ("Empty cells", "Not applicable or not available; no other shorthand is used."),
    ("Projection", ("The project's own projection (Figure 9), not the Commission's: see the "
     "report for the method and its backtest error.")),
    ("Flag", ("Eurostat's flags on the values of the indicators table; a cell may hold several "
     "(be = break in time series, estimated).")),
)
FLAGS = (
    ("p", "provisional"), ("e", "estimated"), ("b", "break in time series"),
    ("c", "confidential"), (":", "not available"),
)
SAMPLE_WARNING = ("SYNTHETIC SAMPLE DATA: every value in this workbook was generated by the "
                  "pipeline to resemble the EAAMR; none is an official statistic.")


@dataclass(frozen=True)
class Item:
    """One figure or table of the annex: its metadata and its CSV."""

    sheet: str
    title: str
    unit: str
    source: str
    csv: Path

    @classmethod
    def from_figure(cls, spec: FigureSpec, folder: Path, sample: bool) -> Item:
        return cls(f"Figure {spec.number}", spec.caption(), spec.unit or "not stated",
                   spec.source_line(sample), folder / f"{spec.stem}.csv")


@dataclass(frozen=True)
class TableSpec:
    """A table of outputs/<year>/tables/ that has no figure."""

    stem: str
    title: str
    provider: str
    unit: str


# Tables the pipeline writes to outputs/<year>/tables/, in annex order.
TABLES = (
    TableSpec("pressure_indicators", "Indicators of migratory pressure by Member State",
              "Frontex, Eurostat, EUAA and eu-LISA",
              "each row's unit is in its Unit column; counts are shown as whole numbers, the "
              "occupancy of the reception system (persons / places) as a ratio"),
    TableSpec("pressure_classification",
              "Migratory pressure categories: the project's rules-based reconstruction beside the "
              "official lists", "Frontex, Eurostat, EUAA and eu-LISA",
              "categories; margins in % of the threshold"),
    TableSpec("solidarity_pool", "Indicative contributions to the Annual Solidarity Pool",
              "Eurostat", "relocations and euros"),
    TableSpec("ibc_routes_by_member_state",
              "Illegal border crossings by migratory route and Member State of detection",
              "Frontex", "detections; share of the route's detections"),
    TableSpec("caveats", "Caveats log: the editorial choices the pipeline makes",
              "the pipeline's parameters", "text"),
)


def table_items(sample: bool, folder: Path = paths.TABLES_DIR,
                specs: Sequence[TableSpec] = TABLES) -> list[Item]:
    """The tables this build wrote; one without a declared spec is listed under its file name."""
    declared = {spec.stem: spec for spec in specs}
    order = [spec.stem for spec in specs]
    stems = sorted((path.stem for path in folder.glob("*.csv")),
                   key=lambda stem: (order.index(stem) if stem in order else len(order), stem))
    items = []
    for number, stem in enumerate(stems, start=1):
        spec = declared.get(stem)
        source = "Source: not declared by its producer" if spec is None else \
            f"Source: elaboration on {spec.provider} data" + (
                " (synthetic sample dataset)" if sample else "")
        items.append(Item(f"Table {number}", f"Table {number} \u2013 " + (
            spec.title if spec else stem.replace("_", " ")), spec.unit if spec else "not stated",
            source, folder / f"{stem}.csv"))
    return items


def figure_specs() -> list[FigureSpec]:
    """Every figure of the report, in figure order."""
    return sorted((module.SPEC for module in FIGURE_MODULES), key=lambda spec: spec.number)


def figure_items(specs: Sequence[FigureSpec], sample: bool,
                 folder: Path = paths.FIGURES_DIR) -> list[Item]:
    """The figures whose CSV this build wrote, in figure order."""
    ordered = sorted(specs, key=lambda spec: spec.number)
    items = [Item.from_figure(spec, folder, sample) for spec in ordered]
    return [item for item in items if item.csv.is_file()]


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name of at most 31 characters."""
    name = re.sub(r"[\[\]:*?/\\']", " ", name).strip()[:MAX_SHEET_NAME] or "Sheet"
    candidate, number = name, 2
    while candidate.lower() in {existing.lower() for existing in taken}:
        suffix = f" ({number})"
        candidate, number = name[:MAX_SHEET_NAME - len(suffix)] + suffix, number + 1
    return candidate


def _cell_value(value: object) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _text_cell(sheet, row: int, column: int, value: object):
    """A cell holding `value`; text is always text, never a formula (`=...` from an input)."""
    cell = sheet.cell(row=row, column=column, value=_cell_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def _link(cell, sheet: str) -> None:
    """Make `cell` a link to the top of another sheet of the workbook."""
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1")
    cell.font = LINK


def _width(column: Column, values: pd.Series) -> float:
    if FORMATS[column.kind]:
        shown = [f"{value:,.0f}" for value in values.dropna().head(500)]
        longest = max([0, *(len(text) + 4 for text in shown)])
    else:
        longest = max([0, *(len(str(value)) for value in values.dropna().head(500))])
    return min(max(longest, min(len(column.label), MAX_HEADER_WIDTH)) + 2, MAX_COLUMN_WIDTH)


def _formats(column: Column, data: pd.DataFrame) -> list[str | None]:
    """The number format of each cell of `column`: its kind's, or its row's kind's."""
    if column.by_row is None:
        return [FORMATS[column.kind]] * len(data)
    by, kinds = column.by_row
    return [FORMATS[kinds.get(value, column.kind)] for value in data[by]]


def _table(sheet, name: str, header_row: int, columns: int, rows: int) -> None:
    """The cells from `header_row` on as an Excel table."""
    last = f"{get_column_letter(max(columns, 1))}{header_row + max(rows, 1)}"
    table = Table(displayName=_table_name(name), ref=f"A{header_row}:{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    sheet.add_table(table)


def _header(sheet, row: int, labels: Sequence[str]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = _text_cell(sheet, row, column, label)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP


def _lines(sheet, lines: Sequence[tuple[str, Font | None]]) -> int:
    """Write one line of text per row from A1, without blank rows; the next free row."""
    for row, (text, font) in enumerate(lines, start=1):
        _text_cell(sheet, row, 1, text).font = font or Font()
    return len(lines) + 1


def _table_name(sheet: str) -> str:
    return "T_" + re.sub(r"\W", "_", sheet)


def _data_sheet(workbook: openpyxl.Workbook, item: Item, data: pd.DataFrame) -> None:
    sheet = workbook.create_sheet(item.sheet)
    columns = [column_spec(item.csv.stem, name) for name in data.columns]
    back = _lines(sheet, [
        (item.title, TITLE), (f"Unit: {item.unit}", None), (item.source, None),
        ((f"This worksheet contains one table of {len(data)} rows; the same data are in "
         f"{item.csv.name}. Empty cells: not applicable or not available."), None),
        ("Back to the contents", None)]) - 1
    _link(sheet.cell(row=back, column=1), "Cover")
    header_row = back + 1
    _header(sheet, header_row, [column.label for column in columns])
    for number, (name, column) in enumerate(zip(data.columns, columns), start=1):
        for row, (value, number_format) in enumerate(
                zip(data[name].tolist(), _formats(column, data)), start=header_row + 1):
            cell = _text_cell(sheet, row, number, value)
            if number_format and cell.value is not None:
                cell.number_format = number_format
        sheet.column_dimensions[get_column_letter(number)].width = _width(column, data[name])
    _table(sheet, item.sheet, header_row, len(columns), len(data))
    sheet.freeze_panes = f"A{header_row + 1}"


def report_link(year: int | str) -> str:
    """The report of the edition, relative to the annex folder."""
    report = paths.REPORT_DIR.relative_to(paths.EDITION_DIR) / f"eaamr_{year}.html"
    return str(PurePosixPath("..", *report.parts))


def _cover(workbook: openpyxl.Workbook, edition: dict[str, str], items: list[Item],
           sample: bool) -> None:
    sheet = workbook.active
    sheet.title = "Cover"
    publication_date = edition.get("publication_date") or "not set in the edition facts"
    report = report_link(edition["year"])
    report_line = f"Report: {PurePosixPath(report).name} (in the report folder beside this one)"
    lines = [
        (f"{edition['title']} \u2013 data annex", TITLE),
        (("The values of every figure and table of the report, one worksheet each, with notes "
         "on the terms used; the contents below link to each worksheet."), None),
        (f"Edition: {edition['year']}", None),
        (f"Reference period: {edition['reference_period']}", None),
        (f"Compared with: {edition['comparison_period']}", None),
        (f"Publication date: {publication_date}", None),
        (f"Data source: {edition['data_source_label']}", None),
        (report_line, LINK),
        (LICENCE, LINK),
    ]
    if sample:
        lines.append((SAMPLE_WARNING, BOLD))
    lines.append(("Contents", BOLD))
    header_row = _lines(sheet, lines)
    for text, target in ((report_line, report), (LICENCE, LICENCE_URL)):
        sheet.cell(row=lines.index((text, LINK)) + 1, column=1).hyperlink = target
    entries = [("Notes", "Notes \u2013 definitions, number formats and flags")] + [
        (item.sheet, item.title) for item in items]
    _header(sheet, header_row, ("Worksheet", "Contents"))
    for row, (name, title) in enumerate(entries, start=header_row + 1):
        _link(_text_cell(sheet, row, 1, name), name)
        _text_cell(sheet, row, 2, title)
    _table(sheet, "Contents", header_row, 2, len(entries))
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 110


def _notes(workbook: openpyxl.Workbook, sample: bool) -> None:
    sheet = workbook.create_sheet("Notes")
    lines = [("Notes", TITLE),
             (("This worksheet contains one table: the terms, number formats and flags used in "
              "the workbook."), None)]
    if sample:
        lines.append((SAMPLE_WARNING, BOLD))
    lines.append(("Back to the contents", None))
    header_row = _lines(sheet, lines)
    _link(sheet.cell(row=header_row - 1, column=1), "Cover")
    _header(sheet, header_row, ("Term", "Meaning"))
    entries = [*NOTES, *((f"Flag {code}", meaning) for code, meaning in FLAGS)]
    for row, (term, meaning) in enumerate(entries, start=header_row + 1):
        _text_cell(sheet, row, 1, term)
        _text_cell(sheet, row, 2, meaning)
    _table(sheet, "Notes", header_row, 2, len(entries))
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 110


def build_workbook(items: list[Item], edition: dict[str, str], sample: bool
                   ) -> openpyxl.Workbook:
    """The workbook; a column of a CSV without a declared label stops it, naming the column."""
    tables = [pd.read_csv(item.csv, keep_default_na=False, na_values=[""]) for item in items]
    undeclared = [f"{item.csv.name}: {', '.join(missing)}" for item, data in zip(items, tables)
                  if (missing := undeclared_columns(item.csv.stem, data.columns))]
    if undeclared:
        raise ValueError("data annex: no label declared in pipeline.publication.annex.COLUMNS "
                         "for the columns " + "; ".join(undeclared))
    workbook = openpyxl.Workbook()
    workbook.properties.title = f"{edition['title']} \u2013 data annex"
    workbook.properties.subject = "The values of the report's figures and tables"
    workbook.properties.language = LANGUAGE
    taken = {"Cover", "Notes"}
    named = []
    for item in items:
        name = sheet_name(item.sheet, taken)
        taken.add(name)
        named.append(Item(name, item.title, item.unit, item.source, item.csv))
    _cover(workbook, edition, named, sample)
    _notes(workbook, sample)
    for item, data in zip(named, tables):
        _data_sheet(workbook, item, data)
    return workbook


def annex_file(year: int) -> str:
    return f"eaamr_{year}_data_annex.xlsx"


def write_annex(items: list[Item], edition: dict[str, str], *, sample: bool,
                folder: Path = paths.ANNEX_DIR) -> Path:
    """Write the spreadsheet and copies of the CSVs; the folder is replaced as a whole."""
    with atomic.atomic_dir(folder) as tmp:
        write_workbook(build_workbook(items, edition, sample), tmp / annex_file(
            int(edition["year"])))
        for item in items:
            shutil.copyfile(item.csv, tmp / item.csv.name)
    return folder / annex_file(int(edition["year"]))


def publish(edition: dict[str, str], *, sample: bool) -> dict[str, str]:
    """Write the annex of every figure and table this build wrote; the facts the report quotes."""
    items = figure_items(figure_specs(), sample) + table_items(sample)
    workbook = write_annex(items, edition, sample=sample)
    return {
        "file": f"annex/{workbook.name}",
        "sheets": str(len(items) + 2),
        "tables": str(len(items)),
        "csv_files": ", ".join(item.csv.name for item in items),
    }
