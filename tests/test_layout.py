"""Where shared code lives: test helpers in tests/helpers.py or conftest.py, never in another
test module; scripts/ and the package never import the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core import paths
from pipeline.runner.stage_code import imported_modules

ROOT = paths.PROJECT_ROOT


def imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("test_module", sorted((ROOT / "tests").glob("test_*.py")), ids=lambda p: p.name)
def test_no_test_module_imports_another(test_module):
    imported = {name.split(".")[-1] for name in imports_of(test_module)}
    assert not {name for name in imported if name.startswith("test_")}, test_module.name


@pytest.mark.parametrize("source", [*sorted((ROOT / "scripts").glob("*.py")),
                                    *sorted((ROOT / "bench").glob("*.py")),
                                    *sorted((ROOT / "pipeline").rglob("*.py"))],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_scripts_bench_and_package_never_import_the_tests(source):
    assert not {name for name in imports_of(source) if name == "tests" or name.startswith("tests.")}


# The package's folders in the order the data flows; a module imports only from its own phase or
# an earlier one. `runner` (how stages run) stands beside them and uses only `core`.
PHASES = ("core", "inputs", "analysis", "publication", "report")
RUNNER_MAY_IMPORT = ("core", "runner")


def package_modules() -> dict[str, Path]:
    modules = {}
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def project_imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports, wherever the import stands."""
    found = imported_modules(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
    return {module for module in found if module in modules and module != name}


def phase_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_every_module_belongs_to_a_phase():
    stray = [name for name in package_modules()
             if name != "pipeline" and phase_of(name) not in (*PHASES, "runner")]
    assert not stray, f"modules outside the phase folders {PHASES}: {stray}"


def test_no_module_imports_a_later_phase():
    modules = package_modules()
    upward = []
    for name, path in modules.items():
        phase = phase_of(name)
        allowed = RUNNER_MAY_IMPORT if phase == "runner" else PHASES[:PHASES.index(phase) + 1] \
            if phase in PHASES else ()
        upward += [f"{name} imports {other}" for other in sorted(project_imports(name, path, modules))
                   if phase_of(other) not in allowed]
    assert not upward, "\n".join(upward)


def ancestors(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:end]) for end in range(1, len(parts))}


def test_no_import_circle():
    """Lazy imports count too. A module's own packages are left out: Python runs them first
    whatever the module imports (`from pipeline.inputs.sample import shaping` is no circle)."""
    modules = package_modules()
    graph = {name: project_imports(name, path, modules) - ancestors(name)
             for name, path in modules.items()}
    circles = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        for other in sorted(graph[name]):
            if other in trail:
                circles.append(" -> ".join((*trail[trail.index(other):], other)))
            elif other not in done:
                visit(other, (*trail, other))
        done.add(name)

    done: set[str] = set()
    for name in sorted(graph):
        if name not in done:
            visit(name, (name,))
    assert not circles, "import circles:\n" + "\n".join(sorted(set(circles)))
