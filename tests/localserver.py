"""A scripted HTTP server on 127.0.0.1 for transport-level test cases (tests only).

    with LocalServer() as server:
        server.route("/flaky", Reply(500), Reply(200, body=page))   # a 500, then 200 for ever
        server.route("/slow", Reply(action="hang"))                 # never answers (until stop)
        crawl(["news", "-a", f"url={server.url('/flaky')}"], ...)
        assert server.hits["/flaky"] == 2

Each path answers its replies in order, the last one repeating.  Actions for what a
response cannot say: ``hang`` (read the request, answer nothing), ``reset`` (close the
connection with a TCP RST), ``short`` (promise Content-Length and send less), ``stream``
(a body without Content-Length, sent in chunks).  It binds 127.0.0.1 only, on a free port,
in a daemon thread; every wait is bounded and ends at ``stop()``.

newscrawl refuses requests to loopback addresses (newscrawl/middlewares/addresses.py): a crawl of
a LocalServer passes ``ALLOW_LOCAL`` in its settings.  ``LocalServer(host="127.0.0.2")`` binds
another loopback address (Linux answers on all of 127.0.0.0/8), one that ALLOW_LOCAL does not allow.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HANG_SECONDS = 10  # upper bound of a "hang" (the crawl's DOWNLOAD_TIMEOUT is far shorter)
ALLOW_LOCAL = {"NEWSCRAWL_ALLOWED_NETWORKS": "127.0.0.1/32"}  # the crawl setting that allows this server


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    action: str = ""  # "", "hang", "reset", "short", "stream"
    content_type: str = "text/html; charset=UTF-8"


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet: the test reads hits, not a log
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        owner = self.server.owner
        path = self.path
        with owner.lock:
            owner.hits[path] += 1
            owner.requests.append((path, dict(self.headers)))
            replies = owner.routes.get(path)
            if replies is None:
                reply = Reply(404, b"not found", content_type="text/plain")
            else:
                reply = replies[min(owner.hits[path], len(replies)) - 1]
        if reply.action == "hang":
            owner.stopping.wait(HANG_SECONDS)
            self.close_connection = True
            return
        if reply.action == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.action == "stream":
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = 64 * 1024
            try:
                for start in range(0, len(reply.body), chunk):
                    if owner.stopping.is_set():
                        break
                    self.wfile.write(reply.body[start:start + chunk])
            except OSError:
                pass  # the client gave up (too big): that is the point
            self.close_connection = True
            return
        if reply.action == "short":
            self.send_header("Content-Length", str(len(reply.body) * 2))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply.body)
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        try:
            self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: "LocalServer"

    def handle_error(self, request, client_address) -> None:  # a reset client is expected here
        pass

    def verify_request(self, request, client_address) -> bool:  # every accepted TCP connection
        with self.owner.lock:
            self.owner.connections += 1
        return True


class LocalServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.hits: Counter[str] = Counter()
        self.connections = 0  # TCP connections accepted, with or without a request on them
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server = _Server((host, 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *replies: Reply) -> str:
        self.routes[path] = list(replies)
        return self.url(path)

    def start(self) -> "LocalServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "LocalServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
