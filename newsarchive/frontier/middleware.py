"""The two middlewares that tell :class:`~newsarchive.frontier.worker.FrontierWorker`
when a leased request's work is done (enabled by the add-on with the frontier).

* :class:`FrontierSpiderMiddleware` (the outermost spider middleware, nearest the
  engine): counts the items and requests a callback yields for the leased request, marks
  each yielded request with its parent's lease (the scheduler settles it), and says when
  the output is exhausted;
* :class:`FrontierDownloaderMiddleware` (the outermost downloader middleware): a failure
  that reaches it is final (retries and redirects return new requests before it) and
  ends the leased request's work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request
from scrapy.exceptions import NotConfigured

from newsarchive.frontier.serialize import LEASE_KEY, PARENT_KEY
from newsarchive.frontier.worker import FrontierWorker

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["FrontierDownloaderMiddleware", "FrontierSpiderMiddleware"]


def _worker(crawler: Crawler) -> FrontierWorker:
    worker = crawler.get_extension(FrontierWorker)
    if worker is None:
        raise NotConfigured("no shared frontier")
    return worker


class FrontierSpiderMiddleware:
    def __init__(self, worker: FrontierWorker) -> None:
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(_worker(crawler))

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        lease = response.meta.get(LEASE_KEY)
        try:
            async for element in result:
                if isinstance(element, Request):
                    element.meta.pop(LEASE_KEY, None)
                    if lease is not None:
                        element.meta[PARENT_KEY] = lease
                        self.worker.output_item(lease)
                elif element is not None:
                    self.worker.output_item(lease)
                yield element
        finally:
            self.worker.output_done(lease)


class FrontierDownloaderMiddleware:
    def __init__(self, worker: FrontierWorker) -> None:
        self.worker = worker

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(_worker(crawler))

    def process_exception(
        self, request: Request, exception: BaseException, spider: Any = None
    ) -> None:
        self.worker.download_failed(request)
        return None
