"""The benchmark's measurements and the Markdown page they are written as."""

from __future__ import annotations

import math
import os
import statistics
import time
from dataclasses import dataclass, field

from bench.eurostat_scale import REAL_OBSERVATIONS
from bench.pipeline_runs import EDITED_NOTEBOOK, EDITED_STAGE, REPORT_STAGE, Repro

MB = 1_000_000


@dataclass
class IngestRun:
    """One reader's run in its own process (see `bench.eurostat_scale.main`); a run stopped at
    the memory cap has its time and resident size when it was stopped, and no result."""

    reader: str
    seconds: float
    observations: int
    value_sum: float
    result_bytes: int
    peak_bytes: int
    stopped: bool = False


@dataclass
class ScaleTable:
    """A generated `migr_asyappctzm`-shaped table and the runs on it, by reader."""

    observations: int
    periods: int
    file_bytes: int
    text_bytes: int
    runs: dict[str, list[IngestRun]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.observations / 1e6:.1f} M cells"

    def seconds(self, reader: str) -> float:
        return median(run.seconds for run in self.runs[reader])

    def throughput(self, reader: str) -> float:
        """Cells of the table per second, from the median time."""
        return self.observations / self.seconds(reader)

    def peak(self, reader: str) -> int:
        return max(run.peak_bytes for run in self.runs[reader])

    def stopped(self, reader: str) -> bool:
        return any(run.stopped for run in self.runs[reader])


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
    scale: ScaleTable | None = None  # real size: the project reader, pyarrow, the ingest stage
    slice: ScaleTable | None = None  # a slice small enough for pandas, and the project reader
    memory_cap: int = 0  # bytes; a run above it is stopped
    downloads: dict[str, int] = field(default_factory=dict)  # 'filtered' / 'whole' -> bytes
    download_query: str = ""  # path and query of the filtered request
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

    @property
    def pipeline_measured(self) -> bool:
        return bool(self.cold)


def median(values) -> float:
    return statistics.median(list(values))


def render(m: Measurements) -> str:
    """The whole page: command, machine, targets table, stages, ingest, what bounds a miss."""
    rows = [*(pipeline_rows(m) if m.pipeline_measured else []), *ingest_rows(m)]
    written = (f"Written by `{m.command}` (`python -m bench --repeats {m.repeats}`)"
               if m.pipeline_measured else
               f"Written by `{m.command}`: the ingest at scale only, no pipeline runs (`make "
               f"bench` measures both)")
    lines = [
        "# Performance",
        "",
        f"{written}; do not edit by hand.",
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
        *(stage_section(m) if m.pipeline_measured else []),
        *ingest_section(m),
        *bounds_section(rows),
    ]
    return "\n".join(lines) + "\n"


def pipeline_rows(m: Measurements) -> list[tuple[str, str, str, str, str]]:
    """(measurement, target, measured, met, what bounds it) for the pipeline runs."""
    cold, floor, render_s = m.cold_seconds(), m.floor_seconds(), m.render_seconds()
    n_stages = len(m.built_stages())
    ratio = cold / m.budget()
    slowest = sorted(m.built_stages(), key=lambda stage: m.alone(stage) - floor, reverse=True)
    above_floor = ", ".join(f"{stage} {m.alone(stage) - floor:.1f} s" for stage in slowest[:3])
    build_bound = (
        f"{n_stages} stages x floor {floor:.1f} s = {n_stages * floor:.1f} s and the render "
        f"{render_s:.1f} s; work above the floor in the slowest stages: {above_floor}; "
        f"DVC's own overhead {m.dvc_overhead():.1f} s")
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
        ("fresh install: new venv + `pip install -e .[test]`", "none",
         f"{m.install:.0f} s (pip's cache held {m.pip_cache_bytes / MB:.0f} MB before)", "-", ""),
    ]


def ingest_rows(m: Measurements) -> list[tuple[str, str, str, str, str]]:
    """The ingest targets: the stage's peak memory at real size, the reader's throughput
    against pyarrow's parse (real size) and against pandas (on the slice)."""
    real, part = m.scale, m.slice
    text_mb = real.text_bytes / MB
    reader = (f"the applications reader alone peaks at {peak_text(real, 'project', m)} on the "
              f"table of {real.label} ({text_mb:.0f} MB of text)")
    stage = (f"ingest stage's peak memory (`pipeline.inputs.ingest.ingest()`, `migr_asyappctzm` of "
             f"{real.label})")
    rows = [(stage, "<= 2 GB", peak_text(real, "ingest", m),
             met(not real.stopped("ingest") and real.peak("ingest") <= 2e9), reader)]
    versus_pyarrow = f"ingest: project reader / pyarrow CSV parse, observations/s ({real.label})"
    if real.stopped("project"):
        rows.append((versus_pyarrow, ">= 0.5", "none: the reader was stopped at the memory cap",
                     met(False), reader))
    else:
        project, pyarrow = real.throughput("project"), real.throughput("pyarrow")
        project_s, pyarrow_s = real.seconds("project"), real.seconds("pyarrow")
        rows.append((
            versus_pyarrow, ">= 0.5",
            f"{project / pyarrow:.2f} ({project / 1e6:.1f} M/s vs {pyarrow / 1e6:.1f} M/s)",
            met(project / pyarrow >= 0.5),
            (f"the reader goes through the {text_mb:.0f} MB of text in {project_s:.1f} s "
             f"({text_mb / project_s:.0f} MB/s), pyarrow's parse in {pyarrow_s:.1f} s "
             f"({text_mb / pyarrow_s:.0f} MB/s); reaching 0.5 would mean reading it in "
             f"{2 * pyarrow_s:.1f} s")))
    project, pandas = part.throughput("project"), part.throughput("pandas")
    versus_pandas = (f"ingest: project reader / pandas `read_csv` + `melt`, observations/s "
                     f"(slice of {part.label})")
    rows.append((versus_pandas, ">= 3",
                 f"{project / pandas:.1f} ({project / 1e6:.1f} M/s vs {pandas / 1e6:.1f} M/s)",
                 met(project / pandas >= 3), "see the ingest table"))
    return rows


def peak_text(table: ScaleTable, reader: str, m: Measurements) -> str:
    if table.stopped(reader):
        return f"over {m.memory_cap / 1e9:.0f} GB (stopped at the cap)"
    return f"{table.peak(reader) / 1e9:.2f} GB"


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
        (f"Floor: the project's runner (`python -m pipeline.runner.notebook`) executing a notebook "
        f"with nothing but a parameters cell: {floor:.2f} s, of which starting Python and "
        f"importing the runner (papermill, nbformat): {median(m.runner_import):.2f} s; the rest "
        f"is the Jupyter kernel's start, the execution and writing the executed copy."),
        "",
    ]


def ingest_section(m: Measurements) -> list[str]:
    real, part = m.scale, m.slice
    runs = (("project (`read_eurostat_input`, the applications contract)", real, "project"),
            ("pyarrow CSV parse alone (string columns, no reshaping)", real, "pyarrow"),
            ("ingest stage (`ingest()`: this table and the sample's other inputs)", real,
             "ingest"),
            ("project (`read_eurostat_input`, the applications contract)", part, "project"),
            ("pandas `read_csv` + `melt`, then the same selection", part, "pandas"))
    rows = [ingest_row(name, table, reader, m) for name, table, reader in runs]
    pandas_gb = part.peak("pandas") / 1e9
    size = ("at its real size" if real.observations >= REAL_OBSERVATIONS else
            f"smaller than the real {REAL_OBSERVATIONS:,} cells")
    whole, filtered = m.downloads["whole"], m.downloads["filtered"]
    return [
        "## Ingest at scale",
        "",
        (f"A generated Eurostat whole-table TSV in the real layout of `migr_asyappctzm`, "
         f"{size} (its dimensions; {real.observations // real.periods:,} series x "
         f"{real.periods} months; `value flags` cells, `:` not available, flags p/e/b/c/bp): "
         f"{real.observations:,} observations, {real.file_bytes / MB:.1f} MB gzip, "
         f"{real.text_bytes / MB:.0f} MB of text; and a slice of it for pandas (fewer "
         f"citizenships): {part.observations:,} observations, {part.text_bytes / MB:.1f} MB of "
         f"text. Each run is its own process in a fresh clone; the time excludes starting "
         f"Python and imports; peak memory is the process's maximum resident size (`ru_maxrss`, "
         f"including the interpreter and libraries); a process above {m.memory_cap / 1e9:.0f} "
         f"GB is stopped. Observations/s are the table's cells over the time."),
        "",
        "| run | table | time | observations/s | text MB/s | peak memory | result |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        (f"pandas is not run on the large table: it peaked at {pandas_gb:.2f} GB on the slice, "
         f"about {pandas_gb * real.observations / part.observations:.0f} GB for the large table "
         f"in proportion."),
        "",
        (f"Downloaded by the project's download code (`pipeline.inputs.download.live.fetch_eurostat`, "
         f"and `fetch` for the whole table) from a stand-in for the Eurostat API on 127.0.0.1 "
         f"(`bench/eurostat_api.py`) serving that table: the filtered query "
         f"`{m.download_query}` {filtered:,} bytes; the whole table {whole:,} bytes "
         f"({whole / filtered:,.0f} times as many)."),
        "",
    ]


def ingest_row(name: str, table: ScaleTable, reader: str, m: Measurements) -> str:
    size = table.label
    if table.stopped(reader):
        return (f"| {name} | {size} | stopped after {table.seconds(reader):.0f} s | - | - "
                f"| {peak_text(table, reader, m)} | - |")
    seconds = table.seconds(reader)
    return (f"| {name} | {size} | {seconds:.2f} s | {table.throughput(reader) / 1e6:.2f} M/s "
            f"| {table.text_bytes / MB / seconds:.0f} MB/s | {table.peak(reader) / 1e9:.2f} GB "
            f"| {table.runs[reader][0].result_bytes / MB:.1f} MB |")


def bounds_section(rows) -> list[str]:
    missed = [(what, bound) for what, _, _, result, bound in rows if result.startswith("**no")]
    if not missed:
        return ["All targets are met."]
    return ["## What bounds the missed targets", "",
            *(f"- {what}: {bound}." for what, bound in missed)]
