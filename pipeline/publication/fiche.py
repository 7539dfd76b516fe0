"""Member State fiches: the EAAMR's section IV read for one Member State, two pages each.

    python -m pipeline.runner.notebook notebooks/12_member_state.ipynb -p member_state DE
    python -m pipeline.report.fiches    # all fiches in one PDF, and the report annex's list

dvc.yaml runs the notebook once per Member State of the key (`fiche@DE`, ...: `foreach:
${key.member_states}`, the list the key stage computes over), so that adding or removing a Member
State from params.yaml adds or removes its fiche; `dvc repro fiche@DE` builds one alone. Each
fiche (`build`) shows, from the tables the pressure assessment wrote and the processed inputs:

- the Member State's indicators (value, change on the comparison period, share of the Union,
  ratio to the key, rank among the Member States of the key, five-year value and ratio), exactly
  as in outputs/<year>/tables/pressure_indicators.csv;
- its category in the official determination and the reconstruction's with its margins (both
  from pressure_classification.csv, which the pressure stage writes beside the official lists)
  and its indicative share of each solidarity pool (solidarity_pool.csv), or why none is due;
- small charts of the monthly (quarterly, 12-month) series behind them; a series the Member State
  has none of, or an input not supplied, is a visible note instead of a chart of zeros;
- the caveats and flags that touch its numbers, and the sources with their dates.

It is written to outputs/<year>/fiches/<XX>/eaamr_<year>_fiche_<XX>.html and .pdf
(`pipeline.report.fiches` renders it). The `fiches` stage (`main`) then joins the PDFs into
outputs/<year>/eaamr_<year>_fiches.pdf and writes the report annex's list of fiches
(facts/fiches.md, links relative to outputs/<year>/report/). Text from inputs is escaped with
`literal`; every number comes from the data.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from pipeline.analysis import pressure
from pipeline.analysis.assessment import margin_text
from pipeline.core import countries, paths
from pipeline.core.errors import InputError, MissingInputError
from pipeline.core.formatting import eu_number, literal, percent, share_label
from pipeline.core.periods import ReportPeriods
from pipeline.inputs import processed
from pipeline.publication.figures import style
from pipeline.publication.figures.output import SAMPLE_NOTE
from pipeline.publication.provenance import FLAG_MEANINGS

FICHES_DIR = paths.EDITION_DIR / "fiches"
SNIPPET = "fiches"  # facts/fiches.md, included at the end of the report's annexes
# The tables behind a fiche's numbers: the indicators' inputs and the key's.
INPUTS = tuple(dict.fromkeys([spec.table for spec in pressure.INDICATORS] + ["population", "gdp"]))
POOL_LABELS = {"proposal": "Commission proposal", "council": "Council pool"}
Loader = Callable[[str], pd.DataFrame]


def basename(year: int, member_state: str) -> str:
    return f"eaamr_{year}_fiche_{member_state}"


def fiche_dir(member_state: str, fiches_dir: Path = FICHES_DIR) -> Path:
    return fiches_dir / member_state


def combined_pdf(year: int, edition_dir: Path = paths.EDITION_DIR) -> Path:
    return edition_dir / f"eaamr_{year}_fiches.pdf"


@dataclass(frozen=True)
class Fiche:
    member_state: str
    year: int
    document: str  # the Quarto-flavoured markdown of the fiche
    charts: dict[str, bytes]  # file name (under charts/) -> SVG
    indicators: pd.DataFrame  # the Member State's rows of the indicators table, with its rank


# --- Indicators -------------------------------------------------------------------------------

def indicator_rows(indicators: pd.DataFrame, member_state: str) -> pd.DataFrame:
    """The Member State's rows of the indicators table, with `rank` (1 = the largest value among
    the Member States of the key; none where its value is zero) and `ranked` (how many)."""
    table = indicators.copy()
    table["rank"] = table.groupby("indicator")["value"].rank(ascending=False, method="min")
    table.loc[table["value"] <= 0, "rank"] = math.nan
    table["ranked"] = table.groupby("indicator")["geo"].transform("count")
    rows = table[table["geo"] == member_state].reset_index(drop=True)
    if rows.empty:
        raise InputError(paths.TABLES_DIR / pressure.TABLE_FILE, f"no rows for {member_state}",
                         field="geo")
    return rows


def _signed(change: float) -> str:
    return ("+" if change >= 0 else "\u2212") + percent(change)


def indicator_cells(row: pd.Series) -> list[str]:
    """One row of the fiche's table, formatted: value, change, share, ratio, rank, five years."""
    rate = row["basis"] == "rate"

    def maybe(value: float, format_: Callable[[float], str]) -> str:
        return "\u2013" if pd.isna(value) else format_(value)

    value = percent(row["value"]) if rate else eu_number(row["value"])
    if rate:
        change = maybe(row["change"], lambda c: f"{'+' if c >= 0 else chr(0x2212)}"
                                                f"{eu_number(abs(c) * 100, decimals=1)} pp")
    else:
        change = maybe(row["change"], _signed) if row["previous"] > 0 else "n/a (none before)"
    return [
        literal(row["label"]), literal(row["period"]), value, change,
        maybe(row["share"], share_label), maybe(row["ratio_to_key"], lambda r: eu_number(r, decimals=2)),
        maybe(row["rank"], lambda r: f"{int(r)} of {int(row['ranked'])}"),
        maybe(row["five_year_value"], eu_number),
        maybe(row["five_year_ratio_to_key"], lambda r: eu_number(r, decimals=2)),
    ]


INDICATOR_HEADER = ["Indicator", "Period", "Value", "Change", "Share of EU", "Ratio to key",
                    "Rank", "5 years", "5-year ratio"]


def indicators_markdown(rows: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(INDICATOR_HEADER) + " |",
             "|:" + "-" * 34 + "|:" + "-" * 22 + "|" + "|".join(["-" * 9 + ":"] * 7) + "|"]
    lines += ["| " + " | ".join(indicator_cells(row)) + " |" for _, row in rows.iterrows()]
    return "\n".join(lines) + "\n"


# --- Category and solidarity pool -------------------------------------------------------------

def status_markdown(member_state: str, classification: pd.DataFrame, pool: pd.DataFrame) -> str:
    """The official category, the reconstruction's with its margins, the pool shares (from the
    pressure assessment's tables: the official columns are there when a determination is)."""
    row = classification.set_index("geo").loc[member_state]
    official = "official_category" in classification
    lines = []
    if not official:
        lines.append("- **Official determination:** none recorded for this edition or an "
                     "earlier one.")
    else:
        significant = "yes" if row["official_significant"] else "no"
        lines.append(f"- **Official determination:** {row['official_category']}; significant "
                     f"migratory situation: {significant}.")
    rules = f" ({literal(row['rules'])})" if isinstance(row["rules"], str) and row["rules"] else ""
    significant_rules = row["significant_rules"] if isinstance(row["significant_rules"], str) else ""
    lines.append(
        f"- **Reconstruction:** {row['category']}{rules}; margin of the decision "
        f"{margin_text(row['category_margin'])} (to the pressure rules "
        f"{margin_text(row['pressure_margin'])}, to the at-risk rules "
        f"{margin_text(row['at_risk_margin'])}). Significant migratory situation: "
        f"{'yes' if row['significant'] else 'no'}"
        f"{f' ({literal(significant_rules)})' if significant_rules else ''}, margin "
        f"{margin_text(row['significant_margin'])}.")
    if official:
        agrees = "agrees" if row["agrees"] else "**differs**"
        lines.append(f"- The reconstruction {agrees} with the official determination.")
    for pool_row in pool[pool["geo"] == member_state].itertuples():
        label = POOL_LABELS.get(pool_row.pool, literal(pool_row.pool))
        fair = (f"fair share {eu_number(pool_row.fair_share_relocations)} relocations or EUR "
                f"{eu_number(pool_row.fair_share_euros / 1e6, decimals=1)} million")
        if pool_row.contribution_relocations > 0:
            due = (f"indicative contribution {eu_number(pool_row.contribution_relocations)} "
                   f"relocations or EUR {eu_number(pool_row.contribution_euros / 1e6, decimals=1)}"
                   " million")
        elif pool_row.status == "beneficiary":
            due = "no contribution: a beneficiary of the pool (under migratory pressure)"
        else:
            due = (f"no contribution: {literal(pool_row.status)} (Article 62, a significant "
                   "migratory situation)")
        lines.append(f"- **{label}:** key share {percent(pool_row.key_share, decimals=2)}; "
                     f"{fair}; {due}.")
    return "\n".join(lines) + "\n"


# --- Charts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    series: pd.DataFrame | None  # index: period labels in order; one column per line or bar
    kind: str  # "line" (monthly, quarterly) or "bar" (12-month periods)
    note: str = ""  # shown instead of the chart when there is nothing to draw


def _monthly(table: pd.DataFrame, member_state: str, months: list[str], column: str = "geo"
             ) -> pd.Series:
    rows = table[table[column] == member_state]
    return rows.groupby("period")["value"].sum(min_count=1).reindex(months)


def chart_series(member_state: str, periods: ReportPeriods, load: Loader = processed.load
                 ) -> list[Chart]:
    """The series behind the fiche's indicators, over the five years to the reference period."""
    window = periods.five_years
    months, quarters = window.months, window.quarters
    name = countries.name(member_state)
    specs = [
        ("ibc", "Illegal border crossings detected, monthly", "ibc_member_states",
         lambda t: pd.DataFrame({"IBCs": _monthly(t, member_state, months)}), "line",
         (f"No illegal border crossings detected by {name} in the five years: not a country of "
         "first entry in the data.")),
        ("sar", "Persons disembarked after search and rescue, monthly", "sar",
         lambda t: pd.DataFrame({"disembarked": _monthly(t, member_state, months)}), "line",
         f"No persons disembarked after search and rescue in {name} in the five years."),
        ("applications", "Applications for international protection, monthly", "applications",
         lambda t: pd.DataFrame({"applicants": _monthly(t[t["applicant"] == "ASY_APP"],
                                                        member_state, months)}), "line", ""),
        ("tp", "Beneficiaries of temporary protection, end of month", "tp_stock",
         lambda t: pd.DataFrame({"beneficiaries": _monthly(t, member_state, months)}), "line", ""),
        ("returns", "Orders to leave and returns, quarterly", "returns",
         lambda t: pd.DataFrame({"ordered to leave": _monthly(load("orders_to_leave"), member_state,
                                                              quarters),
                                 "returned": _monthly(t, member_state, quarters)}), "line", ""),
        ("eurodac", "Eurodac hits, 12-month periods to June", "eurodac",
         lambda t: _eurodac(t, member_state, periods), "bar", ""),
    ]
    charts = []
    for chart_name, title, table, series, kind, nothing in specs:
        try:
            frame = series(load(table))
        except MissingInputError as missing:
            charts.append(Chart(chart_name, title, None, kind,
                                f"Left out: {paths.display_path(missing.path)} was not supplied."))
            continue
        if nothing and not (frame.fillna(0) > 0).any().any():
            charts.append(Chart(chart_name, title, None, kind, nothing))
            continue
        charts.append(Chart(chart_name, title, frame.dropna(how="all"), kind))
    return charts


def _eurodac(table: pd.DataFrame, member_state: str, periods: ReportPeriods) -> pd.DataFrame:
    """Hits received (the Member State is where the person applied again) and hits out (where
    the person was registered first), per 12-month period of the five years."""
    firsts = pd.period_range(periods.five_years.first, periods.five_years.last, freq="M")[::12]
    codes = [f"{first}/{first + 11}" for first in firsts]
    labels = [f"{str(first.year)[2:]}/{str(first.year + 1)[2:]}" for first in firsts]
    received = table[table["destination"] == member_state].groupby("period")["value"].sum()
    sent = table[table["geo"] == member_state].groupby("period")["value"].sum()
    return pd.DataFrame({"received (in)": received.reindex(codes).to_numpy(),
                         "sent (out)": sent.reindex(codes).to_numpy()}, index=labels)


def draw(chart: Chart, periods: ReportPeriods, *, sample: bool) -> bytes:
    """A small chart as SVG (no date, stable ids), the reference period shaded."""
    style.apply()
    figure, axes = plt.subplots(figsize=(3.4, 1.35))
    frame = chart.series
    colours = [style.PRIMARY, style.SECONDARY]
    if chart.kind == "bar":
        width = 0.8 / len(frame.columns)
        for number, column in enumerate(frame.columns):
            positions = [i + (number - (len(frame.columns) - 1) / 2) * width for i in range(len(frame))]
            axes.bar(positions, frame[column], width=width, color=colours[number], label=column)
        axes.set_xticks(range(len(frame)), frame.index)
    else:
        x = range(len(frame))
        for number, column in enumerate(frame.columns):
            axes.plot(x, frame[column], color=colours[number], linewidth=1.2, label=column)
        reference = [i for i, period in enumerate(frame.index) if _in_reference(period, periods)]
        if reference:
            axes.axvspan(reference[0] - 0.5, reference[-1] + 0.5, color="#E6E6E6", zorder=0,
                         linewidth=0)
        ticks = [i for i, period in enumerate(frame.index) if str(period).endswith(("-07", "Q3"))]
        axes.set_xticks(ticks, [str(frame.index[i])[:4] for i in ticks])
    axes.set_title(chart.title, fontsize=7.5, loc="left")
    axes.tick_params(labelsize=6.5)
    axes.yaxis.set_major_formatter(style.thousands)
    axes.set_ylim(bottom=0)
    if len(frame.columns) > 1:
        axes.legend(fontsize=6, frameon=False, loc="upper left")
    if sample:
        axes.text(0.99, 0.97, "SYNTHETIC SAMPLE DATA", transform=axes.transAxes, fontsize=5.5,
                  color="#909090", ha="right", va="top")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(figure)
    return buffer.getvalue()


def _in_reference(period: str, periods: ReportPeriods) -> bool:
    reference = periods.reference
    return period in reference.months or period in reference.quarters


def charts_markdown(charts: list[Chart]) -> str:
    parts = []
    for chart in charts:
        if chart.series is None:
            parts.append(f"- **{chart.title}:** {literal(chart.note)}")
        else:
            parts.append(f"![{chart.title}](charts/{chart.name}.svg){{width=49%}}")
    images = " ".join(part for part in parts if part.startswith("!"))
    notes = "\n".join(part for part in parts if part.startswith("-"))
    return images + "\n\n" + (notes + "\n" if notes else "")


# --- Caveats, flags and sources ---------------------------------------------------------------

def caveats_markdown(rows: pd.DataFrame, caveats: pd.DataFrame, records: dict[str, dict],
                     missing: list[str]) -> str:
    """The flags on its values, the indicators left out, and the caveats of the modules whose
    numbers the fiche shows."""
    lines = []
    for row in rows.itertuples():
        if isinstance(row.flag, str) and row.flag:
            meanings = ", ".join(FLAG_MEANINGS.get(letter, "flagged") for letter in row.flag)
            lines.append(f"- {literal(row.label)}: the value carries the provider's flag "
                         f"`{row.flag}` ({meanings}).")
        if row.basis != "rate" and not row.previous > 0:
            lines.append(f"- {literal(row.label)}: no change is computed, as the value of "
                         f"{literal(row.previous_period)} was zero.")
    for name in missing:
        record = records.get(name, {})
        lines.append(f"- Left out: {literal(name.replace('_', ' '))} "
                     f"({literal(record.get('file', 'input'))} was not supplied).")
    shown = {"pipeline.inputs.ingest", "pipeline.analysis.indicators", "pipeline.analysis.key",
             "pipeline.analysis.pressure", "pipeline.analysis.solidarity"}
    for caveat in caveats[caveats["module"].isin(shown)].itertuples():
        lines.append(f"- {literal(caveat.topic)}: {literal(caveat.caveat)}")
    return "\n".join(lines) + "\n"


def _dates(record: dict) -> str:
    provenance = record.get("provenance") or {}
    parts = [f"retrieved {str(provenance['retrieved_utc'])[:10]}"] if provenance.get("retrieved_utc") else []
    if provenance.get("last_update"):
        parts.append(f"updated {provenance['last_update']}")
    return "; ".join(parts) or "dates not recorded"


def sources_markdown(records: dict[str, dict]) -> str:
    """The inputs behind the fiche's numbers with their dates, in one paragraph (files and
    checksums are in the report's sources annex)."""
    lines = []
    for name in INPUTS:
        record = records.get(name)
        if record is None:
            continue
        when = "not supplied" if record["status"] == "missing" else _dates(record)
        lines.append(f"{literal(record['provider'])}: {literal(record['dataset'])} "
                     f"({literal(when)})")
    return "; ".join(lines) + ".\n"


# --- The fiche --------------------------------------------------------------------------------

def build(member_state: str, *, year: int, data_source: str,
          tables_dir: Path = paths.TABLES_DIR, processed_dir: Path = paths.PROCESSED_DIR) -> Fiche:
    """The fiche of one Member State of the key, from the edition's tables and inputs."""
    if not countries.is_member_state(member_state):
        raise ValueError(f"unknown Member State code {member_state!r}")
    periods = ReportPeriods(year)
    indicators = _read_csv(tables_dir / pressure.TABLE_FILE)
    if member_state not in set(indicators["geo"]):
        raise InputError(tables_dir / pressure.TABLE_FILE, f"{member_state} is not a Member State "
                         "of the key (params.yaml key.member_states)", field="geo")
    rows = indicator_rows(indicators, member_state)
    classification = _read_csv(tables_dir / "pressure_classification.csv")
    pool = _read_csv(tables_dir / "solidarity_pool.csv")
    caveats = _read_csv(tables_dir / "caveats.csv")
    records = processed.input_records(processed_dir)
    missing = sorted({spec.table for spec in pressure.INDICATORS
                      if spec.name not in set(indicators["indicator"])})
    charts = chart_series(member_state, periods, lambda name: processed.load(name, processed_dir))
    sample = data_source == "sample"
    name = countries.name(member_state)
    document = "\n".join([
        "---",
        f'title: "{name}"',
        f'subtitle: "Member State fiche, EAAMR {year}: {periods.reference.label}"',
        f'short-title: "EAAMR {year} \u2013 {name}"',
        "---",
        "",
        (f"::: {{.callout-warning title=\"Sample data\"}}\n{literal(SAMPLE_NOTE)}.\n:::\n"
         if sample else ""),
        "## Category and solidarity pool",
        "",
        status_markdown(member_state, classification, pool),
        f"## Indicators, {periods.reference.label}",
        "",
        (f"Compared with {periods.comparison.label} (annual series: the calendar year before); "
        "share of the total over the Member States of the key; ratio to the key = share / key "
        f"share (1 = fair share); rank among the {int(rows['ranked'].iloc[0])} Member States of "
        "the key (1 = largest); five years: cumulative over "
        f"{periods.five_years.label}."),
        "",
        indicators_markdown(rows),
        "## Monthly series behind the indicators",
        "",
        "The reference period is shaded.",
        "",
        charts_markdown(charts),
        "## Caveats and flags",
        "",
        caveats_markdown(rows, caveats, records, missing),
        "## Sources",
        "",
        sources_markdown(records),
    ])
    svgs = {f"{chart.name}.svg": draw(chart, periods, sample=sample)
            for chart in charts if chart.series is not None}
    return Fiche(member_state, year, document, svgs, rows)


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise InputError(path, "not found; run the pressure_assessment and caveats stages first")
    return pd.read_csv(path, keep_default_na=True)


# --- All fiches: the combined PDF and the annex's list ----------------------------------------

def annex_markdown(year: int, member_states: list[str]) -> str:
    """The list of fiches for the report's annex, linked relative to outputs/<year>/report/."""
    combined = combined_pdf(year).name
    lines = [(f"One two-page fiche per Member State of the key ({len(member_states)}), each as "
             f"HTML and PDF, and all of them in one PDF: [{combined}](../{combined})."), "",
             "| Member State | Fiche |", "|---|---|"]
    for member_state in member_states:
        stem = f"../fiches/{member_state}/{basename(year, member_state)}"
        lines.append(f"| {countries.name(member_state)} | [HTML]({stem}.html) · [PDF]({stem}.pdf) |")
    return "\n".join(lines) + "\n"
