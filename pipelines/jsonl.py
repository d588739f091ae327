"""Storage: each record as one complete JSON line in ``DIR/jsonl/{SITE}-{RUN_ID}.jsonl``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from newsarchive.crawling.limits import RunLimits, is_storage_error
from newsarchive.items import RECORD_ORDER
from newsarchive.jsonl import JsonlWriter
from newsarchive.runinfo import run_id
from newsarchive.signals import record_stored
from newsarchive.state.db import ArchiveState, RecordSeen, record_content_hash
from newsarchive.state.owner import ArchiveFolder


class JsonlStoragePipeline:
    """Write each record as soon as it is ready: one line, flushed.

    The file is created with the run's first record (a run that stores none, such as a
    recrawl of an unchanged site, leaves no empty file: readers such as pyarrow refuse
    empty JSON files) and closed in ``close_spider``; its path is put in the stats as
    ``newsarchive/jsonl/file`` when it is created, the count as
    ``newsarchive/jsonl/records``. A record that cannot be written (the file cannot be
    created, the disk is full) is dropped with the reason and counted in
    ``newsarchive/jsonl/errors``, an error of the run, and the run stops
    (:class:`newsarchive.crawling.limits.RunLimits`).
    After the line is written, the record is noted in the folder's state database (for
    cross-run dedup) and :data:`newsarchive.signals.record_stored` is sent (the WARC
    extension writes it into the archive).
    """

    def __init__(self, crawler: Crawler, state: ArchiveState | None = None) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSARCHIVE_JSONL_ENABLED", True):
            raise NotConfigured("NEWSARCHIVE_JSONL_ENABLED is off")
        self.crawler = crawler
        self.out = Path(settings.get("NEWSARCHIVE_OUT", "archives"))
        self.state = state
        self.writer: JsonlWriter | None = None
        self.path: Path | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonlStoragePipeline:
        if not crawler.settings.getbool("NEWSARCHIVE_JSONL_ENABLED", True):
            raise NotConfigured("NEWSARCHIVE_JSONL_ENABLED is off")
        folder = crawler.get_extension(ArchiveFolder)
        return cls(crawler, folder.state if folder is not None else None)

    def open_spider(self, spider: Spider | None = None) -> None:
        name = self.crawler.spider.name if self.crawler.spider else "spider"
        self.path = self.out / "jsonl" / f"{name}-{run_id(self.crawler.settings)}.jsonl"

    def _open_writer(self) -> JsonlWriter:
        assert self.path is not None, "open_spider was not called"
        self.writer = JsonlWriter(self.path)
        self.crawler.stats.set_value("newsarchive/jsonl/file", str(self.path))
        return self.writer

    def _remember(
        self, record: dict[str, Any], content_hash: str, writer: JsonlWriter, offset: int
    ) -> None:
        assert self.state is not None
        with self.state.transaction(batch=True):
            self.state.add_record(RecordSeen.of(record, writer.path.name, offset))
            self.state.set_file(writer.path.name, "jsonl", writer.size)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.writer is not None:
            self.writer.close()

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        record = {name: adapter.get(name) for name in RECORD_ORDER}  # shallow, in order
        limits = self.crawler.get_extension(RunLimits)
        if limits is not None and not limits.writable:
            raise DropItem(
                "not written: the output folder cannot be written (see above)", log_level="INFO"
            )
        try:
            writer = self.writer or self._open_writer()
            offset = writer.size
            line = writer.write(record)
        except OSError as exc:  # a full disk, a folder gone: counted, the run stops
            self.crawler.stats.inc_value("newsarchive/jsonl/errors")
            if limits is not None:
                limits.storage_failed(exc, str(self.path))
            raise DropItem(f"could not write the record to {self.path}: {exc}") from exc
        self.crawler.stats.inc_value("newsarchive/jsonl/records")
        content_hash = record_content_hash(record)
        if self.state is not None:
            try:
                self._remember(record, content_hash, writer, offset)
            except Exception as exc:  # the database is a cache: the line is what counts
                if limits is None or not is_storage_error(exc):
                    raise
                limits.storage_failed(exc, str(self.state.path))
        self.crawler.signals.send_catch_log(
            signal=record_stored,
            record=record,
            content_hash=content_hash,
            line=line,
            spider=self.crawler.spider,
        )
        return item
