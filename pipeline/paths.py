"""Every path the project uses, resolved from the project root (never the working directory)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

PARAMS_FILE = PROJECT_ROOT / "params.yaml"
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
REFERENCE_DIR = DATA_DIR / "reference"  # curated by the project: base map, route lines
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORT_SOURCE_DIR = PROJECT_ROOT / "report"

OUTPUTS_DIR = PROJECT_ROOT / "outputs"
EXECUTED_NOTEBOOKS_DIR = OUTPUTS_DIR / "notebooks"
FIGURES_DIR = OUTPUTS_DIR / "figures"
TABLES_DIR = OUTPUTS_DIR / "tables"
FACTS_DIR = OUTPUTS_DIR / "facts"
REPORT_BUILD_DIR = OUTPUTS_DIR / "build"
REPORT_DIR = OUTPUTS_DIR / "report"
ANNEX_DIR = OUTPUTS_DIR / "annex"  # data annex: the spreadsheet and the CSVs


def raw_dir(source: str) -> Path:
    """Folder holding the raw inputs of one data source (sample, local or live)."""
    return RAW_DIR / source


def display_path(path: Path) -> str:
    """A path as a message shows it: relative to the project root when inside it."""
    try:
        return Path(path).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)
