"""robots.txt that holds for every request, not just the first one per host.

Scrapy 2.19's :class:`~scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware` keeps one
pending Deferred per host while robots.txt downloads, and each waiting request awaits it
through ``maybe_deferred_to_future``, which hands the parser to the first waiter and
``None`` to the others: requests that arrive while robots.txt is still downloading are
then let through, disallowed or not. This subclass gives every waiter its own Deferred,
fed by the shared one, so every request is checked against the parsed robots.txt.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as _ScrapyRobotsTxt
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(_ScrapyRobotsTxt):
    """Scrapy's robots.txt middleware with the pending-parser fix (see the module doc)."""

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            waiter: Deferred[RobotParser | None] = Deferred()

            def relay(result: Any) -> Any:
                waiter.callback(result)
                return result  # keep the result for the next waiter

            pending.addCallback(relay)
            return await maybe_deferred_to_future(waiter)
        return await super().robot_parser(request)
