"""Cross-run dedup: a record already stored in this output folder is not stored again."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from newsarchive.state.db import ArchiveState, record_content_hash
from newsarchive.state.owner import ArchiveFolder


class ArchiveDedupPipeline:
    """Drop a record whose URL and content are stored already, in any earlier run.

    The content is every field but ``fetched_at`` and ``warc``
    (:func:`newsarchive.state.db.record_content_hash`): a recrawl of an unchanged article
    adds no record, a changed text, title or date adds one. A record extracted from a
    response that already gave a stored record (a resumed run re-reading what a killed run
    archived and stored) is dropped too. Counted in ``newsarchive/dedup/unchanged``; not
    an error, logged at DEBUG.
    """

    def __init__(self, crawler: Crawler, state: ArchiveState) -> None:
        self.stats = crawler.stats
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveDedupPipeline:
        folder = crawler.get_extension(ArchiveFolder)
        if folder is None:
            raise NotConfigured("cross-run dedup needs the ArchiveFolder extension")
        return cls(crawler, folder.state)

    def process_item(self, item: Any) -> Any:
        record = ItemAdapter(item)  # a view: no deep copy of the boilerplate
        url = record.get("url")
        warc = record.get("warc") or {}
        source = warc.get("record_id") if isinstance(warc, dict) else None
        if self.state.has_record(url, record_content_hash(record)) or (
            source and self.state.has_record_from(source)
        ):
            self.stats.inc_value("newsarchive/dedup/unchanged")
            raise DropItem(f"unchanged since it was stored: {url}", log_level="DEBUG")
        return item
