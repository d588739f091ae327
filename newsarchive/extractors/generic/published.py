"""Finding the publication date on a page that has no layout profile.

Where to look, in order of trust:

1. JSON-LD ``datePublished`` (article-like ``@type`` first, then any object), then
   ``dateCreated`` (sloppy blocks are read leniently);
2. ``<meta>`` publication keys (``article:published_time``, ``datePublished``,
   ``DC.date.issued``, ``parsely-pub-date``, ...), never the modification keys. When
   JSON-LD and ``<meta>`` name different days, the one the printed dates confirm wins; a
   generic ``<meta name="date">`` gives way to a printed date close to it;
3. elements marked up as the publication date: ``itemprop="datePublished"``,
   ``<time pubdate>``, hAtom ``abbr.published`` (not inside a link to another page, a
   comment or the ``<article>`` of a teaser);
4. a full ``/YYYY/MM/DD/``-style date in the URL (of the archived page for a web-archive
   address);
5. what the page prints: a date announced by a cue ("Published on", "Veröffentlicht am",
   "Mis en ligne", ...), ``<time datetime>``, the visible text of date-ish elements
   (``class``/``id`` naming a date, time, publication or byline) and the printed date
   nearest the headline, parsed with ``newsarchive.dates`` (month names in several
   languages, relative and yearless dates against the capture time, day-first numerals
   when the page's language writes them so);
6. last resorts: the date next to a link to the page itself (its entry in a list of recent
   posts; not a comment's permalink), a site's own ``<meta>`` publication key, a
   publication key in script data, and last the date printed in the site's header.

Printed dates in comments, teasers of other pages, lists of other articles (list items
linking elsewhere, blocks named related, most-read, read-more...), sidebars and footers are
not the page's; a block whose name says so but that holds most of the page's text wraps the
article (``teaser-body``) and does not exclude its dates. A date printed in the site's
header (a ``<header>`` or a block named header, masthead or top bar, outside the article,
before the headline) is the day of the visit on most sites: it is believed only when the
page prints no other (a front page). A printed date labelled as an update ("Updated:",
"Aktualisiert:") is not the publication.

A machine value is checked against the printed dates: a page that prints its modification
day (``dateModified``) as its date presents itself as (re)published then; a UTC instant
gives way to the printed local day one day off when the printed time (if any) is the
instant at a real UTC offset. Machine values keep their UTC offset; a value with a time but
no offset keeps only the day (the offset would be a guess), and so does a value with no
time. A date after the capture (or now) or before 1990 is not trusted. Nothing found is
``None``.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

# the shared date parser (month names, relative and yearless dates)
from newsarchive import dates as _dates

from .parse import clean, marked_elements

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
#: Other keys that name a publication (``bt:pubdate``, ``five_hundred_pixels:uploaded``).
_OTHER_PUBLISHED_KEY = re.compile(r"publi|pubdate|upload|articledate")
_NOT_PUBLISHED_KEY = re.compile(r"modif|updat|expir|url|image|publisher|online|cover")
#: Keys that name some date of the page, not necessarily its publication.
_GENERIC_META = frozenset(["date", "dc.date", "dcterms.date"])
#: How far a printed date may lie from a generic ``<meta>`` date to replace it (farther,
#: it is more likely the day's date in the site header or the date of an event).
_NEAR = timedelta(days=31)
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
_SCRIPTS = etree.XPath("//script[not(@type='application/ld+json')]/text()")
#: A publication key with a string value in a page's script data (not JSON-LD).
_SCRIPT_DATE = re.compile(
    r'\\?"(?:datePublished|date_published|published(?:Date|_date|At|_at)|publishDate'
    r"|publish_date|publicationDate|first_?[pP]ublish(?:ed)?_?[dD]ate|pubDate|pubdate)"
    r'\\?"\s*:\s*\\?"([^"\\]{8,40})'
)
_ITEMPROP = etree.XPath(
    "//*[@itemprop='datePublished' or @itemprop='dateCreated'][not(self::meta)]"
    "|//time[@pubdate]|//abbr[contains(concat(' ', @class, ' '), ' published ')]"
)
_TIMES = etree.XPath("//time[@datetime]")
_DATEISH_TAGS = frozenset(
    [
        "div",
        "span",
        "p",
        "time",
        "small",
        "li",
        "em",
        "strong",
        "b",
        "i",
        "dd",
        "font",
        "td",
        "header",
        "section",
        "h5",
        "h6",
        "h4",
        "a",
    ]
)
_NSTR = etree.XPath("normalize-space()")
#: A class or id naming a date (matched in lower case).
_DATEISH_NAME = re.compile(
    r"date|time|publi|posted|byline|dateline|meta|datum|fecha|data|tarix|tarih|info|stamp|zeit"
)
_NOT_DATEISH = re.compile(r"update|modif|comment|expir|related|aktualisiert")

_ISO = re.compile(
    r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})"
    r"(?:[T ]\s*(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?\s*"
    r"(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ISO_SLASH = re.compile(r"(?<!\d)(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?!\d)")
_URL_DATE = re.compile(
    r"(?<![\d])(20\d{2}|19\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?![\d])"
)
#: ``/2019/12/12/``, ``/2019/12/12-slug``, ``/2019/1/5/`` (a one-digit day is a day only
#: when a slash or the end follows: ``/2023/10/3-fragen`` is a month's post "3 Fragen")
_URL_DATE_SEP = re.compile(
    r"/(20\d{2}|19\d{2})/(0?[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01]|[1-9](?=/|$))(?:/|$|[_-])"
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
    r"\b(?:modified|updated?|edited|revised|aktualisiert|aktualisierung|geändert|"
    r"actualizad[oa]|modifié|"
    r"mis à jour|обновлено|изменено|güncellendi|yeniləndi)\b",
    re.IGNORECASE,
)


def parse_visible(
    text: str, limit: date, reference: datetime | None, day_first: bool, tz: tzinfo | None
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
    for script in root.iter("script"):
        if script.get("type") != "application/ld+json":
            continue
        text = script.text or ""
        text = text.strip()
        if not text:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            data = _lenient_json(text)
            if data is None:
                continue
        out.extend(_walk_jsonld(data))
    return out


_DECODER = json.JSONDecoder(strict=False)  # strict=False: raw newlines inside strings


def _lenient_json(text: str) -> object | None:
    """A JSON-LD block as sloppy pages write it: raw control characters in strings, a
    trailing ``;``, a stray closing brace after the object, or several objects in a row."""
    values: list[object] = []
    pos, end = 0, len(text)
    while pos < end and len(values) < 20:
        while pos < end and text[pos] in " \t\r\n;,}]":
            pos += 1
        if pos >= end:
            break
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except ValueError:
            break
        values.append(value)
    if not values:
        return None
    return values[0] if len(values) == 1 else values


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


def from_meta(root: etree._Element, limit: date, *, other: bool = False) -> Found | None:
    """The most trusted publication ``<meta>`` that parses (with ``other``: only the keys
    of a site's own naming, ``bt:pubdate``, ``five_hundred_pixels:uploaded``)."""
    best: tuple[int, str, str] | None = None
    for el in _META(root):
        key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
        if not key:
            continue
        key = key.strip().lower()
        if other:
            rank = None
            if _OTHER_PUBLISHED_KEY.search(key) and not _NOT_PUBLISHED_KEY.search(key):
                rank = 0 if key not in _META_RANK else None
        else:
            rank = _META_RANK.get(key)
        if rank is None or (best is not None and rank >= best[0]):
            continue
        value = el.get("content", "")
        iso = parse_machine(value, limit)
        if iso is not None:
            best = (rank, iso, value.strip())
    if best is None:
        return None
    generic = not other and PUBLISHED_META[best[0]] in _GENERIC_META
    source = "meta-other" if other else "meta-generic" if generic else "meta"
    return Found(best[1], best[2], source)


def from_scripts(
    root: etree._Element, limit: date, scripts: list[str] | None = None
) -> Found | None:
    """The first publication key in the page's script data (``"publishedDate": "..."``),
    for pages that keep their metadata only there (``scripts``: their texts, when the
    page's scripts are already removed)."""
    for text in _SCRIPTS(root) if scripts is None else scripts:
        for m in _SCRIPT_DATE.finditer(text):
            iso = parse_machine(m[1], limit)
            if iso is not None:
                return Found(iso, m[1], "script")
    return None


def from_markup(root: etree._Element, limit: date, url: str = "", **text_args) -> Found | None:
    """Elements marked up as the publication date (itemprop, ``time[pubdate]``, hAtom)."""
    headline = next(iter(_H1(root)), None)
    several = len(_ARTICLES(root)) > 1
    for el in _ITEMPROP(root):
        if _foreign(el, url) or _other_article(el, headline, several):
            continue
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


_FOREIGN_BLOCK = re.compile(r"comment|related|recommend|reply|replies")


def _page_key(url: str) -> str:
    """A URL without scheme, ``www.``, query, fragment and trailing slash."""
    url = url.split("#", 1)[0].split("?", 1)[0].split("://", 1)[-1]
    return url.removeprefix("www.").rstrip("/").lower()


def _links_elsewhere(a: etree._Element, url: str) -> bool:
    href = (a.get("href") or "").strip()
    if not href or href.startswith("#"):
        return False
    try:
        target = urljoin(url, href) if url else href
    except ValueError:
        return True
    return not url or _page_key(target) != _page_key(url)


def _foreign(el: etree._Element, url: str) -> bool:
    """Whether a dated element belongs to something else: inside a link to another page
    (a teaser; a permalink to the page itself is fine) or inside a comment or a list of
    related pages."""
    for anc in el.iterancestors():
        if anc.tag == "a" and _links_elsewhere(anc, url):
            return True
        if anc.tag in ("body", "html"):
            break
        name = ((anc.get("class") or "") + " " + (anc.get("id") or "")).lower()
        if _FOREIGN_BLOCK.search(name) and not _wraps_article(anc):
            return True
    return False


#: A class or id naming one comment (``comment-body``, ``comment-meta``, ``li.comment``),
#: not a link to the comments (``comments-link``, ``comment-count``).
_COMMENT_ITEM = re.compile(r"(?<![a-z])comment(?![a-z]|-?(?:link|count|num))")


def _in_comment(el: etree._Element) -> bool:
    """Whether ``el`` lies in a reader's comment (its permalink links to the page)."""
    for anc in el.iterancestors():
        if anc.tag in ("body", "html"):
            break
        name = anc.get("class") or anc.get("id")
        if name and _COMMENT_ITEM.search(name.lower()) and not _wraps_article(anc):
            return True
    return False


#: A class or id naming a list of other pages ...
_OTHER_PAGES = re.compile(
    r"related|recommend|suggest|popular|most-?(?:read|viewed|popular)|read-?more|more-?from"
)
#: ... or a teaser (of another page when it links to one: the lead of the page's own
#: article is a "teaser" too).
_TEASER = re.compile(r"teaser")


def _in_teaser(el: etree._Element, url: str) -> bool:
    """Whether ``el`` lies in a reader's comment, a list of other pages or a teaser
    linking to another page (a block so named that does not hold most of the page's
    text)."""
    for anc in el.iterancestors():
        if anc.tag in ("body", "html"):
            break
        name = anc.get("class") or anc.get("id")
        if not name:
            continue
        name = name.lower()
        if _COMMENT_ITEM.search(name) or _OTHER_PAGES.search(name):
            if not _wraps_article(anc):
                return True
        elif _TEASER.search(name) and not _wraps_article(anc):
            links = itertools.chain([anc] if anc.tag == "a" else [], anc.iter("a"))
            if any(_links_elsewhere(a, url) for a in links):
                return True
    return False


#: A web archive's address of a capture: ``https://web.archive.org/web/20131110121040/``
#: (the capture time, optionally with a mode such as ``id_``) before the original URL.
_ARCHIVED = re.compile(r"^[a-z]+://[^/]+/(?:[\w-]+/)?\d{4,14}(?:[a-z]{2}_)?/(?=https?:/)")


def original_url(url: str) -> str:
    """The archived page's own URL when ``url`` is a web archive's capture address."""
    m = _ARCHIVED.match(url)
    return url[m.end() :] if m else url


_H1 = etree.XPath("(//h1)[1]")
_ARTICLES = etree.XPath("//article")


def _other_article(el: etree._Element, headline: etree._Element | None, several: bool) -> bool:
    """Whether ``el`` lies in a teaser of another article on the same page: an
    ``<article>`` in a list item, or one without the page's headline when that headline
    is itself in an ``<article>`` or when the page has ``several`` articles."""
    article = next(el.iterancestors("article"), None)
    if article is None:
        return False
    if next(article.iterancestors("li"), None) is not None:
        return True
    if headline is None or headline in article.iterdescendants("h1"):
        return False
    return several or next(headline.iterancestors("article"), None) is not None


def from_url(url: str, limit: date) -> Found | None:
    """A full date in the URL's path (``/2019/12/12/``, ``20191212``, ``2019-12-12``)."""
    if not url:
        return None
    url = original_url(url)
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


def from_time_elements(
    root: etree._Element, limit: date, masthead: list[Found] | None = None, url: str = ""
) -> Found | None:
    """The first ``<time datetime>`` of the page outside lists, teasers (in a link to
    another page, another article's ``<article>``), comments and the site's header (one
    there goes to ``masthead``, a last resort)."""
    for el in _TIMES(root):
        if _in_list(el) or _in_teaser(el, url):
            continue
        iso = parse_machine(el.get("datetime", ""), limit)
        if iso:
            found = Found(iso, clean(el.xpath("string()")) or el.get("datetime", ""), "time")
            if not _in_site_header(el):
                return found
            if masthead is not None and not masthead:
                masthead.append(found)
    return None


#: A block named as the site's header, masthead or top bar ...
_HEADER_NAME = re.compile(r"header|masthead|top-?bar")
#: ... and names of the article's own header (or a post's, a date's, a card's).
_OWN_HEADER_NAME = re.compile(r"entry|post|article|story|content|single|date|title|item|card")
_NEXT_H1 = etree.XPath("following::h1[1]")


def _in_site_header(el: etree._Element) -> bool:
    """Whether ``el`` lies in the site's header (where sites print the day's date): a
    ``<header>``, or a block named as a header, masthead or top bar, outside ``<article>``
    and ``<main>``, before the page's ``<h1>`` (on a page without one: holding no
    ``<h2>``, which would be the headline)."""
    for anc in el.iterancestors():
        tag = anc.tag
        if tag in ("article", "main", "body", "html"):
            return False
        if tag != "header":
            name = anc.get("class") or anc.get("id")
            if not name:
                continue
            name = name.lower()
            if not _HEADER_NAME.search(name) or _OWN_HEADER_NAME.search(name):
                continue
        if next(anc.iterancestors("article", "main"), None) is not None:
            return False
        if next(iter(_H1(anc.getroottree().getroot())), None) is None:  # no headline
            return next(anc.iter("h2"), None) is None
        if any(not _is_logo(h1) for h1 in anc.iter("h1")):
            return False
        return bool(_NEXT_H1(anc))
    return False


def _is_logo(h1: etree._Element) -> bool:
    """Whether an ``<h1>`` is the site's name: a link to its home page."""
    for a in h1.iter("a"):
        href = (a.get("href") or "").strip()
        if href and urlsplit(href).path in ("", "/") and "?" not in href:
            return True
    return False


def _in_list(el: etree._Element) -> bool:
    for anc in el.iterancestors():
        tag = anc.tag
        if tag in ("li", "aside", "nav", "footer"):
            return True
        if tag in ("article", "main", "body"):
            return False
        cls = anc.get("class")
        if cls and _NOT_DATEISH.search(cls.lower()) and not _wraps_article(anc):
            return True
    return False


def _own_text(el: etree._Element) -> str:
    """The element's text with its parts spaced apart (date parts in separate spans),
    leaving out parts marked as an update or modification."""
    parts = [el.text or ""]
    for child in el.iterchildren():
        if isinstance(child.tag, str) and not _NOT_DATEISH.search(
            (child.get("class") or "").lower()
        ):
            parts.append(_own_text(child))
        parts.append(child.tail or "")
    return " ".join(p for p in parts if p)


def from_visible_text(
    root: etree._Element,
    limit: date,
    url: str = "",
    masthead: list[Found] | None = None,
    **text_args,
) -> Found | None:
    """Short elements whose class or id names a date, parsed as readers see them (a date
    in the site's header goes to ``masthead``, a last resort)."""
    for el in marked_elements(root, _DATEISH_NAME):
        if el.tag not in _DATEISH_TAGS:
            continue
        name = ((el.get("class") or "") + " " + (el.get("id") or "")).lower()
        if _NOT_DATEISH.search(name):
            continue
        if len(_NSTR(el)) >= 80 or _in_list(el):  # short elements only
            continue
        if _foreign(el, url) or _in_teaser(el, url):
            continue
        text = _own_text(el)
        iso = parse_visible(text, limit, **text_args)
        if iso:
            found = Found(iso, clean(text), "text")
            if not _in_site_header(el):
                return found
            if masthead is not None and not masthead:
                masthead.append(found)
    return None


#: A year in a piece of text: four digits, or two after day and month ("02.05.14",
#: "14 Jan 20").
_YEARISH = re.compile(
    r"(?<!\d)(?:199\d|20[0-4]\d)(?!\d)|(?<!\d)\d{1,2}[./]\d{1,2}[./]\d{2}(?!\d)"
    r"|(?<!\d)\d{1,2}\.?[\s-]+[^\W\d_]{3,10}\.?[\s/-]+'?\d{2}(?![\d:.])"
)
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
_BAD_BLOCK = re.compile(r"comment|related|footer|sidebar|widget|teaser|recommend|archive")


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


#: A block named like a teaser, a comment or a list that holds more than this share of
#: the page's text wraps the article (``teaser-body``): its name does not exclude it.
_WRAPPER_SHARE = 0.5
#: The last page's text length (the finders ask for it many times).
_PAGE_TEXT: list = [(None, 0)]  # one (root, length) pair, replaced whole


def _wraps_article(block: etree._Element) -> bool:
    """Whether a block holds most of its page's text (then it wraps the article, whatever
    its name says)."""
    root = block.getroottree().getroot()
    cached_root, total = _PAGE_TEXT[0]
    if cached_root is not root:
        body = root.find("body")
        total = len(_NSTR(body if body is not None else root))
        _PAGE_TEXT[0] = (root, total)
    return bool(total) and len(_NSTR(block)) >= _WRAPPER_SHARE * total


def _excluded(el: etree._Element, url: str = "") -> bool:
    """Whether a printed date lies in navigation, a link, a footer (outside the article),
    an item of a list of links to other pages or a block named as a comment, teaser,
    sidebar... that does not wrap the article."""
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
        elif tag == "li" and any(_links_elsewhere(a, url) for a in anc.iter("a")):
            return True
        name = anc.get("class") or anc.get("id")
        if name and _BAD_BLOCK.search(name.lower()) and not _wraps_article(anc):
            return True
    return footer


def _labelled_modified(el: etree._Element, text: str) -> bool:
    """Whether the words just before a printed date (in its own or its parent's text:
    "<span>Updated:</span> <time>...") mark it as the modification date."""
    parent = el.getparent()
    if parent is None:
        return False
    block = _NSTR(parent)
    at = block.find(clean(text)[:20])
    return at > 0 and _MODIFIED.search(block, max(0, at - 30), at) is not None


def from_page_text(
    root: etree._Element,
    limit: date,
    masthead: list[Found] | None = None,
    url: str = "",
    **text_args,
) -> Found | None:
    """The printed date nearest the headline (after it first), as a reader would look
    (one in the site's header goes to ``masthead``, a last resort)."""
    h1_pos, found = _text_candidates(root)
    if not found:
        return None
    if h1_pos is not None:
        found.sort(key=lambda x: (x[0] - h1_pos) if x[0] >= h1_pos else 3 * (h1_pos - x[0]))
    elements = None
    for pos, text in found:
        if "©" in text or "opyright" in text:
            continue
        iso = parse_visible(text, limit, **text_args)
        if iso is None:
            continue
        if elements is None:
            elements = list(root.iter())
        if _excluded(elements[pos], url) or _labelled_modified(elements[pos], text):
            continue
        if _in_site_header(elements[pos]):
            if masthead is not None and not masthead:
                masthead.append(Found(iso, clean(text), "page-text"))
            continue
        return Found(iso, clean(text), "page-text")
    return None


#: Words that announce the publication date ("Published on", "Veröffentlicht am",
#: "Publié le", "Mis en ligne", "Publicado el", "Yayınlanma", "Опубликовано", ...).
_CUE = re.compile(
    r"(?<!\w)(?:(?:first\s+)?published|publication\s+date|date\s+published|posted\s+on"
    r"|ver[öo]ffentlicht|erschienen|publiziert|publi[ée]e?|mise?\s+en\s+ligne|paru"
    r"|date\s+de\s+publication|publicad[oa]|fecha\s+de\s+publicaci[óo]n|pubblicato"
    r"|gepubliceerd|yay[ıi]nlanma|yay[ıi]mlanma|yay[ıi]n\s+tarihi|d[əe]rc\s+(?:edilib|olunub)"
    r"|опубликовано|дата\s+публикации)(?!\w)",
    re.IGNORECASE,
)
#: The cues to match in lower-cased text (cheaper than a case-insensitive match).
_CUE_LOWER = re.compile(_CUE.pattern)
#: A part of every cue (in lower case): a page whose text has none has no cue (looking
#: for these is much cheaper than matching the cues).
_CUE_STEMS = (
    "publi",
    "posted",
    "ffentlicht",
    "erschienen",
    "ligne",
    "paru",
    "pubblicato",
    "yay",
    "dərc",
    "derc",
    "опубликовано",
    "публикации",
)
_CUE_SKIP = _TEXT_SKIP | {"a"}


_TEXTS = etree.XPath("//text()[string-length() < 200]")
#: The page's text in one string (plain strings: much cheaper than the pieces above).
_ALL_TEXT = etree.XPath("string(/)")


def _piece_element(text: Any) -> etree._Element | None:
    """The element a text piece lies in (a tail lies in its element's parent), or
    ``None`` for the text of a script, a link and the like."""
    el = text.getparent()
    if el is None:
        return None
    if text.is_tail:
        return el.getparent()
    return None if el.tag in _CUE_SKIP else el


def from_cue(root: etree._Element, limit: date, url: str = "", **text_args) -> Found | None:
    """A date announced as the publication date: "Published on 2 May 2014", or a label
    ("Mis en ligne", "Erschienen am:") with the date in the next piece of text."""
    page = _ALL_TEXT(root).lower()
    if not any(stem in page for stem in _CUE_STEMS):  # most pages have no cue
        return None
    texts = _TEXTS(root)
    for i, text in enumerate(texts):
        head = text[:40]  # a label opens its piece of text
        low = head.lower()
        m = _CUE_LOWER.search(low) if len(low) == len(head) else _CUE.search(head)
        if m is None or _MODIFIED.search(text, 0, m.start()):
            continue
        el = _piece_element(text)
        if el is None:
            continue
        candidates = [text[m.end() :]]
        if not _DIGIT.search(candidates[0]):
            following = (
                t for t in texts[i + 1 : i + 8] if not t.isspace() and _piece_element(t) is not None
            )
            candidates += itertools.islice(following, 2)
        for candidate in candidates:
            if len(candidate) > 120 or not _DIGIT.search(candidate):
                continue
            iso = parse_visible(candidate, limit, **text_args)
            if iso is not None and not _foreign(el, url):
                return Found(iso, clean(text[m.start() :] + " " + candidate), "cue")
            break
    return None


_LINKS = etree.XPath("//a[@href]")


def from_self_link(root: etree._Element, limit: date, url: str, **text_args) -> Found | None:
    """A date printed next to a link to this very page (its entry in a list of recent
    posts): the list item or short block around the link, as readers see it."""
    if not url:
        return None
    key = _page_key(url)
    if key.count("/") < 1:  # a site's home page links to itself everywhere
        return None
    last = key.rsplit("/", 1)[-1]  # a link to the page names its last path segment
    for a in _LINKS(root):
        href = a.get("href", "").strip()
        if not href or href.startswith("#") or last not in href.lower():
            continue
        if _links_elsewhere(a, url) or _in_comment(a):
            continue  # a link elsewhere, or a comment's permalink
        block = a.getparent()
        for _ in range(2):
            if block is None:
                break
            text = block.xpath("string()")
            if len(text) > 200:
                break
            iso = parse_visible(text, limit, **text_args)
            if iso is not None:
                return Found(iso, clean(text), "self-link")
            block = block.getparent()
    return None


def _one_day_apart(a: str, b: str) -> bool:
    try:
        return abs((date.fromisoformat(a[:10]) - date.fromisoformat(b[:10])).days) == 1
    except ValueError:
        return False


#: UTC offsets in use lie between these (hours).
_MIN_OFFSET, _MAX_OFFSET = timedelta(hours=-12), timedelta(hours=14)


def _local_time_of(instant: Found, shown: Found) -> bool:
    """Whether a printed date can be the local reading of a UTC instant: always when it
    prints no time, else only when the time differs from the instant by a real offset."""
    try:
        utc = datetime.fromisoformat(instant.iso)
        wall = _dates.parse_text_date(shown.raw)
    except (ValueError, TypeError, OverflowError):
        return True
    if wall is None or not wall.has_time or not isinstance(wall.value, datetime):
        return True
    value = wall.value
    if value.tzinfo is not None:
        return value.date() == date.fromisoformat(shown.iso[:10])
    offset = value - utc.replace(tzinfo=None)
    return _MIN_OFFSET <= offset <= _MAX_OFFSET


class _Shown:
    """The dates the page prints for readers, each looked up once and only when asked."""

    def __init__(self, root: etree._Element, limit: date, url: str, text_args: dict) -> None:
        masthead: list[Found] = []  # the first date printed in the site's header
        self._finders = {
            "cue": lambda: from_cue(root, limit, url, **text_args),
            "time": lambda: from_time_elements(root, limit, masthead, url),
            "text": lambda: from_visible_text(root, limit, url, masthead, **text_args),
            "page-text": lambda: from_page_text(root, limit, masthead, url, **text_args),
        }
        self._masthead = masthead
        self._cache: dict[str, Found | None] = {}

    def masthead(self) -> Found | None:
        """The first date printed in the site's header (the day's date on most sites,
        the page's own only on a front page that prints no other): a last resort."""
        for name in ("time", "text", "page-text"):
            self.get(name)
        return self._masthead[0] if self._masthead else None

    def get(self, name: str) -> Found | None:
        if name not in self._cache:
            self._cache[name] = self._finders[name]()
        return self._cache[name]

    def first(self, *names: str) -> Found | None:
        for name in names or tuple(self._finders):
            found = self.get(name)
            if found is not None:
                return found
        return None

    def days(self, *names: str) -> list[str]:
        return [f.iso[:10] for f in (self.get(n) for n in names) if f is not None]


def _machine(jsonld_found: Found | None, meta_found: Found | None, shown: _Shown) -> Found | None:
    """JSON-LD over ``<meta>``; when the two name different days, the one the printed
    dates confirm; a generic ``<meta name="date">`` gives way to a printed date marked up
    as one (a cue, a date element) that names another day close to it."""
    if jsonld_found is not None and meta_found is not None:
        a, b = jsonld_found.iso[:10], meta_found.iso[:10]
        if a != b and not _one_day_apart(a, b):
            printed_days = shown.days("cue", "time", "text", "page-text")
            if printed_days.count(b) > printed_days.count(a):
                return meta_found
        return jsonld_found
    found = jsonld_found or meta_found
    if found is not None and found.source == "meta-generic":
        printed = shown.first("cue", "text")
        if printed is not None and printed.iso[:10] != found.iso[:10]:
            gap = date.fromisoformat(printed.iso[:10]) - date.fromisoformat(found.iso[:10])
            if abs(gap) <= _NEAR:
                return printed
    return found


#: Modification keys of ``<meta>`` and JSON-LD.
_MODIFIED_META = frozenset(
    ["article:modified_time", "og:updated_time", "datemodified", "last-modified", "modified"]
)


def modified_days(root: etree._Element, jsonld: list[dict], limit: date) -> set[str]:
    """The days the page says it was last modified (JSON-LD ``dateModified``, meta)."""
    values = [o.get("dateModified") for o in jsonld]
    for el in _META(root):
        key = el.get("property") or el.get("name") or el.get("itemprop") or ""
        if key.strip().lower() in _MODIFIED_META:
            values.append(el.get("content"))
    days = set()
    for value in values:
        if isinstance(value, str):
            iso = parse_machine(value, limit)
            if iso:
                days.add(iso[:10])
    return days


def _republished(
    found: Found, root: etree._Element, jsonld: list[dict], limit: date, shown: _Shown
) -> Found | None:
    """The printed date when the page prints its modification day as its date (and not
    the machine publication day): the page presents itself as (re)published then."""
    published = found.iso[:10]
    modified = {day for day in modified_days(root, jsonld, limit) if day > published}
    if not modified:
        return None
    printed = shown.first()
    if printed is not None and printed.iso[:10] in modified:
        return printed
    return None


def find_published(
    root: etree._Element,
    url: str,
    jsonld: list[dict],
    *,
    captured_at: datetime | None = None,
    day_first: bool = True,
    tz: tzinfo | None = None,
    scripts: list[str] | None = None,
) -> Found | None:
    """The page's publication date, or ``None`` (see the module docstring for the order).
    ``tz`` is the zone the page prints its times in (a :class:`~datetime.tzinfo`, as
    :func:`newsarchive.dates.parse_text_date` takes; an explicit offset in the text wins).
    ``scripts`` are the texts of the page's scripts when they were removed from ``root``."""
    now = captured_at or datetime.now(UTC)
    limit = (now + timedelta(days=1)).date()
    text_args = {"reference": captured_at, "day_first": day_first, "tz": tz}
    shown = _Shown(root, limit, url, text_args)
    found = _machine(from_jsonld(jsonld, limit), from_meta(root, limit), shown)
    if found is None:
        found = from_markup(root, limit, url, **text_args)
    url_found = from_url(url, limit)
    if found is not None:
        if url_found is None or url_found.iso != found.iso[:10]:
            found = _republished(found, root, jsonld, limit, shown) or found
        if url_found and url_found.iso != found.iso[:10]:
            if found.source != "jsonld" or _one_day_apart(found.iso, url_found.iso):
                return url_found
        elif url_found is None and found.iso.endswith("+00:00"):
            # a UTC instant may fall on another day than the one the page prints
            printed = shown.first("text", "page-text")
            if (
                printed is not None
                and _one_day_apart(found.iso, printed.iso)
                and _local_time_of(found, printed)
            ):
                return printed
        return found
    if url_found is not None:
        return url_found
    return (
        shown.first("cue", "time", "text", "page-text")
        or from_self_link(root, limit, url, **text_args)
        or from_meta(root, limit, other=True)
        or from_scripts(root, limit, scripts)
        or shown.masthead()
    )
