"""Trend-style article pages (trend.az): see ``shared/layouts/README.md``.

- title: the first ``h1``;
- published: ``meta[property="article:published_time"]``, then
  ``meta[itemprop="datePublished"]``, then a JSON-LD ``NewsArticle``'s ``datePublished``,
  then the visible ``span.date-time`` (Asia/Baku unless it prints an offset);
- published_raw: the visible ``span.date-time`` text, else the machine value;
- lang: ``<html lang>``; section: the URL path's ``{section}/{sub}``;
- body: the ``p`` of ``div.article-content`` (``p.social-follow`` left out), the first
  one to ``dateline`` when it is one;
- headlines: every link of every ``ul.news-list``, once per URL, titled by its ``h4``;
- copyright: ``p.copyright``. No rates.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from newsarchive.dates import BAKU, ParsedDate, parse_iso, parse_text_date
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
from newsarchive.text import clean_or_none, clean_text

__all__ = ["extract_trend"]

LAYOUT = "trend"
EDITIONS = frozenset({"en", "az", "ru"})

_NOT_BODY = ("social-follow", "news-list", "bars-widget", "all-news")
_CONTENT = has_class("article-content")

_HTML_LANG = etree.XPath("/html/@lang")
_H1 = etree.XPath("(//h1)[1]")
_META_PUBLISHED = etree.XPath("//meta[@property='article:published_time']/@content")
_ITEMPROP_PUBLISHED = etree.XPath(
    "//*[@itemprop='datePublished']/@content | //*[@itemprop='datePublished']/@datetime"
)
_JSON_LD = etree.XPath("//script[contains(@type, 'ld+json')]/text()")
_VISIBLE_DATE = etree.XPath(
    f"(//*[{has_class('date-time')}][not(ancestor::ul[{has_class('news-list')}])])[1]"
)
_CONTENTS = etree.XPath(f"//div[{_CONTENT}][not(ancestor::div[{_CONTENT}])]")
_PARAGRAPHS = etree.XPath(
    "(.//p)[not(ancestor-or-self::*[" + " or ".join(has_class(c) for c in _NOT_BODY) + "])]"
)
_RAIL_LINKS = etree.XPath(f"//ul[{has_class('news-list')}]//a[@href]")
_H4 = etree.XPath("(.//h4)[1]")
_CAPTION = etree.XPath(f"(.//*[{has_class('photo-caption')}])[1]")
_COPYRIGHT = etree.XPath(f"(//p[{has_class('copyright')}])[1]")

_LINK_NOISE = ("date-time", "paid-article-icon", "photo-caption", "image")
_NAV_PATHS = ("/latest", "/latest/")


def extract_trend(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    captured_at: datetime | None = None,
) -> dict[str, Any]:
    """The record fields of a Trend-style article page.

    ``encoding`` is the HTTP header's charset when known; ``captured_at`` (aware; naive
    means UTC) resolves a visible date printed without a year.
    """
    record = empty_record(LAYOUT, url)
    root = parse_html(body, encoding)
    if root is None:
        return record
    record["lang"] = _lang(root, url)
    h1 = _H1(root)
    record["title"] = clean_or_none(inline_text(h1[0])) if h1 else None
    published, raw = _published(root, reference_time(captured_at))
    record["published"] = published.isoformat() if published else None
    record["published_raw"] = raw
    record["section"] = section_from_url(url)
    record["dateline"], paragraphs = split_dateline(_paragraphs(root))
    record["body"] = "\n\n".join(paragraphs)
    record["boilerplate"]["headlines"] = unique_links(_rail_links(root, url))
    record.update(page_metadata(root, url, record["published"], reference_time(captured_at)))
    copyright_ = _COPYRIGHT(root)
    record["boilerplate"]["copyright"] = (
        clean_or_none(inline_text(copyright_[0])) if copyright_ else None
    )
    return record


def _lang(root: Any, url: str) -> str | None:
    for value in _HTML_LANG(root):
        lang = normalize_lang(value)
        if lang:
            return lang
    label = (urlsplit(url).hostname or "").split(".", 1)[0].lower()
    return label if label in EDITIONS else None


def section_from_url(url: str) -> str | None:
    """``{section}/{sub}`` of an article URL ``/{section}/{sub}/{id}.html`` (the last two
    folders before the file, so a replica's path prefix does not count), or ``None``."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if parts and ("." in parts[-1] or parts[-1].isdigit()):
        parts.pop()
    return "/".join(parts[-2:]) or None


def _published(root: Any, reference: datetime | None) -> tuple[ParsedDate | None, str | None]:
    visible = _VISIBLE_DATE(root)
    visible_text = clean_or_none(inline_text(visible[0])) if visible else None
    first_machine: str | None = None
    for value in _machine_dates(root):
        value = clean_text(value)
        if not value:
            continue
        first_machine = first_machine or value
        parsed = parse_iso(value)
        if parsed is not None:
            return parsed.with_zone(BAKU), visible_text or value
    if visible_text:
        return parse_text_date(visible_text, tz=BAKU, reference=reference), visible_text
    return None, first_machine


def _machine_dates(root: Any) -> Iterator[str]:
    """The machine-readable publication dates, in order of trust."""
    yield from _META_PUBLISHED(root)
    yield from _ITEMPROP_PUBLISHED(root)
    for script in _JSON_LD(root):
        try:
            data = json.loads(script)
        except ValueError:
            continue
        yield from _json_ld_dates(data)


def _json_ld_dates(data: Any, depth: int = 0) -> Iterator[str]:
    """``datePublished`` of each ``*Article`` object in a JSON-LD document."""
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_dates(item, depth + 1)
    elif isinstance(data, dict):
        types = data.get("@type")
        types = types if isinstance(types, list) else [types]
        value = data.get("datePublished")
        if isinstance(value, str) and any(
            isinstance(t, str) and t.endswith("Article") for t in types
        ):
            yield value
        graph = data.get("@graph")
        if graph is not None:
            yield from _json_ld_dates(graph, depth + 1)


def _paragraphs(root: Any) -> list[str]:
    paragraphs: list[str] = []
    for content in _CONTENTS(root):
        found = [inline_text(p) for p in _PARAGRAPHS(content)]
        if not found:  # no p at all: text separated by br / blocks
            found = block_paragraphs(content, _NOT_BODY)
        paragraphs.extend(p for p in found if p)
    return paragraphs


def _rail_links(root: Any, base: str) -> Iterator[tuple[str | None, str]]:
    for link in _RAIL_LINKS(root):
        if "all-news" in (link.get("class") or "").split():
            continue
        url = absolute_url(base, link.get("href"))
        if url is None or url_path(url) in _NAV_PATHS:
            continue
        yield url, _link_title(link)


def _link_title(link: Any) -> str:
    """The ``h4``; else the link's own text; else the image caption."""
    h4 = _H4(link)
    if h4:
        title = inline_text(h4[0])
        if title:
            return title
    title = inline_text(link, _LINK_NOISE)
    if title:
        return title
    caption = _CAPTION(link)
    return inline_text(caption[0]) if caption else ""
