"""A crawl of a hostile site: bounded, in scope, nothing lost, each case counted.

One crawl (``newsarchive crawl generic``) of :mod:`tests.hostile_site`, then one test per
case, each checking the outcome a user cares about: the record (or its absence), the WARC
(what was archived, with which ``WARC-Truncated``), the report's counters, stderr, memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.archive_checks import check_indexes, jsonl_records, warc_entries
from tests.conftest import run_cli
from tests.hostile_site import (
    HostileServer,
    cut_short,
    drip,
    gzip_bomb,
    huge,
    many_links,
    ok,
    page,
    rate_limited,
    redirect,
)

MAX_SIZE = 32 << 20  # DOWNLOAD_MAXSIZE's default
PEAK_RSS_BOUND_MIB = 400
"""The stated bound (docs/cli.md): a crawl's peak memory with the default limits whatever
the pages (here: a 120 MB page, a 4 GiB gzip bomb, a page of 100,000 links)."""

ARTICLES = {
    "calm": "/news/2024/05/01/calm-day-in-the-city/",
    "huge": "/news/2024/05/02/a-page-too-big/",
    "bomb": "/news/2024/05/03/compressed-surprise/",
    "short": "/news/2024/05/04/cut-short-story/",
    "drip": "/news/2024/05/05/dripping-story/",
    "away": "/news/2024/05/06/story-moved-away/",
    "loop": "/news/2024/05/07/endless-redirects/",
    "busy": "/news/2024/05/08/busy-server-story/",
    "pdf": "/news/2024/05/09/annual-report/",
    "hour": "/news/2024/05/10/come-back-in-an-hour/",
}


@dataclass
class HostileCrawl:
    site: HostileServer
    elsewhere: HostileServer
    out: Path
    result: subprocess.CompletedProcess
    peak_mib: float

    @property
    def report(self) -> dict:
        (path,) = sorted((self.out / "reports").glob("generic-*.json"))
        return json.loads(path.read_text())

    @property
    def stats(self) -> dict:
        return self.report["stats"]

    def url(self, key: str) -> str:
        return self.site.origin + ARTICLES[key]

    def truncated(self) -> dict[str, list[str]]:
        """WARC-Truncated values of the response records, by target URI."""
        found: dict[str, list[str]] = {}
        from warcio.archiveiterator import ArchiveIterator

        for path in sorted((self.out / "warc").glob("*.warc.gz")):
            with open(path, "rb") as fh:
                for record in ArchiveIterator(fh):
                    if record.rec_type == "response":
                        uri = record.rec_headers.get_header("WARC-Target-URI")
                        value = record.rec_headers.get_header("WARC-Truncated")
                        found.setdefault(uri, []).append(value)
        return found


def _site() -> tuple[HostileServer, HostileServer]:
    elsewhere = HostileServer({"/story/": ok(page("Elsewhere", 6))}, host="127.0.0.2")
    site = HostileServer({})
    origin = site.origin
    routes = {
        "/robots.txt": ok(
            f"User-agent: *\nDisallow: /private/\nSitemap: {origin}/sitemap.xml\n".encode(),
            "text/plain",
        ),
        "/sitemap.xml": ok(
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + "".join(f"<url><loc>{origin}{path}</loc></url>" for path in ARTICLES.values())
                + "</urlset>"
            ).encode(),
            "application/xml",
        ),
        "/": ok(many_links(100_000)),
        ARTICLES["calm"]: ok(page("Calm day in the city", 1)),
        ARTICLES["huge"]: huge(120 * 1000 * 1000),
        ARTICLES["bomb"]: gzip_bomb(4 << 30),
        ARTICLES["short"]: cut_short(page("Cut short", 4)[:400], 4000),
        ARTICLES["drip"]: drip(0.5, 1000),
        ARTICLES["away"]: redirect(f"{elsewhere.origin}/story/"),
        ARTICLES["loop"]: redirect("/hop/1"),
        ARTICLES["busy"]: rate_limited(ok(page("Busy server story", 8)), "1"),
        ARTICLES["pdf"]: ok(
            b"%PDF-1.4\n1 0 obj << /Title (Annual report) >>\n" * 50, "application/pdf"
        ),
        ARTICLES["hour"]: rate_limited(ok(page("Never", 9)), "3600", times=99),
    }
    for hop in range(1, 40):
        routes[f"/hop/{hop}"] = redirect(f"/hop/{hop + 1}")
    site.routes.update(routes)
    return site, elsewhere


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> HostileCrawl:
    site, elsewhere = _site()
    out = tmp_path_factory.mktemp("hostile") / "archive"
    try:
        result = subprocess.run(
            [
                sys.executable, "-m", "newsarchive", "crawl", "generic",
                "--root", site.origin + "/", "--out", str(out),
                "-s", "DOWNLOAD_TIMEOUT=2",
            ],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
    finally:
        site.close()
        elsewhere.close()
    (report,) = (out / "reports").glob("generic-*.json")
    peak = json.loads(report.read_text())["peak_rss_mib"]  # the crawl's own VmHWM
    return HostileCrawl(site, elsewhere, out, result, peak)


def test_the_crawl_ends_cleanly_with_its_errors_counted(hostile):
    assert hostile.result.returncode == 1, hostile.result.stderr[-3000:]  # timeouts, data loss
    assert "Traceback" not in hostile.result.stderr
    urls = {record["url"] for record in jsonl_records(hostile.out)}
    assert urls == {hostile.url("calm"), hostile.url("busy")}


def test_validate_passes_with_truncations_as_warnings(hostile):
    result = run_cli("validate", str(hostile.out / "warc"), str(hostile.out / "jsonl"))
    assert result.returncode == 0, result.stdout[-3000:]
    assert "warc-truncated-record" in result.stdout
    check_indexes(hostile.out)  # truncated records, odd heads: indexed as read back


def test_peak_memory_stays_under_the_stated_bound(hostile):
    assert hostile.peak_mib < PEAK_RSS_BOUND_MIB, hostile.peak_mib


def test_no_request_leaves_the_site(hostile):
    assert hostile.elsewhere.requests == []
    assert hostile.stats["newsarchive/scope/redirects_refused"] == 1
    archived = {e.uri for e in warc_entries(hostile.out) if e.type in ("response", "revisit")}
    assert hostile.url("away") in archived  # the 302 itself is archived


def test_a_page_past_the_size_limit_is_archived_truncated_not_extracted(hostile):
    assert set(hostile.truncated()[hostile.url("huge")]) == {"length"}
    assert hostile.stats["newsarchive/warc/truncated/length"] >= 1


def test_a_decompression_bomb_stops_at_the_limit(hostile):
    assert hostile.stats["newsarchive/decode/too_large"] == 1
    assert hostile.truncated()[hostile.url("bomb")] == [None]  # archived whole, as sent


def test_a_body_shorter_than_its_length_is_archived_as_a_disconnect(hostile):
    assert set(hostile.truncated()[hostile.url("short")]) == {"disconnect"}
    assert hostile.stats["newsarchive/warc/truncated/disconnect"] >= 1


def test_a_dripping_page_is_archived_as_timed_out(hostile):
    assert set(hostile.truncated()[hostile.url("drip")]) == {"time"}
    assert hostile.stats["newsarchive/warc/truncated/time"] >= 1


def test_a_long_redirect_chain_is_counted(hostile):
    assert hostile.stats["newsarchive/redirect/too_many"] == 1


def test_retry_after_is_honoured_up_to_its_bound(hostile):
    stats = hostile.stats
    assert stats["newsarchive/retry_after/waited"] == 1
    assert stats["newsarchive/retry_after/seconds"] >= 1
    assert stats["newsarchive/retry_after/too_long"] == 1
    # asked once only: the hour-long wait is for the next run
    assert hostile.site.requests.count(ARTICLES["hour"]) == 1


def test_a_pdf_at_an_article_url_is_no_error(hostile):
    assert hostile.stats["newsarchive/extract/not_text"] == 1
    assert "newsarchive/extract/errors" not in hostile.stats


def test_a_page_of_100000_links_is_read_up_to_the_bound(hostile):
    assert hostile.stats["newsarchive/discovery/links_capped"] == 1
    assert hostile.stats["newsarchive/discovery/links_capped/anchors"] == 98_000
    assert sum(t.startswith("/tag/") for t in hostile.site.requests) < 2_000


def test_robots_txt_is_fetched_once_per_origin_and_run(hostile):
    assert hostile.site.requests.count("/robots.txt") == 1


# -- robots.txt that fails (RFC 9309) -----------------------------------------------------


def _robots_crawl(tmp_path: Path, robots_route, *extra: str) -> tuple[HostileServer, dict, str]:
    site = HostileServer({})
    origin = site.origin
    site.routes.update(
        {
            "/robots.txt": robots_route,
            "/sitemap.xml": ok(
                (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<url><loc>{origin}{ARTICLES['calm']}</loc></url>"
                    f"<url><loc>{origin}{ARTICLES['busy']}</loc></url>"
                    f"<url><loc>{origin}{ARTICLES['pdf']}</loc></url>"
                    "</urlset>"
                ).encode(),
                "application/xml",
            ),
            "/": ok(b"<html><body><a href='/world/'>World</a></body></html>"),
            ARTICLES["calm"]: ok(page("Calm day in the city", 1)),
            ARTICLES["busy"]: ok(page("Busy server story", 8)),
            ARTICLES["pdf"]: ok(page("Third story", 9)),
        }
    )
    out = tmp_path / "archive"
    try:
        result = run_cli(
            "crawl", "generic", "--root", origin + "/", "--out", str(out),
            "-s", "NEWSARCHIVE_ROBOTS_TIMEOUT=2", *extra,
        )  # fmt: skip
    finally:
        site.close()
    (path,) = (out / "reports").glob("generic-*.json")
    return site, json.loads(path.read_text()), result.stderr


def _status(code: str):
    def route(_target, conn):
        from tests.hostile_site import send

        send(conn, code, [("Content-Length", "6")], b"oops!\n")

    return route


def test_a_robots_txt_answering_5xx_disallows_the_site_for_this_run(tmp_path):
    site, report, stderr = _robots_crawl(tmp_path, _status("503 Service Unavailable"))
    assert [t for t in site.requests if t != "/robots.txt"] == []  # nothing else asked
    stats = report["stats"]
    assert stats["newsarchive/robots/unreachable"] == 1
    assert stats["newsarchive/robots/unreachable_origins"] == [site.origin]
    assert report["exit_code"] == 4  # nothing archived; the next run asks again
    assert "unreachable" in stderr and "Traceback" not in stderr


def test_a_robots_txt_that_hangs_disallows_the_site_within_seconds(tmp_path):
    started = time.monotonic()
    site, report, _stderr = _robots_crawl(tmp_path, drip(1.0, 600))
    assert time.monotonic() - started < 30
    assert [t for t in site.requests if t != "/robots.txt"] == []
    assert report["stats"]["newsarchive/robots/unreachable"] == 1


def test_a_missing_robots_txt_allows_everything(tmp_path):
    site, report, _stderr = _robots_crawl(tmp_path, _status("404 Not Found"))
    assert report["articles"] == 3
    assert report["stats"]["newsarchive/robots/unavailable"] == 1
    assert site.requests.count("/robots.txt") == 1


def test_crawl_delay_spaces_the_requests(tmp_path):
    robots = ok(b"User-agent: *\nCrawl-delay: 1\nAllow: /\n", "text/plain")
    started = time.monotonic()
    _site_, report, _stderr = _robots_crawl(tmp_path, robots)
    took = time.monotonic() - started
    assert report["articles"] == 3
    fetched = report["stats"]["downloader/request_count"] - 1  # all but robots.txt
    assert report["stats"]["newsarchive/robots/delayed"] >= fetched - 1
    assert took >= fetched - 1  # one second apart


def test_a_huge_frontier_spills_to_disk_and_memory_stays_flat(tmp_path):
    """A sitemap of 60,000 articles: the pending requests past the memory bound go to
    disk (counted), and the disk queue is gone once the run ends."""
    site = HostileServer({})
    origin = site.origin
    entries = "".join(
        f"<url><loc>{origin}/news/2024/05/{n % 28 + 1:02d}/story-{n}/</loc></url>"
        for n in range(60_000)
    )
    site.routes.update(
        {
            "/robots.txt": ok(f"Sitemap: {origin}/sitemap.xml\n".encode(), "text/plain"),
            "/sitemap.xml": ok(
                (
                    '<?xml version="1.0" encoding="UTF-8"?><urlset '
                    f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
                ).encode(),
                "application/xml",
            ),
            "/": ok(b"<html><body>home</body></html>"),
        }
    )
    out = tmp_path / "archive"
    try:
        result = run_cli(
            "crawl", "generic", "--root", origin + "/", "--out", str(out),
            "-s", "NEWSARCHIVE_FRONTIER_MEMORY=1000", "-s", "CLOSESPIDER_PAGECOUNT=60",
        )  # fmt: skip
    finally:
        site.close()
    assert "Traceback" not in result.stderr
    (path,) = (out / "reports").glob("generic-*.json")
    report = json.loads(path.read_text())
    assert report["stats"]["newsarchive/frontier/spilled"] >= 50_000
    assert report["peak_rss_mib"] < PEAK_RSS_BOUND_MIB
    assert not list((out / ".frontier").glob("*/*.q"))  # removed when the queue closed
