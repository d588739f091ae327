"""Listing dates: the date a listing prints next to an article link, resolved honestly."""

from __future__ import annotations

from datetime import datetime

from newsarchive.dates import BAKU, parse_text_date


def listing_date(text: str | None, captured: datetime) -> tuple[str, str] | None:
    """``(published, published_raw)`` for a listing's date text, or ``None``.

    Listing dates often have no year (``15 November 10:31 (UTC+04)``) or only a time
    (``10:31 (UTC+04)``): they are resolved against the capture time of the listing page,
    never against today's clock.
    """
    if not text or not text.strip():
        return None
    raw = " ".join(text.split())
    parsed = parse_text_date(raw, tz=BAKU, reference=captured)
    if parsed is None:
        return None
    return parsed.isoformat(), raw
