"""BakuTel-style sites: one host, editions as path prefixes, numbered news pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from newsarchive.layouts.base import NewsSpider, captured_at
from newsarchive.layouts.listing import listing_date


class BakutelLayoutSpider(NewsSpider):
    """Discovers every article of the three editions through the edition homes, the top
    news list and the numbered ``/{lang}/news/?page=N`` pages; extracts article pages with
    the ``bakutel`` extractor. The root holds all three editions."""

    layout = "bakutel"
    home_urls: ClassVar[list[str]] = ["https://bakutel.az/"]
    editions: ClassVar[tuple[str, ...]] = ("en", "az", "ru")
    article_path = re.compile(r"^/(?:en|az|ru)/news/\d+\.html$")
    listing_path = re.compile(r"^/(?:en|az|ru)/(?:news/(?:top/)?)?$")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for root in self.roots:
            yield scrapy.Request(root, callback=self.parse_listing)
            for lang in self.editions:
                yield scrapy.Request(f"{root}{lang}/news/", callback=self.parse_listing)
        for request in self.recheck_requests():
            yield request

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """Root, edition homes and news lists: article items, then the pages they link."""
        captured = captured_at(response)
        for item in response.css("ul.all-news li"):
            href = item.css("a::attr(href)").get()
            if not href:
                continue
            url = self.absolute(response, href)
            if not self.is_article(url):
                continue
            meta: dict[str, Any] = {}
            found = listing_date(" ".join(item.css("span.date ::text").getall()), captured)
            if found:
                meta["listing_published"] = found
            request = self.article_request(url, **meta)
            if request is not None:
                yield request
        if self.limit_reached:
            return
        if self.listing_exhausted(response, response.css("ul.all-news li a::attr(href)").getall()):
            return
        for href in response.css("a::attr(href)").getall():
            url = self.absolute(response, href)
            parts = urlsplit(url)
            if not self.listing_path.match(parts.path):
                continue
            if parts.query and not re.fullmatch(r"page=\d+", parts.query):
                continue
            request = self.page_request(url, self.parse_listing)
            if request is not None:
                yield request
