"""pipeline.inputs.download.fetch against a loopback HTTP server: downloads, reuse, errors, provenance;
and a Eurostat table's filtered query with its fallback on the whole table."""

from __future__ import annotations

import hashlib
import json
import time

import numpy as np
import pandas as pd
import pytest
from loopback import LoopbackServer, closed_port

from pipeline.inputs.download.fetch import (
    DownloadError,
    OfflineError,
    check_gzip,
    copy_local,
    fetch,
    fetch_bytes,
    provenance_path,
    read_provenance,
)
from pipeline.inputs.download.live import REFUSED_STATUS, fetch_eurostat
from pipeline.inputs.sources.eurostat_tsv import read_eurostat_tsv, write_eurostat_tsv

FAST = {"backoff": 0.01, "timeout": 5.0}


def eurostat_table(path) -> bytes:
    """A small Eurostat TSV in the provider's format, with flags and missing values."""
    frame = pd.DataFrame({
        "freq": "M", "unit": "PER", "geo": ["DE", "DE", "EL", "EL", "FR", "FR"],
        "time_period": ["2024-07", "2024-08"] * 3,
        "value": [1234.0, 1250.0, np.nan, 56.0, 980.0, np.nan],
        "flag": ["", "p", "", "e", "c", "c"],
    })
    write_eurostat_tsv(frame, ["freq", "unit", "geo"], path)
    return path.read_bytes()


@pytest.fixture
def server():
    with LoopbackServer() as running:
        yield running


@pytest.fixture
def table(tmp_path_factory) -> bytes:
    return eurostat_table(tmp_path_factory.mktemp("fixtures") / "fixture.tsv.gz")


def test_download_writes_the_file_and_its_provenance(server, table, tmp_path):
    server.route("/data/X", body=table, headers={"Last-Modified": "Wed, 12 Nov 2025 23:00:00 GMT"})
    target = tmp_path / "live" / "eurostat" / "x.tsv.gz"
    result = fetch(server.url("/data/X"), target, check=check_gzip,
                   metadata={"licence": "CC BY 4.0", "last_update": "2025-11-12"}, **FAST)
    assert not result.reused
    assert target.read_bytes() == table
    record = json.loads(provenance_path(target).read_text())
    assert provenance_path(target).name == "x.tsv.gz.provenance.json"
    assert record["source_url"] == server.url("/data/X")
    assert record["sha256"] == hashlib.sha256(table).hexdigest()
    assert record["bytes"] == len(table)
    assert record["licence"] == "CC BY 4.0" and record["last_update"] == "2025-11-12"
    assert record["http_last_modified"] == "Wed, 12 Nov 2025 23:00:00 GMT"
    assert record["supplied_locally"] is False
    assert record["retrieved_utc"].endswith("Z") and record["retrieved_utc"][:2] == "20"
    assert list(record) == sorted(record)  # stable key order
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.tsv.gz", "x.tsv.gz.provenance.json"]
    assert read_eurostat_tsv(target)["flag"].tolist() == ["", "p", "", "e", "c", "c"]


def test_a_downloaded_file_is_reused_without_a_request_unless_refreshed(server, table, tmp_path):
    server.route("/data/X", body=table)
    target = tmp_path / "x.tsv.gz"
    fetch(server.url("/data/X"), target, **FAST)
    before = provenance_path(target).read_bytes()
    again = fetch(server.url("/data/X"), target, **FAST)
    assert again.reused and server.hits["/data/X"] == 1
    assert provenance_path(target).read_bytes() == before
    time.sleep(1.1)  # the retrieval time has a resolution of one second
    refreshed = fetch(server.url("/data/X"), target, refresh=True, **FAST)
    assert not refreshed.reused and server.hits["/data/X"] == 2
    assert refreshed.provenance["retrieved_utc"] > json.loads(before)["retrieved_utc"]


def test_a_file_is_downloaded_again_when_its_url_or_content_changed(server, table, tmp_path):
    server.route("/a", body=table)
    server.route("/b", body=table)
    target = tmp_path / "x.tsv.gz"
    fetch(server.url("/a"), target, **FAST)
    assert not fetch(server.url("/b"), target, **FAST).reused  # another URL
    target.write_bytes(table[:-1])  # edited by hand since
    assert not fetch(server.url("/b"), target, **FAST).reused
    assert target.read_bytes() == table


@pytest.mark.parametrize("status", [404, 403])
def test_a_client_error_fails_at_once_naming_url_and_status(server, tmp_path, status):
    server.route("/missing", status=status, body=b"no such dataset", content_type="text/plain")
    with pytest.raises(DownloadError) as error:
        fetch(server.url("/missing"), tmp_path / "x.tsv.gz", retries=3, **FAST)
    assert server.url("/missing") in str(error.value) and f"HTTP {status}" in str(error.value)
    assert server.hits["/missing"] == 1  # not retried
    assert not (tmp_path / "x.tsv.gz").exists()


def test_a_server_error_is_retried_then_reported(server, tmp_path):
    server.route("/broken", status=500, body=b"oops", content_type="text/plain")
    with pytest.raises(DownloadError) as error:
        fetch(server.url("/broken"), tmp_path / "x.tsv.gz", retries=2, **FAST)
    assert "HTTP 500" in str(error.value) and "3 attempts" in str(error.value)
    assert server.url("/broken") in str(error.value)
    assert server.hits["/broken"] == 3
    assert list(tmp_path.iterdir()) == []


def test_a_passing_server_error_is_overcome_by_a_retry(server, table, tmp_path):
    server.route("/flaky", body=table, fail_first=2)
    result = fetch(server.url("/flaky"), tmp_path / "x.tsv.gz", retries=2, **FAST)
    assert server.hits["/flaky"] == 3 and result.path.read_bytes() == table


def test_backoff_doubles_between_attempts(server, tmp_path):
    server.route("/broken", status=503)
    start = time.monotonic()
    with pytest.raises(DownloadError):
        fetch(server.url("/broken"), tmp_path / "x", retries=3, backoff=0.1, timeout=5)
    assert time.monotonic() - start >= 0.1 + 0.2 + 0.4


def test_a_server_slower_than_the_timeout(server, table, tmp_path):
    server.route("/slow", body=table, delay=1.5)
    with pytest.raises(DownloadError) as error:
        fetch(server.url("/slow"), tmp_path / "x.tsv.gz", timeout=0.3, retries=1, backoff=0.01)
    assert "no answer within 0.3 s (2 attempts)" in str(error.value)
    assert server.url("/slow") in str(error.value)
    assert not (tmp_path / "x.tsv.gz").exists()


def test_a_truncated_gzip_writes_nothing_and_keeps_the_earlier_file(server, table, tmp_path):
    target = tmp_path / "x.tsv.gz"
    server.route("/data/X", body=table)
    fetch(server.url("/data/X"), target, check=check_gzip, **FAST)
    earlier = (target.read_bytes(), provenance_path(target).read_bytes())
    server.route("/data/X", body=table[: len(table) // 2])  # a complete response of half a file
    with pytest.raises(DownloadError, match="truncated or corrupt gzip"):
        fetch(server.url("/data/X"), target, refresh=True, check=check_gzip, **FAST)
    assert (target.read_bytes(), provenance_path(target).read_bytes()) == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.tsv.gz", "x.tsv.gz.provenance.json"]


def test_a_transfer_cut_off_midway_is_retried_then_reported(server, table, tmp_path):
    server.route("/data/X", body=table, cut_after=100)
    with pytest.raises(DownloadError, match="cut off") as error:
        fetch(server.url("/data/X"), tmp_path / "x.tsv.gz", retries=1, **FAST)
    assert server.hits["/data/X"] == 2 and server.url("/data/X") in str(error.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("body, content_type", [
    (b"<!DOCTYPE html><html><body>Service unavailable</body></html>", "text/html"),
    (b"<html><head><title>Cookies</title></head></html>", "application/octet-stream"),
    (b"\x1f\x8b not really", "text/html; charset=utf-8"),
])
def test_an_html_page_served_with_200_is_refused(server, tmp_path, body, content_type):
    server.route("/page", body=body, content_type=content_type)
    with pytest.raises(DownloadError, match="HTML page") as error:
        fetch(server.url("/page"), tmp_path / "x.tsv.gz", **FAST)
    assert server.url("/page") in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_body_is_refused(server, tmp_path):
    server.route("/empty", body=b"")
    with pytest.raises(DownloadError, match="empty file"):
        fetch(server.url("/empty"), tmp_path / "x.tsv.gz", **FAST)
    assert list(tmp_path.iterdir()) == []


def test_connection_refused_gives_the_offline_message(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/data/X"
    with pytest.raises(OfflineError) as error:
        fetch(url, tmp_path / "x.tsv.gz", retries=1, **FAST)
    message = str(error.value)
    assert message.startswith("cannot reach 127.0.0.1 (")
    assert message.endswith("; use data.source=sample, or place the files under data/raw/local "
                            "and use data.source=local")
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_host_gives_the_offline_message_without_retrying(tmp_path):
    # `.invalid` never resolves (RFC 2606); the resolver answers without any network traffic
    # where there is no DNS server, and fails either way.
    with pytest.raises(OfflineError, match=r"^cannot reach no-such-host\.invalid \("):
        fetch("http://no-such-host.invalid/x", tmp_path / "x", retries=3, backoff=5, timeout=5)


def test_fetch_bytes_retries_and_reports_like_fetch(server):
    server.route("/toc", body=b"code\tlast update of data\n", fail_first=1)
    assert fetch_bytes(server.url("/toc"), retries=1, **FAST).startswith(b"code")
    with pytest.raises(OfflineError):
        fetch_bytes(f"http://127.0.0.1:{closed_port()}/toc", retries=0, **FAST)


def test_copy_local_records_a_file_supplied_by_hand(tmp_path, table):
    source = tmp_path / "saved.tsv.gz"
    source.write_bytes(table)
    target = tmp_path / "live" / "x.tsv.gz"
    result = copy_local(source, target, check=check_gzip, metadata={"licence": "L"})
    record = read_provenance(target)
    assert not result.reused and target.read_bytes() == table
    assert record["supplied_locally"] is True and record["source_url"] is None
    assert record["source_path"] == str(source.resolve()) and record["licence"] == "L"
    assert record["sha256"] == hashlib.sha256(table).hexdigest()
    assert copy_local(source, target).reused
    with pytest.raises(DownloadError, match="file not found"):
        copy_local(tmp_path / "absent.xlsx", tmp_path / "y.xlsx")
    source.write_bytes(table[:40])
    with pytest.raises(DownloadError, match="truncated or corrupt gzip"):
        copy_local(source, target, check=check_gzip)
    assert target.read_bytes() == table


# ---------------------------------------------------------------------------------------------
# A Eurostat table: the filtered query, or the whole table when the query is refused
# ---------------------------------------------------------------------------------------------

QUERY = "/data/X/M.PER.DE+EL+FR"
WHOLE = "/data/X"


def describe() -> dict[str, object]:
    return {"licence": "CC BY 4.0"}


def test_the_filtered_query_is_downloaded_and_recorded(server, table, tmp_path):
    server.route(QUERY, body=table)
    server.route(WHOLE, body=table + b"never asked for")
    query = server.url(f"{QUERY}?format=TSV&compressed=true&startPeriod=2017-07")
    result = fetch_eurostat(query, server.url(WHOLE), tmp_path / "x.tsv.gz", check=check_gzip,
                            metadata=describe, **FAST)
    record = read_provenance(tmp_path / "x.tsv.gz")
    assert result.url == record["source_url"] == query and record["request"] == "filtered"
    assert record["licence"] == "CC BY 4.0" and "filtered_request_refused" not in record
    assert result.path.read_bytes() == table and server.hits[WHOLE] == 0


@pytest.mark.parametrize("status", sorted(REFUSED_STATUS))
def test_a_refused_query_falls_back_on_the_whole_table(server, table, tmp_path, status):
    server.route(QUERY, status=status, body=b"refused", content_type="text/plain")
    server.route(WHOLE, body=table)
    result = fetch_eurostat(server.url(QUERY), server.url(WHOLE), tmp_path / "x.tsv.gz",
                            check=check_gzip, metadata=describe, retries=2, **FAST)
    record = read_provenance(tmp_path / "x.tsv.gz")
    assert result.url == record["source_url"] == server.url(WHOLE)
    assert record["request"] == "whole" and record["format"] == "Eurostat whole-table TSV (gzip)"
    assert record["filtered_request_refused"].startswith(f"{server.url(QUERY)}: HTTP {status}")
    assert server.hits[QUERY] == 1 and result.path.read_bytes() == table

    # Reused without a request, though it came from the other URL.
    again = fetch_eurostat(server.url(QUERY), server.url(WHOLE), tmp_path / "x.tsv.gz", **FAST)
    assert again.reused and server.hits[QUERY] == 1 and server.hits[WHOLE] == 1


def test_a_server_error_on_the_query_is_retried_without_falling_back(server, table, tmp_path):
    server.route(QUERY, status=500, body=b"oops", content_type="text/plain")
    server.route(WHOLE, body=table)
    with pytest.raises(DownloadError, match=r"HTTP 500.*\(3 attempts\)"):
        fetch_eurostat(server.url(QUERY), server.url(WHOLE), tmp_path / "x.tsv.gz", retries=2,
                       **FAST)
    assert server.hits[QUERY] == 3 and server.hits[WHOLE] == 0
    assert list(tmp_path.iterdir()) == []


def test_a_failed_fallback_names_both_requests(server, tmp_path):
    server.route(QUERY, status=414, body=b"too long", content_type="text/plain")
    server.route(WHOLE, status=404, body=b"gone", content_type="text/plain")
    with pytest.raises(DownloadError) as error:
        fetch_eurostat(server.url(QUERY), server.url(WHOLE), tmp_path / "x.tsv.gz", **FAST)
    assert str(error.value).startswith(f"{server.url(WHOLE)}: HTTP 404")
    assert f"the filtered request before it was refused: {server.url(QUERY)}: HTTP 414" in \
        str(error.value)
    assert list(tmp_path.iterdir()) == []
