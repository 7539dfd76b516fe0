"""The project code each stage of dvc.yaml runs, so that its `deps` can list all of it.

    python -m pipeline.runner.stage_code            # per stage, the code files deps lack or no longer need
    python -m pipeline.runner.stage_code --write    # adds and drops them in dvc.yaml

A stage runs the modules of its command (`python -m pipeline.runner.stage -- python -m pipeline.X`)
and, for a notebook stage, the notebook and the modules its code cells import; with them, every
project module they import, at any depth and wherever the import stands (inside a function
too). A file counts as declared when `deps` lists it or a folder holding it. An edit to any of
these files then makes `dvc repro` run the stage again. The entries of a `foreach` stage
(`fiche@DE`, ...) are checked one by one; their `deps` are the one list of its `do:` block.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable
from pathlib import Path

import nbformat

from pipeline.core import paths
from pipeline.runner.stage import pipeline_stages

PACKAGE = "pipeline"


def module_file(name: str, root: Path = paths.PROJECT_ROOT) -> Path | None:
    """The file of a project module (`pipeline.inputs.ingest` -> pipeline/inputs/ingest.py), or None."""
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(source: str, module: str = "", is_package: bool = False) -> set[str]:
    """Names of the modules `source` imports (absolute, relative ones resolved against
    `module`); `from a import b` also names `a.b`, which may be a module."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                parts = parts if is_package else parts[:-1]
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join(filter(None, [*parts, base]))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def project_files(modules: Iterable[str], root: Path = paths.PROJECT_ROOT) -> set[Path]:
    """The files of `modules` and of every project module they import, transitively, with the
    `__init__.py` of each package on the way."""
    files: set[Path] = set()
    pending = list(modules)
    while pending:
        name = pending.pop()
        path = module_file(name, root)
        if path is None or path in files:
            continue
        files.add(path)
        parent = name.rpartition(".")[0]
        if parent:
            pending.append(parent)
        pending.extend(imported_modules(path.read_text(encoding="utf-8"), name,
                                        path.name == "__init__.py"))
    return files


def notebook_source(path: Path) -> str:
    cells = nbformat.read(path, as_version=4).cells
    return "\n".join(cell.source for cell in cells if cell.cell_type == "code")


def stage_code(command: str, root: Path = paths.PROJECT_ROOT) -> set[Path]:
    """Every project file the stage command runs (modules, notebook)."""
    words = command.split()
    modules, notebooks = [], []
    while words:
        if words[:2] == ["python", "-m"] and len(words) > 2:
            modules.append(words[2])
            words = words[3:]
        else:
            if words[0].endswith(".ipynb"):
                notebooks.append(root / words[0])
            words = words[1:]
    for notebook in notebooks:
        modules.extend(imported_modules(notebook_source(notebook)))
    return project_files(modules, root) | set(notebooks)


def _declared(path: Path, deps: Iterable[str], root: Path) -> bool:
    relative = path.relative_to(root).as_posix()
    return any(relative == dep.rstrip("/") or relative.startswith(dep.rstrip("/") + "/")
               for dep in deps)


def _is_code(dep: str) -> bool:
    return dep.startswith(f"{PACKAGE}/") and dep.endswith(".py")


def code_deps_problems(pipeline_file: Path = paths.PROJECT_ROOT / "dvc.yaml"
                       ) -> dict[str, dict[str, list[str]]]:
    """Per stage, the code files it runs that its `deps` do not declare (`missing`), and the
    package files its `deps` list that it no longer runs or that no longer exist (`stale`)."""
    root = pipeline_file.parent
    stages = pipeline_stages(pipeline_file, root / paths.PARAMS_FILE.name)
    problems = {}
    for name, stage in stages.items():
        deps = stage.get("deps") or []
        runs = stage_code(stage["cmd"], root)
        missing = sorted(path.relative_to(root).as_posix() for path in runs
                         if not _declared(path, deps, root))
        ran = {path.relative_to(root).as_posix() for path in runs}
        stale = sorted(dep for dep in deps if _is_code(dep) and dep not in ran)
        if missing or stale:
            problems[name] = {"missing": missing, "stale": stale}
    return problems


def missing_code_deps(pipeline_file: Path = paths.PROJECT_ROOT / "dvc.yaml"
                      ) -> dict[str, list[str]]:
    """Per stage, the code files it runs that its `deps` do not declare (project-relative)."""
    return {name: found["missing"] for name, found in code_deps_problems(pipeline_file).items()
            if found["missing"]}


def write_code_deps(pipeline_file: Path = paths.PROJECT_ROOT / "dvc.yaml"
                    ) -> dict[str, dict[str, list[str]]]:
    """Add each stage's missing code files to its deps and drop the stale ones, keeping
    dvc.yaml's comments."""
    from ruamel.yaml import YAML

    from pipeline.core import atomic

    problems = code_deps_problems(pipeline_file)
    if not problems:
        return problems
    round_trip = YAML()
    round_trip.width = 4096  # never fold a command
    round_trip.indent(mapping=2, sequence=4, offset=2)  # dvc.yaml's own layout
    document = round_trip.load(pipeline_file.read_text(encoding="utf-8"))
    for name, found in problems.items():
        stage = document["stages"][name.partition("@")[0]]
        deps = stage["do"]["deps"] if "foreach" in stage else stage["deps"]
        for dep in found["stale"]:
            if dep in deps:  # another entry of the same foreach stage dropped it already
                deps.remove(dep)
        deps.extend(dep for dep in found["missing"] if dep not in deps)
    with atomic.atomic_path(pipeline_file) as tmp, tmp.open("w", encoding="utf-8") as out:
        round_trip.dump(document, out)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true",
                        help="add the missing files to dvc.yaml and drop the stale ones")
    args = parser.parse_args(argv)
    problems = write_code_deps() if args.write else code_deps_problems()
    for stage, found in problems.items():
        for kind, files in found.items():
            if files:
                verb = {"missing": "added", "stale": "dropped"}[kind] if args.write else kind
                print(f"{stage}: {verb} {', '.join(files)}")
    return 1 if problems and not args.write else 0


if __name__ == "__main__":
    sys.exit(main())
