"""Reproducibility: equal inputs give byte-identical outputs, from two cold builds of clean copies
of the project (every file under outputs/ and data/processed/, whatever stage wrote it); the
build never modifies its raw inputs; the HTML report requests nothing from another host."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from bench.projects import copy_project, dvc
from pipeline.runner.notebook import main as run_notebook
from scripts.compare_builds import differing_files, output_hashes
from tests.helpers import make_notebook

# Every kind of output the report's build writes; each must be present and identical.
OUTPUT_TYPES = (".parquet", ".json", ".csv", ".png", ".svg", ".yaml", ".md", ".ipynb", ".xlsx",
                ".html", ".pdf", ".typ")
EXTERNAL = re.compile(r"\s*(https?:)?//")


@pytest.mark.parametrize("last_cell", ["print('done')", "raise ValueError('bad data')"],
                         ids=["succeeds", "fails"])
def test_the_executed_copy_of_a_notebook_is_the_same_on_every_run(tmp_path, last_cell):
    notebook = make_notebook(tmp_path / "twice.ipynb", "year = 1",
                             "import time\ntime.sleep(0.05)", last_cell)
    name = "twice.failed.ipynb" if "raise" in last_cell else "twice.ipynb"
    executed = tmp_path / "executed" / name
    copies = []
    for _ in range(2):
        run_notebook([str(notebook)], executed_dir=executed.parent)
        copies.append(executed.read_bytes())
    assert copies[0] == copies[1]
    text = copies[0].decode()
    for volatile in ("start_time", "end_time", "duration", "iopub"):
        assert volatile not in text
    assert '"parameters": {' in text and '"status": "completed"' in text
    assert ("ValueError" in text) == ("raise" in last_cell)


@pytest.fixture(scope="module")
def builds(tmp_path_factory, request) -> dict:
    """Two cold builds: the shared one, and one of a copy of the same working tree (built
    first, so that under pytest-xdist it runs while the other worker builds the shared one)."""
    second = copy_project(tmp_path_factory.mktemp("reproducible") / "second")
    dvc(second, "repro")
    built_project = request.getfixturevalue("built_project")
    return {"first": built_project["project"], "second": second,
            "raw_before": built_project["raw_before"], "raw_after": built_project["raw_after"]}


@pytest.mark.e2e
@pytest.mark.parametrize("suffix", OUTPUT_TYPES)
def test_two_cold_builds_give_byte_identical_outputs(builds, suffix):
    files = [name for name in output_hashes(builds["first"]) if name.endswith(suffix)]
    assert files, f"the build wrote no {suffix} file"
    differing = differing_files(builds["first"], builds["second"])
    assert [name for name in differing if name.endswith(suffix)] == []


@pytest.mark.e2e
def test_two_cold_builds_write_the_same_files_and_nothing_else_differs(builds):
    assert differing_files(builds["first"], builds["second"]) == []
    assert not [name for name in output_hashes(builds["first"]) if name.endswith(".tmp")]


@pytest.mark.e2e
def test_a_full_build_does_not_modify_its_raw_inputs(builds):
    assert any(name.startswith("sample/eurostat/") for name in builds["raw_before"])
    assert builds["raw_after"] == builds["raw_before"]


@pytest.mark.e2e
def test_built_html_loads_nothing_from_another_host(builds):
    html = next((builds["first"] / "outputs" / "2025" / "report").glob("*.html")).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["script", "img", "link", "iframe", "source", "video", "audio",
                              "embed", "object", "image", "use"]):
        for attribute in ("src", "href", "srcset", "data", "xlink:href", "poster"):
            value = tag.get(attribute)
            assert not (value and EXTERNAL.match(str(value))), (tag.name, attribute, value)
    styles = [style.get_text() for style in soup.find_all("style")]
    styles += [tag["style"] for tag in soup.find_all(style=True)]
    for style in styles:
        assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", style) and "@import" not in style
    assert soup.find_all("img"), "no image to check"
