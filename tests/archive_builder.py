"""Build small, deterministic archive folders (DIR/warc + DIR/jsonl) for the tests.

Records are made with warcio (fixed record ids and dates), one gzip member each, so a test
can damage any record's bytes before the file is written and still know every offset.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import BufferWARCWriter

DATE = "2024-05-02T10:00:00Z"
WARC_NAME = "test-20240502100000-00000-example.warc.gz"
JSONL_NAME = "test-20240502100000.jsonl"
WARCINFO_ID = "<urn:uuid:00000000-0000-4000-8000-000000000000>"


def rid(number: int) -> str:
    """A fixed WARC-Record-ID."""
    return f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>"


@dataclass
class Spec:
    """One record to write: its uncompressed bytes are built by ``build``."""

    kind: str
    uri: str = ""
    record_id: str = ""
    status: str = "200 OK"
    headers: list[tuple[str, str]] = field(default_factory=list)
    payload: bytes = b""
    extra: dict[str, str] = field(default_factory=dict)
    date: str = DATE


def _writer() -> BufferWARCWriter:
    return BufferWARCWriter(gzip=False, warc_version="1.1")


def build(spec: Spec) -> bytes:
    """The uncompressed bytes of one WARC record."""
    writer = _writer()
    headers = {"WARC-Record-ID": spec.record_id, "WARC-Date": spec.date, **spec.extra}
    if spec.kind == "warcinfo":
        record = writer.create_warcinfo_record(WARC_NAME, {"software": "newsarchive-tests"})
        record.rec_headers.replace_header("WARC-Record-ID", spec.record_id)
        record.rec_headers.replace_header("WARC-Date", spec.date)
    elif spec.kind == "request":
        http = StatusAndHeaders(
            f"GET /{spec.uri.split('/', 3)[-1]} HTTP/1.1",
            [("Host", "example.com"), *spec.headers],
            is_http_request=True,
        )
        record = writer.create_warc_record(
            spec.uri,
            "request",
            payload=BytesIO(b""),
            http_headers=http,
            warc_headers_dict=headers,
        )
    elif spec.kind == "revisit":
        http = StatusAndHeaders(spec.status, spec.headers, protocol="HTTP/1.1")
        given = ("WARC-Payload-Digest", "WARC-Refers-To-Target-URI", "WARC-Refers-To-Date")
        headers = {key: value for key, value in headers.items() if key not in given}
        record = writer.create_revisit_record(
            spec.uri,
            digest=spec.extra["WARC-Payload-Digest"],
            refers_to_uri=spec.extra["WARC-Refers-To-Target-URI"],
            refers_to_date=spec.extra["WARC-Refers-To-Date"],
            http_headers=http,
            warc_headers_dict=headers,
        )
    else:
        http = StatusAndHeaders(spec.status, spec.headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            spec.uri,
            spec.kind,
            payload=BytesIO(spec.payload),
            http_headers=http,
            warc_headers_dict=headers,
        )
    writer.write_record(record)
    data = writer.get_contents()
    if spec.kind != "revisit" and "WARC-Payload-Digest" in spec.extra:
        # warcio writes its own digest (over the chunk framing): put the given one instead
        legacy = record.rec_headers.get_header("WARC-Payload-Digest")
        given = spec.extra["WARC-Payload-Digest"]
        data = data.replace(
            f"WARC-Payload-Digest: {legacy}".encode(), f"WARC-Payload-Digest: {given}".encode(), 1
        )
    return data


def sha1_digest(data: bytes) -> str:
    """A WARC digest value as warcio writes it: sha1, base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def html(title: str, text: str) -> bytes:
    """A tiny HTML page."""
    return f"<html><head><title>{title}</title></head><body><p>{text}</p></body></html>".encode()


def good_specs() -> list[Spec]:
    """A clean capture: warcinfo, three exchanges, a redirect and a revisit."""
    info = {"WARC-Warcinfo-ID": WARCINFO_ID}
    page_a = html("Alpha", "Alpha body")
    page_b = gzip.compress(html("Beta", "Beta body"), mtime=0)
    chunked = b"10\r\n" + html("Gamma", "Gamma body")[:16] + b"\r\n"
    rest = html("Gamma", "Gamma body")[16:]
    chunked += f"{len(rest):x}\r\n".encode() + rest + b"\r\n0\r\n\r\n"
    a, b, c = "http://example.com/a", "http://example.com/b", "http://example.com/c"
    old = "http://example.com/old"
    return [
        Spec("warcinfo", record_id=WARCINFO_ID),
        Spec(
            "response",
            a,
            rid(1),
            headers=[("Content-Type", "text/html"), ("Content-Length", str(len(page_a)))],
            payload=page_a,
            extra={**info},
        ),
        Spec("request", a, rid(2), extra={**info, "WARC-Concurrent-To": rid(1)}),
        Spec(
            "response",
            b,
            rid(3),
            headers=[
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Encoding", "gzip"),
                ("Content-Length", str(len(page_b))),
            ],
            payload=page_b,
            extra={**info},
        ),
        Spec("request", b, rid(4), extra={**info, "WARC-Concurrent-To": rid(3)}),
        Spec(
            "response",
            c,
            rid(5),
            headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
            payload=chunked,
            # the WARC spec's digest: over the entity with the chunk framing removed
            extra={**info, "WARC-Payload-Digest": sha1_digest(html("Gamma", "Gamma body"))},
        ),
        Spec("request", c, rid(6), extra={**info, "WARC-Concurrent-To": rid(5)}),
        Spec(
            "response",
            old,
            rid(7),
            status="301 Moved Permanently",
            headers=[("Location", "/a"), ("Content-Length", "0")],
            extra={**info},
        ),
        Spec("request", old, rid(8), extra={**info, "WARC-Concurrent-To": rid(7)}),
        Spec(
            "revisit",
            a,
            rid(9),
            headers=[("Content-Type", "text/html"), ("Content-Length", str(len(page_a)))],
            extra={
                **info,
                "WARC-Refers-To": rid(1),
                "WARC-Refers-To-Target-URI": a,
                "WARC-Refers-To-Date": DATE,
                "WARC-Payload-Digest": sha1_digest(page_a),
            },
        ),
        Spec("request", a, rid(10), extra={**info, "WARC-Concurrent-To": rid(9)}),
    ]


@dataclass
class Archive:
    """A written archive folder and where each record lies."""

    root: Path
    warc: Path
    jsonl: Path
    offsets: dict[str, tuple[int, int]]  # record id -> (offset, length)


def write_warc(path: Path, chunks: list[bytes], *, compress: bool = True) -> list[tuple[int, int]]:
    """Write records (one gzip member each, or plain); return each one's (offset, length)."""
    extents: list[tuple[int, int]] = []
    out = bytearray()
    for chunk in chunks:
        data = gzip.compress(chunk, mtime=0) if compress else chunk
        extents.append((len(out), len(data)))
        out += data
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return extents


def article(url: str, title: str, record_id: str, extent: tuple[int, int]) -> dict[str, Any]:
    """A valid article record pointing at a response record."""
    return {
        "schema_version": 1,
        "url": url,
        "site": "test",
        "lang": "en",
        "title": title,
        "published": "2024-05-02T14:00:00+04:00",
        "published_raw": "2 May 2024, 14:00",
        "dateline": None,
        "section": "News",
        "body": f"{title} body\n\nSecond paragraph.",
        "boilerplate": {
            "headlines": [{"title": "Other", "url": "http://example.com/other"}],
            "rates": [{"currency": "USD", "date": "2024-05-02", "rate": 1.7}],
            "copyright": "© Example",
        },
        "fetched_at": DATE,
        "warc": {
            "file": WARC_NAME,
            "offset": extent[0],
            "length": extent[1],
            "record_id": record_id,
        },
    }


def write_archive(
    root: Path,
    specs: list[Spec] | None = None,
    *,
    chunks: list[bytes] | None = None,
    records: list[dict[str, Any]] | None = None,
    compress: bool = True,
) -> Archive:
    """Write DIR/warc/WARC_NAME and DIR/jsonl/JSONL_NAME (records for /a, /b and /old)."""
    specs = good_specs() if specs is None else specs
    chunks = [build(spec) for spec in specs] if chunks is None else chunks
    name = WARC_NAME if compress else WARC_NAME[: -len(".gz")]
    warc = root / "warc" / name
    extents = write_warc(warc, chunks, compress=compress)
    offsets = {spec.record_id: extent for spec, extent in zip(specs, extents, strict=False)}
    if records is None:
        records = [
            article("http://example.com/a", "Alpha", rid(1), offsets[rid(1)]),
            article("http://example.com/b", "Beta", rid(3), offsets[rid(3)]),
            # the response for the redirect's start, recorded under the final URL
            article("http://example.com/a", "Alpha again", rid(7), offsets[rid(7)]),
        ]
        if not compress:
            for record in records:
                record["warc"]["file"] = name
    jsonl = root / "jsonl" / JSONL_NAME
    write_jsonl(jsonl, records)
    return Archive(root, warc, jsonl, offsets)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    """One record a line, UTF-8, each line ending in a newline."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
    path.write_text("".join(lines), encoding="utf-8")
