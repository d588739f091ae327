"""Normalisation: Unicode NFC and collapsed whitespace in every text field."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from newsarchive.normalize import normalize_record


class NormalizePipeline:
    """Bring every text field to NFC with single spaces; paragraphs stay ``\\n\\n``-joined
    (:func:`newsarchive.normalize.normalize_record`).

    Counts the fields it had to change under ``newsarchive/normalize/changed/{field}``
    (``boilerplate`` for any change inside it): a rising count means an extractor emits
    untidy text.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        # ItemAdapter is a mutable mapping over the item: normalised in place, no copy
        for name in normalize_record(ItemAdapter(item)):
            self.stats.inc_value(f"newsarchive/normalize/changed/{name}")
        return item
