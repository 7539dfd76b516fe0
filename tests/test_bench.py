"""The benchmark's pieces at a small size, so that `make bench` cannot rot unnoticed."""

from __future__ import annotations

import ast
import gzip
import shutil

import nbformat
import pytest

from bench import eurostat_scale, pipeline_runs
from bench.results import IngestRun, Measurements, render
from pipeline import paths
from pipeline.sources.eurostat_tsv import read_eurostat_tsv


@pytest.fixture(scope="module")
def scale_tsv(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "scale.tsv.gz"
    return path, eurostat_scale.write_scale_tsv(path, observations=5_000, n_periods=24)


def test_generated_tsv_has_eurostats_layout(scale_tsv):
    path, observations = scale_tsv
    assert observations >= 5_000 and observations % 24 == 0
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    header = lines[0].split("\t")
    assert header[0] == "freq,unit,citizen,sex,age,applicant,geo\\TIME_PERIOD"
    assert header[1:3] == ["2008-01 ", "2008-02 "] and header[-1] == "2009-12 "
    assert len(lines) == 1 + observations // 24
    cells = [cell for line in lines[1:] for cell in line.split("\t")[1:]]
    assert ": " in cells and any(cell.startswith(": ") and len(cell) > 2 for cell in cells)
    assert any(cell.endswith(" p") for cell in cells) and any(cell.endswith(" ") for cell in cells)


def test_the_three_readers_agree_on_the_generated_tsv(scale_tsv):
    path, observations = scale_tsv
    project = eurostat_scale.read_with_project(path)
    pyarrow = eurostat_scale.read_with_pyarrow(path)
    pandas = eurostat_scale.read_with_pandas(path)
    assert project[0] == pyarrow[0] == pandas[0] == observations
    assert project[1] == pandas[1] > 0
    frame = read_eurostat_tsv(path)
    assert frame.flag.isin(["", *eurostat_scale.FLAGS]).all()
    assert 0.2 < frame.value.isna().mean() < 0.5


def test_stage_times_run_from_one_announcement_to_the_next():
    repro = pipeline_runs.stage_times([("ingest", 1.0), ("fig2_sar", 4.0), ("report", 6.5)], 9.0)
    assert repro.stages == {"ingest": 3.0, "fig2_sar": 2.5, "report": 2.5}
    assert repro.before_first_stage == 1.0
    assert pipeline_runs.stage_times([], 0.8).stages == {}


def test_edit_changes_the_figure_notebook_before_it_is_saved(tmp_path):
    notebook = tmp_path / pipeline_runs.EDITED_NOTEBOOK
    notebook.parent.mkdir(parents=True)
    shutil.copy(paths.PROJECT_ROOT / pipeline_runs.EDITED_NOTEBOOK, notebook)
    pipeline_runs.edit_figure_notebook(tmp_path)
    sources = [cell.source for cell in nbformat.read(notebook, as_version=4).cells]
    edited = next(source for source in sources if "save_figure(" in source)
    assert edited.index('figure.suptitle("Edited")') < edited.index("save_figure(")
    ast.parse(edited)  # indented like the line it precedes


def test_floor_notebook_has_only_a_parameters_cell(tmp_path):
    notebook = nbformat.read(pipeline_runs.write_floor_notebook(tmp_path / "floor.ipynb"), 4)
    assert [cell.metadata.get("tags") for cell in notebook.cells] == [["parameters"]]


def test_a_failed_pipeline_run_leaves_only_complete_runs():
    measurements = Measurements(repeats=2, machine="", command="")
    measurements.cold.append(pipeline_runs.Repro(30.0, {"ingest": 30.0}))
    measurements.commands["ingest"] = [10.0]
    measurements.complete_runs = 1
    measurements.cold.append(pipeline_runs.Repro(31.0, {"ingest": 31.0}))
    measurements.noop.extend([0.8, 0.9])
    measurements.discard_partial_run("dvc repro failed in /tmp/x:\nlong output")
    assert [run.seconds for run in measurements.cold] == [30.0]
    assert measurements.noop == [0.8] and measurements.commands["ingest"] == [10.0]
    assert measurements.failures == ["dvc repro failed in /tmp/x:"]


def _measured(noop_seconds: float) -> Measurements:
    """Made-up measurements of a three-stage pipeline, one run each."""
    measurements = Measurements(repeats=1, machine="test machine", command="make bench",
                                commit="abc1234", loads=[0.5, 1.5])
    stages = {"ingest": 6.0, "fig2_sar": 5.0, "report": 7.0}
    measurements.cold.append(pipeline_runs.Repro(20.0, dict(stages), 1.0))
    measurements.commands = {stage: [seconds - 0.5] for stage, seconds in stages.items()}
    measurements.notebook_stage = {"ingest": True, "fig2_sar": True, "report": False}
    measurements.floor, measurements.runner_import = [4.0], [1.0]
    measurements.noop, measurements.edited = [noop_seconds], [11.0]
    measurements.install, measurements.pip_cache_bytes = 60.0, 0
    measurements.ingest_observations = 5_000_000
    measurements.ingest_file_bytes, measurements.ingest_text_bytes = 5_000_000, 20_000_000
    for reader, seconds in (("project", 1.0), ("pyarrow", 0.4), ("pandas", 10.0)):
        measurements.ingest[reader] = [IngestRun(reader, seconds, 5_000_000, 1.0, 500 * 10**6,
                                                 10**9)]
    measurements.complete_runs = 1
    return measurements


def test_page_marks_each_target_and_says_what_bounds_a_missed_one():
    page = render(_measured(noop_seconds=3.0))
    assert page.startswith("# Performance\n") and "`make bench`" in page
    assert "| no-op `dvc repro` | <= 2 s | 3.00 s | **no** |" in page
    assert "| cold `dvc repro`, sample data | <= 45 s | 20.0 s | yes |" in page
    assert "1.38 = 20.0 s / (2 x 4.00 s + 6.5 s)" in page  # 2 stages besides the render
    assert "| ingest: project reader / pyarrow CSV parse, observations/s | >= 0.5 | 0.40" in page
    bounds = page.split("## What bounds the missed targets")[1]
    assert "no-op `dvc repro`: DVC's start-up" in bounds
    assert "reaching 0.5 would mean building it in 0.80 s" in bounds
    assert "pandas" not in bounds


def test_page_says_when_every_target_is_met():
    measurements = _measured(noop_seconds=1.0)
    measurements.ingest["pyarrow"][0].seconds = 1.5
    assert render(measurements).rstrip().endswith("All targets are met.")
