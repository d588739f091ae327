"""Normalisation: Unicode NFC and collapsed whitespace in every text field."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from newsarchive.text import clean_text, normalize_body
from scrapy.crawler import Crawler

LINE_FIELDS = ("title", "dateline", "section", "published_raw", "lang", "url")


class NormalizePipeline:
    """Bring every text field to NFC with single spaces; paragraphs stay ``\\n\\n``-joined.

    Counts the fields it had to change under ``newsarchive/normalize/changed/{field}``: a
    rising count means an extractor emits untidy text.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalizePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name in LINE_FIELDS:
            value = adapter.get(name)
            if isinstance(value, str):
                self._set(adapter, name, value, clean_text(value))
        body = adapter.get("body")
        if isinstance(body, str):
            self._set(adapter, "body", body, normalize_body(body))
        boilerplate = adapter.get("boilerplate")
        if isinstance(boilerplate, dict):
            for headline in boilerplate.get("headlines") or []:
                for key in ("title", "url"):
                    if isinstance(headline.get(key), str):
                        headline[key] = clean_text(headline[key])
            for rate in boilerplate.get("rates") or []:
                if isinstance(rate.get("currency"), str):
                    rate["currency"] = clean_text(rate["currency"])
            if isinstance(boilerplate.get("copyright"), str):
                boilerplate["copyright"] = clean_text(boilerplate["copyright"])
        return item

    def _set(self, adapter: ItemAdapter, name: str, old: str, new: str) -> None:
        if new != old:
            adapter[name] = new
            self.stats.inc_value(f"newsarchive/normalize/changed/{name}")
