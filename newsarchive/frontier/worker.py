"""``FrontierWorker``: this process as one worker of a shared Redis frontier.

The extension owns the connection (:class:`~newsarchive.frontier.queue.RedisFrontier`),
the heartbeat, and the bookkeeping of leases: a request taken from the frontier is
*acked* only when its work is done, so a worker killed at any moment loses nothing:

* a response's work is done when its callback's output is exhausted
  (:class:`~newsarchive.frontier.middleware.FrontierSpiderMiddleware`), every item it
  yielded has left the item pipelines (``item_scraped``/``item_dropped``/``item_error``:
  the record is in the JSONL file) and every request it yielded has reached the
  scheduler; an unhandled callback error (``spider_error``) ends it too;
* a download that fails for good (after retries; robots.txt forbidding it) is done when
  the failure reaches the outermost downloader middleware
  (:class:`~newsarchive.frontier.middleware.FrontierDownloaderMiddleware`);
* a redirect or a retry *replaces* the request: the new one is queued and the old lease
  acked in one atomic step.

Acks and new requests are sent in batches (one round trip per callback, at most
:attr:`FrontierWorker.FLUSH_SECONDS` late), a request's ack always together with or after
the requests its callback found. Other workers reclaim the leases of a worker whose
heartbeat stops (``NEWSARCHIVE_FRONTIER_LEASE_SECONDS``, default 30); a worker restarted
on the same host reclaims those of its dead predecessors (their pid is gone) at once.

Stats: ``newsarchive/frontier/{queued, duplicates, taken, acked, released, reclaimed,
meta_dropped}``.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from newsarchive.frontier.queue import Lease, NewEntry, RedisFrontier, worker_name
from newsarchive.frontier.serialize import (
    LEASE_KEY,
    LOCAL_KEY,
    PARENT_KEY,
    dumps_request,
    loads_request,
)

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["FrontierWorker", "frontier_url"]

STAT = "newsarchive/frontier/"


def frontier_url(settings: Any) -> str | None:
    """The ``NEWSARCHIVE_FRONTIER`` URL, or None when the crawl has no shared frontier."""
    value = settings.get("NEWSARCHIVE_FRONTIER")
    return str(value) if value else None


@dataclass
class _Work:
    """What is left of a leased request's work."""

    outstanding: int = 0
    exhausted: bool = False


class FrontierWorker:
    """This process's membership of the frontier (see the module)."""

    FLUSH_SECONDS = 0.05
    TICK_SECONDS = 0.1
    """How often a starved worker asks the frontier for work."""
    FLUSH_BATCH = 200
    PREFETCH = 4
    """Requests taken from the frontier at once (leased to this worker until done)."""

    def __init__(self, crawler: Crawler, url: str) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        spider = crawler.spider
        self.site = str(getattr(spider, "name", None) or crawler.spidercls.name)
        prefix = settings.get("NEWSARCHIVE_FRONTIER_PREFIX") or "newsarchive:{site}:"
        prefix = str(prefix).replace("{site}", self.site)
        self.worker = worker_name()
        self.host = socket.gethostname()
        self.frontier = RedisFrontier.from_url(
            url,
            prefix,
            self.worker,
            lease_seconds=settings.getfloat("NEWSARCHIVE_FRONTIER_LEASE_SECONDS", 30.0),
        )
        self.url = url
        self.work: dict[str, _Work] = {}
        self.local: deque[Request] = deque()
        self.starved = False
        self._pushes: list[NewEntry] = []
        self._acks: list[str] = []
        self._seen: set[str] = set()
        self._loops: list[task.LoopingCall] = []
        self._closed = False
        self.fresh = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = frontier_url(crawler.settings)
        if not url:
            raise NotConfigured("no NEWSARCHIVE_FRONTIER")
        worker = cls(crawler, url)
        crawler.signals.connect(worker.item_done, signal=signals.item_scraped)
        crawler.signals.connect(worker.item_done, signal=signals.item_dropped)
        crawler.signals.connect(worker.item_done, signal=signals.item_error)
        crawler.signals.connect(worker.spider_error, signal=signals.spider_error)
        crawler.signals.connect(worker.request_dropped, signal=signals.request_dropped)
        return worker

    # -- life ------------------------------------------------------------------------

    def open(self, info: dict[str, Any]) -> None:
        """Join the frontier: reclaim what dead workers held, register, heartbeat."""
        for name in ("queued", "duplicates", "taken", "acked", "released", "reclaimed"):
            self.stats.set_value(STAT + name, 0)
        self.stats.set_value(STAT + "worker", self.worker)
        self._declare_dead_predecessors()
        self._count("reclaimed", self.frontier.reclaim())
        info = {
            "host": self.host,
            "pid": os.getpid(),
            "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **info,
        }
        self.fresh = self.frontier.join(info)
        logger.info(
            "Frontier %s (%s): worker %s %s",
            self.url,
            self.frontier.prefix,
            self.worker,
            "starts a new crawl" if self.fresh else "joins the crawl",
        )
        beat = task.LoopingCall(self._beat)
        beat.start(max(0.5, self.frontier.lease_seconds / 3), now=False)
        tick = task.LoopingCall(self._tick)
        tick.start(self.TICK_SECONDS, now=False)
        self._loops = [beat, tick]

    def close(self, reason: str) -> None:
        """Leave the frontier: flush, then ack (finished) or give back (stopped early) what
        this worker still holds."""
        if self._closed:
            return
        self._closed = True
        for loop in self._loops:
            if loop.running:
                loop.stop()
        self.flush()
        held = self.frontier.leased()
        if held:
            if reason == "finished":
                # the engine was idle: every request it took was done
                self._count("acked", self.frontier.ack(held))
            else:
                self._count("released", self.frontier.release(held))
                logger.info("Frontier: %d unfinished requests given back", len(held))
        self.frontier.leave()
        self.stats.set_value(STAT + "seen", self.frontier.seen_count())

    def _beat(self) -> None:
        try:
            self.frontier.heartbeat()
            self._count("reclaimed", self.frontier.reclaim())
        except Exception:
            logger.exception("Frontier heartbeat failed")

    def _declare_dead_predecessors(self) -> None:
        """Workers registered from this host whose pid is gone are dead: no need to wait
        for their heartbeat to expire."""
        for name, info in self.frontier.workers().items():
            if name == self.worker or info.get("host") != self.host:
                continue
            pid = info.get("pid")
            if isinstance(pid, int) and not _pid_alive(pid):
                logger.warning("Frontier: worker %s (pid %s) is gone; reclaiming", name, pid)
                self.frontier.declare_dead(name)

    # -- scheduler side --------------------------------------------------------------

    def enqueue(self, request: Request, spider: Spider) -> bool:
        """A request from the engine: local (taken for the engine), a replacement of a
        leased one (redirect, retry), or new work for the frontier."""
        if request.meta.pop(LOCAL_KEY, False):
            self.local.append(request)
            return True
        parent = request.meta.pop(PARENT_KEY, None)
        replaced = request.meta.pop(LEASE_KEY, None)
        queued = self._push(request, spider)
        if parent is not None:
            self._settle(parent, -1)
        if replaced is not None:
            state = self.work.pop(replaced, None)
            if state is not None:
                self._acks.append(replaced)
        if len(self._pushes) + len(self._acks) >= self.FLUSH_BATCH:
            self.flush()
        return queued

    def _push(self, request: Request, spider: Spider) -> bool:
        fingerprint = self.crawler.request_fingerprinter.fingerprint(request).hex()
        if not request.dont_filter:
            if fingerprint in self._seen:
                self._count("duplicates", 1)
                return False
            self._seen.add(fingerprint)
        payload, dropped = dumps_request(request, spider)
        if dropped:
            self.stats.inc_value(STAT + "meta_dropped", dropped)
        self._pushes.append(
            NewEntry(fingerprint, not request.dont_filter, request.priority, payload)
        )
        return True

    def take(self, spider: Spider) -> Request | None:
        """The next request for the engine: a local one, else (with the batched new
        requests and acks, in one round trip) up to :attr:`PREFETCH` from the frontier."""
        while not self.local:
            leases = self.flush(take=self.PREFETCH)
            if not leases:
                self.starved = True
                return None
            for lease in leases:
                request = self._leased(lease.id, lease.payload, spider)
                if request is not None:
                    self.local.append(request)
        self.starved = False
        return self.local.popleft()

    def _leased(self, lease: str, payload: str, spider: Spider) -> Request | None:
        self._count("taken", 1)
        try:
            request = loads_request(payload, spider)
        except Exception:
            logger.exception("Frontier: request %s cannot be read; dropped", lease)
            self._acks.append(lease)
            return None
        request.meta[LEASE_KEY] = lease
        self.work[lease] = _Work()
        return request

    def pending(self) -> bool:
        """Work for this worker or the others: local requests, queued requests, requests
        in flight with other workers (which may find more)."""
        if self.local:
            return True
        self.flush()
        return not self.frontier.state().done

    def flush(self, *, take: int = 0) -> list[Lease]:
        """Send the batched new requests and acks (acks after their children); take up
        to ``take`` requests in the same round trip."""
        if not self._pushes and not self._acks and not take:
            return []
        pushes, acks = self._pushes, self._acks
        self._pushes, self._acks = [], []
        added, leases = self.frontier.exchange(pushes, ack=acks, take=take)
        queued = sum(added)
        self._count("queued", queued)
        self._count("duplicates", len(added) - queued)
        self._count("acked", len(acks))
        return leases

    def _tick(self) -> None:
        """Flush; wake a starved engine when the frontier has work; close it when the
        whole crawl is done."""
        try:
            self.flush()
            if not self.starved or self._closed:
                return
            engine = self.crawler.engine
            if engine is None or engine.needs_backout():
                return
            spider = self.crawler.spider
            if spider is None:
                return
            leases = self.flush(take=1)
            if leases:
                self.starved = False
                request = self._leased(leases[0].id, leases[0].payload, spider)
                if request is not None:
                    request.meta[LOCAL_KEY] = True
                    engine.crawl(request)
                return
            if not self.local and self.frontier.state().done and engine.spider_is_idle():
                self.starved = False
                deferred_from_coro(engine.close_spider_async(reason="finished"))
        except Exception:
            logger.exception("Frontier tick failed")

    # -- lease bookkeeping -----------------------------------------------------------

    def output_item(self, lease: str | None) -> None:
        if lease is not None and lease in self.work:
            self.work[lease].outstanding += 1

    def output_done(self, lease: str | None) -> None:
        """The callback's output for ``lease`` is exhausted (or raised)."""
        state = self.work.get(lease) if lease is not None else None
        if state is not None:
            state.exhausted = True
            self._settle(lease, 0)

    def download_failed(self, request: Request) -> None:
        """A download failed for good: the request's work is done."""
        self.output_done(request.meta.get(LEASE_KEY))

    def _settle(self, lease: str | None, delta: int) -> None:
        state = self.work.get(lease) if lease is not None else None
        if state is None or lease is None:
            return
        state.outstanding += delta
        if state.exhausted and state.outstanding <= 0:
            del self.work[lease]
            self._acks.append(lease)

    def item_done(self, item: Any, response: Response | Any = None, **kwargs: Any) -> None:
        if isinstance(response, Response):
            self._settle(response.meta.get(LEASE_KEY), -1)

    def spider_error(self, failure: Any, response: Response | Any = None, **kwargs: Any) -> None:
        if isinstance(response, Response):
            self.output_done(response.meta.get(LEASE_KEY))

    def request_dropped(self, request: Request, **kwargs: Any) -> None:
        self._settle(request.meta.pop(PARENT_KEY, None), -1)

    def _count(self, name: str, value: int) -> None:
        if value:
            self.stats.inc_value(STAT + name, value)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
