"""``RunLimits``: what ends a run before its spider has done all it set out to do.

* ``NEWSARCHIVE_MAX_RUNTIME`` (seconds, 0: none; ``newsarchive crawl --max-runtime``): the
  spider is closed with reason ``max_runtime`` once the run has lasted that long;
* a write to the output folder failing (a full disk, a read-only or vanished folder, an I/O
  error): the first failure is logged as one line, counted in
  ``newsarchive/storage/errors`` (its message in ``newsarchive/storage/failure``) and the
  spider closed with reason ``storage_failure`` within the second, instead of fetching
  pages it can no longer store. Later writes are not attempted (:attr:`RunLimits.writable`
  is False), so no new WARC file is opened after a failed one.

Both leave the run unfinished: the next run on the folder repairs what was written and
resumes it, as after ``kill -9``. :func:`newsarchive.report.outcome` gives each its own
exit status. Enabled in ``EXTENSIONS``; the writers reach it with
``crawler.get_extension(RunLimits)``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import TYPE_CHECKING, Self

from scrapy import signals

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["INTERRUPTED_REASONS", "STORAGE_FAILURE", "RunLimits", "is_storage_error"]

STORAGE_FAILURE = "storage_failure"
MAX_RUNTIME = "max_runtime"
INTERRUPTED_REASONS = frozenset({"shutdown", MAX_RUNTIME, "cancelled"})
"""Finish reasons of a run stopped from outside before it was done (resumable)."""


def is_storage_error(exc: BaseException) -> bool:
    """True for a failure to write the output folder (not a bug, not bad input)."""
    return isinstance(exc, OSError | sqlite3.OperationalError | sqlite3.DatabaseError)


class RunLimits:
    """Close the spider on ``--max-runtime`` or a storage failure (see the module)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.max_runtime = crawler.settings.getfloat("NEWSARCHIVE_MAX_RUNTIME", 0.0)
        self.writable = True
        self._timer: asyncio.TimerHandle | None = None
        self._closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        limits = cls(crawler)
        crawler.signals.connect(limits.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(limits.spider_closed, signal=signals.spider_closed)
        return limits

    def spider_opened(self, spider: Spider) -> None:
        if self.max_runtime > 0:
            loop = asyncio.get_event_loop()
            self._timer = loop.call_later(self.max_runtime, self._runtime_over)

    def spider_closed(self, spider: Spider) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _runtime_over(self) -> None:
        logger.warning(
            "The run has lasted NEWSARCHIVE_MAX_RUNTIME (%.0f s): stopping; the next run "
            "resumes it",
            self.max_runtime,
        )
        self.close(MAX_RUNTIME)

    def storage_failed(self, exc: BaseException, what: str) -> None:
        """A write to the output folder failed: stop the run (once) and say why."""
        self.stats.inc_value("newsarchive/storage/errors")
        if not self.writable:
            return
        self.writable = False
        message = f"cannot write {what}: {' '.join(str(exc).split())}"
        self.stats.set_value("newsarchive/storage/failure", message)
        logger.error("%s; stopping the crawl (the next run repairs and resumes it)", message)
        self.close(STORAGE_FAILURE)

    def close(self, reason: str) -> None:
        """Close the spider with ``reason`` (once)."""
        engine = self.crawler.engine
        if self._closing or engine is None:
            return
        self._closing = True
        asyncio.ensure_future(engine.close_spider_async(reason=reason))
