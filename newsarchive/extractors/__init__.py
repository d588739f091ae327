"""Extraction: article page bytes -> the record fields the page decides.

:func:`extract_any` (public as :func:`newsarchive.extract`) picks the extractor for a URL:
a known layout's when the URL is on one of its sites, else the generic extractor.

Pure functions on lxml: no network, no clock (a date without a year is resolved against
``captured_at``, never against today). Each returns exactly ``url, site, lang, title,
published, published_raw, dateline, section, body``, ``boilerplate{headlines, rates,
copyright}`` and ``authors, modified, modified_raw, description, image, tags,
canonical_url``; a field the page does not have is ``None`` (or an empty list / ``""``
body).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from newsarchive.extractors.bakutel import extract_bakutel
from newsarchive.extractors.generic import extract_generic
from newsarchive.extractors.trend import extract_trend

__all__ = [
    "LAYOUTS",
    "SITE_HOSTS",
    "extract_any",
    "extract_bakutel",
    "extract_generic",
    "extract_layout",
    "extract_trend",
    "layout_for_url",
]

Extractor = Callable[..., dict[str, Any]]

LAYOUTS: dict[str, Extractor] = {"trend": extract_trend, "bakutel": extract_bakutel}
"""Layout name -> extractor."""


def extract_layout(
    layout: str,
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    captured_at: datetime | None = None,
) -> dict[str, Any]:
    """The record fields of an article page of ``layout`` (``"trend"`` or ``"bakutel"``).

    ``body`` is the page as received (bytes) or already decoded; ``url`` the address it was
    fetched from; ``encoding`` the charset of the HTTP ``Content-Type`` header when known
    (else the page's ``<meta>`` declaration, else UTF-8); ``captured_at`` the aware capture
    time that resolves dates printed without a year. ``site`` is the layout name: a spider
    with another name sets its own.

    Raises :class:`ValueError` for an unknown layout.
    """
    try:
        extractor = LAYOUTS[layout]
    except KeyError:
        raise ValueError(
            f"unknown layout {layout!r}; known: {', '.join(sorted(LAYOUTS))}"
        ) from None
    return extractor(body, url, encoding=encoding, captured_at=captured_at)


SITE_HOSTS: dict[str, str] = {
    "trend.az": "trend",
    "bakutel.az": "bakutel",
}
"""Registered domain -> layout (its subdomains too: ``en.trend.az``, ``www.bakutel.az``)."""


def layout_for_url(url: str) -> str | None:
    """The known layout whose site ``url`` is on, or ``None`` for any other site."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for domain, layout in SITE_HOSTS.items():
        if host == domain or host.endswith("." + domain):
            return layout
    return None


def extract_any(
    html: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    captured_at: datetime | None = None,
) -> dict[str, Any]:
    """The record fields of any article page: a known layout's extractor for its sites,
    the generic extractor for every other page (``site`` is then ``"generic"``)."""
    layout = layout_for_url(url)
    if layout is not None:
        return extract_layout(layout, html, url, encoding=encoding, captured_at=captured_at)
    fields = extract_generic(html, url, captured_at=captured_at, encoding=encoding)
    return {"url": url, "site": "generic", **{k: v for k, v in fields.items() if k != "url"}}
