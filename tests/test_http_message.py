"""The lenient HTTP/1.x parser: heads as servers send them, framing, chunked bodies."""

from __future__ import annotations

import pytest

from newsarchive.http.message import (
    Dechunker,
    HttpParseError,
    ResponseParser,
    dechunk,
    framing,
    parse_head,
    split_head,
)

CHUNKED = (
    b"HTTP/1.1 100 Continue\r\n\r\n"
    b"HTTP/1.1 200 Fine Thanks\r\nX-A: 1\r\n  folded\r\nnot a header\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
    b"5;ext=1\r\nhello\r\n6 \r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
)


def _feed_bytewise(parser: ResponseParser, wire: bytes) -> int:
    used = 0
    for i in range(len(wire)):
        if parser.complete:
            break
        used += parser.feed(wire[i : i + 1])
    return used


@pytest.mark.parametrize("bytewise", [False, True])
def test_chunked_response_keeps_exact_bytes_and_stops_at_its_end(bytewise):
    wire = CHUNKED + b"GARBAGE"
    parser = ResponseParser()
    used = _feed_bytewise(parser, wire) if bytewise else parser.feed(wire)
    assert used == len(CHUNKED)
    assert parser.complete and parser.interim == 1
    assert bytes(parser.raw_head) == CHUNKED[25 : CHUNKED.index(b"5;ext")]
    assert bytes(parser.raw_body) == CHUNKED[CHUNKED.index(b"5;ext") :]
    assert bytes(parser.entity) == b"hello world"
    head = parser.head
    assert head is not None and head.status == 200 and head.reason == "Fine Thanks"
    assert head.get("x-a") == "1 folded" and head.bad_lines == 1


def test_content_length_bare_lf_and_no_reason():
    parser = ResponseParser()
    assert parser.feed(b"HTTP/1.0 200\nContent-Length: 3\n\nabcdef") == 35
    assert parser.complete and bytes(parser.entity) == b"abc"
    assert parser.head is not None and parser.head.reason == ""


def test_short_body_reports_what_is_missing():
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345")
    parser.eof()
    assert not parser.complete and parser.missing == 5


def test_read_until_close_and_bodyless_responses():
    parser = ResponseParser()
    parser.feed(b"HTTP/1.1 200 OK\r\n\r\nabc")
    assert not parser.complete
    parser.eof()
    assert parser.complete and bytes(parser.entity) == b"abc"
    for wire, method in (
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD"),
        (b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", "GET"),
        (b"HTTP/1.1 204 No Content\r\n\r\n", "GET"),
    ):
        parser = ResponseParser(method=method)
        assert parser.feed(wire + b"next") == len(wire)
        assert parser.complete


def test_framing_rules():
    def kind(raw: bytes) -> tuple[str, int]:
        return framing(parse_head(raw))

    assert kind(b"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n") == ("length", 5)
    assert kind(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n") == ("close", 0)
    assert kind(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n") == ("chunked", 0)
    assert kind(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n") == (
        "close",
        0,
    )


def test_bad_status_line_is_an_error():
    with pytest.raises(HttpParseError, match="status line"):
        ResponseParser().feed(b"SSH-2.0-OpenSSH\r\n\r\n")


def test_request_heads_and_splitting():
    head, body = split_head(b"POST /x?a=1 HTTP/1.1\r\nHost: a\r\n\r\nbody")
    assert body == b"body"
    parsed = parse_head(head, request=True)
    assert (parsed.method, parsed.target, parsed.get("host")) == ("POST", "/x?a=1", "a")
    assert split_head(b"no blank line") == (b"no blank line", b"")


def test_dechunk_strict_and_lenient():
    assert dechunk(b"3\r\nabc\r\n0\r\n\r\n") == b"abc"
    with pytest.raises(HttpParseError, match="ends early"):
        dechunk(b"3\r\nabc\r\n")
    with pytest.raises(HttpParseError, match="chunk size"):
        dechunk(b"zz\r\nabc\r\n0\r\n\r\n")
    with pytest.raises(HttpParseError, match="CRLF"):
        dechunk(b"3\r\nabcd\r\n0\r\n\r\n", strict=True)
    counting = Dechunker(keep=False)
    counting.feed(b"3\r\nabc\r\n0\r\n\r\n")
    assert counting.done and counting.size == 3 and not counting.data
