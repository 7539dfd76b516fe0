"""A stand-in for Eurostat's SDMX 2.1 data API on 127.0.0.1, serving generated tables.

    {url}/sdmx/2.1/data/{CODE}?format=TSV&compressed=true          the whole table, as stored
    {url}/sdmx/2.1/data/{CODE}/{key}?format=TSV&compressed=true&startPeriod={period}

The second is answered by `filter_tsv`, the server-side filter: the series whose codes match the
key (dot-separated positions in the table's dimension order, codes joined by '+', empty = all)
and the periods from `startPeriod` on, as a new `.tsv.gz`. A key with the wrong number of
positions gets HTTP 400, a query matching no series 404, another format than gzip TSV 406.
"""

from __future__ import annotations

import gzip
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs, unquote, urlsplit

DATA_PATH = "/sdmx/2.1/data/"


def filter_tsv(path: Path, key: str, start: str | None = None) -> bytes | None:
    """The series of the Eurostat `.tsv.gz` at `path` matching `key`, with the periods from
    `start` on, as gzip bytes; None when no series matches. ValueError for a malformed key."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as text:
        header = text.readline().rstrip("\n").split("\t")
        dimensions = header[0].split("\\")[0].split(",")
        wanted = [set(codes.split("+")) if codes else None for codes in key.split(".")]
        if len(wanted) != len(dimensions):
            raise ValueError(f"the key has {len(wanted)} positions, the table {len(dimensions)} "
                             f"dimensions ({', '.join(dimensions)})")
        kept = [0, *(index for index, period in enumerate(header) if index and
                     (start is None or _first_month(period.strip()) >= _first_month(start)))]
        lines = ["\t".join(header[index] for index in kept)]
        for line in text:
            codes = line[:line.index("\t")].split(",")
            if all(allowed is None or code in allowed for allowed, code in zip(wanted, codes)):
                cells = line.rstrip("\n").split("\t")
                lines.append("\t".join(cells[index] for index in kept))
    if len(lines) == 1:
        return None
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=6, mtime=0)


def _first_month(period: str) -> str:
    """'2024' -> '2024-01', '2024-Q3' -> '2024-07', '2024-07' -> '2024-07': comparable."""
    if len(period) == 4:
        return f"{period}-01"
    if period[5] == "Q":
        return f"{period[:4]}-{3 * int(period[6]) - 2:02d}"
    return period[:7]


class EurostatApi:
    """The server, in a thread, for the tables `{code: path}`; `url` is the API's base."""

    def __init__(self, tables: dict[str, Path]) -> None:
        self.tables = {code.upper(): Path(path) for code, path in tables.items()}
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                api.answer(self)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        path = unquote(parts.path)
        if not path.startswith(DATA_PATH):
            return _send(request, 404, b"unknown path")
        code, _, key = path[len(DATA_PATH):].partition("/")
        if code not in self.tables:
            return _send(request, 404, f"no dataset {code}".encode())
        if query.get("format") != "TSV" or query.get("compressed") != "true":
            return _send(request, 406, b"only format=TSV&compressed=true is served")
        if not key:
            return self._send_file(request, self.tables[code])
        try:
            body = filter_tsv(self.tables[code], key, query.get("startPeriod"))
        except ValueError as error:
            return _send(request, 400, str(error).encode())
        if body is None:
            return _send(request, 404, b"No results found")
        return _send(request, 200, body, "application/octet-stream")

    def _send_file(self, request: BaseHTTPRequestHandler, path: Path) -> None:
        size = path.stat().st_size
        request.send_response(200)
        request.send_header("Content-Type", "application/octet-stream")
        request.send_header("Content-Length", str(size))
        request.end_headers()
        with path.open("rb") as handle:
            shutil.copyfileobj(handle, request.wfile, 1 << 20)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _send(request: BaseHTTPRequestHandler, status: int, body: bytes,
          content_type: str = "text/plain") -> None:
    request.send_response(status)
    request.send_header("Content-Type", content_type)
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)
