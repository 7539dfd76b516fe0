"""Run one notebook with Papermill as a pipeline stage.

    python -m pipeline.run_notebook notebooks/02_fig2_sar.ipynb

The notebook receives the values of params.yaml it declares in its `parameters` cell
(nested keys joined by '_': data.source -> data_source). The executed copy is written to
outputs/notebooks/, and kept when the notebook fails, for debugging.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from pipeline import paths
from pipeline.errors import ParameterError
from pipeline.params import flatten, load_params

KERNEL = "python3"


def notebook_parameters(notebook: Path) -> dict[str, object]:
    """The params.yaml values this notebook declares in its parameters cell."""
    declared = papermill.inspect_notebook(str(notebook))
    if not declared:
        raise ParameterError(f"{notebook}: no cell tagged 'parameters'")
    available = flatten(load_params())
    unknown = [name for name in declared if name not in available]
    if unknown:
        raise ParameterError(
            f"{notebook}: parameters {', '.join(unknown)} are not in {paths.PARAMS_FILE.name}"
        )
    return {name: available[name] for name in declared}


def run(notebook: Path, executed_dir: Path = paths.EXECUTED_NOTEBOOKS_DIR) -> Path:
    notebook = notebook if notebook.is_absolute() else paths.PROJECT_ROOT / notebook
    executed = executed_dir / notebook.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(notebook),
        str(executed),
        parameters=notebook_parameters(notebook),
        kernel_name=KERNEL,
        cwd=str(paths.PROJECT_ROOT),
        progress_bar=False,
        log_output=False,
    )
    return executed


def failing_cell(executed: Path) -> str:
    """'cell 3 (`raise ValueError(...)`)': the failing cell as numbered in the source notebook."""
    added_by_papermill = {"injected-parameters", "papermill-error-cell-tag"}
    cells = [
        cell for cell in nbformat.read(executed, as_version=4).cells
        if not added_by_papermill & set(cell.metadata.get("tags", []))
    ]
    for number, cell in enumerate(cells, start=1):
        if any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            return f"cell {number} (`{first_line}`)"
    return "an unknown cell"


def main(argv: list[str] | None = None, executed_dir: Path = paths.EXECUTED_NOTEBOOKS_DIR) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    notebook = parser.parse_args(argv).notebook
    try:
        run(notebook, executed_dir)
    except PapermillExecutionError as exc:
        executed = executed_dir / notebook.name
        print(
            f"error: notebook {notebook} failed in {failing_cell(executed)} "
            f"({exc.ename}: {exc.evalue}); executed copy kept at {executed}",
            file=sys.stderr,
        )
        return 1
    except ParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
