"""Per-run dedup: one record per article URL in a run."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem


class DedupPipeline:
    """Drop a second record for a URL already recorded in this run.

    Scrapy's duplicate filter already avoids fetching a URL twice; this catches the same
    article reached under two URLs that redirect to one final URL. Counted in
    ``newsarchive/dedup/dropped``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        url = ItemAdapter(item).get("url")
        if url in self.seen:
            self.stats.inc_value("newsarchive/dedup/dropped")
            raise DropItem(f"duplicate article in this run: {url}", log_level="INFO")
        self.seen.add(url)
        return item
