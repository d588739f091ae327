"""Telling article URLs from listing URLs on a site whose layout is unknown.

:func:`classify_url` looks at the URL only and answers with a :class:`UrlVerdict`: a kind
(``article``, ``listing``, ``skip`` or ``unknown``) and the rule that decided it. The rules,
first match wins:

1. **skip**: not http(s); a file that is not a page (images, media, documents, scripts,
   feeds, fonts); a path segment naming a utility (``search``, ``login``, ``cgi-bin``,
   ``print``, ``wp-admin``, ...); a query that is neither pagination nor an article id.
2. **listing**, strong: the site's root; a ``tag``/``category``/``author``/``topic``/``label``
   segment; ``/page/N``; a pagination query (``?page=N``, ``paged``, ``pg``, ``start``,
   ``offset``); a date archive (``/2024/``, ``/2024/05/``, ``/2024/05/02/`` and nothing
   after).
3. **article**: a numeric article-id query (``?id=123``, ``?p=123``, ``?newsid=123``); a date
   in the path followed by more (``/2024/05/02/slug``, ``/2024-05-02-slug.html``,
   ``/20240502/...``); a numeric id (a run of 4+ digits that is not a year on its own:
   ``/news/1213736.html``, ``/12345-slug``, ``/news/98765/``); a long slug (4+ words joined by
   ``-`` or ``_``, 20+ characters); a page leaf (``.html``, ``.php``, ...) under a section.
4. **listing**, weak (``section-shape``): ends in ``/`` with one or two short segments
   (at most 24 characters and two words each), e.g. ``/world/``, ``/business/energy/``.
5. **unknown**: anything else (``/sport/interview``, ``/about.html``, ``/local-team-wins/``);
   the spider fetches such a page and decides from its content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


class UrlKind(StrEnum):
    """What a URL says about its page."""

    ARTICLE = "article"
    LISTING = "listing"
    SKIP = "skip"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class UrlVerdict:
    """A URL's kind and the rule that decided it (for stats, logs and tests)."""

    kind: UrlKind
    reason: str

    @property
    def strong_listing(self) -> bool:
        """A listing by an explicit sign (tag, category, pagination, date archive, root),
        not merely by the shape of a section path."""
        return self.kind is UrlKind.LISTING and self.reason != "section-shape"


def _names(text: str) -> frozenset[str]:
    """A set of names written one after another, separated by whitespace."""
    return frozenset(text.split())


#: Extensions of files that are not HTML pages.
SKIP_EXTENSIONS = _names(
    """
    jpg jpeg png gif webp svg ico bmp tif tiff avif heic
    css js mjs json map xml rss atom rdf txt csv
    pdf doc docx xls xlsx ppt pptx odt ods rtf epub
    zip rar gz tgz bz2 7z tar
    mp3 mp4 m4a m4v avi mov wmv flv webm ogg oga ogv wav m3u8
    woff woff2 ttf eot otf exe dmg apk msi
    """
)
#: Extensions of HTML pages (a leaf with one of them under a section is an article).
PAGE_EXTENSIONS = _names("html htm shtml xhtml php asp aspx jsp cfm")
#: Leaves that stand for their folder (``/news/index.html`` is ``/news/``).
INDEX_LEAVES = _names("index.html index.htm index.php index.shtml default.aspx default.asp")
#: Path segments of pages that are never articles nor worth following.
SKIP_SEGMENTS = _names(
    """
    search login logout signin sign-in signup sign-up register account accounts profile
    cart checkout basket wp-admin wp-login.php wp-json xmlrpc.php cgi-bin cdn-cgi admin
    print share sharer embed amp-iframe redirect out go comments comment-page
    """
)
#: Path segments that make a page a listing.
LISTING_SEGMENTS = _names("tag tags category categories author authors topic topics label labels")
#: Query keys of pagination (with a number).
PAGINATION_KEYS = frozenset({"page", "paged", "pg", "pagen", "start", "offset", "pagenum"})
#: Query keys holding an article id (with a number).
ARTICLE_ID_KEYS = frozenset(
    {"id", "p", "nid", "aid", "newsid", "news_id", "article", "articleid", "article_id"}
    | {"story", "storyid", "story_id", "itemid", "item_id", "post", "postid"}
)
#: Query keys that only track the visitor; dropped by :func:`normalize_url`.
TRACKING_KEYS = frozenset({"fbclid", "gclid", "yclid", "mc_cid", "mc_eid", "ref"})
#: Query parameters that carry a visitor's session, never the page's identity.
SESSION_KEYS = frozenset(
    {"jsessionid", "phpsessid", "aspsessionid", "sid", "sessionid", "session_id", "session",
     "cfid", "cftoken", "zenid", "oscsid"}
)  # fmt: skip
#: ``;jsessionid=...`` and friends in the path (matrix parameters of servlet containers).
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#]*", re.I)

_YEAR = r"(?:19|20)\d\d"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
#: ``/2024/05/02/`` or ``/2024/05/`` in the path, with what follows.
_DATE_DIRS = re.compile(rf"/({_YEAR})/({_MONTH})(?:/({_DAY}))?(?=/|$)(.*)$")
#: ``2024-05-02`` / ``2024_05_02`` / ``20240502`` inside one segment.
_DATE_IN_SEGMENT = re.compile(
    rf"(?<!\d)({_YEAR})[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])(?!\d)"
)
_YEAR_SEGMENT = re.compile(rf"^{_YEAR}$")
_DIGITS = re.compile(r"\d{4,}")
_WORD_SPLIT = re.compile(r"[-_]+")
_PAGE_PATH = re.compile(r"/page/(\d+)/?$", re.I)
_FEED_PATH = re.compile(
    r"(?:^|/)(?:rss|feed|feeds|atom|rss2)(?:/|\.xml|\.rss)?$"
    r"|\.(?:rss|atom|rdf)$"
    r"|(?:^|/)[^/]*(?:rss|atom|feed)[^/]*\.xml$",
    re.I,
)
#: Section-shaped paths that are not news sections.
NOT_SECTIONS = _names(
    """
    about about-us contact contacts contact-us privacy privacy-policy terms terms-of-use
    cookies cookie-policy imprint impressum faq help advertise advertising subscribe
    subscription subscriptions newsletter newsletters jobs careers sitemap rss feed feeds
    login register account search
    """
)


def normalize_url(url: str) -> str:
    """``url`` without its fragment, tracking parameters (``utm_*``, ``fbclid``, ...) and
    session ids (``?sid=``, ``;jsessionid=``, ...), scheme and host lower-cased; path and
    the rest of the query unchanged. One page, one URL: what decides an article's
    identity (:func:`newsarchive.state.model.article_identity`) and what is requested."""
    parts = urlsplit(url.strip())
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _tracking(k)]
        if len(kept) != len(pairs):
            query = urlencode(kept)
    path = _PATH_SESSION.sub("", parts.path) if ";" in parts.path else parts.path
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def _tracking(key: str) -> bool:
    key = key.lower()
    return key.startswith("utm_") or key in TRACKING_KEYS or key in SESSION_KEYS


def _extension(leaf: str) -> str | None:
    if "." not in leaf:
        return None
    ext = leaf.rsplit(".", 1)[1].lower()
    return ext if ext.isalnum() and not ext.isdigit() else None


def _words(segment: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(segment) if w]


def _short(segment: str) -> bool:
    """A section-like segment: up to 24 characters and two words, no long number."""
    if _YEAR_SEGMENT.match(segment):
        return True
    return len(segment) <= 24 and len(_words(segment)) <= 2 and not _DIGITS.search(segment)


def _query_verdict(query: str) -> UrlVerdict | None:
    pairs = [(k.lower(), v) for k, v in parse_qsl(query, keep_blank_values=True)]
    pairs = [(k, v) for k, v in pairs if not _tracking(k)]
    if not pairs:
        return None
    keys = {k for k, _ in pairs}
    if keys <= PAGINATION_KEYS and all(v.isdigit() for _, v in pairs):
        return UrlVerdict(UrlKind.LISTING, "pagination")
    ids = [v for k, v in pairs if k in ARTICLE_ID_KEYS]
    if ids and all(v.isdigit() for v in ids) and len(keys) <= 2:
        return UrlVerdict(UrlKind.ARTICLE, "id-query")
    return UrlVerdict(UrlKind.SKIP, "query")


def _date_verdict(path: str, segments: list[str]) -> UrlVerdict | None:
    match = _DATE_DIRS.search(path)
    if match:
        rest = match.group(4).strip("/")
        if not rest:
            return UrlVerdict(UrlKind.LISTING, "date-archive")
        if rest.lower() in INDEX_LEAVES or _PAGE_PATH.search("/" + rest):
            return UrlVerdict(UrlKind.LISTING, "date-archive")
        return UrlVerdict(UrlKind.ARTICLE, "date")
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        found = _DATE_IN_SEGMENT.search(segment)
        if found and (segment != found.group(0) or index < last):
            return UrlVerdict(UrlKind.ARTICLE, "date")
    return None


def classify_url(url: str) -> UrlVerdict:
    """What ``url`` says about its page (rules in the module docstring)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return UrlVerdict(UrlKind.SKIP, "scheme")
    path = parts.path or "/"
    segments = [s for s in path.split("/") if s]
    lowered = [s.lower() for s in segments]
    if segments and lowered[-1] in INDEX_LEAVES:
        segments, lowered = segments[:-1], lowered[:-1]
        path = "/" + "/".join(segments) + ("/" if segments else "")
    leaf = segments[-1] if segments else ""
    ext = _extension(leaf)
    if ext is not None and ext not in PAGE_EXTENSIONS:
        return UrlVerdict(UrlKind.SKIP, "file")
    if any(s in SKIP_SEGMENTS for s in lowered):
        return UrlVerdict(UrlKind.SKIP, "utility")
    by_query = _query_verdict(parts.query) if parts.query else None
    if by_query is not None:
        return by_query
    if not segments:
        return UrlVerdict(UrlKind.LISTING, "home")
    if any(s in LISTING_SEGMENTS for s in lowered):
        return UrlVerdict(UrlKind.LISTING, "listing-word")
    if _PAGE_PATH.search(path):
        return UrlVerdict(UrlKind.LISTING, "pagination")
    if all(_YEAR_SEGMENT.match(s) or s.isdigit() and len(s) <= 2 for s in segments):
        return UrlVerdict(UrlKind.LISTING, "date-archive")
    return _article_verdict(path, segments, leaf, ext)


def _article_verdict(path: str, segments: list[str], leaf: str, ext: str | None) -> UrlVerdict:
    dated = _date_verdict(path, segments)
    if dated is not None:
        return dated
    stem = leaf.rsplit(".", 1)[0] if ext else leaf
    for segment in segments[:-1] + [stem]:
        if not _YEAR_SEGMENT.match(segment) and _DIGITS.search(segment):
            return UrlVerdict(UrlKind.ARTICLE, "numeric-id")
    if len(_words(stem)) >= 4 and len(stem) >= 20:
        return UrlVerdict(UrlKind.ARTICLE, "long-slug")
    if ext is not None and len(segments) >= 2:
        return UrlVerdict(UrlKind.ARTICLE, "page-under-section")
    if path.endswith("/") and len(segments) <= 2 and all(_short(s) for s in segments):
        return UrlVerdict(UrlKind.LISTING, "section-shape")
    return UrlVerdict(UrlKind.UNKNOWN, "ambiguous")


def page_number(url: str) -> int | None:
    """The page number a pagination URL names (``/page/3/``, ``?page=3``), if any."""
    parts = urlsplit(url)
    match = _PAGE_PATH.search(parts.path)
    if match:
        return int(match.group(1))
    for key, value in parse_qsl(parts.query):
        if key.lower() in ("page", "paged", "pg", "pagen", "pagenum") and value.isdigit():
            return int(value)
    return None


def is_feed_url(url: str) -> bool:
    """True when ``url``'s path looks like an RSS/Atom feed (``/feed/``, ``/rss.xml``,
    ``/feeds/index.rss``, ``/atom.xml``): followed only where a page links it."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(_FEED_PATH.search(parts.path))


def looks_like_section(url: str) -> bool:
    """True when ``url`` looks like a news section: no query, no file extension, one to
    three short segments, and not a service page (about, contact, login, ...)."""
    parts = urlsplit(url)
    if parts.query:
        return False
    segments = [s.lower() for s in parts.path.split("/") if s]
    if segments and segments[-1] in INDEX_LEAVES:
        segments = segments[:-1]
    if not 1 <= len(segments) <= 3:
        return False
    if _extension(segments[-1]) is not None:
        return False
    if any(s in NOT_SECTIONS or s in SKIP_SEGMENTS for s in segments):
        return False
    return all(len(s) <= 30 and len(_words(s)) <= 3 and not _DIGITS.search(s) for s in segments)
