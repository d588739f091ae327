"""Text normalisation shared by extraction and the pipelines.

Every text field of a record is Unicode NFC with whitespace collapsed; ``body`` is a list of
such paragraphs joined by one blank line (``"\\n\\n"``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

PARAGRAPH_SEPARATOR = "\n\n"
"""What joins the paragraphs of ``body``."""

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n\s*")
# Invisible characters that are never part of the printed text.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff]")


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C (composed: ``İ`` is one code point)."""
    return unicodedata.normalize("NFC", text)


def collapse_ws(text: str) -> str:
    """Every run of whitespace (``&nbsp;``, tabs and newlines too) as one space, ends
    stripped; zero-width spaces and BOMs removed."""
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    # str.split() splits at Unicode whitespace (NBSP, thin spaces, line separators too).
    return " ".join(text.split())


def clean_text(text: str | None) -> str:
    """One line of text as a record holds it: NFC, whitespace collapsed. ``None`` gives
    ``""``."""
    if not text:
        return ""
    return nfc(collapse_ws(text))


def clean_or_none(text: str | None) -> str | None:
    """:func:`clean_text`, but ``None`` when nothing is left (for nullable fields)."""
    cleaned = clean_text(text)
    return cleaned or None


def join_paragraphs(paragraphs: Iterable[str | None]) -> str:
    """Clean each paragraph, drop the empty ones and join them with one blank line."""
    return PARAGRAPH_SEPARATOR.join(p for p in map(clean_text, paragraphs) if p)


def split_paragraphs(body: str) -> list[str]:
    """The paragraphs of a body: split at blank lines, each cleaned, empty ones dropped."""
    return [p for p in map(clean_text, _BLANK_LINE.split(body)) if p]


def normalize_body(body: str | None) -> str:
    """A body in record form: paragraphs (separated by blank lines) cleaned and joined by
    exactly one blank line. Idempotent; a single-newline break stays inside its paragraph
    as a space."""
    if not body:
        return ""
    return PARAGRAPH_SEPARATOR.join(split_paragraphs(body))
