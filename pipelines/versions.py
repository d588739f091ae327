"""Article versions: a record is stored only when what the article says has changed.

For each record, the article's latest stored record is looked up in the folder's state
(any earlier run; the article is its :func:`~newsarchive.state.model.article_identity`:
the canonical URL on its own site, session ids and tracking parameters gone):

* none: the record is stored as ``version`` 1, ``previous`` null;
* the same title, body, publication date and dateline (a changed rate table or headline
  rail alone is no change): dropped, counted in ``newsarchive/dedup/unchanged``;
* something the article says changed: stored as the next ``version``, ``previous`` the
  ``warc`` pointer of the record it supersedes; counted in ``newsarchive/versions/new``.

A record extracted from a response that already gave a stored record (a resumed run
re-reading what a killed run archived and stored) is dropped too, so no version is
written twice. The first record of an article never changes.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from newsarchive.state.db import ArchiveState
from newsarchive.state.model import article_identity, next_version
from newsarchive.state.owner import ArchiveFolder


class ArticleVersionsPipeline:
    """Keep one record per version of an article (see the module)."""

    def __init__(self, crawler: Crawler, state: ArchiveState) -> None:
        self.stats = crawler.stats
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleVersionsPipeline:
        folder = crawler.get_extension(ArchiveFolder)
        if folder is None:
            raise NotConfigured("article versions need the ArchiveFolder extension")
        return cls(crawler, folder.state)

    def process_item(self, item: Any) -> Any:
        record = ItemAdapter(item)  # a view: no deep copy of the boilerplate
        url = record.get("url")
        warc = record.get("warc") or {}
        source = warc.get("record_id") if isinstance(warc, dict) else None
        if source and self.state.has_record_from(source):
            self.stats.inc_value("newsarchive/dedup/unchanged")
            raise DropItem(f"stored already from the same capture: {url}", log_level="DEBUG")
        latest = self.state.latest_version(article_identity(record), record.get("site"))
        decided = next_version(record, latest)
        if decided is None:
            self.stats.inc_value("newsarchive/dedup/unchanged")
            raise DropItem(f"unchanged since it was stored: {url}", log_level="DEBUG")
        record["version"], record["previous"] = decided
        if decided[0] > 1:
            self.stats.inc_value("newsarchive/versions/new")
        return item
