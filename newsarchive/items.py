"""The article item: one JSON Lines record per article (``CONTRACT.md``).

Fields are declared in the order they are written. A field the page does not have is
``None`` (or an empty list); a record never invents a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from newsarchive.schema import RECORD_FIELDS, SCHEMA_VERSION


@dataclass
class ArticleItem:
    """One archived article, as researchers read it from ``DIR/jsonl/*.jsonl``."""

    url: str
    """The article's final URL, after redirects. Absolute ``http(s)`` URL."""

    site: str
    """The name of the spider that archived it (``trend``, ``bakutel``, ``generic``)."""

    title: str
    """The headline exactly as printed on the page (NFC, whitespace collapsed)."""

    body: str
    """The article text only: paragraphs joined by one blank line (``\\n\\n``), whitespace
    inside a paragraph collapsed to single spaces; no dateline, service lines or widgets."""

    lang: str | None = None
    """The edition's language as a BCP 47 tag (``en``, ``az``, ``ru``), or ``None``."""

    published: str | None = None
    """Publication time, ISO 8601 with the UTC offset in force at that instant
    (``2014-05-02T14:12:00+05:00``); only the day (``2014-05-02``) when the page gives no
    time; ``None`` when the page gives no date. Never guessed."""

    published_raw: str | None = None
    """The date as the page prints it for readers (the visible text), or the machine value
    (meta / JSON-LD) when the page prints none. The raw value next to ``published``."""

    dateline: str | None = None
    """The opening place/date/agency line split off the body (``BAKU, Azerbaijan, May 15``)."""

    section: str | None = None
    """The site's section: Trend ``section/sub`` from the URL path, BakuTel the path text."""

    boilerplate: dict[str, Any] = field(
        default_factory=lambda: {"headlines": [], "rates": [], "copyright": None}
    )
    """The page's boilerplate as structured data: ``headlines`` (list of ``{title, url}``,
    every headline link once, URL absolute), ``rates`` (list of ``{currency, date, rate}``,
    one per currency-table cell, ``date`` as ``YYYY-MM-DD``, ``rate`` a number) and
    ``copyright`` (the copyright line, whitespace collapsed, or ``None``)."""

    authors: list[str] = field(default_factory=list)
    """The authors' names as the byline prints them, without "By" and without their roles
    (``["Jane Doe", "Max Muster"]``); empty when the page names none."""

    modified: str | None = None
    """When the page says it was last modified, in the format of ``published``; ``None``
    when it does not say. Never guessed."""

    modified_raw: str | None = None
    """The modification date as the page gives it (the machine value), next to
    ``modified``."""

    description: str | None = None
    """The page's own summary or lead (``og:description``, ``<meta name="description">``,
    JSON-LD ``description``), one line; ``None`` when it has none."""

    image: str | None = None
    """The article's lead image (``og:image``, JSON-LD ``image``...), an absolute
    ``http(s)`` URL, or ``None``."""

    tags: list[str] = field(default_factory=list)
    """The page's tags and keywords (``article:tag``, ``keywords``, JSON-LD ``keywords``,
    ``rel="tag"`` links), once each, in the page's order; empty when it has none."""

    canonical_url: str | None = None
    """The URL the page names as its canonical address (``<link rel="canonical">``, else
    ``og:url``), absolute ``http(s)``, or ``None``."""

    fetched_at: str | None = None
    """When the response was captured: its WARC-Date, UTC (``2026-11-22T16:40:12Z``)."""

    warc: dict[str, Any] | None = None
    """Where the response record this record was extracted from lies:
    ``{file, offset, length, record_id}`` (``file`` is the WARC file's name in ``DIR/warc/``,
    ``offset``/``length`` the byte range of its gzip member, ``record_id`` its WARC-Record-ID)."""

    version: int = 1
    """Which version of the article this record is: ``1`` for its first record, then 2, 3,
    ... each time what the article says (title, body, publication date, dateline) changed;
    a change of the page's boilerplate alone makes no new version."""

    previous: dict[str, Any] | None = None
    """The ``warc`` pointer of the record this version supersedes; ``None`` for version 1."""

    schema_version: int = SCHEMA_VERSION
    """The record format's version: ``2``. Changes only with a CHANGELOG entry."""


RECORD_ORDER = RECORD_FIELDS
"""The order in which a record's fields are written to JSON Lines."""


def item_from_fields(fields: dict[str, Any], **crawl_fields: Any) -> ArticleItem:
    """Build an :class:`ArticleItem` from extracted fields plus crawl-time fields.

    Keys that are not item fields (e.g. extra diagnostics) are ignored.
    """
    known = ArticleItem.__dataclass_fields__
    data = {k: v for k, v in {**fields, **crawl_fields}.items() if k in known}
    return ArticleItem(**data)
