"""A fake Hub on 127.0.0.1 that lies, hangs, drips and floods (issue 16).

A threaded ``http.server`` (pytest-httpserver cannot drip headers): each
``/api/models/<owner>/<name>`` path is answered by the behaviour scripted for it, or by the
default. Every behaviour ends by itself: hangs and drips stop when the server stops (or after
30 s), floods stop when the client hangs up.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HUB_DATA = Path(__file__).parents[1] / "data" / "hub"
INJECTED = "google/gemma-4-E4B-it; touch X #\nRUN touch Y"
ESC = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
Behaviour = Callable[["Handler"], None]


def payload(repo_id: str) -> dict[str, Any]:
    path = HUB_DATA / (repo_id.replace("/", "__") + ".json")
    if path.is_file():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return {"id": repo_id, "tags": ["text-generation"], "pipeline_tag": "text-generation"}


@cache
def gzip_bomb() -> bytes:
    """64 MiB of zeros as about 64 KB of gzip (the expanded cap is 16 MiB)."""
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)


class Handler(BaseHTTPRequestHandler):
    server: HostileServer

    def log_message(self, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.path.startswith("http://"):  # asked as a proxy: the absolute URL
            self.server.proxied.append(self.path)
            self.path = "/" + self.path.split("/", 3)[3]
        path = self.path.split("?", 1)[0]
        repo_id = path.removeprefix("/api/models/")
        with self.server.lock:
            self.server.requests.append((path, dict(self.headers)))
        behaviour = self.server.scripts.get(repo_id, self.server.default)
        try:
            behaviour(self)
        except (BrokenPipeError, ConnectionResetError):
            return

    @property
    def repo_id(self) -> str:
        return self.path.split("?", 1)[0].removeprefix("/api/models/")

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json",
                            "Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def stopped(self, seconds: float) -> bool:
        return self.server.stop.wait(seconds)


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.scripts: dict[str, Behaviour] = {}
        self.default: Behaviour = honest
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.proxied: list[str] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def hits(self, repo_id: str) -> int:
        return sum(1 for path, _ in self.requests if path == f"/api/models/{repo_id}")


@contextmanager
def hostile_hub() -> Iterator[HostileServer]:
    server = HostileServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- behaviours


def honest(h: Handler) -> None:
    h.send(200, json.dumps(payload(h.repo_id)).encode())


def answer_with(**changes: Any) -> Behaviour:
    def behaviour(h: Handler) -> None:
        h.send(200, json.dumps({**payload(h.repo_id), **changes}).encode())
    return behaviour


def injected_id(h: Handler) -> None:
    h.send(200, json.dumps({**payload(h.repo_id), "id": INJECTED}).encode())


def other_repo(h: Handler) -> None:
    h.send(200, json.dumps({**payload(h.repo_id), "id": "evil/model"}).encode())


def escapes(h: Handler) -> None:
    data = payload(h.repo_id)
    data["cardData"] = {**data.get("cardData", {}), "license": "other",
                        "license_name": f"{ESC}mit\u202e"}
    data["tags"] = [*data.get("tags", []), f"{ESC}tag"]
    h.send(200, json.dumps(data).encode())


def wrong_types(h: Handler) -> None:
    h.send(200, json.dumps({"id": h.repo_id, "tags": 5, "cardData": [1, 2],
                            "safetensors": "many"}).encode())


def huge_declared(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", str(50 * 1024 * 1024))
    h.end_headers()
    block = b" " * 65536
    for _ in range(800):
        h.wfile.write(block)


def huge_undeclared(h: Handler) -> None:
    h.send_response(200)
    h.end_headers()  # HTTP/1.0, no length: the body runs until the connection closes
    block = b"[" * 65536
    for _ in range(800):
        h.wfile.write(block)


def bomb(h: Handler) -> None:
    h.send(200, gzip_bomb(), {"Content-Encoding": "gzip"})


def hang(h: Handler) -> None:
    h.stopped(30)


def drip_headers(h: Handler) -> None:
    h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
    end = time.monotonic() + 30
    while time.monotonic() < end and not h.stopped(0.05):
        h.wfile.write(b"a")
        h.wfile.flush()


def drip_body(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", "100000")
    h.end_headers()
    h.wfile.write(b'{"id": ')
    end = time.monotonic() + 30
    while time.monotonic() < end and not h.stopped(0.05):
        h.wfile.write(b" ")
        h.wfile.flush()


def retry_after(status: int, seconds: int) -> Behaviour:
    def behaviour(h: Handler) -> None:
        h.send(status, b'{"error": "busy"}', {"Retry-After": str(seconds)})
    return behaviour


def unauthorised(h: Handler) -> None:
    h.send(401, b'{"error": "Invalid credentials in Authorization header"}')


def echo_token(h: Handler) -> None:
    """A 400 whose body and error header repeat the request's Authorization header."""
    auth = h.headers.get("Authorization", "")
    body = json.dumps({"error": f"bad request {ESC}; you sent Authorization: {auth}",
                       "token": auth.removeprefix("Bearer ")}).encode()
    h.send(400, body, {"X-Error-Message": f"bad header {auth.removeprefix('Bearer ')}"})
