"""A Scrapy download handler that keeps the exact bytes on the wire.

:class:`CapturingDownloadHandler` implements Scrapy's public download handler API
(``BaseDownloadHandler``, ``docs/topics/download-handlers.rst``) with an HTTP/1.1 client
of its own on asyncio (:mod:`newsarchive.capture.connection`, the lenient parser of
:mod:`newsarchive.http.message`). Because it writes and reads the socket itself, it knows
what a WARC must hold and Scrapy's response no longer shows: the request as sent (``Host``
included), the status line with its reason phrase, every header line as received, the
body still content-encoded and with its chunked framing, the peer's IP address. It leaves
them in ``request.meta["newsarchive_capture"]`` (:class:`~newsarchive.capture.exchange.
WireCapture`) for the WARC archiver.

It honours what Scrapy's own HTTP/1.1 handler does: ``download_timeout``,
``DOWNLOAD_MAXSIZE``/``download_maxsize``, ``DOWNLOAD_WARNSIZE``,
``DOWNLOAD_FAIL_ON_DATALOSS``, ``bindaddress``, HTTP proxies (``meta["proxy"]``, ``CONNECT``
tunnels for https), the ``headers_received``/``bytes_received`` signals with
``StopDownload``, keep-alive connections, and Scrapy's download exceptions (so
``RetryMiddleware`` retries what it would retry). It needs the asyncio reactor, Scrapy's
default.

A response cut short keeps what arrived: the capture gets a ``WARC-Truncated`` reason
(``length`` past the size limit, ``time`` on a timeout, ``disconnect`` when the server
closed early) and the handler sends :data:`newsarchive.signals.capture_failed` before it
raises, so the archiver stores it. Should the handler itself fail (a bug, not the
network), the request is downloaded again by Scrapy's own handler and archived as a
reconstruction (``newsarchive/capture/fallbacks``, ``newsarchive/warc/reconstructed``):
a page is never lost to the capture.

Enable it for both schemes::

    DOWNLOAD_HANDLERS = {
        "http": "newsarchive.capture.handler.CapturingDownloadHandler",
        "https": "newsarchive.capture.handler.CapturingDownloadHandler",
    }
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import unquote, urlsplit

from scrapy import signals
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
    StopDownload,
)
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from twisted.python.failure import Failure

from newsarchive import signals as na_signals
from newsarchive.capture.connection import (
    Connection,
    ConnectionPool,
    Origin,
    TunnelError,
    client_tls_context,
)
from newsarchive.capture.exchange import CAPTURE_META_KEY, TRUNCATED_META_KEY, WireCapture
from newsarchive.http.message import HttpParseError, ResponseParser

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

__all__ = ["CaptureConfig", "CapturingDownloadHandler"]

#: Headers about the connection, not the response: not handed to Scrapy (as Twisted does).
_CONNECTION_HEADERS = frozenset(
    {"transfer-encoding", "connection", "keep-alive", "te", "trailers", "upgrade",
     "proxy-connection"}
)  # fmt: skip
_STAT = "newsarchive/capture/"


class _NetworkError(Exception):
    """A failure of the network or the server, not of the handler."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class CaptureConfig:
    """The handler's settings (Scrapy's ``DOWNLOAD_*`` plus ``NEWSARCHIVE_CAPTURE_*``)."""

    enabled: bool = True
    """``NEWSARCHIVE_WARC_ENABLED``: leave captures in ``request.meta`` for the archive."""
    timeout: float = 180.0
    """``DOWNLOAD_TIMEOUT``; ``meta["download_timeout"]`` wins."""
    maxsize: int = 0
    """``DOWNLOAD_MAXSIZE`` (0: none); ``meta["download_maxsize"]`` wins."""
    warnsize: int = 0
    """``DOWNLOAD_WARNSIZE``; ``meta["download_warnsize"]`` wins."""
    fail_on_dataloss: bool = True
    """``DOWNLOAD_FAIL_ON_DATALOSS``; ``meta["download_fail_on_dataloss"]`` wins."""
    max_idle_per_origin: int = 8
    """``CONCURRENT_REQUESTS_PER_DOMAIN``: idle keep-alive connections kept per origin."""
    idle_timeout: float = 60.0
    """``NEWSARCHIVE_CAPTURE_IDLE_TIMEOUT``: an idle connection older than this is closed."""
    tls_ciphers: str = "DEFAULT"
    """``DOWNLOADER_CLIENT_TLS_CIPHERS``."""
    fallback: bool = True
    """``NEWSARCHIVE_CAPTURE_FALLBACK``: on a handler failure, download with Scrapy's own
    handler (archived as a reconstruction) instead of failing the request."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(
            enabled=settings.getbool("NEWSARCHIVE_WARC_ENABLED", True),
            timeout=settings.getfloat("DOWNLOAD_TIMEOUT", 180.0),
            maxsize=settings.getint("DOWNLOAD_MAXSIZE", 0),
            warnsize=settings.getint("DOWNLOAD_WARNSIZE", 0),
            fail_on_dataloss=settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS", True),
            max_idle_per_origin=max(1, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 8)),
            idle_timeout=settings.getfloat("NEWSARCHIVE_CAPTURE_IDLE_TIMEOUT", 60.0),
            tls_ciphers=settings.get("DOWNLOADER_CLIENT_TLS_CIPHERS") or "DEFAULT",
            fallback=settings.getbool("NEWSARCHIVE_CAPTURE_FALLBACK", True),
        )


class CapturingDownloadHandler(BaseDownloadHandler):
    """Download ``http``/``https`` requests, recording each exchange (see the module)."""

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.config = CaptureConfig.from_settings(crawler.settings)
        self.pool = ConnectionPool(
            tls_context=client_tls_context(self.config.tls_ciphers),
            max_idle_per_origin=self.config.max_idle_per_origin,
            idle_timeout=self.config.idle_timeout,
        )
        self._fallback_handler: Any = None
        self._dataloss_warned = False

    async def close(self) -> None:
        await self.pool.close()
        if self._fallback_handler is not None:
            await self._fallback_handler.close()

    # -- the download ----------------------------------------------------------------

    async def download_request(self, request: Request) -> Response:
        # a capture left over from an earlier attempt (a retry copies meta) is stale
        request.meta.pop(CAPTURE_META_KEY, None)
        request.meta.pop(TRUNCATED_META_KEY, None)
        try:
            return await self._download(request)
        except _NetworkError as exc:
            raise exc.error from exc.error.__cause__
        except (asyncio.CancelledError, StopDownload, DownloadCancelledError):
            raise
        except Exception as exc:
            if not self.config.fallback:
                raise
            return await self._fall_back(request, exc)

    async def _fall_back(self, request: Request, exc: Exception) -> Response:
        """Download with Scrapy's own handler after a failure of this one."""
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(_STAT + "fallbacks")
        logger.error(
            "The capturing download handler failed on %s (%s: %s); downloading it with "
            "Scrapy's own handler, archived as a reconstruction",
            request.url,
            type(exc).__name__,
            exc,
            exc_info=True,
        )
        request.meta.pop(CAPTURE_META_KEY, None)
        if self._fallback_handler is None:
            from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
            from scrapy.utils.misc import build_from_crawler

            self._fallback_handler = build_from_crawler(HTTP11DownloadHandler, self.crawler)
        response: Response = await self._fallback_handler.download_request(request)
        return response

    async def _download(self, request: Request) -> Response:
        url = urlsplit(request.url)
        scheme = url.scheme.lower()
        host = url.hostname or ""
        if scheme not in ("http", "https") or not host:
            raise DownloadFailedError(f"cannot download {request.url}: not an http(s) URL")
        port = url.port or (443 if scheme == "https" else 80)
        origin, via_proxy = self._origin(request, scheme, host, port)
        meta = request.meta
        timeout = float(meta.get("download_timeout") or self.config.timeout)
        maxsize = int(meta.get("download_maxsize", self.config.maxsize) or 0)
        warnsize = int(meta.get("download_warnsize", self.config.warnsize) or 0)
        head = _request_head(request, url, host, port, scheme, absolute=via_proxy)
        wire = head + (request.body or b"")

        capture = WireCapture(started_at=datetime.now(UTC), request=wire)
        parser = ResponseParser(method=request.method)
        start = time.monotonic()
        conn: Connection | None = None
        try:
            async with asyncio.timeout(timeout):
                conn = await self._send(origin, wire, capture)
                try:
                    stop = await self._receive(conn, parser, request, maxsize, warnsize)
                except _StaleConnection:
                    # the server closed the kept-alive connection meanwhile: a new one
                    self._discard(conn)
                    conn = await self._send(origin, wire, capture, fresh=True)
                    stop = await self._receive(conn, parser, request, maxsize, warnsize)
        except TimeoutError:
            self._discard(conn)
            self._cut_short(request, capture, parser, "time")
            raise _NetworkError(
                DownloadTimeoutError(f"Getting {request.url} took longer than {timeout} seconds.")
            ) from None
        except _SizeExceeded as exc:
            self._discard(conn)
            self._cut_short(request, capture, parser, "length")
            raise DownloadCancelledError(str(exc)) from None
        except _NetworkError:
            self._discard(conn)
            if parser.head is not None:
                self._cut_short(request, capture, parser, "disconnect")
            raise
        except BaseException:
            self._discard(conn)
            raise
        meta["download_latency"] = time.monotonic() - start
        assert conn is not None and parser.head is not None

        flags: list[str] = []
        if stop is not None:
            flags.append("download_stopped")
            capture.truncated = "unspecified"
            self._discard(conn)
        elif not parser.complete:
            self._discard(conn)
            capture.truncated = "disconnect"
            if meta.get("download_fail_on_dataloss", self.config.fail_on_dataloss):
                if not self._dataloss_warned:
                    self._dataloss_warned = True
                    logger.warning(
                        "Got data loss in %s. If you want to process broken responses set "
                        "the setting DOWNLOAD_FAIL_ON_DATALOSS = False -- This message "
                        "won't be shown in further requests",
                        request.url,
                    )
                self._cut_short(request, capture, parser, "disconnect")
                raise ResponseDataLossError(f"data loss in {request.url}")
            flags.append("dataloss")
        else:
            if parser.kind == "close":
                flags.append("partial")
            if _keep_alive(parser):
                self.pool.release(origin, conn)
            else:
                self._discard(conn)
        capture.complete = parser.complete and stop is None
        self._attach(request, capture, parser)
        response = self._response(request, parser, capture, flags)
        if stop is not None and stop.fail:
            stop.response = response
            raise stop
        return response

    def _origin(self, request: Request, scheme: str, host: str, port: int) -> tuple[Origin, bool]:
        """Where to connect, and whether the request line takes the absolute URL."""
        bind = request.meta.get("bindaddress")
        if isinstance(bind, str):
            bind = (bind, 0)
        proxy = request.meta.get("proxy")
        if not proxy:
            return Origin(scheme, host, port, bind=bind), False
        parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        proxy_addr = (parts.hostname or "", parts.port or 8080)
        if scheme == "https":
            auth = request.headers.get(b"Proxy-Authorization")
            return Origin(scheme, host, port, proxy_addr, auth, bind), False
        return Origin(scheme, host, port, proxy_addr, None, bind), True

    async def _send(
        self, origin: Origin, wire: bytes, capture: WireCapture, *, fresh: bool = False
    ) -> Connection:
        """Write the request on an idle connection (or a new one); return the connection."""
        conn = None if fresh else self.pool.take_idle(origin)
        if conn is None:
            conn = await self._connect(origin)
        capture.started_at = datetime.now(UTC)
        capture.ip_address = conn.peer_ip
        capture.tls = conn.tls
        conn.exchanges += 1
        conn.write(wire)
        return conn

    async def _connect(self, origin: Origin) -> Connection:
        where = f"{origin.host}:{origin.port}"
        try:
            return await self.pool.connect(origin)
        except socket.gaierror as exc:
            error: Exception = CannotResolveHostError(f"cannot resolve {origin.host}: {exc}")
            raise _NetworkError(error) from exc
        except ConnectionRefusedError as exc:
            raise _NetworkError(DownloadConnectionRefusedError(f"{where}: {exc}")) from exc
        except TunnelError as exc:
            raise _NetworkError(DownloadFailedError(str(exc))) from exc
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError too
            error = DownloadFailedError(f"cannot connect to {where}: {exc}")
            raise _NetworkError(error) from exc

    async def _receive(
        self,
        conn: Connection,
        parser: ResponseParser,
        request: Request,
        maxsize: int,
        warnsize: int,
    ) -> StopDownload | None:
        """Read the response into ``parser``; return a StopDownload a signal asked for."""
        warned = False
        first_read = conn.exchanges > 1  # a reused connection may have been closed meanwhile
        while not parser.complete:
            try:
                data = await conn.read()
            except OSError as exc:
                raise _NetworkError(DownloadFailedError(f"{request.url}: {exc}")) from exc
            if not data:
                parser.eof()
                if parser.head is None:
                    reason = conn.error or "the server closed the connection"
                    if first_read and not parser.raw_head:
                        raise _StaleConnection()
                    raise _NetworkError(
                        DownloadFailedError(f"no response for {request.url}: {reason}")
                    )
                break
            first_read = False
            had_head = parser.head is not None
            try:
                used = parser.feed(data)
            except HttpParseError as exc:
                raise _NetworkError(
                    DownloadFailedError(f"{request.url}: not an HTTP/1.x response: {exc}")
                ) from exc
            if used < len(data):  # bytes past the response: the connection is spoilt
                conn.closed = True
            if parser.head is not None and not had_head:
                if (stop := self._signal_headers(request, parser)) is not None:
                    return stop
                if maxsize and parser.kind == "length" and parser.expected > maxsize:
                    raise _SizeExceeded(
                        f"Expected to receive {parser.expected} bytes which is larger than "
                        f"download max size ({maxsize}) in request {request}."
                    )
            if parser.raw_body and (stop := self._signal_bytes(request, data[:used])):
                return stop
            size = len(parser.raw_body)
            if maxsize and size > maxsize:
                raise _SizeExceeded(
                    f"Received {size} bytes which is larger than download max size "
                    f"({maxsize}) in request {request}."
                )
            if warnsize and size > warnsize and not warned:
                warned = True
                logger.warning(
                    "Received %d bytes which is larger than download warn size (%d) in request %s.",
                    size,
                    warnsize,
                    request,
                )
        return None

    def _signal_headers(self, request: Request, parser: ResponseParser) -> StopDownload | None:
        assert parser.head is not None
        length = parser.expected if parser.kind == "length" else -1
        return self._stop_from(
            signals.headers_received,
            request,
            headers=_scrapy_headers(parser),
            body_length=length,
        )

    def _signal_bytes(self, request: Request, data: bytes) -> StopDownload | None:
        return self._stop_from(signals.bytes_received, request, data=data)

    def _stop_from(self, signal: object, request: Request, **kwargs: Any) -> StopDownload | None:
        results = self.crawler.signals.send_catch_log(
            signal=signal, request=request, spider=self.crawler.spider, **kwargs
        )
        for _, result in results:
            if isinstance(result, Failure) and isinstance(result.value, StopDownload):
                return result.value
        return None

    # -- results ---------------------------------------------------------------------

    def _attach(self, request: Request, capture: WireCapture, parser: ResponseParser) -> None:
        capture.response_head = bytes(parser.raw_head)
        capture.response_body = parser.raw_body
        if parser.kind == "chunked":
            capture.entity = parser.entity
        if parser.head is not None:
            capture.protocol = parser.head.protocol
        if self.config.enabled:
            request.meta[CAPTURE_META_KEY] = capture
        if capture.truncated:
            request.meta[TRUNCATED_META_KEY] = capture.truncated

    def _cut_short(
        self, request: Request, capture: WireCapture, parser: ResponseParser, reason: str
    ) -> None:
        """Hand a capture cut short to the archive (only if a response head arrived)."""
        if parser.head is None:
            return
        capture.truncated = reason
        self._attach(request, capture, parser)
        if self.config.enabled:
            self.crawler.signals.send_catch_log(
                signal=na_signals.capture_failed,
                request=request,
                capture=capture,
                reason=reason,
                spider=self.crawler.spider,
            )

    def _response(
        self, request: Request, parser: ResponseParser, capture: WireCapture, flags: list[str]
    ) -> Response:
        assert parser.head is not None and parser.head.status is not None
        headers = _scrapy_headers(parser)
        body = bytes(parser.entity)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        ip = None
        if capture.ip_address:
            try:
                ip = ipaddress.ip_address(capture.ip_address)
            except ValueError:
                ip = None
        return cls(
            url=request.url,
            status=parser.head.status,
            headers=headers,
            body=body,
            flags=flags,
            request=request,
            ip_address=ip,
            protocol=parser.head.protocol,
        )

    @staticmethod
    def _discard(conn: Connection | None) -> None:
        if conn is not None:
            conn.close()


class _SizeExceeded(Exception):
    """The response is larger than the download's max size."""


class _StaleConnection(Exception):
    """A reused keep-alive connection was closed by the server before answering."""


def _keep_alive(parser: ResponseParser) -> bool:
    head = parser.head
    if head is None or not parser.complete or parser.kind == "close":
        return False
    tokens = head.tokens("Connection")
    if "close" in tokens:
        return False
    return head.protocol != "HTTP/1.0" or "keep-alive" in tokens


def _scrapy_headers(parser: ResponseParser) -> Headers:
    """Scrapy's view of the response headers: connection-level ones left out, and
    ``Content-Length`` only for a body framed by it (as Scrapy's own handler does)."""
    assert parser.head is not None
    headers = Headers()
    for name, value in parser.head.headers:
        lowered = name.lower()
        if lowered in _CONNECTION_HEADERS:
            continue
        if lowered == "content-length" and parser.kind != "length":
            continue
        headers.appendlist(name, value)
    return headers


def _request_head(
    request: Request, url: Any, host: str, port: int, scheme: str, *, absolute: bool
) -> bytes:
    """The request line and header lines this handler writes (Host first)."""
    target = url.path or "/"
    if url.query:
        target += "?" + url.query
    if absolute:  # to an HTTP proxy: the absolute form
        target = f"{scheme}://{url.netloc.rpartition('@')[2]}{target}"
    lines = [f"{request.method} {target} HTTP/1.1".encode("latin-1")]
    if b"Host" not in request.headers:
        default = (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
        authority = _host_header(host) if default else f"{_host_header(host)}:{port}"
        lines.append(b"Host: " + authority.encode("ascii"))
    tunnel = scheme == "https"
    for name, values in request.headers.items():
        if tunnel and name.lower() == b"proxy-authorization":
            continue  # it went to the proxy in the CONNECT request
        lines.extend(name + b": " + value for value in values)
    body = request.body or b""
    if (body or request.method in ("POST", "PUT", "PATCH")) and (
        b"Content-Length" not in request.headers
    ):
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _host_header(host: str) -> str:
    """``host`` as a Host header writes it: IPv6 in brackets, names as IDNA."""
    if ":" in host:
        return f"[{host}]"
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return unquote(host)
