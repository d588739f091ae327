"""Content codings: every coding decodes, in pieces too, bombs stop at the bound."""

from __future__ import annotations

import gzip
import io
import zlib

import brotli
import pytest

from newsarchive.http import codings
from newsarchive.http.codings import (
    ACCEPT_ENCODING,
    DecodeError,
    SizeLimitExceeded,
    StreamDecoder,
    UnsupportedCoding,
    decode,
    parse_codings,
)

zstd = codings.zstd_module()

PAGE = ("<html><body>" + "Ein Absatz über Nachrichten. " * 4000 + "</body></html>").encode()


def _raw_deflate(data: bytes) -> bytes:
    obj = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return obj.compress(data) + obj.flush()


ENCODED = {
    "gzip": gzip.compress(PAGE),
    "deflate": zlib.compress(PAGE),
    "br": brotli.compress(PAGE),
    "zstd": zstd.compress(PAGE),
}


def test_requests_ask_only_for_what_every_warc_tool_reads():
    assert ACCEPT_ENCODING == "gzip, deflate"


@pytest.mark.parametrize("coding", sorted(ENCODED))
def test_each_coding_decodes_whole_and_in_seven_byte_pieces(coding):
    body = ENCODED[coding]
    assert decode(body, [coding]) == PAGE
    decoder = StreamDecoder([coding])
    out = b"".join(b"".join(decoder.feed(body[i : i + 7])) for i in range(0, len(body), 7))
    out += b"".join(decoder.close())
    assert out == PAGE
    assert decoder.complete


def test_deflate_without_zlib_header_as_many_servers_send_it():
    assert decode(_raw_deflate(PAGE), ["deflate"]) == PAGE
    decoder = StreamDecoder(["deflate"])
    raw = _raw_deflate(PAGE)
    out = b"".join(b"".join(decoder.feed(raw[i : i + 1])) for i in range(len(raw)))
    assert out == PAGE


def test_several_codings_are_undone_last_first():
    body = brotli.compress(gzip.compress(PAGE))
    assert decode(body, parse_codings("gzip, br")) == PAGE


def test_concatenated_gzip_members_and_zstd_frames():
    assert decode(gzip.compress(b"ab") + gzip.compress(b"cd"), ["gzip"]) == b"abcd"
    assert decode(zstd.compress(b"ab") + zstd.compress(b"cd"), ["zstd"]) == b"abcd"


@pytest.mark.parametrize("coding", sorted(ENCODED))
def test_a_body_cut_short_is_an_error_unless_partial_is_allowed(coding):
    half = ENCODED[coding][: len(ENCODED[coding]) // 2]
    with pytest.raises(DecodeError, match="ends before"):
        decode(half, [coding])
    partial = decode(half, [coding], allow_partial=True)
    assert PAGE.startswith(partial)


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_a_decompression_bomb_stops_at_the_bound(coding):
    huge = b"\0" * (256 << 20)
    bomb = {"gzip": lambda b: gzip.compress(b, 9), "br": brotli.compress, "zstd": zstd.compress}[
        coding
    ](huge)
    del huge
    assert len(bomb) < 300_000
    decoder = StreamDecoder([coding], max_size=1 << 20)
    produced = 0
    with pytest.raises(SizeLimitExceeded):
        for chunk in decoder.feed(bomb):
            produced += len(chunk)
    # at most one chunk past the bound was ever produced
    assert produced <= (1 << 20) + (1 << 17)


def test_corrupt_and_unknown_bodies():
    with pytest.raises(DecodeError, match="gzip"):
        decode(b"\x1f\x8bnot really gzip", ["gzip"])
    with pytest.raises(UnsupportedCoding):
        decode(b"abc", ["compress"])
    assert codings.is_supported("gzip, br") and not codings.is_supported("sdch")


def test_header_values_are_normalised():
    assert parse_codings([b"gzip, br", "X-GZIP", "identity", " "]) == ["gzip", "br", "gzip"]
    assert parse_codings(None) == []


def test_warcio_decodes_br_and_zstd_through_the_same_decoders():
    from warcio.bufferedreaders import BufferedReader

    codings.register_with_warcio()
    for coding in ("br", "zstd"):
        reader = BufferedReader(io.BytesIO(ENCODED[coding]), decomp_type=coding)
        assert reader.read() == PAGE
