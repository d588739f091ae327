"""What the layout extractors share: decoding, parsing, text of elements, links, datelines."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from newsarchive.dates import date_spans
from newsarchive.text import clean_text

__all__ = [
    "absolute_url",
    "block_paragraphs",
    "decode_html",
    "empty_record",
    "has_class",
    "inline_text",
    "is_dateline",
    "normalize_lang",
    "page_metadata",
    "parse_html",
    "reference_time",
    "sniff_encoding",
    "split_dateline",
    "unique_links",
    "url_path",
]

# --- decoding and parsing --------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG: these labels mean windows-1252 to a browser.
_LABEL_ALIASES = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252"}


def _codec(label: str | None) -> str | None:
    """The Python codec for a charset label, or ``None`` when unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _LABEL_ALIASES.get(name, name)


def sniff_encoding(body: bytes) -> str | None:
    """The charset a page declares in its first 4 KiB (``<meta charset>`` or
    ``<meta http-equiv="Content-Type" content="...; charset=...">``), if known."""
    m = _META_CHARSET.search(body, 0, 4096)
    return _codec(m.group(1).decode("ascii")) if m else None


def decode_html(body: bytes | str, encoding: str | None = None) -> str:
    """The page as text: a BOM wins, then ``encoding`` (the HTTP header's charset), then
    the page's own ``<meta>`` declaration, then UTF-8. Undecodable bytes become U+FFFD."""
    if isinstance(body, str):
        return body
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace")
    codec = _codec(encoding) or sniff_encoding(body) or "utf-8"
    return body.decode(codec, errors="replace")


def parse_html(body: bytes | str, encoding: str | None = None) -> lxml.html.HtmlElement | None:
    """The document's root ``html`` element, or ``None`` for an empty page."""
    text = _XML_DECL.sub("", decode_html(body, encoding), count=1)
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except etree.ParserError:
        return None


def has_class(name: str) -> str:
    """An XPath predicate: the element's ``class`` attribute holds the class ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# --- text of elements ------------------------------------------------------------------------

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody",
        "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip


def _classes(el: Any) -> set[str]:
    value = el.get("class")
    return set(value.split()) if value else set()


def _collect(el: Any, out: list[str], skip_classes: frozenset[str]) -> None:
    if el.text:
        out.append(el.text)
    for child in el:
        tag = child.tag
        if isinstance(tag, str):
            if tag in _SKIP_TAGS or (skip_classes and _classes(child) & skip_classes):
                pass
            elif tag == "br":
                out.append(" ")
            else:
                if tag in _BLOCK_TAGS:
                    out.append(" ")
                _collect(child, out, skip_classes)
                if tag in _BLOCK_TAGS:
                    out.append(" ")
        if child.tail:
            out.append(child.tail)


def inline_text(el: Any, skip_classes: Iterable[str] = ()) -> str:
    """The element's text as one line: NFC, whitespace collapsed, ``br`` and block
    boundaries as spaces; scripts, styles and descendants of ``skip_classes`` left out."""
    if el is None:
        return ""
    out: list[str] = []
    _collect(el, out, frozenset(skip_classes))
    return clean_text("".join(out))


def block_paragraphs(el: Any, skip_classes: Iterable[str] = ()) -> list[str]:
    """The paragraphs of a container: each ``p`` (a ``br`` inside it is a space), and each
    run of other text between ``br``s or block elements. Empty paragraphs are dropped."""
    skip = frozenset(skip_classes)
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = clean_text("".join(current))
        current.clear()
        if text:
            paragraphs.append(text)

    def walk(node: Any) -> None:
        if node.text:
            current.append(node.text)
        for child in node:
            tag = child.tag
            if isinstance(tag, str) and not (
                tag in _SKIP_TAGS or (skip and _classes(child) & skip)
            ):
                if tag == "br":
                    flush()
                elif tag == "p":
                    flush()
                    current.append(inline_text(child, skip))
                    flush()
                elif tag in _BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                else:
                    walk(child)
            if child.tail:
                current.append(child.tail)

    if el is not None:
        walk(el)
        flush()
    return paragraphs


# --- links, language, reference time ---------------------------------------------------------


_ABSOLUTE = re.compile(r"https?://[^\s/?#]+", re.I)
_PATH_OF = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//[^/?#]*([^?#]*)", re.I)


def absolute_url(base: str, href: str | None) -> str | None:
    """``href`` made absolute against ``base``; ``None`` for empty, fragment-only,
    ``javascript:``, ``mailto:`` and ``tel:`` links. The fragment is dropped."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    if _ABSOLUTE.match(href):  # the common case, without urljoin's cost
        url = href
    else:
        url = urljoin(base, href)
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            return None
    return url.split("#", 1)[0]


def url_path(url: str) -> str:
    """The path of an absolute URL (``/`` when it has none)."""
    m = _PATH_OF.match(url)
    return (m.group(1) if m else urlsplit(url).path) or "/"


_LANG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


def normalize_lang(value: str | None) -> str | None:
    """A BCP 47 tag in its usual case (``EN`` -> ``en``, ``en_us`` -> ``en-US``), or
    ``None`` for an empty or malformed value."""
    if not value:
        return None
    value = value.strip()
    if not _LANG.fullmatch(value):
        return None
    parts = value.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 2:
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)


def reference_time(captured_at: datetime | None) -> datetime | None:
    """The capture time as an aware datetime (a naive one is taken as UTC)."""
    if captured_at is None:
        return None
    return captured_at if captured_at.tzinfo else captured_at.replace(tzinfo=UTC)


def empty_record(layout: str, url: str) -> dict[str, Any]:
    """A record with every field the page decides, all unknown."""
    return {
        "url": url,
        "site": layout,
        "lang": None,
        "title": None,
        "published": None,
        "published_raw": None,
        "dateline": None,
        "section": None,
        "body": "",
        "boilerplate": {"headlines": [], "rates": [], "copyright": None},
        "authors": [],
        "modified": None,
        "modified_raw": None,
        "description": None,
        "image": None,
        "tags": [],
        "canonical_url": None,
    }


def page_metadata(
    root: Any, url: str, published: str | None, captured_at: datetime | None
) -> dict[str, Any]:
    """``authors, modified, modified_raw, description, image, tags, canonical_url`` from
    the page's metadata (JSON-LD, ``<meta>``, ``<link rel="canonical">``), as the generic
    extractor reads them; a layout has no byline to read."""
    from newsarchive.extractors.generic.metadata import find_metadata
    from newsarchive.extractors.generic.published import jsonld_objects

    return find_metadata(
        root,
        url,
        url,
        jsonld_objects(root),
        published=published,
        captured_at=captured_at,
        bylines=False,
    )


def unique_links(items: Iterable[tuple[str | None, str]]) -> list[dict[str, str]]:
    """``[{title, url}]`` from ``(url, title)`` pairs: one entry per URL in first-seen
    order, with the first non-empty title any of its occurrences gives; untitled links
    are dropped."""
    titles: dict[str, str] = {}
    for url, title in items:
        if url is None:
            continue
        if not titles.get(url):
            titles[url] = title
    return [{"title": t, "url": u} for u, t in titles.items() if t]


# --- datelines -------------------------------------------------------------------------------

DATELINE_MAX_CHARS = 120
DATELINE_MAX_WORDS = 14
# An agency marker closing the line: /Trend/, /корр. Trend/, (Trend), [AFP]
_BRACKET_TAIL = re.compile(r"[/(\[]\s*[^/()\[\]]{1,50}?\s*[/)\]]\s*$")
# Separators between the parts: "BAKU, Azerbaijan, May 15", "Bakı. Trend", "Baku - Trend"
_SEGMENT_SPLIT = re.compile(r"\s*(?:[,.;/|–—]|(?<!\S)-(?!\S))\s*")
_TRAILING_DASHES = " \t-–—"
# "Nur-Sultan, Kazakhstan - Trend": one name after a free-standing dash, at the end.
_DASH_TAIL = re.compile(r"\s[-–—]\s+[^\W\d_][\w.]*$")
_PLACE_WORD = re.compile(r"[^\W\d_][^\W\d_'’\-.]*(?:['’\-][^\W\d_]+)*", re.UNICODE)
_PARTICLES = frozenset(
    {
        "al", "am", "an", "aan", "da", "de", "del", "della", "der", "des", "di", "do",
        "dos", "du", "el", "la", "le", "na", "on", "of", "sur", "upon", "van", "von",
    }
)  # fmt: skip
_SENTENCE_END = frozenset("!?…")


def _place_like(segment: str) -> bool:
    """One to four words, each a capitalised name (``Bakı``, ``Nur-Sultan``, ``NEW``) or
    a particle (``Frankfurt am Main``)."""
    words = segment.split()
    if not 1 <= len(words) <= 4:
        return False
    for i, word in enumerate(words):
        if not _PLACE_WORD.fullmatch(word):
            return False
        if not word[0].isupper() and (i == 0 or word.lower() not in _PARTICLES):
            return False
    return True


def is_dateline(text: str | None) -> bool:
    """Whether a (short, first) paragraph is a dateline: place name(s), an optional date
    and an optional agency marker, with no sentence in it.

    The line (at most :data:`DATELINE_MAX_CHARS` characters and
    :data:`DATELINE_MAX_WORDS` words, not ending in ``!``/``?``/``…``) is read as: an
    optional trailing agency marker in slashes or brackets (``/корр. Trend/``,
    ``(Trend)``), an optional trailing colon (``Trend:``), dates anywhere (``May 15``,
    ``11 декабря``, ``02.05.2014``); what is left, split at ``,`` ``.`` ``;`` ``/`` and
    dashes, must be one or more parts, each one to four capitalised words (a place, a
    country, an agency name). And something must mark it as a dateline rather than a name:
    a date, a bracketed agency marker, or, with at least two parts, a closing colon
    (``Bakı. Trend:``) or an all-capitals first word (``BAKU, Azerbaijan``), or, with at
    least three, a dash before the last name (``Nur-Sultan, Kazakhstan - Trend``).
    """
    if not text:
        return False
    line = text.strip()
    if not line or len(line) > DATELINE_MAX_CHARS or line[-1] in _SENTENCE_END:
        return False
    if len(line.split()) > DATELINE_MAX_WORDS:
        return False
    marker = colon = False
    for _ in range(2):  # "... /Trend/:", "... (Trend) -", "Trend:"
        line = line.rstrip(_TRAILING_DASHES)
        if line.endswith(":"):
            line, colon = line[:-1].rstrip(), True
        m = _BRACKET_TAIL.search(line)
        if m is not None and m.start() > 0:
            line, marker = line[: m.start()].rstrip(), True
    dash_marker = _DASH_TAIL.search(line) is not None
    spans = date_spans(line)
    for start, end in reversed(spans):
        line = f"{line[:start]},{line[end:]}"
    segments = [s for s in _SEGMENT_SPLIT.split(line) if s]
    if not segments or len(segments) > 5 or not all(_place_like(s) for s in segments):
        return False
    if spans or marker:
        return True
    first = segments[0].split()[0]
    shouting = len(first) > 1 and first.isupper()
    return (len(segments) >= 2 and (colon or shouting)) or (dash_marker and len(segments) >= 3)


def split_dateline(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """``(dateline, body paragraphs)``: the first paragraph goes to the dateline when
    :func:`is_dateline` says it is one."""
    if paragraphs and is_dateline(paragraphs[0]):
        return paragraphs[0], paragraphs[1:]
    return None, paragraphs
