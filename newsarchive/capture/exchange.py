"""One HTTP exchange as it was on the wire: :class:`WireCapture`, and its stand-in.

The capturing download handler (:mod:`newsarchive.capture.handler`) fills a
:class:`WireCapture` while the exchange happens and leaves it in
``request.meta[CAPTURE_META_KEY]``; the WARC archiver writes it. For a response that
another download handler fetched, :func:`reconstruct_capture` rebuilds an approximation
from Scrapy's request and response (counted in ``newsarchive/warc/reconstructed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

__all__ = ["CAPTURE_META_KEY", "TRUNCATED_META_KEY", "WireCapture", "reconstruct_capture"]

#: The ``request.meta`` key the handler leaves the :class:`WireCapture` under.
CAPTURE_META_KEY = "newsarchive_capture"
#: The ``request.meta`` key set to the ``WARC-Truncated`` reason of a cut-short capture.
TRUNCATED_META_KEY = "newsarchive_truncated"


@dataclass(eq=False)
class WireCapture:
    """The bytes of one HTTP exchange as they were on the wire."""

    started_at: datetime
    """When the request began to be written (aware, UTC): the exchange's WARC-Date."""
    ip_address: str | None = None
    """The peer's IP address (the proxy's, when a proxy is used)."""
    request: bytes | bytearray = b""
    """Everything written for the request: request line, headers (with Host), body."""
    response_head: bytes | bytearray = b""
    """Status line and header lines as received, up to and including the empty line."""
    response_body: bytes | bytearray = b""
    """The body bytes as received: content-encoded, with chunked framing if chunked."""
    entity: bytes | bytearray | None = None
    """The body with the transfer coding undone (the WARC payload); None: same as
    :attr:`response_body`."""
    complete: bool = False
    """True once the whole response arrived."""
    truncated: str | None = None
    """``WARC-Truncated`` reason when cut short: ``length``, ``time``, ``disconnect`` or
    ``unspecified``."""
    reconstructed: bool = False
    """True when rebuilt from Scrapy's request/response (see :func:`reconstruct_capture`)."""
    protocol: str = "HTTP/1.1"
    tls: dict[str, str] = field(default_factory=dict)
    """The TLS session of an ``https`` exchange: ``version`` and ``cipher``."""

    @property
    def payload(self) -> bytes | bytearray:
        """The WARC payload: the entity-body with any transfer coding removed."""
        return self.response_body if self.entity is None else self.entity


def _status_line(protocol: str | None, status: int) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return f"{protocol or 'HTTP/1.1'} {status} {reason}\r\n".encode("latin-1")


def reconstruct_capture(request: Request, response: Response) -> WireCapture:
    """Rebuild an approximate :class:`WireCapture` from Scrapy's request and response.

    For responses the capturing handler did not see (another handler, or its fallback).
    The status line uses ``response.protocol`` and the standard reason phrase, the headers
    are Scrapy's (one line per value), the body is ``response.body`` (still
    content-encoded; chunked framing already gone, so ``Content-Length`` is set to match).
    The request gets a ``Host`` header and an origin-form request line.
    """
    url = urlsplit(response.url)
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    request_lines = [f"{request.method} {target} HTTP/1.1\r\n".encode("latin-1")]
    if b"Host" not in request.headers:
        host = url.netloc.rpartition("@")[2]
        request_lines.append(f"Host: {host}\r\n".encode("ascii", "replace"))
    for name, values in request.headers.items():
        request_lines.extend(name + b": " + value + b"\r\n" for value in values)
    if request.body and b"Content-Length" not in request.headers:
        request_lines.append(b"Content-Length: %d\r\n" % len(request.body))
    request_lines.append(b"\r\n")

    body = response.body
    head = [_status_line(response.protocol, response.status)]
    for name, values in response.headers.items():
        if name.lower() in (b"content-length", b"transfer-encoding"):
            continue
        head.extend(name + b": " + value + b"\r\n" for value in values)
    head.append(b"Content-Length: %d\r\n\r\n" % len(body))

    ip = getattr(response, "ip_address", None)
    return WireCapture(
        started_at=datetime.now(UTC),
        ip_address=str(ip) if ip is not None else None,
        request=b"".join(request_lines) + (request.body or b""),
        response_head=b"".join(head),
        response_body=body,
        complete=True,
        reconstructed=True,
    )
