"""From an archived article response to its record: the steps the live crawl
(:meth:`newsarchive.layouts.base.NewsSpider.parse_article`) and re-extraction from WARC
files (:mod:`newsarchive.reextract`) share, so both give the same record.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from newsarchive.items import RECORD_ORDER, item_from_fields
from newsarchive.schema import parse_utc_timestamp

__all__ = ["apply_listing_date", "build_record", "capture_time", "content_type_charset"]

_CHARSET = re.compile(rb"charset\s*=\s*[\"']?([A-Za-z0-9._-]+)", re.I)


def content_type_charset(value: bytes | str | None) -> str | None:
    """The charset named in a ``Content-Type`` header value, if any."""
    if not value:
        return None
    raw = value.encode("latin-1", "replace") if isinstance(value, str) else value
    match = _CHARSET.search(raw)
    return match.group(1).decode("ascii") if match else None


def capture_time(fetched_at: str | None) -> datetime:
    """The capture time (a WARC-Date, UTC) as an aware datetime; now when there is none.

    Dates printed without a year are resolved against this, never against today's clock,
    so re-extracting an old capture gives the same record.
    """
    if not fetched_at:
        return datetime.now(UTC)
    parsed = parse_utc_timestamp(fetched_at)
    if parsed is not None:
        return parsed
    return datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))


def apply_listing_date(fields: dict[str, Any], listing: tuple[str, str] | None) -> bool:
    """Fill ``published``/``published_raw`` from the date a listing printed next to the
    article link, when the page itself gives none. True when it did."""
    if fields.get("published") is not None or not listing:
        return False
    fields["published"], fields["published_raw"] = listing
    return True


def build_record(
    site: str,
    fields: dict[str, Any],
    *,
    url: str,
    fetched_at: str | None,
    warc: dict[str, Any] | None,
) -> dict[str, Any]:
    """The article record (CONTRACT.md), fields in :data:`RECORD_ORDER`.

    ``fields`` are what the page decides (the layout extractor's output); ``url`` is the
    response's final URL (it wins over any URL the extractor found); ``fetched_at`` the
    response record's WARC-Date as written and ``warc`` where that record lies
    (``{file, offset, length, record_id}``). Keys that are not record fields are dropped;
    the record is not normalised or validated here.
    """
    item = item_from_fields({**fields, "url": url}, site=site, fetched_at=fetched_at, warc=warc)
    # shallow: the extractor's lists and dicts are fresh per page, no need to deep-copy them
    return {name: getattr(item, name) for name in RECORD_ORDER}
