"""Copies of the project to build in, away from the working tree's outputs.

`copy_project` copies the working tree as it is (uncommitted changes included; no outputs,
processed data, caches or venv), for the tests and scripts/compare_builds.py; the bench builds
clean clones of the committed HEAD instead (`bench.pipeline_runs.clone`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline.core import paths

SKIPPED = {".git", ".venv", "outputs", ".dvc/tmp", ".dvc/cache", "data/processed", "data/raw/sample",
           ".pytest_cache"}


def copy_project(target: Path) -> Path:
    """A copy of the working tree at `target`, made a git repository of its own."""
    def ignore(folder, names):
        relative = Path(folder).relative_to(paths.PROJECT_ROOT)
        return {n for n in names if (relative / n).as_posix() in SKIPPED or n == "__pycache__"}

    shutil.copytree(paths.PROJECT_ROOT, target, ignore=ignore)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    return target


def dvc(project: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `dvc ARGS` in `project` with this venv on PATH; a failure raises with its output."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([str(Path(sys.executable).parent / "dvc"), *args], cwd=project, env=env,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"dvc {' '.join(args)} failed in {project}:\n{result.stdout}{result.stderr}")
    return result
