"""Per-run dedup: one record per article in a run."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive.state.model import article_identity


class DedupPipeline:
    """Drop a second record of an article already recorded in this run.

    Scrapy's duplicate filter already avoids fetching a URL twice; this catches the same
    article reached under two URLs: two that redirect to one final URL, or pages that name
    one canonical URL, or a URL with a session id (the article is its
    :func:`~newsarchive.state.model.article_identity`). Counted in
    ``newsarchive/dedup/dropped``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record = ItemAdapter(item)
        identity = article_identity(record)
        if identity in self.seen:
            self.stats.inc_value("newsarchive/dedup/dropped")
            raise DropItem(f"duplicate article in this run: {record.get('url')}", log_level="INFO")
        self.seen.add(identity)
        return item
