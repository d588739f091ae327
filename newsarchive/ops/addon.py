"""The newsarchive add-on (``ADDONS``): the settings that plans, Scrapyd jobs and shared
frontiers use, turned into components, the same under ``newsarchive crawl``, ``scrapy
crawl`` and Scrapyd:

* ``NEWSARCHIVE_SITE``: the run's site name (a plan entry's name) instead of the
  spider's: it names the lock, the WARC prefix, the JSONL and report files and each
  record's ``site``;
* ``NEWSARCHIVE_MAX_BYTES``: stop the crawl (``closespider_bytes``, a complete run) once
  the responses downloaded reach this many bytes (:class:`ByteLimit`);
* ``NEWSARCHIVE_FRONTIER`` (``redis://HOST:PORT/DB``): crawl as one worker of a shared
  frontier (:mod:`newsarchive.frontier`): its scheduler, its worker extension and its
  two middlewares;
* always: :class:`OutcomeLog`, the run's exit status as the log's last line
  (``newsarchive: SITE: exit status N: ...``), which is what a Scrapyd job or a plain
  ``scrapy crawl`` has of it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from newsarchive.report import outcome

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

__all__ = ["ByteLimit", "NewsarchiveAddon", "OutcomeLog"]

logger = logging.getLogger(__name__)


class NewsarchiveAddon:
    """See the module."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def update_settings(self, settings: Settings) -> None:
        site = settings.get("NEWSARCHIVE_SITE")
        spider = self.crawler.spider
        if site and spider is not None:
            spider.name = str(site)
        settings["EXTENSIONS"]["newsarchive.ops.addon.OutcomeLog"] = 950
        if settings.getint("NEWSARCHIVE_MAX_BYTES", 0) > 0:
            settings["EXTENSIONS"]["newsarchive.ops.addon.ByteLimit"] = 50
        if settings.get("NEWSARCHIVE_FRONTIER"):
            settings.set("SCHEDULER", "newsarchive.frontier.scheduler.FrontierScheduler", "addon")
            settings["EXTENSIONS"]["newsarchive.frontier.worker.FrontierWorker"] = 10
            settings["SPIDER_MIDDLEWARES"][
                "newsarchive.frontier.middleware.FrontierSpiderMiddleware"
            ] = 1
            settings["DOWNLOADER_MIDDLEWARES"][
                "newsarchive.frontier.middleware.FrontierDownloaderMiddleware"
            ] = 1


class ByteLimit:
    """Close the spider (``closespider_bytes``) once ``downloader/response_bytes`` reaches
    ``NEWSARCHIVE_MAX_BYTES``."""

    def __init__(self, crawler: Crawler, limit: int) -> None:
        self.crawler = crawler
        self.limit = limit
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        limit = crawler.settings.getint("NEWSARCHIVE_MAX_BYTES", 0)
        if limit <= 0:
            raise NotConfigured("no NEWSARCHIVE_MAX_BYTES")
        ext = cls(crawler, limit)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        return ext

    def response_received(self, **kwargs: object) -> None:
        assert self.crawler.stats is not None
        got = self.crawler.stats.get_value("downloader/response_bytes", 0)
        if not self.closing and isinstance(got, int) and got >= self.limit:
            self.closing = True
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="closespider_bytes"))


class OutcomeLog:
    """Log the run's exit status (the rules of :func:`newsarchive.report.outcome`) when
    the spider closes: ``newsarchive: SITE: exit status N: SUMMARY``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        assert self.crawler.stats is not None
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        result = outcome(stats)
        logger.info(
            "newsarchive: %s: exit status %d: %s", spider.name, result.exit_code, result.reason
        )
