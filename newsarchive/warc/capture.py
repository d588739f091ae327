"""A Scrapy HTTP/1.1 download handler that keeps the exact bytes on the wire.

By the time Scrapy hands a response around, twisted has already parsed it: the reason
phrase is gone, header names are re-capitalised, ``Transfer-Encoding``, ``Connection`` and
``Keep-Alive`` are dropped, the chunked framing is removed, and the request's ``Host``
header (added by twisted) was never in ``request.headers``. A WARC must hold what was
sent and received, so this handler records it underneath twisted's parser:

* :class:`_CapturingHTTP11ClientProtocol` wraps its transport's ``write`` and
  ``writeSequence`` to collect the request bytes actually sent (request line, headers
  with ``Host``, body), and swaps the response parser's class for
  :class:`_CapturingHTTPClientParser`;
* the parser records the raw status line and header lines as they arrive, every raw body
  byte before any de-chunking, and subtracts the bytes past the end of the response that
  twisted hands to ``_finished``;
* :class:`_CapturingScrapyAgent` moves the resulting :class:`WireCapture` from the twisted
  response to ``request.meta["newsarchive_capture"]``, where
  :class:`newsarchive.warc.extension.WarcCaptureExtension` picks it up on
  ``response_downloaded``.

This reaches into Scrapy's private HTTP/1.1 handler classes; ``pyproject.toml`` pins
``scrapy>=2.19,<2.20`` for that reason, and ``tests/test_warc_capture.py`` fails loudly
if an upgrade changes the code it depends on. Should the hook fail at run time anyway,
the extension still archives a reconstruction and counts it in
``newsarchive/warc/reconstructed``.

Enable it for both schemes::

    DOWNLOAD_HANDLERS = {
        "http": "newsarchive.warc.capture.CapturingHTTP11DownloadHandler",
        "https": "newsarchive.warc.capture.CapturingHTTP11DownloadHandler",
    }
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
    _ScrapyAgent,
)
from scrapy.exceptions import ResponseDataLossError
from scrapy.utils._download_handlers import get_dataloss_msg, wrap_twisted_exceptions
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.deprecate import warn_on_deprecated_spider_attribute
from twisted.web._newclient import BODY, STATUS

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.internet.defer import Deferred
    from twisted.internet.interfaces import IAddress
    from twisted.web._newclient import HTTP11ClientProtocol
    from twisted.web._newclient import Request as TxRequest
    from twisted.web.iweb import IResponse

logger = logging.getLogger(__name__)

__all__ = [
    "CAPTURE_META_KEY",
    "CapturingHTTP11DownloadHandler",
    "WireCapture",
    "reconstruct_capture",
]

#: The ``request.meta`` key the handler leaves the :class:`WireCapture` under.
CAPTURE_META_KEY = "newsarchive_capture"
#: Attribute of the twisted response object that carries the capture to the agent.
_TX_ATTR = "_newsarchive_capture"

_T = TypeVar("_T")


@dataclass(eq=False)
class WireCapture:
    """The bytes of one HTTP exchange as they were on the wire.

    Filled in while the exchange happens, complete once Scrapy has the whole response.
    """

    started_at: datetime
    """When the request began to be written (aware, UTC): the exchange's WARC-Date."""
    ip_address: str | None = None
    """The peer's IP address (the proxy's, when a proxy is used)."""
    request: bytearray = field(default_factory=bytearray)
    """Everything written for the request: request line, headers (with Host), body."""
    response_head: bytearray = field(default_factory=bytearray)
    """Status line and header lines as received, up to and including the empty line."""
    response_body: bytearray = field(default_factory=bytearray)
    """The body bytes as received: content-encoded, with chunked framing if chunked."""
    complete: bool = False
    """True once the parser saw the end of the response (False for read-until-close)."""
    reconstructed: bool = False
    """True when rebuilt from Scrapy's request/response (see :func:`reconstruct_capture`)."""


# -- twisted layer ---------------------------------------------------------------------


class _CapturingHTTPClientParser(_LenientHTTPClientParser):
    """Scrapy's lenient response parser that also records the raw bytes it is fed.

    Objects get this class by ``__class__`` assignment (as Scrapy does for its own
    parser), so the only state is ``_newsarchive_capture``, with a class default.
    """

    _newsarchive_capture: WireCapture | None = None

    def lineReceived(self, line: bytes) -> None:
        capture = self._newsarchive_capture
        if capture is not None:
            if self.state == STATUS:
                # A new message starts: drop any interim 1xx response recorded before.
                capture.response_head.clear()
            # LineReceiver strips only the delimiter (b"\n"); any b"\r" is still there.
            capture.response_head += line + self.delimiter
        super().lineReceived(line)

    def rawDataReceived(self, data: bytes) -> None:
        capture = self._newsarchive_capture
        if capture is not None and not capture.complete:
            capture.response_body += data
        super().rawDataReceived(data)

    def _finished(self, rest: bytes) -> None:
        capture = self._newsarchive_capture
        if capture is not None and not capture.complete:
            # In body mode, ``rest`` is the tail of the data just recorded that lies
            # past the end of this response; in header mode no body was recorded.
            if self.state == BODY and rest:
                del capture.response_body[max(0, len(capture.response_body) - len(rest)) :]
            capture.complete = True
        super()._finished(rest)


def _hook_transport_writes(protocol: _CapturingHTTP11ClientProtocol) -> None:
    """Wrap the transport's ``write``/``writeSequence`` once per connection.

    Everything written goes to the capture of the request in flight. The depth counter
    keeps writes nested inside another (TLS's ``writeSequence`` calls ``write``) from
    being recorded twice.
    """
    transport: Any = protocol.transport
    if transport is None or getattr(transport, "_newsarchive_hooked", False):
        return
    original_write = transport.write
    original_write_sequence = transport.writeSequence
    depth = 0

    def record(data: bytes) -> None:
        capture = protocol._newsarchive_capture
        if depth == 0 and capture is not None:
            capture.request += data

    def write(data: bytes) -> None:
        nonlocal depth
        record(data)
        depth += 1
        try:
            original_write(data)
        finally:
            depth -= 1

    def write_sequence(iovec: list[bytes]) -> None:
        nonlocal depth
        iovec = list(iovec)
        record(b"".join(iovec))
        depth += 1
        try:
            original_write_sequence(iovec)
        finally:
            depth -= 1

    transport.write = write
    transport.writeSequence = write_sequence
    transport._newsarchive_hooked = True


class _CapturingHTTP11ClientProtocol(_LenientHTTP11ClientProtocol):
    """Scrapy's HTTP/1.1 client protocol, recording each exchange into a WireCapture."""

    _newsarchive_capture: WireCapture | None = None
    _newsarchive_warned = False

    def request(self, request: TxRequest) -> Deferred[IResponse]:
        capture = WireCapture(started_at=datetime.now(UTC))
        try:
            capture.ip_address = self.transport.getPeer().host  # type: ignore[union-attr]
        except Exception:  # e.g. a transport without an IP peer
            capture.ip_address = None
        # The request is written inside super().request(), so hook the writes first.
        self._newsarchive_capture = capture
        _hook_transport_writes(self)
        d = super().request(request)
        parser = self._parser
        if parser is not None and type(parser) is _LenientHTTPClientParser:
            # Safe for the same reason as Scrapy's own swap: no data has reached the
            # parser yet (it arrives from the reactor after we return).
            parser.__class__ = _CapturingHTTPClientParser
            parser._newsarchive_capture = capture  # type: ignore[attr-defined]
        else:
            if not _CapturingHTTP11ClientProtocol._newsarchive_warned:
                _CapturingHTTP11ClientProtocol._newsarchive_warned = True
                logger.warning(
                    "newsarchive WARC capture: unexpected HTTP parser %r; responses will "
                    "be archived from reconstructions (has Scrapy changed?)",
                    type(parser),
                )
            return d

        def attach(response: IResponse) -> IResponse:
            setattr(response, _TX_ATTR, capture)
            return response

        d.addCallback(attach)
        return d


class _CapturingHTTP11ClientFactory(_LenientHTTP11ClientFactory):
    """Builds :class:`_CapturingHTTP11ClientProtocol` protocols for the pool."""

    def buildProtocol(self, addr: IAddress | None) -> HTTP11ClientProtocol:
        return _CapturingHTTP11ClientProtocol(self._quiescentCallback)  # type: ignore[no-untyped-call]


# -- Scrapy layer ----------------------------------------------------------------------


class _CapturingScrapyAgent(_ScrapyAgent):
    """Scrapy's agent, moving the capture from the twisted response to ``request.meta``.

    ``_cb_latency`` is the first callback that sees both the twisted response and the
    Scrapy request; the capture object is still being filled with the body then, and is
    complete when the handler returns the response.
    """

    def _cb_latency(self, result: _T, request: Request, start_time: float) -> _T:
        capture = getattr(result, _TX_ATTR, None)
        if capture is not None:
            request.meta[CAPTURE_META_KEY] = capture
        return super()._cb_latency(result, request, start_time)


class CapturingHTTP11DownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 download handler that leaves a :class:`WireCapture` in meta.

    With ``NEWSARCHIVE_WARC_ENABLED = False`` it behaves exactly as Scrapy's handler.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._newsarchive_capture = crawler.settings.getbool("NEWSARCHIVE_WARC_ENABLED", True)
        if self._newsarchive_capture:
            self._pool._factory = _CapturingHTTP11ClientFactory

    async def download_request(self, request: Request) -> Response:
        # A capture left over from an earlier attempt (a retry copies meta) is stale.
        request.meta.pop(CAPTURE_META_KEY, None)
        # ---- copied from HTTP11DownloadHandler.download_request (Scrapy 2.19); the
        # only change is the agent class. tests/test_warc_capture.py compares the two.
        if hasattr(self._crawler.spider, "download_maxsize"):  # pragma: no cover
            warn_on_deprecated_spider_attribute("download_maxsize", "DOWNLOAD_MAXSIZE")
        if hasattr(self._crawler.spider, "download_warnsize"):  # pragma: no cover
            warn_on_deprecated_spider_attribute("download_warnsize", "DOWNLOAD_WARNSIZE")

        agent_class = _CapturingScrapyAgent if self._newsarchive_capture else _ScrapyAgent
        agent = agent_class(
            contextFactory=self._contextFactory,
            bindAddress=self._bind_address,
            pool=self._pool,
            maxsize=getattr(self._crawler.spider, "download_maxsize", self._default_maxsize),
            warnsize=getattr(self._crawler.spider, "download_warnsize", self._default_warnsize),
            fail_on_dataloss=self._fail_on_dataloss,
            crawler=self._crawler,
            tls_verbose_logging=self._tls_verbose_logging,
        )
        try:
            with wrap_twisted_exceptions():
                return await maybe_deferred_to_future(agent.download_request(request))
        except ResponseDataLossError:
            if not self._fail_on_dataloss_warned:
                logger.warning(get_dataloss_msg(request.url))
                self._fail_on_dataloss_warned = True
            raise
        # ---- end of copy


# -- fallback --------------------------------------------------------------------------


def _status_line(protocol: str | None, status: int) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return f"{protocol or 'HTTP/1.1'} {status} {reason}\r\n".encode("latin-1")


def reconstruct_capture(request: Request, response: Response) -> WireCapture:
    """Rebuild an approximate :class:`WireCapture` from Scrapy's request and response.

    For responses the capturing handler did not see (another handler, or the hook
    failed). The status line uses ``response.protocol`` and the standard reason phrase,
    the headers are Scrapy's (one line per value), the body is ``response.body`` (still
    content-encoded; chunked framing already gone, so ``Content-Length`` is set to match).
    The request gets a ``Host`` header and an origin-form request line.
    """
    url = urlsplit(response.url)
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    request_lines = [f"{request.method} {target} HTTP/1.1\r\n".encode("latin-1")]
    if b"Host" not in request.headers:
        # The URL is ASCII (Scrapy escapes it), netloc without userinfo is what twisted sends.
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
        if name.lower() == b"content-length":
            continue
        head.extend(name + b": " + value + b"\r\n" for value in values)
    head.append(b"Content-Length: %d\r\n\r\n" % len(body))

    ip = getattr(response, "ip_address", None)
    return WireCapture(
        started_at=datetime.now(UTC),
        ip_address=str(ip) if ip is not None else None,
        request=bytearray(b"".join(request_lines) + (request.body or b"")),
        response_head=bytearray(b"".join(head)),
        response_body=bytearray(body),
        complete=True,
        reconstructed=True,
    )
