"""The capturing download handler + WARC extension against a raw-socket server.

A tiny server on 127.0.0.1 sends hand-written bytes (odd reason phrase, repeated and
oddly cased headers, chunked + gzip, a redirect, a 404, robots.txt, a read-until-close
HTTP/1.0 response, bytes past the end of a response) and records the exact bytes each
request arrived as. A real Scrapy crawl (in a subprocess: a reactor starts once per
process) archives them; the tests check that the WARC holds those exact bytes, that
warcio's checker accepts the file and that pywb replays the same entities.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import ipaddress
import json
import re
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.archive_run import EXTENSIONS
from tests.pywb_helpers import replay
from tests.warc_tools import check_with_tools

# -- the raw server ----------------------------------------------------------------------


@dataclass
class Route:
    """What the server sends for one request target."""

    parts: list[bytes]
    """The response, sent part by part with a short pause (so it spans several reads)."""
    extra: bytes = b""
    """Bytes sent right after the response that are not part of it."""
    close: bool = False
    """Close the connection after sending."""

    @property
    def wire(self) -> bytes:
        """The response's bytes on the wire."""
        return b"".join(self.parts)


@dataclass
class RawServer:
    """Threaded HTTP/1.1 server on 127.0.0.1 that replays exact bytes and records requests."""

    routes: dict[str, Route]
    tls: ssl.SSLContext | None = None
    requests: dict[str, list[bytes]] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, target: str) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}{target}"

    def close(self) -> None:
        self._sock.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            self._exchange(conn)
        except OSError:  # the client went away (e.g. after a Connection: close)
            pass

    def _exchange(self, conn: socket.socket) -> None:
        buf = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head_end = buf.index(b"\r\n\r\n") + 4
                match = re.search(rb"(?im)^content-length:\s*(\d+)\r$", buf[:head_end])
                total = head_end + (int(match.group(1)) if match else 0)
                while len(buf) < total:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                request, buf = buf[:total], buf[total:]
                target = request.split(b" ", 2)[1].decode()
                with self._lock:
                    self.requests.setdefault(target, []).append(request)
                route = self.routes.get(target, NOT_FOUND)
                for i, part in enumerate(route.parts):
                    if i:
                        time.sleep(0.02)
                    conn.sendall(part)
                if route.extra:
                    conn.sendall(route.extra)
                if route.close:
                    if isinstance(conn, ssl.SSLSocket):
                        conn = conn.unwrap()
                    conn.shutdown(socket.SHUT_RDWR)
                    return


def _chunked(data: bytes, sizes: list[int]) -> list[bytes]:
    """Chunked framing of ``data`` in chunks of ``sizes`` (the rest in one), as separate parts."""
    parts, pos = [], 0
    for size in [*sizes, len(data)]:
        piece = data[pos : pos + size]
        if not piece:
            break
        parts.append(b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n")
        pos += len(piece)
    parts.append(b"0\r\nX-Trailer: done\r\n\r\n")
    return parts


HTML = "<html><head><title>Fine</title></head><body><p>Çay, şəkər — 茶</p></body></html>"
GZIP_ENTITY = gzip.compress((HTML * 40).encode("utf-8"), mtime=0)
FINE_BODY = HTML.encode("utf-8")

NOT_FOUND = Route(
    [b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\n\r\nnot here\n"]
)

ROUTES: dict[str, Route] = {
    "/robots.txt": Route(
        [
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 33\r\n\r\n"
            b"User-agent: *\nDisallow: /nothing\n"
        ]
    ),
    "/fine?x=1&y=two%20words": Route(
        [
            b"HTTP/1.1 200 Everything Fine\r\n"
            b"content-TYPE: text/html; charset=utf-8\r\n"
            b"Set-Cookie: a=1; Path=/\r\n"
            b"X-ODD-case:   padded value  \r\n"
            b"X-No-Space:tight\r\n",
            b"Set-Cookie: b=2; Path=/\r\n"
            b"X-Folded: first\r\n"
            b"\tsecond\r\n"
            b"Set-Cookie: c=3\r\n"
            b"Keep-Alive: timeout=5\r\n"
            b"Connection: keep-alive\r\n"
            b"Content-Length: %d\r\n\r\n" % len(FINE_BODY),
            FINE_BODY,
        ]
    ),
    "/chunked": Route(
        [
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n",
            *_chunked(GZIP_ENTITY, [10, 100, 7]),
        ]
    ),
    "/old": Route(
        [
            b"HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\n"
            b"Content-Type: text/plain\r\nContent-Length: 6\r\n\r\nmoved\n"
        ]
    ),
    "/new": Route(
        [b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nnew\n"]
    ),
    "/extra": Route(
        [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"],
        extra=b"EXTRA BYTES",
        close=True,
    ),
    "/http10": Route(
        [b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n", b"read until ", b"close\n"],
        close=True,
    ),
    "/form": Route(
        [b"HTTP/1.1 201 Created\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n"]
    ),
}

GET_TARGETS = [
    "/fine?x=1&y=two%20words",
    "/chunked",
    "/old",
    "/missing",
    "/extra",
    "/http10",
]
POST_TARGET, POST_BODY = "/form", "a=1&b=%C3%A7"

# -- the crawl ---------------------------------------------------------------------------

CRAWL_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from scrapy import Request, Spider
    from scrapy.crawler import CrawlerProcess

    cfg = json.loads(sys.argv[1])

    class WarcTestSpider(Spider):
        name = "warctest"

        async def start(self):
            for url in cfg["get"]:
                yield Request(url, callback=self.parse, dont_filter=True)
            for url, body in cfg["post"]:
                yield Request(url, method="POST", body=body.encode(), callback=self.parse,
                              headers={"Content-Type": "application/x-www-form-urlencoded"})

        def parse(self, response):
            with open(cfg["seen"], "a") as fh:
                fh.write(json.dumps({
                    "url": response.url,
                    "status": response.status,
                    "body": response.body.decode("latin-1"),
                    "flags": response.flags,
                    "warc": response.meta.get("newsarchive_warc"),
                    "fetched_at": response.meta.get("newsarchive_fetched_at"),
                    "redirect_urls": response.meta.get("redirect_urls", []),
                    "capture_left": "newsarchive_capture" in response.meta,
                }) + "\\n")

    if cfg.get("fault_after") is not None:
        # a fault of the capture itself (not of the network) after N exchanges
        from newsarchive.capture.handler import CapturingDownloadHandler

        class FaultyCapture(CapturingDownloadHandler):
            calls = 0

            async def _receive(self, *args, **kwargs):
                FaultyCapture.calls += 1
                if FaultyCapture.calls > cfg["fault_after"]:
                    raise RuntimeError("injected capture fault")
                return await super()._receive(*args, **kwargs)

        cfg["settings"]["DOWNLOAD_HANDLERS"] = {"http": FaultyCapture, "https": FaultyCapture}

    process = CrawlerProcess(cfg["settings"])
    crawler = process.create_crawler(WarcTestSpider)
    process.crawl(crawler)
    process.start()
    with open(cfg["stats"], "w") as fh:
        json.dump(crawler.stats.get_stats(), fh, default=str)
    """
)

HANDLER = "newsarchive.capture.handler.CapturingDownloadHandler"


def crawl_settings(out: Path, **extra: Any) -> dict[str, Any]:
    """Settings for a test crawl: capture on, nothing that would reach the network."""
    return {
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "ROBOTSTXT_OBEY": True,
        "RETRY_ENABLED": False,
        "DOWNLOAD_TIMEOUT": 30,
        "HTTPERROR_ALLOWED_CODES": [404],
        "LOG_LEVEL": "INFO",
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "EXTENSIONS": EXTENSIONS,
        "NEWSARCHIVE_OUT": str(out),
        "NEWSARCHIVE_WARC_OPERATOR": "Test Operator <ops@example.org>",
        "NEWSARCHIVE_WARC_DESCRIPTION": "capture test",
        **extra,
    }


@dataclass
class CrawlResult:
    server: RawServer
    out: Path
    seen: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str

    @property
    def warc_files(self) -> list[Path]:
        return sorted((self.out / "warc").glob("*.warc.gz"))


def run_crawl(
    server: RawServer, out: Path, *, fault_after: int | None = None, **settings: Any
) -> CrawlResult:
    """Crawl the server's GET targets and the POST in a subprocess; collect what it saw."""
    out.mkdir(parents=True, exist_ok=True)
    cfg = {
        "fault_after": fault_after,
        "get": [server.url(target) for target in GET_TARGETS],
        "post": [[server.url(POST_TARGET), POST_BODY]],
        "seen": str(out / "seen.jsonl"),
        "stats": str(out / "stats.json"),
        "settings": crawl_settings(out, **settings),
    }
    proc = subprocess.run(
        [sys.executable, "-c", CRAWL_SCRIPT, json.dumps(cfg)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=out,
    )
    assert proc.returncode == 0, proc.stderr
    seen = [json.loads(line) for line in (out / "seen.jsonl").read_text().splitlines()]
    stats = json.loads((out / "stats.json").read_text())
    return CrawlResult(server, out, seen, stats, proc.stderr)


def self_signed_context(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a throwaway self-signed certificate for 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


@pytest.fixture(scope="module", params=["http", "https"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RawServer]:
    """The raw server, plain or behind TLS (the capture hooks the TLS transport's writes)."""
    tls = None
    if request.param == "https":
        tls = self_signed_context(tmp_path_factory.mktemp("tls"))
    srv = RawServer(ROUTES, tls=tls)
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def crawl(server: RawServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(server, tmp_path_factory.mktemp("crawl"))


# -- reading the WARC back ---------------------------------------------------------------


@dataclass
class Rec:
    type: str
    headers: dict[str, str]
    block: bytes
    offset: int


def read_records(path: Path) -> list[Rec]:
    """Every record with its raw block (no HTTP parsing)."""
    records = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, no_record_parse=True)
        for record in it:
            block = record.raw_stream.read()
            records.append(Rec(record.rec_type, dict(record.rec_headers.headers), block, it.offset))
    return records


def exchanges(records: list[Rec]) -> dict[str, tuple[Rec, Rec]]:
    """Map target URI -> (response, request); asserts each response is followed by its request."""
    pairs = {}
    for i, rec in enumerate(records):
        if rec.type == "response":
            req = records[i + 1]
            assert req.type == "request"
            assert req.headers["WARC-Concurrent-To"] == rec.headers["WARC-Record-ID"]
            assert req.headers["WARC-Date"] == rec.headers["WARC-Date"]
            assert req.headers["WARC-Target-URI"] == rec.headers["WARC-Target-URI"]
            pairs[rec.headers["WARC-Target-URI"]] = (rec, req)
    return pairs


# -- tests -------------------------------------------------------------------------------


def test_crawl_ran_cleanly(crawl: CrawlResult) -> None:
    stats = crawl.stats
    # robots.txt + 6 GETs + the redirect target + the POST.
    assert stats["newsarchive/warc/responses"] == 9
    assert stats["newsarchive/warc/reconstructed"] == 0
    assert stats["newsarchive/warc/errors"] == 0
    assert stats["newsarchive/warc/files"] == 1
    assert stats["newsarchive/warc/records"] == 1 + 2 * 9
    assert stats["newsarchive/warc/bytes"] == sum(p.stat().st_size for p in crawl.warc_files)
    assert len(crawl.warc_files) == 1
    assert not list((crawl.out / "warc").glob("*.open"))


def test_file_name_and_warcinfo(crawl: CrawlResult) -> None:
    (path,) = crawl.warc_files
    # no NEWSARCHIVE_WARC_PREFIX: the spider's name
    assert re.fullmatch(r"warctest-\d{14}-00000-[A-Za-z0-9.-]+\.warc\.gz", path.name)
    assert crawl.stats["newsarchive/warc/file_names"] == [path.name]
    records = read_records(path)
    info = records[0]
    assert info.type == "warcinfo"
    assert info.headers["WARC-Filename"] == path.name
    fields = dict(line.split(": ", 1) for line in info.block.decode().splitlines())
    assert fields["software"].startswith("newsarchive/")
    assert "warcio/" in fields["software"]
    assert fields["format"] == "WARC File Format 1.1"
    assert fields["conformsTo"].startswith("https://iipc.github.io/warc-specifications/")
    assert fields["robots"] == "obey"
    assert fields["operator"] == "Test Operator <ops@example.org>"
    assert fields["description"] == "capture test"
    assert fields["isPartOf"] == "warctest"
    assert "hostname" in fields
    for rec in records[1:]:
        assert rec.headers["WARC-Warcinfo-ID"] == info.headers["WARC-Record-ID"]


def test_every_fetch_archived_with_exact_bytes(crawl: CrawlResult) -> None:
    (path,) = crawl.warc_files
    records = read_records(path)
    assert [r.type for r in records] == ["warcinfo"] + ["response", "request"] * 9
    pairs = exchanges(records)
    server = crawl.server
    expected = ["/robots.txt", *GET_TARGETS, "/new", POST_TARGET]
    assert sorted(pairs) == sorted(server.url(t) for t in expected)
    for target in expected:
        response, request = pairs[server.url(target)]
        route = ROUTES.get(target, NOT_FOUND)
        # The response block is exactly what the server sent for this response ...
        assert response.block == route.wire, target
        # ... and the request block exactly what the server received.
        (sent,) = server.requests[target]
        assert request.block == sent, target
        assert response.headers["WARC-IP-Address"] == "127.0.0.1"
        assert response.headers["WARC-Type"] == "response"
        assert response.headers["Content-Type"] == "application/http; msgtype=response"
        assert request.headers["Content-Type"] == "application/http; msgtype=request"


def test_request_bytes_have_query_string_host_and_body(crawl: CrawlResult) -> None:
    pairs = exchanges(read_records(crawl.warc_files[0]))
    server = crawl.server
    _, request = pairs[server.url("/fine?x=1&y=two%20words")]
    assert request.block.startswith(b"GET /fine?x=1&y=two%20words HTTP/1.1\r\n")
    assert f"\r\nHost: 127.0.0.1:{server.port}\r\n".encode() in request.block
    assert request.block.count(b"GET ") == 1  # recorded once, even through TLS
    _, post = pairs[server.url(POST_TARGET)]
    assert post.block.startswith(b"POST /form HTTP/1.1\r\n")
    assert post.block.endswith(b"\r\n\r\n" + POST_BODY.encode())


def test_response_details_survive(crawl: CrawlResult) -> None:
    pairs = exchanges(read_records(crawl.warc_files[0]))
    fine, _ = pairs[crawl.server.url("/fine?x=1&y=two%20words")]
    assert fine.block.startswith(b"HTTP/1.1 200 Everything Fine\r\n")
    assert fine.block.count(b"Set-Cookie: ") == 3
    assert b"\r\nX-ODD-case:   padded value  \r\n" in fine.block
    assert b"\r\nX-Folded: first\r\n\tsecond\r\n" in fine.block
    assert b"\r\nKeep-Alive: timeout=5\r\nConnection: keep-alive\r\n" in fine.block
    chunked, _ = pairs[crawl.server.url("/chunked")]
    assert b"\r\nTransfer-Encoding: chunked\r\n" in chunked.block
    assert chunked.block.endswith(b"0\r\nX-Trailer: done\r\n\r\n")
    extra, _ = pairs[crawl.server.url("/extra")]
    assert extra.block.endswith(b"\r\n\r\nhello")  # not the bytes sent after the response


def test_meta_points_at_the_response_record(crawl: CrawlResult) -> None:
    (path,) = crawl.warc_files
    by_offset = {rec.offset: rec for rec in read_records(path)}
    assert len(crawl.seen) == 7  # robots.txt and the redirect itself don't reach the spider
    for seen in crawl.seen:
        assert not seen["capture_left"]
        warc = seen["warc"]
        assert set(warc) == {"file", "offset", "length", "record_id"}
        assert warc["file"] == path.name
        rec = by_offset[warc["offset"]]
        assert rec.type == "response"
        assert rec.headers["WARC-Target-URI"] == seen["url"]
        assert rec.headers["WARC-Record-ID"] == warc["record_id"]
        assert rec.headers["WARC-Date"] == seen["fetched_at"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", seen["fetched_at"])
        with open(path, "rb") as fh:
            fh.seek(warc["offset"])
            member = fh.read(warc["length"])
        text = gzip.decompress(member)  # exactly one complete gzip member
        assert text.startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")
        assert warc["record_id"].encode() in text
    new = next(s for s in crawl.seen if s["url"].endswith("/new"))
    assert new["redirect_urls"] == [crawl.server.url("/old")]
    chunked = next(s for s in crawl.seen if s["url"].endswith("/chunked"))
    assert chunked["body"].encode("latin-1") == (HTML * 40).encode()  # Scrapy decoded it
    http10 = next(s for s in crawl.seen if s["url"].endswith("/http10"))
    assert http10["body"] == "read until close\n"


def test_standard_tools_pass(crawl: CrawlResult) -> None:
    for path in crawl.warc_files:
        check_with_tools(path)


def test_payload_digest_is_over_the_dechunked_entity(crawl: CrawlResult) -> None:
    """WARC-Payload-Digest as the spec says: transfer coding removed, content coding kept."""
    pairs = exchanges(read_records(crawl.warc_files[0]))
    chunked, _ = pairs[crawl.server.url("/chunked")]
    expected = "sha1:" + base64.b32encode(hashlib.sha1(GZIP_ENTITY).digest()).decode()
    assert chunked.headers["WARC-Payload-Digest"] == expected
    fine, _ = pairs[crawl.server.url("/fine?x=1&y=two%20words")]
    expected = "sha1:" + base64.b32encode(hashlib.sha1(FINE_BODY).digest()).decode()
    assert fine.headers["WARC-Payload-Digest"] == expected


def test_pywb_replays_the_archived_entities(crawl: CrawlResult) -> None:
    server = crawl.server
    urls = {
        "fine": server.url("/fine?x=1&y=two%20words"),
        "chunked": server.url("/chunked"),
        "old": server.url("/old"),
        "missing": server.url("/missing"),
        "http10": server.url("/http10"),
    }
    results = replay(crawl.warc_files, urls.values())

    status, headers, body = results[urls["fine"]]
    assert status == 200
    assert body == FINE_BODY
    assert [v for k, v in headers if k.lower() == "set-cookie"] == [
        "a=1; Path=/",
        "b=2; Path=/",
        "c=3",
    ]

    # Chunked + gzip: pywb removes the chunked framing and either passes the archived
    # gzip bytes through or decodes them (pywb 2.10 decodes, keeping the original header
    # as X-Archive-Orig-Content-Encoding); either way the entity must be the same.
    status, headers, body = results[urls["chunked"]]
    assert status == 200
    lowered = {k.lower(): v for k, v in headers}
    if lowered.get("content-encoding") == "gzip":
        assert body == GZIP_ENTITY
        body = gzip.decompress(body)
    else:
        assert lowered.get("x-archive-orig-content-encoding") == "gzip"
    assert body == (HTML * 40).encode()

    status, headers, _ = results[urls["old"]]
    assert status == 301
    assert {k.lower(): v for k, v in headers}["location"].endswith("/new")

    assert results[urls["missing"]][0] == 404
    assert results[urls["missing"]][2] == b"not here\n"
    assert results[urls["http10"]][2] == b"read until close\n"


def test_rotation_keeps_pairs_together(server: RawServer, tmp_path: Path) -> None:
    result = run_crawl(server, tmp_path, NEWSARCHIVE_WARC_MAX_SIZE=1, CONCURRENT_REQUESTS=1)
    files = result.warc_files
    assert len(files) == 9  # one exchange per file once the first is over the limit
    assert result.stats["newsarchive/warc/files"] == 9
    serials = [int(re.search(r"-(\d{5})-", p.name).group(1)) for p in files]
    assert serials == list(range(9))
    for path in files:
        records = read_records(path)
        assert [r.type for r in records] == ["warcinfo", "response", "request"]
        exchanges(records)
        assert records[0].headers["WARC-Filename"] == path.name
    located = {s["warc"]["file"] for s in result.seen}
    assert located <= {p.name for p in files}


def test_scrapy_handler_falls_back_to_reconstruction(server: RawServer, tmp_path: Path) -> None:
    """With Scrapy's own handler the extension still archives everything, counted."""
    if server.tls:
        pytest.skip("same code path as plain HTTP")
    result = run_crawl(server, tmp_path, DOWNLOAD_HANDLERS={})
    assert result.stats["newsarchive/warc/reconstructed"] == 9
    assert result.stats["newsarchive/warc/responses"] == 9
    assert result.log.count("No wire capture") == 1
    (path,) = result.warc_files
    pairs = exchanges(read_records(path))
    fine, request = pairs[server.url("/fine?x=1&y=two%20words")]
    assert fine.block.startswith(b"HTTP/1.1 200 OK\r\n")  # the reason phrase was lost
    assert f"\r\nHost: 127.0.0.1:{server.port}\r\n".encode() in request.block
    chunked, _ = pairs[server.url("/chunked")]
    assert chunked.block.endswith(b"\r\n\r\n" + GZIP_ENTITY)  # de-chunked, still gzip
    check_with_tools(path)


def test_a_failing_capture_falls_back_and_loses_no_page(server: RawServer, tmp_path: Path) -> None:
    """The handler itself fails (injected after 3 exchanges): every later page is still
    downloaded (by Scrapy's own handler) and archived as a reconstruction, counted."""
    if server.tls:
        pytest.skip("same code path as plain HTTP")
    result = run_crawl(server, tmp_path, fault_after=3, CONCURRENT_REQUESTS=1)
    stats = result.stats
    assert stats["newsarchive/warc/responses"] == 9  # every exchange archived
    assert stats["newsarchive/capture/fallbacks"] == 6
    assert stats["newsarchive/warc/reconstructed"] == 6
    assert stats["newsarchive/warc/errors"] == 0
    assert len(result.seen) == 7  # every page reached the spider
    assert result.log.count("injected capture fault") >= 1
    for path in result.warc_files:
        check_with_tools(path)


def test_disabled_capture_is_plain_scrapy(server: RawServer, tmp_path: Path) -> None:
    if server.tls:
        pytest.skip("same code path as plain HTTP")
    result = run_crawl(server, tmp_path, NEWSARCHIVE_WARC_ENABLED=False)
    assert not (tmp_path / "warc").exists()
    assert len(result.seen) == 7
    for seen in result.seen:
        assert not seen["capture_left"]
        assert seen["warc"] is None and seen["fetched_at"] is None
    assert not [key for key in result.stats if key.startswith("newsarchive/warc/")]
