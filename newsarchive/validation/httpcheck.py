"""HTTP messages inside WARC records: split, parse and check the body against its headers."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

_STATUS_RE = re.compile(r"^HTTP/\d\.\d \d{3}( .*)?$")
_REQUEST_RE = re.compile(r"^[A-Z]+ \S+ HTTP/\d\.\d$")
_NO_BODY_STATUSES = {204, 304}


class HttpError(ValueError):
    """An HTTP message that cannot be parsed or decoded."""


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


def body_problems(msg: HttpMessage) -> list[tuple[str, str]]:
    """Check a response's stored body against its Content-Length and encodings."""
    problems: list[tuple[str, str]] = []
    status = msg.status
    if status is not None and (status < 200 or status in _NO_BODY_STATUSES):
        return problems
    codings = [c.strip().lower() for v in msg.get_all("Transfer-Encoding") for c in v.split(",")]
    chunked = "chunked" in codings
    body = msg.payload
    if chunked:
        try:
            body = dechunk(body)
        except HttpError as exc:
            problems.append(("http-bad-chunking", str(exc)))
            return problems
    else:
        problems.extend(content_length_problems(msg))
    if not body:
        return problems
    encodings = [
        c.strip().lower()
        for v in msg.get_all("Content-Encoding")
        for c in v.split(",")
        if c.strip()
    ]
    for encoding in reversed(encodings):
        try:
            body = decode_content(body, encoding)
        except HttpError as exc:
            code = "http-bad-gzip" if encoding in ("gzip", "x-gzip") else "http-bad-encoding"
            problems.append((code, str(exc)))
            break
    return problems


def content_length_problems(msg: HttpMessage) -> list[tuple[str, str]]:
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
    if declared != len(msg.payload):
        return [
            (
                "http-content-length",
                f"Content-Length says {declared} bytes, the record stores {len(msg.payload)}",
            )
        ]
    return []


def dechunk(data: bytes) -> bytes:
    """Undo Transfer-Encoding: chunked; raise HttpError when ``data`` is not valid chunking."""
    out: list[bytes] = []
    pos = 0
    while True:
        nl = data.find(b"\n", pos)
        if nl < 0:
            raise HttpError(f"chunk size line missing at body byte {pos} (body cut off?)")
        size_text = data[pos:nl].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpError(f"bad chunk size {size_text[:20]!r} at body byte {pos}") from None
        pos = nl + 1
        if size == 0:
            return b"".join(out)
        if pos + size > len(data):
            raise HttpError(f"chunk of {size} bytes at body byte {pos} is cut off")
        out.append(data[pos : pos + size])
        pos += size
        if data[pos : pos + 2] == b"\r\n":
            pos += 2
        elif data[pos : pos + 1] == b"\n":
            pos += 1
        else:
            raise HttpError(f"chunk at body byte {pos - size} not followed by CRLF")


def decode_content(data: bytes, encoding: str) -> bytes:
    """Undo one Content-Encoding; raise HttpError when the body does not decode.

    Unknown encodings (and ``identity``) are passed through unchecked.
    """
    if encoding in ("gzip", "x-gzip"):
        return _inflate(data, 16 + zlib.MAX_WBITS, "gzip")
    if encoding == "deflate":
        try:
            return _inflate(data, zlib.MAX_WBITS, "deflate")
        except HttpError:
            return _inflate(data, -zlib.MAX_WBITS, "deflate")
    if encoding == "br":
        try:
            import brotli
        except ImportError:
            return data
        try:
            return brotli.decompress(data)
        except Exception as exc:  # brotli raises its own error type
            raise HttpError(f"body labelled br does not decompress: {exc}") from exc
    return data


def _inflate(data: bytes, wbits: int, label: str) -> bytes:
    decomp = zlib.decompressobj(wbits)
    try:
        out = decomp.decompress(data)
    except zlib.error as exc:
        raise HttpError(f"body labelled {label} does not decompress: {exc}") from exc
    if not decomp.eof:
        raise HttpError(f"body labelled {label} ends before its compressed stream does")
    return out
