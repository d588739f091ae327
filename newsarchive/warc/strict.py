"""The strict, streaming mode of :mod:`newsarchive.warc.reader`: WARC records exactly as stored.

warcio is forgiving (it reads past short records, decompresses concatenated gzip members
as one stream, skips stray bytes): right for extraction and replay, wrong for a validator
or for cutting a damaged file back. This mode finds gzip member boundaries itself
(``zlib.decompressobj`` and ``unused_data``), splits records by their ``Content-Length``
and reports, as ``(code, message)`` pairs, everything structural it meets on the way.

It streams: a record's block is handed out in pieces (:meth:`StrictRecord.chunks`) and
never held whole, so memory stays flat in the size of a record (a head is at most 1 MiB).
:func:`iter_strict` yields :class:`Event` objects in file order: a record (read its block
before the next event, or it is skipped unread) or a structural problem at an offset.
After a record's block has been read, :attr:`StrictRecord.complete` says whether it ended
where ``Content-Length`` said, and :attr:`StrictRecord.problems` lists what was wrong with
its head or its end (``warc-bad-record-end`` names the bytes found instead of CRLF CRLF).
No Scrapy, no warcio.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from newsarchive.warc.gzmembers import (
    CHUNK,
    GZIP_MAGIC,
    GzipSource,
    PlainSource,
    StreamBreak,
)

__all__ = [
    "GZIP_MAGIC",
    "Event",
    "PointerError",
    "StrictRecord",
    "is_gzip_file",
    "iter_strict",
    "read_record_at",
]


_MAX_HEAD = 1 << 20  # a WARC header block longer than this is not a header block
_VERSION_RE = re.compile(rb"^WARC/(\d+\.\d+)$")
_END = b"\r\n\r\n"

Problem = tuple[str, str]


@dataclass
class StrictRecord:
    """One WARC record's head; its block is read through :meth:`chunks`."""

    offset: int
    """The file offset of the record (of the gzip member it starts in)."""
    version: str
    headers: list[tuple[str, str]]
    content_length: int
    problems: list[Problem] = field(default_factory=list)
    length: int | None = None
    """Bytes the record takes in the file, once read (None when records and gzip members
    are not one-to-one)."""
    complete: bool = False
    """True once the whole block was read (the file did not end or break inside it)."""
    block_read: int = 0
    start: int = 0
    reader: _Parser | None = field(default=None, repr=False, compare=False)
    """Where :meth:`chunks` reads the block from (None once read)."""

    def get(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def chunks(self) -> Iterator[bytes]:
        """The block, in pieces of at most 64 KiB (once; later calls yield nothing)."""
        if self.reader is not None:
            yield from self.reader.block(self)


@dataclass
class Event:
    """What :func:`iter_strict` yields: a record, or a structural problem at an offset."""

    offset: int
    record: StrictRecord | None = None
    problem: Problem | None = None


class _Parser:
    def __init__(self, source: PlainSource | GzipSource) -> None:
        self.src = source
        self.buf = bytearray()
        self.pos = 0  # stream position of buf[0]
        self.layout_reported = False
        self.pending: list[Event] = []

    # -- bytes ---------------------------------------------------------------------------

    def fill(self, want: int) -> bool:
        """Have at least ``want`` bytes in buf; False at the end of the stream."""
        while len(self.buf) < want:
            data = self.src.read(max(CHUNK, want - len(self.buf)))
            if not data:
                return False
            self.buf += data
        return True

    def drop(self) -> None:
        """Forget what is buffered: the stream broke, reading resumes where the source is."""
        self.buf.clear()
        if isinstance(self.src, GzipSource):
            self.pos = self.src.pos

    def take(self, n: int) -> bytes:
        data = bytes(self.buf[:n])
        del self.buf[:n]
        self.pos += n
        return data

    # -- records -------------------------------------------------------------------------

    def events(self) -> Iterator[Event]:
        while True:
            try:
                if not self.fill(1):
                    return
                start = self.pos
                offset = self.src.member_of(start) if isinstance(self.src, GzipSource) else start
                record = self.head(offset)
            except StreamBreak as brk:
                yield Event(brk.offset, problem=brk.problem)
                self.drop()
                continue
            except _Stop as stop:
                yield Event(stop.offset, problem=stop.problem)
                if not self.skip_member():
                    return
                continue
            if isinstance(self.src, GzipSource) and start not in self.src.starts:
                yield from self.layout(offset, "several records share one gzip member")
            record.start = start
            yield Event(offset, record=record)
            yield from self.finish(record)

    def head(self, offset: int) -> StrictRecord:
        searched = 0
        while True:
            end = self.buf.find(_END, max(0, searched - 3))
            if end >= 0:
                break
            searched = len(self.buf)
            if searched >= _MAX_HEAD:
                raise _Stop(offset, "warc-bad-header", "header block never ends")
            if not self.fill(searched + 1):
                begin = bytes(self.buf[:16])
                if not begin.startswith(b"WARC/"[: len(begin)]):
                    raise _Stop(offset, "warc-not-a-record", f"expected 'WARC/', found {begin!r}")
                for ending, name in ((b"\r\r\n", "CR CR LF"), (b"\n\n", "LF")):
                    if ending in self.buf:
                        raise _Stop(
                            offset,
                            "warc-bad-header",
                            f"header lines end in {name} ({ending!r}), not CRLF: no CRLF CRLF "
                            "ends the record head",
                        )
                raise _Stop(
                    offset,
                    "warc-truncated",
                    f"the file ends inside a record head ({len(self.buf)} bytes of it)",
                )
        lines = bytes(self.buf[:end]).split(b"\r\n")
        match = _VERSION_RE.match(lines[0])
        if not match:
            raise _Stop(
                offset, "warc-not-a-record", f"expected 'WARC/1.1', found {lines[0][:40]!r}"
            )
        problems: list[Problem] = []
        headers = _parse_header_lines(lines[1:], problems)
        lengths = [value for key, value in headers if key.lower() == "content-length"]
        if not lengths:
            raise _Stop(offset, "warc-missing-header", "no Content-Length: record end unknown")
        if len(set(lengths)) > 1:
            problems.append(("warc-bad-header", f"several Content-Length values {lengths}"))
        text = lengths[0].strip()
        if not (text.isascii() and text.isdigit()):
            raise _Stop(offset, "warc-bad-header", f"Content-Length {lengths[0]!r}")
        self.take(end + 4)
        version = match.group(1).decode("ascii")
        return StrictRecord(offset, version, headers, int(text), problems, reader=self)

    def block(self, record: StrictRecord) -> Iterator[bytes]:
        record.reader = None
        left = record.content_length
        try:
            while left > 0:
                if not self.buf and not self.fill(1):
                    return
                piece = self.take(min(left, len(self.buf), CHUNK))
                left -= len(piece)
                record.block_read += len(piece)
                yield piece
        except StreamBreak as brk:
            self.pending.append(Event(brk.offset, problem=brk.problem))
            self.drop()
            return
        record.complete = True
        self.trailer(record)

    def finish(self, record: StrictRecord) -> Iterator[Event]:
        for _ in record.chunks():  # what the caller did not read
            pass
        if not record.complete:
            if self.pending:
                brk = self.pending.pop()
                code, message = brk.problem or ("", "")
                if code == "gzip-corrupt":
                    yield Event(
                        record.offset,
                        problem=("warc-truncated", "record cut short by a damaged gzip member"),
                    )
                else:
                    message += f" (the record at offset {record.offset} is incomplete)"
                yield Event(brk.offset, problem=(code, message))
            else:
                missing = record.content_length - record.block_read
                yield Event(
                    record.offset,
                    problem=(
                        "warc-truncated",
                        f"the file ends {missing} bytes before the record's block does "
                        f"(Content-Length {record.content_length})",
                    ),
                )
            return
        while self.pending:
            yield self.pending.pop(0)

    def trailer(self, record: StrictRecord) -> None:
        """Read what follows a complete block (CRLF CRLF), and where the record ends."""
        try:
            self.fill(4)
        except StreamBreak as brk:
            self.pending.append(Event(brk.offset, problem=brk.problem))
        trailer = bytes(self.buf[:4])
        if trailer == _END:
            self.take(4)
        else:
            found = repr(trailer) if trailer else "the end of the file"
            record.problems.append(
                ("warc-bad-record-end", f"record block followed by {found} instead of CRLF CRLF")
            )
            skip = 0
            while skip < len(trailer) and trailer[skip : skip + 1] in (b"\r", b"\n"):
                skip += 1
            self.take(skip)
        start, end = record.start, self.pos
        if isinstance(self.src, GzipSource):
            if not self.buf and self.src.obj is not None:
                # Every byte of the record is out but its member has not ended (yet): zlib
                # can hand out a member's last bytes before it has read the member's end
                # (final deflate bits, CRC32, size), e.g. when those lie past the CHUNK of
                # the file read so far. Read on, or the member's end stays unknown.
                try:
                    self.fill(1)
                except StreamBreak as brk:
                    self.pending.append(Event(brk.offset, problem=brk.problem))
            if start in self.src.starts and end in self.src.ends:
                record.length = self.src.ends[end] - record.offset
            if any(start < p < end for p in self.src.starts):
                self.pending.extend(
                    self.layout(record.offset, "a record continues into the next gzip member")
                )
            self.src.forget_before(end)
        else:
            record.length = end - start

    def layout(self, offset: int, message: str) -> Iterator[Event]:
        if not self.layout_reported:
            self.layout_reported = True
            yield Event(offset, problem=("warc-gzip-layout", message))

    def skip_member(self) -> bool:
        """After a record that cannot be read: go on at the next gzip member (plain
        files: stop)."""
        if not isinstance(self.src, GzipSource):
            return False
        try:
            while self.src.obj is not None and self.src.read(CHUNK):
                pass
        except StreamBreak:
            pass
        self.drop()
        return not self.src.done or bool(self.src.raw)


class _Stop(Exception):
    """No record can be read here."""

    def __init__(self, offset: int, code: str, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.problem: Problem = (code, message)


def _parse_header_lines(lines: list[bytes], problems: list[Problem]) -> list[tuple[str, str]]:
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


def is_gzip_file(path: Path) -> bool:
    """True when the file starts with the gzip magic bytes."""
    with Path(path).open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def iter_strict(fh: BinaryIO) -> Iterator[Event]:
    """Every record of a WARC file (gzip or not, from its start) and every structural
    problem, in file order (see the module docstring)."""
    fh.seek(0)
    gzipped = fh.read(2) == GZIP_MAGIC
    fh.seek(0)
    source = GzipSource(fh, resync=True) if gzipped else PlainSource(fh)
    yield from _Parser(source).events()


# -- one record by pointer -----------------------------------------------------------------


class PointerError(Exception):
    """No complete WARC record at a given offset/length."""


def read_record_at(path: Path, offset: int, length: int) -> StrictRecord:
    """The head of the record that ``offset``/``length`` say lies in ``path`` (its block is
    read and checked, not kept); raise :class:`PointerError` when no complete record fills
    exactly those bytes."""
    size = path.stat().st_size
    if offset + length > size:
        raise PointerError(f"offset {offset} + length {length} is past the end ({size} bytes)")
    with path.open("rb") as fh:
        gzipped = fh.read(2) == GZIP_MAGIC
        fh.seek(offset)
        if gzipped and fh.read(2) != GZIP_MAGIC:
            raise PointerError(f"offset {offset} is not the start of a gzip member")
        fh.seek(offset)
        source = (
            GzipSource(fh, offset, length, resync=False) if gzipped else PlainSource(fh, length)
        )
        parser = _Parser(source)
        events = parser.events()
        try:
            first = next(events, None)
            if first is None or first.record is None:
                problem = first.problem if first and first.problem else ("", "no record")
                raise PointerError(_pointer_message(problem, offset, length))
            record = first.record
            later = list(events)
        except StreamBreak as brk:  # pragma: no cover - events() turns breaks into problems
            raise PointerError(brk.problem[1]) from None
    if not record.complete:
        raise PointerError(f"length {length} ends before the record at offset {offset} does")
    cut = [e.problem for e in later if e.problem and e.problem[0].startswith("gzip")]
    if cut:
        raise PointerError(_pointer_message(cut[0], offset, length))
    if any(e.record for e in later) or (later and not gzipped):
        extra = length - (record.length or 0)
        raise PointerError(
            f"length {length} runs past the record at offset {offset} ({extra} extra bytes)"
        )
    if later:
        raise PointerError(
            f"length {length} runs past the gzip member at offset {offset} "
            f"({later[0].problem[1] if later[0].problem else ''})"
        )
    record.length = length
    return record


def _pointer_message(problem: Problem, offset: int, length: int) -> str:
    code, message = problem
    if code == "gzip-truncated":
        return f"length {length} cuts the gzip member at offset {offset} short"
    if code == "gzip-corrupt":
        return f"gzip data at offset {offset} does not decompress: {message}"
    if code == "warc-truncated":
        return f"length {length} ends before the record at offset {offset} does"
    return f"no WARC record at offset {offset}: {message}"
