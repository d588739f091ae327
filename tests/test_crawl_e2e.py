"""The whole command line against the replica sites: what archivists and researchers get."""

from __future__ import annotations

import collections
import gzip
import subprocess
import sys
import urllib.request
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from tests.archive_checks import check_indexes
from tests.conftest import run_cli
from tests.pywb_helpers import fetch, replay, wayback_server
from tests.warc_tools import check_with_tools

CRAWL_FIELDS = ("schema_version", "fetched_at", "warc", "version", "previous")


def test_crawl_exits_zero_and_says_what_it_did(crawl_run):
    assert crawl_run.result.returncode == 0, crawl_run.result.stderr[-3000:]
    out = crawl_run.result.stdout
    assert "trend: archived" in out
    assert "bakutel: archived" in out


def test_every_article_archived_exactly_once(crawl_run):
    expected = {r["url"] for r in crawl_run.server.expected_records()}
    urls = [r["url"] for r in crawl_run.records()]
    dupes = [u for u, n in collections.Counter(urls).items() if n > 1]
    assert not dupes
    assert set(urls) == expected
    assert len(expected) >= 300


def test_each_article_page_fetched_once(crawl_run):
    fetched = collections.Counter(
        (host, path) for host, method, path, _headers in crawl_run.requests
    )
    by_url = {}
    for host_key, urls in _hosts(crawl_run).items():
        for url in urls:
            by_url[url] = host_key
    for record in crawl_run.records():
        key = (by_url[_origin(record["url"])], urlsplit(record["url"]).path)
        assert fetched[key] == 1, record["url"]


def test_no_request_to_a_robots_disallowed_path(crawl_run):
    prefixes = crawl_run.server.disallowed_prefixes
    assert any(prefixes.values())
    offending = [
        (host, path)
        for host, _method, path, _headers in crawl_run.requests
        if any(path.startswith(p) for p in prefixes.get(host, ()))
    ]
    assert offending == []


def test_records_match_what_the_replica_published(crawl_run):
    truth = {r["url"]: r for r in crawl_run.server.expected_records()}
    mismatches = []
    for record in crawl_run.records():
        want = truth[record["url"]]
        assert (record["version"], record["previous"]) == (1, None)  # a first crawl
        got = {k: v for k, v in record.items() if k not in CRAWL_FIELDS}
        if got != want:
            diff = {k: (got.get(k), want.get(k)) for k in want if got.get(k) != want.get(k)}
            mismatches.append((record["url"], diff))
    assert mismatches == []


def test_reports_count_no_errors(crawl_run):
    reports = crawl_run.reports()
    assert set(reports) == {"trend", "bakutel"}
    for site, report in reports.items():
        assert report["exit_code"] == 0, (site, report["summary"])
        assert report["errors"] == 0
        assert report["articles"] == len(crawl_run.records(site))
        errors = {
            k: v
            for k, v in report["stats"].items()
            if ("/errors" in k or "exception" in k or "log_count/ERROR" in k) and v
        }
        assert errors == {}, errors
        assert report["stats"].get("newsarchive/validation/dropped", 0) == 0


def test_metadata_records_hold_the_jsonl_lines_byte_for_byte(crawl_run):
    lines = []
    for path in sorted((crawl_run.out / "jsonl").glob("*.jsonl")):
        lines += path.read_bytes().splitlines(keepends=True)
    payloads = []
    for path in sorted((crawl_run.out / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type == "metadata":
                    payloads.append(record.content_stream().read())
    assert len(lines) == len(crawl_run.records()) > 0
    assert sorted(payloads) == sorted(lines)


def test_records_point_at_their_response_records(crawl_run):
    warc_dir = crawl_run.out / "warc"
    for record in crawl_run.records():
        pointer = record["warc"]
        with open(warc_dir / pointer["file"], "rb") as f:
            f.seek(pointer["offset"])
            member = f.read(pointer["length"])
        raw = gzip.decompress(member)
        head = raw.split(b"\r\n\r\n", 1)[0].decode("utf-8")
        assert "WARC-Type: response" in head
        assert f"WARC-Record-ID: {pointer['record_id']}" in head
        assert f"WARC-Target-URI: {record['url']}" in head
        assert f"WARC-Date: {record['fetched_at']}" in head


def test_warc_files_are_closed_and_pass_warcio_check(crawl_run):
    assert not list((crawl_run.out / "warc").glob("*.open"))
    files = crawl_run.warc_files()
    assert len(files) >= 2
    for path in files:
        check_with_tools(path)


def test_cdxj_indexes_hold_what_cdxj_indexer_reads_back(crawl_run):
    check_indexes(crawl_run.out)


def test_warc_holds_redirects_404s_and_robots(crawl_run):
    statuses = collections.Counter()
    robots = 0
    pairs_ok = True
    for path in crawl_run.warc_files():
        with open(path, "rb") as f:
            records = list(_records(f))
        assert records[0][0] == "warcinfo"
        for i, (kind, uri, status, date, rid, _concurrent) in enumerate(records):
            if kind == "response":
                statuses[status] += 1
                robots += uri.endswith("/robots.txt")
                nxt = records[i + 1]
                pairs_ok &= nxt[0] == "request" and nxt[1] == uri and nxt[3] == date
                pairs_ok &= nxt[5] == rid
    assert pairs_ok
    assert statuses["301"] >= 1
    assert statuses["404"] + statuses["200"] >= 300
    assert robots == 4  # three Trend editions and BakuTel


def _records(f):
    for rec in ArchiveIterator(f):
        h = rec.rec_headers
        status = rec.http_headers.get_statuscode() if rec.http_headers else None
        yield (
            rec.rec_type,
            h.get_header("WARC-Target-URI"),
            status,
            h.get_header("WARC-Date"),
            h.get_header("WARC-Record-ID"),
            h.get_header("WARC-Concurrent-To"),
        )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def _hosts(crawl_run) -> dict[str, list[str]]:
    roots = crawl_run.server.roots
    hosts = {
        f"trend-{lang}": [root]
        for lang, root in zip(("en", "az", "ru"), roots["trend"], strict=True)
    }
    hosts["bakutel"] = roots["bakutel"]
    return hosts


@pytest.mark.parametrize("command", ["crawl", "demo", "validate"])
def test_every_command_has_help(command):
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", command, "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "usage: newsarchive" in result.stdout


def _served(url: str) -> tuple[dict[str, str], bytes]:
    """What the replica serves for ``url`` to a client accepting gzip, as sent (not decoded)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        return {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def test_pywb_replays_every_article_byte_for_byte(crawl_run):
    urls = [r["url"] for r in crawl_run.records()]
    replayed = replay(crawl_run.warc_files(), urls)
    gzipped = 0
    for url in urls:
        status, headers, body = replayed[url]
        assert status == 200, url
        served_headers, served = _served(url)
        encoding = {k.lower(): v for k, v in headers}.get("content-encoding")
        if served_headers.get("content-encoding") == "gzip":
            gzipped += 1
            if encoding == "gzip":
                assert body == served, url
            else:
                assert body == gzip.decompress(served), url
        else:
            assert body == served, url
    assert gzipped > 0  # the replica's gzip responses are among them


def test_validate_passes_the_crawl_output(crawl_run):
    result = run_cli("validate", str(crawl_run.out / "warc"), str(crawl_run.out / "jsonl"))
    assert result.returncode == 0, result.stdout[-3000:]
    assert " 0 errors, " in result.stdout


def test_pack_writes_a_wacz_that_validates(crawl_run, tmp_path):
    from newsarchive.indexing import read_wacz_pages, validate_wacz

    wacz = tmp_path / "crawl.wacz"
    result = run_cli("pack", str(crawl_run.out), "-o", str(wacz))
    assert result.returncode == 0, result.stderr[-3000:]
    ok, message = validate_wacz(wacz)
    assert ok, message
    pages = {p["url"] for p in read_wacz_pages(wacz)}
    assert pages == {r["url"] for r in crawl_run.records()}
    # pywb loads the package and replays from it
    records = crawl_run.records()[:: max(1, len(crawl_run.records()) // 12)]
    with wayback_server([wacz]) as base:
        for record in records:
            stamp = iso_date_to_timestamp(record["fetched_at"])
            status, headers, body = fetch(f"{base}{stamp}id_/{record['url']}")
            assert status == 200, record["url"]
            served_headers, served = _served(record["url"])
            if {k.lower(): v for k, v in headers}.get("content-encoding") == "gzip":
                assert body == served
            elif served_headers.get("content-encoding") == "gzip":
                assert body == gzip.decompress(served)
            else:
                assert body == served
