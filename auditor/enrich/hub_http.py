"""One bounded HTTP GET to the Hub: a hard deadline, a compressed and an expanded size cap.

The Hub client library's own transport has a per-read timeout only: a server that drips one
byte of its headers or body per second is never cut off, and a gzip body is expanded without
limit. Here a watchdog shuts the socket down when the request's deadline passes (so dripped
headers and bodies end), the body is read in chunks and refused past ``max_bytes`` as sent,
and it is inflated incrementally and refused past ``max_expanded``. Proxies come from the
environment (``HTTPS_PROXY``, ``NO_PROXY``...) as in ``urllib``.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import socket
import ssl
import threading
import time
import urllib.request
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from auditor.errors import AuditError

CHUNK = 64 * 1024


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes
    """As expanded (gzip/deflate decoded)."""


class HttpFailure(AuditError):
    """The request gave no usable answer. ``kind``: timeout, unreachable, too-large, malformed."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _tls() -> ssl.SSLContext:
    """Certificates from ``SSL_CERT_FILE``/``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``, else
    certifi's bundle (as the Hub client uses), else the system's."""
    cafile = next((os.environ[name] for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE",
                                                  "CURL_CA_BUNDLE") if os.environ.get(name)),
                  None)
    if cafile is None:
        try:
            import certifi  # type: ignore[import-not-found, unused-ignore]

            cafile = certifi.where()
        except ImportError:
            cafile = None
    return ssl.create_default_context(cafile=cafile)


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise HttpFailure("unreachable", f"not an http(s) URL: {parts.scheme}://…")
    host, port = parts.hostname, parts.port
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    proxy = None if urllib.request.proxy_bypass(host) else \
        urllib.request.getproxies().get(parts.scheme)
    if proxy:
        via = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if parts.scheme == "https":
            tls = http.client.HTTPSConnection(via.hostname or "", via.port or 80,
                                              timeout=timeout,
                                              context=_tls())
            tls.set_tunnel(host, port or 443)
            return tls, target
        return http.client.HTTPConnection(via.hostname or "", via.port or 80,
                                          timeout=timeout), url
    if parts.scheme == "https":
        return http.client.HTTPSConnection(host, port or 443, timeout=timeout,
                                           context=_tls()), target
    return http.client.HTTPConnection(host, port or 80, timeout=timeout), target


class _Inflater:
    def __init__(self, encoding: str, cap: int) -> None:
        self.cap = cap
        self.out = bytearray()
        if encoding in ("", "identity"):
            self.decoder = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self.decoder = zlib.decompressobj(47)  # gzip or zlib header, detected
        else:
            raise HttpFailure("malformed", f"unsupported Content-Encoding {encoding[:20]!r}")

    def feed(self, data: bytes) -> None:
        if self.decoder is None:
            self.out += data
        else:
            buf = data
            while buf:
                self.out += self.decoder.decompress(buf, self.cap + 1 - len(self.out))
                if len(self.out) > self.cap:
                    break
                buf = self.decoder.unconsumed_tail
        if len(self.out) > self.cap:
            raise HttpFailure("too-large", f"answer expands past {self.cap:,} bytes; refused")


def get(url: str, headers: dict[str, str], *, timeout: float, max_bytes: int,
        max_expanded: int) -> HttpAnswer:
    """GET ``url``; the whole exchange (connect, headers, body) ends within ``timeout``."""
    if timeout <= 0:
        raise HttpFailure("timeout", "no time left")
    end = time.monotonic() + timeout
    conn, target = _connection(url, timeout)
    expired = threading.Event()
    sockets: list[socket.socket] = []
    """The connected socket, kept: http.client drops ``conn.sock`` once the response owns it."""

    def cut_off() -> None:
        expired.set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, cut_off)
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise HttpFailure("timeout", f"no answer within {timeout:.3g}s") from None
            raise HttpFailure("unreachable", f"{type(exc).__name__}: {exc}") from None
        if conn.sock is not None:
            sockets.append(conn.sock)
        if expired.is_set():
            cut_off()
        try:
            conn.request("GET", target, headers={**headers, "Accept-Encoding": "gzip"})
            response = conn.getresponse()
            length = response.getheader("Content-Length")
            if length and length.strip().isdigit() and int(length) > max_bytes:
                raise HttpFailure("too-large", f"answer of {int(length):,} bytes is over the "
                                  f"{max_bytes:,}-byte cap; refused")
            inflater = _Inflater((response.getheader("Content-Encoding") or "").strip().lower(),
                                 max_expanded)
            received = 0
            while True:
                chunk = response.read1(CHUNK)  # what has arrived: the deadline is checked often
                if expired.is_set() or time.monotonic() > end:
                    raise HttpFailure("timeout", f"no complete answer within {timeout:.3g}s")
                if not chunk:
                    break
                received += len(chunk)
                if received > max_bytes:
                    raise HttpFailure("too-large", f"answer over the {max_bytes:,}-byte cap; "
                                      "refused")
                inflater.feed(chunk)
            header_map = {k.lower(): v for k, v in response.getheaders()}
            return HttpAnswer(response.status, header_map, bytes(inflater.out))
        except (OSError, http.client.HTTPException, zlib.error) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise HttpFailure("timeout", f"no answer within {timeout:.3g}s") from None
            raise HttpFailure("malformed", f"broken answer ({type(exc).__name__})") from None
    finally:
        watchdog.cancel()
        conn.close()
