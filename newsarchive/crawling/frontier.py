"""``SpillingQueue``: a frontier that never grows past a bound in memory.

A site's frontier can grow without end (a sitemap index of a thousand sitemaps of 50,000
URLs each). Scrapy's scheduler keeps pending requests in memory queues, one per priority;
this class is that memory queue (``SCHEDULER_MEMORY_QUEUE``) with a spill: up to
``NEWSARCHIVE_FRONTIER_MEMORY`` requests (20,000 by default) stay in memory, as fast as
Scrapy's own queue, and the rest are written to disk
(``DIR/.frontier/{SITE}-{RUN}/{queue}.q``, pickled ``Request.to_dict()`` records in a
queuelib disk queue) and read back when the memory part is empty. Most crawls never
spill, so they pay nothing for it; one that does keeps its memory flat. A request that
cannot be serialised stays in memory (counted in ``newsarchive/frontier/unserializable``);
spills are counted in ``newsarchive/frontier/spilled``. The files go when the queue is
closed; :class:`~newsarchive.state.owner.ArchiveFolder` removes what a killed run left
(newsarchive resumes an interrupted run from its archive, not from its queue).
"""

from __future__ import annotations

import pickle
import re
import shutil
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from queuelib import LifoDiskQueue
from scrapy import signals
from scrapy.utils.request import request_from_dict

from newsarchive.names import FRONTIER_DIR, safe_component
from newsarchive.runinfo import run_id

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["SpillingQueue", "frontier_path"]

DEFAULT_MEMORY = 20_000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def frontier_path(out: Path, site: str, run: str) -> Path:
    """``DIR/.frontier/{SITE}-{RUN}``: where one run's spilled requests go."""
    return Path(out) / FRONTIER_DIR / f"{safe_component(site)}-{run}"


class SpillingQueue:
    """LIFO request queue: memory up to a bound, then disk (see the module)."""

    def __init__(self, crawler: Crawler, key: str, memory: int = DEFAULT_MEMORY) -> None:
        self.crawler = crawler
        self.key = key
        self.limit = max(1, memory)
        self._memory: deque[Request] = deque()
        self._disk: LifoDiskQueue | None = None
        self._path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, key: str) -> Self:
        memory = crawler.settings.getint("NEWSARCHIVE_FRONTIER_MEMORY", DEFAULT_MEMORY)
        return cls(crawler, key, memory)

    # -- the queue protocol Scrapy's priority queues use ------------------------------------

    def push(self, request: Request) -> None:
        if len(self._memory) < self.limit:
            self._memory.append(request)
            return
        try:
            data = pickle.dumps(request.to_dict(spider=self.crawler.spider), protocol=4)
        except (ValueError, TypeError, AttributeError, pickle.PicklingError):
            self._count("unserializable")
            self._memory.append(request)
            return
        self._disk_queue().push(data)
        self._count("spilled")

    def pop(self) -> Request | None:
        if self._memory:
            return self._memory.pop()
        if self._disk is not None and len(self._disk):
            data = self._disk.pop()
            if data is not None:
                return request_from_dict(pickle.loads(data), spider=self.crawler.spider)
        return None

    def peek(self) -> Request | None:
        if self._memory:
            return self._memory[-1]
        if self._disk is not None and len(self._disk):
            data = self._disk.peek()
            if data is not None:
                return request_from_dict(pickle.loads(data), spider=self.crawler.spider)
        return None

    def __len__(self) -> int:
        return len(self._memory) + (len(self._disk) if self._disk is not None else 0)

    def close(self) -> None:
        self._memory.clear()
        if self._disk is not None:
            self._disk.close()
            self._disk = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            parent = self._path.parent
            if parent.is_dir() and not any(parent.iterdir()):
                shutil.rmtree(parent, ignore_errors=True)

    # -- helpers ----------------------------------------------------------------------------

    def _disk_queue(self) -> LifoDiskQueue:
        if self._disk is None:
            settings = self.crawler.settings
            site = getattr(self.crawler.spidercls, "name", None) or "spider"
            folder = frontier_path(
                Path(settings.get("NEWSARCHIVE_OUT") or "archives"), site, run_id(settings)
            )
            folder.mkdir(parents=True, exist_ok=True)
            self._path = folder / (_UNSAFE.sub("_", self.key) + ".q")
            self._disk = LifoDiskQueue(str(self._path))
            # Scrapy closes only its disk queues: remove the file when the engine stops
            self.crawler.signals.connect(self.close, signal=signals.engine_stopped, weak=False)
        return self._disk

    def _count(self, what: str) -> None:
        stats: Any = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"newsarchive/frontier/{what}")
