"""The byte sources of the strict reader (:mod:`newsarchive.warc.strict`): a plain file,
or gzip members decompressed one after another with their exact extents.

A damaged member, a member cut off by the end of the file, or bytes after the last
member that are no gzip member raise :class:`StreamBreak` with a ``(code, message)``
problem; with ``resync`` reading goes on at the next gzip header.
"""

from __future__ import annotations

import zlib
from typing import Any, BinaryIO, NoReturn

__all__ = ["CHUNK", "GZIP_MAGIC", "GzipSource", "PlainSource", "StreamBreak", "find_gzip_header"]

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 16

Problem = tuple[str, str]


class StreamBreak(Exception):
    """The decompressed stream is broken here (a damaged or cut gzip member, garbage)."""

    def __init__(self, offset: int, code: str, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.problem: Problem = (code, message)


class PlainSource:
    """An uncompressed file: positions are file offsets."""

    gzip = False

    def __init__(self, fh: BinaryIO, size: int | None = None) -> None:
        self.fh = fh
        self.left = size

    def read(self, n: int) -> bytes:
        if self.left is not None:
            n = min(n, self.left)
            if n <= 0:
                return b""
        data = self.fh.read(n)
        if self.left is not None:
            self.left -= len(data)
        return data


class GzipSource:
    """gzip members decompressed one after another, remembering where each lies.

    Decompressed positions (counted from 0) of member starts and ends map to file offsets
    (:attr:`starts`, :attr:`ends`). A damaged member raises :class:`StreamBreak` and, with
    ``resync``, reading goes on at the next gzip header.
    """

    gzip = True

    def __init__(self, fh: BinaryIO, base: int = 0, size: int | None = None, *, resync: bool):
        self.fh = fh
        self.left = size
        self.resync = resync
        self.raw = b""  # compressed bytes not yet given to a decompressor
        self.raw_offset = base  # file offset of raw[0]
        self.obj: Any = None
        self.member = base
        self.pos = 0  # decompressed bytes handed out
        self.starts: dict[int, int] = {}
        self.ends: dict[int, int] = {}
        self.done = False

    def _more(self) -> bytes:
        n = CHUNK if self.left is None else min(CHUNK, self.left)
        if n <= 0:
            return b""
        data = self.fh.read(n)
        if self.left is not None:
            self.left -= len(data)
        return data

    def read(self, n: int) -> bytes:
        while not self.done:
            if self.obj is None:
                while len(self.raw) < 3 and (more := self._more()):
                    self.raw += more
                if not self.raw:
                    self.done = True
                    return b""
                if not self.raw.startswith(GZIP_MAGIC):
                    self.done = True
                    raise StreamBreak(
                        self.raw_offset,
                        "gzip-trailing-garbage",
                        f"{self.raw[:16]!r}... is not the start of a gzip member",
                    )
                self.obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self.member = self.raw_offset
                self.starts[self.pos] = self.member
            if not self.raw:
                self.raw = self._more()
                if not self.raw:
                    self.done = True
                    raise StreamBreak(
                        self.member,
                        "gzip-truncated",
                        "the gzip member does not end: the file was cut off",
                    )
            data = self.raw
            try:
                out = self.obj.decompress(data, n)
            except zlib.error as exc:
                self._skip_damaged(exc)
            ended = self.obj.eof
            rest = self.obj.unused_data if ended else self.obj.unconsumed_tail
            self.raw_offset += len(data) - len(rest)
            self.raw = rest
            self.pos += len(out)
            if ended:
                self.ends[self.pos] = self.raw_offset
                self.obj = None
            if out:
                return out
        return b""

    def _skip_damaged(self, exc: zlib.error) -> NoReturn:
        start = self.member
        self.obj = None
        self.raw = b""
        if not self.resync:
            self.done = True
        else:
            found = find_gzip_header(self.fh, start + 1)
            if found is None:
                self.done = True
            else:
                self.fh.seek(found)
                self.raw_offset = found
        raise StreamBreak(start, "gzip-corrupt", f"gzip member: {exc}")

    def member_of(self, pos: int) -> int:
        """The file offset of the member holding decompressed position ``pos``."""
        best = max((p for p in self.starts if p <= pos), default=None)
        return self.starts[best] if best is not None else self.member

    def forget_before(self, pos: int) -> None:
        keep = max((p for p in self.starts if p <= pos), default=None)
        for table in (self.starts, self.ends):
            for key in [k for k in table if k < pos and k != keep]:
                del table[key]


def find_gzip_header(fh: BinaryIO, start: int) -> int | None:
    """The offset of the next gzip header (1f 8b 08) at or after ``start``, or None."""
    fh.seek(start)
    pos, tail = start, b""
    while chunk := fh.read(1 << 20):
        data = tail + chunk
        found = data.find(GZIP_MAGIC + b"\x08")
        if found >= 0:
            return pos - len(tail) + found
        tail = data[-2:]
        pos += len(chunk)
    return None
