"""The page's language: declared (``<html lang>``, ``Content-Language``, ``og:locale``),
else guessed from very common words of the languages the archive follows."""

from __future__ import annotations

import re

_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2}|\d{3}|[a-zA-Z]{4}))?")
_WORD = re.compile(r"\w+")

#: Frequent short words that tell these languages apart.
_STOPWORDS = {
    "en": "the and of to in is that for was with on as are by this have from it be",
    "az": "və bu ilə da də üçün olan ki bir isə olub edib artıq həm ildə",
    "ru": "и в не на что с по это как из для к о а он было его",
    "tr": "ve bir bu ile için da de olarak olan çok daha ama gibi ki",
    "de": "der die und das ist nicht den mit von sich auf dem für ein eine auch",
    "fr": "le la les et des est une du que pour dans pas sur qui au avec",
    "es": "el la los las que del y en por una con para es se su al",
}
_WORDS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}


def normalise_lang(value: str | None) -> str | None:
    """BCP 47 form of a declared language (``en_US`` -> ``en-US``), or ``None``."""
    if not value:
        return None
    m = _TAG.match(value.strip())
    if m is None:
        return None
    lang = m.group(1).lower()
    if lang in ("xx", "und", "mul", "zxx"):
        return None
    region = m.group(2)
    if region:
        region = region.upper() if len(region) == 2 else region.title()
        return f"{lang}-{region}"
    return lang


def guess_lang(text: str, min_hits: int = 5) -> str | None:
    """The language whose common words occur most in ``text`` (first 3000 characters)."""
    words = _WORD.findall(text[:3000].lower())
    if not words:
        return None
    best, best_hits = None, 0
    for lang, vocab in _WORDS.items():
        hits = sum(1 for w in words if w in vocab)
        if hits > best_hits:
            best, best_hits = lang, hits
    if best_hits < min_hits or best_hits < 0.08 * len(words):
        return None
    return best
