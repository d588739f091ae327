"""Record normalisation: Unicode NFC and collapsed whitespace in every text field.

Used by the crawl's ``NormalizePipeline`` and by re-extraction from WARC files
(:mod:`newsarchive.reextract`), so both give the same records.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from newsarchive.text import clean_text, normalize_body

__all__ = ["LINE_FIELDS", "LIST_FIELDS", "normalize_record"]

LINE_FIELDS: tuple[str, ...] = (
    "title",
    "dateline",
    "section",
    "published_raw",
    "lang",
    "url",
    "modified_raw",
    "description",
    "image",
    "canonical_url",
)
"""Top-level fields that hold one line of text."""

LIST_FIELDS: tuple[str, ...] = ("authors", "tags")
"""Top-level fields that hold a list of one-line texts."""


def normalize_record(record: MutableMapping[str, Any]) -> list[str]:
    """Normalise ``record`` in place; return the names of the top-level fields it changed.

    Line fields (:data:`LINE_FIELDS`) become NFC with whitespace collapsed, and so does
    each name of a list field (:data:`LIST_FIELDS`, empty and repeated names dropped);
    ``body`` keeps its paragraphs joined by exactly one blank line
    (:func:`newsarchive.text.normalize_body`);
    in ``boilerplate`` the headline titles and URLs, the rate currencies and the copyright
    line are cleaned like line fields (a change there is reported as ``"boilerplate"``).
    Values that are not strings are left alone.
    """
    changed: list[str] = []
    for name in LINE_FIELDS:
        value = record.get(name)
        if isinstance(value, str) and _replace(record, name, clean_text(value)):
            changed.append(name)
    body = record.get("body")
    if isinstance(body, str) and _replace(record, "body", normalize_body(body)):
        changed.append("body")
    for name in LIST_FIELDS:
        items = record.get(name)
        if isinstance(items, list) and _normalize_list(items):
            changed.append(name)
    boilerplate = record.get("boilerplate")
    if isinstance(boilerplate, dict) and _normalize_boilerplate(boilerplate):
        changed.append("boilerplate")
    return changed


def _normalize_boilerplate(boilerplate: dict[str, Any]) -> bool:
    """Clean the text inside ``boilerplate`` in place; True when anything changed."""
    changed = False
    for headline in boilerplate.get("headlines") or []:
        if isinstance(headline, dict):
            for key in ("title", "url"):
                changed |= _clean_key(headline, key)
    for rate in boilerplate.get("rates") or []:
        if isinstance(rate, dict):
            changed |= _clean_key(rate, "currency")
    changed |= _clean_key(boilerplate, "copyright")
    return changed


def _normalize_list(items: list[Any]) -> bool:
    """Clean the strings of a list in place, dropping those left empty and repeats
    (case-insensitive); True when anything changed."""
    cleaned: list[Any] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, str):
            item = clean_text(item)
            if not item or item.casefold() in seen:
                continue
            seen.add(item.casefold())
        cleaned.append(item)
    if cleaned == items:
        return False
    items[:] = cleaned
    return True


def _clean_key(mapping: dict[str, Any], key: str) -> bool:
    """:func:`clean_text` on ``mapping[key]`` when it is a string; True when it changed."""
    value = mapping.get(key)
    return isinstance(value, str) and _replace(mapping, key, clean_text(value))


def _replace(mapping: MutableMapping[str, Any], key: str, new: str) -> bool:
    """Set ``mapping[key] = new`` when it differs; True when it did."""
    if mapping[key] == new:
        return False
    mapping[key] = new
    return True
