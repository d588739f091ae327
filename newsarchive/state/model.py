"""What the state database remembers, and the hashes and identities it keys them by.

No Scrapy, no SQLite: plain values shared by :mod:`newsarchive.state.db`, the pipelines,
re-extraction and the recheck policy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from newsarchive.discovery.urls import normalize_url
from newsarchive.warc.writer import RecordLocation

__all__ = [
    "ARTICLE_FIELDS",
    "CAPTURE_FIELDS",
    "Capture",
    "RecordSeen",
    "article_hash",
    "article_identity",
    "next_version",
    "record_content_hash",
]

#: Record fields left out of the content hash: they change with every capture.
CAPTURE_FIELDS = ("fetched_at", "warc", "version", "previous")
#: What an article says: a change of one of these is a new version of the article.
ARTICLE_FIELDS = ("title", "body", "published", "dateline")


def record_content_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 of a record's content: every field but the capture's (``fetched_at``,
    ``warc``) and the version's (``version``, ``previous``)."""
    content = {k: v for k, v in record.items() if k not in CAPTURE_FIELDS}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 of what the article says (:data:`ARTICLE_FIELDS`): the same for two captures
    whose pages differ only in their boilerplate (a rate table, a headline rail)."""
    content = [record.get(name) for name in ARTICLE_FIELDS]
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_identity(record: Mapping[str, Any]) -> str:
    """Which article a record is of: its ``canonical_url`` when the page names one on its
    own site (scheme and host), else its ``url``; without fragment, tracking parameters or
    session ids. The same story reached under two URLs is one article."""
    url = str(record.get("url") or "")
    canonical = record.get("canonical_url")
    if isinstance(canonical, str) and canonical:
        here, there = urlsplit(url), urlsplit(canonical)
        if (here.scheme, here.netloc.lower()) == (there.scheme, there.netloc.lower()):
            url = canonical
    return normalize_url(url)


@dataclass(frozen=True)
class Capture:
    """One archived fetch: a ``response`` or ``revisit`` record and where it lies."""

    record_id: str
    record_type: str
    uri: str
    status: int | None
    date: str
    file: str
    offset: int
    length: int
    payload_digest: str | None = None
    refers_to: str | None = None
    truncated: bool = False
    site: str | None = None
    run_id: str | None = None
    etag: str | None = None
    """The response's ``ETag`` (for the next conditional request)."""
    last_modified: str | None = None
    """The response's ``Last-Modified``."""
    redirect_to: str | None = None
    """A redirect's target (absolute), for a 3xx."""

    @property
    def location(self) -> dict[str, Any]:
        """``{file, offset, length, record_id}`` (the record's ``warc`` field)."""
        return RecordLocation(self.file, self.offset, self.length, self.record_id).as_dict()


@dataclass(frozen=True)
class RecordSeen:
    """An article record stored in a JSONL file."""

    url: str
    content_hash: str
    source_record_id: str | None
    site: str | None
    file: str
    offset: int
    metadata_record_id: str | None = None
    identity: str | None = None
    """:func:`article_identity` of the record."""
    article_hash: str | None = None
    """:func:`article_hash` of the record."""
    version: int = 1
    warc: dict[str, Any] | None = None
    """The record's ``warc`` pointer (a later version's ``previous``)."""

    @classmethod
    def of(cls, record: Mapping[str, Any], file: str, offset: int) -> RecordSeen:
        """What the database keeps of ``record``, stored in ``file`` at ``offset``."""
        given = record.get("warc")
        warc: dict[str, Any] | None = dict(given) if isinstance(given, Mapping) else None
        version = record.get("version")
        return cls(
            url=str(record["url"]),
            content_hash=record_content_hash(record),
            source_record_id=warc.get("record_id") if warc else None,
            site=record.get("site"),
            file=file,
            offset=offset,
            identity=article_identity(record),
            article_hash=article_hash(record),
            version=version if isinstance(version, int) and version >= 1 else 1,
            warc=warc,
        )


def next_version(
    record: Mapping[str, Any], latest: RecordSeen | None
) -> tuple[int, dict[str, Any] | None] | None:
    """``(version, previous)`` for ``record`` given the article's latest stored record;
    None when ``record`` says what that one says (its boilerplate may differ: that is no
    new version). The crawl's pipeline and ``newsarchive extract`` both decide with this."""
    if latest is None:
        return 1, None
    if latest.article_hash == article_hash(record):
        return None
    return latest.version + 1, latest.warc
