"""Log lines that say what happened without dumping whole articles into the log."""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


class NewsarchiveLogFormatter(LogFormatter):
    """Scrapy's formatter, but a dropped or scraped item is named by its URL only."""

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped %(url)s: %(exception)s"
        result["args"] = {"url": _url(item), "exception": exception}
        return result

    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> LogFormatterResult:
        return {
            "level": logging.DEBUG,
            "msg": "Scraped %(url)s",
            "args": {"url": _url(item)},
        }


def _url(item: Any) -> str:
    try:
        return str(ItemAdapter(item).get("url"))
    except TypeError:
        return repr(item)[:200]
