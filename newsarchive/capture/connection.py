"""Connections for the capturing handler: asyncio streams we can see every byte of.

:class:`Connection` is an :class:`asyncio.Protocol` that buffers what arrives and writes
what it is given, nothing in between, so the handler records the exchange exactly.
:class:`ConnectionPool` keeps idle keep-alive connections per origin (and proxy) and
opens new ones: plain TCP, TLS (with SNI, certificates not verified, as Scrapy's default
context does), or a TLS tunnel through an HTTP proxy (``CONNECT``). Standard library only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from newsarchive.http.message import HttpParseError, ResponseParser

__all__ = ["Connection", "ConnectionPool", "Origin", "TunnelError", "client_tls_context"]

_HIGH_WATER = 4 << 20  # pause reading when this much is buffered and unread


class TunnelError(OSError):
    """The proxy refused or broke a ``CONNECT`` tunnel."""


@dataclass(frozen=True)
class Origin:
    """Where a connection goes: the server (or the proxy) and how."""

    scheme: str
    host: str
    port: int
    proxy: tuple[str, int] | None = None
    """``(host, port)`` of an HTTP proxy, when the request goes through one."""
    proxy_auth: bytes | None = None
    """``Proxy-Authorization`` value for a ``CONNECT`` tunnel."""
    bind: tuple[str, int] | None = None
    """Local address to bind to (``meta["bindaddress"]``)."""

    @property
    def tunnel(self) -> bool:
        """True for ``https`` through a proxy: a ``CONNECT`` tunnel, then TLS."""
        return self.proxy is not None and self.scheme == "https"


def client_tls_context(ciphers: str | None = None) -> ssl.SSLContext:
    """A client TLS context that, like Scrapy's default one, does not verify certificates
    (an archive keeps what a site serves, valid certificate or not)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if ciphers and ciphers != "DEFAULT":
        context.set_ciphers(ciphers)
    context.set_alpn_protocols(["http/1.1"])
    return context


class Connection(asyncio.Protocol):
    """One TCP (or TLS) connection; bytes in, bytes out, nothing interpreted."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self.closed = False
        self.error: BaseException | None = None
        self.peer_ip: str | None = None
        self.tls: dict[str, str] = {}
        self.idle_since = 0.0
        self.exchanges = 0

    # -- asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.note_transport(transport)

    def note_transport(self, transport: asyncio.BaseTransport) -> None:
        """Remember the peer's address and the TLS session of ``transport``."""
        peer = transport.get_extra_info("peername")
        if isinstance(peer, tuple) and peer:
            self.peer_ip = str(peer[0])
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is not None:
            version = ssl_object.version()
            cipher = ssl_object.cipher()
            self.tls = {
                "version": version or "",
                "cipher": cipher[0] if cipher else "",
            }

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > _HIGH_WATER and self.transport is not None and not self._paused:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.error = exc
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    # -- the handler's side ----------------------------------------------------------

    async def read(self) -> bytes:
        """What has arrived since the last read; ``b""`` once the peer has closed."""
        while not self._buffer:
            if self.closed:
                return b""
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        data = bytes(self._buffer)
        self._buffer.clear()
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    def write(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    @property
    def usable(self) -> bool:
        """True for an idle connection that can carry another exchange."""
        return not self.closed and not self._buffer and self.transport is not None

    def close(self) -> None:
        """Close at once (abort: nothing more is wanted from this connection)."""
        self.closed = True
        if self.transport is not None:
            self.transport.abort()


class ConnectionPool:
    """Idle keep-alive connections per :class:`Origin`, and new ones on demand."""

    def __init__(
        self,
        *,
        tls_context: ssl.SSLContext,
        max_idle_per_origin: int = 8,
        idle_timeout: float = 60.0,
    ) -> None:
        self.tls_context = tls_context
        self.max_idle_per_origin = max_idle_per_origin
        self.idle_timeout = idle_timeout
        self._idle: dict[Origin, list[Connection]] = defaultdict(list)
        self.opened = 0

    def take_idle(self, origin: Origin) -> Connection | None:
        """A usable idle connection to ``origin``, or None."""
        idle = self._idle.get(origin)
        now = time.monotonic()
        while idle:
            conn = idle.pop()
            if conn.usable and now - conn.idle_since < self.idle_timeout:
                return conn
            conn.close()
        return None

    def release(self, origin: Origin, conn: Connection) -> None:
        """Keep ``conn`` for the next exchange with ``origin`` (or close it)."""
        idle = self._idle[origin]
        if not conn.usable or len(idle) >= self.max_idle_per_origin:
            conn.close()
            return
        conn.idle_since = time.monotonic()
        idle.append(conn)

    async def connect(self, origin: Origin) -> Connection:
        """Open a new connection to ``origin`` (through its proxy, TLS as its scheme says)."""
        loop = asyncio.get_running_loop()
        target_host, target_port = origin.proxy or (origin.host, origin.port)
        use_tls = origin.scheme == "https" and origin.proxy is None
        kwargs: dict[str, Any] = {}
        if use_tls:
            kwargs["ssl"] = self.tls_context
            kwargs["server_hostname"] = _sni(origin.host)
        if origin.bind is not None:
            kwargs["local_addr"] = origin.bind
        _, conn = await loop.create_connection(Connection, target_host, target_port, **kwargs)
        self.opened += 1
        if origin.tunnel:
            await self._tunnel(conn, origin)
        return conn

    async def _tunnel(self, conn: Connection, origin: Origin) -> None:
        authority = f"{origin.host}:{origin.port}"
        lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
        head = "\r\n".join(lines).encode("ascii") + b"\r\n"
        if origin.proxy_auth:
            head += b"Proxy-Authorization: " + origin.proxy_auth + b"\r\n"
        conn.write(head + b"\r\n")
        parser = ResponseParser(method="CONNECT")
        while parser.head is None:
            data = await conn.read()
            if not data:
                conn.close()
                raise TunnelError(f"the proxy closed the connection to {authority}")
            try:
                parser.feed(data)
            except HttpParseError as exc:
                conn.close()
                raise TunnelError(f"the proxy's answer to CONNECT is not HTTP: {exc}") from exc
        status = parser.head.status or 0
        if not 200 <= status < 300:
            conn.close()
            raise TunnelError(f"the proxy refused CONNECT {authority}: {parser.head.start_line}")
        loop = asyncio.get_running_loop()
        assert conn.transport is not None
        transport = await loop.start_tls(
            conn.transport, conn, self.tls_context, server_hostname=_sni(origin.host)
        )
        assert isinstance(transport, asyncio.Transport)
        conn.transport = transport
        conn.note_transport(transport)

    async def close(self) -> None:
        """Close every idle connection."""
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()


def _sni(host: str) -> str | None:
    """The TLS server name for ``host``; None for an IP address (SNI carries names only)."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    return None
