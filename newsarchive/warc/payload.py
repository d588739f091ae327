"""A stored HTTP payload as readers want it: de-chunked, content-decoded, in pieces.

Part of the one WARC reader (:mod:`newsarchive.warc.reader` re-exports it): chunk framing
is undone with :class:`newsarchive.http.message.Dechunker` (leniently: a body labelled
chunked that holds no chunk framing is passed through as stored, as warcio and pywb read
it), content codings with :class:`newsarchive.http.codings.StreamDecoder` (gzip, deflate,
br, zstd). No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from newsarchive.http.codings import StreamDecoder, parse_codings
from newsarchive.http.message import Dechunker, HttpParseError

__all__ = ["entity_chunks", "http_codings", "is_chunked", "payload_chunks"]


def _tokens(headers: Iterable[tuple[str, str]], name: str) -> list[str]:
    wanted = name.lower()
    return [
        item.strip().lower()
        for key, value in headers
        if key.lower() == wanted
        for item in value.split(",")
        if item.strip()
    ]


def is_chunked(http_headers: Iterable[tuple[str, str]]) -> bool:
    """True when ``chunked`` is the last transfer coding of a stored HTTP head."""
    codings = _tokens(http_headers, "Transfer-Encoding")
    return bool(codings) and codings[-1] == "chunked"


def http_codings(http_headers: Iterable[tuple[str, str]]) -> list[str]:
    """The content codings of a stored HTTP head, in the order applied."""
    return parse_codings([v for k, v in http_headers if k.lower() == "content-encoding"])


def entity_chunks(raw: Iterable[bytes], chunked: bool) -> Iterator[bytes]:
    """The entity body from the raw payload pieces: de-chunked when ``chunked`` (leniently;
    a body whose first chunk-size line is not one is passed through as stored)."""
    if not chunked:
        yield from raw
        return
    dechunker = Dechunker()
    held: (
        list[bytes] | None
    ) = []  # pieces fed before the first chunk's data: given back if not chunked
    pieces = iter(raw)
    for piece in pieces:
        if dechunker.done:
            break
        try:
            dechunker.feed(piece)
        except HttpParseError:
            if held is None or dechunker.size:
                raise
            yield from held  # not chunked after all: what was stored is the entity
            yield piece
            yield from pieces
            return
        if held is not None:
            held = None if dechunker.size else [*held, piece]
        if dechunker.data:
            yield bytes(dechunker.data)
            dechunker.data.clear()
    if held and not dechunker.done:
        yield from held  # no chunk-size line in it at all: not chunked after all


def payload_chunks(
    raw: Iterable[bytes],
    http_headers: Iterable[tuple[str, str]],
    *,
    decode: bool = True,
    max_size: int = 0,
) -> Iterator[bytes]:
    """The entity of a stored HTTP message, de-chunked and (with ``decode``) content-decoded.

    Raises :class:`~newsarchive.http.codings.DecodeError` on a body that does not decode,
    :class:`~newsarchive.http.message.HttpParseError` on broken chunking.
    """
    headers = list(http_headers)
    entity = entity_chunks(raw, is_chunked(headers))
    codings = http_codings(headers) if decode else []
    if not codings:
        yield from entity
        return
    decoder = StreamDecoder(codings, max_size=max_size)
    for piece in entity:
        yield from decoder.feed(piece)
    yield from decoder.close()
