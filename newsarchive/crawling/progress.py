"""``ProgressExtension``: a progress line per site on a terminal, now and then.

``NEWSARCHIVE_PROGRESS``: ``auto`` (the default: only when stderr is a terminal, so cron
and pipes get nothing), ``on`` or ``off``. Every ``NEWSARCHIVE_PROGRESS_INTERVAL``
seconds (10) it writes, to stderr::

    trend: 1520 pages, 612 articles, 0 errors, 84 pages/s

"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

__all__ = ["ProgressExtension"]


class ProgressExtension:
    """Print progress lines while a site is crawled (see the module)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.interval = interval
        self._handle: asyncio.TimerHandle | None = None
        self._started = time.monotonic()
        self._site = "spider"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mode = str(crawler.settings.get("NEWSARCHIVE_PROGRESS", "auto")).lower()
        if mode in ("off", "0", "false", "no") or (mode == "auto" and not sys.stderr.isatty()):
            raise NotConfigured  # no reason given: Scrapy would log it as a warning
        interval = crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL", 10.0)
        ext = cls(crawler, max(interval, 0.1))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self._site = spider.name
        self._started = time.monotonic()
        self._schedule()

    def _schedule(self) -> None:
        self._handle = asyncio.get_event_loop().call_later(self.interval, self._tick)

    def _tick(self) -> None:
        sys.stderr.write(self.line() + "\n")
        sys.stderr.flush()
        self._schedule()

    def line(self) -> str:
        """The current progress line."""
        from newsarchive.report import error_count

        stats = self.stats.get_stats()
        pages = int(stats.get("downloader/response_count", 0))
        articles = int(stats.get("newsarchive/jsonl/records", 0))
        errors = error_count(stats)
        rate = pages / max(time.monotonic() - self._started, 1e-6)
        return (
            f"{self._site}: {pages} pages, {articles} articles, {errors} errors, {rate:.0f} pages/s"
        )

    def spider_closed(self, spider: Spider) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
