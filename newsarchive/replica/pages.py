"""Pre-rendered HTTP responses and the per-host table that serves them.

A :class:`Resource` holds the exact bytes of a response (head and payload) so that the
server only looks a request target up and writes. Each page is sent one of three ways,
chosen deterministically when the page is added:

* ``length``: identity body with ``Content-Length``;
* ``gzip``: ``Content-Encoding: gzip`` with ``Content-Length`` when the request's
  ``Accept-Encoding`` allows gzip, the identity body (``Content-Length``) otherwise;
* ``chunked``: identity body sent ``Transfer-Encoding: chunked`` in several chunks.

A resource may carry validators (``ETag``, ``Last-Modified``); the server then answers a
conditional ``GET`` whose ``If-None-Match``/``If-Modified-Since`` matches with ``304``
(:meth:`Resource.not_modified`), as RFC 9110 section 13 says.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urlsplit

MODES: tuple[str, ...] = ("length", "gzip", "chunked")

HTML = "text/html; charset=utf-8"


def chunk_frame(body: bytes, pieces: int = 4, max_chunk: int = 8192) -> bytes:
    """``body`` in HTTP/1.1 chunked framing: several chunks, then the last-chunk."""
    out: list[bytes] = []
    if body:
        n = max(pieces, -(-len(body) // max_chunk))
        n = min(n, len(body))
        cuts = [round(len(body) * k / n) for k in range(n + 1)]
        for a, b in zip(cuts, cuts[1:], strict=False):
            if b > a:
                out.append(b"%x\r\n%s\r\n" % (b - a, body[a:b]))
    out.append(b"0\r\n\r\n")
    return b"".join(out)


def _head(status: int, headers: Iterable[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


@dataclass(eq=False)
class Resource:
    """One pre-rendered response; :meth:`wire` gives the head and payload to send."""

    status: int
    content_type: str
    body: bytes  # the identity body (what a client sees after decoding)
    mode: str
    head: bytes  # status line + headers, CRLF-terminated, without Date/Connection
    payload: bytes
    gz_head: bytes | None = None
    gz_payload: bytes | None = None
    etag: str | None = None
    last_modified: datetime | None = None
    server: str = "nginx"

    def wire(self, accept_gzip: bool) -> tuple[bytes, bytes]:
        """Head (without the final blank line) and payload for a client."""
        if accept_gzip and self.gz_head is not None and self.gz_payload is not None:
            return self.gz_head, self.gz_payload
        return self.head, self.payload

    def matches(self, headers: Mapping[str, str]) -> bool:
        """Whether a ``GET``'s precondition headers let the server answer ``304``.

        ``If-None-Match`` (weak comparison) decides when present; otherwise
        ``If-Modified-Since`` does, against ``Last-Modified`` (RFC 9110 section 13.2.2).
        """
        if self.status != 200 or (self.etag is None and self.last_modified is None):
            return False
        lowered = {k.lower(): v for k, v in headers.items()}
        inm = lowered.get("if-none-match")
        if inm is not None:
            if self.etag is None:
                return False
            if inm.strip() == "*":
                return True
            mine = _opaque(self.etag)
            return any(_opaque(tag) == mine for tag in inm.split(","))
        ims = lowered.get("if-modified-since")
        if ims is None or self.last_modified is None:
            return False
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            return False
        return int(self.last_modified.timestamp()) <= int(since.timestamp())

    def not_modified(self) -> Resource:
        """The ``304`` for this resource: its validators, no content."""
        headers = [("Server", self.server)]
        if self.etag is not None:
            headers.append(("ETag", self.etag))
        if self.last_modified is not None:
            headers.append(("Last-Modified", http_date(self.last_modified)))
        if self.gz_head is not None:
            headers.append(("Vary", "Accept-Encoding"))
        return Resource(304, self.content_type, b"", "length", _head(304, headers), b"")


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def http_date(moment: datetime) -> str:
    """``moment`` as an HTTP-date (``Sun, 06 Nov 1994 08:49:37 GMT``)."""
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)


def make_resource(
    status: int,
    body: bytes,
    content_type: str = HTML,
    mode: str = "length",
    *,
    headers: Iterable[tuple[str, str]] = (),
    server: str = "nginx",
    etag: str | None = None,
    last_modified: datetime | None = None,
) -> Resource:
    """Build the wire bytes of a response sent the ``mode`` way (see module doc).

    ``etag``/``last_modified`` add the validators (headers ``ETag``, ``Last-Modified``).
    """
    if mode not in MODES:
        raise ValueError(f"unknown transfer mode {mode!r}")
    base = [("Server", server), ("Content-Type", content_type), *headers]
    if etag is not None:
        base.append(("ETag", etag))
    if last_modified is not None:
        base.append(("Last-Modified", http_date(last_modified)))
    if mode == "chunked":
        head = _head(status, [*base, ("Transfer-Encoding", "chunked")])
        return Resource(
            status,
            content_type,
            body,
            mode,
            head,
            chunk_frame(body),
            etag=etag,
            last_modified=last_modified,
            server=server,
        )
    if mode == "gzip":
        vary = [*base, ("Vary", "Accept-Encoding")]
        zipped = gzip.compress(body, compresslevel=6, mtime=0)
        return Resource(
            status,
            content_type,
            body,
            mode,
            _head(status, [*vary, ("Content-Length", str(len(body)))]),
            body,
            _head(
                status,
                [*vary, ("Content-Encoding", "gzip"), ("Content-Length", str(len(zipped)))],
            ),
            zipped,
            etag=etag,
            last_modified=last_modified,
            server=server,
        )
    head = _head(status, [*base, ("Content-Length", str(len(body)))])
    return Resource(
        status,
        content_type,
        body,
        mode,
        head,
        body,
        etag=etag,
        last_modified=last_modified,
        server=server,
    )


class ModePicker:
    """Deals transfer modes round-robin per page type, so each type meets all three."""

    def __init__(self) -> None:
        self._counters: dict[str, int] = {}

    def next(self, page_type: str) -> str:
        """The mode of the next page of ``page_type``."""
        start = zlib.crc32(page_type.encode()) % len(MODES)
        i = self._counters.get(page_type, start)
        self._counters[page_type] = i + 1
        return MODES[i % len(MODES)]


def mode_for_path(path: str) -> str:
    """A deterministic mode for responses made on demand (by a hash of the path)."""
    return MODES[zlib.crc32(path.encode("utf-8", "surrogateescape")) % len(MODES)]


Dynamic = Callable[[str, str], "Resource | None"]


class HostSite:
    """Every response of one replica host, keyed by request target (path + query)."""

    #: Cap on responses made on demand that are kept for the next identical request.
    CACHE_LIMIT = 20_000

    def __init__(self, key: str, origin: str, server: str, picker: ModePicker) -> None:
        self.key = key
        self.origin = origin
        self.server = server
        self.picker = picker
        self.pages: dict[str, Resource] = {}
        #: (path, query) -> Resource or None; consulted when the target is not in pages.
        self.dynamic: Dynamic | None = None
        self.not_found = make_resource(404, b"", server=server)
        self._cache: dict[str, Resource] = {}
        #: page type of each pre-rendered target (for tests and statistics).
        self.page_types: dict[str, str] = {}

    def add(
        self,
        target: str,
        body: str | bytes,
        page_type: str,
        content_type: str = HTML,
        *,
        status: int = 200,
        encoding: str = "utf-8",
        mode: str | None = None,
        etag: str | None = None,
        last_modified: datetime | None = None,
    ) -> Resource:
        """Pre-render ``body`` at ``target``; the transfer mode is dealt per page type."""
        raw = body.encode(encoding) if isinstance(body, str) else body
        res = make_resource(
            status,
            raw,
            content_type,
            mode or self.picker.next(page_type),
            server=self.server,
            etag=etag,
            last_modified=last_modified,
        )
        self.pages[target] = res
        self.page_types[target] = page_type
        return res

    def redirect(self, location: str, status: int = 301) -> Resource:
        """A small redirect response to ``location``."""
        body = (
            f"<html><head><title>{status} {HTTPStatus(status).phrase}</title></head><body>"
            f'<h1>{HTTPStatus(status).phrase}</h1><a href="{location}">{location}</a>'
            "</body></html>\n"
        ).encode()
        return make_resource(status, body, headers=[("Location", location)], server=self.server)

    def lookup(self, target: str) -> Resource:
        """The response for a request target (origin-form ``/path?query``)."""
        res = self.pages.get(target)
        if res is not None:
            return res
        res = self._cache.get(target)
        if res is not None:
            return res
        path, _, query = target.partition("?")
        res = self.dynamic(path, query) if self.dynamic else None
        if res is None:
            res = self.pages.get(path) if query else None
        if res is None and not path.endswith("/") and (path + "/") in self.pages:
            res = self.redirect(f"{self.origin}{path}/")
        if res is None:
            res = self.not_found
        if len(self._cache) < self.CACHE_LIMIT:
            self._cache[target] = res
        return res


def origin_form(target: str) -> str:
    """Reduce an absolute-form request target (``http://h/p?q``) to ``/p?q``."""
    if target.startswith("/"):
        return target
    if "://" in target:
        parts = urlsplit(target)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return target
