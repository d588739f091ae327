"""CDXJ lines built while records are written are the lines cdxj-indexer writes when it
reads the closed file back: every kind of record the crawl writes, and heads the hostile
web sends."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsarchive.indexing import write_cdxj
from newsarchive.warc.cdxj import cdxj_line, write_index_lines
from newsarchive.warc.writer import (
    NOT_MODIFIED_PROFILE,
    RevisitOf,
    WarcFileWriter,
    WrittenRecord,
    payload_digest,
)

REQUEST = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
BODY = b"<html><body>news</body></html>"


def _clock() -> datetime:
    return datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def _write_everything(writer: WarcFileWriter) -> None:
    at = datetime(2026, 3, 1, 12, 0, 5, 250000, tzinfo=UTC)

    def exchange(url: str, head: bytes, body: bytes = BODY, **kw: object) -> object:
        return writer.write_exchange(
            url, response_head=head, response_body=body, request_head=REQUEST, date=at, **kw
        )

    first = exchange(
        "http://example.com/a.html",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n",
        response_payload_digest=payload_digest(BODY),
    )
    exchange("http://example.com/no-type", b"HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n")
    exchange(  # chunked, the digest the crawl gives: over the de-chunked entity
        "https://example.com/chunked?q=1&b=2",
        b"HTTP/1.1 200 OK\r\ncontent-type:text/html\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"%x\r\n%s\r\n0\r\n\r\n" % (len(BODY), BODY),
        response_payload_digest=payload_digest(BODY),
    )
    exchange(  # no reason phrase, folded header, odd spacing, Latin-1 bytes
        "http://EXAMPLE.com:80/Odd%20Path/?b=2&a=1#frag",
        b"HTTP/1.1 200\r\nX-Note: caf\xe9\r\nContent-Type:\r\n text/plain  ;q=1\r\n\r\n",
    )
    exchange("http://example.com/garbage-status", b"ICY 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n")
    exchange(  # a head without its empty line: the reader reads on into the body
        "http://example.com/cut-head",
        b"HTTP/1.1 200 OK\r\nX-Early: 1\r\n",
        b"Content-Type: text/csv\r\n\r\nrest",
        truncated="disconnect",
    )
    exchange("http://example.com/moved", b"HTTP/1.1 301 Moved\r\nLocation: /a.html\r\n\r\n", b"")
    exchange("http://example.com/cut", b"HTTP/1.1 200 OK\r\n\r\n", b"part", truncated="length")
    original = RevisitOf(
        record_id=first.record_id,  # type: ignore[attr-defined]
        target_uri="http://example.com/a.html",
        date="2026-03-01T12:00:05.250000Z",
        payload_digest=payload_digest(BODY),
    )
    exchange("http://example.com/a.html", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
             revisit=original)  # fmt: skip
    not_modified = RevisitOf(
        record_id=first.record_id,  # type: ignore[attr-defined]
        target_uri="http://example.com/a.html",
        date="2026-03-01T12:00:05.250000Z",
        payload_digest=None,
        profile=NOT_MODIFIED_PROFILE,
    )
    exchange("http://example.com/a.html", b'HTTP/1.1 304 Not Modified\r\nETag: W/"1"\r\n\r\n',
             revisit=not_modified)  # fmt: skip
    writer.write_metadata(
        "http://example.com/a.html", b'{"title": "x"}', content_type="application/json"
    )
    writer.write_metadata("http://example.com/a.html", {"via": "test"})  # warc-fields: left out
    writer.write_metadata("urn:newsarchive:record:1", "note", content_type="text/plain")
    writer.write_record(
        "resource", "https://example.com/logo.png", b"\x89PNG", content_type="image/png"
    )
    writer.write_record("resource", "dns:example.com", b"1.2.3.4", content_type="text/dns")


def test_lines_built_while_writing_equal_cdxj_indexer_reading_the_file(tmp_path: Path) -> None:
    written: list[WrittenRecord] = []
    writer = WarcFileWriter(
        tmp_path / "warc", prefix="T", clock=_clock, hostname="h", on_record=written.append
    )
    _write_everything(writer)
    path = writer.close()
    assert path is not None

    lines = [line for record in written if (line := cdxj_line(record)) is not None]
    write_index_lines(lines, tmp_path / "live.cdxj")
    write_cdxj([path], tmp_path / "read-back.cdxj")
    live = (tmp_path / "live.cdxj").read_text()
    assert live.splitlines() == (tmp_path / "read-back.cdxj").read_text().splitlines()
    assert live == (tmp_path / "read-back.cdxj").read_text()
    # what a replay tool looks up: 14 indexed of 25 records (no warcinfo, requests or
    # warc-fields metadata), revisits as warc/revisit, the 304's status, no digest on it
    assert len(written) == 1 + 2 * 10 + 5 and len(lines) == 14
    not_modified = [line for line in lines if '"status": "304"' in line]
    assert len(not_modified) == 1 and '"mime": "warc/revisit"' in not_modified[0]
    assert '"digest"' not in not_modified[0]
    assert '"mime": "text/csv"' in next(line for line in lines if "/cut-head" in line)


def test_a_record_cut_back_after_a_failed_write_is_not_indexed(tmp_path: Path) -> None:
    written: list[WrittenRecord] = []
    writer = WarcFileWriter(
        tmp_path / "warc", prefix="T", clock=_clock, hostname="h", on_record=written.append
    )
    writer.write_metadata("http://example.com/", b"{}", content_type="application/json")
    before = len(written)
    real_write = writer._write

    def request_fails(kind: str, *args: object, **kw: object) -> object:
        if kind == "request":  # the disk fills after the response record
            raise OSError(28, "No space left on device")
        return real_write(kind, *args, **kw)  # type: ignore[arg-type]

    writer._write = request_fails  # type: ignore[method-assign]
    with pytest.raises(OSError):
        writer.write_exchange(
            "http://example.com/x", response_head=b"HTTP/1.1 200 OK\r\n\r\n",
            response_body=b"x", request_head=REQUEST,
        )  # fmt: skip
    writer._write = real_write  # type: ignore[method-assign]
    assert len(written) == before  # the response was written, then cut back: not given
    writer.write_metadata("http://example.com/y", b"{}", content_type="application/json")
    assert len(written) == before + 1
    path = writer.close()
    assert path is not None
    lines = [line for record in written if (line := cdxj_line(record)) is not None]
    write_index_lines(lines, tmp_path / "live.cdxj")
    write_cdxj([path], tmp_path / "read-back.cdxj")
    assert (tmp_path / "live.cdxj").read_text() == (tmp_path / "read-back.cdxj").read_text()
    assert "example.com)/x" not in (tmp_path / "live.cdxj").read_text()
