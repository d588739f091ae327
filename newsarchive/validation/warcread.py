"""Reading WARC files byte by byte, without trusting them.

warcio is forgiving (it reads past short records, decompresses concatenated members as one
stream); the validator needs the opposite. This module finds gzip member boundaries itself
(``zlib.decompressobj`` and ``unused_data``), splits WARC records by their Content-Length and
reports, as ``(code, message)`` pairs, anything structural it meets on the way.
"""

from __future__ import annotations

import mmap
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 20
_MAX_HEAD = 1 << 20  # a WARC header block longer than this is not a header block
_VERSION_RE = re.compile(rb"^WARC/(\d+\.\d+)$")


@dataclass
class RawRecord:
    """One WARC record as stored: where it lies, its header lines and its block."""

    offset: int
    length: int | None  # bytes it takes in the file (compressed), None when unknown
    version: str
    headers: list[tuple[str, str]]
    block: bytes
    problems: list[tuple[str, str]] = field(default_factory=list)

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


@dataclass
class Parsed:
    """Result of parsing one record at a position in a buffer.

    ``status`` is "ok" (``record`` and ``end`` set), "incomplete" (the buffer ends before the
    record does) or "bad" (``problem`` set; no way to find the record's end).
    """

    status: str
    record: RawRecord | None = None
    end: int = 0
    problem: tuple[str, str] | None = None


def parse_record(buf: bytes | mmap.mmap, pos: int, offset: int) -> Parsed:
    """Parse the WARC record starting at ``buf[pos]``; ``offset`` is its place in the file."""
    head_end = buf.find(b"\r\n\r\n", pos, pos + _MAX_HEAD)
    if head_end < 0:
        start = bytes(buf[pos : pos + 16])
        if not start.startswith(b"WARC/"[: len(start)]):
            return Parsed(
                "bad", problem=("warc-not-a-record", f"expected 'WARC/', found {start!r}")
            )
        if len(buf) - pos >= _MAX_HEAD:
            return Parsed("bad", problem=("warc-bad-header", "header block never ends"))
        return Parsed("incomplete")
    head = bytes(buf[pos:head_end])
    lines = head.split(b"\r\n")
    match = _VERSION_RE.match(lines[0])
    if not match:
        return Parsed(
            "bad", problem=("warc-not-a-record", f"expected 'WARC/1.1', found {lines[0][:40]!r}")
        )
    problems: list[tuple[str, str]] = []
    headers = _parse_header_lines(lines[1:], problems)
    lengths = [value for key, value in headers if key.lower() == "content-length"]
    if not lengths:
        return Parsed(
            "bad", problem=("warc-missing-header", "no Content-Length: record end unknown")
        )
    if len(set(lengths)) > 1:
        problems.append(("warc-bad-header", f"several Content-Length values {lengths}"))
    try:
        length = int(lengths[0].strip())
        if length < 0 or not lengths[0].strip().isdigit():
            raise ValueError(lengths[0])
    except ValueError:
        return Parsed("bad", problem=("warc-bad-header", f"Content-Length {lengths[0]!r}"))
    block_start = head_end + 4
    block_end = block_start + length
    if block_end + 4 > len(buf):
        return Parsed("incomplete")
    block = bytes(buf[block_start:block_end])
    end = block_end + 4
    trailer = bytes(buf[block_end:end])
    if trailer != b"\r\n\r\n":
        problems.append(("warc-bad-record-end", f"block followed by {trailer!r}, not CRLF CRLF"))
        end = block_end
        while end < len(buf) and end < block_end + 4 and buf[end : end + 1] in (b"\r", b"\n"):
            end += 1
    version = match.group(1).decode("ascii")
    record = RawRecord(offset, None, version, headers, block, problems)
    return Parsed("ok", record=record, end=end)


def _parse_header_lines(
    lines: list[bytes], problems: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for raw in lines:
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(("warc-bad-header", f"header line is not UTF-8: {raw[:60]!r}"))
            line = raw.decode("utf-8", "replace")
        if "\r" in line or "\n" in line:
            problems.append(("warc-bad-header", f"stray CR or LF in header line {line[:60]!r}"))
        if line[:1] in (" ", "\t") and headers:
            key, value = headers[-1]
            headers[-1] = (key, f"{value} {line.strip()}")
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or key != key.strip():
            problems.append(("warc-bad-header", f"not a 'Name: value' line: {line[:60]!r}"))
            continue
        headers.append((key, value.strip()))
    return headers


# -- whole files ---------------------------------------------------------------------------


@dataclass
class FileEvent:
    """What reading a WARC file yields: a record, or a structural problem at an offset."""

    offset: int
    record: RawRecord | None = None
    problem: tuple[str, str] | None = None


def is_gzip_file(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes."""
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def iter_file(path: Path) -> Iterator[FileEvent]:
    """Yield every record of a WARC file (gzip or not) and every structural problem."""
    if path.stat().st_size == 0:
        yield FileEvent(0, problem=("warc-empty", "the file is empty"))
        return
    if is_gzip_file(path):
        yield from _iter_gzip_file(path)
    else:
        yield from _iter_plain_file(path)


def _iter_plain_file(path: Path) -> Iterator[FileEvent]:
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        pos = 0
        size = len(buf)
        while pos < size:
            parsed = parse_record(buf, pos, pos)
            if parsed.status == "ok":
                assert parsed.record is not None
                parsed.record.length = parsed.end - pos
                yield FileEvent(pos, record=parsed.record)
                pos = parsed.end
            elif parsed.status == "incomplete":
                yield FileEvent(pos, problem=_truncated_problem(buf, pos, size))
                return
            else:
                assert parsed.problem is not None
                code, message = parsed.problem
                yield FileEvent(pos, problem=(code, f"{message}; rest of file not checked"))
                return


def _truncated_problem(buf: bytes | mmap.mmap, pos: int, size: int) -> tuple[str, str]:
    return (
        "warc-truncated",
        f"record needs more bytes than the {size - pos} left in the file (cut off)",
    )


@dataclass
class Member:
    """One gzip member: compressed offset and length, decompressed data, and how it ended."""

    offset: int
    length: int
    data: bytes
    error: tuple[str, str] | None = None


def iter_gzip_members(fh: BinaryIO) -> Iterator[Member]:
    """Yield the gzip members of ``fh`` one by one, with their exact compressed extents.

    A member that fails to decompress is yielded with ``error`` set; reading resumes at the
    next gzip header after it. A member cut off by the end of the file ends the iteration.
    """
    offset = 0
    buf = fh.read(_CHUNK)
    while buf:
        while len(buf) < 3:
            more = fh.read(_CHUNK)
            if not more:
                break
            buf += more
        if not buf.startswith(GZIP_MAGIC):
            yield Member(
                offset,
                0,
                b"",
                ("gzip-trailing-garbage", f"{buf[:16]!r}... is not the start of a gzip member"),
            )
            return
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out: list[bytes] = []
        consumed = 0
        while True:
            try:
                out.append(decomp.decompress(buf))
            except zlib.error as exc:
                yield Member(offset, 0, b"".join(out), ("gzip-corrupt", f"gzip member: {exc}"))
                next_offset = _find_magic(fh, offset + 1)
                if next_offset is None:
                    return
                offset = next_offset
                fh.seek(offset)
                buf = fh.read(_CHUNK)
                break
            if decomp.eof:
                consumed += len(buf) - len(decomp.unused_data)
                yield Member(offset, consumed, b"".join(out))
                offset += consumed
                buf = decomp.unused_data or fh.read(_CHUNK)
                break
            consumed += len(buf)
            buf = fh.read(_CHUNK)
            if not buf:
                out.append(decomp.flush())
                yield Member(
                    offset,
                    consumed,
                    b"".join(out),
                    ("gzip-truncated", "the gzip member does not end: the file was cut off"),
                )
                return


def _find_magic(fh: BinaryIO, start: int) -> int | None:
    """The offset of the next gzip header (1f 8b 08) at or after ``start``, or None."""
    fh.seek(start)
    pos = start
    tail = b""
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        found = data.find(GZIP_MAGIC + b"\x08")
        if found >= 0:
            return pos - len(tail) + found
        tail = data[-2:]
        pos += len(chunk)


def _iter_gzip_file(path: Path) -> Iterator[FileEvent]:
    pending = b""  # decompressed bytes not yet parsed into a record
    pending_offset = 0  # compressed offset of the member where ``pending`` starts
    layout_reported = False
    with path.open("rb") as fh:
        for member in iter_gzip_members(fh):
            if member.error and member.error[0] in ("gzip-corrupt", "gzip-trailing-garbage"):
                if pending:
                    yield FileEvent(
                        pending_offset,
                        problem=("warc-truncated", "record cut short by a damaged gzip member"),
                    )
                pending = b""
                yield FileEvent(member.offset, problem=member.error)
                continue
            if not pending:
                pending_offset = member.offset
            elif not layout_reported:
                layout_reported = True
                yield FileEvent(
                    pending_offset,
                    problem=("warc-gzip-layout", "a record continues into the next gzip member"),
                )
            pending += member.data
            pos = 0
            while pos < len(pending):
                parsed = parse_record(pending, pos, pending_offset)
                if parsed.status == "incomplete":
                    break
                if parsed.status == "bad":
                    assert parsed.problem is not None
                    yield FileEvent(pending_offset, problem=parsed.problem)
                    pos = len(pending)
                    break
                record = parsed.record
                assert record is not None
                if pos > 0 and not layout_reported:
                    layout_reported = True
                    yield FileEvent(
                        pending_offset,
                        problem=("warc-gzip-layout", "several records share one gzip member"),
                    )
                if pos == 0 and parsed.end == len(pending):
                    record.length = member.offset + member.length - pending_offset
                yield FileEvent(pending_offset, record=record)
                pos = parsed.end
            pending = pending[pos:]
            if member.error:  # gzip-truncated: the last member, so the last record
                code, message = member.error
                if pending:
                    message += f" (the record at offset {pending_offset} is incomplete)"
                yield FileEvent(member.offset, problem=(code, message))
                return
        if pending:
            yield FileEvent(
                pending_offset,
                problem=("warc-truncated", "record is shorter than its Content-Length"),
            )


# -- one record by pointer -----------------------------------------------------------------


class PointerError(Exception):
    """No complete WARC record at a given offset/length."""


def read_record_at(path: Path, offset: int, length: int) -> RawRecord:
    """Read the record that ``offset``/``length`` say lies in ``path``; raise PointerError."""
    size = path.stat().st_size
    if offset + length > size:
        raise PointerError(f"offset {offset} + length {length} is past the end ({size} bytes)")
    with path.open("rb") as fh:
        gzipped = fh.read(2) == GZIP_MAGIC
        fh.seek(offset)
        data = fh.read(length)
    if gzipped:
        data = _gunzip_exact(data, offset, length)
    parsed = parse_record(data, 0, offset)
    if parsed.status == "incomplete":
        raise PointerError(f"length {length} ends before the record at offset {offset} does")
    if parsed.status == "bad":
        assert parsed.problem is not None
        raise PointerError(f"no WARC record at offset {offset}: {parsed.problem[1]}")
    assert parsed.record is not None
    if parsed.end != len(data):
        raise PointerError(
            f"length {length} runs past the record at offset {offset} "
            f"({len(data) - parsed.end} extra bytes)"
        )
    parsed.record.length = length
    return parsed.record


def _gunzip_exact(data: bytes, offset: int, length: int) -> bytes:
    """Decompress gzip members that must fill ``data`` exactly."""
    if not data.startswith(GZIP_MAGIC):
        raise PointerError(f"offset {offset} is not the start of a gzip member")
    out: list[bytes] = []
    rest = data
    while rest:
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out.append(decomp.decompress(rest))
        except zlib.error as exc:
            raise PointerError(f"gzip data at offset {offset} does not decompress: {exc}") from exc
        if not decomp.eof:
            raise PointerError(f"length {length} cuts the gzip member at offset {offset} short")
        rest = decomp.unused_data
        if rest and not rest.startswith(GZIP_MAGIC):
            raise PointerError(
                f"length {length} runs {len(rest)} bytes past the gzip member at offset {offset}"
            )
    return b"".join(out)
