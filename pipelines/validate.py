"""Validation: every record against the contract; an invalid record is dropped with why."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from newsarchive.schema import validate_record


class ValidatePipeline:
    """Check each record with :func:`newsarchive.schema.validate_record`.

    Every problem counts under ``newsarchive/validation/errors/{field}`` in the crawl stats
    (``{field}`` without list indexes, e.g. ``boilerplate.rates.rate``); a record with any
    problem is dropped with the reasons, counted in ``newsarchive/validation/dropped``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record = ItemAdapter(item)  # a read-only view: no deep copy of the boilerplate
        problems = validate_record(record)
        if not problems:
            self.stats.inc_value("newsarchive/validation/valid")
            return item
        for problem in problems:
            self.stats.inc_value(f"newsarchive/validation/errors/{_field_key(problem.field)}")
        self.stats.inc_value("newsarchive/validation/dropped")
        reasons = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise DropItem(f"invalid record {record.get('url')!r}: {reasons}")


def _field_key(field: str) -> str:
    """``boilerplate.rates[2].rate`` -> ``boilerplate.rates.rate`` (stable stat names)."""
    out = []
    depth = 0
    for ch in field:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)
