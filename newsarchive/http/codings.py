"""HTTP content codings: what the crawler asks for, and one decoder for all that may arrive.

The crawl, ``newsarchive extract``, ``validate``, ``pack`` and the resume middleware all
decode bodies through this module, so a page decodes the same way everywhere:

* :data:`ACCEPT_ENCODING` is what requests advertise: ``gzip, deflate``, the codings every
  tool that reads WARC files decodes (warcio, pywb, wacz, ReplayWeb.page, fastwarc) with
  nothing but zlib. ``br`` and ``zstd`` are not asked for: pywb replays brotli only with
  the unmaintained ``brotlipy`` package and zstd not at all.
* A server may send ``br`` or ``zstd`` anyway (or ``x-gzip``, or several codings); the
  page is still archived byte for byte and decoded here: ``br`` with the ``brotli``
  module (Google's, which Scrapy requires; its ``output_buffer_limit`` bounds the
  output), ``zstd`` with the standard library's ``compression.zstd`` (Python 3.14) or its
  ``backports.zstd`` twin (which Scrapy requires before 3.14).
* :class:`StreamDecoder` decodes in pieces with a bound on the output (a decompression
  bomb stops at ``max_size`` bytes, however small its input); :func:`decode` is the
  whole-body form.
* :func:`register_with_warcio` adds ``br`` and ``zstd`` decoders built on the same
  objects to warcio's public ``BufferedReader.DECOMPRESSORS`` table, so warcio-based
  readers in this process (cdxj-indexer and wacz in ``pack``) decode them too.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

__all__ = [
    "ACCEPT_ENCODING",
    "ADVERTISED",
    "DecodeError",
    "SizeLimitExceeded",
    "StreamDecoder",
    "UnsupportedCoding",
    "decode",
    "is_supported",
    "parse_codings",
    "register_with_warcio",
]

ADVERTISED: tuple[str, ...] = ("gzip", "deflate")
"""The content codings requests ask for: those every WARC reading tool decodes."""
ACCEPT_ENCODING = ", ".join(ADVERTISED)
"""The ``Accept-Encoding`` header value of every request."""

_CHUNK = 1 << 16
_IDENTITY = ("identity", "")


class DecodeError(ValueError):
    """A body that does not decode as its ``Content-Encoding`` says."""


class UnsupportedCoding(DecodeError):
    """A ``Content-Encoding`` this module cannot decode (the body is left as it is)."""

    def __init__(self, coding: str) -> None:
        super().__init__(f"unsupported content coding {coding!r}")
        self.coding = coding


class SizeLimitExceeded(DecodeError):
    """Decoding produced more than the allowed number of bytes."""

    def __init__(self, max_size: int) -> None:
        super().__init__(f"the decoded body exceeds {max_size} bytes")
        self.max_size = max_size


def parse_codings(values: Iterable[str | bytes] | str | bytes | None) -> list[str]:
    """The codings named by ``Content-Encoding`` header value(s), in the order applied.

    Lower-cased; ``identity`` and empty items are dropped; ``x-gzip`` becomes ``gzip``.
    """
    if values is None:
        return []
    if isinstance(values, str | bytes):
        values = [values]
    codings: list[str] = []
    for value in values:
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        for item in text.split(","):
            coding = item.strip().lower()
            if coding in _IDENTITY:
                continue
            codings.append("gzip" if coding == "x-gzip" else coding)
    return codings


# -- one coding ------------------------------------------------------------------------


class _Stage(Protocol):
    """One decompressor: input in, at most ``limit`` bytes out per call."""

    def push(self, data: bytes, limit: int) -> bytes: ...

    def pull(self, limit: int) -> bytes:
        """More output without more input; ``b""`` when it needs input (or is done)."""
        ...

    @property
    def done(self) -> bool:
        """True once the compressed stream has ended."""
        ...


class _ZlibStage:
    """gzip (several members allowed, as browsers do) and deflate (zlib or raw)."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._gzip = coding == "gzip"
        self._new(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)
        # deflate: the input kept until the first output, to retry it as a raw stream
        self._head: bytes | None = None if self._gzip else b""
        self._tail = b""
        self.trailing = 0
        """Bytes after the end of the compressed stream (ignored, as browsers do)."""

    def _new(self, wbits: int) -> None:
        self._wbits = wbits
        self._obj = zlib.decompressobj(wbits)

    def push(self, data: bytes, limit: int) -> bytes:
        if self.done:
            self.trailing += len(data)
            return b""
        data = self._tail + data if self._tail else data
        self._tail = b""
        if self._head is not None:
            self._head += data
        try:
            out = self._obj.decompress(data, limit)
        except zlib.error as exc:
            if self._head is not None and self._wbits > 0:
                # "deflate" as many servers send it: a raw stream without the zlib header
                head, self._head = self._head, None
                self._new(-zlib.MAX_WBITS)
                return self.push(head, limit)
            raise DecodeError(f"body labelled {self.coding} does not decompress: {exc}") from exc
        if out:
            self._head = None
        self._tail = self._obj.unconsumed_tail
        if self._obj.eof and self._gzip and self._obj.unused_data[:2] == b"\x1f\x8b":
            rest = self._obj.unused_data
            self._new(self._wbits)
            self._tail = rest
        elif self._obj.eof:
            self.trailing += len(self._obj.unused_data)
        return out

    def pull(self, limit: int) -> bytes:
        if not self._tail or self.done:
            return b""
        return self.push(b"", limit)

    @property
    def done(self) -> bool:
        return self._obj.eof and not self._tail


class _BrotliStage:
    """``br`` through the ``brotli`` module (Google's API; brotlipy/brotlicffi also work)."""

    def __init__(self) -> None:
        try:
            import brotli
        except ImportError:  # pragma: no cover - Scrapy requires Brotli
            raise UnsupportedCoding("br") from None
        self._error: type[BaseException] = getattr(brotli, "error", Exception)
        self._obj: Any = brotli.Decompressor()
        # Google's Brotli >= 1.2 bounds each call's output (roughly: the buffer stops
        # growing past the limit); older or other bindings return everything at once
        self._bounded = hasattr(self._obj, "can_accept_more_data")

    def push(self, data: bytes, limit: int) -> bytes:
        try:
            if self._bounded:
                return bytes(self._obj.process(data, output_buffer_limit=limit))
            process = getattr(self._obj, "process", None) or self._obj.decompress
            return bytes(process(data))
        except self._error as exc:
            raise DecodeError(f"body labelled br does not decompress: {exc}") from exc

    def pull(self, limit: int) -> bytes:
        if not self._bounded or self._obj.is_finished():
            return b""
        return self.push(b"", limit)

    @property
    def done(self) -> bool:
        finished = getattr(self._obj, "is_finished", None)
        if finished is not None:
            return bool(finished())
        try:  # brotlipy: finish() raises on an incomplete stream (and ends the object)
            self._obj.finish()
        except Exception:
            return False
        return True


def zstd_module() -> Any:
    """The zstd module of this Python: ``compression.zstd`` (3.14) or ``backports.zstd``."""
    if sys.version_info >= (3, 14):  # pragma: no cover - not this project's CI Python yet
        from compression import zstd
    else:
        from backports import zstd
    return zstd


class _ZstdStage:
    """``zstd`` through ``compression.zstd`` / ``backports.zstd`` (several frames allowed)."""

    def __init__(self) -> None:
        try:
            self._zstd = zstd_module()
        except ImportError:  # pragma: no cover - Scrapy requires backports.zstd
            raise UnsupportedCoding("zstd") from None
        self._obj = self._zstd.ZstdDecompressor()

    def push(self, data: bytes, limit: int) -> bytes:
        if self._obj.eof:
            rest = self._obj.unused_data + data
            if not rest:
                return b""
            self._obj = self._zstd.ZstdDecompressor()
            data = rest
        try:
            return bytes(self._obj.decompress(data, max_length=limit))
        except self._zstd.ZstdError as exc:
            raise DecodeError(f"body labelled zstd does not decompress: {exc}") from exc

    def pull(self, limit: int) -> bytes:
        if self._obj.eof and self._obj.unused_data:
            return self.push(b"", limit)
        if self._obj.eof or self._obj.needs_input:
            return b""
        return self.push(b"", limit)

    @property
    def done(self) -> bool:
        return bool(self._obj.eof) and not self._obj.unused_data


def _stage(coding: str) -> _Stage:
    if coding == "gzip" or coding == "deflate":
        return _ZlibStage(coding)
    if coding == "br":
        return _BrotliStage()
    if coding == "zstd":
        return _ZstdStage()
    raise UnsupportedCoding(coding)


def is_supported(coding: str) -> bool:
    """True when :class:`StreamDecoder` decodes ``coding`` in this environment."""
    try:
        for name in parse_codings(coding):
            _stage(name)
    except UnsupportedCoding:
        return False
    return True


# -- a chain of codings ------------------------------------------------------------------


class StreamDecoder:
    """Decode a body in pieces: ``feed(data)`` and ``close()`` yield decoded chunks.

    ``codings`` are in the order the server applied them (the ``Content-Encoding``
    order); they are undone from the last. ``max_size`` (0: no bound) bounds what any
    stage may produce in all: past it, :class:`SizeLimitExceeded` is raised, after at
    most one chunk (64 KiB) more than the bound has been produced.
    """

    def __init__(self, codings: Sequence[str], *, max_size: int = 0) -> None:
        self.codings = list(codings)
        self.max_size = max_size
        self._stages = [_stage(coding) for coding in reversed(self.codings)]
        self._produced = [0] * len(self._stages)
        self.size = 0
        """Decoded bytes yielded so far."""

    @property
    def complete(self) -> bool:
        """True when every compressed stream has ended (the body was not cut short)."""
        return all(stage.done for stage in self._stages)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decode ``data`` (the next piece of the encoded body); yield decoded chunks."""
        yield from self._run(0, data)

    def close(self) -> Iterator[bytes]:
        """Yield what is left once the whole body has been fed."""
        yield from self._run(0, b"")

    def _run(self, index: int, data: bytes) -> Iterator[bytes]:
        if index == len(self._stages):
            if data:
                self.size += len(data)
                yield data
            return
        stage = self._stages[index]
        out = stage.push(data, _CHUNK) if data else stage.pull(_CHUNK)
        while out:
            self._count(index, len(out))
            yield from self._run(index + 1, out)
            out = stage.pull(_CHUNK)
        if not data and index + 1 < len(self._stages):
            yield from self._run(index + 1, b"")

    def _count(self, index: int, size: int) -> None:
        self._produced[index] += size
        if self.max_size and self._produced[index] > self.max_size:
            raise SizeLimitExceeded(self.max_size)


def decode(
    body: bytes,
    codings: Sequence[str],
    *,
    max_size: int = 0,
    allow_partial: bool = False,
) -> bytes:
    """``body`` with its content ``codings`` undone (see :class:`StreamDecoder`).

    Raises :class:`DecodeError` when the body does not decode, or when it ends before its
    compressed stream does (unless ``allow_partial``: a body cut short in transit gives
    what decodes of it), :class:`SizeLimitExceeded` past ``max_size``.
    """
    if not codings:
        if max_size and len(body) > max_size:
            raise SizeLimitExceeded(max_size)
        return body
    decoder = StreamDecoder(codings, max_size=max_size)
    parts = list(decoder.feed(body))
    parts.extend(decoder.close())
    if not allow_partial and body and not decoder.complete:
        raise DecodeError(
            f"body labelled {', '.join(codings)} ends before its compressed stream does"
        )
    return b"".join(parts)


# -- warcio ------------------------------------------------------------------------------


class _WarcioDecompressor:
    """The object warcio's ``BufferedReader`` expects: ``decompress(data)``, ``unused_data``."""

    def __init__(self, coding: str) -> None:
        self._decoder = StreamDecoder([coding])
        self.unused_data = b""

    def decompress(self, data: bytes) -> bytes:
        return b"".join(self._decoder.feed(data))

    def flush(self) -> bytes:
        return b"".join(self._decoder.close())


def register_with_warcio() -> None:
    """Make warcio decode ``br`` and ``zstd`` with this module's decoders (idempotent).

    warcio's own ``br`` support needs the brotlipy API, which Google's ``brotli`` module
    (the one this project installs) does not have, and it has no ``zstd``.
    """
    from warcio.bufferedreaders import BufferedReader

    for coding in ("br", "zstd"):
        BufferedReader.DECOMPRESSORS[coding] = lambda coding=coding: _WarcioDecompressor(coding)
