import pytest
from pydantic import ValidationError

from pipeline.core import paths
from pipeline.core.errors import ParameterError
from pipeline.core.params import flatten, load_params


def write(tmp_path, text):
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return path


def test_project_params_are_valid():
    params = load_params(paths.PARAMS_FILE)
    assert params.year >= 2025
    assert params.data.source in {"sample", "local", "live"}


def test_defaults_and_key_vintage(tmp_path):
    params = load_params(write(tmp_path, "year: 2026\n"))
    assert params.data.source == "sample"
    assert params.population_year == 2026
    assert params.gdp_year == 2025


def test_flatten_joins_nested_keys():
    flat = flatten(load_params(paths.PARAMS_FILE))
    assert flat["data_source"] in {"sample", "local", "live"}
    assert "year" in flat and "sample_seed" in flat


@pytest.mark.parametrize("text, message", [
    ("year: 1900\n", "year"),
    ("year: 2025\ndata: {source: ftp}\n", "data.source"),
    ("year: 2025\nkey: {member_states: [BE, XX]}\n", "XX"),
    ("year: 2025\nkey: {member_states: [BE, DK]}\n", "DK not bound"),
    ("year: 2025\nkey: {member_states: [BE, BE, FR]}\n", "more than once: BE"),
    ("year: 2025\ncolour: red\n", "colour"),
    ("year: [2025\n", "not valid YAML"),
    ("- 2025\n", "mapping"),
    ("", "the file is empty"),
    ("# only a comment\n", "the file is empty"),
    ("year: '2025x'\n", "year"),
])
def test_bad_parameters_name_the_field(tmp_path, text, message):
    with pytest.raises(ParameterError, match=message) as error:
        load_params(write(tmp_path, text))
    assert "params.yaml" in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(ParameterError, match="not found"):
        load_params(tmp_path / "params.yaml")


def test_params_check_command_names_the_empty_file(tmp_path):
    """`make report` runs this check before DVC, whose own message names only a missing key."""
    import subprocess
    import sys

    write(tmp_path, "")
    result = subprocess.run([sys.executable, "-c", ("import sys; from pipeline.core.params import "
                             "stage_params; stage_params(sys.argv[1])"), str(tmp_path / "params.yaml")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "params.yaml: the file is empty" in result.stderr


def test_a_section_is_rebuilt_from_a_notebooks_flattened_variables():
    from pipeline.core.params import PoolParams, PressureParams, section_from_notebook

    params = load_params()
    values = flatten(params)
    assert section_from_notebook(PressureParams, "pressure", values) == params.pressure
    assert section_from_notebook(PoolParams, "pool", values) == params.pool
    with pytest.raises(ValidationError):
        section_from_notebook(PressureParams, "pressure", {**values, "pressure_sar_share": 2.0})
