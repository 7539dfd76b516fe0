"""Caveats log: the editorial choices the pipeline makes, declared as data next to the code
that makes them (a module-level `CAVEATS` tuple) and written out with this edition's values.

    python -m pipeline.caveats   # -> outputs/tables/caveats.csv and the report's appendix
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pandas as pd

from pipeline import atomic, facts, paths
from pipeline.formatting import eu_number
from pipeline.params import flatten, stage_params

# Modules that declare caveats, in the order of the report.
MODULES = (
    "pipeline.ingest",
    "pipeline.indicators",
    "pipeline.key",
    "pipeline.figures.route_map",
    "pipeline.figures.sar",
    "pipeline.figures.eurodac_map",
    "pipeline.narrative",
    "pipeline.projection",
    "pipeline.pressure",
    "pipeline.solidarity",
)
TABLE_FILE = "caveats.csv"


@dataclass(frozen=True)
class Caveat:
    topic: str
    text: str  # a str.format template over the flattened parameters (figures_dpi, year, ...)


def collect(values: dict[str, object]) -> pd.DataFrame:
    """Every declared caveat with this edition's parameter values filled in."""
    rows = []
    for name in MODULES:
        module = importlib.import_module(name)
        for caveat in getattr(module, "CAVEATS", ()):
            rows.append({"topic": caveat.topic, "caveat": caveat.text.format(**values),
                         "module": name})
    return pd.DataFrame(rows, columns=["topic", "caveat", "module"])


def missing_inputs() -> list[str]:
    """Files of the optional inputs the ingest stage recorded as not supplied."""
    from pipeline import ingest  # ingest declares caveats itself: import it only when run

    return [record["file"] for record in ingest.input_records().values()
            if record["status"] == "missing"]


def markdown(table: pd.DataFrame, missing: list[str]) -> str:
    lines = ["| Topic | Choice made by the pipeline | Where |", "|---|---|---|"]
    for row in table.itertuples():
        lines.append(f"| {row.topic} | {row.caveat} | `{row.module}` |")
    if missing:
        lines.append(f"| Inputs | Not supplied, so left out with a note: {', '.join(missing)}. "
                     "| `pipeline.ingest` |")
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
    facts.write_snippet("caveats_log", markdown(table, missing_inputs()))


if __name__ == "__main__":
    main()
