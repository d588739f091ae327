"""``ScopeMiddleware``: a site's crawl stays on the site.

A spider's scope is its roots' origins (scheme, host and port: ``https://en.example/``
and ``http://en.example/`` are two; a redirect from one to the other leaves the scope).
Spiders say it with ``in_scope(url)`` (:class:`newsarchive.layouts.base.NewsSpider`);
a spider without that method is not limited.

* A request outside the scope (a sitemap or feed naming another host, a non-HTTP link) is
  refused (``IgnoreRequest``) and counted in ``newsarchive/scope/requests_refused``.
* A redirect whose ``Location`` leaves the scope is not followed: the 3xx is archived as it
  came (the capture happens before this) and counted in
  ``newsarchive/scope/redirects_refused``; the page goes no further.
* A redirect chain longer than ``REDIRECT_MAX_TIMES`` (Scrapy drops the last hop silently)
  is counted in ``newsarchive/redirect/too_many``.

None of these is an error of the run. Enabled in ``DOWNLOADER_MIDDLEWARES`` at 650, so
its ``process_response`` runs before Scrapy's ``RedirectMiddleware`` (600).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

__all__ = ["ScopeMiddleware"]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class ScopeMiddleware:
    """Keep requests and redirects within the spider's scope (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _in_scope(self, url: str) -> bool:
        if urlsplit(url).scheme not in ("http", "https", "data", "file"):
            return False
        check = getattr(self.crawler.spider, "in_scope", None)
        return True if check is None else bool(check(url))

    def process_request(self, request: Request, spider: Any = None) -> None:
        if urlsplit(request.url).scheme in ("data", "file"):
            return
        if not self._in_scope(request.url):
            self.stats.inc_value("newsarchive/scope/requests_refused")
            logger.debug("Out of scope, not fetched: %s", request.url)
            raise IgnoreRequest(f"out of the site's scope: {request.url}")

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        if response.status not in _REDIRECTS or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        target = urljoin(response.url, location.decode("latin-1").strip())
        if not self._in_scope(target):
            self.stats.inc_value("newsarchive/scope/redirects_refused")
            logger.info("Not following %s: it redirects out of scope to %s", request.url, target)
            request.meta["dont_redirect"] = True
            return response
        if len(request.meta.get("redirect_urls", ())) >= self.max_redirects:
            self.stats.inc_value("newsarchive/redirect/too_many")
            logger.info(
                "Not following %s: more than %d redirects (REDIRECT_MAX_TIMES)",
                request.url,
                self.max_redirects,
            )
        return response
