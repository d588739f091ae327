"""A crawler with newsarchive's archive extensions and no engine, for unit tests.

:func:`archive_run` builds a Scrapy crawler (``scrapy.utils.test.get_crawler``) whose
extensions are the real ones of ``newsarchive.settings`` (folder owner, WARC files,
exchanges, records, indexes) and sends them the signals a crawl would: tests feed
responses, captures and records in, and read the files and stats out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newsarchive import signals as na_signals
from newsarchive.state.owner import ArchiveFolder
from newsarchive.warc.archiver import ExchangeArchiver
from newsarchive.warc.files import WarcFiles
from newsarchive.warc.writer import WarcFileWriter

EXTENSIONS = {
    "newsarchive.state.owner.ArchiveFolder": 0,
    "newsarchive.warc.files.WarcFiles": 100,
    "newsarchive.warc.cdxj.CdxjIndexer": 105,
    "newsarchive.warc.archiver.ExchangeArchiver": 110,
    "newsarchive.warc.metadata.RecordArchiver": 120,
}


class ArchiveRun:
    """One run of ``spidercls`` writing into ``out`` (see the module)."""

    def __init__(self, spidercls: type[Spider], out: Path, **settings: Any) -> None:
        self.crawler = get_crawler(
            spidercls,
            {
                "NEWSARCHIVE_OUT": str(out),
                "EXTENSIONS_BASE": {},
                "EXTENSIONS": EXTENSIONS,
                **settings,
            },
        )
        self.spider = spidercls.from_crawler(self.crawler)
        self.crawler.spider = self.spider
        self.stats = self.crawler.stats
        self._send(signals.spider_opened, spider=self.spider)

    def _send(self, signal: object, **kwargs: Any) -> None:
        for _, result in self.crawler.signals.send_catch_log(signal, **kwargs):
            if hasattr(result, "raiseException"):
                result.raiseException()

    @property
    def folder(self) -> ArchiveFolder:
        folder = self.crawler.get_extension(ArchiveFolder)
        assert folder is not None
        return folder

    @property
    def files(self) -> WarcFiles:
        files = self.crawler.get_extension(WarcFiles)
        assert files is not None
        return files

    @property
    def writer(self) -> WarcFileWriter | None:
        return self.files.writer

    def response_downloaded(self, response: Response, request: Request) -> None:
        archiver = self.crawler.get_extension(ExchangeArchiver)
        assert archiver is not None
        archiver.response_downloaded(response, request, self.spider)

    def record_stored(self, record: dict[str, Any], line: bytes) -> None:
        self._send(na_signals.record_stored, record=record, line=line, spider=self.spider)

    def close(self, reason: str = "finished") -> None:
        """The spider closes and the engine stops: files closed, the run recorded."""
        self._send(signals.spider_closed, spider=self.spider, reason=reason)
        self._send(signals.engine_stopped)


def archive_run(spidercls: type[Spider], out: Path, **settings: Any) -> ArchiveRun:
    return ArchiveRun(spidercls, out, **settings)
