"""Trend-style sites: editions on separate hosts, ``/latest/`` with an AJAX cursor chain."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap

from newsarchive.crawling.recheck import parse_lastmod
from newsarchive.discovery.sources import feed_entries
from newsarchive.layouts.base import NewsSpider, captured_at
from newsarchive.layouts.listing import listing_date

_CURSOR = re.compile(r"currentNewsList\.date\s*=\s*(\d+)")


class TrendLayoutSpider(NewsSpider):
    """Discovers every article of each edition root through the home page and its section
    pages, the ``/latest/`` list and its ``?ajax=1&date=`` cursor chain, the RSS feed and the
    sitemap index; extracts article pages with the ``trend`` extractor.

    A root is one edition's home (``https://en.trend.az/``); give several to crawl several.
    """

    layout = "trend"
    home_urls: ClassVar[list[str]] = [
        "https://en.trend.az/",
        "https://az.trend.az/",
        "https://ru.trend.az/",
    ]
    article_path = re.compile(r"^/[a-z0-9_-]+/[a-z0-9_-]+/\d+\.html$", re.I)
    section_path = re.compile(r"^/[a-z0-9_-]+/(?:[a-z0-9_-]+/)?$", re.I)
    not_sections: ClassVar[frozenset[str]] = frozenset(
        {"/latest/", "/search/", "/about/", "/contacts/", "/feeds/"}
    )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for root in self.roots:
            yield scrapy.Request(root, callback=self.parse_listing, cb_kwargs={"home": True})
            yield scrapy.Request(root + "latest/", callback=self.parse_latest)
            yield scrapy.Request(root + "feeds/index.rss", callback=self.parse_feed)
            yield scrapy.Request(root + "sitemap.xml", callback=self.parse_sitemap)
        for request in self.recheck_requests():
            yield request

    def _articles(self, response: Response) -> Iterator[scrapy.Request]:
        captured = captured_at(response)
        for link in response.css("ul.news-list li > a[href]"):
            url = self.absolute(response, link.attrib["href"])
            if not self.is_article(url):
                continue
            date_text = " ".join(link.css("span.date-time ::text").getall())
            meta: dict[str, Any] = {}
            found = listing_date(date_text, captured)
            if found:
                meta["listing_published"] = found
            request = self.article_request(url, **meta)
            if request is not None:
                yield request

    def parse_listing(self, response: Response, home: bool = False) -> Iterator[scrapy.Request]:
        """Home and section pages: their ``ul.news-list`` items; from home, the sections."""
        yield from self._articles(response)
        if not home:
            return
        for href in response.css("nav.main-menu a::attr(href)").getall():
            url = self.absolute(response, href)
            path = urlsplit(url).path
            if self.section_path.match(path) and path not in self.not_sections:
                request = self.page_request(url, self.parse_listing)
                if request is not None:
                    yield request

    def parse_latest(self, response: Response) -> Iterator[scrapy.Request]:
        """``/latest/`` and each AJAX fragment: items, then the next cursor if any."""
        items = response.css("ul.news-list li")
        yield from self._articles(response)
        if not items or self.limit_reached:
            return
        hrefs = response.css("ul.news-list li > a::attr(href)").getall()
        if self.listing_exhausted(response, hrefs):
            return
        match = _CURSOR.search(response.text)
        if match:
            root = f"{urlsplit(response.url).scheme}://{urlsplit(response.url).netloc}/"
            url = f"{root}latest/?ajax=1&date={match.group(1)}"
            request = self.page_request(url, self.parse_latest)
            if request is not None:
                yield request

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """RSS 2.0: every ``item/link`` (with its ``atom:updated``, if any: a change)."""
        for url, updated in feed_entries(response.body, response.url):
            if self.is_article(url):
                request = self.article_request(url, lastmod=parse_lastmod(updated))
                if request is not None:
                    yield request

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap index (follow its urlsets) or a urlset (its article URLs)."""
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # a broken sitemap is counted, the listings still cover the site
            self.crawler.stats.inc_value("newsarchive/discovery/bad_sitemap")
            self.logger.warning("unreadable sitemap: %s", response.url)
            return
        policy = self.recheck_policy
        for entry in sitemap:
            url = entry.get("loc", "").strip()
            if not url:
                continue
            lastmod = parse_lastmod(entry.get("lastmod"))
            if sitemap.type == "sitemapindex":
                wanted = policy is None or policy.sitemap_wanted(lastmod)
                request = self.page_request(url, self.parse_sitemap) if wanted else None
            elif self.is_article(url):
                request = self.article_request(url, lastmod=lastmod)
            else:
                request = None
            if request is not None:
                yield request
