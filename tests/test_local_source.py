"""`data.source: local`: the report built from a folder of provider-format files.

The folder is made from the synthetic sample, converted the way analysts' files differ from it
(ISO country codes, Eurostat tables as SDMX-CSV), so the same report must come out; then
optional files are removed to show their figures are left out with a note.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from bench.projects import dvc
from pipeline.inputs.sources.eurostat_sdmx_csv import write_eurostat_sdmx_csv
from pipeline.inputs.sources.eurostat_tsv import read_eurostat_tsv
from tests.helpers import copy_built, normalise

pytestmark = pytest.mark.e2e

# Facts that say which data source was used; everything else must be equal. (Reconciliation
# with the published edition is only meaningful for data other than the sample.)
SOURCE_DEPENDENT = {("report", "data_source"), ("report", "data_source_label"),
                    ("reconciliation", "status")}


def set_data_param(project: Path, key: str, value) -> None:
    params_file = project / "params.yaml"
    params = yaml.safe_load(params_file.read_text())
    params["data"][key] = value
    params_file.write_text(yaml.safe_dump(params))


# Eurostat tables supplied as SDMX-CSV instead of the whole-table TSV.
AS_SDMX_CSV = {"migr_asyappctzm": ".csv.gz", "demo_pjan": ".csv", "migr_eirtn1": ".csv"}


def convert_sample_to_local(project: Path) -> None:
    """Copy the sample into data/raw/local, writing Greece with its ISO code in the CSV files
    and some Eurostat tables as SDMX-CSV."""
    sample, local = project / "data" / "raw" / "sample", project / "data" / "raw" / "local"
    shutil.copytree(sample, local, dirs_exist_ok=True)
    for csv in [path for path in local.rglob("*.csv") if path.parent.name != "eurostat"]:
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        frame = frame.replace({"EL": "GR"})
        frame.to_csv(csv, index=False, lineterminator="\n")
    for code, suffix in AS_SDMX_CSV.items():
        tsv = local / "eurostat" / f"{code}.tsv.gz"
        table = read_eurostat_tsv(tsv)
        dimensions = [c for c in table.columns if c not in ("time_period", "value", "flag")]
        write_eurostat_sdmx_csv(table, dimensions, tsv.with_name(code + suffix))
        tsv.unlink()


def facts(project: Path) -> dict:
    merged = {}
    for path in sorted((project / "outputs" / "2025" / "facts").glob("*.yaml")):
        merged.update(yaml.safe_load(path.read_text()))
    return merged


def comparable(all_facts: dict) -> dict:
    """Facts without the data-source label and the sample markers of figures."""
    kept = {}
    for namespace, values in all_facts.items():
        for key, value in values.items():
            if (namespace, key) in SOURCE_DEPENDENT:
                continue
            if namespace.startswith("fig") and key in ("source", "alt"):
                value = value.replace(" (synthetic sample dataset)", "")
                value = value.split(" The figure is marked")[0]
            kept[(namespace, key)] = value
    return kept


def html_text(project: Path, year: int = 2025) -> str:
    html = (project / "outputs" / str(year) / "report" / f"eaamr_{year}.html").read_text(encoding="utf-8")
    return normalise(BeautifulSoup(html, "html.parser").get_text(" "))


@pytest.fixture(scope="module")
def sample_then_local(tmp_path_factory, built_project):
    project = copy_built(built_project, tmp_path_factory.mktemp("local") / "project")
    sample_facts = facts(project)
    convert_sample_to_local(project)
    set_data_param(project, "source", "local")
    dvc(project, "repro")
    return project, sample_facts


def test_local_files_converted_from_the_sample_give_the_same_report(sample_then_local):
    project, sample_facts = sample_then_local
    local_facts = facts(project)
    assert local_facts["report"]["data_source"] == "local"
    records = json.loads((project / "data" / "processed" / "inputs.json").read_text())["inputs"]
    files = {record["name"]: record["file"] for record in records}
    assert files["applications"] == "local/eurostat/migr_asyappctzm.csv.gz"
    assert files["population"] == "local/eurostat/demo_pjan.csv"
    assert comparable(local_facts) == comparable(sample_facts)
    text = html_text(project)
    assert "Synthetic sample data" not in text
    assert "Figure 2 \u2013 Persons disembarked in search and rescue events" in text


def outputs_hashes(project: Path) -> dict[str, str]:
    """sha256 of every file of data/processed and of the edition's outputs, by path; the copy
    a failed notebook leaves for debugging is not an output."""
    folders = (project / "data" / "processed", project / "outputs" / "2025")
    return {str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in folders for path in sorted(folder.rglob("*"))
            if path.is_file() and not path.name.endswith(".failed.ipynb")}


def failing_repro(project: Path) -> str:
    bin_dir = Path(sys.executable).parent
    result = subprocess.run([str(bin_dir / "dvc"), "repro"], cwd=project, capture_output=True,
                            text=True, check=False,
                            env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert result.returncode != 0, result.stdout
    return result.stdout + result.stderr


def test_a_bad_input_keeps_every_output_and_the_fixed_input_carries_on(sample_then_local):
    project, _ = sample_then_local
    sar_file = project / "data" / "raw" / "local" / "frontex" / "sar_disembarkations.csv"
    original = sar_file.read_bytes()
    before = outputs_hashes(project)
    lines = original.decode().splitlines()
    lines[1] = ",".join(lines[1].split(",")[:2] + ["-5"])
    sar_file.write_text("\n".join(lines) + "\n")

    output = failing_repro(project)
    assert "sar_disembarkations.csv, row 2, field 'persons': negative count" in output
    assert "stage ingest failed: its outputs are left as they were" in output
    assert outputs_hashes(project) == before  # the 16 tables, inputs.json, the report ...
    assert (project / "outputs" / "2025" / "notebooks" / "01_ingest.failed.ipynb").is_file()

    sar_file.write_bytes(original)
    dvc(project, "repro")
    assert outputs_hashes(project) == before
    assert "up to date" in dvc(project, "status").stdout


def test_a_failing_figure_stage_keeps_its_figure_and_facts(sample_then_local):
    project, _ = sample_then_local
    notebook = project / "notebooks" / "03_fig2_sar.ipynb"
    original = notebook.read_bytes()
    before = outputs_hashes(project)
    cells = json.loads(original)
    cells["cells"].append({"cell_type": "code", "execution_count": None, "id": "broken",
                           "metadata": {}, "outputs": [],
                           "source": ["raise RuntimeError('a check after the figure was saved')"]})
    notebook.write_text(json.dumps(cells))

    output = failing_repro(project)
    assert "a check after the figure was saved" in output
    assert outputs_hashes(project) == before  # fig2_sar.png/.svg/.csv, its facts, the report

    notebook.write_bytes(original)
    dvc(project, "repro")
    assert outputs_hashes(project) == before


def test_a_failing_report_stage_keeps_the_last_good_report(sample_then_local):
    project, _ = sample_then_local
    section = project / "report" / "sections" / "introduction.qmd"
    original = section.read_bytes()
    before = outputs_hashes(project)
    section.write_text(section.read_text() + "\nA number typed wrong: {{< var sar.totl >}}.\n")

    output = failing_repro(project)
    assert "unknown variable 'sar.totl'" in output
    assert outputs_hashes(project) == before  # eaamr_2025.html and .pdf, byte for byte

    section.write_bytes(original)
    dvc(project, "repro")
    assert outputs_hashes(project) == before


def test_changing_an_input_value_changes_the_number_in_the_prose(sample_then_local):
    project, _ = sample_then_local
    sar_file = project / "data" / "raw" / "local" / "frontex" / "sar_disembarkations.csv"
    before = facts(project)["sar"]["total_exact"]
    frame = pd.read_csv(sar_file, dtype={"persons": float})
    row = frame.index[(frame["member_state"] == "MT") & (frame["month"] == "2025-01")][0]
    frame.loc[row, "persons"] += 12_345
    frame.to_csv(sar_file, index=False, lineterminator="\n")
    dvc(project, "repro")

    after = facts(project)["sar"]
    as_number = lambda text: int(text.replace("\u00a0", "").replace(" ", ""))
    assert as_number(after["total_exact"]) == as_number(before) + 12_345
    text = html_text(project)
    assert f"{normalise(after['total'])} persons were disembarked in the Union" in text
    assert f"{normalise(after['total'])} persons were disembarked after search and rescue" in text


def test_missing_optional_files_leave_their_figures_out_with_a_note(sample_then_local):
    project, _ = sample_then_local
    local = project / "data" / "raw" / "local"
    (local / "frontex" / "sar_disembarkations.csv").unlink()
    (local / "eulisa" / "eurodac_hits.csv").unlink()
    dvc(project, "repro")

    text = html_text(project)
    # the figures keep their place and number, their stand-ins and the sections' notes say why
    assert "Figure 2 \u2013" in text and "Figure 5 \u2013" in text
    assert "persons were disembarked in the Union" not in text  # the SAR section's prose is out
    assert ("Figure 2 is left out of this edition: its input file "
            "data/raw/local/frontex/sar_disembarkations.csv was not supplied") in text
    assert "data/raw/local/eulisa/eurodac_hits.csv was not supplied" in text
    assert "Figure 3 \u2013" in text  # the rest of the report is still there


def test_strict_stops_the_build_naming_the_missing_file(sample_then_local):
    project, _ = sample_then_local
    (project / "data" / "raw" / "local" / "frontex" / "sar_disembarkations.csv").unlink(missing_ok=True)
    set_data_param(project, "strict", True)
    bin_dir = Path(sys.executable).parent
    result = subprocess.run([str(bin_dir / "dvc"), "repro"], cwd=project, capture_output=True,
                            text=True, check=False,
                            env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"})
    assert result.returncode != 0
    assert "sar_disembarkations.csv: file not found" in result.stdout + result.stderr
