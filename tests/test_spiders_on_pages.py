"""The spiders on saved replica pages, one test per "varies" feature of the layout spec.

Every page is rendered offline (no sockets) and handed to the real spider callback as a
Scrapy response; the record it yields must equal what the replica published for that
article. With 60 articles per edition every feature of ``FEATURES`` occurs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newsarchive.replica import Replica
from newsarchive.replica.model import FEATURES
from spiders.bakutel import BakutelSpider
from spiders.trend import TrendSpider

ORIGINS = {
    "trend-en": "http://trend-en.test",
    "trend-az": "http://trend-az.test",
    "trend-ru": "http://trend-ru.test",
    "bakutel": "http://bakutel.test",
}
CRAWL_FIELDS = ("schema_version", "fetched_at", "warc", "version", "previous")
PER_FEATURE = 8  # articles checked per feature (all of them when fewer)


@cache
def _site() -> tuple[Replica, dict, dict]:
    replica = Replica(seed=7, now=datetime(2026, 11, 20, 9, 30, tzinfo=UTC))
    pages = replica.render(ORIGINS)
    truth = {r["url"]: r for r in replica.expected_records(ORIGINS)}
    return replica, pages, truth


def _host_key(url: str) -> str:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    return next(k for k, v in ORIGINS.items() if v == origin)


def _spider(site: str):
    cls = TrendSpider if site == "trend" else BakutelSpider
    roots = [ORIGINS[k] + "/" for k in ORIGINS if k.startswith(site)]
    crawler = get_crawler(cls)
    crawler.stats.open_spider()
    return cls.from_crawler(crawler, root=roots)


def _record(url: str) -> dict:
    _, pages, _ = _site()
    resource = pages[_host_key(url)].pages[urlsplit(url).path]
    # captured a few minutes after the replica's clock, as a crawl of it would be
    request = Request(url, meta={"newsarchive_fetched_at": "2026-11-20T09:35:00.000000Z"})
    response = HtmlResponse(
        url,
        body=resource.body,
        headers={"Content-Type": resource.content_type},
        request=request,
    )
    spider = _spider("trend" if "trend" in _host_key(url) else "bakutel")
    (item,) = list(spider.parse_article(response))
    return {k: v for k, v in vars(item).items() if k not in CRAWL_FIELDS}


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_every_varies_feature_extracts_as_published(feature):
    replica, _, truth = _site()
    articles = replica.with_feature(feature)
    assert articles, f"no replica page exercises {feature!r}"
    urls = [u for u in truth if any(_matches(u, a) for a in articles[:PER_FEATURE])]
    assert urls
    for url in urls:
        assert _record(url) == truth[url], url


def _matches(url: str, article) -> bool:
    return urlsplit(url).path.endswith(f"/{article.id}.html") and _host_key(url).startswith(
        article.site
    )
