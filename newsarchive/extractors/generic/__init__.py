"""Generic extraction for news pages that have no layout profile.

``extract_generic(html, url)`` returns the record fields of CONTRACT.md that the page
decides (``site`` is set by the caller): title, publication date, body (article text only),
dateline, language, section, the page's boilerplate as structured data (headline lists,
currency-rate tables, the copyright line) and its metadata (authors, modification date,
description, lead image, tags, canonical URL). lxml only; one parse per page.
"""

from __future__ import annotations

from .extract import extract_generic

__all__ = ["extract_generic"]
