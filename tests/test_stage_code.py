"""Every stage declares the code it runs, so that an edit to a module re-runs each stage using it."""

from __future__ import annotations

import json
import textwrap

import yaml

from pipeline.runner import stage_code


def test_every_stage_declares_exactly_the_project_code_it_runs():
    problems = stage_code.code_deps_problems()
    assert problems == {}, "run `python -m pipeline.runner.stage_code --write`; " + "; ".join(
        f"{stage}: {kind} {', '.join(files)}" for stage, found in problems.items()
        for kind, files in found.items() if files)


def write(root, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


def small_project(tmp_path, deps: list[str]):
    write(tmp_path, "pipeline/__init__.py", "")
    write(tmp_path, "pipeline/publication/figures/__init__.py", "")
    write(tmp_path, "pipeline/publication/figures/bars.py", "from . import style\n")
    write(tmp_path, "pipeline/publication/figures/style.py", "import numpy\n")
    write(tmp_path, "pipeline/load.py", """\
        def table():
            from pipeline.publication.figures import bars  # a lazy import counts too
            return bars
        """)
    write(tmp_path, "pipeline/run.py", "import sys\n")
    notebook = {"cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "outputs": [],
                           "execution_count": None,
                           "source": "from pipeline import load\nload.table()"}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    write(tmp_path, "notebooks/fig.ipynb", json.dumps(notebook))
    write(tmp_path, "dvc.yaml", yaml.safe_dump({"stages": {"fig": {
        "cmd": "python -m pipeline.run notebooks/fig.ipynb", "deps": deps, "outs": []}}}))
    return tmp_path / "dvc.yaml"


def test_a_planted_undeclared_import_is_named_with_its_stage(tmp_path):
    pipeline_file = small_project(tmp_path, ["notebooks/fig.ipynb", "pipeline/load.py",
                                             "pipeline/run.py", "pipeline/__init__.py"])
    assert stage_code.missing_code_deps(pipeline_file) == {"fig": [
        "pipeline/publication/figures/__init__.py", "pipeline/publication/figures/bars.py",
        "pipeline/publication/figures/style.py"]}


def test_a_module_no_longer_run_or_gone_is_named_as_stale(tmp_path):
    pipeline_file = small_project(tmp_path, [
        "notebooks/fig.ipynb", "pipeline", "pipeline/run.py", "pipeline/moved.py",
        "pipeline/publication/figures/style.py"])
    (tmp_path / "pipeline/publication/figures/bars.py").write_text("import numpy\n")
    assert stage_code.code_deps_problems(pipeline_file) == {
        "fig": {"missing": [], "stale": ["pipeline/moved.py", "pipeline/publication/figures/style.py"]}}


def test_a_folder_in_deps_declares_every_file_in_it(tmp_path):
    pipeline_file = small_project(tmp_path, ["notebooks/fig.ipynb", "pipeline"])
    assert stage_code.missing_code_deps(pipeline_file) == {}


def test_write_adds_the_missing_files_drops_the_stale_and_keeps_the_comments(tmp_path):
    pipeline_file = small_project(tmp_path, ["notebooks/fig.ipynb", "pipeline/moved.py"])
    pipeline_file.write_text("# the pipeline\n" + pipeline_file.read_text())
    changed = stage_code.write_code_deps(pipeline_file)
    assert "pipeline/publication/figures/style.py" in changed["fig"]["missing"]
    assert changed["fig"]["stale"] == ["pipeline/moved.py"]
    assert stage_code.code_deps_problems(pipeline_file) == {}
    assert pipeline_file.read_text().startswith("# the pipeline\n")
