"""robots.txt as RFC 9309 says, for every request (``ROBOTSTXT_OBEY``).

:class:`RobotsMiddleware` takes the place of Scrapy's ``RobotsTxtMiddleware`` (priority
100), on Scrapy's public APIs (``engine.download_async``) and Protego's:

* robots.txt is fetched **once per origin and run** (``scheme://host:port``), by the first
  request for it; every request that arrives while it downloads waits for the same answer
  (Scrapy's own middleware let those through unchecked), and the generic spider reads the
  ``Sitemap:`` lines from the same fetch (:meth:`RobotsMiddleware.rules_for`);
* a **2xx** answer is parsed (Protego); a **4xx** ("unavailable") allows everything; a
  **5xx** after Scrapy's retries, or no answer at all (refused, timed out, reset), makes
  the origin "unreachable": every request to it is refused for this run (RFC 9309 section
  2.3.1.4), counted in ``newsarchive/robots/unreachable`` and named in
  ``newsarchive/robots/unreachable_origins``; the next run asks again;
* robots.txt gets ``NEWSARCHIVE_ROBOTS_TIMEOUT`` seconds (15) and one retry: one that
  hangs makes its origin unreachable within half a minute, other origins go on meanwhile;
* ``Crawl-delay`` is honoured: requests to the origin are spaced by it (bounded by
  ``NEWSARCHIVE_ROBOTS_MAX_DELAY``, 30 s by default), counted in
  ``newsarchive/robots/delayed``.

A request refused by robots.txt raises ``IgnoreRequest`` and counts in Scrapy's
``robotstxt/forbidden`` (by rules) or ``newsarchive/robots/refused_unreachable``; neither
is an error of the run. ``meta["dont_obey_robotstxt"]`` skips the check.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

__all__ = ["RobotsMiddleware", "RobotsRules", "origin_of"]

_STAT = "newsarchive/robots/"
ROBOTS_META_KEY = "newsarchive_robots"
"""``request.meta`` key marking the robots.txt fetch itself."""


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased: the unit robots.txt governs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclass
class RobotsRules:
    """What robots.txt says for one origin in this run."""

    origin: str
    verdict: str
    """``parsed`` (a 2xx robots.txt), ``allow`` (4xx: none) or ``unreachable``."""
    status: int | None = None
    parser: Protego | None = None
    sitemaps: list[str] = field(default_factory=list)

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.verdict == "unreachable":
            return False
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay else None


class RobotsMiddleware:
    """Downloader middleware obeying robots.txt per RFC 9309 (see the module)."""

    DOWNLOAD_PRIORITY = 1000

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured("ROBOTSTXT_OBEY is off")
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.user_agent = str(
            settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        )
        self.max_delay = settings.getfloat("NEWSARCHIVE_ROBOTS_MAX_DELAY", 30.0)
        self.timeout = settings.getfloat("NEWSARCHIVE_ROBOTS_TIMEOUT", 15.0)
        self._rules: dict[str, RobotsRules | asyncio.Future[RobotsRules]] = {}
        self._next_slot: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        if urlsplit(request.url).scheme not in ("http", "https"):
            return
        rules = await self.rules_for(request.url)
        if not rules.allowed(request.url, self.user_agent):
            if rules.verdict == "unreachable":
                self.stats.inc_value(_STAT + "refused_unreachable")
                reason = f"robots.txt of {rules.origin} unreachable this run"
            else:
                self.stats.inc_value("robotstxt/forbidden")
                reason = "Forbidden by robots.txt"
            logger.debug("%s: %s", reason, request)
            raise IgnoreRequest(reason)
        delay = rules.crawl_delay(self.user_agent)
        if delay:
            await self._pace(rules.origin, min(delay, self.max_delay))

    async def rules_for(self, url: str) -> RobotsRules:
        """What robots.txt says for ``url``'s origin: fetched on the first call, then kept."""
        origin = origin_of(url)
        entry = self._rules.get(origin)
        if entry is None:
            future: asyncio.Future[RobotsRules] = asyncio.get_running_loop().create_future()
            self._rules[origin] = future
            rules = await self._fetch(origin)
            self._rules[origin] = rules
            future.set_result(rules)
            return rules
        if isinstance(entry, asyncio.Future):
            return await asyncio.shield(entry)
        return entry

    async def _fetch(self, origin: str) -> RobotsRules:
        request = Request(
            f"{origin}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            meta={
                "dont_obey_robotstxt": True,
                ROBOTS_META_KEY: True,
                # a robots.txt that hangs must not hold the origin's pages for minutes
                "download_timeout": self.timeout,
                "max_retry_times": 1,
            },
            dont_filter=True,
        )
        self.stats.inc_value(_STAT + "fetched")
        engine = self.crawler.engine
        assert engine is not None
        try:
            response = await engine.download_async(request)
        except Exception as exc:  # refused, timed out, reset, off scope, ...
            return self._unreachable(origin, None, f"{type(exc).__name__}: {exc}")
        self.stats.inc_value(_STAT + f"status/{response.status}")
        return self._rules_from(origin, response)

    def _rules_from(self, origin: str, response: Response) -> RobotsRules:
        status = response.status
        if 200 <= status < 300:
            text = response.body.decode("utf-8", "replace")
            parser = Protego.parse(text)
            return RobotsRules(origin, "parsed", status, parser, list(parser.sitemaps))
        if 400 <= status < 500 or 300 <= status < 400:
            # 4xx: "unavailable", crawl as if there were none; a redirect still unresolved
            # after Scrapy followed what it follows is treated the same (RFC 9309 2.3.1.2)
            self.stats.inc_value(_STAT + "unavailable")
            return RobotsRules(origin, "allow", status)
        return self._unreachable(origin, status, f"status {status}")

    def _unreachable(self, origin: str, status: int | None, why: str) -> RobotsRules:
        self.stats.inc_value(_STAT + "unreachable")
        origins = list(self.stats.get_value(_STAT + "unreachable_origins") or [])
        origins.append(origin)
        self.stats.set_value(_STAT + "unreachable_origins", origins)
        logger.warning(
            "robots.txt of %s is unreachable (%s): nothing of it is crawled this run "
            "(RFC 9309); the next run asks again",
            origin,
            why,
        )
        return RobotsRules(origin, "unreachable", status)

    async def _pace(self, origin: str, delay: float) -> None:
        """Space requests to ``origin`` by ``delay`` seconds (robots.txt Crawl-delay)."""
        now = time.monotonic()
        slot = max(now, self._next_slot.get(origin, now))
        self._next_slot[origin] = slot + delay
        if slot > now:
            self.stats.inc_value(_STAT + "delayed")
            await asyncio.sleep(slot - now)
