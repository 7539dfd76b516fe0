"""Faults: a process killed while writing, a notebook that raises and a `dvc repro` killed
mid-stage leave nothing that a later run would take as a valid output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from bench.projects import copy_project, dvc

DVC = str(Path(sys.executable).parent / "dvc")


def dvc_env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def test_a_write_killed_half_way_keeps_the_previous_output(tmp_path):
    target = tmp_path / "table.parquet"
    target.write_bytes(b"previous output")
    ready = tmp_path / "half_written"
    writer = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import pathlib, time
        from pipeline.core import atomic
        with atomic.atomic_path(pathlib.Path({str(target)!r})) as tmp:
            tmp.write_bytes(b"half of the new")
            pathlib.Path({str(ready)!r}).touch()
            time.sleep(60)
    """)])
    try:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists()
    finally:
        writer.kill()
        writer.wait()

    assert writer.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"previous output"
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p not in (target, ready))
    assert len(leftovers) == 1 and leftovers[0].startswith(".table.parquet.")
    assert leftovers[0].endswith(".tmp")  # hidden, never read by a stage, ignored by DVC
    assert ".*.tmp" in (Path(__file__).parents[1] / ".dvcignore").read_text().splitlines()


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Path:
    """A copy of the project where `dvc repro ingest` has run."""
    project = copy_project(tmp_path_factory.mktemp("faults") / "project")
    dvc(project, "repro", "ingest")
    return project


def stage_status(project: Path, stage: str) -> dict:
    result = subprocess.run([DVC, "status", "--json", stage], cwd=project, env=dvc_env(),
                            capture_output=True, text=True, check=True)
    return yaml.safe_load(result.stdout) or {}


@pytest.mark.e2e
def test_a_failing_notebook_stops_dvc_repro_naming_itself_and_the_cell(ingested):
    notebook_file = ingested / "notebooks" / "03_fig2_sar.ipynb"
    original = notebook_file.read_bytes()
    notebook = nbformat.read(notebook_file, as_version=4)
    notebook.cells.insert(3, nbformat.v4.new_code_cell(
        "import math\nraise RuntimeError('checks failed')"))
    nbformat.write(notebook, notebook_file)
    try:
        result = subprocess.run([DVC, "repro", "fig2_sar"], cwd=ingested, env=dvc_env(),
                                capture_output=True, text=True, check=False)
    finally:
        notebook_file.write_bytes(original)

    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "notebooks/03_fig2_sar.ipynb failed in cell 4, line 2 (`raise RuntimeError(" in output
    assert "RuntimeError: checks failed" in output
    executed = nbformat.read(ingested / "outputs" / "2025" / "notebooks" / "03_fig2_sar.failed.ipynb",
                             as_version=4)
    errors = [o for cell in executed.cells for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert [error["evalue"] for error in errors] == ["checks failed"]
    assert "fig2_sar" in stage_status(ingested, "fig2_sar")  # not recorded as done


@pytest.mark.e2e
def test_a_repro_killed_mid_stage_is_redone_by_the_next_run(ingested):
    params_file = ingested / "params.yaml"
    params = yaml.safe_load(params_file.read_text())
    params["sample"]["seed"] += 1
    params_file.write_text(yaml.safe_dump(params, sort_keys=False))
    running = ingested / "outputs" / "2025" / "notebooks" / ".01_ingest.running.ipynb"

    def notebook_started() -> bool:  # papermill writes the executed copy under this name
        return running.exists()

    repro = subprocess.Popen([DVC, "repro", "ingest"], cwd=ingested, env=dvc_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not notebook_started() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert notebook_started(), "the ingest notebook never started"
        time.sleep(0.3)
    finally:
        os.killpg(repro.pid, signal.SIGKILL)
        repro.wait()

    assert "ingest" in stage_status(ingested, "ingest")  # the killed stage is not taken as done
    assert (ingested / ".dvc" / "tmp" / "stage-outputs" / "ingest").is_dir()  # the set-aside copy
    dvc(ingested, "repro", "ingest")
    assert stage_status(ingested, "ingest") == {}
    assert not (ingested / ".dvc" / "tmp" / "stage-outputs" / "ingest").exists()
    outs = {next(iter(out)) if isinstance(out, dict) else out
            for out in yaml.safe_load((ingested / "dvc.yaml").read_text())["stages"]["ingest"]["outs"]}
    for table in (ingested / name for name in outs if name.endswith(".parquet")):
        pd.read_parquet(table)
    processed = ingested / "data" / "processed"
    others = [p.name for p in processed.iterdir()
              if f"data/processed/{p.name}" not in outs and p.name != "README.md"]
    assert all(re.fullmatch(r"\..+\.tmp", name) for name in others), others
