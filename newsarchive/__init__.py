"""newsarchive: archive news sites as WARC files and one JSON record per article.

``newsarchive.extract(html, url)`` gives the record fields of one article page without a
crawl; the ``newsarchive`` command crawls and archives (see ``docs/cli.md``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "extract"]


def extract(
    html: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    captured_at: datetime | None = None,
) -> dict[str, Any]:
    """The contract's record fields for one article page.

    ``html`` is the page (bytes as received, or text); ``url`` where it came from: a URL of
    a known layout (``*.trend.az``, ``bakutel.az``) uses that layout's extractor, any other
    page the generic one. ``encoding`` is the HTTP header's charset when known;
    ``captured_at`` (aware) resolves dates printed without a year or as "today" — without
    it such dates give ``published = None``, never a guess. Returns ``url, site, lang,
    title, published, published_raw, dateline, section, body``, ``boilerplate``
    (``headlines``, ``rates``, ``copyright``) and ``authors, modified, modified_raw,
    description, image, tags, canonical_url``; crawl-time fields (``fetched_at``, ``warc``,
    ``schema_version``) are not included.
    """
    from newsarchive.extractors import extract_any  # lazy: keep `import newsarchive` light

    return extract_any(html, url, encoding=encoding, captured_at=captured_at)
