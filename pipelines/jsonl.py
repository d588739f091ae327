"""Storage: each record as one complete JSON line in ``DIR/jsonl/{SITE}-{RUN_ID}.jsonl``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive.jsonl import JsonlWriter
from newsarchive.runinfo import run_id


class JsonlStoragePipeline:
    """Write each record as soon as it is ready: one line, flushed.

    The file is opened in ``open_spider`` and closed in ``close_spider``; its path is put in
    the stats as ``newsarchive/jsonl/file`` and the count as ``newsarchive/jsonl/records``.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("NEWSARCHIVE_JSONL_ENABLED", True):
            raise NotConfigured("NEWSARCHIVE_JSONL_ENABLED is off")
        self.crawler = crawler
        self.out = Path(settings.get("NEWSARCHIVE_OUT", "archives"))
        self.writer: JsonlWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonlStoragePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        name = self.crawler.spider.name if self.crawler.spider else "spider"
        path = self.out / "jsonl" / f"{name}-{run_id(self.crawler.settings)}.jsonl"
        self.writer = JsonlWriter(path)
        self.crawler.stats.set_value("newsarchive/jsonl/file", str(path))

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.writer is not None:
            self.writer.close()

    def process_item(self, item: Any) -> Any:
        assert self.writer is not None
        self.writer.write(ItemAdapter(item).asdict())
        self.crawler.stats.inc_value("newsarchive/jsonl/records")
        return item
