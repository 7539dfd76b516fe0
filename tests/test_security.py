"""Security: YAML is read safely, nothing from the inputs is evaluated, and the pre-commit hooks
strip notebook outputs and block large files, private keys and lint errors. (Parameters are
checked before any stage runs: test_bad_inputs.py; notebooks without outputs:
test_notebooks.py; the HTML loads nothing from another host: test_reproducible_builds.py.)"""

from __future__ import annotations

import re

import pytest
import yaml

from pipeline.core import paths

CODE_FOLDERS = ("pipeline", "scripts", "bench", "notebooks")
UNSAFE = {
    "yaml.load without a safe loader": r"yaml\.(load|load_all|unsafe_load|full_load)\(",
    "yaml's unsafe loaders": r"yaml\.(Unsafe|Full)?Loader\b",
    "eval": r"(?<![\w.])eval\(",
    "exec": r"(?<![\w.])exec\(",
    "pickle": r"\b(pickle|cPickle|dill|joblib|shelve|marshal)\b|read_pickle",
    "a shell built from strings": r"shell\s*=\s*True|os\.system\(|os\.popen\(",
}


def code_files():
    for folder in CODE_FOLDERS:
        yield from sorted((paths.PROJECT_ROOT / folder).rglob("*.py"))
        yield from sorted((paths.PROJECT_ROOT / folder).rglob("*.ipynb"))


@pytest.mark.parametrize("problem", UNSAFE)
def test_no_code_loads_yaml_unsafely_or_evaluates_its_input(problem):
    pattern = re.compile(UNSAFE[problem])
    found = [f"{path.relative_to(paths.PROJECT_ROOT)}:{number}"
             for path in code_files()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert found == []


def test_pre_commit_runs_the_required_hooks():
    config = yaml.safe_load((paths.PROJECT_ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert {"nbstripout", "check-added-large-files", "detect-private-key", "ruff"} <= set(hooks)
    assert "--keep-id" in hooks["nbstripout"]["entry"]  # strips outputs, keeps the cell ids
    assert hooks["nbstripout"]["types"] == ["jupyter"]
    limit = next(arg for arg in hooks["check-added-large-files"]["args"] if "--maxkb" in arg)
    assert 0 < int(limit.split("=")[1]) <= 1024


def test_pre_commit_is_part_of_the_dev_tools():
    pyproject = (paths.PROJECT_ROOT / "pyproject.toml").read_text()
    dev = re.search(r"^dev = \[(.*)\]$", pyproject, re.MULTILINE).group(1)
    assert "pre-commit" in dev
