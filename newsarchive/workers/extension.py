"""The ``ExtractWorkers`` extension: a pool of extraction processes for each spider.

Settings:

==================================  ===========  ==============================================
``NEWSARCHIVE_EXTRACT_WORKERS``     ``1``        worker processes per crawl; ``0`` extracts in
                                                 the crawl's own process
``NEWSARCHIVE_EXTRACT_TIMEOUT``     ``60``       seconds one page may take; the worker is then
                                                 killed and the page counted as an error
==================================  ===========  ==============================================

Spiders that take a pool say so with a true ``uses_extract_pool`` attribute
(:class:`newsarchive.layouts.base.NewsSpider` does); the extension sets their
``extract_pool`` when the spider
opens and closes the pool when it closes. Stats: ``newsarchive/extract/workers/...``
(:mod:`newsarchive.workers.pool`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future

from newsarchive.workers.pool import WorkerPool

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

__all__ = ["ExtractWorkers", "ExtractWorkersConfig"]


@dataclass(frozen=True)
class ExtractWorkersConfig:
    """The extraction pool's configuration."""

    workers: int = 1
    """``NEWSARCHIVE_EXTRACT_WORKERS``: worker processes; 0 disables the pool."""
    timeout: float = 60.0
    """``NEWSARCHIVE_EXTRACT_TIMEOUT``: seconds one extraction may run."""
    extract: bool = True
    """``NEWSARCHIVE_EXTRACT_ENABLED``: without extraction there is nothing to run."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        """Read the ``NEWSARCHIVE_EXTRACT_*`` settings. Raises ValueError on invalid values."""
        config = cls(
            workers=settings.getint("NEWSARCHIVE_EXTRACT_WORKERS", 1),
            timeout=settings.getfloat("NEWSARCHIVE_EXTRACT_TIMEOUT", 60.0),
            extract=settings.getbool("NEWSARCHIVE_EXTRACT_ENABLED", True),
        )
        if config.workers < 0:
            raise ValueError(f"NEWSARCHIVE_EXTRACT_WORKERS must be >= 0, got {config.workers}")
        if config.timeout <= 0:
            raise ValueError(f"NEWSARCHIVE_EXTRACT_TIMEOUT must be > 0, got {config.timeout}")
        return config


class ExtractWorkers:
    """Give every spider that uses one a running :class:`WorkerPool` (``extract_pool``)."""

    def __init__(self, config: ExtractWorkersConfig, stats: StatsCollector) -> None:
        self.config = config
        self.stats = stats
        self.pools: dict[int, WorkerPool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Build the extension from the settings and connect its signals."""
        config = ExtractWorkersConfig.from_settings(crawler.settings)
        if not config.extract:
            raise NotConfigured("extraction disabled by NEWSARCHIVE_EXTRACT_ENABLED")
        if config.workers == 0:
            raise NotConfigured("NEWSARCHIVE_EXTRACT_WORKERS is 0: extracting in process")
        assert crawler.stats is not None
        ext = cls(config, crawler.stats)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        """Start a pool for a spider that takes one."""
        if not getattr(spider, "uses_extract_pool", False):
            return
        pool = WorkerPool(self.config.workers, timeout=self.config.timeout, stats=self.stats)
        pool.start()
        self.pools[id(spider)] = pool
        spider.extract_pool = pool

    async def spider_closed(self, spider: Spider) -> None:
        """Stop the spider's pool, waiting for its workers to exit."""
        pool = self.pools.pop(id(spider), None)
        if pool is None:
            return
        spider.extract_pool = None
        await maybe_deferred_to_future(pool.close())
