"""Optional inputs: a missing file leaves its figure out with a note; `strict` makes it an error."""

import json
import re
import shutil

import pytest

from pipeline.core import paths
from pipeline.core.errors import InputError, MissingInputError
from pipeline.core.formatting import literal
from pipeline.inputs import catalog, ingest, processed
from pipeline.inputs.catalog import RAW_INPUTS, raw_input
from pipeline.inputs.sample import generate_sample
from pipeline.publication import facts
from pipeline.publication.figures import sar
from pipeline.publication.figures.output import load_figure_input

OPTIONAL = {raw.name for raw in RAW_INPUTS if raw.optional}


@pytest.fixture(scope="module")
def sample_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw") / "sample"
    generate_sample(folder, seed=20251111)
    return folder


@pytest.fixture
def local_root(tmp_path, sample_folder):
    """A raw root whose `local` folder holds a copy of the sample."""
    shutil.copytree(sample_folder, tmp_path / "raw" / "local")
    return tmp_path / "raw"


def test_only_inputs_that_are_not_open_data_are_optional():
    assert OPTIONAL == {"ibc_member_states", "sar", "reception", "eurodac",
                        "unaccompanied_minors_monthly"}
    assert all(not raw_input(name).open_data for name in OPTIONAL)


def test_missing_optional_input_gives_an_empty_table_and_a_missing_record(local_root, tmp_path):
    (local_root / "local" / raw_input("sar").filename).unlink()
    out = tmp_path / "processed"
    tables = ingest.ingest("local", raw_root=local_root, out_dir=out)

    assert tables["sar"].empty
    assert list(tables["sar"].columns) == ["geo", "period", "value", "flag"]
    records = processed.input_records(out)
    assert records["sar"]["status"] == "missing"
    assert records["sar"]["file"] == "local/frontex/sar_disembarkations.csv"
    assert records["applications"]["status"] == "read"
    with pytest.raises(MissingInputError, match=r"sar_disembarkations\.csv: not supplied"):
        processed.load("sar", out)
    assert not processed.load("applications", out).empty


def test_strict_turns_a_missing_optional_input_into_an_error(local_root, tmp_path):
    (local_root / "local" / raw_input("eurodac").filename).unlink()
    with pytest.raises(InputError, match=r"eurodac_hits\.csv: file not found .*data/raw/local/README"):
        ingest.ingest("local", strict=True, raw_root=local_root, out_dir=tmp_path / "processed")
    assert not (tmp_path / "processed").exists()


def test_a_missing_monthly_table_of_an_annual_series_is_no_error_even_when_strict(local_root,
                                                                                  tmp_path):
    (local_root / "local" / raw_input("unaccompanied_minors_monthly").filename).unlink()
    out = tmp_path / "processed"
    ingest.ingest("local", strict=True, raw_root=local_root, out_dir=out)
    records = processed.input_records(out)
    assert records["unaccompanied_minors_monthly"]["status"] == "missing"
    assert records["unaccompanied_minors"]["status"] == "read"


def test_missing_required_input_is_an_error_naming_the_file(local_root, tmp_path):
    (local_root / "local" / raw_input("population").filename).unlink()
    with pytest.raises(InputError, match=r"demo_pjan\.tsv\.gz: file not found \(Eurostat: demo_pjan\)"):
        ingest.ingest("local", raw_root=local_root, out_dir=tmp_path / "processed")


def test_live_reads_open_data_from_the_download_folder_and_the_rest_from_local(local_root, tmp_path):
    live = local_root / "live"
    for raw in RAW_INPUTS:
        if raw.open_data:
            (live / raw.filename).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(local_root / "local" / raw.filename, live / raw.filename)
    out = tmp_path / "processed"
    ingest.ingest("live", raw_root=local_root, out_dir=out)
    files = {name: record["file"] for name, record in processed.input_records(out).items()}
    assert files["applications"] == "live/eurostat/migr_asyappctzm.tsv.gz"
    assert files["sar"] == "local/frontex/sar_disembarkations.csv"


def test_download_provenance_is_carried_into_the_record(local_root, tmp_path):
    data_file = local_root / "local" / raw_input("gdp").filename
    provenance = {"url": "https://example.invalid/nama_10_gdp", "retrieved": "2026-10-01T08:00:00Z"}
    data_file.with_name(data_file.name + catalog.PROVENANCE_SUFFIX).write_text(json.dumps(provenance))
    out = tmp_path / "processed"
    ingest.ingest("local", raw_root=local_root, out_dir=out)
    assert processed.input_records(out)["gdp"]["provenance"] == provenance
    assert "provenance" not in processed.input_records(out)["population"]


def test_left_out_figure_writes_stand_ins_and_a_note_in_place_of_its_section(tmp_path):
    processed_dir, figures, facts_dir = tmp_path / "processed", tmp_path / "figures", tmp_path / "facts"
    processed_dir.mkdir()
    (processed_dir / processed.RECORD_FILE).write_text(json.dumps({"inputs": [{
        "name": "sar", "status": "missing", "file": "local/frontex/sar_disembarkations.csv",
        "provider": "Frontex / Member States", "dataset": "Disembarkations after search and rescue",
    }]}))

    table = load_figure_input("sar", sar.SPEC, facts_name="fig2_sar", section="search_and_rescue",
                              processed_dir=processed_dir, figures_dir=figures, facts_dir=facts_dir)

    assert table is None
    for suffix in ("png", "svg", "csv"):
        assert (figures / f"{sar.SPEC.stem}.{suffix}").stat().st_size > 0
    switch = facts.read_sections(facts_dir)["search_and_rescue"]
    assert switch["shown"] is False and switch["has_caveat"] is False
    assert literal("data/raw/local/frontex/sar_disembarkations.csv") in switch["left_out"]
    assert "Figure 2 is left out" in switch["left_out"]
    assert "Figure 2 is left out" in (facts_dir / "fig2_sar.yaml").read_text()


def test_section_switch_shows_the_section_when_its_input_is_there(tmp_path):
    facts.write_section("search_and_rescue", folder=tmp_path)
    assert facts.read_sections(tmp_path) == {"search_and_rescue": {
        "shown": True, "left_out": "", "has_caveat": False, "caveat": ""}}
    report = (paths.REPORT_SOURCE_DIR / "index.qmd").read_text()
    assert 'when-meta="sections.search_and_rescue.shown"' in report
    assert "{{< include sections/search_and_rescue.qmd >}}" in report


def test_every_input_is_documented_in_the_local_folder_readme():
    readme = (paths.RAW_DIR / "local" / "README.md").read_text()
    documented = dict(re.findall(r"^\| `([^`]+)` \|.*\| (required|optional)[^|]*\|$", readme, re.MULTILINE))
    assert documented == {raw.filename: "optional" if raw.optional else "required"
                          for raw in RAW_INPUTS}
