"""Benchmark the pipeline and the ingest on this machine; write docs/performance.md.

    python -m bench [--repeats 3] [--observations 5000000]

Works on fresh clones of the committed HEAD in a temporary folder (never on this working
tree's outputs), so every `dvc repro` it times is a cold one.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from bench import eurostat_scale, pipeline_runs
from bench.results import IngestRun, Measurements, render
from pipeline import atomic, paths

PERFORMANCE_DOC = paths.PROJECT_ROOT / "docs" / "performance.md"
COMMAND = "make bench"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--observations", type=int, default=5_000_000,
                        help="cells of the generated Eurostat TSV")
    parser.add_argument("--output", type=Path, default=PERFORMANCE_DOC)
    args = parser.parse_args(argv)

    measurements = Measurements(repeats=args.repeats, machine=machine(), command=COMMAND)
    with tempfile.TemporaryDirectory(prefix="eaamr-bench-") as folder:
        work = Path(folder)
        floor_notebook = pipeline_runs.write_floor_notebook(work / "floor.ipynb")
        attempt = 0
        while measurements.complete_runs < args.repeats:
            attempt += 1
            log(f"pipeline, run {measurements.complete_runs + 1} of {args.repeats}")
            try:
                measure_pipeline(measurements, work / f"run{attempt}", floor_notebook)
            except RuntimeError as error:  # e.g. a kernel losing its TCP port to another process
                measurements.discard_partial_run(str(error))
                if len(measurements.failures) > args.repeats:
                    raise
                log(f"run failed, discarded and repeated: {measurements.failures[-1]}")
        log("fresh install")
        measurements.pip_cache_bytes = pipeline_runs.pip_cache_bytes()
        measurements.sample_load()
        measurements.install = pipeline_runs.fresh_install(
            pipeline_runs.clone(work / "install"), work / "install-venv")
        log("ingest at scale")
        measure_ingest(measurements, work, args.observations)
    measurements.sample_load()
    atomic.write_text(args.output, render(measurements))
    log(f"wrote {args.output}")
    return 0


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
        measurements.notebook_stage[stage] = "pipeline.run_notebook" in commands[stage]
    measurements.complete_runs += 1


def measure_ingest(measurements: Measurements, work: Path, observations: int) -> None:
    """Generate the TSV, then time each reader in its own process, round-robin."""
    tsv = work / "migr_asyappctzm_scale.tsv.gz"
    measurements.ingest_observations = eurostat_scale.write_scale_tsv(tsv, observations)
    measurements.ingest_file_bytes = tsv.stat().st_size
    measurements.ingest_text_bytes = gunzipped_size(tsv)
    project = pipeline_runs.clone(work / "ingest")
    for _ in range(measurements.repeats):
        for reader in eurostat_scale.READERS:
            measurements.sample_load()
            measurements.ingest.setdefault(reader, []).append(read_once(project, reader, tsv))
    counts = {run.observations for reader in ("project", "pyarrow", "pandas")
              for run in measurements.ingest[reader]}
    sums = {run.value_sum for reader in ("project", "pandas")
            for run in measurements.ingest[reader]}
    if len(counts) != 1 or len(sums) != 1:
        raise RuntimeError(f"readers disagree: observations {counts}, sums of values {sums}")


def read_once(project: Path, reader: str, tsv: Path) -> IngestRun:
    result = subprocess.run(
        [str(pipeline_runs.BIN / "python"), "-m", "bench.eurostat_scale", reader, str(tsv)],
        cwd=project, env=pipeline_runs.environment(), capture_output=True, text=True, check=True)
    return IngestRun(**json.loads(result.stdout.strip().splitlines()[-1]))


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
