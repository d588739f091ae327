"""What every newsarchive spider shares: roots, staying on site, limits, record building."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse

from newsarchive.items import ArticleItem
from newsarchive.records import (
    apply_listing_date,
    build_record,
    capture_time,
    content_type_charset,
)

logger = logging.getLogger(__name__)


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (the unit a spider stays within)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def header_charset(response: Response) -> str | None:
    """The charset named in the response's ``Content-Type`` header, if any."""
    return content_type_charset(response.headers.get(b"Content-Type"))


def captured_at(response: Response) -> datetime:
    """When the WARC extension captured ``response`` (its WARC-Date), as an aware datetime.

    Dates without a year are resolved against this, never against today's clock, so
    re-extracting an old capture gives the same record.
    """
    return capture_time(response.meta.get("newsarchive_fetched_at"))


class NewsSpider(scrapy.Spider):
    """Base of the layout spiders.

    Arguments (``-a`` with ``scrapy crawl``, or the ``newsarchive crawl`` options):

    - ``root``: one URL or several (a list, or comma-separated) replacing :attr:`home_urls`,
      so the same spider crawls a local copy of the site;
    - ``max_articles``: stop scheduling article pages after this many.
    """

    layout: ClassVar[str]
    """The layout name passed to the extractor (``trend``, ``bakutel``)."""

    home_urls: ClassVar[list[str]] = []
    """The live site's roots: what ``root`` replaces."""

    article_path: ClassVar[re.Pattern[str] | None] = None
    """Matches the URL path of an article page (``None``: no URL is an article)."""

    def __init__(
        self,
        *args: Any,
        root: str | Iterable[str] | None = None,
        max_articles: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(root, str):
            roots = [r.strip() for r in root.split(",") if r.strip()]
        elif root:
            roots = list(root)
        else:
            roots = list(self.home_urls)
        self.roots = [r if r.endswith("/") else r + "/" for r in roots]
        self.origins = {origin(r) for r in self.roots}
        self.max_articles = int(max_articles) if max_articles else None
        self.articles_scheduled = 0
        self._seen_articles: set[str] = set()

    # --- discovery helpers -------------------------------------------------------------

    @property
    def limit_reached(self) -> bool:
        """True once ``max_articles`` article pages are scheduled: stop paginating."""
        return self.max_articles is not None and self.articles_scheduled >= self.max_articles

    def on_site(self, url: str) -> bool:
        """True when ``url`` lies on one of the roots' origins."""
        return origin(url) in self.origins

    @classmethod
    def is_article_url(cls, url: str) -> bool:
        """True when ``url``'s path is an article page's (:attr:`article_path`).

        A path test only, on any host: no instance needed, so re-extraction from WARC files
        picks the article responses with it.
        """
        return cls.article_path is not None and bool(cls.article_path.match(urlsplit(url).path))

    def is_article(self, url: str) -> bool:
        """True when ``url`` is an article page on one of the roots' origins."""
        return self.on_site(url) and self.is_article_url(url)

    def article_request(self, url: str, **meta: Any) -> scrapy.Request | None:
        """A request for an article page, or ``None`` when it is off-site, already
        scheduled, or past ``max_articles``."""
        if not self.on_site(url) or url in self._seen_articles:
            return None
        if self.max_articles is not None and self.articles_scheduled >= self.max_articles:
            return None
        self._seen_articles.add(url)
        self.articles_scheduled += 1
        self.crawler.stats.inc_value("newsarchive/articles/scheduled")
        return scrapy.Request(url, callback=self.parse_article, meta=meta)

    def page_request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request | None:
        """A request for a listing/feed page on this site, or ``None`` when off-site."""
        if not self.on_site(url):
            return None
        return scrapy.Request(url, callback=callback, **kwargs)

    @staticmethod
    def absolute(response: Response, href: str) -> str:
        return urljoin(response.url, href.strip())

    # --- extraction --------------------------------------------------------------------

    @classmethod
    def extract_page(
        cls, body: bytes, url: str, *, encoding: str | None, captured_at: datetime
    ) -> dict[str, Any]:
        """The record fields an article page decides (the :attr:`layout` extractor).

        ``body`` is the page as received (content-decoded), ``encoding`` the charset of its
        ``Content-Type`` header, ``captured_at`` its capture time. A classmethod, so
        re-extraction from WARC files runs the same extraction without a crawl.
        """
        from newsarchive.extractors import extract_layout

        return extract_layout(cls.layout, body, url, encoding=encoding, captured_at=captured_at)

    def extract_fields(self, response: Response) -> dict[str, Any]:
        """The record fields the page decides (:meth:`extract_page` on the response)."""
        return self.extract_page(
            response.body,
            response.url,
            encoding=header_charset(response),
            captured_at=captured_at(response),
        )

    def parse_article(self, response: Response) -> Iterable[ArticleItem]:
        """Extract one article page into an :class:`ArticleItem`.

        A page that cannot be extracted is logged with its URL and counted in
        ``newsarchive/extract/errors``; the crawl goes on.
        """
        if not self.crawler.settings.getbool("NEWSARCHIVE_EXTRACT_ENABLED", True):
            return  # plain crawling (the benchmark's baseline): fetch, no records
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("newsarchive/extract/errors")
            logger.error("not a text page, no record: %s", response.url)
            return
        try:
            fields = self.extract_fields(response)
        except Exception as exc:  # a broken page must not stop the crawl
            self.crawler.stats.inc_value("newsarchive/extract/errors")
            self.crawler.stats.inc_value(f"newsarchive/extract/errors/{type(exc).__name__}")
            logger.exception("extraction failed for %s: %s", response.url, exc)
            return
        if apply_listing_date(fields, response.meta.get("listing_published")):
            self.crawler.stats.inc_value("newsarchive/extract/published_from_listing")
        record = build_record(
            self.name,
            fields,
            url=response.url,
            fetched_at=response.meta.get("newsarchive_fetched_at"),
            warc=response.meta.get("newsarchive_warc"),
        )
        yield ArticleItem(**record)
