"""The replica's HTTP/1.1 server: four listening sockets, pre-rendered bytes, keep-alive.

One asyncio event loop in a background thread serves the four replica hosts (``trend-en``,
``trend-az``, ``trend-ru``, ``bakutel``), each on its own 127.0.0.1 port chosen by the OS.
Pages are rendered once the ports are known, so absolute links point at the replica; a
request then costs a dict lookup and one write. Every request is recorded (when
``record_requests``) so tests can check what a crawler fetched.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import socket
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from types import TracebackType
from typing import Any

from newsarchive.replica.content import Replica
from newsarchive.replica.model import DISALLOWED_PREFIXES, HOST_KEYS, Article
from newsarchive.replica.pages import HostSite, Resource, make_resource, origin_form

#: (host_key, method, path_with_query, headers) of one received request.
RequestLog = tuple[str, str, str, dict[str, str]]

_MAX_HEAD = 64 * 1024
_date_cache: list[Any] = [0, b""]


def _date_header() -> bytes:
    now = int(time.time())
    if now != _date_cache[0]:
        _date_cache[0] = now
        _date_cache[1] = f"Date: {formatdate(now, usegmt=True)}\r\n".encode()
    return _date_cache[1]


def accepts_gzip(value: str) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``q=0`` refuses it)."""
    star: bool | None = None
    for part in value.split(","):
        coding, _, params = part.partition(";")
        coding = coding.strip().lower()
        q = 1.0
        params = params.strip().replace(" ", "")
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        if coding in ("gzip", "x-gzip"):
            return q > 0
        if coding == "*":
            star = q > 0
    return bool(star)


_BAD_REQUEST = make_resource(400, b"<html><body><h1>Bad Request</h1></body></html>\n")
_TOO_LARGE = make_resource(431, b"<html><body><h1>Header Too Large</h1></body></html>\n")
_NOT_ALLOWED = make_resource(
    405,
    b"<html><body><h1>Method Not Allowed</h1></body></html>\n",
    headers=[("Allow", "GET, HEAD")],
)


class _Connection(asyncio.Protocol):
    """One client connection: parses request heads (pipelining allowed) and answers."""

    def __init__(self, server: ReplicaServer, key: str) -> None:
        self.server = server
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.skip = 0  # request body bytes still to discard

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server._conns.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.server._conns.discard(self)
        self.transport = None

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        while buf and self.transport is not None:
            if self.skip:
                taken = min(self.skip, len(buf))
                self.skip -= taken
                buf = buf[taken:]
                continue
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > _MAX_HEAD:
                    self._send(_TOO_LARGE, "GET", False, close=True)
                    buf = b""
                break
            head, buf = buf[:end], buf[end + 4 :]
            if not self._handle(head):
                buf = b""
                break
        self.buf = buf

    def _handle(self, head: bytes) -> bool:
        """Answer one request; False when the connection is being closed."""
        lines = head.lstrip(b"\r\n").split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            self._send(_BAD_REQUEST, "GET", False, close=True)
            return False
        method = parts[0].decode("latin-1")
        target = origin_form(parts[1].decode("latin-1"))
        headers: dict[str, str] = {}
        keep_alive = parts[2] != b"HTTP/1.0"
        gz = False
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                self._send(_BAD_REQUEST, method, False, close=True)
                return False
            n = name.decode("latin-1").strip()
            v = value.decode("latin-1").strip()
            headers[n] = v
            low = n.lower()
            if low == "connection":
                tokens = {t.strip().lower() for t in v.split(",")}
                if "close" in tokens:
                    keep_alive = False
                elif "keep-alive" in tokens:
                    keep_alive = True
            elif low == "accept-encoding":
                gz = accepts_gzip(v)
            elif low == "content-length" and v.isdigit():
                self.skip = int(v)
            elif low == "transfer-encoding":
                self._send(_BAD_REQUEST, method, False, close=True)
                return False
        self.server._record(self.key, method, target, headers)
        if method in ("GET", "HEAD"):
            res = self.server.sites[self.key].lookup(target)  # the current state's pages
            if res.matches(headers):
                res = res.not_modified()
        else:
            res = _NOT_ALLOWED
        self._send(res, method, gz, close=not keep_alive, http10=parts[2] == b"HTTP/1.0")
        return keep_alive

    def _send(
        self, res: Resource, method: str, gz: bool, *, close: bool, http10: bool = False
    ) -> None:
        transport = self.transport
        if transport is None:
            return
        head, payload = res.wire(gz)
        if http10 and res.mode == "chunked":
            # HTTP/1.0 clients do not know chunked framing: send the plain body and close.
            head, payload = make_resource(res.status, res.body, res.content_type).wire(False)
            close = True
        conn = (
            b"Connection: close\r\n"
            if close
            else (b"Connection: keep-alive\r\n" if http10 else b"")
        )
        if method == "HEAD":
            payload = b""
        transport.write(b"".join((head, _date_header(), conn, b"\r\n", payload)))
        if close:
            transport.close()


class ReplicaServer:
    """Serves a :class:`Replica` on four 127.0.0.1 ports from a background thread.

    Use as a context manager or call :meth:`start` / :meth:`stop`. After start:
    ``roots`` (the sites' home URLs), ``origins`` (host key -> ``http://127.0.0.1:PORT``),
    ``expected_records()`` (the truth for every article), ``requests`` (every request
    received) and ``disallowed_prefixes`` (robots.txt ``Disallow`` per host key).
    """

    def __init__(
        self,
        replica: Replica | None = None,
        host: str = "127.0.0.1",
        *,
        record_requests: bool = True,
        ports: dict[str, int] | None = None,
    ) -> None:
        self.replica = replica if replica is not None else Replica()
        #: Preferred port per host key (e.g. the demo's fixed ports); a port that is taken
        #: falls back to one the OS picks. Unnamed hosts always get an OS-picked port.
        self.ports = dict(ports or {})
        self.host = host
        self.record_requests = record_requests
        #: Every request received: (host_key, method, path_with_query, headers).
        self.requests: list[RequestLog] = []
        #: How many requests were received, and how many of them hit a disallowed path.
        self.request_count = 0
        self.disallowed_count = 0
        #: Called with ``(host_key, method, target, headers)`` for every request, in the
        #: server thread, before it is answered (tests inject faults with it).
        self.on_request: Callable[[str, str, str, dict[str, str]], None] | None = None
        #: host key -> origin without trailing slash, e.g. ``http://127.0.0.1:40001``.
        self.origins: dict[str, str] = {}
        #: host key -> the pre-rendered responses of that host.
        self.sites: dict[str, HostSite] = {}
        self._socks: dict[str, socket.socket] = {}
        self._conns: set[_Connection] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.AbstractServer] = []

    # ------------------------------------------------------------------ public

    @property
    def roots(self) -> dict[str, list[str]]:
        """``{"trend": [en, az, ru], "bakutel": [root]}`` home URLs (with trailing slash)."""
        o = self.origins
        return {
            "trend": [f"{o['trend-en']}/", f"{o['trend-az']}/", f"{o['trend-ru']}/"],
            "bakutel": [f"{o['bakutel']}/"],
        }

    @property
    def disallowed_prefixes(self) -> dict[str, list[str]]:
        """robots.txt ``Disallow`` path prefixes per host key."""
        return {k: list(v) for k, v in DISALLOWED_PREFIXES.items()}

    @property
    def host_of_origin(self) -> dict[str, str]:
        """Origin -> host key (to map a crawled URL back to its replica host)."""
        return {v: k for k, v in self.origins.items()}

    def expected_records(self) -> list[dict[str, Any]]:
        """The record a correct extraction gives for every article, URLs on this server."""
        self._require_started()
        return self.replica.expected_records(self.origins)

    def url_for(self, article: Article) -> str:
        """The canonical URL of ``article`` on this server."""
        self._require_started()
        return f"{self.origins[article.host_key]}{article.path}"

    def is_disallowed(self, host_key: str, target: str) -> bool:
        """Whether robots.txt of ``host_key`` disallows ``target`` (path with query)."""
        return any(target.startswith(p) for p in DISALLOWED_PREFIXES[host_key])

    def disallowed_requests(self) -> list[RequestLog]:
        """Recorded requests that hit a robots-disallowed path."""
        return [r for r in self.requests if self.is_disallowed(r[0], r[2])]

    def _bind(self, port: int, family: socket.AddressFamily) -> socket.socket:
        try:
            return socket.create_server((self.host, port), family=family, backlog=1024)
        except OSError:
            if not port:
                raise
            return socket.create_server((self.host, 0), family=family, backlog=1024)

    def start(self) -> ReplicaServer:
        """Bind the four sockets, render every page, and serve from a background thread."""
        if self._thread is not None:
            raise RuntimeError("ReplicaServer already started")
        connect_host = self.host
        if connect_host in ("", "0.0.0.0"):
            connect_host = "127.0.0.1"
        elif connect_host == "::":
            connect_host = "::1"
        url_host = f"[{connect_host}]" if ":" in connect_host else connect_host
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            for key in HOST_KEYS:
                sock = self._bind(self.ports.get(key, 0), family)
                self._socks[key] = sock
                self.origins[key] = f"http://{url_host}:{sock.getsockname()[1]}"
            self.sites = self.replica.render(self.origins)
        except BaseException:
            self._close_sockets()
            raise
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(
            target=self._run, args=(ready, failure), name="replica-server", daemon=True
        )
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._thread = None
            self._close_sockets()
            raise failure[0]
        return self

    def stop(self) -> None:
        """Close every connection and socket and end the background thread."""
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None and thread.is_alive():
            fut = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            try:
                fut.result(timeout=10)
            finally:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=10)
        self._thread = None
        self._loop = None
        self._close_sockets()

    def serve(self, replica: Replica) -> None:
        """Serve ``replica`` from now on (e.g. :meth:`Replica.later`), on the same ports.

        Requests already answered keep their answer; the next request meets the new state.
        """
        self._require_started()
        sites = replica.render(self.origins)
        self.replica = replica
        self.sites = sites  # one assignment: the server thread sees the old or the new state

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ internals

    def _require_started(self) -> None:
        if not self.origins:
            raise RuntimeError("ReplicaServer is not started")

    def _record(self, key: str, method: str, target: str, headers: dict[str, str]) -> None:
        self.request_count += 1
        if self.is_disallowed(key, target):
            self.disallowed_count += 1
        if self.record_requests:
            self.requests.append((key, method, target, headers))
        if self.on_request is not None:
            self.on_request(key, method, target, headers)

    def _run(self, ready: threading.Event, failure: list[BaseException]) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            for key in HOST_KEYS:
                server = loop.run_until_complete(
                    loop.create_server(
                        functools.partial(_Connection, self, key),
                        sock=self._socks[key],
                    )
                )
                self._servers.append(server)
        except BaseException as exc:  # pragma: no cover - reported to start()
            failure.append(exc)
            ready.set()
            loop.close()
            self._loop = None
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        for server in self._servers:
            server.close()
        for conn in list(self._conns):
            if conn.transport is not None:
                conn.transport.close()
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        await asyncio.sleep(0)

    def _close_sockets(self) -> None:
        for sock in self._socks.values():
            with contextlib.suppress(OSError):
                sock.close()
        self._socks.clear()
