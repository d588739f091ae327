"""Pages served br, zstd, gzip, deflate and chunked+gzip: ``extract``, ``validate`` and ``pack``
all decode them, in the venv ``make`` builds (Google's ``brotli``, no brotlipy)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

import brotli

from newsarchive.http.codings import zstd_module
from newsarchive.indexing import read_wacz_pages
from newsarchive.warc.writer import WarcFileWriter, warcinfo_fields
from tests.conftest import run_cli
from tests.test_reextract import TREND, article_html

CODINGS = ("br", "zstd", "gzip", "deflate", "chunked+gzip")


def _chunked(data: bytes) -> bytes:
    middle = len(data) // 2
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (data[:middle], data[middle:])) + (
        b"0\r\n\r\n"
    )


def _encode(page: bytes, coding: str) -> tuple[list[tuple[str, str]], bytes]:
    if coding == "br":
        return [("Content-Encoding", "br")], brotli.compress(page)
    if coding == "zstd":
        return [("Content-Encoding", "zstd")], zstd_module().compress(page)
    if coding == "gzip":
        return [("Content-Encoding", "gzip")], gzip.compress(page)
    if coding == "deflate":
        return [("Content-Encoding", "deflate")], zlib.compress(page)
    body = gzip.compress(page)
    return [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")], _chunked(body)


def _archive(out: Path) -> dict[str, str]:
    """One article per coding, written by the project's writer; url -> coding."""
    urls = {}
    writer = WarcFileWriter(
        out / "warc",
        prefix="trend",
        warcinfo=warcinfo_fields(is_part_of="trend", software="tests"),
        hostname="host",
        clock=lambda: datetime(2023, 11, 15, 9, tzinfo=UTC),
    )
    page = article_html()
    with writer:
        for number, coding in enumerate(CODINGS, start=1):
            url = f"{TREND}/business/economy/{3835140 + number}.html"
            headers, body = _encode(page, coding)
            head = [("Content-Type", "text/html; charset=utf-8"), *headers]
            if "chunked" not in coding:
                head.append(("Content-Length", str(len(body))))
            raw = "HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in head) + "\r\n"
            path = url.split("/", 3)[-1]
            writer.write_exchange(
                url,
                response_head=raw.encode(),
                response_body=body,
                request_head=f"GET /{path} HTTP/1.1\r\nHost: en.trend.az\r\n\r\n".encode(),
            )
            urls[url] = coding
    return urls


def test_every_coding_is_extracted_validated_and_packed(tmp_path: Path) -> None:
    assert importlib.util.find_spec("brotlicffi") is None  # the venv has Google's brotli only
    out = tmp_path / "out"
    urls = _archive(out)
    jsonl = out / "jsonl" / "trend-20231115090000.jsonl"
    result = run_cli("extract", str(out / "warc"), "-o", str(jsonl))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    records = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]
    assert [r["url"] for r in records] == list(urls)
    # the same page whatever its coding: the same record but for where it lies
    same = {json.dumps({k: v for k, v in r.items() if k not in ("url", "warc")}) for r in records}
    assert len(same) == 1
    assert records[0]["title"] == "Gas deal signed"

    result = run_cli("validate", str(out / "warc"), str(jsonl))
    assert result.returncode == 0, result.stdout
    assert "error:" not in result.stdout
    for code in ("http-bad-encoding", "http-bad-gzip", "http-unknown-encoding"):
        assert code not in result.stdout

    wacz = tmp_path / "out.wacz"
    result = run_cli("pack", str(out), "-o", str(wacz))
    assert result.returncode == 0, result.stderr
    assert {page["url"] for page in read_wacz_pages(wacz)} == set(urls)


def test_a_body_that_does_not_decode_is_an_error_naming_its_coding(tmp_path: Path) -> None:
    from newsarchive.validate import validate_paths

    out = tmp_path / "out"
    _archive(out)
    (path,) = (out / "warc").iterdir()
    data = bytearray(path.read_bytes())
    # the br body: corrupt it inside its (one gzip member per record) record
    records = list(_members(bytes(data)))
    offset, length = records[1]
    member = bytearray(gzip.decompress(data[offset : offset + length]))
    start = member.index(b"\r\n\r\n", member.index(b"Content-Encoding: br")) + 4
    member[start + 3] ^= 0xFF
    data[offset : offset + length] = gzip.compress(bytes(member))
    path.write_bytes(bytes(data))
    report = validate_paths([path])
    bad = [p for p in report.problems if p.code == "http-bad-encoding"]
    assert len(bad) == 1 and "br" in bad[0].message
    assert report.exit_status == 1


def _members(data: bytes) -> list[tuple[int, int]]:
    extents, pos = [], 0
    while pos < len(data):
        obj = zlib.decompressobj(31)
        obj.decompress(data[pos:])
        end = len(data) - len(obj.unused_data)
        extents.append((pos, end - pos))
        pos = end
    return extents
