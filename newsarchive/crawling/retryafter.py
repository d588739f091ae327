"""``RetryAfterMiddleware``: a server's ``Retry-After`` is honoured, up to a bound.

On a 429 or 503 response with ``Retry-After`` (seconds, or an HTTP date), the retry that
Scrapy's ``RetryMiddleware`` makes waits that long first, at most
``NEWSARCHIVE_RETRY_AFTER_MAX`` seconds (120 by default; counted in
``newsarchive/retry_after/waited``, the seconds in ``.../seconds``). A longer wait is not
made in this run: the request is not retried (``newsarchive/retry_after/too_long``) and the
next run asks again. Later requests to the same origin wait for the same moment, so the
site is not asked again before it said it could answer. Enabled in
``DOWNLOADER_MIDDLEWARES`` at 560 (its ``process_response`` runs just before
``RetryMiddleware``'s, 550).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

__all__ = ["RetryAfterMiddleware", "retry_after_seconds"]

_STAT = "newsarchive/retry_after/"


def retry_after_seconds(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait for a ``Retry-After`` value (delta-seconds or HTTP-date); None when
    it is neither."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    """Wait what ``Retry-After`` asks before a 429/503 is retried (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.max_wait = crawler.settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX", 120.0)
        self._not_before: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        until = self._not_before.get(_origin(request.url))
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)

    async def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        if response.status not in (429, 503):
            return response
        header = response.headers.get(b"Retry-After")
        if not header:
            return response
        wait = retry_after_seconds(header.decode("latin-1"))
        if wait is None:
            return response
        if wait > self.max_wait:
            self.stats.inc_value(_STAT + "too_long")
            request.meta["dont_retry"] = True
            logger.warning(
                "%s asks to retry in %.0f s, more than NEWSARCHIVE_RETRY_AFTER_MAX (%.0f s): "
                "not retried this run",
                request.url,
                wait,
                self.max_wait,
            )
            return response
        self.stats.inc_value(_STAT + "waited")
        # Scrapy annotates ``count`` as int, but its collectors add any number; the stat
        # sums fractional seconds, as it always has
        self.stats.inc_value(_STAT + "seconds", wait)  # type: ignore[arg-type]
        self._not_before[_origin(request.url)] = time.monotonic() + wait
        await asyncio.sleep(wait)
        return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
