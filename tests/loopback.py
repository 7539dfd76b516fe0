"""A small HTTP server on 127.0.0.1 for the download tests: no test touches the internet.

    with LoopbackServer() as server:
        server.route("/data/x.tsv.gz", body=bytes_, content_type="application/octet-stream")
        server.route("/slow", body=b"...", delay=2.0)
        server.route("/broken", status=500)
        url = server.url("/data/x.tsv.gz")
        server.hits["/data/x.tsv.gz"]  # how many GETs it got

Routes match the request path (query string ignored unless the route was added with it).
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/octet-stream"
    delay: float = 0.0  # seconds before answering (timeouts)
    cut_after: int | None = None  # announce the full length, send this many bytes, close
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: int = 0  # answer 503 to the first n requests, then normally


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                path = self.path if self.path in server.routes else self.path.split("?", 1)[0]
                server.hits[path] += 1
                route = server.routes.get(path)
                if route is None:
                    return self._send(404, b"<html><body>Not found</body></html>", "text/html")
                if route.delay:
                    time.sleep(route.delay)
                if server.hits[path] <= route.fail_first:
                    return self._send(503, b"busy", "text/plain")
                if route.cut_after is not None:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.send_header("Content-Length", str(len(route.body)))
                    self.end_headers()
                    self.wfile.write(route.body[:route.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                return self._send(route.status, route.body, route.content_type, route.headers)

            def _send(self, status, body, content_type, headers=None):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def log_message(self, *args):  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, **options) -> Route:
        self.routes[path] = Route(**options)
        return self.routes[path]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
