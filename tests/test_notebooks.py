"""Notebook stages: parameters come from params.yaml, failures stop the build loudly."""


import re

import nbformat
import papermill
import pytest

from pipeline.core import paths
from pipeline.core.params import flatten, load_params
from pipeline.runner.notebook import main
from pipeline.runner.stage import pipeline_stages
from tests.helpers import make_notebook

NOTEBOOKS = sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb"))


def notebook_stage(notebook) -> dict:
    """The stage (the first entry of a foreach stage) that runs `notebook`."""
    return next(s for s in pipeline_stages().values() if f"notebooks/{notebook.name}" in s["cmd"])


def overridden(stage: dict) -> set[str]:
    """The notebook parameters a stage's command sets with `-p NAME VALUE`."""
    return set(re.findall(r"(?:^|\s)-p\s+(\w+)\s", stage["cmd"] + " "))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs(notebook):
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_parameter_is_declared_for_its_stage_in_dvc_yaml(notebook):
    stage = notebook_stage(notebook)
    declared = {name.replace(".", "_") for name in stage.get("params", [])} | overridden(stage)
    assert set(papermill.inspect_notebook(str(notebook))) == declared  # reads exactly those
    assert f"notebooks/{notebook.name}" in stage["deps"]


def test_a_notebook_receives_the_values_of_params_yaml(tmp_path):
    notebook = make_notebook(tmp_path / "echo.ipynb", "year = 1\ndata_source = 'x'",
                             "assert year > 2000, year\nassert data_source in {'sample', 'local', 'live'}")
    assert main([str(notebook)], executed_dir=tmp_path / "executed") == 0
    executed = nbformat.read(tmp_path / "executed" / "echo.ipynb", as_version=4)
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f"year = {flatten(load_params())['year']}" in injected.source


def test_a_parameter_given_with_p_reaches_the_notebook_and_names_its_copy(tmp_path):
    notebook = make_notebook(tmp_path / "fiche.ipynb", "year = 1\nmember_state = 'BE'",
                             "assert member_state == 'MT', member_state")
    assert main([str(notebook), "-p", "member_state", "MT"], executed_dir=tmp_path / "executed") == 0
    assert (tmp_path / "executed" / "fiche_MT.ipynb").is_file()
    assert main([str(notebook), "-p", "colour", "red"], executed_dir=tmp_path / "executed") == 2


def test_the_fiches_follow_the_key():
    fiches = [name.partition("@")[2] for name in pipeline_stages() if name.startswith("fiche@")]
    assert sorted(fiches) == sorted(load_params().key.member_states)


def test_a_failing_notebook_names_itself_and_the_cell_and_keeps_its_copy(tmp_path, capsys):
    notebook = make_notebook(tmp_path / "broken.ipynb", "year = 1", "x = 1", "raise ValueError('bad data')")
    assert main([str(notebook)], executed_dir=tmp_path / "executed") == 1
    message = capsys.readouterr().err
    assert "broken.ipynb" in message and "cell 3" in message and "ValueError: bad data" in message
    assert (tmp_path / "executed" / "broken.failed.ipynb").is_file()
    assert not (tmp_path / "executed" / "broken.ipynb").exists()  # no good copy was made


def test_a_failed_run_keeps_the_last_good_executed_copy(tmp_path):
    executed = tmp_path / "executed"
    notebook = make_notebook(tmp_path / "flaky.ipynb", "year = 1", "x = 1")
    assert main([str(notebook)], executed_dir=executed) == 0
    good = (executed / "flaky.ipynb").read_bytes()
    make_notebook(notebook, "year = 1", "raise ValueError('bad data')")
    assert main([str(notebook)], executed_dir=executed) == 1
    assert (executed / "flaky.ipynb").read_bytes() == good
    assert "bad data" in (executed / "flaky.failed.ipynb").read_text()
    make_notebook(notebook, "year = 1", "x = 2")
    assert main([str(notebook)], executed_dir=executed) == 0
    assert not (executed / "flaky.failed.ipynb").exists()
    assert sorted(path.name for path in executed.iterdir()) == ["flaky.ipynb"]


def test_a_parameter_missing_from_params_yaml_is_refused(tmp_path, capsys):
    notebook = make_notebook(tmp_path / "unknown.ipynb", "colour = 'red'", "print(colour)")
    assert main([str(notebook)], executed_dir=tmp_path / "executed") == 2
    assert "colour" in capsys.readouterr().err


def test_failing_cell_is_quoted_by_the_line_that_raised(tmp_path):
    from pipeline.runner.notebook import failing_cell

    cell = nbformat.v4.new_code_cell("import math\n\nvalue = math.sqrt(-1)\nprint(value)")
    cell.outputs = [nbformat.v4.new_output(
        "error", ename="ValueError", evalue="math domain error",
        traceback=["\x1b[0;31mValueError\x1b[0m Traceback",
                   "Cell \x1b[0;32mIn[7], line 3\x1b[0m\n\x1b[0;32m----> 3\x1b[0m value = ...",
                   "ValueError: math domain error"])]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), cell])
    path = tmp_path / "executed.ipynb"
    nbformat.write(notebook, path)
    assert failing_cell(path) == "cell 2, line 3 (`value = math.sqrt(-1)`)"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_a_notebook_run_by_hand_takes_the_values_of_params_yaml(notebook):
    """Run in JupyterLab (no Papermill), the parameters cell reads params.yaml, so the notebook
    computes and writes the edition that `dvc repro` would."""
    cell = next(c for c in nbformat.read(notebook, as_version=4).cells
                if "parameters" in c.metadata.get("tags", []))
    namespace: dict[str, object] = {}
    exec(compile(cell.source, str(notebook), "exec"), namespace)  # noqa: S102 - our own notebook
    expected = flatten(load_params())
    declared = set(papermill.inspect_notebook(str(notebook))) - overridden(notebook_stage(notebook))
    assert declared and {name: namespace[name] for name in declared} == {
        name: expected[name] for name in declared}


def test_from_params_names_a_parameter_that_does_not_exist(tmp_path):
    from pipeline.core.params import ParameterError, from_params

    (tmp_path / "params.yaml").write_text((paths.PARAMS_FILE).read_text())
    assert from_params("data_source", tmp_path / "params.yaml") == load_params().data.source
    with pytest.raises(ParameterError, match="no parameter 'colour'"):
        from_params("colour", tmp_path / "params.yaml")


def test_a_successful_run_logs_nothing_that_looks_like_a_failure(tmp_path):
    import subprocess
    import sys

    notebook = make_notebook(tmp_path / "quiet.ipynb", "year = 1", "x = 1")
    code = ("import sys; from pathlib import Path; from pipeline.runner.notebook import main; "
            "sys.exit(main([sys.argv[1]], executed_dir=Path(sys.argv[2])))")
    result = subprocess.run([sys.executable, "-c", code, str(notebook), str(tmp_path / "executed")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "[IPKernelApp]" not in result.stderr  # e.g. "ERROR | KeyboardInterrupt caught in kernel"
