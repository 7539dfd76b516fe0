"""Bad inputs: each gives one clear error naming the file, the row or field and the problem, leaves
the earlier outputs as they were and no temporary file behind.

Every case starts from the synthetic sample, as an analyst's `local` folder, and breaks one thing (`CASES`: case id -> how to
break the sample -> what the message must say). Files that fail their contract are caught by
`ingest.ingest`; gaps that only show for one edition (months missing inside the reference
period, a year outside the data's coverage, a Member State without GDP or population) by the
functions the figure notebooks call. A representative subset runs the real entry point,
`python -m pipeline.runner.notebook`, in a copy of the project (`test_entry_point_*`).
The format-level cases of each reader are in test_eurostat_tsv.py, test_frontex.py and
test_ingest_csv.py; parameter validation in test_params.py.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import yaml

from bench.projects import copy_project
from pipeline.analysis import pressure
from pipeline.analysis.key import edition_key
from pipeline.core import paths
from pipeline.core.errors import InputError, ParameterError
from pipeline.core.params import load_params
from pipeline.core.periods import ReportPeriods
from pipeline.inputs import ingest, processed
from pipeline.inputs.catalog import raw_input
from pipeline.inputs.sample import generate_sample
from pipeline.publication.figures import applications, sar
from pipeline.runner.stage import pipeline_stages

SEED = 20251111


# --- Ways to break one file of the sample ---------------------------------------------------

def file_of(name: str) -> str:
    return raw_input(name).filename


def csv_lines(name: str, change: Callable[[list[str]], list[str]]):
    def apply(folder: Path) -> None:
        path = folder / file_of(name)
        path.write_text("\n".join(change(path.read_text().splitlines())) + "\n")
    return apply


def replace_line(name: str, line: int, old: str, new: str):
    """Replace `old` with `new` in one line (1-based, the header is line 1) of a CSV input."""
    def change(lines: list[str]) -> list[str]:
        assert old in lines[line - 1], lines[line - 1]
        lines[line - 1] = lines[line - 1].replace(old, new, 1)
        return lines
    return csv_lines(name, change)


def tsv_text(name: str, change: Callable[[str], str]):
    """Edit the text of a gzipped Eurostat TSV."""
    def apply(folder: Path) -> None:
        path = folder / file_of(name)
        path.write_bytes(gzip.compress(change(gzip.decompress(path.read_bytes()).decode()).encode()))
    return apply


def tsv_cell(name: str, series_end: str, period: str, cell: str):
    """Set one cell of a Eurostat TSV: the series whose codes end with `series_end`, `period`."""
    def change(text: str) -> str:
        lines = text.splitlines()
        periods = [p.strip() for p in lines[0].split("\t")[1:]]
        number = next(i for i, line in enumerate(lines) if line.split("\t")[0].endswith(series_end))
        cells = lines[number].split("\t")
        cells[1 + periods.index(period)] = cell
        lines[number] = "\t".join(cells)
        return "\n".join(lines) + "\n"
    return tsv_text(name, change)


def tsv_drop_series(name: str, series_end: str):
    return tsv_text(name, lambda text: "".join(
        line for line in text.splitlines(keepends=True)
        if not line.split("\t")[0].endswith(series_end)))


def workbook_cell(row: int, column: int, value):
    def apply(folder: Path) -> None:
        path = folder / file_of("ibc_routes")
        workbook = openpyxl.load_workbook(path)
        workbook.active.cell(row=row, column=column, value=value)
        workbook.save(path)
    return apply


def content(name: str, data: bytes):
    def apply(folder: Path) -> None:
        (folder / file_of(name)).write_bytes(data)
    return apply


def delete(name: str):
    return lambda folder: (folder / file_of(name)).unlink()


def truncate(name: str):
    def apply(folder: Path) -> None:
        path = folder / file_of(name)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    return apply


def recode(name: str, change: Callable[[str], bytes]):
    def apply(folder: Path) -> None:
        path = folder / file_of(name)
        path.write_bytes(change(path.read_text()))
    return apply


HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head></html>\n"


# --- What each check runs on the processed tables -------------------------------------------

def ingest_only(processed_dir: Path) -> None:
    """Nothing more: the error must come from ingest."""


def sar_figure(year: int):
    return lambda processed_dir: sar.sar_table(processed.load("sar", processed_dir), ReportPeriods(year))


def reference_key(year: int):
    return lambda processed_dir: edition_key(processed.load("population", processed_dir),
                                         processed.load("gdp", processed_dir), year=year)


def minors_indicator(year: int):
    def check(processed_dir: Path) -> None:
        key = reference_key(year)(processed_dir)
        pressure.indicators_table(ReportPeriods(year), key,
                                  load=lambda name: processed.load(name, processed_dir),
                                  indicators=(pressure.indicator("unaccompanied_minors"),))
    return check


def applications_figure(year: int):
    def check(processed_dir: Path) -> None:
        key = reference_key(year)(processed_dir)
        applications.applications_table(processed.load("applications", processed_dir),
                                        ReportPeriods(year), key)
    return check


@dataclass(frozen=True)
class Case:
    id: str
    breaks: Callable[[Path], None]
    file: str  # the file the message must name
    expected: tuple[str, ...]  # the row or field, and the problem, in the message's words
    check: Callable[[Path], None] = ingest_only
    strict: bool = False


SAR, RECEPTION, EURODAC, IBC_MS = "sar", "reception", "eurodac", "ibc_member_states"
# Lines of the sample files the cases break (the header is line 1)
SAR_IT_2024_09 = 988  # IT,2024-09,3798
EURODAC_EL_DE = 3698  # 2024-07,2025-06,EL,DE,20000

CASES = [
    # missing and empty files
    Case("missing_required_file", delete("gdp"), "nama_10_gdp.tsv.gz",
         ("file not found (Eurostat: nama_10_gdp)",)),
    Case("missing_optional_file_when_strict", delete(EURODAC), "eurodac_hits.csv",
         ("file not found (eu-LISA: Eurodac foreign hits)",), strict=True),
    Case("empty_csv", content(SAR, b""), "sar_disembarkations.csv", ("file is empty",)),
    Case("empty_eurostat_file", content("population", b""), "demo_pjan.tsv.gz", ("empty",)),
    Case("empty_once_decompressed", content("tp_stock", gzip.compress(b"")), "migr_asytpsm.tsv.gz",
         ("empty",)),
    Case("empty_workbook_file", content("ibc_routes", b""), "Monthly_detections_of_IBC.xlsx",
         ("file is empty",)),
    # wrong delimiter or encoding, damaged or wrong kind of file
    Case("csv_with_semicolons", csv_lines(RECEPTION, lambda ls: [x.replace(",", ";") for x in ls]),
         "reception.csv", ("wrong delimiter",)),
    Case("eurostat_with_commas_not_tabs", tsv_text("gdp", lambda t: t.replace("\t", ",")),
         "nama_10_gdp.tsv.gz", ("row 1", "TIME_PERIOD")),
    Case("csv_in_utf16", recode(RECEPTION, lambda t: t.encode("utf-16")), "reception.csv",
         ("not UTF-8",)),
    Case("csv_in_latin1", recode(IBC_MS, lambda t: t.replace(",detections", ",detections,note", 1)
                                 .replace("246\n", "246,Türkiye\n", 1).encode("latin-1")),
         "ibc_by_member_state.csv", ("not UTF-8",)),
    Case("truncated_gzip", truncate("applications"), "migr_asyappctzm.tsv.gz",
         ("truncated or corrupt",)),
    Case("gzip_of_an_empty_page", content("returns", gzip.compress(b"\n\n")), "migr_eirtn1.tsv.gz",
         ("empty",)),
    Case("html_page_instead_of_eurostat", content("population", gzip.compress(HTML_PAGE)),
         "demo_pjan.tsv.gz", ("HTML",)),
    Case("html_page_instead_of_csv", content(EURODAC, HTML_PAGE), "eurodac_hits.csv",
         ("looks like an HTML or XML page",)),
    Case("html_page_instead_of_workbook", content("ibc_routes", HTML_PAGE),
         "Monthly_detections_of_IBC.xlsx", ("not a readable .xlsx",)),
    Case("eurostat_dimension_missing", tsv_text("tp_decisions", lambda t: t.replace(
        "freq,unit,", "freq,", 1).replace("M,PER,", "M,")), "migr_asytpfm.tsv.gz",
         ("field 'unit'", "dimension missing")),
    Case("csv_column_missing", csv_lines(RECEPTION, lambda ls: [x.rsplit(",", 1)[0] for x in ls]),
         "reception.csv", ("field 'capacity'", "column missing")),
    # unknown codes and labels
    Case("unknown_country_code", replace_line(SAR, SAR_IT_2024_09, "IT,", "XX,"),
         "sar_disembarkations.csv",
         (f"row {SAR_IT_2024_09}", "field 'member_state'", "unknown Member State code 'XX'")),
    Case("united_kingdom_is_not_a_member_state",
         replace_line(EURODAC, EURODAC_EL_DE, ",EL,DE,", ",EL,UK,"), "eurodac_hits.csv",
         (f"row {EURODAC_EL_DE}", "field 'destination'", "unknown Member State code 'UK'")),
    Case("unknown_route_label", replace_line(IBC_MS, 2, "Eastern Mediterranean Route",
                                             "Atlantic Route"), "ibc_by_member_state.csv",
         ("row 2", "field 'route'", "'Atlantic Route'")),
    Case("unknown_route_label_in_workbook", workbook_cell(3, 1, "Atlantic Route"),
         "Monthly_detections_of_IBC.xlsx", ("row 3", "Route", "Atlantic Route")),
    # duplicates
    Case("duplicate_rows", csv_lines(SAR, lambda ls: ls + [ls[SAR_IT_2024_09 - 1]]),
         "sar_disembarkations.csv", ("duplicate rows for the same geo, period",)),
    Case("duplicate_eurostat_series", tsv_text("gdp", lambda t: "\n".join(
        t.splitlines()[:2] + t.splitlines()[1:]) + "\n"), "nama_10_gdp.tsv.gz",
         ("row 3", "series 'A,CP_MEUR,B1GQ,AT' appears more than once")),
    # negative, non-numeric, missing and flagged values
    Case("negative_count", replace_line(SAR, SAR_IT_2024_09, ",3798", ",-3798"),
         "sar_disembarkations.csv",
         (f"row {SAR_IT_2024_09}", "field 'persons'", "negative count -3798")),
    Case("negative_count_in_eurostat", tsv_cell("population", ",FR", "2025", "-5 "),
         "demo_pjan.tsv.gz", ("field 'value'", "geo=FR, period=2025", "negative count -5.0")),
    Case("negative_count_in_workbook", workbook_cell(3, 4, -7), "Monthly_detections_of_IBC.xlsx",
         ("row 3", "JUL2019", "negative")),
    Case("non_numeric_value", replace_line(RECEPTION, 2, ",28636", ",n/a"), "reception.csv",
         ("row 2", "field 'capacity'", "'n/a' is not a number")),
    Case("non_numeric_value_in_eurostat", tsv_cell("applications", "ASY_APP,DE", "2025-03", "12a "),
         "migr_asyappctzm.tsv.gz", ("row 7", "2025-03")),
    Case("non_numeric_value_in_workbook", workbook_cell(4, 5, "n/a"),
         "Monthly_detections_of_IBC.xlsx", ("row 4", "AUG2019", "not a number")),
    Case("missing_value_where_a_number_is_required",
         replace_line(SAR, SAR_IT_2024_09, ",3798", ","), "sar_disembarkations.csv",
         (f"row {SAR_IT_2024_09}", "field 'persons'", "missing value")),
    Case("month_not_in_yyyy_mm_form", replace_line(SAR, SAR_IT_2024_09, "2024-09", "Sep 2024"),
         "sar_disembarkations.csv",
         (f"row {SAR_IT_2024_09}", "field 'month'", "'Sep 2024' is not a month")),
    # Eurodac matrix
    Case("eurodac_self_flow", replace_line(EURODAC, EURODAC_EL_DE, ",EL,DE,", ",DE,DE,"),
         "eurodac_hits.csv",
         (f"row {EURODAC_EL_DE}", "origin and destination are the same Member State")),
    Case("eurodac_unknown_member_state", replace_line(EURODAC, EURODAC_EL_DE, ",EL,", ",XK,"),
         "eurodac_hits.csv",
         (f"row {EURODAC_EL_DE}", "field 'origin'", "unknown Member State code 'XK'")),
    # gaps that only show for one edition, caught when the figures are made
    Case("month_missing_inside_reference_period",
         csv_lines(SAR, lambda ls: ls[: SAR_IT_2024_09 - 1] + ls[SAR_IT_2024_09:]),
         "sar_disembarkations.csv",
         ("field 'period'", "2024-09 missing for IT inside July 2024 \u2013 June 2025"),
         check=sar_figure(2025)),
    Case("month_missing_inside_the_periods_of_a_monthly_table_of_an_annual_series",
         csv_lines("unaccompanied_minors_monthly",
                   lambda ls: [x for x in ls if not x.startswith("BG,2024-11,")]),
         "unaccompanied_minors_monthly.csv",
         ("field 'period'", "2024-11 missing for BG inside July 2024 \u2013 June 2025"),
         check=minors_indicator(2025)),
    Case("month_not_available_in_eurostat", tsv_cell("applications", "ASY_APP,DE", "2025-03", ": "),
         "migr_asyappctzm.tsv.gz",
         ("field 'period'", "2025-03 missing for DE inside July 2024 \u2013 June 2025"),
         check=applications_figure(2025)),
    Case("year_after_the_data", lambda folder: None, "sar_disembarkations.csv",
         ("field 'period'", "no data inside July 2027 \u2013 June 2028", "cover 2019-07 to 2026-06"),
         check=sar_figure(2028)),
    Case("comparison_year_before_the_data", lambda folder: None, "migr_asyappctzm.tsv.gz",
         ("field 'period'", "no data inside July 2018 \u2013 June 2019", "cover 2019-07 to 2026-06"),
         check=applications_figure(2020)),
    Case("key_year_outside_the_data", lambda folder: None, "demo_pjan.tsv.gz",
         ("field 'period'", "no 2028 data", "cover 2015 to 2026"), check=reference_key(2028)),
    Case("gdp_missing_for_a_member_state", tsv_drop_series("gdp", ",FR"), "nama_10_gdp.tsv.gz",
         ("field 'geo'", "no 2024 value for FR"), check=reference_key(2025)),
    Case("population_flagged_confidential", tsv_cell("population", ",HU", "2025", ": c"),
         "demo_pjan.tsv.gz", ("field 'geo'", "no 2025 value for HU"), check=reference_key(2025)),
]


def tree_hashes(*folders: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """sha256 of every file under `folders` (temporary files included), by path."""
    return {
        str(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in folders for path in sorted(folder.rglob("*"))
        if path.is_file() and path not in skip
    }


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("raw") / "sample"
    generate_sample(folder, seed=SEED)
    return folder


@pytest.fixture(scope="module")
def earlier_outputs(sample_folder, tmp_path_factory) -> Path:
    """data/processed as a good run of ingest leaves it."""
    out = tmp_path_factory.mktemp("processed")
    ingest.ingest("sample", raw_root=sample_folder.parent, out_dir=out)
    return out


def test_there_are_at_least_thirty_distinct_cases():
    assert len({case.id for case in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_input_names_file_place_and_problem_and_leaves_outputs_untouched(
        case, sample_folder, earlier_outputs, tmp_path):
    raw_root, processed_dir = tmp_path / "raw", tmp_path / "processed"
    shutil.copytree(sample_folder, raw_root / "local")
    shutil.copytree(earlier_outputs, processed_dir)
    case.breaks(raw_root / "local")
    before = tree_hashes(processed_dir)

    with pytest.raises(InputError) as error:
        ingest.ingest("local", strict=case.strict, raw_root=raw_root, out_dir=processed_dir)
        case.check(processed_dir)

    message = str(error.value)
    assert "\n" not in message
    assert Path(error.value.path).name == case.file, message
    for words in case.expected:
        assert words in message, message
    if case.check is ingest_only:
        assert tree_hashes(processed_dir) == before  # nothing rewritten, no temporary file left


# --- Parameters -----------------------------------------------------------------------------

def set_param(dotted: str, value):
    """params.yaml text -> the same with one value changed."""
    def change(text: str) -> str:
        params = yaml.safe_load(text)
        *parents, last = dotted.split(".")
        section = params
        for name in parents:
            section = section[name]
        section[last] = value
        return yaml.safe_dump(params, sort_keys=False)
    return change


PARAMETER_CASES = {
    "year_1900": (set_param("year", 1900), ("year", "greater than or equal to 2020")),
    "unknown_data_source": (set_param("data.source", "ftp"),
                            ("data.source", "'sample', 'local' or 'live'")),
    "negative_route_map_threshold": (set_param("figures.route_map_threshold", -1),
                                     ("figures.route_map_threshold", "greater than or equal to 0")),
    "negative_pressure_threshold": (set_param("pressure.sar_share", -0.25),
                                    ("pressure.sar_share", "greater than 0")),
    "dpi_not_a_number": (set_param("figures.dpi", "high"), ("figures.dpi", "valid integer")),
    "malformed_yaml_tab_indent": (lambda text: text.replace("\n  source:", "\n\tsource:", 1),
                                  ("not valid YAML", "line")),
    "malformed_yaml_unclosed_list": (lambda text: text.replace("member_states: [", "member_states: [[", 1),
                                     ("not valid YAML", "line")),
}


@pytest.mark.parametrize("case_id", PARAMETER_CASES)
def test_bad_parameters_name_params_yaml_the_field_and_the_problem(case_id, tmp_path):
    change, expected = PARAMETER_CASES[case_id]
    params_file = tmp_path / "params.yaml"
    params_file.write_text(change(paths.PARAMS_FILE.read_text()))
    with pytest.raises(ParameterError) as error:
        load_params(params_file)
    message = str(error.value)
    assert message.startswith(f"{params_file}: ") and "\n" not in message
    for words in expected:
        assert words in message, message


# --- The entry points, in a copy of the project ---------------------------------------------

def run_module(project: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m <args>` from the project root, the way a DVC stage runs it."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run([sys.executable, "-m", *args], cwd=project, env=env,
                          capture_output=True, text=True, check=False)


def outputs_hashes(project: Path, notebook: str) -> dict[str, str]:
    """Every file the earlier stages wrote, but the copy of `notebook` kept when it fails (in
    the folder of whichever edition the case builds)."""
    hashes = tree_hashes(project / "data" / "processed", project / "outputs")
    return {path: digest for path, digest in hashes.items()
            if not path.endswith(f"/notebooks/{notebook}.failed.ipynb")}


@pytest.fixture(scope="module")
def project(tmp_path_factory, sample_folder) -> Path:
    """A copy of the project whose ingest stage has run on the sample."""
    project = copy_project(tmp_path_factory.mktemp("bad_inputs") / "project")
    shutil.copytree(sample_folder, project / "data" / "raw" / "sample")
    result = run_module(project, "pipeline.runner.notebook", "notebooks/01_ingest.ipynb")
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture
def clean_project(project):
    """The project copy; its raw inputs and params.yaml are put back after the test."""
    raw, params = project / "data" / "raw" / "sample", project / "params.yaml"
    saved_params = params.read_text()
    backup = project.parent / "raw_backup"
    shutil.copytree(raw, backup)
    yield project
    shutil.rmtree(raw)
    backup.rename(raw)
    params.write_text(saved_params)


BY_ID = {case.id: case for case in CASES}

# case id -> notebook, change to params.yaml, words of the message
ENTRY_POINT_CASES = {
    "missing_required_file": ("01_ingest", None, ("nama_10_gdp.tsv.gz", "file not found")),
    "truncated_gzip": ("01_ingest", None, ("migr_asyappctzm.tsv.gz", "truncated or corrupt")),
    "html_page_instead_of_csv": ("01_ingest", None, ("eurodac_hits.csv", "HTML")),
    "unknown_country_code": ("01_ingest", None, (
        "sar_disembarkations.csv", f"row {SAR_IT_2024_09}", "unknown Member State code 'XX'")),
    "negative_count_in_workbook": ("01_ingest", None, (
        "Monthly_detections_of_IBC.xlsx", "row 3", "negative")),
    "year_after_the_data": ("03_fig2_sar", set_param("year", 2028), (
        "data/raw/sample/frontex/sar_disembarkations.csv", "no data inside July 2027 \u2013 June 2028")),
}


@pytest.mark.e2e
@pytest.mark.parametrize("case_id", ENTRY_POINT_CASES)
def test_entry_point_exits_non_zero_with_one_clear_message(case_id, clean_project):
    notebook, change_params, expected = ENTRY_POINT_CASES[case_id]
    BY_ID[case_id].breaks(clean_project / "data" / "raw" / "sample")
    if change_params:
        params = clean_project / "params.yaml"
        params.write_text(change_params(params.read_text()))
    before = outputs_hashes(clean_project, notebook)

    result = run_module(clean_project, "pipeline.runner.notebook", f"notebooks/{notebook}.ipynb")

    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"notebooks/{notebook}.ipynb failed in cell" in errors[0]
    assert "InputError" in errors[0]
    for words in expected:
        assert words in errors[0], errors[0]
    assert outputs_hashes(clean_project, notebook) == before
    assert list((clean_project / "outputs").glob(f"*/notebooks/{notebook}.failed.ipynb"))


@pytest.mark.e2e
def test_the_key_stage_exits_non_zero_naming_the_file_without_the_edition_year(clean_project):
    """The key is computed once, by its own stage: a year the population table does not cover
    stops it with one line naming the raw file, and the key of the last good run stays."""
    params = clean_project / "params.yaml"
    params.write_text(set_param("year", 2028)(params.read_text()))
    before = outputs_hashes(clean_project, "none")

    result = run_module(clean_project, "pipeline.analysis.key")

    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "data/raw/sample/eurostat/demo_pjan.tsv.gz" in errors[0] and "no 2028 data" in errors[0]
    assert outputs_hashes(clean_project, "none") == before


def stage_commands() -> dict[str, list[str]]:
    """`python -m` arguments of each entry point the stages of dvc.yaml run (one notebook stands
    for all). The sample stage gets its seed from DVC, which refuses a params.yaml it cannot
    read, and checks it itself."""
    commands = {}
    for stage in pipeline_stages().values():
        words = stage["cmd"].split()
        if words[:4] == ["python", "-m", "pipeline.runner.stage", "--"]:
            words = words[4:]  # the wrapper that keeps a failed stage's outputs
        python, option, module, *args = words
        assert (python, option) == ("python", "-m"), stage["cmd"]
        if module != "pipeline.inputs.sample":
            commands.setdefault(module, [module, *args])
    return commands


@pytest.mark.e2e
@pytest.mark.parametrize("case_id", ["year_1900", "unknown_data_source", "malformed_yaml_tab_indent"])
@pytest.mark.parametrize("module", stage_commands())
def test_bad_parameters_stop_every_stage_before_it_runs(case_id, module, clean_project):
    change, expected = PARAMETER_CASES[case_id]
    params = clean_project / "params.yaml"
    params.write_text(change(params.read_text()))
    before = outputs_hashes(clean_project, "")

    result = run_module(clean_project, *stage_commands()[module])

    assert result.returncode == 2  # as the README says, for every entry point
    assert result.stderr.startswith(f"error: {params}: ") and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    for words in expected:
        assert words in result.stderr, result.stderr
    assert outputs_hashes(clean_project, "") == before
