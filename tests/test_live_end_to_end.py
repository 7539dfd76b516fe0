"""`dvc repro` with `data.source: live` in a temporary copy of the project, downloading from a
loopback server that serves the sample's files in the providers' formats, the Eurostat tables
filtered for the download stage's queries (no internet)."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml
from loopback import LoopbackServer

from bench.projects import copy_project, dvc
from pipeline.core.params import load_params
from pipeline.inputs.download.fetch import read_provenance
from pipeline.inputs.sample import generate_sample
from tests.helpers import (
    FRONTEX_PATH,
    GISCO_NAME,
    OPEN_DATA,
    gisco_fixture,
    serve_eurostat,
    toc_text,
)

pytestmark = pytest.mark.e2e

SEED = 20251111


@pytest.fixture(scope="module")
def live_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("provider_files")
    generate_sample(folder, seed=SEED)
    project = copy_project(tmp_path_factory.mktemp("e2e_live") / "project")
    # The inputs that are not open data come from the analysts' folder in a live run.
    local = project / "data" / "raw" / "local"
    for raw_file in folder.rglob("*"):
        relative = raw_file.relative_to(folder)
        if raw_file.is_file() and relative.as_posix() not in {raw.filename for raw in OPEN_DATA}:
            (local / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(raw_file, local / relative)
    with LoopbackServer() as server:
        frontex = next(raw for raw in OPEN_DATA if raw.provider == "Frontex")
        server.route(FRONTEX_PATH, body=(folder / frontex.filename).read_bytes())
        server.route("/eurostat/catalogue/toc/txt", content_type="text/plain", body=toc_text(
            {raw.dataset: "12.11.2025" for raw in OPEN_DATA if raw.provider == "Eurostat"}).encode())
        server.route(f"/gisco/countries/geojson/{GISCO_NAME}",
                     body=gisco_fixture(folder / GISCO_NAME))
        params_file = project / "params.yaml"
        params = yaml.safe_load(params_file.read_text())
        params["data"]["source"] = "live"
        params["live"].update({
            "eurostat_api": server.url("/eurostat"), "gisco_api": server.url("/gisco"),
            "gisco_scale": "20M", "gisco_year": 2024,
            "frontex_workbook": server.url(FRONTEX_PATH), "timeout_seconds": 10, "retries": 1,
        })
        params_file.write_text(yaml.safe_dump(params, sort_keys=False))
        served = serve_eurostat(server, folder, load_params(params_file))
        first = dvc(project, "repro")
        hits = sum(server.hits.values())
        second = dvc(project, "repro")
        yield project, folder, first, second, hits, sum(server.hits.values()), served


def test_the_report_is_built_from_the_downloaded_files(live_build):
    project, folder, first, _, _, _, served = live_build
    assert "Running stage 'download'" in first.stdout
    report = project / "outputs" / "2025" / "report"
    assert (report / "eaamr_2025.html").stat().st_size > 10_000
    assert (report / "eaamr_2025.pdf").stat().st_size > 10_000
    live = project / "data" / "raw" / "live"
    for raw in OPEN_DATA:
        expected = served.get(raw.filename) or (folder / raw.filename).read_bytes()
        assert (live / raw.filename).read_bytes() == expected
        record = read_provenance(live / raw.filename)
        assert record["sha256"]
        if raw.provider == "Eurostat":
            assert record["request"] == "filtered"
    record = json.loads((project / "data" / "processed" / "inputs.json").read_text())
    assert record["data_source"] == "live"


def test_the_maps_draw_gisco_boundaries_with_their_notice(live_build):
    project = live_build[0]
    for stem, key in (("fig1_route_map", "fig1"), ("fig5_eurodac_map", "fig5")):
        facts = yaml.safe_load((project / "outputs" / "2025" / "facts" / f"{stem}.yaml").read_text())
        assert facts[key]["source"].endswith(
            "; boundaries: \u00a9 EuroGeographics for the administrative boundaries")
    html = (project / "outputs" / "2025" / "report" / "eaamr_2025.html").read_text(encoding="utf-8")
    assert "EuroGeographics" in html


def test_a_second_repro_reuses_the_downloads(live_build):
    _, _, _, second, hits_after_first, hits_after_second, _ = live_build
    assert hits_after_second == hits_after_first
    assert "Running stage 'ingest'" not in second.stdout
