"""``RunStateExtension``: a run's start and finish in the folder's state, repair counts.

* On ``spider_opened`` the run is recorded as started (unfinished) in
  ``DIR/state.sqlite``, and what opening the folder repaired is put in the stats:
  ``newsarchive/repair/{warc_files, warc_files_deleted, warc_bytes_cut, warc_records_cut,
  jsonl_files, jsonl_bytes_cut}``, plus ``newsarchive/state/files_synced`` (files whose
  index lagged behind) and ``newsarchive/index/cdxj_written`` (indexes written at start).
* On ``spider_closed`` with reason ``finished`` or ``closespider_*`` the run, and the
  interrupted runs it completed (:mod:`newsarchive.resume`), are marked finished; any
  other reason (shutdown, a crash never gets here) leaves them for the next run to resume.

Enable it last (``EXTENSIONS = {"newsarchive.state.extension.RunStateExtension": 1000}``),
so a run is marked finished only once everything else has closed its files.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Self

from scrapy import signals

from newsarchive.runinfo import run_id
from newsarchive.state.folder import OutputFolder, open_folder

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

__all__ = ["RunStateExtension", "is_complete"]


def is_complete(reason: str) -> bool:
    """True for the finish reasons of a run that did all it set out to do."""
    return reason == "finished" or reason.startswith("closespider_")


class RunStateExtension:
    """Record runs as started and finished; report what was repaired (see the module)."""

    def __init__(self, stats: StatsCollector, folder: OutputFolder, run: str) -> None:
        self.stats = stats
        self.folder = folder
        self.run = run
        self.resumed: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        out = Path(settings.get("NEWSARCHIVE_OUT") or "archives")
        folder = open_folder(out, cdxj=settings.getbool("NEWSARCHIVE_WARC_CDXJ", True))
        assert crawler.stats is not None
        ext = cls(crawler.stats, folder, run_id(settings))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.resumed = self.folder.runs_to_resume(spider.name, self.run)
        for name, value in self.folder.repair.stats().items():
            self.stats.set_value(f"newsarchive/repair/{name}", value)
        synced = self.folder.sync.warc_files + self.folder.sync.jsonl_files
        self.stats.set_value("newsarchive/state/files_synced", synced)
        self.stats.set_value("newsarchive/index/cdxj_written", self.folder.indexes_written)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not is_complete(reason):
            logger.warning(
                "Run %s of %s ended with %r: the next run resumes it", self.run, spider.name, reason
            )
            return
        self.folder.state.finish_runs(spider.name, [*self.resumed, self.run])
