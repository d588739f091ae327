"""Make the samples of this folder that other tools' conventions write (see README.md).

Run once by hand (``.venv/bin/python tests/data/thirdparty/make_samples.py``); the results
are committed, so the tests do not depend on how a later warcio writes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import BufferWARCWriter, WARCWriter

HERE = Path(__file__).resolve().parent
PAGE = b"<html><head><title>Sample</title></head><body><p>A sample page.</p></body></html>\n"
DATE = "2024-05-02T10:00:00Z"


def chunked(body: bytes) -> bytes:
    return b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (20, body[:20], len(body) - 20, body[20:])


def sha1(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def exchange(writer: WARCWriter, uri: str, head: list[tuple[str, str]], body: bytes) -> None:
    http = StatusAndHeaders("200 OK", head, protocol="HTTP/1.1")
    response = writer.create_warc_record(uri, "response", payload=BytesIO(body), http_headers=http)
    request = writer.create_warc_record(
        uri,
        "request",
        payload=BytesIO(b""),
        http_headers=StatusAndHeaders(
            f"GET /{uri.split('/', 3)[-1]} HTTP/1.1",
            [("Host", "example.com")],
            is_http_request=True,
        ),
    )
    writer.write_request_response_pair(request, response)


def warcio_sample(version: str, gz: bool) -> bytes:
    """What warcio's own writer makes: warcinfo, pairs (one chunked: legacy digest), a
    revisit and a resource; no WARC-Warcinfo-ID."""
    writer = BufferWARCWriter(gzip=gz, warc_version=version)
    writer.write_record(writer.create_warcinfo_record("sample.warc", {"software": "warcio"}))
    exchange(
        writer,
        "http://example.com/",
        [("Content-Type", "text/html"), ("Content-Length", str(len(PAGE)))],
        PAGE,
    )
    exchange(
        writer,
        "http://example.com/chunked",
        [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
        chunked(PAGE),
    )
    exchange(
        writer,
        "http://example.com/gz",
        [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        gzip.compress(PAGE, mtime=0),
    )
    revisit = writer.create_revisit_record(
        "http://example.com/again",
        digest=sha1(PAGE),
        refers_to_uri="http://example.com/",
        refers_to_date=DATE,
        http_headers=StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"
        ),
    )
    writer.write_record(revisit)
    resource = writer.create_warc_record(
        "urn:example:notes",
        "resource",
        payload=BytesIO(b"notes\n"),
        warc_content_type="text/plain",
    )
    writer.write_record(resource)
    return writer.get_contents()


def warcprox_style() -> bytes:
    """A chunked response whose WARC-Payload-Digest is over the de-chunked entity (the
    spec's convention, as warcprox and wget-lua write it), with its request."""
    writer = BufferWARCWriter(gzip=True, warc_version="1.1")
    info = writer.create_warcinfo_record("warcprox-style.warc.gz", {"software": "warcprox"})
    writer.write_record(info)
    body = chunked(PAGE)
    legacy, spec = sha1(body), sha1(PAGE)
    out = BytesIO()
    out.write(writer.get_contents())
    one = BufferWARCWriter(gzip=False, warc_version="1.1")
    exchange(
        one,
        "http://example.com/chunked",
        [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
        body,
    )
    raw = one.get_contents().replace(legacy.encode(), spec.encode(), 1)
    records = raw.split(b"\r\n\r\nWARC/1.1\r\n")
    records = [records[0] + b"\r\n\r\n"] + [b"WARC/1.1\r\n" + r + b"\r\n\r\n" for r in records[1:]]
    records[-1] = records[-1][: -len(b"\r\n\r\n")]
    for record in records:
        out.write(gzip.compress(record, mtime=0))
    return out.getvalue()


def arc_sample() -> bytes:
    """An ARC v1 file (the format before WARC), one gzip member per record."""
    head = b"filedesc://sample.arc 127.0.0.1 20240502100000 text/plain "
    desc = b"1 0 Sample\nURL IP-address Archive-date Content-type Archive-length\n"
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (
        len(PAGE),
        PAGE,
    )
    record = b"http://example.com/arc.html 127.0.0.1 20240502100000 text/html %d\n" % len(http)
    return gzip.compress(head + b"%d\n" % len(desc) + desc + b"\n", mtime=0) + gzip.compress(
        record + http + b"\n", mtime=0
    )


def main() -> None:
    (HERE / "warcio-1.1.warc.gz").write_bytes(warcio_sample("1.1", True))
    (HERE / "warcio-1.0.warc").write_bytes(warcio_sample("1.0", False))
    (HERE / "warcprox-style.warc.gz").write_bytes(warcprox_style())
    (HERE / "sample.arc.gz").write_bytes(arc_sample())


if __name__ == "__main__":
    main()
