"""Fixtures shared by the test modules, and the order the end-to-end tests run in."""

import fcntl
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from bench.projects import copy_project, dvc
from pipeline.analysis.key import key_for_edition
from pipeline.core.countries import bound_member_states
from pipeline.inputs.catalog import RAW_INPUTS
from pipeline.inputs.ingest import process_input
from pipeline.inputs.sample import generate_sample
from tests.helpers import tree_hashes

SAMPLE_SEED = 20251111


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory):
    """A raw-data folder holding the synthetic sample (default seed) in `sample/`, as
    data/raw does; tests that change it work on a copy."""
    root = tmp_path_factory.mktemp("raw")
    generate_sample(root / "sample", seed=SAMPLE_SEED)
    return root


@pytest.fixture(scope="session")
def sample_tables(sample_root) -> dict[str, pd.DataFrame]:
    """Every input of the synthetic sample (default seed), read and validated like the pipeline does."""
    return {raw.name: process_input(raw, sample_root / "sample") for raw in RAW_INPUTS}


@pytest.fixture(scope="session")
def sample_key(sample_tables) -> pd.Series:
    """The 2025 edition's reference key computed from the sample."""
    return key_for_edition(sample_tables["population"], sample_tables["gdp"], population_year=2025,
                           gdp_year=2024, member_states=bound_member_states())


def _build(project: Path) -> dict:
    copy_project(project)
    dvc(project, "repro", "sample_data")
    raw_before = tree_hashes(project / "data" / "raw")
    repro = dvc(project, "repro")
    return {"project": str(project), "repro": [repro.returncode, repro.stdout, repro.stderr],
            "raw_before": raw_before, "raw_after": tree_hashes(project / "data" / "raw")}


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> dict:
    """One cold `dvc repro` of a copy of the project, shared by the end-to-end tests: read it as
    it is, or build on a copy of it (`copy_built`). Built in two steps, so that the raw inputs
    can be hashed before the stages that read them run.

    Built once per run, also under pytest-xdist: the first worker to need it builds it in the
    run's shared temporary folder while holding a lock; the others wait and read the record."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # pytest-N/, above each worker's popen-gwN/
    record_file = shared / "built_project.json"
    with open(shared / "built_project.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record_file.exists():
            try:
                record = _build(shared / "built" / "project")
            except Exception as error:  # noqa: BLE001 - every worker then fails with the build's message
                record = {"error": f"{type(error).__name__}: {error}"}
            record_file.write_text(json.dumps(record))
    record = json.loads(record_file.read_text())
    if "error" in record:
        raise RuntimeError(f"the shared build failed: {record['error']}")
    returncode, stdout, stderr = record["repro"]
    return {"project": Path(record["project"]), "raw_before": record["raw_before"],
            "raw_after": record["raw_after"],
            "repro": subprocess.CompletedProcess(["dvc", "repro"], returncode, stdout, stderr)}


# Under `make test` (pytest-xdist, two workers, --dist loadfile) each module runs on one worker,
# sharing its module-scoped build. (Not --dist loadgroup: with pytest 9.2 it no longer groups,
# pytest-xdist issue 1386.) The modules with the longest builds are handed out first, in this
# order, so that the two workers start with builds that do not wait for each other (the shared
# build then the local-source chain built on it; the live build), then the modules that build on
# the shared one or make their own; the unit and contract tests fill in after them.
MODULE_ORDER = ["test_local_source.py", "test_live_end_to_end.py", "test_reproducible_builds.py",
                "test_end_to_end.py", "test_faults.py", "test_bad_inputs.py"]


def pytest_collection_modifyitems(items):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return  # a run without workers keeps the files' order

    def rank(item) -> int:
        name = item.path.name
        return MODULE_ORDER.index(name) if name in MODULE_ORDER else len(MODULE_ORDER)
    items.sort(key=rank)  # stable: a module's tests keep their order
