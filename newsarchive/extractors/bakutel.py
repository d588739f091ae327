"""BakuTel-style article pages (bakutel.az): see ``shared/layouts/README.md``.

- title: ``h1.news-title``; published: ``div.news-date`` (``dd.mm.yyyy HH:MM``, Asia/Baku);
- lang: the URL's ``/{lang}/`` prefix; section: ``div.path``;
- body: the paragraphs of ``div.news-text`` (``p``, or ``br``-separated lines on old
  articles);
- headlines: the links of every ``ul.top-news``; rates: every ``table.currency``, one
  ``{currency, date, rate}`` per cell; copyright: ``div#footer``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from newsarchive.dates import BAKU, parse_text_date
from newsarchive.extractors.common import (
    absolute_url,
    block_paragraphs,
    empty_record,
    has_class,
    inline_text,
    normalize_lang,
    page_metadata,
    parse_html,
    reference_time,
    split_dateline,
    unique_links,
    url_path,
)
from newsarchive.text import clean_or_none

__all__ = ["extract_bakutel", "parse_rate", "parse_rate_date"]

LAYOUT = "bakutel"

_TITLE = etree.XPath(f"(//h1[{has_class('news-title')}])[1]")
_ANY_H1 = etree.XPath("(//h1)[1]")
_DATE = etree.XPath(f"(//div[{has_class('news-date')}])[1]")
_PATH = etree.XPath(f"(//div[{has_class('path')}])[1]")
_TEXT = etree.XPath(f"//div[{has_class('news-text')}]")
_HEADLINE_LINKS = etree.XPath(f"//ul[{has_class('top-news')}]//a[@href]")
_CURRENCY_TABLES = etree.XPath(f"//table[{has_class('currency')}]")
_ROWS = etree.XPath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")
_CELLS = etree.XPath("./td | ./th")
_FOOTER = etree.XPath("(//*[@id='footer'])[1]")
_HTML_LANG = etree.XPath("/html/@lang")

_LANG_IN_PATH = re.compile(r"/([a-z]{2})(?:/|$)")
_LANG_BEFORE_NEWS = re.compile(r"/([a-z]{2})/news(?:/|$)")
_RATE_DATE = re.compile(r"(?<!\d)([0-3]?\d)[/.]([01]?\d)[/.](\d{4})(?!\d)")
_RATE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_NAV_PATH = re.compile(r"/(?:news(?:/top)?|sitemap)/?$")


def extract_bakutel(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    captured_at: datetime | None = None,
) -> dict[str, Any]:
    """The record fields of a BakuTel-style article page.

    ``encoding`` is the HTTP header's charset when known (the Russian edition is
    windows-1251; without it the page's ``<meta http-equiv>`` is used).
    """
    record = empty_record(LAYOUT, url)
    root = parse_html(body, encoding)
    if root is None:
        return record
    record["lang"] = lang_from_url(url) or _html_lang(root)
    title = _TITLE(root) or _ANY_H1(root)
    record["title"] = clean_or_none(inline_text(title[0])) if title else None
    date_el = _DATE(root)
    raw = clean_or_none(inline_text(date_el[0])) if date_el else None
    parsed = parse_text_date(raw, tz=BAKU, reference=reference_time(captured_at))
    record["published"] = parsed.isoformat() if parsed else None
    record["published_raw"] = raw
    path = _PATH(root)
    record["section"] = clean_or_none(inline_text(path[0])) if path else None
    paragraphs: list[str] = []
    for container in _TEXT(root):
        paragraphs.extend(block_paragraphs(container))
    record["dateline"], paragraphs = split_dateline(paragraphs)
    record["body"] = "\n\n".join(paragraphs)
    record.update(page_metadata(root, url, record["published"], reference_time(captured_at)))
    boilerplate = record["boilerplate"]
    boilerplate["headlines"] = unique_links(_headline_links(root, url))
    boilerplate["rates"] = [rate for table in _CURRENCY_TABLES(root) for rate in _rates(table)]
    footer = _FOOTER(root)
    boilerplate["copyright"] = clean_or_none(inline_text(footer[0])) if footer else None
    return record


def lang_from_url(url: str) -> str | None:
    """The edition from the path: the two letters before ``/news/``, else the first
    two-letter folder (``/ru/news/7705.html`` -> ``ru``)."""
    path = urlsplit(url).path.lower()
    before_news = _LANG_BEFORE_NEWS.search(path)
    if before_news:
        return before_news.group(1)
    m = _LANG_IN_PATH.search(path)
    return m.group(1) if m else None


def _html_lang(root: Any) -> str | None:
    values = _HTML_LANG(root)
    return normalize_lang(values[0]) if values else None


def _headline_links(root: Any, base: str) -> Iterator[tuple[str | None, str]]:
    for link in _HEADLINE_LINKS(root):
        url = absolute_url(base, link.get("href"))
        if url is None or _NAV_PATH.search(url_path(url)):
            continue
        yield url, inline_text(link)


def parse_rate_date(text: str | None) -> str | None:
    """``dd/mm/yyyy`` (or ``dd.mm.yyyy``) as ``YYYY-MM-DD``, or ``None``."""
    if not text:
        return None
    m = _RATE_DATE.search(text)
    if m is None:
        return None
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        return None


def parse_rate(text: str | None) -> float | None:
    """A rate cell's number (``1.8968``, ``1,8968``, `` 1.7&nbsp;``), or ``None`` when the
    cell is empty or not a number."""
    if not text:
        return None
    value = "".join(text.split())
    if not _RATE.fullmatch(value):
        return None
    return float(value.replace(",", "."))


def _rates(table: Any) -> Iterator[dict[str, Any]]:
    """One ``{currency, date, rate}`` per rate cell, row by row. The first row holding
    dates gives each column its date; each later row is a currency code (``td.cur``, else
    the first cell) and one rate per date."""
    rows = _ROWS(table)
    header: list[str | None] | None = None
    for row in rows:
        cells = _CELLS(row)
        if header is None:
            dates = [parse_rate_date(inline_text(c)) for c in cells]
            if any(dates):
                header = dates
            continue
        cur_index = next(
            (i for i, c in enumerate(cells) if "cur" in (c.get("class") or "").split()), 0
        )
        if cur_index >= len(cells):
            continue
        currency = inline_text(cells[cur_index])
        if not currency:
            continue
        values = cells[cur_index + 1 :]
        if len(cells) == len(header):  # the columns line up
            pairs = zip(header[cur_index + 1 :], values, strict=False)
        else:  # dates in order, rates in order
            pairs = zip([d for d in header if d], values, strict=False)
        for day, cell in pairs:
            rate = parse_rate(inline_text(cell))
            if day is not None and rate is not None:
                yield {"currency": currency, "date": day, "rate": rate}
