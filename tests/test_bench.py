"""The benchmark's pieces at a small size, so that `make bench` cannot rot unnoticed."""

from __future__ import annotations

import ast
import gzip
import math
import shutil

import nbformat
import pytest

from bench import eurostat_scale, pipeline_runs
from bench.__main__ import measure_ingest, run_capped
from bench.eurostat_api import EurostatApi, filter_tsv
from bench.results import IngestRun, Measurements, ScaleTable, render
from pipeline.core import paths
from pipeline.core.countries import EU27
from pipeline.inputs.download.fetch import check_gzip
from pipeline.inputs.download.live import (
    eurostat_key,
    eurostat_query_url,
    eurostat_url,
    fetch_eurostat,
)
from pipeline.inputs.sources.eurostat_tsv import read_eurostat_tsv


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


def test_the_real_size_is_migr_asyappctzms():
    assert eurostat_scale.REAL_OBSERVATIONS // eurostat_scale.REAL_PERIODS == 430_080
    assert eurostat_scale.REAL_PERIODS == 220
    citizens = eurostat_scale.citizens(eurostat_scale.REAL_CITIZENS)
    assert len(set(citizens)) == 210 and "TOTAL" in citizens and citizens == sorted(citizens)


def test_the_readers_agree_on_the_generated_tsv(scale_tsv):
    path, observations = scale_tsv
    project = eurostat_scale.read_with_project(path)
    pyarrow = eurostat_scale.read_with_pyarrow(path)
    pandas = eurostat_scale.read_with_pandas(path)
    assert pyarrow[0] == observations
    assert project[:2] == pandas[:2] and project[1] > 0
    assert project[0] == 2 * len(EU27) * 24  # ASY_APP and NASY_APP of the Member States
    frame = read_eurostat_tsv(path)
    assert frame.flag.isin(["", *eurostat_scale.FLAGS]).all()
    assert 0.2 < frame.value.isna().mean() < 0.5


def test_the_server_side_filter_keeps_the_series_and_periods_asked_for(scale_tsv):
    path, _ = scale_tsv
    body = filter_tsv(path, "M..TOTAL.T+F.TOTAL.ASY_APP.DE+EL", "2009-11")
    lines = gzip.decompress(body).decode("utf-8").splitlines()
    assert lines[0].split("\t") == [
        "freq,unit,citizen,sex,age,applicant,geo\\TIME_PERIOD", "2009-11 ", "2009-12 "]
    assert [line.split("\t")[0] for line in lines[1:]] == [
        "M,PER,TOTAL,F,TOTAL,ASY_APP,DE", "M,PER,TOTAL,F,TOTAL,ASY_APP,EL",
        "M,PER,TOTAL,T,TOTAL,ASY_APP,DE", "M,PER,TOTAL,T,TOTAL,ASY_APP,EL"]
    whole = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    row = next(line for line in whole if line.startswith("M,PER,TOTAL,T,TOTAL,ASY_APP,EL\t"))
    assert lines[-1].split("\t")[1:] == row.split("\t")[-2:]
    assert filter_tsv(path, "M.PER.TOTAL.T.TOTAL.ASY_APP.XX") is None
    with pytest.raises(ValueError, match="6 positions, the table 7 dimensions"):
        filter_tsv(path, "M.PER.TOTAL.T.TOTAL.ASY_APP")


def test_the_loopback_api_serves_both_requests_to_the_download_code(scale_tsv, tmp_path):
    path, _ = scale_tsv
    raw = eurostat_scale.APPLICATIONS
    with EurostatApi({raw.dataset: path}) as api:
        query = eurostat_query_url(api.url, raw, "2009-01")
        whole = eurostat_url(api.url, raw.dataset)
        filtered = fetch_eurostat(query, whole, tmp_path / "filtered.tsv.gz", check=check_gzip)
        refused = fetch_eurostat(query.replace("/M.PER.", "/M."), whole,
                                 tmp_path / "whole.tsv.gz", check=check_gzip)
    assert filtered.provenance["request"] == "filtered"
    assert filtered.path.read_bytes() == filter_tsv(path, eurostat_key(raw), "2009-01")
    assert refused.provenance["request"] == "whole" and refused.url == whole
    assert "HTTP 400" in refused.provenance["filtered_request_refused"]
    assert refused.path.read_bytes() == path.read_bytes()


def test_a_run_above_the_memory_cap_is_stopped(scale_tsv):
    path, _ = scale_tsv
    run = run_capped("pyarrow", path, paths.PROJECT_ROOT, cap=30_000_000)
    assert run.stopped and run.peak_bytes > 30_000_000 and math.isnan(run.value_sum)


def test_the_ingest_at_scale_measures_and_renders_at_a_small_size(tmp_path):
    measurements = Measurements(repeats=1, machine="test machine",
                                command="python -m bench --only ingest", memory_cap=6 * 10**9)
    measure_ingest(measurements, tmp_path, 50_000, 10_000, project=paths.PROJECT_ROOT)
    assert set(measurements.scale.runs) == {"project", "pyarrow", "ingest"}
    assert set(measurements.slice.runs) == {"project", "pandas"}
    assert measurements.downloads["filtered"] < measurements.downloads["whole"]
    assert "startPeriod=2017-07" in measurements.download_query
    measurements.sample_load()
    page = render(measurements)
    assert "the ingest at scale only, no pipeline runs" in page and "## Stages" not in page
    assert "| ingest stage's peak memory (`pipeline.inputs.ingest.ingest()`" in page


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
    """Made-up measurements of a three-stage pipeline, one run each, and of the ingest."""
    measurements = Measurements(repeats=1, machine="test machine", command="make bench",
                                commit="abc1234", loads=[0.5, 1.5])
    stages = {"ingest": 6.0, "fig2_sar": 5.0, "report": 7.0}
    measurements.cold.append(pipeline_runs.Repro(20.0, dict(stages), 1.0))
    measurements.commands = {stage: [seconds - 0.5] for stage, seconds in stages.items()}
    measurements.notebook_stage = {"ingest": True, "fig2_sar": True, "report": False}
    measurements.floor, measurements.runner_import = [4.0], [1.0]
    measurements.noop, measurements.edited = [noop_seconds], [11.0]
    measurements.install, measurements.pip_cache_bytes = 60.0, 0
    measurements.memory_cap = 6 * 10**9
    measurements.scale = ScaleTable(94_617_600, 220, 90 * 10**6, 400 * 10**6, {
        "project": [IngestRun("project", 20.0, 11_880, 1.0, 10**6, 1.5 * 10**9)],
        "pyarrow": [IngestRun("pyarrow", 8.0, 94_617_600, math.nan, 6 * 10**8, 10**9)],
        "ingest": [IngestRun("ingest", 25.0, 20_000, 1.0, 2 * 10**6, 1.8 * 10**9)]})
    measurements.slice = ScaleTable(5_406_720, 220, 5 * 10**6, 20 * 10**6, {
        "project": [IngestRun("project", 1.0, 11_880, 1.0, 10**6, 3 * 10**8)],
        "pandas": [IngestRun("pandas", 10.0, 11_880, 1.0, 10**6, 1.6 * 10**9)]})
    measurements.downloads = {"filtered": 6_000, "whole": 90 * 10**6}
    measurements.download_query = "/sdmx/2.1/data/MIGR_ASYAPPCTZM/M.PER?startPeriod=2017-07"
    measurements.complete_runs = 1
    return measurements


def test_page_marks_each_target_and_says_what_bounds_a_missed_one():
    page = render(_measured(noop_seconds=3.0))
    assert page.startswith("# Performance\n") and "`make bench`" in page
    assert "| no-op `dvc repro` | <= 2 s | 3.00 s | **no** |" in page
    assert "| cold `dvc repro`, sample data | <= 45 s | 20.0 s | yes |" in page
    assert "1.38 = 20.0 s / (2 x 4.00 s + 6.5 s)" in page  # 2 stages besides the render
    assert ("| ingest: project reader / pyarrow CSV parse, observations/s (94.6 M cells) | >= 0.5 "
            "| 0.40 (4.7 M/s vs 11.8 M/s) | **no** |") in page
    assert ("| ingest stage's peak memory (`pipeline.inputs.ingest.ingest()`, `migr_asyappctzm` of "
            "94.6 M cells) | <= 2 GB | 1.80 GB | yes |") in page
    assert "(slice of 5.4 M cells) | >= 3 | 10.0 (5.4 M/s vs 0.5 M/s) | yes |" in page
    assert "about 28 GB for the large table in proportion" in page
    assert "6,000 bytes; the whole table 90,000,000 bytes (15,000 times as many)" in page
    bounds = page.split("## What bounds the missed targets")[1]
    assert "no-op `dvc repro`: DVC's start-up" in bounds
    assert "reaching 0.5 would mean reading it in 16.0 s" in bounds
    assert "pandas" not in bounds


def test_page_says_when_every_target_is_met():
    measurements = _measured(noop_seconds=1.0)
    measurements.scale.runs["pyarrow"][0].seconds = 30.0
    assert render(measurements).rstrip().endswith("All targets are met.")


def test_page_shows_a_reader_stopped_at_the_memory_cap():
    measurements = _measured(noop_seconds=1.0)
    measurements.scale.runs["project"] = [IngestRun("project", 41.0, 0, math.nan, 0, 6.1 * 10**9,
                                                    stopped=True)]
    page = render(measurements)
    assert "| none: the reader was stopped at the memory cap | **no** |" in page
    assert "| stopped after 41 s | - | - | over 6 GB (stopped at the cap) | - |" in page
