"""Extraction: article page bytes -> the record fields the page decides.

Pure functions on lxml: no network, no clock (a date without a year is resolved against
``captured_at``, never against today). Each returns exactly ``url, site, lang, title,
published, published_raw, dateline, section, body`` and ``boilerplate{headlines, rates,
copyright}``; a field the page does not have is ``None`` (or an empty list / ``""`` body).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from newsarchive.extract.bakutel import extract_bakutel
from newsarchive.extract.trend import extract_trend

__all__ = ["LAYOUTS", "extract_bakutel", "extract_layout", "extract_trend"]

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
