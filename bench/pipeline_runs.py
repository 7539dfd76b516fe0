"""Timed runs of the pipeline in a fresh clone: `dvc repro` cold, no-op and after an edit,
each stage's command alone, the Papermill floor, and a fresh install."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from pipeline.core import paths

BIN = Path(sys.executable).parent
EDITED_NOTEBOOK = Path("notebooks/03_fig2_sar.ipynb")
EDITED_STAGE = "fig2_sar"
REPORT_STAGE = "report"
REPORT_DIR = paths.REPORT_DIR.relative_to(paths.PROJECT_ROOT)
_RUNNING_STAGE = re.compile(r"^Running stage '(?P<name>[^']+)'")
_SAVE_FIGURE = re.compile(r"^(?P<indent>[ \t]*)\w+ = save_figure\(", re.MULTILINE)


@dataclass
class Repro:
    """One `dvc repro`: its wall time and, per stage it ran, the time from DVC announcing the
    stage to announcing the next one (or exiting): the command plus DVC's bookkeeping."""

    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    before_first_stage: float = 0.0


def environment() -> dict[str, str]:
    """The caller's environment with this venv first on PATH and unbuffered Python output."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "PYTHONUNBUFFERED": "1"}


def clone(target: Path) -> Path:
    """A clean clone of the project's committed HEAD (no outputs, no processed data)."""
    subprocess.run(["git", "clone", "--quiet", str(paths.PROJECT_ROOT), str(target)], check=True)
    return target


def commit_of(project: Path) -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=project, check=True,
                          capture_output=True, text=True).stdout.strip()


def timed(command: list[str] | str, cwd: Path) -> float:
    """Run a command (a list, or a shell line), fail loudly on error, return its wall time."""
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=environment(), shell=isinstance(command, str),
                            capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed in {cwd}:\n{result.stdout}\n{result.stderr}")
    return seconds


def dvc_repro(project: Path) -> Repro:
    """Run `dvc repro`, timing each stage from DVC's 'Running stage' lines as they arrive."""
    started = time.perf_counter()
    process = subprocess.Popen([str(BIN / "dvc"), "repro"], cwd=project, env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output, marks = [], []
    for line in process.stdout:
        output.append(line)
        match = _RUNNING_STAGE.match(line)
        if match:
            marks.append((match["name"], time.perf_counter() - started))
    process.wait()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"dvc repro failed in {project}:\n{''.join(output)}")
    return stage_times(marks, seconds)


def stage_times(marks: list[tuple[str, float]], seconds: float) -> Repro:
    """Stage durations from (stage, seconds since start) marks and the total wall time."""
    ends = [at for _, at in marks[1:]] + [seconds]
    stages = {name: end - at for (name, at), end in zip(marks, ends)}
    return Repro(seconds, stages, marks[0][1] if marks else seconds)


def stage_commands(project: Path) -> dict[str, str]:
    """Each stage's resolved command, from the dvc.lock a repro wrote."""
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))
    return {name: stage["cmd"] for name, stage in lock["stages"].items()}


def edit_figure_notebook(project: Path) -> None:
    """An analyst's edit that changes the figure: a title added just before it is saved."""
    path = project / EDITED_NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        edited = _SAVE_FIGURE.sub(r'\g<indent>figure.suptitle("Edited")\n\g<0>', cell.source,
                                  count=1)
        if edited != cell.source:
            cell.source = edited
            nbformat.write(notebook, path)
            return
    raise RuntimeError(f"{path}: no line `... = save_figure(` to edit before")


def report_files(project: Path) -> dict[str, int]:
    """The rendered HTML and PDF with their modification times (ns)."""
    files = sorted((project / REPORT_DIR).glob("*.html")) + sorted(
        (project / REPORT_DIR).glob("*.pdf"))
    return {file.name: file.stat().st_mtime_ns for file in files}


def write_floor_notebook(path: Path) -> Path:
    """A notebook with nothing but a parameters cell: what every notebook stage pays."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("year = 2025")
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


def floor(project: Path, notebook: Path) -> float:
    """One stage's floor: the project's runner executing an empty notebook."""
    return timed([str(BIN / "python"), "-m", "pipeline.runner.notebook", str(notebook)], project)


def runner_import(project: Path) -> float:
    """Interpreter start and importing the runner (papermill, nbformat), no kernel."""
    return timed([str(BIN / "python"), "-c", "import pipeline.runner.notebook"], project)


def fresh_install(project: Path, venv: Path) -> float:
    """A new venv and `pip install -e .[test]` of the project, as `make install` does."""
    base_python = getattr(sys, "_base_executable", sys.executable)
    started = time.perf_counter()
    subprocess.run([base_python, "-m", "venv", str(venv)], check=True)
    install = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                              "-e", f"{project}[test]"], cwd=project, capture_output=True,
                             text=True, check=False)
    if install.returncode != 0:
        raise RuntimeError(f"pip install failed:\n{install.stdout}\n{install.stderr}")
    return time.perf_counter() - started


def pip_cache_bytes() -> int:
    """Size of pip's download and wheel cache (0 when empty): a warm cache shortens installs."""
    result = subprocess.run([str(BIN / "python"), "-m", "pip", "cache", "dir"],
                            capture_output=True, text=True, check=False)
    folder = Path(result.stdout.strip())
    if result.returncode != 0 or not folder.is_dir():
        return 0
    return sum(file.stat().st_size for file in folder.rglob("*") if file.is_file())


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
