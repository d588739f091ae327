"""One CDXJ index per closed WARC file: ``DIR/indexes/{WARC name}.cdxj``.

Written by :class:`CdxjIndexer` when a file is closed (rotation or end of run) and, at the start
of a run, for every closed file that has none yet (files a killed run left, once
repaired). Per-file indexes never need rewriting, so a long-lived archive is indexed
once; pywb reads a folder of ``.cdxj`` files as one index, and
``cat indexes/*.cdxj | sort`` gives one sorted index. Built by
:func:`newsarchive.indexing.write_cdxj` (cdxj-indexer), atomically.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsarchive import names
from newsarchive import signals as na_signals
from newsarchive.indexing import IndexingError, write_cdxj
from newsarchive.warc.config import WarcConfig

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

__all__ = ["CdxjIndexer", "index_missing", "index_path", "index_warc"]

_STAT = "newsarchive/warc/"


def index_path(warc: Path) -> Path:
    """Where the index of ``warc`` (a closed file in ``DIR/warc``) goes."""
    return names.index_path(warc.parent.parent, warc)


def index_warc(warc: Path) -> Path:
    """Write the CDXJ index of one closed WARC file; return its path.

    Raises :class:`~newsarchive.indexing.IndexingError` when it cannot be built.
    """
    target = index_path(warc)
    write_cdxj([warc], target)
    return target


def index_missing(warc_dir: Path) -> list[Path]:
    """Index every closed WARC file in ``warc_dir`` that has no index (or an older one).

    A file that cannot be indexed is logged and skipped; returns the indexes written.
    """
    written: list[Path] = []
    if not warc_dir.is_dir():
        return written
    for warc in sorted(warc_dir.iterdir()):
        if not (warc.is_file() and names.is_archive(warc, include_open=False)):
            continue
        target = index_path(warc)
        if target.exists() and target.stat().st_mtime >= warc.stat().st_mtime:
            continue
        try:
            written.append(index_warc(warc))
        except IndexingError as exc:
            logger.error("No CDXJ index for %s: %s", warc, exc)
    return written


class CdxjIndexer:
    """Index every WARC file the run closes (``NEWSARCHIVE_WARC_CDXJ``).

    A file rotated mid-crawl is indexed on a background thread (a 1 GB file takes many
    seconds, which would stall every download); the file closed at the end of the run is
    indexed at once, after waiting for those, so the stats count every index:
    ``newsarchive/warc/cdxj_files``; failures in ``newsarchive/warc/errors`` (the archive
    is sound without its index, and the next run writes the missing ones).
    """

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[tuple[Path, Future[Path]]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = WarcConfig.from_settings(crawler.settings)
        if not config.enabled or not config.cdxj:
            raise NotConfigured("no CDXJ indexes (NEWSARCHIVE_WARC_ENABLED/_CDXJ)")
        indexer = cls(crawler)
        crawler.signals.connect(indexer.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(indexer.file_closed, signal=na_signals.warc_file_closed)
        return indexer

    def spider_opened(self, spider: Spider) -> None:
        self.stats.set_value(_STAT + "cdxj_files", 0)

    def file_closed(self, path: Path, final: bool) -> None:
        from newsarchive.crawling.limits import RunLimits

        limits = self.crawler.get_extension(RunLimits)
        if limits is not None and not limits.writable:
            return  # the folder cannot be written: the next run writes the missing index
        if final:
            self._collect(wait=True)
            self._index_now(path)
            if self._pool is not None:
                self._pool.shutdown()
                self._pool = None
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="newsarchive-cdxj")
        self._pending.append((path, self._pool.submit(index_warc, path)))
        self._collect(wait=False)

    def _index_now(self, path: Path) -> None:
        try:
            index_warc(path)
        except Exception as exc:
            self._count(path, exc)
        else:
            self._count(path, None)

    def _collect(self, *, wait: bool) -> None:
        """Count the background indexes that are done (all of them with ``wait``)."""
        pending = []
        for path, future in self._pending:
            if wait or future.done():
                self._count(path, future.exception())
            else:
                pending.append((path, future))
        self._pending = pending

    def _count(self, path: Path, error: BaseException | None) -> None:
        if error is not None:
            self.stats.inc_value(_STAT + "errors")
            logger.error("Could not write the CDXJ index of %s: %s", path, error)
            return
        self.stats.inc_value(_STAT + "cdxj_files")
