"""HTTP messages inside WARC records: split the head off, check the body against it.

:func:`split_http` and :func:`head_problems` read the head; :class:`PayloadCheck` takes the
bytes after it in pieces (never the whole body at once) and, at :meth:`PayloadCheck.finish`,
says what is wrong with them: Content-Length, chunk framing (:class:`Dechunker`, strict),
content codings (:class:`StreamDecoder`: gzip, deflate, br, zstd). It also hashes the
payload both ways a ``WARC-Payload-Digest`` may be computed: over the bytes as stored
(chunk framing included: the legacy convention of warcio, pywb and older Heritrix) and
over the entity with the transfer coding removed (the WARC spec's, warcprox's, wget's).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from newsarchive.http.codings import (
    DecodeError,
    StreamDecoder,
    UnsupportedCoding,
    parse_codings,
)
from newsarchive.http.message import Dechunker, HttpParseError

_STATUS_RE = re.compile(r"^HTTP/\d\.\d \d{3}( .*)?$")
_REQUEST_RE = re.compile(r"^[A-Z]+ \S+ HTTP/\d\.\d$")
_NO_BODY_STATUSES = {204, 304}


@dataclass
class HttpMessage:
    """The HTTP head (start line, headers) and the payload stored after it."""

    start_line: str
    headers: list[tuple[str, str]]
    payload: bytes
    head_complete: bool

    def get(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        values = self.get_all(name)
        return values[0] if values else None

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive)."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    @property
    def status(self) -> int | None:
        """The status code of a response, None for a request or a bad status line."""
        if _STATUS_RE.match(self.start_line):
            return int(self.start_line.split(" ")[1])
        return None

    @property
    def method(self) -> str | None:
        """The method of a request, None for a response."""
        if _REQUEST_RE.match(self.start_line):
            return self.start_line.split(" ", 1)[0]
        return None


def head_end(data: bytes | bytearray) -> int:
    """Where the head of the HTTP message starting ``data`` ends (just past its blank line,
    a whitespace-only line as warcio reads it), or -1 when it does not end in ``data``."""
    pos = data.find(b"\n")
    while pos >= 0:
        nxt = data.find(b"\n", pos + 1)
        if nxt < 0:
            return -1
        if not data[pos + 1 : nxt].strip():
            return nxt + 1
        pos = nxt
    return -1


def split_http(block: bytes) -> HttpMessage:
    """Split a record block into HTTP head and payload the way warcio reads it.

    The head ends at the first blank (whitespace-only) line after the start line; lines may
    end in LF or CRLF. The payload is every byte after that line: it is what warcio digests
    as WARC-Payload-Digest.
    """
    pos = block.find(b"\n")
    if pos < 0:
        return HttpMessage(block.decode("latin-1").rstrip(), [], b"", False)
    start_line = block[:pos].decode("latin-1").rstrip()
    pos += 1
    raw_lines: list[str] = []
    while True:
        nl = block.find(b"\n", pos)
        line = block[pos:] if nl < 0 else block[pos:nl]
        if not line.rstrip():
            if nl < 0:
                return HttpMessage(start_line, _headers(raw_lines), b"", False)
            return HttpMessage(start_line, _headers(raw_lines), block[nl + 1 :], True)
        if nl < 0:
            raw_lines.append(line.decode("latin-1").rstrip())
            return HttpMessage(start_line, _headers(raw_lines), b"", False)
        raw_lines.append(line.decode("latin-1").rstrip())
        pos = nl + 1


def _headers(lines: list[str]) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (" ", "\t") and headers:
            key, value = headers[-1]
            headers[-1] = (key, f"{value} {line.strip()}")
            continue
        key, sep, value = line.partition(":")
        headers.append((key.strip(), value.strip() if sep else "\0"))
    return headers


def head_problems(msg: HttpMessage, *, is_request: bool) -> list[tuple[str, str]]:
    """Problems with the start line and header lines of an HTTP message."""
    problems: list[tuple[str, str]] = []
    if not msg.head_complete:
        problems.append(("http-bad-head", "the HTTP head has no terminating blank line"))
    pattern, kind = (_REQUEST_RE, "request line") if is_request else (_STATUS_RE, "status line")
    if not pattern.match(msg.start_line):
        problems.append(("http-bad-head", f"bad {kind} {msg.start_line[:80]!r}"))
    for key, value in msg.headers:
        if value == "\0" or not key or " " in key:
            problems.append(("http-bad-head", f"bad header line {key[:60]!r}"))
    return problems


@dataclass
class PayloadCheck:
    """Check a stored HTTP payload fed in pieces (see the module docstring).

    ``algo`` (a :mod:`hashlib` name) hashes the payload for the ``WARC-Payload-Digest``
    check; ``truncated`` (the record has ``WARC-Truncated``) excuses a body that ends early.
    """

    msg: HttpMessage
    algo: str | None = None
    truncated: bool = False
    problems: list[tuple[str, str]] = field(default_factory=list)
    size: int = 0
    """Payload bytes as stored."""

    def __post_init__(self) -> None:
        status = self.msg.status
        self.checked = not (status is not None and (status < 200 or status in _NO_BODY_STATUSES))
        codings = [
            c.strip().lower() for v in self.msg.get_all("Transfer-Encoding") for c in v.split(",")
        ]
        self.chunked = self.checked and "chunked" in codings
        self._stored = hashlib.new(self.algo) if self.algo else None
        self._entity = hashlib.new(self.algo) if self.algo and self.chunked else None
        self._dechunker: Dechunker | None = Dechunker(strict=True) if self.chunked else None
        self._after = 0
        self._decoder: StreamDecoder | None = None
        self._codings = parse_codings(self.msg.get_all("Content-Encoding"))
        if self.checked and self._codings:
            try:
                self._decoder = StreamDecoder(self._codings)
            except UnsupportedCoding as exc:
                self.problems.append(("http-unknown-encoding", f"{exc}: body not checked"))
        self._decoded_any = False
        self._head = bytearray()
        self._unframed: str | None = None
        self.broken_chunks = False
        """True when the chunk framing is broken: the entity (and its digest) is unknown."""
        self._tail = b""

    def _not_chunked(self, exc: HttpParseError) -> None:
        assert self._dechunker is not None
        size = self._dechunker.size
        self._dechunker = None
        self._entity = None
        if size:
            self._bad_chunks(("http-bad-chunking", f"{exc} (after {size} bytes of data)"))
            return
        # no chunk framing at all: stored de-chunked under its original header, as some
        # older tools wrote bodies; readers (warcio, pywb) pass such a body through
        self._unframed = str(exc)
        self.chunked = False
        self._decode(bytes(self._head))
        self._head.clear()

    def feed(self, data: bytes) -> None:
        """The next piece of the stored payload."""
        self.size += len(data)
        self._tail = (self._tail + data)[-7:]
        if self._stored is not None:
            self._stored.update(data)
        if not self.checked:
            return
        if self._dechunker is None:
            if not self.chunked:
                self._decode(data)
            return
        if self._dechunker.done:
            self._after += len(data)
            return
        if not self._dechunker.size:
            self._head += data  # until the first chunk's data: maybe not chunked at all
        try:
            used = self._dechunker.feed(data)
        except HttpParseError as exc:
            self._not_chunked(exc)
            return
        self._after += len(data) - used
        if self._dechunker.size:
            self._head.clear()
        entity = bytes(self._dechunker.data)
        self._dechunker.data.clear()
        if self._entity is not None:
            self._entity.update(entity)
        self._decode(entity)

    def _decode(self, data: bytes) -> None:
        if self._decoder is None or not data:
            return
        self._decoded_any = True
        try:
            for _ in self._decoder.feed(data):
                pass
        except DecodeError as exc:
            self._decode_problem(str(exc))

    def _decode_problem(self, message: str) -> None:
        coding = self._codings[-1] if self._codings else ""
        code = "http-bad-gzip" if coding == "gzip" else "http-bad-encoding"
        self.problems.append((code, message))
        self._decoder = None

    def _bad_chunks(self, problem: tuple[str, str]) -> None:
        self.problems.append(problem)
        self.broken_chunks = True

    def finish(self) -> list[tuple[str, str]]:
        """Every problem with the payload, once all of it was fed."""
        if not self.checked:
            return self.problems
        if self._unframed is not None:
            if self._tail.endswith((b"\n0\r\n\r\n", b"\n0\n\n")):  # framing, but broken
                self._bad_chunks(("http-bad-chunking", f"{self._unframed} (first chunk)"))
            else:
                self.problems.append(
                    (
                        "http-dechunked-body",
                        "the body is labelled Transfer-Encoding: chunked but holds no chunk "
                        f"framing ({self._unframed}): read as it is stored",
                    )
                )
        dechunker = self._dechunker
        if dechunker is not None and not dechunker.done and not self.truncated:
            self._bad_chunks(
                (
                    "http-bad-chunking",
                    f"chunked body ends early (after {dechunker.size} bytes of data, "
                    "no last chunk)",
                )
            )
            self._entity = None
        elif not self.chunked and not self.truncated and not self.msg.get("Transfer-Encoding"):
            self.problems.extend(content_length_problems(self.msg, self.size))
        if self._decoder is not None:
            try:
                for _ in self._decoder.close():
                    pass
            except DecodeError as exc:
                self._decode_problem(str(exc))
        decoder = self._decoder
        if (
            decoder is not None
            and self._decoded_any
            and not decoder.complete
            and not self.truncated
        ):
            self._decode_problem(
                f"body labelled {', '.join(self._codings)} ends before its compressed stream does"
            )
        return self.problems

    def digests(self) -> tuple[bytes | None, bytes | None]:
        """``(stored, entity)``: the payload hashed as stored, and de-chunked (None unless
        the body is validly chunked; then the two differ)."""
        stored = self._stored.digest() if self._stored is not None else None
        entity = self._entity.digest() if self._entity is not None else None
        return stored, entity


def content_length_problems(msg: HttpMessage, stored: int) -> list[tuple[str, str]]:
    """Compare the HTTP Content-Length with the number of payload bytes stored."""
    values = msg.get_all("Content-Length")
    if not values:
        return []
    if len({v.strip() for v in values}) > 1:
        return [("http-content-length", f"several Content-Length values {values}")]
    text = values[0].strip()
    if not text.isascii() or not text.isdigit():
        return [("http-content-length", f"Content-Length {text!r} is not a number")]
    declared = int(text)
    if declared != stored:
        return [
            (
                "http-content-length",
                f"Content-Length says {declared} bytes, the record stores {stored}",
            )
        ]
    return []
