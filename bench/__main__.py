"""Benchmark the pipeline and the ingest on this machine; write docs/performance.md.

    python -m bench [--repeats 3] [--only ingest] [--observations N] [--slice-observations N]

Works on fresh clones of the committed HEAD in a temporary folder (never on this working
tree's outputs), so every `dvc repro` it times is a cold one. `--only ingest` measures the
ingest at scale alone (a real-size `migr_asyappctzm` by default).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from bench import eurostat_scale, pipeline_runs
from bench.eurostat_api import EurostatApi
from bench.results import IngestRun, Measurements, ScaleTable, render
from pipeline.core import atomic, paths
from pipeline.core.params import load_params
from pipeline.inputs.download.fetch import check_gzip, fetch
from pipeline.inputs.download.live import (
    eurostat_query_url,
    eurostat_url,
    fetch_eurostat,
    start_periods,
)

PERFORMANCE_DOC = paths.PROJECT_ROOT / "docs" / "performance.md"
COMMAND = "make bench"
SLICE_OBSERVATIONS = 5_000_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--only", choices=["ingest"], help="measure the ingest at scale alone")
    parser.add_argument("--observations", type=int, default=eurostat_scale.REAL_OBSERVATIONS,
                        help="cells of the generated Eurostat TSV (default: real size)")
    parser.add_argument("--slice-observations", type=int, default=SLICE_OBSERVATIONS,
                        help="cells of the smaller table pandas reads")
    parser.add_argument("--memory-cap-gb", type=float, default=6.0,
                        help="stop a measured process whose resident memory passes this")
    parser.add_argument("--output", type=Path, default=PERFORMANCE_DOC)
    args = parser.parse_args(argv)

    command = COMMAND if args.only is None else \
        f"python -m bench --only {args.only} --repeats {args.repeats}"
    measurements = Measurements(repeats=args.repeats, machine=machine(), command=command,
                                memory_cap=int(args.memory_cap_gb * 1e9))
    with tempfile.TemporaryDirectory(prefix="eaamr-bench-") as folder:
        work = Path(folder)
        if args.only is None:
            measure_pipeline_and_install(measurements, work)
        log("ingest at scale")
        measure_ingest(measurements, work, args.observations, args.slice_observations)
    measurements.sample_load()
    atomic.write_text(args.output, render(measurements))
    log(f"wrote {args.output}")
    return 0


def measure_pipeline_and_install(measurements: Measurements, work: Path) -> None:
    """The pipeline runs, repeated until `repeats` are complete, then a fresh install."""
    floor_notebook = pipeline_runs.write_floor_notebook(work / "floor.ipynb")
    attempt = 0
    while measurements.complete_runs < measurements.repeats:
        attempt += 1
        log(f"pipeline, run {measurements.complete_runs + 1} of {measurements.repeats}")
        try:
            measure_pipeline(measurements, work / f"run{attempt}", floor_notebook)
        except RuntimeError as error:  # e.g. a kernel losing its TCP port to another process
            measurements.discard_partial_run(str(error))
            if len(measurements.failures) > measurements.repeats:
                raise
            log(f"run failed, discarded and repeated: {measurements.failures[-1]}")
    log("fresh install")
    measurements.pip_cache_bytes = pipeline_runs.pip_cache_bytes()
    measurements.sample_load()
    measurements.install = pipeline_runs.fresh_install(
        pipeline_runs.clone(work / "install"), work / "install-venv")


def measure_pipeline(measurements: Measurements, folder: Path, floor_notebook: Path) -> None:
    """Cold, no-op and edited `dvc repro` in one clone; each command alone in another."""
    project = pipeline_runs.clone(folder / "repro")
    measurements.commit = pipeline_runs.commit_of(project)
    measurements.sample_load()
    cold = pipeline_runs.dvc_repro(project)
    measurements.cold.append(cold)
    noop = pipeline_runs.dvc_repro(project)
    if noop.stages:
        raise RuntimeError(f"no-op dvc repro ran {list(noop.stages)}")
    measurements.noop.append(noop.seconds)

    before = pipeline_runs.report_files(project)
    pipeline_runs.edit_figure_notebook(project)
    edited = pipeline_runs.dvc_repro(project)
    after = pipeline_runs.report_files(project)
    expected = [pipeline_runs.EDITED_STAGE, pipeline_runs.REPORT_STAGE]
    if list(edited.stages) != expected or len(after) < 2 or any(
            after[name] <= before.get(name, 0) for name in after):
        raise RuntimeError(f"editing {pipeline_runs.EDITED_NOTEBOOK} ran {list(edited.stages)}, "
                           f"expected {expected} and a new HTML and PDF")
    measurements.edited.append(edited.seconds)

    commands = pipeline_runs.stage_commands(project)
    alone = pipeline_runs.clone(folder / "alone")
    measurements.sample_load()
    measurements.floor.append(pipeline_runs.floor(alone, floor_notebook))
    measurements.runner_import.append(pipeline_runs.runner_import(alone))
    for stage in cold.stages:
        measurements.commands.setdefault(stage, []).append(
            pipeline_runs.timed(commands[stage], alone))
        measurements.notebook_stage[stage] = "pipeline.runner.notebook" in commands[stage]
    measurements.complete_runs += 1


def measure_ingest(measurements: Measurements, work: Path, observations: int,
                   slice_observations: int, project: Path | None = None) -> None:
    """Generate the real-size table into a copy of the sample and a slice of it for pandas;
    time each reader, and the ingest stage, in its own process in `project` (default: a fresh
    clone), round-robin; then download the table both ways from a loopback server."""
    project = project or pipeline_runs.clone(work / "ingest")
    measurements.commit = measurements.commit or pipeline_runs.commit_of(project)
    raw_root = work / "raw"
    pipeline_runs.timed([str(pipeline_runs.BIN / "python"), "-m", "pipeline.inputs.sample",
                         "--out", str(raw_root / "sample")], project)
    tsv = raw_root / "sample" / eurostat_scale.APPLICATIONS.filename
    real = measurements.scale = scale_table(tsv, observations)
    part = measurements.slice = scale_table(work / "slice.tsv.gz", slice_observations)
    runs = ((real, "project", tsv), (real, "pyarrow", tsv), (real, "ingest", raw_root),
            (part, "project", work / "slice.tsv.gz"), (part, "pandas", work / "slice.tsv.gz"))
    for repeat in range(measurements.repeats):
        for table, reader, path in runs:
            log(f"{reader} on {table.observations:,} cells, run {repeat + 1}")
            measurements.sample_load()
            table.runs.setdefault(reader, []).append(
                run_capped(reader, path, project, measurements.memory_cap))
    check_agreement(real, part)
    measure_downloads(measurements, tsv, work / "downloads")


def scale_table(path: Path, observations: int) -> ScaleTable:
    cells = eurostat_scale.write_scale_tsv(path, observations)
    return ScaleTable(cells, eurostat_scale.REAL_PERIODS, path.stat().st_size,
                      gunzipped_size(path))


def check_agreement(real: ScaleTable, part: ScaleTable) -> None:
    """pyarrow parsed every cell; on the slice the project and pandas keep the same rows; at
    real size the project keeps as many (the same series and periods)."""
    parsed = {run.observations for run in real.runs["pyarrow"]}
    on_slice = {(run.observations, run.value_sum) for reader in ("project", "pandas")
                for run in part.runs[reader]}
    kept = {run.observations for run in real.runs["project"] if not run.stopped}
    if parsed != {real.observations} or len(on_slice) != 1 or not kept <= {
            observations for observations, _ in on_slice}:
        raise RuntimeError(f"readers disagree: pyarrow parsed {parsed} of {real.observations} "
                           f"cells; on the slice (observations, sum) {on_slice}; the project "
                           f"kept {kept} at real size")


def run_capped(reader: str, path: Path, project: Path, cap: int) -> IngestRun:
    """One run of `python -m bench.eurostat_scale READER PATH`, stopped if its resident memory
    passes `cap` bytes (so that a reader holding the whole table cannot exhaust the machine)."""
    command = [str(pipeline_runs.BIN / "python"), "-m", "bench.eurostat_scale", reader, str(path)]
    started, peak = time.perf_counter(), 0
    with tempfile.TemporaryFile("w+") as output:
        process = subprocess.Popen(command, cwd=project, env=pipeline_runs.environment(),
                                   stdout=output, stderr=subprocess.STDOUT, text=True)
        while process.poll() is None:
            peak = max(peak, resident_bytes(process.pid))
            if peak > cap:
                process.kill()
                process.wait()
                return IngestRun(reader, time.perf_counter() - started, 0, math.nan, 0, peak,
                                 stopped=True)
            time.sleep(0.05)
        output.seek(0)
        text = output.read()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{text}")
    return IngestRun(**json.loads(text.strip().splitlines()[-1]))


def resident_bytes(pid: int) -> int:
    """The process's resident memory now (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) * 1024 for line in status.splitlines()
                 if line.startswith("VmRSS:")), 0)


def measure_downloads(measurements: Measurements, tsv: Path, folder: Path) -> None:
    """The applications table fetched by the project's download code from a loopback server,
    filtered (the edition of params.yaml) and whole; bytes of each."""
    raw = eurostat_scale.APPLICATIONS
    start = start_periods(load_params(paths.PARAMS_FILE).year)[raw.frequency]
    with EurostatApi({raw.dataset: tsv}) as api:
        query = eurostat_query_url(api.url, raw, start)
        whole = eurostat_url(api.url, raw.dataset)
        # Checked as complete gzip files only: the download stage's check also parses the table,
        # which at real size would measure the reader a second time.
        filtered = fetch_eurostat(query, whole, folder / "filtered.tsv.gz", check=check_gzip)
        entire = fetch(whole, folder / "whole.tsv.gz", check=check_gzip)
    if filtered.provenance["request"] != "filtered":
        raise RuntimeError(f"the filtered query was refused: {filtered.provenance}")
    measurements.download_query = query.removeprefix(api.url)
    measurements.downloads = {"filtered": filtered.provenance["bytes"],
                              "whole": entire.provenance["bytes"]}


def gunzipped_size(path: Path) -> int:
    with gzip.open(path, "rb") as stream:
        return sum(len(block) for block in iter(lambda: stream.read(1 << 20), b""))


def machine() -> str:
    """CPU model, cores, memory, OS and the versions that matter, as one line."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory_kb = next(int(line.split()[1]) for line in
                     Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    versions = ", ".join(f"{name} {version(name)}" for name in
                         ("pandas", "pyarrow", "numpy", "papermill", "ipykernel", "dvc"))
    return (f"{cpu}, {os.cpu_count()} cores, {memory_kb / 2**20:.0f} GiB memory; "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}; "
            f"{versions}")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
