"""Every content coding a server may send, through the whole toolchain.

The generic test site is served with its article pages in gzip, deflate, br and zstd (and
chunked), whatever the request asked for: a crawl (which asks for gzip and deflate only)
must record every article, and ``extract``, ``validate``, ``pack`` and pywb replay must
agree with it, in the venv ``make`` builds (Google's ``brotli``, no brotlipy).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zipfile
import zlib
from pathlib import Path

import brotli
import pytest

from newsarchive.http import codings
from tests.conftest import run_cli
from tests.pywb_helpers import replay
from tests.static_site import StaticSite

SITE = Path(__file__).parent / "sites" / "generic"
EXPECTED = json.loads((SITE / "expected.json").read_text("utf-8"))
ARTICLE_PATHS = sorted(e["url_path"] for e in EXPECTED)
ZSTD = codings.zstd_module()
#: (Content-Encoding, chunked) by article, in turn
CODINGS = [
    ("br", False),
    ("zstd", False),
    ("gzip", False),
    ("deflate", False),
    ("br", True),
    ("zstd", True),
    ("gzip", True),
    (None, True),
]
ENCODE = {
    "br": brotli.compress,
    "zstd": ZSTD.compress,
    "gzip": lambda body: gzip.compress(body, mtime=0),
    "deflate": zlib.compress,
    None: lambda body: body,
}


def coding_for(path: str) -> tuple[str | None, bool]:
    base = path.split("?")[0]
    if base not in ARTICLE_PATHS:
        return None, False
    return CODINGS[ARTICLE_PATHS.index(base) % len(CODINGS)]


def encoder(path: str, body: bytes) -> tuple[bytes, str | None, bool]:
    coding, chunked = coding_for(path)
    return ENCODE[coding](body), coding, chunked


def test_brotli_is_googles_and_no_second_implementation_is_installed():
    from importlib.metadata import PackageNotFoundError, distribution

    assert hasattr(brotli.Decompressor(), "process")  # Google's API, not brotlipy's
    for other in ("brotlipy", "brotlicffi"):
        with pytest.raises(PackageNotFoundError):
            distribution(other)


@pytest.fixture(scope="module")
def encoded_crawl(tmp_path_factory):
    out = tmp_path_factory.mktemp("codings") / "archives"
    with StaticSite(SITE, encoder=encoder) as site:
        served = {path: site.resolve(path)[0] for path in ARTICLE_PATHS}
        result = run_cli("crawl", "generic", "--root", site.origin + "/", "--out", str(out))
        return site.origin, served, result, out


def _jsonl(out: Path) -> list[str]:
    return sorted(
        line for path in (out / "jsonl").glob("*.jsonl") for line in path.read_text().splitlines()
    )


def test_every_article_is_recorded_whatever_its_coding(encoded_crawl):
    origin, _served, result, out = encoded_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    records = {json.loads(line)["url"]: json.loads(line) for line in _jsonl(out)}
    assert set(records) == {origin + path for path in ARTICLE_PATHS}
    for want in EXPECTED:
        record = records[origin + want["url_path"]]
        assert (record["title"], record["body"]) == (want["title"], want["body"])
    report = json.loads(next((out / "reports").glob("generic-*.json")).read_text())
    assert report["errors"] == 0
    stats = report["stats"]
    assert stats.get("newsarchive/decode/errors", 0) == 0
    # the requests asked only for what every WARC tool decodes
    assert codings.ACCEPT_ENCODING == "gzip, deflate"


def test_extract_validate_and_pack_agree_with_the_crawl(encoded_crawl, tmp_path):
    _origin, _served, _result, out = encoded_crawl
    again = tmp_path / "again.jsonl"
    extracted = run_cli("extract", str(out / "warc"), "-o", str(again))
    assert extracted.returncode == 0, extracted.stderr
    assert sorted(again.read_text().splitlines()) == _jsonl(out)
    validated = run_cli("validate", str(out / "warc"), str(out / "jsonl"))
    assert validated.returncode == 0, validated.stdout[-3000:]
    assert " 0 errors" in validated.stdout
    wacz = tmp_path / "archive.wacz"
    packed = run_cli("pack", str(out), "-o", str(wacz))
    assert packed.returncode == 0, packed.stderr
    with zipfile.ZipFile(wacz) as zf:
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()[1:]]
    assert {page["url"] for page in pages} >= {json.loads(r)["url"] for r in _jsonl(out)}


def test_pywb_replays_each_article_as_the_server_sent_it(encoded_crawl):
    """A browser asks pywb for every coding it decodes; the entity it gets back, decoded
    by its Content-Encoding, is the page the server sent."""
    origin, served, _result, out = encoded_crawl
    urls = [origin + path for path in ARTICLE_PATHS]
    results = replay(
        sorted((out / "warc").glob("*.warc.gz")),
        urls,
        accept_encoding="gzip, deflate, br, zstd",
    )
    for path, url in zip(ARTICLE_PATHS, urls, strict=True):
        status, headers, body = results[url]
        assert status == 200, url
        lowered = {k.lower(): v for k, v in headers}
        coding = lowered.get("content-encoding")
        decoded = codings.decode(body, codings.parse_codings(coding))
        assert hashlib.sha1(decoded).digest() == hashlib.sha1(served[path]).digest(), (url, coding)
