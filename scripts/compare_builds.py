"""Build the report twice, each from a clean copy of the project, and list the files that differ.

    .venv/bin/python scripts/compare_builds.py [--keep DIR]

Every file under outputs/ and data/processed/ is compared byte for byte, whatever stage wrote
it. Exit status 0 when the two builds are identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.projects import copy_project, dvc  # one definition of a clean copy

COMPARED = ("outputs", "data/processed")


def output_hashes(project: Path) -> dict[str, str]:
    """sha256 of every file under the compared folders, by path relative to the project."""
    return {
        path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in COMPARED for path in sorted((project / folder).rglob("*")) if path.is_file()
    }


def differing_files(first: Path, second: Path) -> list[str]:
    """Files whose bytes differ between two builds, or that only one build has."""
    a, b = output_hashes(first), output_hashes(second)
    return sorted(name for name in a.keys() | b.keys() if a.get(name) != b.get(name))


def two_builds(folder: Path) -> tuple[Path, Path]:
    """Two clean copies of the project, both taken before either is built, each built with
    `dvc repro`."""
    first, second = copy_project(folder / "first"), copy_project(folder / "second")
    for project in (first, second):
        dvc(project, "repro")
    return first, second


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build in this folder and keep both builds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="compare_builds.") as temporary:
        first, second = two_builds(args.keep or Path(temporary))
        differing = differing_files(first, second)
        print(f"{len(output_hashes(first))} files compared; {len(differing)} differ")
        for name in differing:
            print(f"  {name}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
