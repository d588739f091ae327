"""Any news site: discovery through robots.txt, sitemaps, feeds, sections and pagination.

The generic spider knows nothing of a site's layout. From each root it reads, in order:

1. ``robots.txt`` (fetched by the spider itself, before anything else): its rules filter
   every later request, so Scrapy's RobotsTxtMiddleware never has to refuse one; its
   ``Sitemap:`` lines, else ``{root}sitemap.xml``;
2. the sitemaps (indexes, urlsets, gzip; Google News entries count as articles);
3. the home page, a listing, and from every listing page:

   - article links (by URL, anywhere on the page) are archived;
   - ambiguous links in the content (not in navigation, header, footer or aside) are
     fetched and judged by their content (:func:`newsarchive.discovery.classify_page`):
     an article gives a record, a listing is parsed for links, anything else is skipped;
   - sections: navigation links, and the content's links to section-shaped listings
     (``/en/``, ``/world/``, "all news"), that look like sections, up to
     ``NEWSARCHIVE_GENERIC_SECTION_DEPTH`` hops from the home page;
   - next pages, up to page ``NEWSARCHIVE_GENERIC_MAX_PAGES``, while pages list articles;
   - RSS/Atom feeds (``<link rel=alternate>`` and linked feed paths), on the home page and
     its sections; their entries are articles unless their URL clearly says otherwise.

A page whose URL says article but that holds no article metadata, is judged a listing by
its content and has no article text for the extractor (a section with a numeric id) is
parsed as a listing instead (``newsarchive/generic/articles/relisted``). The crawl stays on
the roots' origins and fetches each page once. Article records are built by
:meth:`NewsSpider.parse_article` with :func:`newsarchive.extractors.generic.extract_generic`.

Decisions are counted in ``newsarchive/generic/articles``, ``.../listings`` (each with
``/url`` or ``/page``: decided by the URL or by the fetched page) and ``.../skipped`` (with
``/url``, ``/page``, ``/robots``, ``/limit``, ``/offsite``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from newsarchive.crawling.recheck import parse_lastmod
from newsarchive.discovery.links import PageLinks, page_links
from newsarchive.discovery.pages import PageKind, classify_page, decide, page_signals
from newsarchive.discovery.sources import (
    absolute_urls,
    feed_entries,
    feed_entry_links,
    parse_robots,
    parse_sitemap,
    robots_sitemaps,
)
from newsarchive.discovery.urls import (
    UrlKind,
    UrlVerdict,
    classify_url,
    looks_like_section,
    normalize_url,
    page_number,
)
from newsarchive.items import ArticleItem
from newsarchive.layouts.base import NewsSpider, is_text_page, origin
from newsarchive.layouts.generic_limits import GenericLimits
from newsarchive.records import content_type_charset
from newsarchive.robots import RobotsMiddleware, RobotsRules

STATS = "newsarchive/generic"
#: Sources whose entries are articles unless their URL clearly says otherwise.
TRUSTED_SOURCES = frozenset({"feed", "news-sitemap"})


class GenericNewsSpider(NewsSpider):
    """Discovers and archives the articles of a news site whose layout is unknown.

    ``root`` is required (there is no default site); see the module docstring for the
    discovery, and :class:`~newsarchive.layouts.generic_limits.GenericLimits` for bounds.
    """

    layout = "generic"
    home_urls: ClassVar[list[str]] = []
    lists_articles = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.roots:
            raise ValueError("the generic spider needs --root URL")
        self._requested: set[str] = set()
        self._skipped: set[str] = set()
        self._robots: dict[str, RobotsRules | None] = {}
        self._started: set[str] = set()
        self._counts = {"listings": 0, "candidates": 0, "sitemaps": 0, "feeds": 0}
        self._limits: GenericLimits | None = None

    # --- settings, stats, robots ---------------------------------------------------------

    @property
    def limits(self) -> GenericLimits:
        """This crawl's bounds (``NEWSARCHIVE_GENERIC_*`` settings)."""
        if self._limits is None:
            self._limits = GenericLimits.from_settings(self.crawler.settings)
        return self._limits

    def _count(self, decision: str, how: str) -> None:
        self.crawler.stats.inc_value(f"{STATS}/{decision}")
        self.crawler.stats.inc_value(f"{STATS}/{decision}/{how}")

    def _skip(self, url: str, why: str) -> None:
        if url not in self._skipped:
            self._skipped.add(url)
            self._count("skipped", why)

    def _allowed(self, url: str) -> bool:
        """What the site's robots.txt (as this spider read it) says about ``url``."""
        rules = self._robots.get(origin(url))
        if rules is None:
            return True
        settings = self.crawler.settings
        agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        return rules.allowed(url, agent)

    def _fresh(self, url: str) -> bool:
        """On site, not yet requested and allowed by robots.txt (counted when not)."""
        if not self.on_site(url) or url in self._requested:
            return False
        if not self._allowed(url):
            self._skip(url, "robots")
            return False
        return True

    def _budget(self, name: str, limit: int) -> bool:
        if self._counts[name] >= limit:
            return False
        self._counts[name] += 1
        return True

    # --- requests --------------------------------------------------------------------------

    def _article(self, url: str, lastmod: datetime | None = None) -> scrapy.Request | None:
        if url in self._seen_articles or not self._fresh(url):
            return None
        request = self.article_request(url, lastmod=lastmod)
        if request is None:
            if self.limit_reached:
                self._skip(url, "limit")
            return None
        self._requested.add(url)
        self._count("articles", "url")
        return request

    def _listing(self, url: str, depth: int, page_no: int = 1) -> scrapy.Request | None:
        if not self._fresh(url):
            return None
        if not self._budget("listings", self.limits.max_listings):
            self._skip(url, "limit")
            return None
        self._requested.add(url)
        self._count("listings", "url")
        return scrapy.Request(
            url, callback=self.parse_listing, cb_kwargs={"depth": depth, "page_no": page_no}
        )

    def _candidate(
        self, url: str, depth: int, source: str, lastmod: datetime | None = None
    ) -> scrapy.Request | None:
        if not self._fresh(url):
            return None
        policy = self.recheck_policy
        folder = policy.folder if policy is not None else None
        if folder is not None and folder.state.has_record_of_url(url):
            return self._article(url, lastmod)  # judged an article before: re-checked
        if self.limit_reached or not self._budget("candidates", self.limits.max_candidates):
            self._skip(url, "limit")
            return None
        self._requested.add(url)
        self.crawler.stats.inc_value(f"{STATS}/candidates")
        return scrapy.Request(
            url, callback=self.parse_candidate, cb_kwargs={"depth": depth, "source": source}
        )

    def _source(self, url: str, kind: str) -> scrapy.Request | None:
        """A sitemap or feed request (``kind``: ``sitemaps`` or ``feeds``)."""
        if not self._fresh(url):
            return None
        limit = self.limits.max_sitemaps if kind == "sitemaps" else self.limits.max_feeds
        if self.limit_reached or not self._budget(kind, limit):
            return None
        self._requested.add(url)
        callback = self.parse_sitemap if kind == "sitemaps" else self.parse_feed
        return scrapy.Request(url, callback=callback, errback=self._source_failed)

    # --- start: robots.txt first ----------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        middleware = self.crawler.get_downloader_middleware(RobotsMiddleware)
        for site in dict.fromkeys(origin(root) for root in self.roots):
            url = f"{site}/robots.txt"
            self._requested.add(url)
            if middleware is not None:
                # the robots.txt the middleware fetched once for this run: its rules and
                # its Sitemap: lines (no second fetch)
                rules = await middleware.rules_for(url)
                self._robots[site] = rules
                for request in self._start_site(site, absolute_urls(rules.sitemaps, url)):
                    yield request
                continue
            yield scrapy.Request(
                url,
                callback=self.parse_robots,
                errback=self._robots_missing,
                cb_kwargs={"site": site},
            )

    def parse_robots(self, response: Response, site: str) -> Iterator[scrapy.Request]:
        """Keep the site's robots.txt rules, then read its sitemaps and home page(s)."""
        text = (
            response.text
            if isinstance(response, TextResponse)
            else response.body.decode("utf-8", "replace")
        )
        parser = parse_robots(text)
        self._robots[site] = RobotsRules(site, "parsed", response.status, parser)
        yield from self._start_site(site, robots_sitemaps(parser, response.url))

    def _robots_missing(self, failure: Failure) -> Iterator[scrapy.Request]:
        site = failure.request.cb_kwargs["site"]  # type: ignore[attr-defined]  # Scrapy sets it
        self.logger.info("no robots.txt for %s: %s", site, failure.getErrorMessage())
        self._robots[site] = None
        yield from self._start_site(site, [])

    def _start_site(self, site: str, sitemaps: list[str]) -> Iterator[scrapy.Request]:
        if site in self._started:
            return
        self._started.add(site)
        roots = [r for r in self.roots if origin(r) == site]
        for url in sitemaps or [f"{root}sitemap.xml" for root in roots]:
            yield from _some(self._source(normalize_url(url), "sitemaps"))
        for root in roots:
            yield from _some(self._listing(normalize_url(root), depth=0))
        policy = self.recheck_policy
        if policy is not None:  # known articles re-checked on schedule (see recheck_requests)
            for url in policy.scheduled_urls():
                if origin(url) == site:
                    yield from _some(self._article(url))

    def _source_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value(f"{STATS}/sources/failed")
        url = failure.request.url  # type: ignore[attr-defined]  # set by Scrapy for errbacks
        self.logger.info("no sitemap or feed at %s: %s", url, failure.value)

    # --- sitemaps and feeds ----------------------------------------------------------------

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """A sitemap index (its sitemaps) or urlset (its pages; Google News entries are
        articles)."""
        try:
            sitemap = parse_sitemap(response.body)
        except ValueError as exc:
            self.crawler.stats.inc_value("newsarchive/discovery/bad_sitemap")
            self.logger.warning("unreadable sitemap %s: %s", response.url, exc)
            return
        policy = self.recheck_policy
        for entry in sitemap.entries:
            if self.limit_reached:
                return
            url = normalize_url(entry.loc)
            lastmod = parse_lastmod(entry.lastmod)
            if sitemap.is_index:
                if policy is None or policy.sitemap_wanted(lastmod):
                    yield from _some(self._source(url, "sitemaps"))
            else:
                source = "news-sitemap" if entry.news else "sitemap"
                yield from _some(self._listed(url, source, lastmod))

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """RSS/Atom: each entry's link."""
        for link, updated in feed_entries(response.body, response.url):
            if self.limit_reached:
                return
            yield from _some(self._listed(normalize_url(link), "feed", parse_lastmod(updated)))

    def _listed(
        self, url: str, source: str, lastmod: datetime | None = None
    ) -> scrapy.Request | None:
        """A page a sitemap or feed lists: an article, a candidate, or skipped."""
        if not self.on_site(url):
            return None
        verdict = classify_url(url)
        if verdict.kind is UrlKind.ARTICLE:
            return self._article(url, lastmod)
        if verdict.kind is UrlKind.UNKNOWN or (
            verdict.kind is UrlKind.LISTING and not verdict.strong_listing
        ):
            return self._candidate(
                url, depth=self.limits.section_depth, source=source, lastmod=lastmod
            )
        self._skip(url, "url")
        return None

    # --- listings and candidates ----------------------------------------------------------

    def parse_listing(
        self, response: Response, depth: int = 0, page_no: int = 1
    ) -> Iterator[scrapy.Request]:
        """A page judged a listing: its articles, candidates, sections, next pages, feeds."""
        if not isinstance(response, TextResponse) or not self.on_site(response.url):
            self._skip(response.url, "page")
            return
        yield from self._follow(self._links(response), depth, page_no)

    def parse_candidate(
        self, response: Response, depth: int, source: str = "link"
    ) -> Iterable[scrapy.Request | ArticleItem]:
        """A page whose URL was ambiguous: judged by its content."""
        if not isinstance(response, TextResponse) or not self.on_site(response.url):
            self._skip(response.url, "page")
            return
        if self.response_yields_record(response, listed=source in TRUSTED_SOURCES):
            if self.limit_reached:
                self._skip(response.url, "limit")
                return
            self.articles_scheduled += 1
            self._seen_articles.add(response.url)
            self._count("articles", "page")
            if self.crawler.settings.getbool("NEWSARCHIVE_EXTRACT_ENABLED", True):
                yield from self.article_items(response)
        elif classify_page(response.selector) is PageKind.LISTING:
            yield from self._as_listing(response, depth)
        else:
            self._skip(response.url, "page")

    def _as_listing(self, response: TextResponse, depth: int) -> Iterator[scrapy.Request]:
        """A fetched page judged a listing by its content: parsed for links (within the
        listing budget)."""
        if not self._budget("listings", self.limits.max_listings):
            self._skip(response.url, "limit")
            return
        self._count("listings", "page")
        yield from self._follow(self._links(response), depth, 1)

    def _links(self, response: TextResponse) -> PageLinks:
        """The page's links, read up to the per-page bound (the rest counted)."""
        links = page_links(response.selector, response.url, max_links=self.limits.max_links)
        if links.capped:
            stats = self.crawler.stats
            stats.inc_value("newsarchive/discovery/links_capped")
            stats.inc_value("newsarchive/discovery/links_capped/anchors", links.capped)
            self.logger.info(
                "%s has more than %d links: %d left unread (NEWSARCHIVE_GENERIC_MAX_LINKS)",
                response.url,
                self.limits.max_links,
                links.capped,
            )
        return links

    def _follow(self, links: PageLinks, depth: int, page_no: int) -> Iterator[scrapy.Request]:
        deeper = depth + 1 <= self.limits.section_depth
        found = 0
        for url, region in links.links:
            if self.limit_reached:
                return
            if not self.on_site(url):
                continue
            verdict = classify_url(url)
            request: scrapy.Request | None = None
            if verdict.kind is UrlKind.ARTICLE:
                found += 1
                request = self._article(url)
            elif verdict.kind is UrlKind.SKIP:
                self._skip(url, "url")
            elif _section_link(verdict, region):
                if deeper and looks_like_section(url):
                    if verdict.kind is UrlKind.LISTING:
                        request = self._listing(url, depth + 1)
                    else:
                        request = self._candidate(url, depth + 1, "section")
            elif verdict.kind is UrlKind.UNKNOWN and region == "main":
                found += 1
                if depth <= self.limits.section_depth:
                    request = self._candidate(url, depth + 1, "link")
            yield from _some(request)
        if found:
            yield from self._next_pages(links.next_pages, depth, page_no)
        if depth <= 1:
            for feed in links.feeds:
                yield from _some(self._source(feed, "feeds"))

    def _next_pages(self, urls: list[str], depth: int, page_no: int) -> Iterator[scrapy.Request]:
        for url in urls:
            if not self.on_site(url) or classify_url(url).kind in (UrlKind.ARTICLE, UrlKind.SKIP):
                continue
            number = page_number(url) or page_no + 1
            if number > self.limits.max_pages:
                self._skip(url, "limit")
                continue
            yield from _some(self._listing(url, depth, number))

    # --- extraction ------------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterable[scrapy.Request | ArticleItem]:
        """A page whose URL says article: :meth:`NewsSpider.parse_article`, unless a redirect
        led off the roots' origins, or the page is a listing after all (:meth:`relisted`):
        then it is parsed for links like any listing."""
        if not self.on_site(response.url):
            self._skip(response.url, "offsite")
            return
        if not self.is_text(response):
            yield from super().parse_article(response)  # counted as not text
            return
        if not self.relisted(response):
            if self.crawler.settings.getbool("NEWSARCHIVE_EXTRACT_ENABLED", True):
                yield from self.article_items(response)
            return
        self.articles_scheduled -= 1  # its max_articles slot goes to a real article
        self.crawler.stats.inc_value(f"{STATS}/articles", -1)
        self.crawler.stats.inc_value(f"{STATS}/articles/url", -1)
        self.crawler.stats.inc_value(f"{STATS}/articles/relisted")
        yield from self._as_listing(response, self.limits.section_depth)

    def relisted(self, response: TextResponse) -> bool:
        """Whether a page whose URL says article is a listing all the same (a section
        with a numeric id, say): :meth:`yields_record` says no (no article metadata, judged
        a listing by its content, no article text for the extractor). Conservative on
        purpose: a short article beside a rail of headlines keeps its record."""
        return not self.response_yields_record(response)

    @classmethod
    def may_yield_record(cls, url: str) -> bool:
        """False for URLs the crawl never judges by content (skipped, strong listings)."""
        verdict = classify_url(url)
        return verdict.kind is not UrlKind.SKIP and not verdict.strong_listing

    @classmethod
    def listed_urls(cls, url: str, body: bytes) -> list[str]:
        """The entries of a feed, or the Google News entries of a sitemap, at ``url``:
        the pages whose content may be inconclusive and still give a record."""
        try:
            sitemap = parse_sitemap(body)
        except ValueError:
            return [normalize_url(link) for link in feed_entry_links(body, url)]
        if sitemap.is_index:
            return []
        return [normalize_url(entry.loc) for entry in sitemap.entries if entry.news]

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
        """Whether the page at ``url`` gives a record (see :meth:`NewsSpider.yields_record`):
        a 2xx text page that :meth:`is_article_page` judges an article, or, when a feed or
        news sitemap lists it (``listed``), a page whose content is no listing's."""
        if not 200 <= status < 300 or not is_text_page(url, headers, body):
            return False
        encoding = content_type_charset(
            next((v for k, v in headers if k.lower() == "content-type"), None)
        )
        return cls.is_article_page(url, body, encoding, listed=listed)

    @classmethod
    def is_article_page(
        cls, url: str, body: bytes, encoding: str | None = None, *, listed: bool = False
    ) -> bool:
        """Whether a page at ``url`` is an article, by the crawl's rules: its URL first,
        then, for an ambiguous URL or an article URL that is plainly a listing, its
        content; a page a feed or news sitemap lists (``listed``) whose content is
        inconclusive (neither article nor listing) counts as an article."""
        from newsarchive.extractors.generic import extract_generic
        from newsarchive.extractors.generic.parse import parse_html

        verdict = classify_url(url)
        if verdict.kind is UrlKind.SKIP or verdict.strong_listing:
            return False
        root = parse_html(body, encoding)
        if root is None:
            return verdict.kind is UrlKind.ARTICLE or listed
        signals = page_signals(root)
        if verdict.kind is not UrlKind.ARTICLE:
            kind = decide(signals)
            return kind is PageKind.ARTICLE or (listed and kind is PageKind.OTHER)
        if signals.structured or decide(signals) is not PageKind.LISTING:
            return True
        fields = extract_generic(body, url, captured_at=None, encoding=encoding)
        return bool(fields.get("body"))

    @classmethod
    def extract_page(
        cls, body: bytes, url: str, *, encoding: str | None, captured_at: datetime
    ) -> dict[str, Any]:
        """The record fields of an article page: the generic extractor, for any layout."""
        from newsarchive.extractors.generic import extract_generic

        return extract_generic(body, url, captured_at=captured_at, encoding=encoding)


def _section_link(verdict: UrlVerdict, region: str) -> bool:
    """Where sections are looked for: navigation links, and the content's links to
    section-shaped listings (a language chooser, "all news", "more from ...") but not to
    tag, category or author pages."""
    if region == "nav":
        return True
    return region == "main" and verdict.kind is UrlKind.LISTING and not verdict.strong_listing


def _some(request: scrapy.Request | None) -> Iterator[scrapy.Request]:
    if request is not None:
        yield request
