"""A folder of static pages served on 127.0.0.1:0 from a thread (stdlib ``http.server``).

Made for ``tests/sites/generic``: ``@ORIGIN@`` in a served file becomes the server's origin
(sitemaps and feeds need absolute URLs); ``/dir/`` serves ``dir/index.html``; ``/dir/?page=N``
serves ``dir/index.page-N.html``; an extensionless ``/path`` serves ``path.html``; a
missing ``NAME.xml.gz`` is ``NAME.xml`` gzipped. Every request's path is recorded.

``encoder(path, body)`` (optional) may return ``(encoded body, Content-Encoding value or
None, chunked)``: the page is then sent content-encoded and/or with chunked transfer coding
(``chunked`` True: chunks of 700 bytes, or an int: chunks of that size) whatever the
request asked for, as misconfigured servers do (HTTP/1.1, keep-alive).
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

PLACEHOLDER = b"@ORIGIN@"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".gz": "application/x-gzip",
}
FEED_TYPES = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml"}


class StaticSite:
    """Serve ``folder``; ``origin`` (``http://127.0.0.1:PORT``), ``requests`` (paths with
    query, in arrival order)."""

    def __init__(
        self,
        folder: Path,
        encoder: Callable[[str, bytes], tuple[bytes, str | None, bool | int]] | None = None,
        delay: float = 0.0,
    ) -> None:
        self.folder = Path(folder)
        self.encoder = encoder
        self.delay = delay
        """Seconds each answer waits (a slow site)."""
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def resolve(self, target: str) -> tuple[bytes, str] | None:
        """The body and content type served for a request target, or ``None`` (404)."""
        parts = urlsplit(target)
        path = parts.path
        if ".." in path:
            return None
        rel = path.lstrip("/")
        if parts.query:
            key, _, value = parts.query.partition("=")
            if key != "page" or not value.isdigit() or not path.endswith("/"):
                return None
            rel += f"index.page-{value}.html"
        elif path.endswith("/"):
            rel += "index.html"
        elif "." not in rel.rsplit("/", 1)[-1]:
            rel += ".html"
        file = self.folder / rel
        if file.is_file():
            body = file.read_bytes().replace(PLACEHOLDER, self.origin.encode())
            kind = FEED_TYPES.get(file.name) or TYPES.get(file.suffix, "application/octet-stream")
            return body, kind
        if rel.endswith(".xml.gz") and (self.folder / rel[:-3]).is_file():
            plain = (self.folder / rel[:-3]).read_bytes().replace(PLACEHOLDER, self.origin.encode())
            return gzip.compress(plain, mtime=0), TYPES[".gz"]
        return None

    def start(self) -> StaticSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if site.encoder is not None else "HTTP/1.0"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                site.requests.append(self.path)
                if site.delay:
                    time.sleep(site.delay)
                found = site.resolve(self.path)
                if found is None:
                    body, kind, status = b"<html><body>Not found</body></html>", "text/html", 404
                else:
                    (body, kind), status = found, 200
                coding, chunked = None, False
                if site.encoder is not None and status == 200:
                    body, coding, chunked = site.encoder(self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                if coding:
                    self.send_header("Content-Encoding", coding)
                    self.send_header("Vary", "Accept-Encoding")
                if chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    size = 700 if chunked is True else int(chunked)
                    for start in range(0, len(body), size):
                        piece = body[start : start + size]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StaticSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
