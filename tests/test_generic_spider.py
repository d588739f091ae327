"""The generic spider: URL and page classification, discovery sources, and two crawls
through the real command line (a small unknown-layout site, and one Trend replica edition)."""

from __future__ import annotations

import collections
import gzip
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from newsarchive.discovery import (
    PageKind,
    UrlKind,
    classify_page,
    classify_url,
    is_feed_url,
    looks_like_section,
    normalize_url,
    page_number,
)
from newsarchive.discovery.links import page_links
from newsarchive.discovery.sources import (
    feed_entry_links,
    parse_robots,
    parse_sitemap,
    robots_sitemaps,
)
from newsarchive.layouts.generic import GenericNewsSpider
from newsarchive.layouts.generic_limits import GenericLimits
from tests.conftest import run_cli
from tests.static_site import StaticSite
from tests.warc_tools import check_with_tools

SITE = Path(__file__).parent / "sites" / "generic"
#: The articles of the test site: path, title, published, body, as the pages print them.
EXPECTED = json.loads((SITE / "expected.json").read_text("utf-8"))
H = "https://news.example"

# --- (1) the URL classifier ----------------------------------------------------------------

ARTICLE_URLS = [
    "/azerbaijan/society/1213736.html",  # numeric id (Trend)
    "/en/news/4521.html",  # numeric id (BakuTel)
    "/news/2024/05/02/parliament-passes-budget-bill/",  # date, then a slug
    "/2024/05/02/short/",
    "/sport/2024-05-04-final-score.html",  # date inside the leaf
    "/archive/20231130/harbour-works",
    "/news/12345-city-opens-new-metro-line.html",
    "/news/98765/",
    "/world/europe/story-99812",
    "/news/markets-rally-as-inflation-cools-down",  # long slug
    "/opinion/why_cities_need_more_trees",
    "/culture/exhibition.html",  # page leaf under a section
    "/story.php?id=77",  # article id in the query
    "/?p=123",
    "/news/12345-city.html?utm_source=x&utm_medium=rss",  # tracking parameters ignored
]
LISTING_URLS = [
    "/",
    "/world/",
    "/business/energy/",
    "/latest/",
    "/en/",
    "/tag/economy/",
    "/tags/very-long-tag-name-with-many-words/",
    "/category/news/",
    "/author/jane-doe/",
    "/topics/climate",
    "/news/page/2/",
    "/page/3",
    "/sport/?page=2",
    "/en/news/?page=12",
    "/2024/",
    "/2024/05/",
    "/2024/05/02/",
    "/news/index.html",
]
SKIP_URLS = [
    "/media/2024/05/02/1213736.jpg",
    "/static/app.js",
    "/files/report-2024.pdf",
    "/feeds/index.rss",
    "/sitemap.xml",
    "/search/?q=harbour",
    "/search",
    "/login/",
    "/cgi-bin/print.pl?id=3",
    "/wp-admin/post.php",
    "/latest/?ajax=1&date=1700000000",
    "/news/?sort=popular",
    "mailto:desk@news.example",
    "ftp://news.example/file",
]
UNKNOWN_URLS = [
    "/sport/interview",
    "/about.html",
    "/world",
    "/opinion-and-analysis",
    "/sport/local-team-wins/",
    "/briefs/port-expands",
]


def _url(path: str) -> str:
    return path if ":" in path.split("/")[0] else H + path


@pytest.mark.parametrize("path", ARTICLE_URLS)
def test_article_urls(path):
    assert classify_url(_url(path)).kind is UrlKind.ARTICLE, classify_url(_url(path))


@pytest.mark.parametrize("path", LISTING_URLS)
def test_listing_urls(path):
    assert classify_url(_url(path)).kind is UrlKind.LISTING, classify_url(_url(path))


@pytest.mark.parametrize("path", SKIP_URLS)
def test_skipped_urls(path):
    assert classify_url(_url(path)).kind is UrlKind.SKIP, classify_url(_url(path))


@pytest.mark.parametrize("path", UNKNOWN_URLS)
def test_ambiguous_urls_are_decided_by_the_page(path):
    assert classify_url(_url(path)).kind is UrlKind.UNKNOWN, classify_url(_url(path))


def test_section_shape_is_a_weak_listing_sign():
    assert not classify_url(H + "/world/").strong_listing
    assert not classify_url(H + "/hello-world/").strong_listing
    assert classify_url(H + "/tag/world/").strong_listing
    assert classify_url(H + "/news/page/2/").strong_listing
    assert classify_url(H + "/").strong_listing


def test_sections_feeds_and_page_numbers():
    assert looks_like_section(H + "/business/energy/")
    assert looks_like_section(H + "/world")
    assert looks_like_section(H + "/tag/harbour/")
    assert not looks_like_section(H + "/about/")
    assert not looks_like_section(H + "/contact-us/")
    assert not looks_like_section(H + "/")
    assert not looks_like_section(H + "/news/?page=2")
    assert not looks_like_section(H + "/news/123.html")
    assert not looks_like_section(H + "/a/b/c/d/")
    for feed in ("/feed/", "/rss", "/feeds/index.rss", "/atom.xml", "/news/rss.xml", "/x.atom"):
        assert is_feed_url(H + feed), feed
    for page in ("/news/", "/sitemap.xml", "/feedback-form", "/news/1234.html"):
        assert not is_feed_url(H + page), page
    assert page_number(H + "/news/page/7/") == 7
    assert page_number(H + "/sport/?page=3") == 3
    assert page_number(H + "/sport/") is None


def test_normalize_url_drops_fragments_and_tracking_only():
    assert (
        normalize_url("HTTPS://News.Example/a/B.html?utm_source=x&id=4&fbclid=z#top")
        == "https://news.example/a/B.html?id=4"
    )
    assert normalize_url(H + "/sport/?page=2") == H + "/sport/?page=2"


# --- page classifier, links, sources -----------------------------------------------------


def _site_page(rel: str) -> Selector:
    return Selector(body=(SITE / rel).read_bytes(), type="html")


@pytest.mark.parametrize(
    ("rel", "kind"),
    [
        ("news/2024/05/02/parliament-passes-budget-bill/index.html", PageKind.ARTICLE),
        ("news/12345-city-opens-new-metro-line.html", PageKind.ARTICLE),  # og + published
        ("sport/local-team-wins/index.html", PageKind.ARTICLE),  # JSON-LD @graph
        ("sport/interview.html", PageKind.ARTICLE),  # no metadata: one h1 and text
        ("opinion-and-analysis.html", PageKind.LISTING),  # headline links, teasers
        ("private/members.html", PageKind.OTHER),
        ("briefs/port-expands.html", PageKind.OTHER),  # too little text to tell
    ],
)
def test_page_classifier_on_the_test_site(rel, kind):
    assert classify_page(_site_page(rel)) is kind


def test_page_labelled_article_but_full_of_headlines_is_a_listing():
    items = "".join(
        f'<li><a href="/news/{n}-story.html">Headline number {n} about the harbour</a></li>'
        for n in range(1000, 1012)
    )
    html = (
        '<html><head><meta property="og:type" content="article"></head>'
        f"<body><h1>Latest</h1><ul>{items}</ul></body></html>"
    )
    assert classify_page(Selector(text=html)) is PageKind.LISTING
    listing = '<script type="application/ld+json">{"@type": "CollectionPage"}</script>'
    assert classify_page(Selector(text=f"<html><head>{listing}</head></html>")) is PageKind.LISTING


def test_page_links_sorts_navigation_pagination_and_feeds():
    links = page_links(_site_page("index.html"), "http://127.0.0.1:8000/")
    regions = dict(links.links)
    assert regions["http://127.0.0.1:8000/news/"] == "nav"
    assert regions["http://127.0.0.1:8000/tag/harbour/"] == "nav"
    assert regions["http://127.0.0.1:8000/opinion-and-analysis"] == "main"
    assert regions["http://127.0.0.1:8000/about-us"] == "side"
    assert links.feeds == ["http://127.0.0.1:8000/feed.xml", "http://127.0.0.1:8000/atom.xml"]
    news = page_links(_site_page("news/index.html"), "http://127.0.0.1:8000/news/")
    assert news.next_pages == ["http://127.0.0.1:8000/news/page/2/"]
    sport = page_links(_site_page("sport/index.html"), "http://127.0.0.1:8000/sport/")
    assert sport.next_pages == ["http://127.0.0.1:8000/sport/?page=2"]  # "Növbəti"
    back = page_links(_site_page("news/page/2/index.html"), "http://127.0.0.1:8000/news/page/2/")
    assert "http://127.0.0.1:8000/news/page/2/" not in back.next_pages


def test_robots_sitemaps_and_rules():
    robots = parse_robots("User-agent: *\nDisallow: /private/\nSitemap: /sitemap_index.xml\n")
    assert robots_sitemaps(robots, H + "/robots.txt") == [H + "/sitemap_index.xml"]
    assert not robots.can_fetch(H + "/private/x.html", "newsarchive/0.1")
    assert robots.can_fetch(H + "/news/", "newsarchive/0.1")


def test_sitemaps_plain_gzipped_and_google_news():
    index = parse_sitemap((SITE / "sitemap_index.xml").read_bytes())
    assert index.is_index and len(index.entries) == 2
    plain = (SITE / "sitemap-archive.xml").read_bytes()
    assert parse_sitemap(gzip.compress(plain)).entries == parse_sitemap(plain).entries
    news = parse_sitemap((SITE / "sitemap-news.xml").read_bytes())
    assert not news.is_index and all(e.news for e in news.entries)
    assert not any(e.news for e in parse_sitemap(plain).entries)
    with pytest.raises(ValueError):
        parse_sitemap(b"<html><body>not a sitemap</body></html>")


def test_feed_links_rss_and_atom():
    body = (SITE / "feed.xml").read_bytes().replace(b"@ORIGIN@", H.encode())
    rss = list(feed_entry_links(body, H + "/feed.xml"))
    assert rss[0] == H + "/news/feed-only-story-about-rail-strike" and len(rss) == 3
    atom = list(feed_entry_links((SITE / "atom.xml").read_bytes(), H + "/atom.xml"))
    assert atom == [H + "/world/atom-only-report"]  # relative href, rel=self skipped
    assert list(feed_entry_links(b"not xml at all", H)) == []


def test_the_generic_spider_needs_a_root():
    with pytest.raises(ValueError, match="needs --root URL"):
        GenericNewsSpider(name="generic")
    spider = GenericNewsSpider(name="generic", root="http://127.0.0.1:1/x")
    assert spider.roots == ["http://127.0.0.1:1/x/"]


def test_is_article_page_repeats_the_crawl_decision_for_reextraction():
    origin = "http://127.0.0.1:8000"
    for entry in EXPECTED:
        path = entry["url_path"]
        if path in ("/world/atom-only-report", "/briefs/port-expands"):
            continue  # kept because a feed / news sitemap listed them: not in the archive
        rel = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        if "." not in rel.rsplit("/", 1)[-1]:
            rel += ".html"
        body = (SITE / rel).read_bytes()
        assert GenericNewsSpider.is_article_page(origin + path, body), path
    for path, rel in [
        ("/dossiers/4471/", "dossiers/4471/index.html"),
        ("/opinion-and-analysis", "opinion-and-analysis.html"),
        ("/news/", "news/index.html"),
        ("/tag/harbour/", "tag/harbour/index.html"),
    ]:
        body = (SITE / rel).read_bytes()
        assert not GenericNewsSpider.is_article_page(origin + path, body), path


def test_limits_come_from_settings():
    from scrapy.settings import Settings

    limits = GenericLimits.from_settings(Settings({"NEWSARCHIVE_GENERIC_MAX_LISTINGS": "7"}))
    assert limits.max_listings == 7
    assert limits.section_depth == GenericLimits().section_depth


def test_the_cli_refuses_generic_without_root(tmp_path):
    result = run_cli("crawl", "generic", "--out", str(tmp_path / "out"), timeout=120)
    assert result.returncode != 0
    assert "the generic spider needs --root URL" in result.stderr


# --- (2) a small unknown-layout site, through the command line ---------------------------


def _records(out: Path) -> list[dict]:
    rows = []
    for path in sorted((out / "jsonl").glob("*.jsonl")):
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    return rows


def _report(out: Path) -> dict:
    (path,) = sorted((out / "reports").glob("generic-*.json"))
    return json.loads(path.read_text("utf-8"))


def _warcio_check(out: Path) -> None:
    files = sorted((out / "warc").glob("*.warc.gz"))
    assert files and not list((out / "warc").glob("*.open"))
    for path in files:
        check_with_tools(path)


@pytest.fixture(scope="module")
def site_crawl(tmp_path_factory):
    """Serve tests/sites/generic and crawl it once with ``newsarchive crawl generic``."""
    out = tmp_path_factory.mktemp("generic") / "archives"
    with StaticSite(SITE) as site:
        result = run_cli("crawl", "generic", "--root", site.origin + "/", "--out", str(out))
        return site.origin, list(site.requests), result, out


def test_site_crawl_exits_zero(site_crawl):
    _origin, _requests, result, out = site_crawl
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"generic: archived {len(EXPECTED)} articles" in result.stdout
    report = _report(out)
    assert report["errors"] == 0 and report["exit_code"] == 0


def test_site_crawl_archives_every_article_once_as_written(site_crawl):
    origin, _requests, _result, out = site_crawl
    expected = {origin + e["url_path"]: e for e in EXPECTED}
    records = _records(out)
    urls = [r["url"] for r in records]
    assert [u for u, n in collections.Counter(urls).items() if n > 1] == []
    assert set(urls) == set(expected)  # no listing page gave a record, no article missed
    for record in records:
        want = expected[record["url"]]
        assert record["site"] == "generic"
        assert record["title"] == want["title"], record["url"]
        assert record["published"] == want["published"], record["url"]
        assert record["body"] == want["body"], record["url"]


def test_extract_reproduces_the_generic_crawls_jsonl(site_crawl, tmp_path):
    """The live callbacks and re-extraction take one decision (``yields_record``): the
    archive alone gives the same records, line for line (the feed-only and news-sitemap
    pages included, through the archived feeds and sitemaps)."""
    _origin, _requests, _result, out = site_crawl
    again = tmp_path / "again.jsonl"
    result = run_cli("extract", str(out / "warc"), "-o", str(again))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    live = sorted(
        line
        for path in (out / "jsonl").glob("*.jsonl")
        for line in path.read_text("utf-8").splitlines()
    )
    assert len(live) == len(EXPECTED)
    assert sorted(again.read_text("utf-8").splitlines()) == live


def test_site_crawl_fetches_each_page_once_and_obeys_robots(site_crawl):
    _origin, requests, _result, out = site_crawl
    assert [p for p in requests if p.startswith("/private/")] == []
    pages = [p for p in requests if p != "/robots.txt"]
    assert [p for p, n in collections.Counter(pages).items() if n > 1] == []
    assert "/about/" not in requests  # a service page, not a section
    listings = {"/news/page/2/", "/sport/?page=2", "/tag/harbour/", "/opinion-and-analysis"}
    assert listings | {"/dossiers/4471/"} <= set(requests)
    assert {"/sitemap-archive.xml.gz", "/sitemap-news.xml", "/feed.xml", "/atom.xml"} <= set(
        requests
    )
    stats = _report(out)["stats"]
    assert stats.get("robotstxt/forbidden", 0) == 0  # filtered before the middleware saw it
    assert stats["newsarchive/generic/skipped/robots"] >= 2  # a link and a sitemap entry
    assert stats["newsarchive/generic/articles"] == len(EXPECTED)
    assert stats["newsarchive/generic/articles/relisted"] == 1  # /dossiers/4471/
    assert stats["newsarchive/generic/articles/page"] >= 2  # ambiguous URLs, judged by page
    assert stats["newsarchive/generic/listings"] >= 7
    assert stats["newsarchive/generic/listings/page"] >= 1  # /opinion-and-analysis


def test_site_crawl_warcs_pass_warcio_check(site_crawl):
    _warcio_check(site_crawl[3])


def test_without_robots_txt_the_root_sitemap_is_read(tmp_path):
    import shutil

    copy = tmp_path / "site"
    shutil.copytree(SITE, copy)
    (copy / "robots.txt").unlink()
    (copy / "sitemap_index.xml").rename(copy / "sitemap.xml")
    out = tmp_path / "archives"
    with StaticSite(copy) as site:
        result = run_cli("crawl", "generic", "--root", site.origin, "--out", str(out))
        requests = list(site.requests)
    assert result.returncode == 0, result.stderr[-3000:]
    assert requests[0] == "/robots.txt" and "/sitemap.xml" in requests
    urls = {urlsplit(r["url"]).path for r in _records(out)}
    assert "/archive/2023/11/30/old-report-on-harbour-works.html" in urls  # only in a sitemap


def test_max_articles_bounds_the_crawl(tmp_path):
    out = tmp_path / "archives"
    with StaticSite(SITE) as site:
        result = run_cli(
            "crawl",
            "generic",
            "--root",
            site.origin + "/",
            "--out",
            str(out),
            "--max-articles",
            "3",
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(_records(out)) == 3


# --- (3) the replica sites: one Trend edition, and BakuTel ---------------------------------


@pytest.mark.parametrize("site", ["trend", "bakutel"])
def test_generic_spider_finds_every_article_of_a_replica_site(replica_server, tmp_path, site):
    """One Trend edition (a modern layout) and BakuTel (a table layout behind a language
    chooser): every article found, none twice, titles as published."""
    root = replica_server.roots[site][0]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(root))
    truth = {
        r["url"]: r
        for r in replica_server.expected_records()
        if r["url"].startswith(origin + "/") and r["site"] == site
    }
    assert len(truth) >= 50
    out = tmp_path / "archives"
    before = len(replica_server.requests)
    result = run_cli("crawl", "generic", "--root", root, "--out", str(out))
    requests = replica_server.requests[before:]
    assert result.returncode == 0, result.stderr[-3000:]
    records = _records(out)
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls))
    assert set(urls) == set(truth)
    same = sum(r["title"] == truth[r["url"]]["title"] for r in records)
    assert same >= 0.95 * len(truth), f"{same} of {len(truth)} titles match"
    prefixes = replica_server.disallowed_prefixes
    assert [
        (host, path)
        for host, _method, path, _headers in requests
        if path.startswith(tuple(prefixes.get(host, ())))
    ] == []
    paths = collections.Counter(path for _host, _method, path, _headers in requests)
    assert all(paths[urlsplit(url).path] == 1 for url in urls)  # each article fetched once
    _warcio_check(out)
