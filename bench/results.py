"""The benchmark's measurements and the Markdown page they are written as."""

from __future__ import annotations

import math
import os
import statistics
import time
from dataclasses import dataclass, field

from bench.pipeline_runs import EDITED_NOTEBOOK, EDITED_STAGE, REPORT_STAGE, Repro

MB = 1_000_000


@dataclass
class IngestRun:
    """One reader's run in its own process (see `bench.eurostat_scale.main`)."""

    reader: str
    seconds: float
    observations: int
    value_sum: float
    result_bytes: int
    peak_bytes: int


@dataclass
class Measurements:
    repeats: int
    machine: str
    command: str
    commit: str = ""
    loads: list[float] = field(default_factory=list)
    cold: list[Repro] = field(default_factory=list)
    noop: list[float] = field(default_factory=list)
    edited: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    runner_import: list[float] = field(default_factory=list)
    commands: dict[str, list[float]] = field(default_factory=dict)
    notebook_stage: dict[str, bool] = field(default_factory=dict)
    install: float = math.nan
    pip_cache_bytes: int = 0
    ingest: dict[str, list[IngestRun]] = field(default_factory=dict)
    ingest_observations: int = 0
    ingest_file_bytes: int = 0
    ingest_text_bytes: int = 0
    failures: list[str] = field(default_factory=list)
    complete_runs: int = 0

    def discard_partial_run(self, error: str) -> None:
        """Forget what a failed pipeline run had measured, so that every repeat is complete."""
        self.failures.append(error.splitlines()[0])
        for series in (self.cold, self.noop, self.edited, self.floor, self.runner_import,
                       *self.commands.values()):
            del series[self.complete_runs:]

    def sample_load(self) -> None:
        """Note the 1-minute load average, so that a reader can judge the noise."""
        self.loads.append(os.getloadavg()[0])

    # Derived numbers -----------------------------------------------------------------------

    def cold_seconds(self) -> float:
        return median(run.seconds for run in self.cold)

    def stage_in_repro(self, stage: str) -> float:
        return median(run.stages[stage] for run in self.cold)

    def alone(self, stage: str) -> float:
        return median(self.commands[stage])

    def floor_seconds(self) -> float:
        return median(self.floor)

    def render_seconds(self) -> float:
        return self.alone(REPORT_STAGE)

    def built_stages(self) -> list[str]:
        return [stage for stage in self.commands if stage != REPORT_STAGE]

    def budget(self) -> float:
        """stages x floor + render: what the cold build would cost if every stage were free."""
        return len(self.built_stages()) * self.floor_seconds() + self.render_seconds()

    def dvc_overhead(self) -> float:
        return self.cold_seconds() - sum(self.alone(stage) for stage in self.commands)

    def throughput(self, reader: str) -> float:
        """Observations per second, from the median time."""
        return self.ingest_observations / median(run.seconds for run in self.ingest[reader])

    def peak(self, reader: str) -> int:
        return max(run.peak_bytes for run in self.ingest[reader])


def median(values) -> float:
    return statistics.median(list(values))


def render(m: Measurements) -> str:
    """The whole page: command, machine, targets table, stages, ingest, what bounds a miss."""
    rows = target_rows(m)
    lines = [
        "# Performance",
        "",
        f"Written by `{m.command}` (`python -m bench --repeats {m.repeats}`); do not edit by hand.",
        (f"Every number is the median of {m.repeats} runs on fresh clones of commit `{m.commit}` "
        f"in a temporary folder, measured {time.strftime('%Y-%m-%d %H:%M')}."),
        "",
        f"Machine: {m.machine}.",
        (f"Load average (1 min) sampled during the runs: {min(m.loads):.2f} to {max(m.loads):.2f} "
        f"(this machine has {os.cpu_count()} cores: above that, other work competed and the "
        "times are inflated)."),
        "",
        *failure_note(m),
        "## Targets",
        "",
        "| measurement | target | measured | met |",
        "|---|---|---|---|",
        *(f"| {what} | {target} | {measured} | {met} |" for what, target, measured, met, _ in rows),
        "",
        *stage_section(m),
        *ingest_section(m),
        *bounds_section(rows),
    ]
    return "\n".join(lines) + "\n"


def target_rows(m: Measurements) -> list[tuple[str, str, str, str, str]]:
    """(measurement, target, measured, met, what bounds it) for each row of the targets table."""
    cold, floor, render_s = m.cold_seconds(), m.floor_seconds(), m.render_seconds()
    n_stages = len(m.built_stages())
    ratio = cold / m.budget()
    slowest = sorted(m.built_stages(), key=lambda stage: m.alone(stage) - floor, reverse=True)
    above_floor = ", ".join(f"{stage} {m.alone(stage) - floor:.1f} s" for stage in slowest[:3])
    build_bound = (
        f"{n_stages} stages x floor {floor:.1f} s = {n_stages * floor:.1f} s and the render "
        f"{render_s:.1f} s; work above the floor in the slowest stages: {above_floor}; "
        f"DVC's own overhead {m.dvc_overhead():.1f} s")
    project, pyarrow, pandas = (m.throughput(reader) for reader in ("project", "pyarrow", "pandas"))
    result_mb = m.ingest["project"][0].result_bytes / MB
    parsed_mb = m.ingest["pyarrow"][0].result_bytes / MB
    pyarrow_s = median(run.seconds for run in m.ingest["pyarrow"])
    peak_gb = m.peak("project") / 1e9
    return [
        ("cold `dvc repro`, sample data", "<= 45 s", f"{cold:.1f} s", met(cold <= 45),
         build_bound),
        ("cold `dvc repro` / (stages x floor + render)", "<= 1.5",
         f"{ratio:.2f} = {cold:.1f} s / ({n_stages} x {floor:.2f} s + {render_s:.1f} s)",
         met(ratio <= 1.5), build_bound),
        ("no-op `dvc repro`", "<= 2 s", f"{median(m.noop):.2f} s", met(median(m.noop) <= 2),
         "DVC's start-up and the hashing of every stage's dependencies"),
        (f"`{EDITED_NOTEBOOK}` edited -> new HTML and PDF", "<= 12 s",
         f"{median(m.edited):.1f} s", met(median(m.edited) <= 12),
         (f"the stage's command {m.alone(EDITED_STAGE):.1f} s (floor {floor:.1f} s) + render "
         f"{render_s:.1f} s + DVC")),
        ("ingest: project reader / pyarrow CSV parse, observations/s", ">= 0.5",
         f"{project / pyarrow:.2f} ({project / 1e6:.1f} M/s vs {pyarrow / 1e6:.1f} M/s)",
         met(project / pyarrow >= 0.5),
         (f"the reader returns a tidy frame of {result_mb:.0f} MB (one row per observation, "
          f"every dimension a str column), {result_mb / parsed_mb:.0f} times the {parsed_mb:.0f} "
          f"MB of wide string columns pyarrow's parse returns; reaching 0.5 would mean building "
          f"it in {2 * pyarrow_s:.2f} s ({result_mb / (2 * pyarrow_s) / 1000:.1f} GB/s)")),
        ("ingest: project reader / pandas `read_csv` + `melt`, observations/s", ">= 3",
         f"{project / pandas:.1f} ({project / 1e6:.1f} M/s vs {pandas / 1e6:.1f} M/s)",
         met(project / pandas >= 3), "see the ingest table"),
        ("ingest: project reader's peak memory", "<= 2 GB", f"{peak_gb:.2f} GB",
         met(peak_gb <= 2), f"the {result_mb:.0f} MB result and the parsed table beside it"),
        ("fresh install: new venv + `pip install -e .[test]`", "none",
         f"{m.install:.0f} s (pip's cache held {m.pip_cache_bytes / MB:.0f} MB before)", "-", ""),
    ]


def failure_note(m: Measurements) -> list[str]:
    if not m.failures:
        return []
    return [f"{len(m.failures)} pipeline run(s) failed and were repeated (their times discarded): "
            + "; ".join(f"`{failure}`" for failure in m.failures), ""]


def met(condition: bool) -> str:
    return "yes" if condition else "**no**"


def stage_section(m: Measurements) -> list[str]:
    floor = m.floor_seconds()
    first = median(run.before_first_stage for run in m.cold)
    rows = []
    for stage in m.commands:
        above = (f"{m.alone(stage) - floor:.1f} s" if m.notebook_stage[stage] else
                 "(not a notebook)")
        rows.append(f"| {stage} | {m.stage_in_repro(stage):.1f} s | {m.alone(stage):.1f} s "
                    f"| {above} |")
    total_alone = sum(m.alone(stage) for stage in m.commands)
    return [
        "## Stages",
        "",
        ("Each stage in the cold `dvc repro` (from DVC announcing it to announcing the next: the "
        "command and DVC's bookkeeping), the same command run alone in a fresh clone, and how much "
        "of it is above the floor."),
        "",
        "| stage | in cold `dvc repro` | command alone | above the floor |",
        "|---|---|---|---|",
        f"| DVC before the first stage | {first:.1f} s | | |",
        *rows,
        f"| total | {m.cold_seconds():.1f} s | {total_alone:.1f} s | |",
        "",
        (f"DVC's own overhead in the cold build: {m.dvc_overhead():.1f} s "
        f"(cold `dvc repro` minus the commands alone)."),
        (f"Floor: the project's runner (`python -m pipeline.run_notebook`) executing a notebook "
        f"with nothing but a parameters cell: {floor:.2f} s, of which starting Python and "
        f"importing the runner (papermill, nbformat): {median(m.runner_import):.2f} s; the rest "
        f"is the Jupyter kernel's start, the execution and writing the executed copy."),
        "",
    ]


def ingest_section(m: Measurements) -> list[str]:
    names = {"project": "project (`read_eurostat_tsv`)",
             "pyarrow": "pyarrow CSV parse alone (string columns, no reshaping)",
             "pandas": "pandas `read_csv` + `melt`"}
    rows = []
    for reader, name in names.items():
        seconds = median(run.seconds for run in m.ingest[reader])
        rows.append(
            f"| {name} | {seconds:.2f} s | {m.throughput(reader) / 1e6:.2f} M/s "
            f"| {m.ingest_text_bytes / MB / seconds:.0f} MB/s | {m.peak(reader) / 1e9:.2f} GB "
            f"| {m.ingest[reader][0].result_bytes / MB:.0f} MB |")
    return [
        "## Ingest at scale",
        "",
        (f"A generated Eurostat whole-table TSV in the real layout (`migr_asyappctzm`'s "
        f"dimensions, monthly, `value flags` cells, `:` not available, flags p/e/b/c/bp): "
        f"{m.ingest_observations:,} observations, {m.ingest_file_bytes / MB:.1f} MB gzip, "
        f"{m.ingest_text_bytes / MB:.1f} MB of text. Each reader runs in its own process; the "
        "time excludes starting Python and imports; peak memory is the process's maximum "
        "resident size (`ru_maxrss`, including the interpreter and libraries)."),
        "",
        "| reader | time | observations/s | text MB/s | peak memory | result |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def bounds_section(rows) -> list[str]:
    missed = [(what, bound) for what, _, _, result, bound in rows if result.startswith("**no")]
    if not missed:
        return ["All targets are met."]
    return ["## What bounds the missed targets", "",
            *(f"- {what}: {bound}." for what, bound in missed)]
