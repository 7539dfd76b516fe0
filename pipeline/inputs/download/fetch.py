"""Fetch one URL into one file, safely: the building block of `data.source: live`.

`fetch(url, target)` downloads with a timeout and a bounded number of retries (exponential
backoff), checks what arrived, writes the file atomically (no partial file on any failure) and
writes a provenance record next to it (`<file>.provenance.json`). A file already downloaded
from the same URL is reused, without touching the network, unless `refresh=True`.
`copy_local(path, target)` does the same for a file an analyst saved by hand.

Expected failures raise `DownloadError` (or its subclass `OfflineError` when the host cannot be
reached) with one clear message naming the URL; nothing is written then, and an earlier copy of
the file is left as it was.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import http.client
import json
import shutil
import socket
import ssl
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.core import atomic
from pipeline.core.errors import InputError
from pipeline.inputs.catalog import PROVENANCE_SUFFIX

USER_AGENT = "eaamr-pipeline (+https://github.com/; python urllib)"
CHUNK = 1 << 20
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})

Check = Callable[[Path], None]
Metadata = Mapping[str, object] | Callable[[], Mapping[str, object]]


class DownloadError(RuntimeError):
    """A download that failed or delivered something unusable; the message says which and why."""


class OfflineError(DownloadError):
    """The host could not be reached at all."""


class HTTPStatusError(DownloadError):
    """The server answered with an HTTP error status that is not worth a retry (404, 413, ...)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def offline_message(host: str, reason: str) -> str:
    return (f"cannot reach {host} ({reason}); use data.source=sample, or place the files under "
            "data/raw/local and use data.source=local")


@dataclass(frozen=True)
class Download:
    """The result of one fetch: where the file is, and whether it was reused."""

    path: Path
    url: str
    reused: bool
    provenance: dict[str, object]


def provenance_path(target: Path | str) -> Path:
    target = Path(target)
    return target.with_name(target.name + PROVENANCE_SUFFIX)


def read_provenance(target: Path | str) -> dict[str, object] | None:
    """The provenance record of a downloaded file, or None when there is none (or it is unreadable)."""
    try:
        record = json.loads(provenance_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with Path(path).open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_provenance(target: Path, record: Mapping[str, object]) -> None:
    """Atomically, with sorted keys, so equal records give equal bytes."""
    text = json.dumps(dict(record), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    atomic.write_text(provenance_path(target), text)


def reusable(target: Path, source: str) -> dict[str, object] | None:
    """The record of `target` when it was fetched from `source` and is unchanged since."""
    record = read_provenance(target)
    if record is None or record.get("source_url") != source or not target.is_file():
        return None
    sha256, size = sha256_of(target)
    if record.get("sha256") != sha256 or record.get("bytes") != size:
        return None
    return record


def fetch(url: str, target: Path | str, *, timeout: float = 60.0, retries: int = 3,
          backoff: float = 1.0, refresh: bool = False, check: Check | None = None,
          metadata: Metadata | None = None) -> Download:
    """Download `url` to `target` and record its provenance; return what was done.

    - `timeout`: seconds to wait for the connection and for each read.
    - `retries`: further attempts after a timeout, a connection error, a cut-off transfer or
      HTTP 408/425/429/5xx, waiting `backoff`, 2 x `backoff`, 4 x `backoff`, ... seconds between
      them. Other HTTP errors (404, 403, ...) fail at once.
    - `check(path)`: called on the downloaded temporary file before it replaces `target`; it
      raises `DownloadError` or `InputError` when the content is not what was expected.
    - `metadata`: extra fields of the provenance record (licence, last update, ...), or a
      function returning them, called only when something is actually downloaded.
    The body must not be empty nor an HTML page. With `refresh=False`, a `target` whose record
    names the same URL and whose checksum still matches is reused without any request.
    """
    target = Path(target)
    if retries < 0 or timeout <= 0 or backoff < 0:
        raise ValueError("retries and backoff must be >= 0 and timeout > 0")
    if not refresh and (record := reusable(target, url)) is not None:
        return Download(target, url, True, record)

    host = urlsplit(url).hostname or url
    attempts = retries + 1
    for attempt in range(1, attempts + 1):
        try:
            with atomic.atomic_path(target) as tmp:
                headers = _get(url, tmp, timeout)
                _check_body(url, tmp, headers)
                _run_check(check, tmp, url)
                sha256, size = sha256_of(tmp)
                retrieved = utc_now()
        except _Transient as problem:
            if attempt == attempts:
                raise problem.final(url, host, attempts) from None
            time.sleep(backoff * 2 ** (attempt - 1))
            continue
        break

    record: dict[str, object] = {
        "file": target.name,
        "source_url": url,
        "retrieved_utc": retrieved,
        "sha256": sha256,
        "bytes": size,
        "supplied_locally": False,
        "http_content_type": headers.get("Content-Type"),
        "http_last_modified": headers.get("Last-Modified"),
    }
    record.update(_metadata(metadata))
    write_provenance(target, record)
    return Download(target, url, False, record)


def copy_local(source: Path | str, target: Path | str, *, check: Check | None = None,
               metadata: Metadata | None = None) -> Download:
    """Copy a file saved by hand to `target`, checked and atomically, with a provenance record
    saying it was supplied locally. An unchanged copy of the same file is left as it is."""
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise DownloadError(f"{source}: file not found (a local file was given instead of a URL)")
    name = str(source.resolve())
    record = read_provenance(target)
    if (record is not None and record.get("source_path") == name and target.is_file()
            and record.get("sha256") == sha256_of(source)[0] == sha256_of(target)[0]):
        return Download(target, name, True, record)
    with atomic.atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
        if tmp.stat().st_size == 0:
            raise DownloadError(f"{source}: file is empty")
        _run_check(check, tmp, str(source))
        sha256, size = sha256_of(tmp)
    record = {
        "file": target.name,
        "source_url": None,
        "source_path": name,
        "retrieved_utc": utc_now(),
        "sha256": sha256,
        "bytes": size,
        "supplied_locally": True,
    }
    record.update(_metadata(metadata))
    write_provenance(target, record)
    return Download(target, name, False, record)


def fetch_bytes(url: str, *, timeout: float = 60.0, retries: int = 3, backoff: float = 1.0,
                limit: int = 200 * CHUNK) -> bytes:
    """A small resource (e.g. a table of contents) in memory, with the same retries and errors."""
    host = urlsplit(url).hostname or url
    attempts = retries + 1
    for attempt in range(1, attempts + 1):
        try:
            with _open(url, timeout) as response:
                try:
                    data = response.read(limit + 1)
                except TimeoutError:
                    raise _Transient("timeout", f"{timeout:g} s (the transfer stalled)") from None
                except (ConnectionError, http.client.HTTPException) as error:
                    raise _Transient("transfer", "the transfer was cut off "
                                                 f"({error.__class__.__name__})") from None
        except _Transient as problem:
            if attempt == attempts:
                raise problem.final(url, host, attempts) from None
            time.sleep(backoff * 2 ** (attempt - 1))
            continue
        if len(data) > limit:
            raise DownloadError(f"{url}: larger than {limit} bytes")
        return data
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------


class _Transient(Exception):
    """A failure worth another attempt; `final` turns it into the error reported at the end."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail

    def final(self, url: str, host: str, attempts: int) -> DownloadError:
        tries = f"{attempts} attempt{'s' * (attempts > 1)}"
        if self.kind == "unreachable":
            return OfflineError(offline_message(host, self.detail))
        if self.kind == "timeout":
            return DownloadError(f"{url}: no answer within {self.detail} ({tries})")
        return DownloadError(f"{url}: {self.detail} ({tries})")


def _open(url: str, timeout: float):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept-Encoding": "identity"})
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        status = f"HTTP {error.code} {error.reason}".rstrip()
        error.close()
        if error.code in RETRYABLE_STATUS:
            raise _Transient("status", status) from None
        raise HTTPStatusError(f"{url}: {status}", error.code) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise _Transient("timeout", f"{timeout:g} s") from None
        if isinstance(reason, socket.gaierror):  # no DNS: not worth retrying
            raise OfflineError(offline_message(urlsplit(url).hostname or url,
                                               f"name not resolved: {reason.strerror or reason}")) from None
        if isinstance(reason, ssl.SSLError):
            raise DownloadError(f"{url}: TLS error ({reason})") from None
        if isinstance(reason, OSError):
            raise _Transient("unreachable", reason.strerror or str(reason)) from None
        raise DownloadError(f"{url}: {reason}") from None
    except TimeoutError:
        raise _Transient("timeout", f"{timeout:g} s") from None
    except (ConnectionError, http.client.HTTPException) as error:
        raise _Transient("transfer", f"connection failed ({error.__class__.__name__}: {error})") from None


def _get(url: str, path: Path, timeout: float) -> Mapping[str, str]:
    """Stream the body of `url` into `path`; return the response headers."""
    with _open(url, timeout) as response:
        headers = response.headers
        expected = headers.get("Content-Length")
        received = 0
        try:
            with path.open("wb") as handle:
                while chunk := response.read(CHUNK):
                    handle.write(chunk)
                    received += len(chunk)
        except TimeoutError:
            raise _Transient("timeout", f"{timeout:g} s (the transfer stalled)") from None
        except (ConnectionError, http.client.IncompleteRead) as error:
            raise _Transient("transfer", f"the transfer was cut off ({error.__class__.__name__})") from None
    if expected is not None and expected.isdigit() and int(expected) != received:
        raise _Transient("transfer", f"the transfer was cut off ({received} of {expected} bytes)")
    return headers


def _check_body(url: str, path: Path, headers: Mapping[str, str]) -> None:
    size = path.stat().st_size
    if size == 0:
        raise DownloadError(f"{url}: the server sent an empty file")
    with path.open("rb") as handle:
        head = handle.read(1024)
    content_type = (headers.get("Content-Type") or "").lower()
    if looks_like_html(head) or content_type.startswith("text/html"):
        raise DownloadError(f"{url}: the server sent an HTML page, not data (an error, login or "
                            "cookie page? check the URL in a browser)")


def looks_like_html(head: bytes) -> bool:
    head = head[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in head


# ---------------------------------------------------------------------------------------------
# Content checks, for `check=`
# ---------------------------------------------------------------------------------------------


def check_gzip(path: Path) -> None:
    """A complete gzip stream (a truncated or corrupt one is refused) with some content."""
    with Path(path).open("rb") as handle:
        if handle.read(2) != b"\x1f\x8b":
            raise DownloadError(f"{path.name}: not a gzip file")
    total = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                total += len(chunk)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(path, f"is a truncated or corrupt gzip file ({exc})") from None
    if total == 0:
        raise InputError(path, "is empty once decompressed")


def _run_check(check: Check | None, path: Path, origin: str) -> None:
    """Apply the caller's content check; its failure is a DownloadError naming `origin`."""
    if check is None:
        return
    try:
        check(path)
    except InputError as error:
        raise DownloadError(f"{origin}: {error.problem}"
                            + (f" (row {error.row})" if error.row else "")) from None


def _metadata(metadata: Metadata | None) -> Mapping[str, object]:
    if metadata is None:
        return {}
    return metadata() if callable(metadata) else metadata
