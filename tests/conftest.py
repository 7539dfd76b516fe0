"""Fixtures shared by the test modules."""

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


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> dict:
    """One cold `dvc repro` of a copy of the project, shared by the end-to-end tests: read it as
    it is, or build on a copy of it (`copy_built`). Built in two steps, so that the raw inputs
    can be hashed before the stages that read them run."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    dvc(project, "repro", "sample_data")
    raw_before = tree_hashes(project / "data" / "raw")
    repro = dvc(project, "repro")
    return {"project": project, "repro": repro, "raw_before": raw_before,
            "raw_after": tree_hashes(project / "data" / "raw")}
