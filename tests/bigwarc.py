"""Write WARC files with one very large response record, without holding it in memory
(for the validator's memory test)."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PIECE = 1 << 16


def _sha1(h: Any) -> str:
    return "sha1:" + base64.b32encode(h.digest()).decode("ascii")


def _entity(size: int, seed: bytes) -> Iterator[bytes]:
    block = hashlib.sha256(seed).digest() * (PIECE // 32)
    left = size
    while left > 0:
        piece = block[: min(PIECE, left)]
        left -= len(piece)
        yield piece


def write_big_warc(path: Path, size: int, kind: str) -> None:
    """One response record of about ``size`` payload bytes: ``plain`` (Content-Length),
    ``chunked`` (64 KiB chunks; spec payload digest) or ``gzip`` (a gzip-encoded body in a
    ``.warc.gz`` file, its entity random so neither gzip layer shrinks it)."""
    if kind == "gzip":
        compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        tmp = path.with_suffix(".body")
        with tmp.open("wb") as fh:
            left = size
            while left > 0:
                data = os.urandom(min(PIECE * 16, left))
                left -= len(data)
                fh.write(compressor.compress(data))
            fh.write(compressor.flush())
        body_size = tmp.stat().st_size
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        head += b"Content-Length: %d\r\n\r\n" % body_size

        def body() -> Iterator[bytes]:
            with tmp.open("rb") as fh:
                while data := fh.read(PIECE):
                    yield data

        _write(path, head, body, body_size, gzip_file=True)
        tmp.unlink()
        return
    if kind == "chunked":
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"

        def body() -> Iterator[bytes]:
            for piece in _entity(size, path.name.encode()):
                yield b"%x\r\n" % len(piece) + piece + b"\r\n"
            yield b"0\r\n\r\n"

        count = -(-size // PIECE)
        stored = size + count * (len(b"10000\r\n") + 2) + 5
        _write(path, head, body, stored, entity=lambda: _entity(size, path.name.encode()))
        return
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % size
    _write(path, head, lambda: _entity(size, path.name.encode()), size)


def _write(path, head, body, body_size, *, entity=None, gzip_file=False) -> None:  # type: ignore[no-untyped-def]
    block_hash, payload_hash = hashlib.sha1(head), hashlib.sha1()
    for piece in body():
        block_hash.update(piece)
    for piece in (entity or body)():
        payload_hash.update(piece)
    warc_head = (
        "WARC/1.1\r\nWARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, path.name)}>\r\n"
        "WARC-Date: 2024-05-02T10:00:00Z\r\nWARC-Target-URI: http://example.com/big\r\n"
        f"WARC-Block-Digest: {_sha1(block_hash)}\r\nWARC-Payload-Digest: {_sha1(payload_hash)}\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(head) + body_size}\r\n\r\n"
    ).encode()
    compressor = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS) if gzip_file else None
    with path.open("wb") as fh:

        def out(data: bytes) -> None:
            fh.write(compressor.compress(data) if compressor else data)

        out(warc_head + head)
        for piece in body():
            out(piece)
        out(b"\r\n\r\n")
        if compressor:
            fh.write(compressor.flush())
