"""Every path the project uses, resolved from the project root (never the working directory).

The outputs of an edition go to `outputs/<year>/` (the `year` of params.yaml), so that editions
stay side by side: building 2026 leaves the 2025 report, figures, tables and annex as they are.
"""

from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]

PARAMS_FILE = PROJECT_ROOT / "params.yaml"
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REFERENCE_DIR = DATA_DIR / "reference"  # curated by the project: base map, route lines
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORT_SOURCE_DIR = PROJECT_ROOT / "report"



def edition_year(params_file: Path = PARAMS_FILE) -> str:
    """The `year` of params.yaml, read without validating the file (pipeline.core.params does that,
    with a clear message, before any stage writes): '2025', or 'unknown'."""
    try:
        params = yaml.safe_load(params_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return "unknown"
    year = params.get("year") if isinstance(params, dict) else None
    return str(year) if isinstance(year, int) and not isinstance(year, bool) else "unknown"


OUTPUTS_DIR = PROJECT_ROOT / "outputs"
EDITION_DIR = OUTPUTS_DIR / edition_year()
EXECUTED_NOTEBOOKS_DIR = EDITION_DIR / "notebooks"
FIGURES_DIR = EDITION_DIR / "figures"
TABLES_DIR = EDITION_DIR / "tables"
FACTS_DIR = EDITION_DIR / "facts"
REPORT_BUILD_DIR = EDITION_DIR / "build"
REPORT_DIR = EDITION_DIR / "report"
ANNEX_DIR = EDITION_DIR / "annex"  # data annex: the spreadsheet and the CSVs


def raw_dir(source: str) -> Path:
    """Folder holding the raw inputs of one data source (sample, local or live)."""
    return RAW_DIR / source


def display_path(path: Path) -> str:
    """A path as a message shows it: relative to the project root when inside it."""
    try:
        return Path(path).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)
