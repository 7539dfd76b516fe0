"""`data.source: live` end to end against a loopback server: plan, Eurostat queries, table of
contents, the CLI, offline behaviour, a locally saved Frontex workbook, and the GISCO boundaries
on the maps."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from loopback import LoopbackServer, closed_port

from pipeline.core import paths
from pipeline.core.params import LiveParams, Params, load_params
from pipeline.inputs import boundaries
from pipeline.inputs.basemap import BASEMAP_FILE, gisco_basemap
from pipeline.inputs.catalog import raw_input
from pipeline.inputs.download.fetch import read_provenance
from pipeline.inputs.download.live import (
    EurostatToc,
    eurostat_key,
    eurostat_url,
    gisco_url,
    parse_toc,
    plan,
    start_periods,
)
from pipeline.inputs.sample import generate_sample
from tests.helpers import (
    FRONTEX_PATH,
    GISCO_NAME,
    OPEN_DATA,
    gisco_fixture,
    serve_eurostat,
    toc_text,
)

SEED = 20251111
@pytest.fixture(scope="module")
def providers(tmp_path_factory):
    """The loopback server serving a full set of provider files made from the sample; the
    Eurostat tables filtered for the edition of params.yaml (see `served`)."""
    folder = tmp_path_factory.mktemp("provider_files")
    generate_sample(folder, seed=SEED)
    dates = {raw.dataset: f"{10 + i:02d}.11.2025" for i, raw in enumerate(OPEN_DATA)
             if raw.provider == "Eurostat"}
    with LoopbackServer() as server:
        edition = load_params(paths.PARAMS_FILE).model_copy(
            update={"live": LiveParams(eurostat_api=server.url("/eurostat"))})
        served = serve_eurostat(server, folder, edition)
        for raw in OPEN_DATA:
            if raw.provider != "Eurostat":
                server.route(FRONTEX_PATH, body=(folder / raw.filename).read_bytes(),
                             content_type="application/vnd."
                             "openxmlformats-officedocument.spreadsheetml.sheet")
        server.route("/eurostat/catalogue/toc/txt", body=toc_text(dates).encode(),
                     content_type="text/plain")
        server.route(f"/gisco/countries/geojson/{GISCO_NAME}",
                     body=gisco_fixture(folder / GISCO_NAME), content_type="application/geo+json")
        yield server, folder, dates, served


def write_params(folder: Path, server_url: str, **live) -> Path:
    params = yaml.safe_load(paths.PARAMS_FILE.read_text())
    params["data"]["source"] = "live"
    params["live"] = {
        "eurostat_api": f"{server_url}/eurostat", "gisco_api": f"{server_url}/gisco",
        "gisco_scale": "20M", "gisco_year": 2024,
        "frontex_workbook": f"{server_url}{FRONTEX_PATH}", "timeout_seconds": 5, "retries": 1,
        **live,
    }
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


def run_download(params: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.inputs.download", "--params", str(params), "--out", str(out),
         "--backoff", "0.01", *extra],
        capture_output=True, text=True, cwd=paths.PROJECT_ROOT, check=False, timeout=300)


# ---------------------------------------------------------------------------------------------
# Pieces
# ---------------------------------------------------------------------------------------------


def test_urls_follow_the_providers_apis():
    live = LiveParams()
    assert eurostat_url(live.eurostat_api, "migr_asyappctzm") == (
        "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/MIGR_ASYAPPCTZM"
        "?format=TSV&compressed=true")
    assert gisco_url(live.gisco_api, "20M", 2024) == (
        "https://gisco-services.ec.europa.eu/distribution/v2/countries/geojson/"
        "CNTR_RG_20M_2024_3035.geojson")


def test_the_plan_keeps_the_catalogue_file_names():
    planned = plan(Params(year=2025), EurostatToc("http://unused"), 2026)
    assert [item.filename for item in planned] == [raw.filename for raw in OPEN_DATA] + \
        [f"gisco/{GISCO_NAME}"]


EU = "BE+BG+CZ+DK+DE+EE+IE+EL+ES+FR+HR+IT+CY+LV+LT+LU+HU+MT+NL+AT+PL+PT+RO+SI+SK+FI+SE"
# Series key and first period of each Eurostat table for the 2025 edition.
QUERIES = {
    "migr_asyappctzm": (f"M.PER.TOTAL.T.TOTAL.ASY_APP+NASY_APP.{EU}", "2017-07"),
    "migr_asytpsm": (f"M.PER.TOTAL.T.TOTAL.{EU}", "2017-07"),
    "migr_asytpfm": (f"M.PER.TOTAL.T.TOTAL.{EU}", "2017-07"),
    "migr_eiord1": (f"Q.PER.TOTAL.TOTAL.T.{EU}", "2017-Q3"),
    "migr_eirtn1": (f"Q.PER.TOTAL.TOTAL.T.{EU}", "2017-Q3"),
    "migr_dubro": (f"A.PER.TOTAL.TOTAL.{EU}", "2017"),
    "migr_eirfs": (f"A.PER.TOTAL.TOTAL+LAND+SEA+AIR.TOTAL.{EU}", "2017"),
    "migr_asyresa": (f"A.PER.TOTAL.T.TOTAL.{EU}", "2017"),
    "migr_asyunaa": (f"A.PER.TOTAL.T.TOTAL.{EU}", "2017"),
    "demo_pjan": (f"A.NR.TOTAL.T.{EU}", "2017"),
    "nama_10_gdp": (f"A.CP_MEUR.B1GQ.{EU}", "2017"),
}


def test_each_eurostat_table_is_asked_for_the_series_and_periods_used():
    api = LiveParams().eurostat_api
    planned = {item.dataset: item for item in
               plan(Params(year=2025), EurostatToc("http://unused"), 2026) if item.whole_table}
    assert set(planned) == set(QUERIES)
    for code, (key, start) in QUERIES.items():
        assert planned[code].source == (f"{api}/sdmx/2.1/data/{code.upper()}/{key}"
                                        f"?format=TSV&compressed=true&startPeriod={start}")
        assert planned[code].whole_table == eurostat_url(api, code)


def test_start_periods_follow_the_edition_and_the_key_vintages():
    assert start_periods(2026) == {"M": "2018-07", "Q": "2018-Q3", "A": "2018"}
    assert start_periods(2026, (2026, 2025)) == {"M": "2018-07", "Q": "2018-Q3", "A": "2018"}
    assert start_periods(2026, (2015, 2025))["A"] == "2015"
    fixed = Params(year=2025, key={"population_year": 2014, "gdp_year": 2013})
    starts = {item.dataset: item.source.rsplit("=", 1)[1]
              for item in plan(fixed, EurostatToc("http://unused"), 2026) if item.whole_table}
    assert starts["demo_pjan"] == starts["nama_10_gdp"] == starts["migr_eirfs"] == "2013"
    assert starts["migr_asyappctzm"] == "2017-07" and starts["migr_eiord1"] == "2017-Q3"


def test_a_contract_dimension_the_catalogue_lacks_is_an_error():
    refusals = raw_input("refusals")
    assert eurostat_key(refusals) == f"A.PER.TOTAL.TOTAL+LAND+SEA+AIR.TOTAL.{EU}"
    without_border = dataclasses.replace(refusals, dimensions=("freq", "unit", "citizen",
                                                                "reason", "geo"))
    with pytest.raises(ValueError, match="migr_eirfs: the contract selects border"):
        eurostat_key(without_border)


def test_the_catalogue_has_the_dimension_order_of_the_eurostat_files(providers):
    _, folder, _, _ = providers
    for raw in OPEN_DATA:
        if raw.format == "eurostat-tsv":
            with gzip.open(folder / raw.filename, "rt", encoding="utf-8") as text:
                first_cell = text.readline().split("\t")[0]
            assert tuple(first_cell.split("\\")[0].split(",")) == raw.dimensions, raw.dataset


def test_parse_toc_reads_codes_and_iso_dates():
    dates = parse_toc(toc_text({"migr_asyappctzm": "12.11.2025", "demo_pjan": "2025-03-01"}))
    assert dates == {"migr_asyappctzm": "2025-11-12", "demo_pjan": "2025-03-01"}
    with pytest.raises(ValueError, match="code"):
        parse_toc("title\tsomething\n")


def test_live_params_validate_urls():
    with pytest.raises(ValueError, match="http"):
        LiveParams(eurostat_api="ftp://example.org")
    with pytest.raises(ValueError, match="http"):
        LiveParams(frontex_workbook="file:///tmp/x.xlsx")
    assert not LiveParams(frontex_workbook="data/saved/ibc.xlsx").frontex_is_url


# ---------------------------------------------------------------------------------------------
# python -m pipeline.inputs.download
# ---------------------------------------------------------------------------------------------


def test_download_cli_fetches_every_open_data_input_with_provenance(providers, tmp_path):
    server, folder, dates, served = providers
    params, out = write_params(tmp_path, server.url()), tmp_path / "live"
    queries = {item.filename: item.source for item in
               plan(load_params(params), EurostatToc("http://unused"), 2026)}
    before = dict(server.hits)
    result = run_download(params, out)
    assert result.returncode == 0, result.stderr
    for raw in OPEN_DATA:
        saved = out / raw.filename
        expected = served.get(raw.filename) or (folder / raw.filename).read_bytes()
        assert saved.read_bytes() == expected, raw.filename
        record = read_provenance(saved)
        assert record["sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()
        assert record["bytes"] == saved.stat().st_size
        assert record["provider"] == raw.provider and record["dataset"] == raw.dataset
        assert record["retrieved_utc"].endswith("Z")
        if raw.provider == "Eurostat":
            assert record["source_url"] == queries[raw.filename]
            assert record["request"] == "filtered"
            day, month, year = dates[raw.dataset].split(".")
            assert record["last_update"] == f"{year}-{month}-{day}"
            assert record["licence"].startswith("\u00a9 European Union, 1995-20")
            assert record["licence"].endswith("Commission Decision 2011/833/EU, CC BY 4.0")
        else:
            assert record["source_url"] == f"{server.url()}{FRONTEX_PATH}"
            assert "Frontex" in record["licence"] and record["last_update"] is None
    gisco = read_provenance(out / "gisco" / GISCO_NAME)
    assert gisco["licence"].startswith("\u00a9 EuroGeographics for the administrative boundaries")
    assert server.hits["/eurostat/catalogue/toc/txt"] - before.get("/eurostat/catalogue/toc/txt", 0) == 1
    assert "downloaded" in result.stdout

    # A second run reuses every file without a single request; --refresh fetches them again.
    hits = sum(server.hits.values())
    again = run_download(params, out)
    assert again.returncode == 0 and sum(server.hits.values()) == hits
    assert f"0 downloaded, {len(OPEN_DATA) + 1} reused" in again.stdout
    refreshed = run_download(params, out, "--refresh")
    assert refreshed.returncode == 0
    assert sum(server.hits.values()) == hits + len(OPEN_DATA) + 1 + 1  # files + one TOC


def test_download_cli_does_nothing_for_other_sources(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("year: 2025\ndata: {source: sample}\n")
    result = run_download(params, tmp_path / "live")
    assert result.returncode == 0 and "nothing to download" in result.stdout
    assert (tmp_path / "live").is_dir() and not any((tmp_path / "live").iterdir())


def test_download_cli_offline_gives_one_message_and_exit_code_1(tmp_path):
    offline = f"http://127.0.0.1:{closed_port()}"
    params = write_params(tmp_path, offline, retries=0)
    result = run_download(params, tmp_path / "live")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        ("error: cannot reach 127.0.0.1 (Connection refused); use data.source=sample, or place "
        "the files under data/raw/local and use data.source=local")]


def test_download_cli_names_the_url_and_status_of_a_missing_table(providers, tmp_path):
    server = providers[0]
    params = write_params(tmp_path, server.url(), eurostat_api=f"{server.url()}/nowhere")
    result = run_download(params, tmp_path / "live")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "/nowhere/sdmx/2.1/data/MIGR_ASYAPPCTZM?format=TSV&compressed=true: HTTP 404" in \
        result.stderr


def test_a_locally_saved_frontex_workbook_is_copied_in(providers, tmp_path):
    server, folder, _, _ = providers
    saved = tmp_path / "saved" / "Monthly_detections_of_IBC_2025_11_03.xlsx"
    saved.parent.mkdir()
    saved.write_bytes((folder / "frontex/Monthly_detections_of_IBC.xlsx").read_bytes())
    params = write_params(tmp_path, server.url(), frontex_workbook=str(saved))
    result = run_download(params, tmp_path / "live")
    assert result.returncode == 0, result.stderr
    record = read_provenance(tmp_path / "live" / "frontex" / "Monthly_detections_of_IBC.xlsx")
    assert record["supplied_locally"] is True and record["source_path"] == str(saved.resolve())
    assert record["source_url"] is None


def test_a_frontex_page_that_is_not_the_workbook_is_refused(providers, tmp_path):
    server = providers[0]
    server.route("/frontex/not-a-workbook.xlsx", body=b"PK\x03\x04 not really a zip")
    params = write_params(tmp_path, server.url(),
                          frontex_workbook=f"{server.url()}/frontex/not-a-workbook.xlsx")
    result = run_download(params, tmp_path / "live")
    assert result.returncode == 1 and "not a readable .xlsx workbook" in result.stderr
    assert not (tmp_path / "live" / "frontex" / "Monthly_detections_of_IBC.xlsx").exists()


# ---------------------------------------------------------------------------------------------
# The maps draw GISCO's boundaries with live data
# ---------------------------------------------------------------------------------------------


def test_boundaries_follow_the_data_source(providers, tmp_path):
    server = providers[0]
    params_file = write_params(tmp_path, server.url())
    out = tmp_path / "live"
    assert run_download(params_file, out).returncode == 0
    live = load_params(params_file)
    processed = tmp_path / "processed"
    processed.mkdir()
    record = boundaries.prepare(live, processed, out)
    assert record["attribution"] == "\u00a9 EuroGeographics for the administrative boundaries"
    assert record["source_url"].endswith(GISCO_NAME)
    basemap, attribution = boundaries.load(processed)
    assert {"EL", "MT", "CY", "XK", "UK"} <= set(basemap["code"])
    assert basemap["eu"].sum() == 27 and attribution == record["attribution"]
    assert boundaries.source_line("Source: elaboration on Frontex data", attribution) == (
        "Source: elaboration on Frontex data; boundaries: \u00a9 EuroGeographics for the "
        "administrative boundaries")

    sample = live.model_copy(update={"data": live.data.model_copy(update={"source": "sample"})})
    assert boundaries.prepare(sample, processed, out)["attribution"] is None
    assert (processed / "boundaries.geojson").read_bytes() == BASEMAP_FILE.read_bytes()
    assert boundaries.load(processed)[1] is None


def test_a_map_drawn_on_gisco_boundaries_carries_the_copyright_notice(sample_tables, tmp_path):
    import matplotlib.pyplot as plt

    from pipeline.core.periods import ReportPeriods
    from pipeline.publication.figures import route_map

    gisco = tmp_path / GISCO_NAME
    gisco_fixture(gisco)
    periods = ReportPeriods(2025)
    table = route_map.route_table(sample_tables["ibc_routes"], periods)
    figure = route_map.plot(table, periods, threshold=500, route_lines=route_map.load_route_lines(),
                            basemap=gisco_basemap(gisco),
                            attribution=boundaries.GISCO_ATTRIBUTION)
    texts = [text.get_text() for text in figure.texts]
    plt.close(figure)
    assert "Boundaries: \u00a9 EuroGeographics for the administrative boundaries" in texts
