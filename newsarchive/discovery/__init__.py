"""Finding the articles of a site that has no layout profile.

Pure functions the generic spider (:mod:`newsarchive.layouts.generic`) is built from:

- :mod:`.urls`: what a URL looks like (article, listing, skip, unknown), sections, feeds;
- :mod:`.pages`: what a fetched page is (article, listing, other) when its URL does not say;
- :mod:`.links`: the links of a listing page, sorted into navigation, content, pagination
  and feeds;
- :mod:`.sources`: robots.txt ``Sitemap:`` lines, sitemaps (gzip too) and RSS/Atom feeds.
"""

from newsarchive.discovery.pages import PageKind, PageSignals, classify_page, page_signals
from newsarchive.discovery.urls import (
    UrlKind,
    UrlVerdict,
    classify_url,
    is_feed_url,
    looks_like_section,
    normalize_url,
    page_number,
)

__all__ = [
    "PageKind",
    "PageSignals",
    "UrlKind",
    "UrlVerdict",
    "classify_page",
    "classify_url",
    "is_feed_url",
    "looks_like_section",
    "normalize_url",
    "page_number",
    "page_signals",
]
