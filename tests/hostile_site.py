"""A news site built to be hostile, on 127.0.0.1, for the crawler's tests.

It looks like any news site to the generic spider (robots.txt with a ``Sitemap:`` line, a
sitemap of dated article URLs, a home page) but each article misbehaves in one way the
real web does: too big, a decompression bomb, cut short, dripping bytes, redirecting off
the site or in a long loop, rate limited, a PDF at an article URL, a page of 100,000
links. A second server on 127.0.0.2 stands for "another site": it records every request
it gets, and a crawl of the hostile site must send it none.

Routes are functions ``(request line target, connection) -> None`` writing raw bytes, so a
test controls every byte and every pause.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Route = Callable[[str, socket.socket], None]

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | Hostile Times</title>
<meta property="article:published_time" content="2024-05-0{day}T10:00:00+04:00">
</head><body><header><nav><a href="/">Home</a> <a href="/world/">World</a></nav></header>
<main><article><h1>{title}</h1><time datetime="2024-05-0{day}T10:00:00+04:00">May {day}, 2024</time>
<p>{body}</p><p>The report was published on Thursday after weeks of talks between the
two sides, officials said, and more details are expected next week.</p>
<p>Analysts said the decision would take months to show its effects on prices.</p>
</article></main><footer>Copyright 2024 Hostile Times</footer></body></html>
"""


def page(title: str, day: int, body: str = "A calm day in the city.") -> bytes:
    return ARTICLE.format(title=title, day=day, body=body).encode("utf-8")


def send(conn: socket.socket, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    conn.sendall(head.encode("latin-1") + body)


def ok(body: bytes, content_type: str = "text/html; charset=utf-8") -> Route:
    def route(_target: str, conn: socket.socket) -> None:
        send(
            conn,
            "200 OK",
            [("Content-Type", content_type), ("Content-Length", str(len(body)))],
            body,
        )

    return route


@dataclass
class HostileServer:
    """A threaded raw HTTP/1.1 server on ``host``; ``requests`` lists every target."""

    routes: dict[str, Route]
    host: str = "127.0.0.1"
    requests: list[str] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((self.host, 0))
        self._sock.listen(128)
        self.port = self._sock.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def close(self) -> None:
        self._stop = True
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf = b""
        try:
            with conn:
                while True:
                    while b"\r\n\r\n" not in buf:
                        data = conn.recv(65536)
                        if not data:
                            return
                        buf += data
                    head, _, buf = buf.partition(b"\r\n\r\n")
                    target = head.split(b" ", 2)[1].decode("latin-1")
                    self.requests.append(target)
                    route = self.routes.get(target.split("?")[0]) or self.routes.get(target)
                    if route is None:
                        send(conn, "404 Not Found", [("Content-Length", "9")], b"not here\n")
                        continue
                    route(target, conn)
        except OSError:
            return


# -- the misbehaving routes ---------------------------------------------------------------


def huge(size: int) -> Route:
    """A page of ``size`` bytes, streamed (never held whole by the server)."""

    def route(_target: str, conn: socket.socket) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {size}\r\n\r\n"
        )
        conn.sendall(head.encode())
        block = b"<p>" + b"x" * 65530 + b"</p>"
        sent = 0
        try:
            while sent < size:
                piece = block[: size - sent]
                conn.sendall(piece)
                sent += len(piece)
        except OSError:
            pass  # the crawler stopped reading at its limit

    return route


def gzip_bomb(decoded_size: int) -> Route:
    """A small gzip body that decodes to ``decoded_size`` bytes (members of 64 MiB each,
    one after another, as a gzip stream may be)."""
    member_size = min(decoded_size, 64 << 20)
    member = gzip.compress(b"\0" * member_size, 9)
    body = member * max(1, decoded_size // member_size)

    def route(_target: str, conn: socket.socket) -> None:
        send(
            conn,
            "200 OK",
            [
                ("Content-Type", "text/html"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(body))),
            ],
            body,
        )

    return route


def cut_short(body: bytes, promised: int) -> Route:
    """Content-Length says ``promised`` bytes; ``body`` is sent, then the connection closes."""

    def route(_target: str, conn: socket.socket) -> None:
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(promised))]
        send(conn, "200 OK", headers, body)
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()

    return route


def drip(interval: float, total: int) -> Route:
    """A head, then one byte every ``interval`` seconds."""

    def route(_target: str, conn: socket.socket) -> None:
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {total}\r\n\r\n<html><body><p>"
        )
        try:
            conn.sendall(head.encode())
            for _ in range(total):
                conn.sendall(b"x")
                time.sleep(interval)
        except OSError:
            return

    return route


def redirect(location: str, status: str = "302 Found") -> Route:
    def route(_target: str, conn: socket.socket) -> None:
        body = b"moved\n"
        send(conn, status, [("Location", location), ("Content-Length", str(len(body)))], body)

    return route


def rate_limited(then: Route, retry_after: str, times: int = 1) -> Route:
    """429 with ``Retry-After`` the first ``times`` times, then ``then``."""
    state = {"left": times}

    def route(target: str, conn: socket.socket) -> None:
        if state["left"] > 0:
            state["left"] -= 1
            body = b"slow down\n"
            send(
                conn,
                "429 Too Many Requests",
                [("Retry-After", retry_after), ("Content-Length", str(len(body)))],
                body,
            )
            return
        then(target, conn)

    return route


def many_links(count: int) -> bytes:
    links = "".join(f'<a href="/tag/t{n}/">tag {n}</a> ' for n in range(count))
    return f"<html><body><h1>All tags</h1>{links}</body></html>".encode()
