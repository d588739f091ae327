"""``WarcFiles``: the one owner of a run's WARC files.

It keeps the run's :class:`~newsarchive.warc.writer.WarcFileWriter` (``.open`` names,
warcinfo first, rotation at ``NEWSARCHIVE_WARC_MAX_SIZE``), records each new file in the
folder's state at once (so a killed run's file is known to belong to it) and forgets a file
the writer removed (no record could be written after its warcinfo), closes the last
file when the spider closes and announces every closed file with
:data:`newsarchive.signals.warc_file_closed` (the CDXJ indexer listens), and every record
written to listeners added with :meth:`WarcFiles.add_record_listener` (the CDXJ indexer
builds its lines from them). The components
that write records reach it through ``crawler.get_extension(WarcFiles)`` and use
:meth:`WarcFiles.writer_for`.

Stats (``newsarchive/warc/``): ``records``, ``bytes``, ``files``, ``file_names`` (the final
basenames, in order), ``errors`` (fetches or records that could not be written).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newsarchive import signals as na_signals
from newsarchive.crawling.limits import RunLimits, is_storage_error
from newsarchive.state.owner import ArchiveFolder
from newsarchive.warc.config import WarcConfig
from newsarchive.warc.writer import (
    WarcFileWriter,
    WrittenRecord,
    local_hostname,
    local_ip,
    warcinfo_fields,
)

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["STAT", "WarcFiles"]

STAT = "newsarchive/warc/"


class WarcFiles:
    """The run's WARC writer and its files (see the module)."""

    def __init__(self, crawler: Crawler, config: WarcConfig) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.config = config
        self.writer: WarcFileWriter | None = None
        self.closing = False
        """True while the spider closes: the last file is being closed."""
        self._folder: ArchiveFolder | None = None
        self._limits: RunLimits | None = None
        self._record_listeners: list[Callable[[WrittenRecord], None]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        config = WarcConfig.from_settings(crawler.settings)
        if not config.enabled:
            raise NotConfigured("WARC capture disabled by NEWSARCHIVE_WARC_ENABLED")
        files = cls(crawler, config)
        crawler.signals.connect(files.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(files.spider_closed, signal=signals.spider_closed)
        return files

    @property
    def folder(self) -> ArchiveFolder | None:
        """The output folder's owner, when it runs (not in some unit tests)."""
        if self._folder is None:
            self._folder = self.crawler.get_extension(ArchiveFolder)
        return self._folder

    @property
    def writable(self) -> bool:
        """False once a write to the output folder failed: nothing more is written."""
        limits = self._run_limits()
        return limits is None or limits.writable

    def _run_limits(self) -> RunLimits | None:
        if self._limits is None:
            self._limits = self.crawler.get_extension(RunLimits)
        return self._limits

    def write_failed(self, exc: BaseException, what: str) -> None:
        """Count a failed write; a storage failure (full disk, ...) stops the run."""
        self.stats.inc_value(STAT + "errors")
        limits = self._run_limits()
        if limits is not None and is_storage_error(exc):
            limits.storage_failed(exc, what)
            return
        logger.error("Could not write %s: %s: %s", what, type(exc).__name__, exc, exc_info=True)

    def spider_opened(self, spider: Spider) -> None:
        for name in ("records", "bytes", "files", "errors"):
            self.stats.set_value(STAT + name, 0)
        self.stats.set_value(STAT + "file_names", [])
        logger.info("Writing WARC files to %s", self.config.directory)

    def add_record_listener(self, listener: Callable[[WrittenRecord], None]) -> None:
        """Call ``listener`` with every record once it is in its file for good (the CDXJ
        indexer builds its lines from these)."""
        self._record_listeners.append(listener)

    def _record_written(self, record: WrittenRecord) -> None:
        for listener in self._record_listeners:
            try:
                listener(record)
            except Exception:  # the record is written: a listener's failure is its own
                logger.exception("A listener of WARC records failed on %s", record.location)

    def writer_for(self, spider: Spider | None = None) -> WarcFileWriter:
        """The run's writer (made on first use; its first file comes with its first record)."""
        if self.writer is None:
            spider = spider or self.crawler.spider
            site = getattr(spider, "name", None)
            hostname = local_hostname()
            info = warcinfo_fields(
                robots=self.config.robots,
                operator=self.config.operator,
                description=self.config.description,
                is_part_of=site,
                user_agent=self.config.user_agent,
                hostname=hostname,
                ip=local_ip(hostname),
            )
            # a worker of a shared frontier: several processes of one site may write one
            # folder (or folders merged later), so the name's {HOST} is {host}-{pid}
            frontier = bool(self.crawler.settings.get("NEWSARCHIVE_FRONTIER"))
            self.writer = WarcFileWriter(
                self.config.directory,
                prefix=self.config.prefix_for(site),
                max_size=self.config.max_size,
                gzip_level=self.config.gzip_level,
                warcinfo=info,
                hostname=f"{hostname}-{os.getpid()}" if frontier else hostname,
                on_open=self._file_opened,
                on_close=self._file_closed,
                on_discard=self._file_discarded,
                on_record=self._record_written,
            )
        return self.writer

    def note_written(self, file: str) -> None:
        """After a record: remember in the state how far ``file`` now goes (batched)."""
        folder = self.folder
        if folder is not None and self.writer is not None:
            folder.state.set_file(file, "warc", self.writer.position)
        self.update_stats()

    def update_stats(self) -> None:
        if self.writer is None:
            return
        self.stats.set_value(STAT + "records", self.writer.records_written)
        self.stats.set_value(STAT + "bytes", self.writer.bytes_written)
        self.stats.set_value(STAT + "files", self.writer.files_opened)
        names = [path.name for path in self.writer.closed_files]
        if self.writer.current_name is not None:
            names.append(self.writer.current_name)
        self.stats.set_value(STAT + "file_names", names)

    def _file_opened(self, name: str) -> None:
        folder = self.folder
        if folder is not None and self.writer is not None:
            # committed at once (not batched): after a kill -9, the re-index of this file
            # must still know which run wrote it, or that run could not be resumed
            with folder.state.transaction():
                folder.state.set_file(
                    name, "warc", self.writer.position, site=folder.site, run_id=folder.run
                )

    def _file_discarded(self, name: str) -> None:
        # the writer removed the file (no record after its warcinfo could be written): the
        # state must not keep a row for it. If the database cannot be written either (a
        # full disk), the next start's sync forgets the file, which is gone.
        folder = self.folder
        if folder is None:
            return
        try:
            folder.state.forget_file(name)
        except Exception as exc:
            logger.debug("Could not forget the removed WARC file %s: %s", name, exc)

    def _file_closed(self, path: Path) -> None:
        self.crawler.signals.send_catch_log(
            signal=na_signals.warc_file_closed, path=path, final=self.closing
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Close the current file (dropping ``.open`` from its name)."""
        if self.writer is None:
            return
        self.closing = True
        try:
            self.writer.close()
        except Exception as exc:
            self.write_failed(exc, f"the WARC file {self.writer.current_path}")
        self.update_stats()
        logger.info(
            "WARC files written: %s",
            ", ".join(str(path) for path in self.writer.closed_files) or "none",
        )
