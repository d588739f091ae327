"""Finding the publication date on a page that has no layout profile.

Where to look, in order of trust:

1. JSON-LD ``datePublished`` (article-like ``@type`` first, then any object), then
   ``dateCreated``;
2. ``<meta>`` publication keys (``article:published_time``, ``datePublished``,
   ``DC.date.issued``, ``parsely-pub-date``, ...), never the modification keys;
3. elements marked up as the publication date: ``itemprop="datePublished"``,
   ``<time pubdate>``, hAtom ``abbr.published``;
4. a full ``/YYYY/MM/DD/``-style date in the URL;
5. ``<time datetime>`` and the visible text of date-ish elements (``class``/``id`` naming a
   date, time, publication or byline) inside the page's header or article, parsed with
   ``newsarchive.dates`` (month names in several languages, relative and yearless dates
   against the capture time, day-first numerals when the page's language writes them so).

Machine values keep their UTC offset; a value with a time but no offset keeps only the day
(the offset would be a guess), and so does a value with no time. A date after the capture
(or now) or before 1990 is not trusted. Nothing found is ``None``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

from lxml import etree

from .parse import clean

try:  # the shared date parser (month names, relative and yearless dates)
    from newsarchive import dates as _dates
except ImportError:  # pragma: no cover - only while it is being written
    _dates = None

#: Publication keys of ``<meta name|property|itemprop>``, most trusted first.
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "published-date",
    "article.published",
    "article_date_original",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "parsely-pub-date",
    "sailthru.date",
    "cxenseparse:recs:publishtime",
    "cxenseparse:publishtime",
    "shareaholic:article_published_time",
    "pub_date",
    "pubdate",
    "originalpublicationdate",
    "citation_publication_date",
    "citation_date",
    "prism.publicationdate",
    "datecreated",
    "date",
    "dc.date",
    "dcterms.date",
    "og:pubdate",
    "uploaddate",
    "release_date",
    "displaydate",
    "dc.date.published",
)
_META_RANK = {k: i for i, k in enumerate(PUBLISHED_META)}
_ARTICLE_TYPES = frozenset(
    [
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "socialmediaposting",
        "liveblogposting",
        "techarticle",
        "scholarlyarticle",
        "report",
        "webpage",
        "medicalwebpage",
        "videoobject",
        "podcastepisode",
    ]
)

_META = etree.XPath("//meta[@content]")
_JSONLD = etree.XPath("//script[@type='application/ld+json']/text()")
_ITEMPROP = etree.XPath(
    "//*[@itemprop='datePublished' or @itemprop='dateCreated'][not(self::meta)]"
    "|//time[@pubdate]|//abbr[contains(concat(' ', @class, ' '), ' published ')]"
)
_TIMES = etree.XPath("//time[@datetime]")
_DATEISH = etree.XPath(
    "//*[self::div or self::span or self::p or self::time or self::small or self::li"
    " or self::em or self::strong or self::b or self::i or self::dd or self::font or self::td"
    " or self::header or self::section or self::h5 or self::h6 or self::h4 or self::a]"
    "[@class or @id][string-length(normalize-space(.)) < 80]"
)
_DATEISH_NAME = re.compile(
    r"date|time|publi|posted|byline|dateline|meta|datum|fecha|data|tarix|tarih|info|stamp|zeit",
    re.IGNORECASE,
)
_NOT_DATEISH = re.compile(r"update|modif|comment|expir|related|akt", re.IGNORECASE)

_ISO = re.compile(
    r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ]\s*(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?\s*"
    r"(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ISO_SLASH = re.compile(r"(?<!\d)(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?!\d)")
_URL_DATE = re.compile(
    r"(?<![\d])(20\d{2}|19\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?![\d])"
)
_URL_DATE_SEP = re.compile(
    r"/(20\d{2}|19\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])(?:/|$|[_-])"
)
_URL_DATE_DMY = re.compile(r"(?<![\d])(0[1-9]|[12]\d|3[01])-?(0[1-9]|1[0-2])-?(20\d{2})(?![\d])")
_DIGIT = re.compile(r"\d")
_FIRST_YEAR = 1990


class Found:
    """A publication date found on the page: ISO value, raw text and where it came from."""

    __slots__ = ("iso", "raw", "source")

    def __init__(self, iso: str, raw: str, source: str) -> None:
        self.iso = iso
        self.raw = raw
        self.source = source

    def __repr__(self) -> str:
        return f"Found({self.iso!r}, {self.raw!r}, {self.source!r})"


def _fmt_offset(tz: str | None) -> str | None:
    if tz is None:
        return None
    if tz in ("Z", "UTC", "GMT"):
        return "+00:00"
    sign, digits = tz[0], tz[1:].replace(":", "")
    if len(digits) == 2:
        digits += "00"
    hh, mm = int(digits[:2]), int(digits[2:4])
    if hh > 14 or mm > 59:
        return None
    return f"{sign}{hh:02d}:{mm:02d}"


def _valid_day(y: int, m: int, d: int, limit: date) -> date | None:
    try:
        day = date(y, m, d)
    except ValueError:
        return None
    if day.year < _FIRST_YEAR or day > limit:
        return None
    return day


def parse_machine(value: str, limit: date) -> str | None:
    """Parse a machine-readable date value (ISO 8601, RFC 2822, ``YYYY/MM/DD``).

    Returns ``YYYY-MM-DDThh:mm:ss±hh:mm`` when the value has a time and an offset, else
    ``YYYY-MM-DD``; ``None`` when the value is not a plausible date.
    """
    value = value.strip()
    if not value or not _DIGIT.search(value):
        return None
    m = _ISO.search(value)
    if m and (m.start() == 0 or not value[: m.start()].strip(" \t,;:").isalnum()):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        day = _valid_day(y, mo, d, limit)
        if day is None:
            return None
        if m[4] is not None:
            hh, mi, ss = int(m[4]), int(m[5]), int(m[6] or 0)
            offset = _fmt_offset(m[7])
            if offset is not None and hh < 24 and mi < 60 and ss < 61:
                return f"{day.isoformat()}T{hh:02d}:{mi:02d}:{min(ss, 59):02d}{offset}"
        return day.isoformat()
    if value[:3].isalpha() and "," in value[:5]:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            dt = None
        if dt is not None and _valid_day(dt.year, dt.month, dt.day, limit):
            if dt.tzinfo is None:
                return dt.date().isoformat()
            return dt.isoformat(timespec="seconds")
    m = _ISO_SLASH.search(value)
    if m:
        day = _valid_day(int(m[1]), int(m[2]), int(m[3]), limit)
        if day:
            return day.isoformat()
    if value.isdigit() and len(value) in (10, 13):  # a Unix timestamp
        try:
            dt = datetime.fromtimestamp(int(value[:10]), UTC)
        except (OverflowError, OSError, ValueError):
            return None
        if _valid_day(dt.year, dt.month, dt.day, limit):
            return dt.isoformat(timespec="seconds")
    return None


#: Words that mark a printed date as a modification, not the publication.
_MODIFIED = re.compile(
    r"\b(?:modified|updated|edited|revised|aktualisiert|geändert|actualizad[oa]|modifié|"
    r"mis à jour|обновлено|изменено|güncellendi|yeniləndi)\b",
    re.IGNORECASE,
)


def parse_visible(
    text: str, limit: date, reference: datetime | None, day_first: bool, tz: str | None
) -> str | None:
    """Parse a date as printed for readers, with ``newsarchive.dates``."""
    text = clean(text)
    modified = _MODIFIED.search(text)
    if modified:  # "Published 2 May 2014, updated 3 May": keep what precedes the update
        text = text[: modified.start()].rstrip(" ,;|(-–—:")
    if not text or len(text) > 120 or not _DIGIT.search(text):
        return None
    iso = parse_machine(text, limit) if _ISO.match(text) else None
    if iso:
        return iso
    if _dates is None:
        return None
    try:
        parsed = _dates.parse_text_date(text, tz=tz, reference=reference, day_first=day_first)
    except (ValueError, TypeError, OverflowError):
        return None
    if parsed is None:
        return None
    day = parsed.day
    if day.year < _FIRST_YEAR or day > limit:
        return None
    if parsed.has_time and not parsed.has_offset:
        return day.isoformat()  # a wall time in an unknown zone: keep the day only
    return parsed.isoformat()


def _walk_jsonld(node: object, depth: int = 0) -> Iterable[dict]:
    if depth > 6:
        return
    if isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement"):
            if key in node:
                yield from _walk_jsonld(node[key], depth + 1)
    elif isinstance(node, list):
        for item in node[:50]:
            yield from _walk_jsonld(item, depth + 1)


def jsonld_objects(root: etree._Element) -> list[dict]:
    """Every JSON-LD object of the page (``@graph`` flattened); broken blocks are skipped."""
    out: list[dict] = []
    for text in _JSONLD(root):
        text = text.strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            try:
                data = json.loads(text.replace("\n", " ").replace("\t", " ").rstrip(";"))
            except ValueError:
                continue
        out.extend(_walk_jsonld(data))
    return out


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower()}
    if isinstance(t, list):
        return {x.lower() for x in t if isinstance(x, str)}
    return set()


def from_jsonld(objects: list[dict], limit: date) -> Found | None:
    """``datePublished`` of the article-like object, else of any object, else ``dateCreated``."""
    best: tuple[int, str, str] | None = None
    for obj in objects:
        rank_type = 0 if _types(obj) & _ARTICLE_TYPES else 1
        for rank_key, key in enumerate(("datePublished", "dateCreated")):
            value = obj.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            if not isinstance(value, str):
                continue
            iso = parse_machine(value, limit)
            if iso is None:
                continue
            rank = rank_key * 2 + rank_type
            if best is None or rank < best[0]:
                best = (rank, iso, value)
    if best is None:
        return None
    return Found(best[1], best[2], "jsonld")


def from_meta(root: etree._Element, limit: date) -> Found | None:
    """The most trusted publication ``<meta>`` that parses."""
    best: tuple[int, str, str] | None = None
    for el in _META(root):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        if not key:
            continue
        rank = _META_RANK.get(key.strip().lower())
        if rank is None or (best is not None and rank >= best[0]):
            continue
        value = el.get("content", "")
        iso = parse_machine(value, limit)
        if iso is not None:
            best = (rank, iso, value.strip())
    if best is None:
        return None
    return Found(best[1], best[2], "meta")


def from_markup(root: etree._Element, limit: date, **text_args) -> Found | None:
    """Elements marked up as the publication date (itemprop, ``time[pubdate]``, hAtom)."""
    for el in _ITEMPROP(root):
        for attr in ("datetime", "content", "title"):
            value = el.get(attr)
            if value:
                iso = parse_machine(value, limit)
                if iso:
                    return Found(iso, clean(el.xpath("string()")) or value.strip(), "markup")
        text = el.xpath("string()")
        iso = parse_visible(text, limit, **text_args)
        if iso:
            return Found(iso, clean(text), "markup")
    return None


def from_url(url: str, limit: date) -> Found | None:
    """A full date in the URL's path (``/2019/12/12/``, ``20191212``, ``2019-12-12``)."""
    if not url:
        return None
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    for pattern in (_URL_DATE_SEP, _URL_DATE):
        m = pattern.search(path)
        if m:
            day = _valid_day(int(m[1]), int(m[2]), int(m[3]), limit)
            if day:
                return Found(day.isoformat(), m[0].strip("/_-"), "url")
    m = _URL_DATE_DMY.search(path)
    if m:
        day = _valid_day(int(m[3]), int(m[2]), int(m[1]), limit)
        if day:
            return Found(day.isoformat(), m[0], "url")
    return None


def from_time_elements(root: etree._Element, limit: date) -> Found | None:
    """The first ``<time datetime>`` of the page (outside lists of other articles)."""
    for el in _TIMES(root):
        if _in_list(el):
            continue
        iso = parse_machine(el.get("datetime", ""), limit)
        if iso:
            return Found(iso, clean(el.xpath("string()")) or el.get("datetime", ""), "time")
    return None


def _in_list(el: etree._Element) -> bool:
    for anc in el.iterancestors():
        tag = anc.tag
        if tag in ("li", "aside", "nav", "footer"):
            return True
        if tag in ("article", "main", "body"):
            return False
        cls = anc.get("class")
        if cls and _NOT_DATEISH.search(cls):
            return True
    return False


def from_visible_text(root: etree._Element, limit: date, **text_args) -> Found | None:
    """Short elements whose class or id names a date, parsed as readers see them."""
    for el in _DATEISH(root):
        name = (el.get("class") or "") + " " + (el.get("id") or "")
        if not _DATEISH_NAME.search(name) or _NOT_DATEISH.search(name) or _in_list(el):
            continue
        text = el.xpath("string()")
        iso = parse_visible(text, limit, **text_args)
        if iso:
            return Found(iso, clean(text), "text")
    return None


_YEARISH = re.compile(r"(?<!\d)(?:199\d|20[0-4]\d)(?!\d)|(?<!\d)\d{1,2}[./]\d{1,2}[./]\d{2}(?!\d)")
_TEXT_SKIP = frozenset(
    (
        "script",
        "style",
        "title",
        "head",
        "option",
        "select",
        "textarea",
        "noscript",
        "template",
        "a",
        "nav",
    )
)
_BAD_BLOCK = re.compile(
    r"comment|related|footer|sidebar|widget|teaser|recommend|archive", re.IGNORECASE
)


def _text_candidates(root: etree._Element) -> tuple[int | None, list[tuple[int, str]]]:
    """Short text pieces holding a year, with their position in document order."""
    h1_pos = None
    found: list[tuple[int, str]] = []
    for i, el in enumerate(root.iter()):
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if tag == "h1" and h1_pos is None:
            h1_pos = i
        for text in (el.tail, None if tag in _TEXT_SKIP else el.text):
            if text:
                if len(text) >= 150:  # a paragraph that opens with its date
                    text = text.lstrip()[:40]
                if _YEARISH.search(text):
                    found.append((i, text))
        if len(found) >= 300:
            break
    return h1_pos, found


def _excluded(el: etree._Element) -> bool:
    footer = False
    for anc in el.iterancestors():
        tag = anc.tag
        if tag in ("nav", "a"):
            return True
        if tag == "body":
            break
        if tag == "footer":
            footer = True
        elif tag == "article":
            footer = False
            break
        name = anc.get("class") or anc.get("id")
        if name and _BAD_BLOCK.search(name):
            return True
    return footer


def from_page_text(root: etree._Element, limit: date, **text_args) -> Found | None:
    """The printed date nearest the headline (after it first), as a reader would look."""
    h1_pos, found = _text_candidates(root)
    if not found:
        return None
    if h1_pos is not None:
        found.sort(key=lambda x: (x[0] - h1_pos) if x[0] >= h1_pos else 3 * (h1_pos - x[0]))
    tries = 0
    elements = None
    for pos, text in found:
        if "©" in text or "opyright" in text:
            continue
        iso = parse_visible(text, limit, **text_args)
        if iso is None:
            continue
        if elements is None:
            elements = list(root.iter())
        if _excluded(elements[pos]):
            continue
        tries += 1
        return Found(iso, clean(text), "page-text")
    return None


def _one_day_apart(a: str, b: str) -> bool:
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days) == 1
    except ValueError:
        return False


def find_published(
    root: etree._Element,
    url: str,
    jsonld: list[dict],
    *,
    captured_at: datetime | None = None,
    day_first: bool = True,
    tz: str | None = None,
) -> Found | None:
    """The page's publication date, or ``None`` (see the module docstring for the order)."""
    now = captured_at or datetime.now(UTC)
    limit = (now + timedelta(days=1)).date()
    text_args = {"reference": captured_at, "day_first": day_first, "tz": tz}
    found = from_jsonld(jsonld, limit) or from_meta(root, limit)
    if found is None:
        found = from_markup(root, limit, **text_args)
    url_found = from_url(url, limit)
    if found is not None:
        if url_found and url_found.iso != found.iso[:10]:
            if found.source != "jsonld" or _one_day_apart(found.iso, url_found.iso):
                return url_found
        elif url_found is None and found.iso.endswith("+00:00"):
            # a UTC instant may fall on another day than the one the page prints
            shown = from_visible_text(root, limit, **text_args) or from_page_text(
                root, limit, **text_args
            )
            if shown is not None and _one_day_apart(found.iso, shown.iso):
                return shown
        return found
    if url_found is not None:
        return url_found
    return (
        from_time_elements(root, limit)
        or from_visible_text(root, limit, **text_args)
        or from_page_text(root, limit, **text_args)
    )
