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


def run(notebook: Path) -> Path:
    notebook = notebook if notebook.is_absolute() else paths.PROJECT_ROOT / notebook
    executed = paths.EXECUTED_NOTEBOOKS_DIR / notebook.name
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    notebook = parser.parse_args(argv).notebook
    try:
        run(notebook)
    except PapermillExecutionError as exc:
        executed = paths.EXECUTED_NOTEBOOKS_DIR / notebook.name
        print(
            f"error: notebook {notebook} failed in cell {exc.exec_count} "
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
