"""Run one notebook with Papermill as a pipeline stage.

    python -m pipeline.runner.notebook notebooks/02_fig2_sar.ipynb
    python -m pipeline.runner.notebook notebooks/12_member_state.ipynb -p member_state DE

The notebook receives the values of params.yaml it declares in its `parameters` cell
(nested keys joined by '_': data.source -> data_source). `-p NAME VALUE` sets a parameter of
the notebook that is not in params.yaml (a string: one run of a `foreach` stage, e.g. one Member
State); the executed copy is then named after the values (`12_member_state_DE.ipynb`). The
executed copy is written to outputs/<year>/notebooks/; when the notebook fails, it is kept beside it as
`<name>.failed.ipynb`, for debugging (the stage's outputs, the last good executed copy among
them, stay as they were: `pipeline.runner.stage`). Run times and absolute paths are left out of it, so
that equal inputs give an equal copy.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from pipeline.core import atomic, paths
from pipeline.core.errors import ParameterError
from pipeline.core.params import flatten, load_params

KERNEL = "python3"
# The kernel's own log stays quiet: every run ends with the kernel interrupted before shutdown,
# which it logs as an error ("KeyboardInterrupt caught in kernel") on a successful build.
# Errors of the notebook's code reach the executed copy and the stage's message as before.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
VOLATILE_RUN_KEYS = ("start_time", "end_time", "duration")
ADDED_BY_PAPERMILL = {"injected-parameters", "papermill-error-cell-tag"}  # tags of its cells
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\[\d+\], line (\d+)")


def notebook_parameters(notebook: Path, overrides: dict[str, str] | None = None
                        ) -> dict[str, object]:
    """The params.yaml values this notebook declares in its parameters cell, and `overrides`
    (parameters of the notebook given on the command line, not in params.yaml)."""
    overrides = overrides or {}
    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ParameterError(f"{notebook}: no cell tagged 'parameters'")
    undeclared = [name for name in overrides if name not in declared]
    if undeclared:
        raise ParameterError(f"{notebook}: -p {', '.join(undeclared)}: not a parameter of the "
                             "notebook")
    available = {**flatten(load_params()), **overrides}
    unknown = [name for name in declared if name not in available]
    if unknown:
        raise ParameterError(
            f"{notebook}: parameters {', '.join(unknown)} are not in {paths.PARAMS_FILE.name}"
        )
    return {name: available[name] for name in declared}


def executed_name(notebook: Path, overrides: dict[str, str] | None = None) -> str:
    """The executed copy's file name: the notebook's, with the values of `overrides`."""
    return "_".join([notebook.stem, *(overrides or {}).values()]) + notebook.suffix


def _project_relative(path: str) -> str:
    try:
        return Path(path).relative_to(paths.PROJECT_ROOT).as_posix()
    except ValueError:
        return path


def strip_run_metadata(executed: Path, output_path: Path | None = None) -> None:
    """Remove from an executed notebook what differs between two runs on the same inputs: the
    start and end times and durations papermill and the kernel record, the absolute paths (made
    relative to the project), the random ids of the cells papermill adds. Parameters, cell
    status and exceptions are kept. `output_path`: the path the copy is kept under, when it
    was executed under a temporary name."""
    notebook = nbformat.read(executed, as_version=4)
    run_record = notebook.metadata.get("papermill", {})
    for key in VOLATILE_RUN_KEYS:
        run_record.pop(key, None)
    if output_path is not None and run_record.get("output_path"):
        run_record["output_path"] = _project_relative(str(output_path))
    for key in ("input_path", "output_path"):
        if run_record.get(key):
            run_record[key] = _project_relative(run_record[key])
    for number, cell in enumerate(notebook.cells):
        for tag in ADDED_BY_PAPERMILL & set(cell.metadata.get("tags", [])):
            cell.id = f"{tag}-{number}"  # papermill gives the cells it adds a random id
        cell.metadata.pop("execution", None)
        for key in VOLATILE_RUN_KEYS:
            cell.metadata.get("papermill", {}).pop(key, None)
    atomic.write_text(executed, nbformat.writes(notebook) + "\n")


def run(notebook: Path, executed_dir: Path = paths.EXECUTED_NOTEBOOKS_DIR,
        overrides: dict[str, str] | None = None) -> Path:
    """Execute `notebook` into `executed_dir`; the executed copy replaces the last one only
    when the run succeeds, else it is kept as `failed_copy` and the error raised."""
    notebook = notebook if notebook.is_absolute() else paths.PROJECT_ROOT / notebook
    executed = executed_dir / executed_name(notebook, overrides)
    running = executed.with_name(f".{executed.stem}.running.ipynb")
    executed.parent.mkdir(parents=True, exist_ok=True)
    parameters = notebook_parameters(notebook, overrides)
    try:
        papermill.execute_notebook(
            str(notebook),
            str(running),
            parameters=parameters,
            kernel_name=KERNEL,
            cwd=str(paths.PROJECT_ROOT),
            progress_bar=False,
            log_output=False,
            extra_arguments=KERNEL_ARGUMENTS,
        )
    except BaseException:
        if running.is_file():
            strip_run_metadata(running, failed_copy(executed))
            os.replace(running, failed_copy(executed))
        raise
    strip_run_metadata(running, executed)
    os.replace(running, executed)
    failed_copy(executed).unlink(missing_ok=True)  # an earlier failure's copy, now out of date
    return executed


def failing_cell(executed: Path) -> str:
    """'cell 3, line 2 (`raise ValueError(...)`)': the failing cell as numbered in the source
    notebook, and the line of that cell where the error was raised."""
    cells = [
        cell for cell in nbformat.read(executed, as_version=4).cells
        if not ADDED_BY_PAPERMILL & set(cell.metadata.get("tags", []))
    ]
    for number, cell in enumerate(cells, start=1):
        errors = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
        if errors:
            lines = cell.source.splitlines()
            line = _failing_line(errors[0].get("traceback", []))
            if line is None or not 1 <= line <= len(lines):
                line = next((i for i, text in enumerate(lines, start=1) if text.strip()), 1)
            text = lines[line - 1].strip() if lines else ""
            return f"cell {number}, line {line} (`{text}`)"
    return "an unknown cell"


def _failing_line(traceback: list[str]) -> int | None:
    """The cell's own line in an IPython traceback ('Cell In[4], line 2'), if shown."""
    plain = _ANSI.sub("", "\n".join(traceback))
    match = _CELL_LINE.search(plain)
    return int(match.group(1)) if match else None


def main(argv: list[str] | None = None, executed_dir: Path = paths.EXECUTED_NOTEBOOKS_DIR) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                        metavar=("NAME", "VALUE"), help="a notebook parameter not in params.yaml")
    args = parser.parse_args(argv)
    notebook, overrides = args.notebook, dict(args.parameter)
    failed = failed_copy(executed_dir / executed_name(notebook, overrides))
    try:
        run(notebook, executed_dir, overrides)
    except PapermillExecutionError as exc:
        print(
            f"error: notebook {notebook} failed in {failing_cell(failed)} "
            f"({exc.ename}: {exc.evalue}); executed copy kept at {paths.display_path(failed)}",
            file=sys.stderr,
        )
        return 1
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def failed_copy(executed: Path) -> Path:
    """Where the executed copy of a notebook that failed is kept: `<name>.failed.ipynb`."""
    return executed.with_name(f"{executed.stem}.failed.ipynb")


if __name__ == "__main__":
    sys.exit(main())
