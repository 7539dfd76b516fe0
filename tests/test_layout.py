"""Where shared code lives: test helpers in tests/helpers.py or conftest.py, never in another
test module; scripts/ and the package never import the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import paths
from pipeline.stage_code import imported_modules

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
