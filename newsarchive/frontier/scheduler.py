"""``FrontierScheduler``: Scrapy's scheduler interface over the shared Redis frontier.

Set by the add-on when ``NEWSARCHIVE_FRONTIER`` is set (``SCHEDULER``). New requests go
to the frontier's queue unless its seen-set knows their fingerprint (Scrapy's
``REQUEST_FINGERPRINTER``; ``dont_filter`` requests always go); the engine's next request
is taken from the frontier as a lease of this worker
(:class:`~newsarchive.frontier.worker.FrontierWorker`). The spider is idle only when the
frontier is: nothing queued and nothing in flight with any live worker.

Why not scrapy-redis: its scheduler pops requests for good (a worker killed with ``-9``
loses every request it had taken, the brief's first rule), blocks the reactor in
``BRPOP`` when told to wait, and the first worker to finish deletes the shared queue
unless ``SCHEDULER_PERSIST`` is set; its last release (0.9.1, 2024) predates Scrapy 2.13's
scheduler and middleware changes. This one is small: Lua scripts on the ``redis`` client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from newsarchive.frontier.worker import FrontierWorker

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

__all__ = ["FrontierScheduler"]


class FrontierScheduler:
    """A scheduler whose queue and seen-set live in Redis (see the module)."""

    def __init__(self, crawler: Crawler, worker: FrontierWorker) -> None:
        self.crawler = crawler
        self.worker = worker
        self.spider: Spider | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        worker = crawler.get_extension(FrontierWorker)
        if worker is None:
            raise RuntimeError(
                "FrontierScheduler needs the FrontierWorker extension "
                "(set NEWSARCHIVE_FRONTIER; the newsarchive add-on enables both)"
            )
        return cls(crawler, worker)

    def open(self, spider: Spider) -> None:
        self.spider = spider
        settings = self.crawler.settings
        self.worker.open(
            {
                "folder": str(settings.get("NEWSARCHIVE_OUT") or ""),
                "run": str(settings.get("NEWSARCHIVE_RUN_ID") or ""),
            }
        )

    def close(self, reason: str) -> None:
        self.worker.close(reason)

    def has_pending_requests(self) -> bool:
        return self.worker.pending()

    def enqueue_request(self, request: Request) -> bool:
        assert self.spider is not None
        return self.worker.enqueue(request, self.spider)

    def next_request(self) -> Request | None:
        assert self.spider is not None
        return self.worker.take(self.spider)

    def __len__(self) -> int:
        return len(self.worker.local) + self.worker.frontier.state().queued
