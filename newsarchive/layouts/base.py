"""What every newsarchive spider shares: roots, staying on site, limits, record building."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeGuard
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Headers, Response, TextResponse
from scrapy.responsetypes import responsetypes

from newsarchive.crawling.limits import RunLimits
from newsarchive.crawling.politeness import apply_politeness
from newsarchive.crawling.recheck import RecheckPolicy, request_kwargs
from newsarchive.discovery.urls import normalize_url
from newsarchive.items import ArticleItem
from newsarchive.records import (
    apply_listing_date,
    build_record,
    capture_time,
    content_type_charset,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (the unit a spider stays within)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_text_page(url: str, headers: Iterable[tuple[str, str]], body: bytes) -> bool:
    """Whether the page is text a record can be extracted from: its declared
    ``Content-Type`` is ``text/*`` or XHTML (a PDF served at an article URL is not, however
    its bytes look), or, without one, Scrapy makes a text response of it."""
    scrapy_headers = Headers()
    for name, value in headers:
        if name.lower() == "content-type":
            scrapy_headers.appendlist(name, value)
    declared = (scrapy_headers.get(b"Content-Type") or b"").split(b";")[0].strip().lower()
    if declared:
        return declared.startswith(b"text/") or declared == b"application/xhtml+xml"
    cls = responsetypes.from_args(headers=scrapy_headers, url=url, body=body)
    return issubclass(cls, TextResponse)


def _headers(response: Response) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in response.headers.items()
        for value in values
    ]


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

    lists_articles: ClassVar[bool] = False
    """True when what feeds and news sitemaps list counts in :meth:`yields_record` (its
    ``listed``; :meth:`listed_urls` reads them)."""

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
        self.politeness = "off"

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        """The spider, and the crawl's politeness for its roots
        (:mod:`newsarchive.crawling.politeness`; settings are still open here)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.politeness = (
            "autothrottle" if apply_politeness(crawler.settings, spider.roots) else "off"
        )
        crawler.signals.connect(spider._note_politeness, signal=scrapy.signals.spider_opened)
        return spider

    def _note_politeness(self) -> None:
        self.crawler.stats.set_value("newsarchive/politeness", self.politeness)
        if self.politeness != "off":
            self.logger.info("polite crawl: AutoThrottle on, requests to a host >= 1 s apart")

    # --- discovery helpers -------------------------------------------------------------

    @property
    def limit_reached(self) -> bool:
        """True once ``max_articles`` article pages are scheduled: stop paginating."""
        return self.max_articles is not None and self.articles_scheduled >= self.max_articles

    def on_site(self, url: str) -> bool:
        """True when ``url`` lies on one of the roots' origins."""
        return origin(url) in self.origins

    def in_scope(self, url: str) -> bool:
        """The crawl's scope (:mod:`newsarchive.crawling.scope`): the roots' origins, scheme,
        host and port alike; requests and redirects outside it are not followed."""
        return self.on_site(url)

    @classmethod
    def yields_record(
        cls,
        url: str,
        status: int,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        listed: bool = False,
    ) -> bool:
        """Whether the response for ``url`` gives an article record: the one rule both the
        live callbacks and ``newsarchive extract`` apply, so they cannot disagree.

        It sees what the archive keeps: the final URL, the status, the stored header fields
        and the content-decoded body. ``listed`` says that a feed or news sitemap of the
        crawl listed ``url`` (the generic spider keeps such a page when its content cannot
        tell). Here: a 2xx text page whose URL is an article's (:meth:`is_article_url`).
        """
        if not 200 <= status < 300 or not is_text_page(url, headers, body):
            return False
        return cls.is_article_url(url)

    @classmethod
    def may_yield_record(cls, url: str) -> bool:
        """False when no response at ``url`` can give a record (:meth:`yields_record` is
        then False whatever the body): lets re-extraction skip reading the body."""
        return cls.is_article_url(url)

    @classmethod
    def listed_urls(cls, url: str, body: bytes) -> list[str]:
        """The pages a feed or news sitemap at ``url`` lists, as the crawl requests them
        (see :attr:`lists_articles`); none here."""
        return []

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

    def article_request(
        self, url: str, *, lastmod: datetime | None = None, **meta: Any
    ) -> scrapy.Request | None:
        """A request for an article page, or ``None`` when it is off-site, already
        scheduled, past ``max_articles``, or known and not due for a re-check
        (:mod:`newsarchive.crawling.recheck`; ``lastmod`` is what a sitemap or feed says
        of its last change). A re-check is a conditional request."""
        url = normalize_url(url)
        if not self.on_site(url) or url in self._seen_articles:
            return None
        if self.max_articles is not None and self.articles_scheduled >= self.max_articles:
            return None
        self._seen_articles.add(url)
        kwargs: dict[str, Any] = {}
        policy = self.recheck_policy
        if policy is not None:
            decision = policy.decide(url, lastmod=lastmod)
            if decision.url is not None:  # a known redirect: its target instead
                if decision.url in self._seen_articles or not self.on_site(decision.url):
                    return None
                self._seen_articles.add(decision.url)
                url = decision.url
            if not decision.fetch:
                return None
            kwargs = request_kwargs(decision)
        self.articles_scheduled += 1
        self.crawler.stats.inc_value("newsarchive/articles/scheduled")
        meta = {**meta, **kwargs.pop("meta", {})}
        return scrapy.Request(url, callback=self.parse_article, meta=meta, **kwargs)

    def recheck_requests(self) -> Iterator[scrapy.Request]:
        """Requests for the known articles this run re-checks on schedule (or all of them,
        ``--recheck all``), whether or not a listing still links them; yielded by
        ``start()`` after the discovery pages."""
        policy = self.recheck_policy
        if policy is None:
            return
        for url in policy.scheduled_urls():
            request = self.article_request(url)
            if request is not None:
                yield request

    def listing_exhausted(self, response: Response, hrefs: list[str]) -> bool:
        """True when a listing page (its article ``hrefs``) shows nothing new on a site
        crawled before: its next pages are not requested (see
        :meth:`~newsarchive.crawling.recheck.RecheckPolicy.stop_listing`)."""
        policy = self.recheck_policy
        if policy is None:
            return False
        urls = [normalize_url(self.absolute(response, h)) for h in hrefs]
        return policy.stop_listing([u for u in urls if self.is_article(u)])

    @property
    def recheck_policy(self) -> RecheckPolicy | None:
        """The run's :class:`~newsarchive.crawling.recheck.RecheckPolicy` (None when the
        extension is off: every article is fetched)."""
        if not hasattr(self, "_recheck_policy"):
            self._recheck_policy = self.crawler.get_extension(RecheckPolicy)
        return self._recheck_policy

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

    def response_yields_record(self, response: Response, *, listed: bool = False) -> bool:
        """:meth:`yields_record` for a live response."""
        return self.yields_record(
            response.url, response.status, _headers(response), response.body, listed=listed
        )

    @staticmethod
    def is_text(response: Response) -> TypeGuard[TextResponse]:
        """:func:`is_text_page` for a live response (a PDF at an article URL is not)."""
        return isinstance(response, TextResponse) and is_text_page(
            response.url, _headers(response), response.body
        )

    def parse_article(self, response: Response) -> Iterable[scrapy.Request | ArticleItem]:
        """Extract one article page into an :class:`ArticleItem`.

        A page that cannot be extracted is logged with its URL and counted in
        ``newsarchive/extract/errors``; the crawl goes on. What is no article page is
        counted under its own name, not as an error: a response that is not text (a PDF
        at an article URL) in ``newsarchive/extract/not_text``, one cut short in transit
        (archived with ``WARC-Truncated``, never extracted) in
        ``newsarchive/extract/truncated``; and once the output folder cannot be written,
        pages are no longer extracted (``newsarchive/extract/not_stored``).
        """
        stats = self.crawler.stats
        if not self.crawler.settings.getbool("NEWSARCHIVE_EXTRACT_ENABLED", True):
            return  # plain crawling (the benchmark's baseline): fetch, no records
        if "dataloss" in response.flags or "download_stopped" in response.flags:
            stats.inc_value("newsarchive/extract/truncated")
            logger.info("cut short in transit, archived but not extracted: %s", response.url)
            return
        if not self.is_text(response):
            stats.inc_value("newsarchive/extract/not_text")
            logger.info("not a text page, no record: %s", response.url)
            return
        limits = self.crawler.get_extension(RunLimits)
        if limits is not None and not limits.writable:
            stats.inc_value("newsarchive/extract/not_stored")
            return
        if self.response_yields_record(response):
            yield from self.article_items(response)

    def article_items(self, response: TextResponse) -> Iterable[ArticleItem]:
        """The record of a page :meth:`yields_record` accepted (extraction errors counted
        and logged, as in :meth:`parse_article`)."""
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
