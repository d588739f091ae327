"""The one WARC reader: payloads whichever digest convention wrote them, lenient bodies,
strict framing messages that name the real cause."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy import Request

from newsarchive.http.message import HttpParseError
from newsarchive.resume import archived_response
from newsarchive.state.db import ArchiveState
from newsarchive.state.sync import sync_state
from newsarchive.warc.reader import entity_chunks, iter_strict, payload_chunks
from newsarchive.warc.writer import RevisitOf, WarcFileWriter, payload_digest
from tests.archive_builder import sha1_digest

URL = "http://example.com/news/1.html"
PAGE = b"<html><head><title>One</title></head><body><p>Story one.</p></body></html>"


def _chunked(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, data[:10], len(data) - 10, data[10:])


@pytest.mark.parametrize("convention", ["spec", "legacy"])
def test_resume_rebuilds_a_chunked_response_and_its_revisit_in_either_convention(
    tmp_path: Path, convention: str
) -> None:
    body = gzip.compress(PAGE, mtime=0)
    stored = _chunked(body)
    digest = sha1_digest(body) if convention == "spec" else payload_digest(stored)
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    request = b"GET /news/1.html HTTP/1.1\r\nHost: example.com\r\n\r\n"
    out = tmp_path / "out"
    writer = WarcFileWriter(
        out / "warc", prefix="unit", hostname="h", clock=lambda: datetime(2026, 3, 1, tzinfo=UTC)
    )
    with writer:
        first = writer.write_exchange(
            URL,
            response_head=head,
            response_body=stored,
            request_head=request,
            response_payload_digest=digest,
        )
        date = "2026-03-01T00:00:00.000000Z"
        revisit = RevisitOf(first.record_id, URL, date, digest)
        second = writer.write_exchange(
            URL, response_head=head, response_body=b"", request_head=request, revisit=revisit
        )
    state = ArchiveState(out / "state.sqlite")
    sync_state(state, out)
    captures = [state.capture(first.record_id), state.capture(second.record_id)]
    assert [c.record_type for c in captures if c] == ["response", "revisit"]
    for capture in captures:
        assert capture is not None
        response = archived_response(capture, state, out / "warc", Request(URL))
        assert response.status == 200
        assert response.body == body  # de-chunked, still gzip-encoded
        assert response.headers.get("Transfer-Encoding") is None


def test_a_body_labelled_chunked_but_stored_without_framing_is_read_as_it_is() -> None:
    assert b"".join(entity_chunks([PAGE[:5], PAGE[5:]], chunked=True)) == PAGE
    assert b"".join(entity_chunks([_chunked(PAGE)], chunked=True)) == PAGE
    with pytest.raises(HttpParseError):  # framing that breaks after a first chunk
        b"".join(entity_chunks([b"5\r\nabcde\r\nzz\r\n"], chunked=True))


def test_payload_chunks_decode_in_pieces() -> None:
    headers = [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    stored = _chunked(gzip.compress(PAGE))
    pieces = [stored[i : i + 7] for i in range(0, len(stored), 7)]
    assert b"".join(payload_chunks(pieces, headers)) == PAGE
    assert b"".join(payload_chunks(pieces, headers, decode=False)) == b"".join(
        entity_chunks([stored], chunked=True)
    )


@pytest.mark.parametrize(
    ("ending", "message"),
    [
        (b"\r\r\n", "record block followed by b'\\r\\r\\n' instead of CRLF CRLF"),
        (b"", "record block followed by the end of the file instead of CRLF CRLF"),
        (b"\n\n", "record block followed by b'\\n\\n' instead of CRLF CRLF"),
    ],
)
def test_a_wrong_record_end_is_named_not_called_truncated(ending: bytes, message: str) -> None:
    record = b"WARC/1.1\r\nWARC-Type: resource\r\nContent-Length: 5\r\n\r\nhello" + ending
    events = list(iter_strict(io.BytesIO(record)))
    assert len(events) == 1 and events[0].record is not None
    found = events[0].record
    assert found.complete
    assert found.problems == [("warc-bad-record-end", message)]


def test_a_head_with_cr_cr_lf_lines_is_named() -> None:
    head = b"WARC/1.1\r\r\nWARC-Type: resource\r\r\nContent-Length: 5\r\r\n\r\r\nhello\r\r\n\r\r\n"
    (event,) = list(iter_strict(io.BytesIO(head)))
    assert event.problem is not None
    code, message = event.problem
    assert code == "warc-bad-header" and "CR CR LF" in message and "truncated" not in message
