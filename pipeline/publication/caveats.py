"""Caveats log: the editorial choices the pipeline makes, declared as data next to the code
that makes them (a module-level `CAVEATS` tuple) and written out with this edition's values.

    python -m pipeline.publication.caveats   # -> outputs/<year>/tables/caveats.csv and the report's appendix
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pandas as pd

from pipeline.core import atomic, paths
from pipeline.core.formatting import eu_number, literal
from pipeline.core.params import flatten, stage_params
from pipeline.inputs import ingest, processed
from pipeline.publication import facts

# Modules that declare caveats, in the order of the report.
MODULES = (
    "pipeline.inputs.ingest",
    "pipeline.analysis.indicators",
    "pipeline.analysis.key",
    "pipeline.publication.figures.route_map",
    "pipeline.publication.figures.sar",
    "pipeline.publication.figures.eurodac_map",
    "pipeline.publication.narrative",
    "pipeline.analysis.projection",
    "pipeline.analysis.pressure",
    "pipeline.analysis.solidarity",
)
TABLE_FILE = "caveats.csv"


def collect(values: dict[str, object]) -> pd.DataFrame:
    """Every declared caveat with this edition's parameter values filled in."""
    rows = []
    for name in MODULES:
        module = importlib.import_module(name)
        for caveat in getattr(module, "CAVEATS", ()):
            rows.append({"topic": caveat.topic, "caveat": caveat.text.format(**values),
                         "module": name})
    return pd.DataFrame(rows, columns=["topic", "caveat", "module"])


def input_caveats(folder: Path = paths.PROCESSED_DIR) -> list[str]:
    """What the ingest stage recorded about the inputs: files not supplied, and IBCs by Member
    State that do not add up to the workbook's route totals."""
    records = processed.input_records(folder).values()
    lines = []
    missing = [str(record["file"]) for record in records if record["status"] == "missing"]
    if missing:
        lines.append(f"Not supplied, so left out with a note: {', '.join(missing)}.")
    for record in records:
        differences = record.get("differences_from_workbook")
        if differences:
            lines.append(f"{record['file']}: {ibc_difference_note(differences)}")
    return lines


def ibc_difference_note(differences: list[dict[str, object]]) -> str:
    """The caveat shown where the IBCs by Member State do not match the workbook."""
    return ("the IBCs by Member State do not add up to the Frontex workbook's route totals, "
            "so the figures by Member State and by route differ: "
            f"{ingest.describe_ibc_differences(differences)}.")


def markdown(table: pd.DataFrame, notes: list[str]) -> str:
    lines = ["| Topic | Choice made by the pipeline | Where |", "|---|---|---|"]
    for row in table.itertuples():
        lines.append(f"| {row.topic} | {row.caveat} | `{row.module}` |")
    lines.extend(f"| Inputs | {literal(note)} | `pipeline.inputs.ingest` |" for note in notes)
    return "\n".join(lines) + "\n"


def as_text(name: str, value: object) -> object:
    """A parameter as the log quotes it: 'true', '6 000', 'CZ, PL' or 'none'."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and "year" not in name and "seed" not in name:
        return eu_number(value)
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return value


def main() -> None:
    params = stage_params()
    values = {name: as_text(name, value) for name, value in {
        **flatten(params), "population_year": params.population_year, "gdp_year": params.gdp_year,
    }.items()}
    table = collect(values)
    with atomic.atomic_path(paths.TABLES_DIR / TABLE_FILE) as tmp:
        table.to_csv(tmp, index=False, lineterminator="\n")
    facts.write_snippet("caveats_log", markdown(table, input_caveats()))


if __name__ == "__main__":
    main()
