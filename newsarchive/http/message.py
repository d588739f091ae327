"""HTTP/1.x messages as bytes: lenient head parsing, framing, chunked transfer coding.

One parser for everything that meets HTTP bytes: the capture client reads responses off
the wire with :class:`ResponseParser`, and readers of archived records split and de-chunk
them with :func:`split_head` and :class:`Dechunker`. It is lenient the way browsers are,
because the archive must keep what real servers send:

* lines may end in CRLF or a bare LF; a header line without a colon is skipped (and
  counted in :attr:`Head.bad_lines`), an obs-fold continuation joins the line before;
* the status line may lack its reason phrase; ``1xx`` interim responses are skipped;
* the body is framed as RFC 9112 section 6.3 says: none for ``HEAD``, ``1xx``, ``204``
  and ``304``; chunked when ``chunked`` is the last transfer coding; else a valid
  ``Content-Length`` (repeated equal values allowed); else until the connection closes;
* chunk sizes may carry extensions and trailing spaces; trailer fields are read and kept
  in the raw bytes.

What it cannot make sense of raises :class:`HttpParseError`. No Scrapy, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "Dechunker",
    "Head",
    "HttpParseError",
    "ResponseParser",
    "dechunk",
    "framing",
    "parse_head",
    "split_head",
]

MAX_HEAD = 1 << 20
"""A response head longer than this (1 MiB) is refused."""

_STATUS = re.compile(rb"^(HTTP/\d+(?:\.\d+)?)[ \t]+(\d{3})(?:[ \t](.*))?$", re.IGNORECASE)
_REQUEST = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) (HTTP/\d\.\d)$")
_NO_BODY = frozenset({204, 304})


class HttpParseError(ValueError):
    """Bytes that are not an HTTP message this parser can read."""


@dataclass
class Head:
    """A parsed start line and header fields (names and values as latin-1 text)."""

    start_line: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    protocol: str = ""
    """``HTTP/1.1``; the request's protocol for a request head."""
    status: int | None = None
    """The status code of a response head."""
    reason: str = ""
    method: str | None = None
    """The method of a request head."""
    target: str | None = None
    """The request target of a request head."""
    bad_lines: int = 0
    """Header lines skipped because they are not ``name: value``."""

    def get(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def tokens(self, name: str) -> list[str]:
        """The comma-separated items of every ``name`` header, lower-cased."""
        return [
            item.strip().lower()
            for value in self.get_all(name)
            for item in value.split(",")
            if item.strip()
        ]


def _lines(raw: bytes) -> list[bytes]:
    lines = raw.split(b"\n")
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def parse_head(raw: bytes, *, request: bool = False) -> Head:
    """Parse a head: start line, header lines (the ending blank line may be included)."""
    lines = _lines(raw)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise HttpParseError("empty HTTP head")
    first = lines[0]
    head = Head(start_line=first.decode("latin-1"))
    if request:
        match = _REQUEST.match(first.strip())
        if not match:
            raise HttpParseError(f"bad request line {first[:80]!r}")
        head.method = match.group(1).decode("ascii")
        head.target = match.group(2).decode("latin-1")
        head.protocol = match.group(3).decode("ascii")
    else:
        match = _STATUS.match(first.strip())
        if not match:
            raise HttpParseError(f"bad status line {first[:80]!r}")
        head.protocol = match.group(1).decode("ascii").upper()
        head.status = int(match.group(2))
        head.reason = (match.group(3) or b"").decode("latin-1").strip()
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and head.headers:
            name, value = head.headers[-1]
            head.headers[-1] = (name, f"{value} {line.strip().decode('latin-1')}".strip())
            continue
        raw_name, sep, raw_value = line.partition(b":")
        if not sep or not raw_name.strip() or raw_name != raw_name.strip():
            head.bad_lines += 1
            continue
        head.headers.append((raw_name.decode("latin-1"), raw_value.strip().decode("latin-1")))
    return head


def split_head(message: bytes) -> tuple[bytes, bytes]:
    """Split raw HTTP bytes into (head with its blank line, the bytes after it).

    The head ends at the first empty line (CRLF or bare LF); without one it is all head.
    """
    end = _head_end(message, 0)
    if end < 0:
        return message, b""
    return message[:end], message[end:]


def _head_end(buf: bytes | bytearray, start: int) -> int:
    """The index just past the blank line that ends a head begun before ``start``, or -1.

    ``start`` is where to resume looking (a line that begins before it is re-checked).
    """
    pos = max(0, start - 2)
    while True:
        nl = buf.find(b"\n", pos)
        if nl < 0:
            return -1
        nxt = nl + 1
        if buf[nxt : nxt + 1] == b"\n":
            return nxt + 1
        if buf[nxt : nxt + 2] == b"\r\n":
            return nxt + 2
        pos = nxt


def framing(head: Head, *, method: str = "GET") -> tuple[str, int]:
    """How a response body is delimited: ``("none", 0)``, ``("length", n)``,
    ``("chunked", 0)`` or ``("close", 0)`` (read until the connection closes)."""
    status = head.status or 0
    if method.upper() == "HEAD" or status < 200 or status in _NO_BODY:
        return "none", 0
    codings = head.tokens("Transfer-Encoding")
    if codings:
        return ("chunked", 0) if codings[-1] == "chunked" else ("close", 0)
    lengths = {
        item.strip() for value in head.get_all("Content-Length") for item in value.split(",")
    }
    if lengths:
        if len(lengths) == 1:
            text = lengths.pop()
            if text.isascii() and text.isdigit():
                return "length", int(text)
        return "close", 0
    return "close", 0


class Dechunker:
    """Undo ``Transfer-Encoding: chunked`` incrementally.

    :meth:`feed` takes raw bytes and returns how many belong to the chunked body (the
    rest, after the last chunk and its trailer, is not part of this message); the data
    is appended to :attr:`data` (or counted only, with ``keep=False``). :attr:`done`
    turns True after the trailer's blank line.
    """

    def __init__(self, *, keep: bool = True, strict: bool = False) -> None:
        self.keep = keep
        self.strict = strict
        self.data = bytearray()
        self.size = 0
        """Bytes of data decoded so far."""
        self.done = False
        self.trailers: list[bytes] = []
        self._state = "size"  # size | data | data-end | trailer
        self._remaining = 0
        self._line = bytearray()

    def feed(self, raw: bytes | bytearray | memoryview) -> int:
        """Consume ``raw``; return how many of its bytes belong to the chunked body."""
        view = memoryview(raw)
        pos = 0
        end = len(view)
        while pos < end and not self.done:
            if self._state == "data":
                take = min(self._remaining, end - pos)
                if self.keep:
                    self.data += view[pos : pos + take]
                self.size += take
                self._remaining -= take
                pos += take
                if self._remaining == 0:
                    self._state = "data-end"
                continue
            nl = bytes(view[pos:end]).find(b"\n")
            if nl < 0:
                self._line += view[pos:end]
                if len(self._line) > 4096:
                    raise HttpParseError("a chunk size or trailer line longer than 4096 bytes")
                return end
            self._line += view[pos : pos + nl]
            pos += nl + 1
            line = bytes(self._line).rstrip(b"\r")
            self._line.clear()
            self._line_done(line)
        return pos

    def _line_done(self, line: bytes) -> None:
        if self._state == "data-end":
            # a chunk longer than its size said: lenient readers drop the excess
            if line.strip() and self.strict:
                raise HttpParseError("chunk data not followed by CRLF")
            self._state = "size"
            return
        if self._state == "size":
            text = line.split(b";", 1)[0].strip()
            if not text and not self.strict:
                return  # a stray blank line between chunks
            try:
                size = int(text, 16)
            except ValueError:
                raise HttpParseError(f"bad chunk size {text[:20]!r}") from None
            if size < 0:
                raise HttpParseError(f"bad chunk size {text[:20]!r}")
            if size == 0:
                self._state = "trailer"
            else:
                self._remaining = size
                self._state = "data"
            return
        # trailer fields, up to a blank line
        if line.strip():
            self.trailers.append(line)
        else:
            self.done = True


def dechunk(raw: bytes, *, strict: bool = False) -> bytes:
    """The data of a complete chunked body; :class:`HttpParseError` if it is not one."""
    decoder = Dechunker(strict=strict)
    decoder.feed(raw)
    if not decoder.done:
        raise HttpParseError(f"chunked body ends early (after {decoder.size} bytes of data)")
    return bytes(decoder.data)


class ResponseParser:
    """Read one HTTP/1.x response from a byte stream, keeping its exact bytes.

    :meth:`feed` returns how many of the given bytes belong to this response; once
    :attr:`complete` is True the rest is the next message's (or garbage). Interim ``1xx``
    responses are consumed and dropped (:attr:`interim` counts them), so :attr:`raw_head`
    is the final response's status line and header lines with the blank line, and
    :attr:`raw_body` every body byte as received (with chunk framing). :attr:`entity` is
    the body with the transfer coding undone (still content-encoded): the same object as
    :attr:`raw_body` unless the body is chunked. For a ``close``-framed body, call
    :meth:`eof` when the connection ends.
    """

    def __init__(self, *, method: str = "GET") -> None:
        self.method = method
        self.raw_head = bytearray()
        self.raw_body = bytearray()
        self.head: Head | None = None
        self.kind = ""
        """The body's framing once the head is read (see :func:`framing`)."""
        self.expected = 0
        """For ``length`` framing: the body size the head announced."""
        self.interim = 0
        self.complete = False
        self._dechunker: Dechunker | None = None

    @property
    def entity(self) -> bytearray:
        """The body with the transfer coding undone (content codings still applied)."""
        return self._dechunker.data if self._dechunker is not None else self.raw_body

    @property
    def head_complete(self) -> bool:
        return self.head is not None

    def feed(self, data: bytes | bytearray) -> int:
        """Consume ``data``; return how many of its bytes belong to this response."""
        used = 0
        while used < len(data) and not self.complete:
            if self.head is None:
                used += self._feed_head(data, used)
            else:
                used += self._feed_body(memoryview(data)[used:])
        return used

    def _feed_head(self, data: bytes | bytearray, start: int) -> int:
        before = len(self.raw_head)
        self.raw_head += data[start:]
        end = _head_end(self.raw_head, before)
        if end < 0:
            if len(self.raw_head) > MAX_HEAD:
                raise HttpParseError(f"response head longer than {MAX_HEAD} bytes")
            return len(data) - start
        head = parse_head(bytes(self.raw_head[:end]))
        used = end - before
        del self.raw_head[end:]
        assert head.status is not None
        if 100 <= head.status < 200 and head.status != 101:
            self.interim += 1
            self.raw_head.clear()
            return used
        self.head = head
        self.kind, self.expected = framing(head, method=self.method)
        if self.kind == "none" or (self.kind == "length" and self.expected == 0):
            self.complete = True
        elif self.kind == "chunked":
            self._dechunker = Dechunker()
        return used

    def _feed_body(self, view: memoryview) -> int:
        if self.kind == "length":
            take = min(self.expected - len(self.raw_body), len(view))
            self.raw_body += view[:take]
            self.complete = len(self.raw_body) >= self.expected
            return take
        if self.kind == "chunked":
            assert self._dechunker is not None
            take = self._dechunker.feed(view)
            self.raw_body += view[:take]
            self.complete = self._dechunker.done
            return take
        self.raw_body += view
        return len(view)

    def eof(self) -> None:
        """The connection closed: a ``close``-framed body is complete now."""
        if self.head is not None and self.kind == "close":
            self.complete = True

    @property
    def missing(self) -> int | None:
        """For an incomplete ``length`` body: the bytes that never came."""
        if self.kind == "length" and not self.complete:
            return self.expected - len(self.raw_body)
        return None
